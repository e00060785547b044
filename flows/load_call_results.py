"""Flow: ingest a call results file, then rebuild the statistics."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import flow

from cxpipeline.steps.results import lists_changed
from flows import tasks


@flow(name="load-call-results", log_prints=True)
def load_call_results(
    file: Path, home: Path = Path("data"), as_of: datetime | None = None
) -> dict[str, object]:
    """Load call results (idempotent), update record state, then refresh the statistics.

    Only the lists the load changed have their statistics rows rebuilt (and their groups').
    """
    loaded = tasks.load_results(home, file, as_of)
    tasks.build_statistics(home, lists_changed(loaded))
    return loaded
