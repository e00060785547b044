"""Flow: the daily run: campaigns, suppression, every list, results, statistics, reports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import flow
from pydantic import BaseModel

from flows import tasks


class ListFile(BaseModel):
    """One contact list file to ingest in the daily run."""

    file: Path
    list_name: str
    group: str
    spec: Path | None = None
    mode: str = "replace"


class SuppressionFile(BaseModel):
    """One suppression list to (re)load in the daily run."""

    file: Path
    name: str


@flow(name="daily-run", log_prints=True)
def daily_run(
    lists: list[ListFile],
    home: Path = Path("data"),
    campaigns_file: Path | None = None,
    suppression: list[SuppressionFile] | None = None,
    results_files: list[Path] | None = None,
    as_of: datetime | None = None,
    horizon_days: int = 7,
    report_dir: Path | None = None,
) -> dict[str, object]:
    """Run the whole pipeline once; warehouse writes are serialised, one step at a time."""
    if campaigns_file is not None:
        tasks.apply_campaigns(home, campaigns_file)
    for entry in suppression or []:
        tasks.load_suppression(home, entry.file, entry.name)
    # Lists are ingested one after the other: each ends in a warehouse transaction and the
    # embedded DuckDB store takes one writer at a time.
    ingests = [
        tasks.ingest_list(
            home, item.file, item.list_name, item.group, item.spec, as_of, horizon_days, item.mode
        )
        for item in lists
    ]
    loaded = [tasks.load_results(home, f, as_of) for f in results_files or []]
    if not loaded:  # loading results already rebuilt the statistics
        tasks.build_statistics(home)
    reports = tasks.write_reports(home, report_dir or home / "reports", ("html", "xlsx", "csv"))
    return {"ingests": ingests, "results": loaded, "reports": reports}
