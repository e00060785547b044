"""Treatment steps as a frame, and local times for actions that dial at a time of day."""

from __future__ import annotations

import polars as pl

from cxpipeline.transforms.local_time import check_zone, local_to_utc, utc_to_local
from cxpipeline.treatments import TREATMENT_ACTIONS

__all__ = ["ACTIONS", "RETRY_ACTIONS", "TREATMENT_SCHEMA", "local_at", "treatment_steps"]

#: Treatment actions (docs/contract.md §5): one list, where the settings check them.
ACTIONS: tuple[str, ...] = TREATMENT_ACTIONS
#: Actions that dial the same record again.
RETRY_ACTIONS = ["retry_in", "retry_at"]
#: Columns of the treatments frame: one row per list, call result and step.
TREATMENT_SCHEMA: dict[str, pl.DataType] = {
    "list_name": pl.String(),
    "call_result": pl.Int64(),
    "sequence": pl.Int64(),
    "action": pl.String(),
    "interval_minutes": pl.Int64(),
    "increment_minutes": pl.Int64(),
    "attempts": pl.Int64(),
    "at_minute": pl.Int64(),  # local minute of day for retry_at / next_in_chain_at
    "days": pl.Int64(),
}


def treatment_steps(treatments: pl.LazyFrame) -> pl.LazyFrame:
    """Add the occurrences of its call result each step covers: `_first_n`..`_last_n`."""
    retry = pl.col("action").is_in(RETRY_ACTIONS)
    return (
        treatments.with_columns(
            attempts=pl.when(retry).then(pl.col("attempts").fill_null(1)).otherwise(1),
            increment_minutes=pl.col("increment_minutes").fill_null(0),
            days=pl.col("days").fill_null(0),
        )
        .sort("list_name", "call_result", "sequence")
        .with_columns(_last_n=pl.col("attempts").cum_sum().over("list_name", "call_result"))
        .with_columns(_first_n=pl.col("_last_n") - pl.col("attempts") + 1)
    )


def local_at(time_col: str, minute: str, days: str, zones: list[str], default_zone: str) -> pl.Expr:
    """Epoch s of the first `minute` of day in the record's zone, `days` on from `time_col`.

    Local time on the pinned tzdata release (transforms.local_time): an ambiguous time takes
    its earlier reading, a time in a gap moves an hour on; a time that is not after the call
    moves one more day on. `zones` (the distinct zones of the frame) are checked up front.
    """
    for z in zones:
        check_zone(z, "tz_name")
    zone = pl.col("tz_name").fill_null(default_zone)
    # Only rows with a time of day need their local day (most results have none).
    timed = pl.when(pl.col(minute).is_not_null()).then(pl.col(time_col))
    day = utc_to_local(timed, zone, field="tz_name").dt.date().cast(pl.Datetime("us"))
    local = day + pl.duration(days=pl.col(days), minutes=pl.col(minute))
    first = local_to_utc(local, zone, latest=False, field="tz_name")
    shifted = local_to_utc(local + pl.duration(hours=1), zone, latest=False, field="tz_name")
    exists = utc_to_local(first, zone, field="tz_name") == local
    at = pl.when(exists).then(first).otherwise(shifted).dt.epoch("s")
    return pl.when(at <= pl.col(time_col).dt.epoch("s")).then(at + 86_400).otherwise(at)
