"""Flow: the daily run of a manifest: campaigns, suppression, lists, results, stats, reports."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import flow

from cxpipeline.manifest import load_manifest
from cxpipeline.orchestration import run_manifest
from cxpipeline.settings import Settings
from flows.task_steps import TaskSteps


@flow(name="daily-run", log_prints=True)
def daily_run(
    manifest: Path,
    home: Path = Path("data"),
    as_of: datetime | None = None,
    horizon_days: int | None = None,
) -> dict[str, object]:
    """Run the manifest's steps in order, each a Prefect task (the same sequence as the CLI)."""
    settings = Settings.build(home)
    # Steps run one after the other: each ends in a warehouse transaction and the embedded
    # DuckDB store takes one writer at a time.
    summary = run_manifest(
        settings,
        load_manifest(manifest),
        as_of=as_of,
        horizon_days=horizon_days,
        runner=TaskSteps(settings.home),
    )
    return {
        "ingests": [vars(s) for s in summary.ingests],
        "results": summary.results,
        "statistics": summary.statistics,
        "reports": [str(p) for p in summary.reports],
    }
