"""Small helpers the steps share: the planning clock, typed effective settings, row counts."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl


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
