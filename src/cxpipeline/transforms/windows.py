"""Calling windows: campaign hours ∩ federal ∩ state rules ∩ holidays in every candidate zone.

Records share few distinct (zones, states, campaign hours) keys, so windows are computed per
key and joined back to records by `window_key`. Each rule contributes *forbidden* intervals per
local date and zone (before its start, after its end, or the whole day); the windows of a key are
the gaps of the union of its forbidden intervals, found with one sort and a running count. A local
boundary that does not exist or exists twice (daylight saving) is resolved on the safe side:
forbidden intervals start at the earlier and end at the later reading, so a window never widens.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from functools import cache
from typing import NamedTuple

import polars as pl

from cxpipeline.errors import CxError
from cxpipeline.rules import (
    parse_clock_time,
    rule_days,
    state_holidays,
    valid_zone,
    with_version_ends,
)

#: Effective settings of a list read by `window_keys` (design.md §7 setting keys).
DAY_KEYS = (
    "hours_mon",
    "hours_tue",
    "hours_wed",
    "hours_thu",
    "hours_fri",
    "hours_sat",
    "hours_sun",
)
HOUR_KEYS = (*DAY_KEYS, "blackout_dates")

UTC_TS = pl.Datetime("us", "UTC")
_NAIVE = pl.Datetime("us")
_DAY = timedelta(days=1)

# Which rule is named when several bound a window at the same instant: the law before the
# campaign, a state before the federal floor. The horizon sentinel names a cut, not a rule.
_PRIO_STATE = 5
_PRIO_FEDERAL = 4
_PRIO_DEFAULT = 3
_PRIO_CAMPAIGN = 2
_PRIO_HORIZON = 0

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


@dataclass(frozen=True)
class Horizon:
    """The planning horizon: windows overlapping [as_of, as_of + days) are planned."""

    as_of: datetime
    days: int = 7

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None or self.as_of.utcoffset() is None:
            raise CxError("needs a UTC offset, e.g. 2026-03-08T09:00:00-05:00", field="as_of")
        if self.days < 1:
            raise CxError("must be at least 1", field="horizon_days")

    @property
    def start(self) -> datetime:
        """First instant of the horizon, in UTC."""
        return self.as_of.astimezone(UTC)

    @property
    def end(self) -> datetime:
        """End of the horizon (exclusive), in UTC."""
        return self.start + timedelta(days=self.days)

    def evaluation_dates(self) -> list[date]:
        """Local dates to evaluate: two spare days each side cover every zone's offset."""
        first = self.start.date() - timedelta(days=2)
        return [first + timedelta(days=n) for n in range(self.days + 5)]

    def coverage(self) -> tuple[datetime, datetime]:
        """UTC span fully covered by the evaluation dates in every zone (±14 h offsets)."""
        midnight = datetime.combine(self.start.date(), time(0), tzinfo=UTC)
        return midnight - _DAY, midnight + timedelta(days=self.days + 2)


class DefaultWindow(NamedTuple):
    """The window of a record without any zone: start and end local times in `zone`."""

    start: time = time(14, 0)
    end: time = time(20, 0)
    zone: str = "America/New_York"


# --------------------------------------------------------------------------- campaign hours


def _minutes(value: time) -> int:
    return value.hour * 60 + value.minute


def _campaign_day(value: object, key: str) -> str:
    text = "" if value is None else str(value).strip()
    if text == "":
        # No campaign restriction configured: the law still bounds the day.
        return "00:00-24:00"
    if text.lower() == "closed":
        return "closed"
    parts = text.split("-")
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = (parse_clock_time(p) for p in parts)
    except ValueError:
        raise CxError(f'{text!r} is not "HH:MM-HH:MM" or "closed"', field=key) from None
    if start >= end:
        raise CxError(f"{text!r}: the end is not after the start", field=key)
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _blackout_dates(value: object) -> list[date]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple | set) else str(value).split(",")
    out: set[date] = set()
    for item in items:
        if isinstance(item, date):
            out.add(item)
            continue
        text = str(item).strip()
        if not text:
            continue
        try:
            out.add(date.fromisoformat(text))
        except ValueError:
            raise CxError(
                f"{text!r} is not an ISO date YYYY-MM-DD", field="blackout_dates"
            ) from None
    return sorted(out)


def campaign_hours_spec(hours: Mapping[str, object]) -> str:
    """Canonical text of a list's campaign hours, e.g. 'mon=09:00-20:00 … sun=closed blackout='.

    A missing or empty day means the campaign does not restrict that day (the law still does).
    """
    days = [f"{key[-3:]}={_campaign_day(hours.get(key), key)}" for key in DAY_KEYS]
    blackout = ",".join(d.isoformat() for d in _blackout_dates(hours.get("blackout_dates")))
    return " ".join([*days, f"blackout={blackout}"])


def _stable_hash(texts: pl.Series) -> pl.Series:
    """64-bit BLAKE2b of each distinct text: stable across runs and library versions."""
    distinct = texts.unique().drop_nulls()
    digests = [
        int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "big") for t in distinct
    ]
    return texts.replace_strict(
        distinct, pl.Series(digests, dtype=pl.UInt64), default=None, return_dtype=pl.UInt64
    )


def window_keys(records: pl.LazyFrame, hours: Mapping[str, object]) -> pl.LazyFrame:
    """Add `campaign_hours` (canonical text) and `window_key` (u64) to records.

    The key hashes the sorted distinct `tz_candidates`, the sorted distinct `states` and the
    campaign hours, so records that must share windows share a key.
    """
    spec = campaign_hours_spec(hours)
    zones_text = pl.col("tz_candidates").list.unique().list.sort().list.join(",").fill_null("")
    states_text = pl.col("states").list.unique().list.sort().list.join(",").fill_null("")
    key_text = pl.concat_str([zones_text, states_text, pl.lit(spec)], separator="|")
    return records.with_columns(campaign_hours=pl.lit(spec)).with_columns(
        # Whole-column batches: one pass over the distinct keys instead of one per morsel.
        window_key=key_text.map_batches(_stable_hash, return_dtype=pl.UInt64)
    )


# --------------------------------------------------------------------------- zone arithmetic


@cache
def _known_zone(name: str) -> bool:
    return valid_zone(name)


def _check_zone(zone: object, field: str) -> str:
    if not isinstance(zone, str) or not _known_zone(zone):
        raise CxError(f"unknown time zone {zone!r}", field=field)
    return zone


def _resolved_utc(zone: str, *, latest: bool) -> pl.Expr:
    """UTC instant of naive local `naive` in `zone`; for a gap or an overlap, the later/earlier one.

    The two readings are the wall time under the offset a day before and a day after; a reading
    is valid when it maps back to the same wall time. Ordinary times have one valid reading, an
    overlap two (pick per `latest`), a gap none (pick per `latest` among the two offsets).
    """
    naive = pl.col("naive")
    x = naive.dt.replace_time_zone("UTC")

    def wall(t: pl.Expr) -> pl.Expr:
        return t.dt.convert_time_zone(zone).dt.replace_time_zone(None)

    def offset(t: pl.Expr) -> pl.Expr:
        return wall(t) - t.dt.replace_time_zone(None)

    c1 = x - offset(x - pl.duration(days=1))
    c2 = x - offset(x + pl.duration(days=1))
    v1, v2 = wall(c1) == naive, wall(c2) == naive
    pick = pl.max_horizontal(c1, c2) if latest else pl.min_horizontal(c1, c2)
    return pl.when(v1 & v2).then(pick).when(v1).then(c1).when(v2).then(c2).otherwise(pick)


def _per_zone(
    build: Callable[[str], pl.Expr], dtype: pl.DataType, field: str
) -> Callable[[pl.Series], pl.Series]:
    """Make a batch function that evaluates `build(zone)` once per distinct zone of a batch."""

    def run(batch: pl.Series) -> pl.Series:
        frame = batch.struct.unnest().with_row_index("_i")
        parts = [
            part.select("_i", build(_check_zone(zone, field)).cast(dtype).alias("_out"))
            for (zone,), part in frame.group_by("zone")
        ]
        if not parts:
            return pl.Series(batch.name, [], dtype=dtype)
        return pl.concat(parts).sort("_i")["_out"].alias(batch.name)

    return run


def _local_to_utc(naive: pl.Expr, zone: pl.Expr, *, latest: bool, field: str) -> pl.Expr:
    return pl.struct(naive.alias("naive"), zone.alias("zone")).map_batches(
        _per_zone(lambda z: _resolved_utc(z, latest=latest), UTC_TS, field),
        return_dtype=UTC_TS,
        is_elementwise=True,
    )


def _utc_to_local(instant: pl.Expr, zone: pl.Expr, *, field: str) -> pl.Expr:
    return pl.struct(instant.alias("instant"), zone.alias("zone")).map_batches(
        _per_zone(
            lambda z: pl.col("instant").dt.convert_time_zone(z).dt.replace_time_zone(None),
            _NAIVE,
            field,
        ),
        return_dtype=_NAIVE,
        is_elementwise=True,
    )


# --------------------------------------------------------------------------- windows


def _margin(stop_margin: int | timedelta) -> timedelta:
    margin = stop_margin if isinstance(stop_margin, timedelta) else timedelta(minutes=stop_margin)
    if margin < timedelta(0):
        raise CxError("must not be negative", field="stop_margin_minutes")
    return margin


def _instances(
    keys: pl.LazyFrame,
    rules: pl.DataFrame,
    horizon: Horizon,
    default_window: DefaultWindow,
    holidays: pl.DataFrame | None,
) -> pl.LazyFrame:
    """One row per (key, constraint, zone, local date): allowed minutes, or nulls = whole day."""
    dates = horizon.evaluation_dates()
    dates_lf = pl.LazyFrame({"date": dates}, schema={"date": pl.Date}).with_columns(
        weekday=pl.col("date").dt.weekday().cast(pl.Int8)
    )
    in_force = (pl.col("effective_from") <= pl.col("date")) & (
        pl.col("effective_to").is_null() | (pl.col("date") < pl.col("effective_to"))
    )
    has_zone = pl.col("tz_candidates").list.len().fill_null(0) > 0
    key_zones = (
        keys.filter(has_zone)
        .select("window_key", zone=pl.col("tz_candidates"))
        .explode("zone")
        .drop_nulls("zone")
        .unique()
    )
    zoneless = keys.filter(~has_zone).select("window_key")
    key_zones = pl.concat([key_zones, zoneless.with_columns(zone=pl.lit(default_window.zone))])
    key_juris = pl.concat(
        [
            keys.select("window_key", jurisdiction=pl.lit("US")),
            keys.select("window_key", jurisdiction=pl.col("states"))
            .explode("jurisdiction")
            .drop_nulls("jurisdiction"),
        ]
    ).unique()

    def placed(frame: pl.LazyFrame) -> pl.LazyFrame:
        # A 'local' rule holds in each candidate zone; a fixed clock holds in that clock only.
        local = frame.filter(pl.col("clock") == "local").join(key_zones, on="window_key")
        fixed = frame.filter(pl.col("clock") != "local").with_columns(zone=pl.col("clock"))
        return pl.concat([local, fixed], how="diagonal")

    is_federal = pl.col("jurisdiction") == "US"
    law = placed(
        key_juris.join(
            rule_days(rules).lazy().join(dates_lf, on="weekday").filter(in_force),
            on="jurisdiction",
        )
    ).with_columns(
        label=pl.when(is_federal)
        .then(pl.lit("federal"))
        .otherwise("state:" + pl.col("jurisdiction")),
        prio=pl.when(is_federal).then(_PRIO_FEDERAL).otherwise(_PRIO_STATE),
    )

    versions = rules.group_by("jurisdiction", "effective_from").agg(
        pl.col("effective_to").first(), pl.col("holiday_ban").any(), pl.col("clock").first()
    )
    banning = versions.filter(pl.col("holiday_ban"))
    if holidays is None:
        holidays = state_holidays(banning["jurisdiction"].unique(), dates[0], dates[-1])
    holiday_days = (
        holidays.lazy()
        .select("jurisdiction", "date")
        .join(banning.lazy(), on="jurisdiction")
        .filter(in_force)
        .select("jurisdiction", "date", "clock")
        .unique()
    )
    holiday = placed(key_juris.join(holiday_days, on="jurisdiction")).with_columns(
        start_min=pl.lit(None, pl.Int64),
        end_min=pl.lit(None, pl.Int64),
        label="holiday:" + pl.col("jurisdiction"),
        prio=pl.lit(_PRIO_STATE),
    )

    value = pl.col("tok").str.split_exact("=", 1).struct.field("field_1")
    open_day = value != "closed"

    def clock_part(offset: int) -> pl.Expr:
        hh = value.str.slice(offset, 2).cast(pl.Int64, strict=False)
        mm = value.str.slice(offset + 3, 2).cast(pl.Int64, strict=False)
        return pl.when(open_day).then(hh * 60 + mm)

    campaign = (
        keys.select(
            "window_key",
            tok=pl.col("campaign_hours").str.split(" ").list.head(7),
            weekday=pl.int_ranges(1, 8, dtype=pl.Int8),
        )
        .explode(["tok", "weekday"])
        .with_columns(start_min=clock_part(0), end_min=clock_part(6))
        # An unrestricted day forbids nothing; a closed day (nulls) forbids all of it.
        .filter(~(pl.col("start_min").eq_missing(0) & pl.col("end_min").eq_missing(24 * 60)))
        .join(dates_lf, on="weekday")
        .join(key_zones, on="window_key")
        .with_columns(label=pl.lit("campaign"), prio=pl.lit(_PRIO_CAMPAIGN))
    )
    blackout = (
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
        .join(dates_lf.select("date"), on="date")
        .join(key_zones, on="window_key")
        .with_columns(
            start_min=pl.lit(None, pl.Int64),
            end_min=pl.lit(None, pl.Int64),
            label=pl.lit("blackout"),
            prio=pl.lit(_PRIO_CAMPAIGN),
        )
    )
    default = zoneless.join(dates_lf.select("date"), how="cross").with_columns(
        zone=pl.lit(default_window.zone),
        start_min=pl.lit(_minutes(default_window.start), pl.Int64),
        end_min=pl.lit(_minutes(default_window.end) or 24 * 60, pl.Int64),
        label=pl.lit("default_window"),
        prio=pl.lit(_PRIO_DEFAULT),
    )
    columns = {
        "window_key": pl.UInt64,
        "zone": pl.String,
        "date": pl.Date,
        "start_min": pl.Int64,
        "end_min": pl.Int64,
        "label": pl.String,
        "prio": pl.Int8,
    }
    return pl.concat(
        [
            part.select([pl.col(c).cast(t) for c, t in columns.items()])
            for part in (law, holiday, campaign, blackout, default)
        ]
    )


def _forbidden(instances: pl.LazyFrame) -> pl.LazyFrame:
    """Forbidden UTC intervals [f_start, f_end) of each instance, on the safe side of DST."""
    day0 = pl.col("date").cast(_NAIVE)
    day1 = day0 + pl.duration(days=1)
    whole_day = pl.col("start_min").is_null()
    heads = instances.filter(whole_day | (pl.col("start_min") > 0)).select(
        "window_key",
        "zone",
        "label",
        "prio",
        a=day0,
        b=pl.when(whole_day).then(day1).otherwise(day0 + pl.duration(minutes=pl.col("start_min"))),
    )
    tails = instances.filter(~whole_day & (pl.col("end_min") < 24 * 60)).select(
        "window_key",
        "zone",
        "label",
        "prio",
        a=day0 + pl.duration(minutes=pl.col("end_min")),
        b=day1,
    )
    zone = pl.col("zone")
    return (
        pl.concat([heads, tails])
        .with_columns(
            f_start=_local_to_utc(pl.col("a"), zone, latest=False, field="tz_candidates"),
            f_end=_local_to_utc(pl.col("b"), zone, latest=True, field="tz_candidates"),
        )
        .filter(pl.col("f_end") > pl.col("f_start"))
        .select("window_key", "label", "prio", "f_start", "f_end")
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
    fallback = DefaultWindow(*default_window)
    _check_zone(fallback.zone, "default_window_zone")
    if _minutes(fallback.start) >= (_minutes(fallback.end) or 24 * 60):
        raise CxError("the end is not after the start", field="default_window_end")
    needed = {"window_key", "tz_candidates", "states", "campaign_hours"}
    missing = needed - set(keys.collect_schema().names())
    if missing:
        raise CxError(f"missing columns {sorted(missing)} (run window_keys first)", field="keys")
    rules_df = rules.collect() if isinstance(rules, pl.LazyFrame) else rules
    rules_df = with_version_ends(rules_df)
    holiday_df = holidays.collect() if isinstance(holidays, pl.LazyFrame) else holidays

    # Keys are few (tens to thousands) but read by several branches below: distil them from
    # the records once instead of letting every branch scan all records again.
    key_rows = (
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
    forbidden = _forbidden(_instances(key_rows, rules_df, horizon, fallback, holiday_df))

    # The evaluated dates cover `coverage` in every zone; outside it nothing is known, so it is
    # forbidden too (windows cut there are named 'horizon' and lie outside the horizon anyway).
    cov_start, cov_end = horizon.coverage()
    sentinels = pl.concat(
        [
            key_rows.select(
                "window_key",
                label=pl.lit("horizon"),
                prio=pl.lit(_PRIO_HORIZON, pl.Int8),
                f_start=pl.lit(a, UTC_TS),
                f_end=pl.lit(b, UTC_TS),
            )
            for a, b in ((cov_start - _DAY, cov_start), (cov_end, cov_end + _DAY))
        ]
    )
    intervals = pl.concat([forbidden, sentinels])
    events = intervals.select(
        "window_key",
        "label",
        "prio",
        t=pl.concat_list("f_start", "f_end"),
        is_end=pl.lit(pl.Series([[False, True]])),
    ).explode("t", "is_end")
    # At one instant: starts before ends (touching forbidden intervals leave no empty window);
    # among starts the highest priority first, among ends the highest last, so the rule named
    # on either side of a window is the most specific one that bounds it there.
    order = pl.when(pl.col("is_end")).then(pl.col("prio")).otherwise(-pl.col("prio"))
    delta = pl.when(pl.col("is_end")).then(-1).otherwise(1)
    end_rule = pl.col("next_label")
    if margin > timedelta(0):
        end_rule = "stop_margin:" + end_rule
    windows = (
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
        .with_columns(rule=pl.concat_str("start_rule", pl.lit(".."), "end_rule"))
        .sort("window_key", "window_start_utc")
    )
    return windows.cast(_WINDOW_SCHEMA)


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
    _check_zone(default_zone, "default_window_zone")
    zone = pl.col("tz_name").fill_null(default_zone)
    local_start = pl.col("_ls")
    local_end = pl.col("_le")

    def seconds(t: pl.Expr) -> pl.Expr:
        return (
            t.dt.hour().cast(pl.Int64) * 3600
            + t.dt.minute().cast(pl.Int64) * 60
            + t.dt.second().cast(pl.Int64)
        )

    per_pair = (
        records_with_keys.select("window_key", "tz_name")
        .unique()
        .join(windows.select("window_key", "window_start_utc", "window_end_utc"), on="window_key")
        .with_columns(
            _ls=_utc_to_local(pl.col("window_start_utc"), zone, field="tz_name"),
            _le=_utc_to_local(pl.col("window_end_utc"), zone, field="tz_name"),
            _first=_utc_to_local(pl.lit(horizon.start, UTC_TS), zone, field="tz_name").dt.date(),
        )
        .with_columns(_day=local_start.dt.date())
        .filter(pl.col("_day") >= pl.col("_first"))
        .filter(pl.col("_day") == pl.col("_day").min().over("window_key", "tz_name"))
        .with_columns(_len=pl.col("window_end_utc") - pl.col("window_start_utc"))
        .sort("window_key", "tz_name", "_len", "window_start_utc", nulls_last=True)
        .group_by("window_key", "tz_name", maintain_order=True)
        .first()
        .select(
            "window_key",
            "tz_name",
            daily_from=seconds(local_start),
            daily_till=pl.when(local_end.dt.date() > pl.col("_day"))
            .then(pl.lit(86400, pl.Int64))
            .otherwise(seconds(local_end)),
        )
    )
    return (
        records_with_keys.select("record_id", "window_key", "tz_name")
        .join(per_pair, on=["window_key", "tz_name"], how="left", nulls_equal=True)
        .select(
            "record_id",
            pl.col("daily_from").fill_null(0),
            pl.col("daily_till").fill_null(0),
        )
    )


def attempt_cap_holds(
    call_results: pl.LazyFrame,
    records: pl.LazyFrame,
    rules: pl.LazyFrame | pl.DataFrame,
    as_of: datetime,
) -> pl.LazyFrame:
    """Chains at an attempt cap: list_name, chain_id, hold_until_utc, rule ('attempt_cap:FL').

    A chain is capped when any of its records' `states` has a rule with `max_attempts` in force
    on `as_of`; its calls (all numbers) at or before `as_of` within the rolling window count.
    At the cap, the hold lasts until the oldest call that keeps it there leaves the window; with
    several caps the latest hold wins.
    """
    if as_of.tzinfo is None:
        raise CxError("needs a UTC offset", field="as_of")
    moment = as_of.astimezone(UTC)
    day = moment.date()
    rules_df = with_version_ends(rules.collect() if isinstance(rules, pl.LazyFrame) else rules)
    caps = (
        rules_df.filter(
            pl.col("max_attempts").is_not_null()
            & (pl.col("effective_from") <= day)
            & (pl.col("effective_to").is_null() | (pl.lit(day) < pl.col("effective_to")))
        )
        .group_by("jurisdiction")
        .agg(
            pl.col("max_attempts").min().cast(pl.Int64),
            pl.col("attempt_window_hours").max().cast(pl.Int64),
        )
    )
    chain_caps = (
        records.select("list_name", "chain_id", jurisdiction=pl.col("states"))
        .explode("jurisdiction")
        .join(caps.lazy(), on="jurisdiction")
        .unique()
    )
    calls = call_results.select(
        "list_name", "chain_id", pl.col("call_time_utc").cast(UTC_TS)
    ).filter(pl.col("call_time_utc") <= moment)
    group = ["list_name", "chain_id", "jurisdiction"]
    return (
        chain_caps.join(calls, on=["list_name", "chain_id"])
        .filter(
            pl.col("call_time_utc")
            > pl.lit(moment, UTC_TS) - pl.duration(hours=pl.col("attempt_window_hours"))
        )
        .with_columns(
            _rank=pl.col("call_time_utc")
            .rank("ordinal", descending=True)
            .over(group)
            .cast(pl.Int64)
        )
        .filter(pl.col("_rank") == pl.col("max_attempts"))
        .select(
            "list_name",
            "chain_id",
            hold_until_utc=pl.col("call_time_utc")
            + pl.duration(hours=pl.col("attempt_window_hours")),
            rule="attempt_cap:" + pl.col("jurisdiction"),
        )
        .sort(
            ["list_name", "chain_id", "hold_until_utc", "rule"],
            descending=[False, False, True, False],
        )
        .group_by("list_name", "chain_id", maintain_order=True)
        .first()
    )
