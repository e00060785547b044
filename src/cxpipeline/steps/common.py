"""Small helpers the steps share: the planning clock, typed effective settings, row counts."""

from __future__ import annotations

import math
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
