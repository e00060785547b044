"""Local wall time ↔ UTC in named zones, on the pinned tzdata release, safe across DST switches.

Conversions go through `cxpipeline.tzdb` (never Polars' or DuckDB's own zone data): one offset
per distinct (zone, day) of a batch, and once per distinct (value, zone) on a day with a DST
transition, joined back to the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from functools import cache, lru_cache
from typing import Any

import polars as pl

from cxpipeline import tzdb
from cxpipeline.errors import CxError
from cxpipeline.rules.model import valid_zone

UTC_TS = pl.Datetime("us", "UTC")
NAIVE = pl.Datetime("us")
_DAY = timedelta(days=1)


@cache
def _known_zone(name: str) -> bool:
    return valid_zone(name)


def check_zone(zone: object, field: str) -> str:
    """Return `zone` if it is a known IANA zone, else raise CxError naming `field`."""
    if not isinstance(zone, str) or not _known_zone(zone):
        raise CxError(f"unknown time zone {zone!r}", field=field)
    return zone


def _to_utc(naive: datetime, zone: str, latest: bool) -> datetime:
    """UTC instant of wall time `naive` in `zone`; in a gap or an overlap the later/earlier one."""
    # fold=0 and fold=1 are the readings under the offsets before and after a transition: equal
    # for an ordinary time, two instants in an overlap, and two candidates across a gap.
    tz = tzdb.zone(zone)
    first = naive.replace(tzinfo=tz, fold=0).astimezone(UTC)
    second = naive.replace(tzinfo=tz, fold=1).astimezone(UTC)
    return max(first, second) if latest else min(first, second)


def _to_local(instant: datetime, zone: str) -> datetime:
    """Naive wall time of the UTC `instant` in `zone`."""
    return instant.astimezone(tzdb.zone(zone)).replace(tzinfo=None)


#: Distinct (day, zone) pairs remembered across batches: a state rebuild converts the same
#: few hundred pairs in every pass of chains. Pure: the tzdata release is pinned.
_DAY_OFFSETS_KEPT = 65_536


@lru_cache(maxsize=_DAY_OFFSETS_KEPT)
def _utc_day_offset(day: datetime, zone: str) -> timedelta | None:
    """Return the one UTC offset of `zone` over the UTC day from naive `day`, else None."""
    tz = tzdb.zone(zone)
    try:
        offsets = {(day + k * _DAY).replace(tzinfo=UTC).astimezone(tz).utcoffset() for k in (0, 1)}
    except OverflowError:
        return None
    return offsets.pop() if len(offsets) == 1 else None


#: A UTC day's one switch in a zone: (naive day, zone) -> (instant, offset before, after) or None.
DaySwitch = Callable[[datetime, str], tuple[datetime, timedelta, timedelta] | None]


@lru_cache(maxsize=_DAY_OFFSETS_KEPT)
def _utc_day_switch(day: datetime, zone: str) -> tuple[datetime, timedelta, timedelta] | None:
    """Return (instant, offset before it, offset from it on) of `zone`'s switch in a UTC day.

    For the UTC day from naive `day` whose start and end offsets differ; found by halving the
    day to the second (the release's transitions fall on whole seconds). None when the offset
    at the instant found is neither end's (more than one switch that day).
    """
    tz = tzdb.zone(zone)

    def offset(seconds: int) -> timedelta | None:
        return (day + timedelta(seconds=seconds)).replace(tzinfo=UTC).astimezone(tz).utcoffset()

    try:
        before, after = offset(0), offset(86_400)
        if before is None or after is None or before == after:
            return None
        low, high = 0, 86_400  # offset(low) is `before`, offset(high) is not
        while high - low > 1:
            middle = (low + high) // 2
            low, high = (middle, high) if offset(middle) == before else (low, middle)
        if offset(high) != after:
            return None
    except OverflowError:
        return None
    return day + timedelta(seconds=high), before, after


@lru_cache(maxsize=_DAY_OFFSETS_KEPT)
def _local_day_offset(day: datetime, zone: str) -> timedelta | None:
    """Return the one UTC offset of `zone` over the local day from naive `day`, else None.

    None when the day has a transition, or starts or ends in a gap or an overlap.
    """
    tz = tzdb.zone(zone)
    try:
        offsets = {
            (day + k * _DAY).replace(tzinfo=tz, fold=f).utcoffset() for k in (0, 1) for f in (0, 1)
        }
    except OverflowError:
        return None
    return offsets.pop() if len(offsets) == 1 else None


def _by_zone_day(
    convert: Callable[[Any, str], datetime],
    day_offset: Callable[[datetime, str], timedelta | None],
    dtype: pl.DataType,
    field: str,
    day_switch: DaySwitch | None = None,
) -> Callable[[pl.Series], pl.Series]:
    """Make a batch function: one offset per distinct (zone, day), per value only on DST days.

    Nearly every day has one UTC offset in a zone, so its values shift by it in one vectorised
    step. On a day with a transition, `day_switch` (UTC days: the instant and the offsets on
    either side) shifts the values before and after it apart; what it cannot split, and
    every local day with a transition, is converted one by one (per distinct pair).
    """
    to_utc = dtype == UTC_TS

    def run(batch: pl.Series) -> pl.Series:
        frame = batch.struct.unnest()
        for zone in frame["zone"].drop_nulls().unique().to_list():
            check_zone(zone, field)
        present = frame["value"].is_not_null() & frame["zone"].is_not_null()
        if present.all():
            return convert_all(frame).alias(batch.name)
        # Only the rows with a value and a zone are converted (often few: times of day are
        # set on some results only); the others stay null.
        out = pl.repeat(None, len(frame), dtype=dtype, eager=True).alias(batch.name)
        if present.any():
            out.scatter(present.arg_true(), convert_all(frame.filter(present)))
        return out

    def convert_all(frame: pl.DataFrame) -> pl.Series:
        # Relabels UTC instants as naive UTC wall time (and back below): no zone rules are
        # read from Polars; every offset comes from the pinned release through `day_offset`.
        naive = pl.col("value").dt.replace_time_zone(None) if not to_utc else pl.col("value")
        frame = frame.with_columns(_naive=naive, _day=naive.dt.truncate("1d"))
        days = frame.select("_day", "zone").drop_nulls().unique()
        # Python per distinct (day, zone), not per row: a few hundred pairs for a whole list.
        offsets = [day_offset(d, z) for d, z in days.iter_rows()]
        days = days.with_columns(_off=pl.Series(offsets, dtype=pl.Duration("us")))
        frame = _with_offsets(frame, days, day_switch)
        shifted = (
            (pl.col("_naive") - pl.col("_off")).dt.replace_time_zone("UTC")
            if to_utc
            else (pl.col("_naive") + pl.col("_off"))
        )
        frame = frame.with_columns(_out=shifted.cast(dtype))
        slow = frame.filter(
            pl.col("_off").is_null() & pl.col("value").is_not_null() & pl.col("zone").is_not_null()
        )
        if slow.height:
            pairs = slow.select("value", "zone").unique()
            # Per distinct value, but only on days with a DST transition in their zone.
            converted = [convert(v, z) for v, z in pairs.iter_rows()]
            lookup = pairs.with_columns(_slow=pl.Series(converted, dtype=dtype))
            frame = frame.join(lookup, on=["value", "zone"], how="left", maintain_order="left")
            frame = frame.with_columns(_out=pl.coalesce("_out", "_slow"))
        return frame["_out"]

    return run


def _with_offsets(
    frame: pl.DataFrame,
    days: pl.DataFrame,
    day_switch: DaySwitch | None,
) -> pl.DataFrame:
    """Join each row its (day, zone) offset `_off`; on a switch day, the one on its side."""
    if day_switch is None:
        return frame.join(days, on=["_day", "zone"], how="left", maintain_order="left")
    days = _with_switches(days, day_switch)
    frame = frame.join(days, on=["_day", "zone"], how="left", maintain_order="left")
    switched = pl.when(pl.col("_naive") < pl.col("_switch")).then("_before")
    return frame.with_columns(_off=pl.coalesce("_off", switched.otherwise("_after"))).drop(
        "_switch", "_before", "_after"
    )


def _with_switches(
    days: pl.DataFrame,
    day_switch: DaySwitch,
) -> pl.DataFrame:
    """Add `_switch`, `_before` and `_after` to the (day, zone) pairs without one offset."""
    # Python per distinct (day, zone) left without one offset: a zone's switch days only.
    found = [
        (day, zone, *switch)
        for day, zone in days.filter(pl.col("_off").is_null()).select("_day", "zone").iter_rows()
        if (switch := day_switch(day, zone)) is not None
    ]
    switches = pl.DataFrame(
        found,
        schema={
            "_day": days.schema["_day"],
            "zone": pl.String,
            "_switch": NAIVE,
            "_before": pl.Duration("us"),
            "_after": pl.Duration("us"),
        },
        orient="row",
    )
    return days.join(switches, on=["_day", "zone"], how="left", maintain_order="left")


def known_or_utc(zone: pl.Expr, known_zones: frozenset[str]) -> pl.Expr:
    """Return the zone where it is one of `known_zones`, else UTC (a missing zone too).

    Statistics report a record without a usable zone in UTC rather than fail the run.
    """
    return pl.when(zone.is_in(sorted(known_zones))).then(zone).otherwise(pl.lit("UTC"))


def local_to_utc(naive: pl.Expr, zone: pl.Expr, *, latest: bool, field: str) -> pl.Expr:
    """Return UTC instants of naive local times in per-row zones, DST gaps/overlaps per `latest`."""
    return pl.struct(naive.cast(NAIVE).alias("value"), zone.alias("zone")).map_batches(
        _by_zone_day(lambda v, z: _to_utc(v, z, latest), _local_day_offset, UTC_TS, field),
        return_dtype=UTC_TS,
        is_elementwise=True,
    )


def utc_to_local(instant: pl.Expr, zone: pl.Expr, *, field: str) -> pl.Expr:
    """Return the naive local wall time of UTC instants in per-row zones."""
    return pl.struct(
        instant.dt.convert_time_zone("UTC").alias("value"), zone.alias("zone")
    ).map_batches(
        _by_zone_day(_to_local, _utc_day_offset, NAIVE, field, _utc_day_switch),
        return_dtype=NAIVE,
        is_elementwise=True,
    )
