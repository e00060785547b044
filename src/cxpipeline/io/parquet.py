"""Parquet: lazy scans of the pipeline's own files, and Parquet inputs read as text."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cxpipeline.errors import InputError
from cxpipeline.io.table import RawTable
from cxpipeline.rejects import empty_rejects


def read_parquet(path: Path | str) -> pl.LazyFrame:
    """Scan a Parquet file or glob lazily."""
    return pl.scan_parquet(path)


def read_parquet_input(path: Path) -> RawTable:
    """Read a Parquet file with every column cast to text (nested columns are refused)."""
    name = str(path)
    try:
        frame = pl.read_parquet(path)
    except Exception as exc:  # a truncated or foreign file: report it in one line
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read the Parquet file: {first}", file=name) from None
    nested = [c for c, t in frame.schema.items() if t.is_nested()]
    if nested:
        raise InputError(f"nested column {nested[0]!r} cannot be read as text", file=name)
    frame = frame.with_columns(pl.all().cast(pl.String)).with_columns(
        source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64)
    )
    return RawTable(
        frame=frame.lazy(),
        rejects=empty_rejects(),
        rows_read=frame.height,
        detected={"format": "parquet", "columns": frame.width - 1},
    )
