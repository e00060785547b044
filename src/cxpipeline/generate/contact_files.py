"""Write contact lists of any size to one CSV or Parquet file, chunk by chunk."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Literal

import polars as pl

from cxpipeline import io
from cxpipeline.generate.columns import Region
from cxpipeline.generate.customers import synthetic_customers


def _chunks(
    starts: Sequence[int], end: int, chunk_rows: int, seed: int, region: Region | None
) -> Iterator[pl.DataFrame]:
    """Yield the customers of each chunk in turn, so only one chunk is in memory at a time."""
    for first in starts:
        yield synthetic_customers(
            min(chunk_rows, end - first), seed, start_client_id=first, region=region
        ).collect()


def write_contact_list(
    path: Path | str,
    n: int,
    seed: int = 42,
    *,
    start_client_id: int = 1,
    chunk_rows: int = 1_000_000,
    fmt: Literal["csv", "parquet"] = "csv",
    region: Region | None = None,
) -> Path:
    """Write n synthetic customers to one CSV or Parquet file, chunk by chunk (bounded memory).

    Chunk k holds customers start_client_id + k * chunk_rows onward, so the file depends on
    chunk_rows only through where duplicate rows and shared numbers can reach.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    target = Path(path)
    starts = range(start_client_id, start_client_id + n, chunk_rows) if n else [start_client_id]
    chunks = _chunks(starts, start_client_id + n, chunk_rows, seed, region)
    if fmt == "parquet":
        return io.write_parquet_slices(chunks, target)  # a row group per chunk, zstd
    return io.write_csv_slices(chunks, target)  # one header, a chunk at a time
