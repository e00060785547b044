"""Local wall time ↔ UTC in named zones, vectorised per distinct zone, safe across DST switches."""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import polars as pl

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
            part.select("_i", build(check_zone(zone, field)).cast(dtype).alias("_out"))
            for (zone,), part in frame.group_by("zone")
        ]
        if not parts:
            return pl.Series(batch.name, [], dtype=dtype)
        return pl.concat(parts).sort("_i")["_out"].alias(batch.name)

    return run


def local_to_utc(naive: pl.Expr, zone: pl.Expr, *, latest: bool, field: str) -> pl.Expr:
    """Return UTC instants of naive local times in per-row zones, DST gaps/overlaps per `latest`."""
    return pl.struct(naive.alias("naive"), zone.alias("zone")).map_batches(
        _per_zone(lambda z: _resolved_utc(z, latest=latest), UTC_TS, field),
        return_dtype=UTC_TS,
        is_elementwise=True,
    )


def utc_to_local(instant: pl.Expr, zone: pl.Expr, *, field: str) -> pl.Expr:
    """Return the naive local wall time of UTC instants in per-row zones."""
    return pl.struct(instant.alias("instant"), zone.alias("zone")).map_batches(
        _per_zone(
            lambda z: pl.col("instant").dt.convert_time_zone(z).dt.replace_time_zone(None),
            NAIVE,
            field,
        ),
        return_dtype=NAIVE,
        is_elementwise=True,
    )
