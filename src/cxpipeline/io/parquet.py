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
    """Scan a Parquet file with every column cast to text (nested columns are refused).

    Scanned, not read: consumers slice or stream it (a results file of 8.5 M rows held
    1.2 GiB read whole). Its footer (schema, row count) is read here, so a truncated or
    foreign file is reported in one line before anything runs.
    """
    name = str(path)
    scan = pl.scan_parquet(path, low_memory=True)
    try:
        schema = scan.collect_schema()
        rows = int(scan.select(pl.len()).collect().item())
    except Exception as exc:  # a truncated or foreign file: report it in one line
        first = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise InputError(f"cannot read the Parquet file: {first}", file=name) from None
    nested = [c for c, t in schema.items() if t.is_nested()]
    if nested:
        raise InputError(f"nested column {nested[0]!r} cannot be read as text", file=name)
    frame = (
        scan.with_columns(pl.all().cast(pl.String))
        .with_row_index("source_row", offset=1)
        .select(*schema, pl.col("source_row").cast(pl.Int64))
    )
    return RawTable(
        frame=frame,
        rejects=empty_rejects(),
        rows_read=rows,
        detected={"format": "parquet", "columns": len(schema)},
    )
