"""Local wall time ↔ UTC in named zones, on the pinned tzdata release, safe across DST switches.

Conversions go through `cxpipeline.tzdb` (never Polars' or DuckDB's own zone data), once per
distinct (value, zone) pair of a batch, joined back to the rows.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import cache
from typing import Any

import polars as pl

from cxpipeline import tzdb
from cxpipeline.errors import CxError
from cxpipeline.rules.model import valid_zone

UTC_TS = pl.Datetime("us", "UTC")
NAIVE = pl.Datetime("us")


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


def _per_distinct(
    convert: Callable[[Any, str], datetime], dtype: pl.DataType, field: str
) -> Callable[[pl.Series], pl.Series]:
    """Make a batch function that converts each distinct (value, zone) pair once and joins back."""

    def run(batch: pl.Series) -> pl.Series:
        frame = batch.struct.unnest()
        for zone in frame["zone"].unique().to_list():
            check_zone(zone, field)
        pairs = frame.drop_nulls().unique()
        converted = [convert(v, z) for v, z in pairs.iter_rows()]
        lookup = pairs.with_columns(_out=pl.Series(converted, dtype=dtype))
        joined = frame.join(lookup, on=["value", "zone"], how="left", maintain_order="left")
        return joined["_out"].alias(batch.name)

    return run


def local_to_utc(naive: pl.Expr, zone: pl.Expr, *, latest: bool, field: str) -> pl.Expr:
    """Return UTC instants of naive local times in per-row zones, DST gaps/overlaps per `latest`."""
    return pl.struct(naive.cast(NAIVE).alias("value"), zone.alias("zone")).map_batches(
        _per_distinct(lambda v, z: _to_utc(v, z, latest), UTC_TS, field),
        return_dtype=UTC_TS,
        is_elementwise=True,
    )


def utc_to_local(instant: pl.Expr, zone: pl.Expr, *, field: str) -> pl.Expr:
    """Return the naive local wall time of UTC instants in per-row zones."""
    return pl.struct(
        instant.dt.convert_time_zone("UTC").alias("value"), zone.alias("zone")
    ).map_batches(
        _per_distinct(_to_local, NAIVE, field),
        return_dtype=NAIVE,
        is_elementwise=True,
    )
