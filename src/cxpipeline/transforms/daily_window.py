"""Daily window: each record's first-day calling window as seconds after its local midnight."""

from __future__ import annotations

from datetime import date

import polars as pl

from cxpipeline.transforms.horizon import Horizon
from cxpipeline.transforms.local_time import UTC_TS, check_zone, utc_to_local


def _seconds(t: pl.Expr) -> pl.Expr:
    return (
        t.dt.hour().cast(pl.Int64) * 3600
        + t.dt.minute().cast(pl.Int64) * 60
        + t.dt.second().cast(pl.Int64)
    )


def _first_day_windows(
    records_with_keys: pl.LazyFrame,
    windows: pl.LazyFrame,
    first: Horizon | date,
    default_zone: str,
) -> pl.LazyFrame:
    """Per (window_key, tz_name): daily_from and daily_till of the chosen day's window.

    The day: the local date `first` (exactly), or the first local day of the horizon `first`
    that has a window.
    """
    zone = pl.col("tz_name").fill_null(default_zone)
    local_start = pl.col("_ls")
    local_end = pl.col("_le")
    if isinstance(first, Horizon):
        start = utc_to_local(pl.lit(first.start, UTC_TS), zone, field="tz_name").dt.date()
        on_day = pl.col("_day") == pl.col("_day").min().over("window_key", "tz_name")
    else:
        start = pl.lit(first, pl.Date)
        on_day = pl.col("_day") == pl.col("_first")
    return (
        records_with_keys.select("window_key", "tz_name")
        .unique()
        .join(windows.select("window_key", "window_start_utc", "window_end_utc"), on="window_key")
        .with_columns(
            _ls=utc_to_local(pl.col("window_start_utc"), zone, field="tz_name"),
            _le=utc_to_local(pl.col("window_end_utc"), zone, field="tz_name"),
            _first=start,
        )
        .with_columns(_day=local_start.dt.date())
        .filter(pl.col("_day") >= pl.col("_first"))
        .filter(on_day)
        .with_columns(_len=pl.col("window_end_utc") - pl.col("window_start_utc"))
        .sort("window_key", "tz_name", "_len", "window_start_utc", nulls_last=True)
        .group_by("window_key", "tz_name", maintain_order=True)
        .first()
        .select(
            "window_key",
            "tz_name",
            daily_from=_seconds(local_start),
            daily_till=pl.when(local_end.dt.date() > pl.col("_day"))
            .then(pl.lit(86400, pl.Int64))
            .otherwise(_seconds(local_end)),
        )
    )


def _per_record(records_with_keys: pl.LazyFrame, per_pair: pl.LazyFrame) -> pl.LazyFrame:
    """Join the (window_key, tz_name) windows to the records; 0/0 where there is none."""
    return (
        records_with_keys.select("record_id", "window_key", "tz_name")
        .join(per_pair, on=["window_key", "tz_name"], how="left", nulls_equal=True)
        .select(
            "record_id",
            pl.col("daily_from").fill_null(0),
            pl.col("daily_till").fill_null(0),
        )
    )


#: The record columns `day_window` and `daily_window` read.
WINDOW_INPUTS: tuple[str, ...] = ("record_id", "window_key", "tz_name")


def day_window(
    records_with_keys: pl.LazyFrame,
    windows: pl.LazyFrame,
    day: date,
    *,
    default_zone: str = "America/New_York",
) -> pl.LazyFrame:
    """`record_id`, `daily_from`, `daily_till`: a record's window on local date `day`.

    Like `daily_window` but for one dialing day: that day's weekday hours, holidays and
    blackouts; 0/0 when the record may not be called that day (closed, holiday, No Call).
    """
    check_zone(default_zone, "default_window_zone")
    per_pair = _first_day_windows(records_with_keys, windows, day, default_zone)
    return _per_record(records_with_keys, per_pair)


def daily_window(
    records_with_keys: pl.LazyFrame,
    windows: pl.LazyFrame,
    horizon: Horizon,
    *,
    default_zone: str = "America/New_York",
) -> pl.LazyFrame:
    """`record_id`, `daily_from`, `daily_till`: a record's first-day window in its `tz_name`.

    Seconds after local midnight of the shortest window starting on the horizon's first local
    day (the next day that has one when that day has none; 0/0 when none has). A window running
    past local midnight ends the day at 86400. Records without `tz_name` use `default_zone`.
    """
    check_zone(default_zone, "default_window_zone")
    per_pair = _first_day_windows(records_with_keys, windows, horizon, default_zone)
    return _per_record(records_with_keys, per_pair)
