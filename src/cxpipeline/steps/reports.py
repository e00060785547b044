"""Reports step: read the statistics relations and write HTML, Excel and CSV reports."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from cxpipeline import warehouse
from cxpipeline.io import outputs
from cxpipeline.reports import excel, html, tabular
from cxpipeline.settings import Settings

REPORT_TABLES = (
    "list_stats",
    "group_stats",
    "zone_stats",
    "not_dialable_summary",
    "rejection_summary",
    "hourly_stats",
    "ingest_runs",
)
REPORT_FORMATS = ("html", "xlsx", "csv")


def write_reports(
    settings: Settings, out_dir: Path, formats: tuple[str, ...], *, force: bool = True
) -> list[Path]:
    """Export the statistics as HTML (with charts), Excel and/or CSV into out_dir.

    The folder is refused when it is a file or inside the lake; without `force` (the CLI's
    default) an existing report file is not replaced. Runs replace their own reports.
    """
    out_dir = outputs.check_output_folder(out_dir, home=settings.home)
    for name in _report_files(formats):
        outputs.check_output_file(out_dir / name, home=settings.home, force=force)
    con = warehouse.connect(settings, read_only=True)
    try:
        tables = {name: warehouse.whole_table(con, name) for name in REPORT_TABLES}
    finally:
        con.close()
    out_dir = Path(out_dir)
    written: list[Path] = []
    if "html" in formats:
        written.append(
            html.write_html_report(
                tables,
                out_dir / "report.html",
                title="cxpipeline campaign report",
                generated_at=datetime.now(UTC),
            )
        )
    if "xlsx" in formats:
        written.append(excel.write_xlsx_report(tables, out_dir / "report.xlsx"))
    if "csv" in formats:
        written.extend(tabular.write_csv_report(tables, out_dir))
    return written


def _report_files(formats: tuple[str, ...]) -> list[str]:
    """Names of the files the chosen formats write into the report folder."""
    names = [f"report.{fmt}" for fmt in ("html", "xlsx") if fmt in formats]
    return names + ([f"{table}.csv" for table in REPORT_TABLES] if "csv" in formats else [])
