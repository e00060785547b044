"""Flow: ingest one contact list file into a campaign group, then refresh its statistics."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import flow

from flows import tasks


@flow(name="ingest-contact-list", log_prints=True)
def ingest_contact_list(
    file: Path,
    list_name: str,
    group: str,
    home: Path = Path("data"),
    spec: Path | None = None,
    as_of: datetime | None = None,
    horizon_days: int = 7,
    mode: str = "replace",
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    force: bool = False,
) -> dict[str, object]:
    """Ingest, validate, enrich and plan one contact list, then refresh the statistics."""
    summary = tasks.ingest_list.submit(
        home,
        file,
        list_name,
        group,
        spec,
        as_of,
        horizon_days,
        mode,
        delimiter,
        encoding,
        sheet,
        force,
    ).result()
    if summary["status"] == "succeeded":
        tasks.build_statistics(home, [list_name])
    return summary
