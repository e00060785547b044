"""Flow: rebuild the statistics tables."""

from __future__ import annotations

from pathlib import Path

from prefect import flow

from flows import tasks


@flow(name="build-statistics", log_prints=True)
def build_statistics(home: Path = Path("data")) -> dict[str, int]:
    """Rebuild list, group and hourly statistics from records and results."""
    return tasks.build_statistics(home)
