"""Treatment steps as a frame, and local times for actions that dial at a time of day."""

from __future__ import annotations

import polars as pl

from cxpipeline.transforms.local_time import check_zone, local_to_utc, utc_to_local
from cxpipeline.treatments import TREATMENT_ACTIONS

__all__ = ["ACTIONS", "RETRY_ACTIONS", "TREATMENT_SCHEMA", "treatment_steps", "with_local_at"]

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


def with_local_at(
    frame: pl.LazyFrame,
    name: str,
    spec: tuple[str, str, str],
    zones: list[str],
    default_zone: str,
) -> pl.LazyFrame:
    """Add `name`: epoch s of the first `minute` of day in the record's zone, `days` on.

    `spec` is (time column, minute column, days column). Local time on the pinned tzdata
    release (transforms.local_time): an ambiguous time takes its earlier reading, a time in a
    gap moves an hour on; a time that is not after the call moves one more day on. `zones`
    (the distinct zones of the frame) are checked up front. Each conversion is a column of its
    own, computed once (an expression reusing them would run every conversion again).
    """
    time_col, minute, days = spec
    for z in zones:
        check_zone(z, "tz_name")
    zone = pl.col("tz_name").fill_null(default_zone)
    # Only rows with a time of day need their local day (most results have none).
    timed = pl.when(pl.col(minute).is_not_null()).then(pl.col(time_col))
    day = utc_to_local(timed, zone, field="tz_name").dt.date().cast(pl.Datetime("us"))
    local = pl.col("_la_local")
    frame = frame.with_columns(
        _la_local=day + pl.duration(days=pl.col(days), minutes=pl.col(minute))
    )
    frame = frame.with_columns(
        _la_first=local_to_utc(local, zone, latest=False, field="tz_name"),
        _la_shifted=local_to_utc(local + pl.duration(hours=1), zone, latest=False, field="tz_name"),
    )
    exists = utc_to_local(pl.col("_la_first"), zone, field="tz_name") == local
    frame = frame.with_columns(
        _la_at=pl.when(exists).then("_la_first").otherwise("_la_shifted").dt.epoch("s")
    )
    at = pl.col("_la_at")
    return frame.with_columns(
        pl.when(at <= pl.col(time_col).dt.epoch("s")).then(at + 86_400).otherwise(at).alias(name)
    ).drop("_la_local", "_la_first", "_la_shifted", "_la_at")
