"""The demo: the sample's run manifest (data/sample/run.yaml) through the one orchestration."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from rich.console import Console
from rich.table import Table

from cxpipeline import warehouse
from cxpipeline.manifest import load_manifest
from cxpipeline.orchestration import RunSummary, run_manifest
from cxpipeline.settings import Settings

SAMPLE_MANIFEST = "run.yaml"


def run_demo(
    settings: Settings,
    *,
    as_of: datetime | None = None,
    horizon_days: int = 7,
    console: Console | None = None,
    sample_dir: Path | None = None,
    with_results: bool = True,
) -> RunSummary:
    """Run the sample's manifest into the home and print a per-list summary table."""
    console = console or Console(quiet=True)
    manifest = load_manifest((sample_dir or settings.sample_dir) / SAMPLE_MANIFEST)
    if not with_results:
        manifest = manifest.model_copy(update={"results": ()})
    summary = run_manifest(
        settings, manifest, as_of=as_of, horizon_days=horizon_days, console=console
    )
    console.print(list_summary_table(settings))
    return summary


def list_summary_table(settings: Settings) -> Table:
    """One row per list: records, no-call, dialable, with planned windows, calls, connects."""
    con = warehouse.connect(settings, read_only=True)
    try:
        rows = warehouse.fetch_dicts(con, warehouse.load_sql_statement("list_summary"))
    finally:
        con.close()
    table = Table(title="contact lists", header_style="bold", padding=(0, 1))
    table.add_column("list", no_wrap=True)
    for name in ("records", "no-call", "dialable", "planned", "calls", "connects"):
        table.add_column(name, justify="right", min_width=len(name))
    for row in rows:
        table.add_row(*[f"{v:,}" if isinstance(v, int) else str(v) for v in row.values()])
    return table
