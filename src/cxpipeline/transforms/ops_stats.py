"""Statistics an operations team reads: when to call, the daily trend, 30-day abandonment, today.

Best time and the daily trend read `transforms.local_calls.local_calls`: attempts counted per
list, result and the called party's local 15-minute bucket.
"""

from __future__ import annotations

from datetime import timedelta

import polars as pl

from cxpipeline.codes import CallResult
from cxpipeline.transforms.local_time import known_or_utc, utc_to_local

#: The abandonment limit when a campaign sets none: US telemarketing, 3 % of live-answered
#: calls per campaign over 30 days (docs/domain.md §6).
DEFAULT_ABANDON_LIMIT = 0.03
ABANDON_DAYS = 30
_ANSWER, _ABANDONED = int(CallResult.ANSWER), int(CallResult.ABANDONED)


def _rate(numerator: pl.Expr, denominator: pl.Expr) -> pl.Expr:
    """Divide, null when the denominator is zero."""
    return pl.when(denominator > 0).then(numerator / denominator).cast(pl.Float64)


def _outcomes() -> list[pl.Expr]:
    """Sum the attempts, connects and abandoned calls of a group of attempt counts."""
    result, attempts = pl.col("call_result"), pl.col("attempts")
    return [
        attempts.sum().cast(pl.Int64).alias("attempts"),
        attempts.filter(result == _ANSWER).sum().cast(pl.Int64).alias("connects"),
        attempts.filter(result == _ABANDONED).sum().cast(pl.Int64).alias("abandoned"),
    ]


def hour_weekday_stats(calls: pl.LazyFrame) -> pl.LazyFrame:
    """Count attempts and connects per list × local weekday (1 Mon … 7 Sun) × local hour."""
    return (
        calls.group_by(
            "list_name",
            pl.col("local_time").dt.weekday().cast(pl.Int32).alias("weekday"),
            pl.col("local_time").dt.hour().cast(pl.Int32).alias("local_hour"),
        )
        .agg(_outcomes()[:2])
        .with_columns(connect_rate=_rate(pl.col("connects"), pl.col("attempts")))
        .sort("list_name", "weekday", "local_hour")
    )


def daily_stats(calls: pl.LazyFrame) -> pl.LazyFrame:
    """Count attempts, connects and abandons per list × local date of the call, with rates."""
    return (
        calls.group_by("list_name", pl.col("local_time").dt.date().alias("call_date"))
        .agg(_outcomes())
        .with_columns(
            connect_rate=_rate(pl.col("connects"), pl.col("attempts")),
            abandon_rate=_rate(pl.col("abandoned"), pl.col("connects") + pl.col("abandoned")),
        )
        .sort("list_name", "call_date")
    )


#: Columns of `abandonment_counts` (and of sql/ops/abandonment_calls.sql).
ABANDONMENT_COUNTS_COLUMNS = (
    "campaign_group",
    "list_name",
    "call_result",
    "window_end_utc",
    "attempts",
)


def abandonment_counts(results: pl.LazyFrame, lists: pl.LazyFrame) -> pl.LazyFrame:
    """Count attempts per group, list and result over the 30 days up to the group's last call.

    `lists` maps list_name → campaign_group (results of other lists are left out). The window
    is ABANDON_DAYS × 24 hours ending at the group's last call (`window_end_utc`), that call
    included. The statistics step reads the same counts from sql/ops/abandonment_calls.sql.
    """
    calls = results.select("list_name", "call_result", "call_time_utc").join(
        lists, on="list_name", how="inner"
    )
    ends = calls.group_by("campaign_group").agg(
        pl.col("call_time_utc").max().alias("window_end_utc")
    )
    in_window = pl.col("call_time_utc") > pl.col("window_end_utc") - timedelta(days=ABANDON_DAYS)
    return (
        calls.join(ends, on="campaign_group", how="inner")
        .filter(in_window)
        .group_by(
            "campaign_group", "list_name", pl.col("call_result").cast(pl.Int64), "window_end_utc"
        )
        .agg(pl.len().cast(pl.Int64).alias("attempts"))
        .select(ABANDONMENT_COUNTS_COLUMNS)
    )


def abandonment_30d(counts: pl.LazyFrame, limits: pl.LazyFrame) -> pl.LazyFrame:
    """Rate each campaign group's abandonment over the 30 days up to its last call.

    `counts` are `abandonment_counts`; `limits` gives campaign_group → abandon_limit (a
    fraction; DEFAULT_ABANDON_LIMIT where missing). The rate is abandoned ÷ (connects +
    abandoned), the calls a live person answered; `over_limit` flags a group above its limit.
    """
    return (
        counts.group_by("campaign_group")
        .agg(
            pl.col("window_end_utc").max(),
            pl.col("list_name").n_unique().cast(pl.Int64).alias("lists"),
            *_outcomes(),
        )
        .with_columns(
            window_start_utc=pl.col("window_end_utc") - timedelta(days=ABANDON_DAYS),
            abandon_rate=_rate(pl.col("abandoned"), pl.col("connects") + pl.col("abandoned")),
        )
        .join(limits, on="campaign_group", how="left")
        .with_columns(pl.col("abandon_limit").fill_null(DEFAULT_ABANDON_LIMIT))
        .with_columns(
            over_limit=(pl.col("abandon_rate") > pl.col("abandon_limit")).fill_null(False)
        )
        .select(
            "campaign_group",
            "lists",
            "window_start_utc",
            "window_end_utc",
            "attempts",
            "connects",
            "abandoned",
            "abandon_rate",
            "abandon_limit",
            "over_limit",
        )
        .sort("campaign_group")
    )


#: A window of the day in its record's zone: what its local hours depend on.
_SPAN = ("tz_name", "_start", "_end")


def dialable_today(
    windows: pl.LazyFrame,
    records: pl.LazyFrame,
    plan_as_of: pl.LazyFrame,
    known_zones: frozenset[str],
) -> pl.LazyFrame:
    """Count records that may be dialed per list × zone × local hour in the 24 h from as-of.

    `windows` are dialable windows (list_name, record_id, window_start_utc, window_end_utc),
    `plan_as_of` the as-of each list was planned from (list_name, as_of). A record counts once
    in every local hour any of its windows touches. The hours are found once per distinct
    window and zone. A record with one window that day (nearly all) is counted with the
    others of that window; only records with several are counted record by record, so the
    work is not one row per record and hour (at 9.3 M records that took ~34 s and ~5 GiB).
    """
    day = (
        _day_windows(windows, records, plan_as_of)
        # Found once for both branches (a hash of every window's record: ~1.2 s at 9.6 M).
        .with_columns(_several=pl.col("record_id").is_duplicated())
        .cache()
    )
    span = list(_SPAN)
    span_hours = _span_hours(day, known_zones)
    keys = ["list_name", "as_of", "tz_name", "local_hour"]
    several = pl.col("_several")
    # One window: its records, counted per window, are distinct in each of its hours.
    single = (
        day.filter(~several)
        .group_by("list_name", "as_of", *span)
        .agg(_records=pl.len())
        .join(span_hours, on=span, how="inner", nulls_equal=True)
        .group_by(keys)
        .agg(pl.col("_records").sum())
    )
    # Several windows (they may share an hour): distinct records per hour.
    multiple = (
        day.filter(several)
        .join(span_hours, on=span, how="inner", nulls_equal=True)
        .group_by(keys)
        .agg(_records=pl.col("record_id").n_unique())
    )
    return dialable_today_from(
        pl.concat([single, multiple], how="vertical_relaxed")
        .group_by(keys)
        .agg(pl.col("_records").sum().cast(pl.Int64).alias("records"))
    )


#: The keys of dialable_today: its counts add up over slices of whole chains.
DIALABLE_TODAY_KEYS = ("list_name", "as_of", "tz_name", "local_hour")


def dialable_today_from(counts: pl.LazyFrame) -> pl.LazyFrame:
    """`dialable_today` from its counts per key (one row per key), in the table's order."""
    return counts.sort("list_name", "tz_name", "local_hour", nulls_last=True)


def _day_windows(
    windows: pl.LazyFrame, records: pl.LazyFrame, plan_as_of: pl.LazyFrame
) -> pl.LazyFrame:
    """Return each window cut to the 24 h from its list's as-of, with its record's zone."""
    return (
        windows.join(plan_as_of, on="list_name", how="inner")
        .join(records.select("record_id", "tz_name"), on="record_id", how="left")
        .with_columns(
            _start=pl.max_horizontal("window_start_utc", "as_of"),
            _end=pl.min_horizontal("window_end_utc", pl.col("as_of") + timedelta(days=1)),
        )
        .filter(pl.col("_start") < pl.col("_end"))
        .select("list_name", "as_of", "tz_name", "record_id", "_start", "_end")
    )


def _span_hours(day: pl.LazyFrame, known_zones: frozenset[str]) -> pl.LazyFrame:
    """Return the local hours each distinct window of the day touches, once per window."""
    return (
        day.select(_SPAN)
        .unique()
        .with_columns(
            _bucket=pl.datetime_ranges(
                pl.col("_start").dt.truncate("15m"),
                pl.col("_end") - timedelta(microseconds=1),
                "15m",
            )
        )
        .explode("_bucket")
        .with_columns(_zone=known_or_utc(pl.col("tz_name"), known_zones))
        .select(
            *_SPAN,
            local_hour=utc_to_local(pl.col("_bucket"), pl.col("_zone"), field="tz_name")
            .dt.hour()
            .cast(pl.Int32),
        )
        .unique()
    )
