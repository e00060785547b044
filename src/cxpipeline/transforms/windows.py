"""Calling windows: campaign hours ∩ federal ∩ state rules ∩ holidays in every candidate zone.

Records share few distinct (zones, states, campaign hours) keys, so windows are computed per
key and joined back to records by `window_key`. Each rule contributes *forbidden* intervals per
local date and zone (before its start, after its end, or the whole day); the windows of a key are
the gaps of the union of its forbidden intervals, found with one sort and a running count.

The parts live in sibling modules and are re-exported here: `window_keys` (keys and campaign
hours), `horizon` (Horizon, DefaultWindow), `rule_instances` and `forbidden_intervals` (rules as
dated, zoned intervals), `local_time` (DST-safe zone arithmetic), `daily_window` and
`attempt_caps`.
"""

from __future__ import annotations

from datetime import time, timedelta

import polars as pl

from cxpipeline.errors import CxError
from cxpipeline.rules.model import with_version_ends
from cxpipeline.transforms.attempt_caps import attempt_cap_holds, cap_lookback
from cxpipeline.transforms.daily_window import daily_window
from cxpipeline.transforms.forbidden_intervals import forbidden_intervals, horizon_sentinels
from cxpipeline.transforms.horizon import DAY_MINUTES, DefaultWindow, Horizon, minutes
from cxpipeline.transforms.local_time import UTC_TS, check_zone
from cxpipeline.transforms.rule_instances import rule_instances
from cxpipeline.transforms.window_keys import (
    DAY_KEYS,
    HOUR_KEYS,
    campaign_hours_spec,
    window_keys,
)

__all__ = [
    "DAY_KEYS",
    "HOUR_KEYS",
    "UTC_TS",
    "DefaultWindow",
    "Horizon",
    "attempt_cap_holds",
    "cap_lookback",
    "campaign_hours_spec",
    "daily_window",
    "dialable_windows",
    "window_keys",
]

_WINDOW_SCHEMA = pl.Schema(
    {
        "window_key": pl.UInt64(),
        "window_start_utc": UTC_TS,
        "window_end_utc": UTC_TS,
        "start_rule": pl.String(),
        "end_rule": pl.String(),
        "rule": pl.String(),
    }
)
_KEY_COLUMNS = {"window_key", "tz_candidates", "states", "campaign_hours"}


def _margin(stop_margin: int | timedelta) -> timedelta:
    margin = stop_margin if isinstance(stop_margin, timedelta) else timedelta(minutes=stop_margin)
    if margin < timedelta(0):
        raise CxError("must not be negative", field="stop_margin_minutes")
    return margin


def _fallback(default_window: tuple[time, time, str]) -> DefaultWindow:
    """Check the default window: a known zone and an end after the start."""
    fallback = DefaultWindow(*default_window)
    check_zone(fallback.zone, "default_window_zone")
    if minutes(fallback.start) >= (minutes(fallback.end) or DAY_MINUTES):
        raise CxError("the end is not after the start", field="default_window_end")
    return fallback


def _check_keys(keys: pl.LazyFrame) -> None:
    missing = _KEY_COLUMNS - set(keys.collect_schema().names())
    if missing:
        raise CxError(f"missing columns {sorted(missing)} (run window_keys first)", field="keys")


def _key_rows(keys: pl.LazyFrame) -> pl.LazyFrame:
    """One row per distinct window key, materialised once."""
    # Keys are few (tens to thousands) but read by several branches: distil them from the
    # records once instead of letting every branch scan all records again.
    return (
        keys.select(
            pl.col("window_key").cast(pl.UInt64),
            pl.col("tz_candidates").cast(pl.List(pl.String)),
            pl.col("states").cast(pl.List(pl.String)),
            "campaign_hours",
        )
        .unique(subset=["window_key"], keep="any")
        .collect()
        .lazy()
    )


def _gaps(intervals: pl.LazyFrame, horizon: Horizon, margin: timedelta) -> pl.LazyFrame:
    """Find the gaps between forbidden intervals per key that overlap the horizon, less margin."""
    events = intervals.select(
        "window_key",
        "label",
        "prio",
        t=pl.concat_list("f_start", "f_end"),
        is_end=pl.lit([False, True], dtype=pl.List(pl.Boolean)),
    ).explode("t", "is_end")
    # At one instant: starts before ends (touching forbidden intervals leave no empty window);
    # among starts the highest priority first, among ends the highest last, so the rule named
    # on either side of a window is the most specific one that bounds it there.
    order = pl.when(pl.col("is_end")).then(pl.col("prio")).otherwise(-pl.col("prio"))
    delta = pl.when(pl.col("is_end")).then(-1).otherwise(1)
    end_rule = pl.col("next_label")
    if margin > timedelta(0):
        end_rule = "stop_margin:" + end_rule
    return (
        events.with_columns(_order=order, _delta=delta)
        .sort("window_key", "t", "is_end", "_order", "label")  # label: stable ties
        .with_columns(
            depth=pl.col("_delta").cum_sum().over("window_key"),
            next_t=pl.col("t").shift(-1).over("window_key"),
            next_label=pl.col("label").shift(-1).over("window_key"),
        )
        .filter(pl.col("is_end") & (pl.col("depth") == 0))
        .select(
            "window_key",
            window_start_utc=pl.col("t"),
            window_end_utc=pl.col("next_t") - margin,
            start_rule=pl.col("label"),
            end_rule=end_rule,
        )
        .filter(
            (pl.col("window_end_utc") > pl.col("window_start_utc"))
            & (pl.col("window_end_utc") > horizon.start)
            & (pl.col("window_start_utc") < horizon.end)
        )
    )


def dialable_windows(
    keys: pl.LazyFrame,
    rules: pl.LazyFrame | pl.DataFrame,
    horizon: Horizon,
    *,
    default_window: tuple[time, time, str],
    stop_margin: int | timedelta,
    holidays: pl.LazyFrame | pl.DataFrame | None = None,
) -> pl.LazyFrame:
    """Windows of each key overlapping the horizon, with the rules that bound them.

    `keys` has `window_key`, `tz_candidates`, `states` and `campaign_hours` (from `window_keys`;
    records may be passed as they are). `rules` is a rules frame (`rules.load_rules` or the
    compliance_rules table). `holidays` (jurisdiction, date) defaults to the `holidays` package
    for jurisdictions with a holiday ban. `stop_margin` is minutes (or a timedelta) taken off
    every window end. Returns window_key, window_start_utc (inclusive), window_end_utc
    (exclusive), start_rule, end_rule and rule = "<start_rule>..<end_rule>".
    """
    margin = _margin(stop_margin)
    fallback = _fallback(default_window)
    _check_keys(keys)
    rules_df = with_version_ends(rules.collect() if isinstance(rules, pl.LazyFrame) else rules)
    holiday_df = holidays.collect() if isinstance(holidays, pl.LazyFrame) else holidays
    key_rows = _key_rows(keys)
    instances = rule_instances(key_rows, rules_df, horizon, fallback, holiday_df)
    intervals = pl.concat([forbidden_intervals(instances), horizon_sentinels(key_rows, horizon)])
    return (
        _gaps(intervals, horizon, margin)
        .with_columns(rule=pl.concat_str("start_rule", pl.lit(".."), "end_rule"))
        .sort("window_key", "window_start_utc")
        .cast(_WINDOW_SCHEMA)
    )
