"""Flow: export the reports (HTML with charts, Excel, CSV)."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows import tasks


@flow(name="export-reports", log_prints=True)
def export_reports(
    out_dir: Path,
    home: Path = Path("data"),
    formats: tuple[str, ...] = ("html", "xlsx", "csv"),
) -> list[str]:
    """Rebuild statistics, then write the reports into out_dir."""
    stats = tasks.build_statistics.submit(home)
    return tasks.write_reports(home, out_dir, formats, wait_for=[stats])
