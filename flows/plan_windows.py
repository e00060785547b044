"""Flow: re-plan the calling windows of stored lists (every morning, no file read)."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

from prefect import flow

from flows import tasks


@flow(name="plan-windows", log_prints=True)
def plan_windows(
    home: Path = Path("data"),
    lists: list[str] | None = None,
    as_of: datetime | None = None,
    horizon_days: int | None = None,
) -> dict[str, dict[str, int]]:
    """Re-plan the windows of the named lists (all by default), then refresh their statistics."""
    planned = tasks.plan_windows(home, lists, as_of, horizon_days)
    tasks.build_statistics(home, sorted(planned) if lists else None)
    return planned
