"""Small helpers the steps share: the planning clock, typed settings, row counts and ranges."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator, Sequence
from datetime import UTC, datetime

import duckdb
import polars as pl

from cxpipeline import warehouse
from cxpipeline.transforms import slices


def as_utc(moment: datetime | None) -> datetime:
    """Return an aware UTC datetime (naive input is taken as UTC); default now."""
    if moment is None:
        return datetime.now(UTC).replace(microsecond=0)
    if moment.tzinfo is None:
        return moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


def int_setting(effective: dict[str, object], key: str, default: int) -> int:
    """Return an integer effective setting, or the default when the hierarchy has none."""
    value = effective.get(key)
    return int(value) if isinstance(value, int | float | str) and value != "" else default


def row_count(frame: pl.LazyFrame) -> int:
    """Return how many rows a lazy frame has (a Parquet scan: read from the files' footers)."""
    return int(frame.select(pl.len()).collect().item())


def sorted_cuts(values: pl.Series, bounds: pl.Series, what: str) -> list[int]:
    """Return the offsets in sorted `values` where each bound's range begins (the last: its end).

    A staged part that is not sorted is refused (RuntimeError naming `what`): a binary search
    in it would put rows in the wrong range without a word.
    """
    if not values.is_sorted():
        raise RuntimeError(f"a staged part of {what} is not sorted by {values.name}")
    return values.search_sorted(bounds, side="left").to_list()


def row_ranges(
    scans: Sequence[pl.LazyFrame], cuts: Sequence[Sequence[int]]
) -> Iterator[list[pl.LazyFrame]]:
    """Yield, range by range, the rows of each scan in it (`sorted_cuts` of each scan).

    Scans without a row in the range are left out, so a range's work follows its rows, not
    the number of scans.
    """
    per_scan = [itertools.pairwise(scan_cuts) for scan_cuts in cuts]
    for ranges in zip(*per_scan, strict=True):
        yield [
            scan.slice(lo, hi - lo) for scan, (lo, hi) in zip(scans, ranges, strict=True) if hi > lo
        ]


def chain_slices(
    con: duckdb.DuckDBPyConnection, size: int, low: int, high: int
) -> list[tuple[int, int]]:
    """Cut the chains with ids in [low, high) into ranges of whole chains of ~`size` records.

    Steps that read a list slice by slice (statistics, export) bound their memory so.
    """
    bounds = {"lo": low, "hi": high}
    records = int(warehouse.named_frame(con, "record_count", bounds)["records"][0])
    count = math.ceil(records / size)
    if count <= 1:
        return slices.id_ranges([], low, high)
    fractions = [index / count for index in range(1, count)]
    cuts = warehouse.named_frame(con, "chain_cuts", {"fractions": fractions, **bounds})["cuts"]
    return slices.id_ranges([int(cut) for cut in cuts[0]], low, high)
