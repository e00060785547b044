"""The demo: the whole pipeline on the committed sample in data/sample."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cxpipeline import pipeline, warehouse
from cxpipeline.settings import Settings

#: Sample contact list files → (contact list, campaign group), as in data/sample/campaigns.yaml.
SAMPLE_LISTS: tuple[tuple[str, str, str], ...] = (
    ("contacts_east_q4.csv", "east_q4", "collections_east"),
    ("contacts_east_retry.csv", "east_retry", "collections_east"),
    ("contacts_west_q4.csv", "west_q4", "collections_west"),
)
SAMPLE_SUPPRESSION = ("suppression_dnc.csv", "client_dnc")
SAMPLE_RESULTS = "call_results.csv"


@dataclass
class DemoSummary:
    """What the demo produced."""

    ingests: list[pipeline.IngestSummary] = field(default_factory=list)
    results: dict[str, int] = field(default_factory=dict)
    report_path: Path | None = None


def run_demo(
    settings: Settings,
    *,
    as_of: datetime | None = None,
    horizon_days: int = 7,
    console: Console | None = None,
    sample_dir: Path | None = None,
) -> DemoSummary:
    """Apply campaigns, load suppression, ingest the three lists, load results, report."""
    console = console or Console(quiet=True)
    sample = sample_dir or settings.sample_dir
    summary = DemoSummary()
    with console.status("applying campaigns…"):
        counts = pipeline.apply_campaigns(settings, sample / "campaigns.yaml")
    console.print("campaigns: " + ", ".join(f"{k} {v}" for k, v in counts.items()))
    supp_file, supp_name = SAMPLE_SUPPRESSION
    with console.status("loading suppression list…"):
        supp = pipeline.load_suppression(settings, sample / supp_file, supp_name)
    console.print(f"suppression list {supp_name!r}: {supp['entries']:,} entries")
    for file_name, list_name, group in SAMPLE_LISTS:
        with console.status(f"ingesting {file_name}…"):
            ingested = pipeline.ingest(
                settings,
                sample / file_name,
                list_name=list_name,
                group=group,
                as_of=as_of,
                horizon_days=horizon_days,
            )
        summary.ingests.append(ingested)
        for line in ingested.describe():
            console.print(line)
    results_file = sample / SAMPLE_RESULTS
    if results_file.exists():
        with console.status("loading call results…"):
            summary.results = pipeline.load_results(settings, results_file, as_of=as_of)
        console.print(
            f"call results: {summary.results['results_loaded']:,} loaded, "
            f"{summary.results['rows_rejected']:,} rejected"
        )
    with console.status("building statistics and reports…"):
        if not results_file.exists():  # loading results already rebuilt the statistics
            pipeline.build_statistics(settings)
        written = pipeline.write_reports(
            settings, settings.home / "reports", ("html", "xlsx", "csv")
        )
    summary.report_path = next((p for p in written if p.suffix == ".html"), None)
    console.print(_summary_table(settings))
    return summary


def _summary_table(settings: Settings) -> Table:
    """One row per list: records, no-call, dialable, with planned windows, calls, connects."""
    con = warehouse.connect(settings, read_only=True)
    try:
        rows = warehouse.fetch_dicts(
            con,
            "SELECT s.list_name, s.total_records, "
            "s.no_call_records, s.dialable_records, "
            "(SELECT count(DISTINCT record_id) FROM dialable_windows d "
            " WHERE d.list_name = s.list_name) AS with_windows, "
            "s.attempts, s.connects FROM list_stats s ORDER BY s.list_name",
        )
    finally:
        con.close()
    table = Table(title="contact lists", header_style="bold", padding=(0, 1))
    table.add_column("list", no_wrap=True)
    for name in ("records", "no-call", "dialable", "planned", "calls", "connects"):
        table.add_column(name, justify="right", min_width=len(name))
    for row in rows:
        table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()])
    return table
