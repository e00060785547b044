"""Rule instances: per window key, the allowed minutes of every rule on every evaluated date.

Each rule that bounds a key (federal and state law, state holidays, campaign hours and blackout
dates, the default window of keys without a zone) becomes one row per (key, zone, local date):
allowed minutes `start_min`..`end_min` in that zone, or nulls when the whole day is forbidden.
`forbidden_intervals` turns these rows into the UTC intervals they forbid.
"""

from __future__ import annotations

from datetime import date

import polars as pl

from cxpipeline import tzdb
from cxpipeline.rules.legal_holidays import state_holidays
from cxpipeline.rules.model import rule_days
from cxpipeline.transforms.horizon import DAY_MINUTES, DefaultWindow, Horizon, minutes

# Which rule is named when several bound a window at the same instant: the law before the
# campaign, a state before the federal floor. The horizon sentinel names a cut, not a rule.
PRIO_STATE = 5
PRIO_FEDERAL = 4
PRIO_DEFAULT = 3
PRIO_CAMPAIGN = 2
PRIO_HORIZON = 0

#: Zones of Canada (tzdata zone.tab): a key with one of them is bound by Canada's rules.
CANADIAN_ZONES = list(tzdb.country_zones("CA"))

_COLUMNS = {
    "window_key": pl.UInt64,
    "zone": pl.String,
    "date": pl.Date,
    "start_min": pl.Int64,
    "end_min": pl.Int64,
    "label": pl.String,
    "prio": pl.Int8,
}


def _in_force() -> pl.Expr:
    """Whether the rule version of a row is in force on the row's `date`."""
    return (pl.col("effective_from") <= pl.col("date")) & (
        pl.col("effective_to").is_null() | (pl.col("date") < pl.col("effective_to"))
    )


def _dates_frame(dates: list[date]) -> pl.LazyFrame:
    return pl.LazyFrame({"date": dates}, schema={"date": pl.Date}).with_columns(
        weekday=pl.col("date").dt.weekday().cast(pl.Int8)
    )


def _has_zone() -> pl.Expr:
    return pl.col("tz_candidates").list.len().fill_null(0) > 0


def _key_zones(keys: pl.LazyFrame, zoneless: pl.LazyFrame, default_zone: str) -> pl.LazyFrame:
    """(window_key, zone) for every candidate zone; keys without one get the default zone."""
    key_zones = (
        keys.filter(_has_zone())
        .select("window_key", zone=pl.col("tz_candidates"))
        .explode("zone")
        .drop_nulls("zone")
        .unique()
    )
    return pl.concat([key_zones, zoneless.with_columns(zone=pl.lit(default_zone))])


def _key_jurisdictions(keys: pl.LazyFrame) -> pl.LazyFrame:
    """(window_key, jurisdiction, key_purpose): 'US' for every key plus each of its states.

    'CAN' (Canada's national rules) joins when a candidate zone is Canadian: the called party
    may be in Canada. `key_purpose` is the campaign purpose in the key's campaign hours (null:
    none given).
    """
    purpose = pl.col("campaign_hours").str.extract(r"purpose=(\w+)", 1).alias("key_purpose")
    canadian = pl.col("tz_candidates").list.eval(pl.element().is_in(CANADIAN_ZONES)).list.any()
    return pl.concat(
        [
            keys.select("window_key", purpose, jurisdiction=pl.lit("US")),
            keys.select("window_key", purpose, jurisdiction=pl.col("states"))
            .explode("jurisdiction")
            .drop_nulls("jurisdiction"),
            keys.filter(canadian.fill_null(False)).select(
                "window_key", purpose, jurisdiction=pl.lit("CAN")
            ),
        ]
    ).unique()


def _binds() -> pl.Expr:
    """Whether a rule binds the key's campaign: purpose 'all', the key's, or a key without one."""
    key = pl.col("key_purpose")
    return (pl.col("purpose") == "all") | key.is_null() | (pl.col("purpose") == key)


def _placed(frame: pl.LazyFrame, key_zones: pl.LazyFrame) -> pl.LazyFrame:
    # A 'local' rule holds in each candidate zone; a fixed clock holds in that clock only.
    local = frame.filter(pl.col("clock") == "local").join(key_zones, on="window_key")
    fixed = frame.filter(pl.col("clock") != "local").with_columns(zone=pl.col("clock"))
    return pl.concat([local, fixed], how="diagonal")


def _law(
    key_juris: pl.LazyFrame, key_zones: pl.LazyFrame, rules: pl.DataFrame, dates: pl.LazyFrame
) -> pl.LazyFrame:
    """Federal, national and state hours in force on each date, per key and zone."""
    is_federal = pl.col("jurisdiction") == "US"
    in_force = rule_days(rules).lazy().join(dates, on="weekday").filter(_in_force())
    bound = key_juris.join(in_force, on="jurisdiction").filter(_binds())
    return _placed(bound, key_zones).with_columns(
        label=pl.when(is_federal)
        .then(pl.lit("federal"))
        .when(pl.col("jurisdiction") == "CAN")
        .then(pl.lit("national:CAN"))
        .otherwise("state:" + pl.col("jurisdiction")),
        prio=pl.when(is_federal).then(PRIO_FEDERAL).otherwise(PRIO_STATE),
    )


def _holiday(
    key_juris: pl.LazyFrame,
    key_zones: pl.LazyFrame,
    rules: pl.DataFrame,
    dates: list[date],
    holidays: pl.DataFrame | None,
) -> pl.LazyFrame:
    """Whole-day bans on the legal holidays of jurisdictions whose version in force bans them."""
    versions = rules.group_by("jurisdiction", "purpose", "effective_from").agg(
        pl.col("effective_to").first(), pl.col("holiday_ban").any(), pl.col("clock").first()
    )
    banning = versions.filter(pl.col("holiday_ban"))
    if holidays is None:
        holidays = state_holidays(banning["jurisdiction"].unique(), dates[0], dates[-1])
    holiday_days = (
        holidays.lazy()
        .select("jurisdiction", "date")
        .join(banning.lazy(), on="jurisdiction")
        .filter(_in_force())
        .select("jurisdiction", "purpose", "date", "clock")
        .unique()
    )
    bound = key_juris.join(holiday_days, on="jurisdiction").filter(_binds())
    return _placed(bound, key_zones).with_columns(
        start_min=pl.lit(None, pl.Int64),
        end_min=pl.lit(None, pl.Int64),
        label="holiday:" + pl.col("jurisdiction"),
        prio=pl.lit(PRIO_STATE),
    )


def _clock_part(offset: int) -> pl.Expr:
    """Minutes of the HH:MM at `offset` in a 'day=HH:MM-HH:MM' token; null for a closed day."""
    value = pl.col("tok").str.split_exact("=", 1).struct.field("field_1")
    hh = value.str.slice(offset, 2).cast(pl.Int64, strict=False)
    mm = value.str.slice(offset + 3, 2).cast(pl.Int64, strict=False)
    return pl.when(value != "closed").then(hh * 60 + mm)


def _campaign(keys: pl.LazyFrame, key_zones: pl.LazyFrame, dates: pl.LazyFrame) -> pl.LazyFrame:
    """Campaign hours per weekday (from the canonical `campaign_hours` text) in every zone."""
    return (
        keys.select(
            "window_key",
            tok=pl.col("campaign_hours").str.split(" ").list.head(7),
            weekday=pl.int_ranges(1, 8, dtype=pl.Int8),
        )
        .explode(["tok", "weekday"])
        .with_columns(start_min=_clock_part(0), end_min=_clock_part(6))
        # An unrestricted day forbids nothing; a closed day (nulls) forbids all of it.
        .filter(~(pl.col("start_min").eq_missing(0) & pl.col("end_min").eq_missing(DAY_MINUTES)))
        .join(dates, on="weekday")
        .join(key_zones, on="window_key")
        .with_columns(label=pl.lit("campaign"), prio=pl.lit(PRIO_CAMPAIGN))
    )


def _blackout(keys: pl.LazyFrame, key_zones: pl.LazyFrame, dates: pl.LazyFrame) -> pl.LazyFrame:
    """Whole-day bans on the campaign's blackout dates in every zone."""
    return (
        keys.select(
            "window_key",
            date=pl.col("campaign_hours")
            .str.split(" ")
            .list.get(7)
            .str.strip_prefix("blackout=")
            .str.split(","),
        )
        .explode("date")
        .filter(pl.col("date") != "")
        .with_columns(pl.col("date").str.to_date("%Y-%m-%d"))
        .join(dates.select("date"), on="date")
        .join(key_zones, on="window_key")
        .with_columns(
            start_min=pl.lit(None, pl.Int64),
            end_min=pl.lit(None, pl.Int64),
            label=pl.lit("blackout"),
            prio=pl.lit(PRIO_CAMPAIGN),
        )
    )


def _default(
    zoneless: pl.LazyFrame, dates: pl.LazyFrame, default_window: DefaultWindow
) -> pl.LazyFrame:
    """Bound keys without any candidate zone by the default window on every date."""
    return zoneless.join(dates.select("date"), how="cross").with_columns(
        zone=pl.lit(default_window.zone),
        start_min=pl.lit(minutes(default_window.start), pl.Int64),
        end_min=pl.lit(minutes(default_window.end) or DAY_MINUTES, pl.Int64),
        label=pl.lit("default_window"),
        prio=pl.lit(PRIO_DEFAULT),
    )


def rule_instances(
    keys: pl.LazyFrame,
    rules: pl.DataFrame,
    horizon: Horizon,
    default_window: DefaultWindow,
    holidays: pl.DataFrame | None,
) -> pl.LazyFrame:
    """One row per (key, constraint, zone, local date): allowed minutes, or nulls = whole day."""
    dates = horizon.evaluation_dates()
    dates_lf = _dates_frame(dates)
    zoneless = keys.filter(~_has_zone()).select("window_key")
    key_zones = _key_zones(keys, zoneless, default_window.zone)
    key_juris = _key_jurisdictions(keys)
    parts = (
        _law(key_juris, key_zones, rules, dates_lf),
        _holiday(key_juris, key_zones, rules, dates, holidays),
        _campaign(keys, key_zones, dates_lf),
        _blackout(keys, key_zones, dates_lf),
        _default(zoneless, dates_lf, default_window),
    )
    return pl.concat(
        [part.select([pl.col(c).cast(t) for c, t in _COLUMNS.items()]) for part in parts]
    )
