"""Parquet: lazy scans of the pipeline's own files, and Parquet inputs read as text."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Final

import polars as pl

from cxpipeline.errors import InputError
from cxpipeline.io.table import RawTable
from cxpipeline.rejects import empty_rejects

if TYPE_CHECKING:
    import pyarrow as pa

#: Rows of a Parquet input decoded at a time when it is read in batches (`RawTable.batches`).
BATCH_ROWS: Final = 131_072


def read_parquet(path: Path | str) -> pl.LazyFrame:
    """Scan a Parquet file or glob lazily."""
    return pl.scan_parquet(path)


def read_parquet_input(path: Path) -> RawTable:
    """Scan a Parquet file with every column cast to text (nested columns are refused).

    Scanned, not read: consumers slice or stream it (a results file of 8.5 M rows held
    1.2 GiB read whole). Its footer (schema, row count) is read here, so a truncated or
    foreign file is reported in one line before anything runs. A whole pass over the rows
    reads them in batches (`RawTable.batches`, see `text_batches`).
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
    return RawTable(
        frame=_as_text(scan, list(schema), first_row=1),
        rejects=empty_rejects(),
        rows_read=rows,
        detected={"format": "parquet", "columns": len(schema)},
        batches=partial(text_batches, path),
    )


def text_batches(path: Path, rows: int | None = None) -> Iterator[pl.DataFrame]:
    """Yield a Parquet file's rows as text, `rows` (default `BATCH_ROWS`) at a time, in order.

    Rows are numbered from 1 as the scan numbers them. pyarrow decodes a batch at a time,
    within a row group; Polars' scan decodes whole row groups, and writers' defaults differ
    (pyarrow and pandas ~1M rows, Spark 128 MB, some one group per file): a 9.4 M-row results
    file typed in one stream peaked at 1.1 GiB in ~1M-row groups and 1.6 GiB in one, against
    0.4-0.5 GiB in batches of 131,072, about 1-2 s slower.
    """
    # Imported here: pyarrow.parquet costs every command ~30 MiB and a tenth of a second to
    # load, and only Parquet inputs are read this way.
    import pyarrow.parquet as pq

    first_row = 1
    # Extension types (UUID, JSON) as their storage, as Polars' scan reads them.
    with pq.ParquetFile(path, pre_buffer=False, arrow_extensions_enabled=False) as file:
        names = file.schema_arrow.names
        # A file without rows has no batch: one empty batch keeps its columns for the passes.
        batches: Iterable[pa.RecordBatch | pa.Table] = (
            file.iter_batches(batch_size=rows or BATCH_ROWS)
            if file.metadata.num_rows
            else [file.schema_arrow.empty_table()]
        )
        for batch in batches:
            frame = pl.DataFrame(pl.from_arrow(batch))
            try:
                text = _as_text(frame.lazy(), names, first_row=first_row).collect()
            except pl.exceptions.ComputeError:
                _refuse_bytes(frame, str(path), first_row)
                raise
            yield text
            first_row += frame.height


def _refuse_bytes(frame: pl.DataFrame, name: str, first_row: int) -> None:
    """Raise a one-line error naming the row and column of bytes that are not UTF-8 text.

    Some writers store text as plain binary (no UTF-8 annotation): that casts to text. Other
    bytes (a UUID, an image) have no text to keep, and fail the cast that `text_batches` makes.
    """
    for column, dtype in frame.schema.items():
        if dtype != pl.Binary:
            continue
        # Only on the way to refusing the file: the row is found value by value.
        values = frame.get_column(column)
        row = next((i for i, v in enumerate(values) if v is not None and not _is_text(v)), None)
        if row is not None:
            raise InputError(
                "bytes that are not UTF-8 text cannot be read as text",
                file=name,
                row=first_row + row,
                field=column,
            )


def _is_text(value: bytes) -> bool:
    """Whether `value` is UTF-8 text."""
    try:
        value.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return True


def _as_text(rows: pl.LazyFrame, names: list[str], *, first_row: int) -> pl.LazyFrame:
    """Every column cast to text, then `source_row` (the 1-based data row) from `first_row`.

    `read_table` has refused a file with bytes that are not text (`text_batches`, in its
    field check) before any of its rows are used, so the casts of its scan cannot fail.
    """
    return (
        rows.with_columns(pl.all().cast(pl.String))
        .with_row_index("source_row", offset=first_row)
        .select(*names, pl.col("source_row").cast(pl.Int64))
    )
