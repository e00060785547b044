"""Atomic, owner-only writes: every output is a temporary file renamed onto its target."""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterable, Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import TYPE_CHECKING, Final, TypeVar

import polars as pl
from polars._typing import ParquetCompression

if TYPE_CHECKING:
    import pyarrow as pa

T = TypeVar("T")


@contextlib.contextmanager
def atomic_path(target: Path | str) -> Iterator[Path]:
    """Yield a temporary path beside `target`; rename it onto `target` only on success.

    The temporary file lives in the same folder so the final `os.replace` is atomic on
    POSIX: readers see the old file or the new one, never half of one.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp", dir=target.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        yield tmp
        # Outputs hold personal data: owner-only, whatever the writer or the umask did.
        if tmp.exists():
            tmp.chmod(0o600)
        tmp.replace(target)
    finally:
        if tmp.exists():
            tmp.unlink()


#: Compression of files a run writes for itself and removes (staged chunks, partitions):
#: lz4 writes them in ~0.6x the time of zstd and reads them back faster; they are never kept.
STAGING_COMPRESSION: Final = "lz4"


def write_parquet(
    frame: pl.LazyFrame | pl.DataFrame,
    target: Path | str,
    *,
    row_group_size: int | None = None,
    compression: ParquetCompression = "zstd",
    ordered: bool = True,
    statistics: bool = True,
) -> Path:
    """Write a frame to Parquet atomically, streaming a LazyFrame without collecting it.

    `row_group_size` (rows) keeps row groups small where readers filter by range. `ordered`
    False lets a streamed frame's rows land in any order: Polars then writes each batch as
    it is ready instead of holding those that overtook a slow one (on a 9.4 M-row results
    file: 0.5 GiB every run, against 0.44 to 1.5 GiB from run to run in order).
    `statistics` False leaves out the row groups' min/max, which only a reader filtering by
    value uses to skip them.
    """
    target = Path(target)
    with atomic_path(target) as tmp:
        if isinstance(frame, pl.LazyFrame):
            frame.sink_parquet(
                tmp,
                engine="streaming",
                row_group_size=row_group_size,
                compression=compression,
                maintain_order=ordered,
                statistics=statistics,
            )
        else:
            frame.write_parquet(
                tmp, row_group_size=row_group_size, compression=compression, statistics=statistics
            )
    return target


def write_staged(
    frame: pl.LazyFrame | pl.DataFrame,
    target: Path | str,
    *,
    row_group_size: int | None = None,
    ordered: bool = True,
) -> Path:
    """Write a run's own temporary Parquet file (removed with its staging folder), fast.

    Without row-group statistics: a run reads its staged files whole, by row offsets or
    through DuckDB, never skipping row groups by value, and Polars' min/max of every column
    is about a third of the write (a 93,000-record part of 84 columns: 0.157 -> 0.109 s).
    """
    return write_parquet(
        frame,
        target,
        row_group_size=row_group_size,
        compression=STAGING_COMPRESSION,
        ordered=ordered,
        statistics=False,
    )


#: Dictionary page size of the slice writer, in bytes (pyarrow's default is 1 MiB).
DICTIONARY_PAGE_BYTES = 64 * 1024


def write_parquet_slices(
    slices: Iterable[pl.LazyFrame | pl.DataFrame],
    target: Path | str,
    *,
    row_group_size: int | None = None,
    compression: ParquetCompression = "zstd",
) -> Path:
    """Write frames (same schema) one after the other into one Parquet file, atomically.

    Only one slice is in memory at a time (a LazyFrame is collected when its turn comes): the
    file can be larger than memory. Each slice is a row group of its own, or several of at
    most `row_group_size` rows (None: pyarrow's default, about a million).
    """
    # Imported here: pyarrow.parquet costs every command ~30 MiB and a tenth of a second to
    # load, and only multi-partition commits and generated Parquet lists write slices.
    import pyarrow.parquet as pq

    target = Path(target)
    with atomic_path(target) as tmp:
        writer: pq.ParquetWriter | None = None
        try:
            for table in _tables_ahead(slices):
                if writer is None:
                    # A small dictionary page: a column of many distinct values (numbers,
                    # names) falls back to plain encoding early instead of building a large
                    # dictionary first; faster (0.6 -> 0.44 s for 186,607 records) and smaller.
                    writer = pq.ParquetWriter(
                        tmp,
                        table.schema,
                        compression=compression,
                        dictionary_pagesize_limit=DICTIONARY_PAGE_BYTES,
                        write_statistics=_statistics_columns(table.schema),
                    )
                writer.write_table(table, row_group_size=row_group_size)
        finally:
            if writer is not None:
                writer.close()
        if writer is None:
            raise ValueError(f"no slices to write to {target.name}")
    return target


def write_ipc_buckets(
    frames: Iterable[pl.DataFrame], targets: Sequence[Path], bucket: str
) -> list[Path]:
    """Deal the rows of `frames` into one staged Arrow IPC file per bucket, atomically.

    A row goes to `targets[row[bucket]]` (an integer column in [0, len(targets)), not
    written), in the frames' order: each frame adds one record batch to each file it has rows
    for, so memory holds one frame however large the files grow. A file no row reached holds
    the schema alone. lz4-compressed, read with `pl.scan_ipc`.

    Arrow IPC, not Parquet: an open Parquet writer holds ~12.6 KiB of metadata per row group
    until it closes, and a deal writes one per frame and file (93.6 M results in 64 files:
    22,900 row groups, the dealing's peak 843 MiB against 485 as IPC, 52 -> 33 s; the files
    are twice as large and a pass reads its own ~0.06 s slower, 375 passes at 5M).
    """
    # Imported here for the reason `write_parquet_slices` gives.
    import pyarrow.ipc

    options = pyarrow.ipc.IpcWriteOptions(compression=STAGING_COMPRESSION)
    with contextlib.ExitStack() as stack:
        temps = [stack.enter_context(atomic_path(target)) for target in targets]
        writers: dict[int, pyarrow.ipc.RecordBatchFileWriter] = {}
        schema: pa.Schema | None = None

        def writer(index: int, schema: pa.Schema) -> pyarrow.ipc.RecordBatchFileWriter:
            if index not in writers:
                opened = pyarrow.ipc.new_file(str(temps[index]), schema, options=options)
                writers[index] = stack.enter_context(opened)
            return writers[index]

        for frame in frames:
            # Sorted by bucket, each bucket's rows are one zero-copy slice of one Arrow
            # table: cheaper than splitting the frame (0.11 s per 524,288 rows into 64).
            ordered = frame.sort(bucket)
            counts = ordered.get_column(bucket).value_counts(sort=False).sort(bucket)
            rows = ordered.drop(bucket).to_arrow()
            schema = schema or rows.schema
            start = 0
            for index, count in counts.iter_rows():
                writer(index, schema).write_table(rows.slice(start, count).cast(schema))
                start += count
        if schema is None:
            raise ValueError(f"no frames to write to {targets[0].parent}")
        for index in range(len(targets)):
            writer(index, schema)  # a bucket no row reached: the schema alone
    return list(targets)


def made_ahead(items: Iterable[T]) -> Iterator[T]:
    """Yield `items`, making the next one on a worker thread while the caller uses this one.

    For slices read, laid out or converted (DuckDB, Polars and pyarrow release the GIL) while
    the last one is written: two are held at most. An error making an item is raised where
    it is taken.
    """
    end = object()
    iterator = iter(items)
    with ThreadPoolExecutor(max_workers=1) as pool:
        pending = pool.submit(next, iterator, end)
        while (item := pending.result()) is not end:
            pending = pool.submit(next, iterator, end)
            yield item  # type: ignore[misc]


def _tables_ahead(slices: Iterable[pl.LazyFrame | pl.DataFrame]) -> Iterator[pa.Table]:
    """Yield the slices as Arrow tables, collecting the next one while the caller writes.

    pyarrow encodes a table on one core and Polars collects on the others (both release the
    GIL): overlapped, the 931,431 records of the 500k list merge in 1.95 s instead of 2.85 s.
    Two slices are held at most; a generator's own work (an export's reads) runs ahead too.
    """

    def arrow(frame: pl.LazyFrame | pl.DataFrame) -> pa.Table:
        return (frame.collect() if isinstance(frame, pl.LazyFrame) else frame).to_arrow()

    return made_ahead(arrow(frame) for frame in slices)


def _statistics_columns(schema: pa.Schema) -> list[str]:
    """Columns whose row-group statistics are written: all but text and lists of text.

    Min/max of text costs a fifth of the encoding (931,431 records of 84 columns: 1.9 ->
    1.55 s) and prunes nothing in files sorted by id, where every row group spans the
    alphabet; ids, counts and times keep theirs, which readers filter on.
    """
    import pyarrow as pa

    def textual(kind: pa.DataType) -> bool:
        while pa.types.is_list(kind) or pa.types.is_large_list(kind):
            kind = kind.value_type
        return pa.types.is_string(kind) or pa.types.is_large_string(kind)

    return [field.name for field in schema if not textual(field.type)]


def write_csv(frame: pl.DataFrame, target: Path | str, *, separator: str = ",") -> Path:
    """Write a frame to CSV atomically (callers protect cells against formula injection)."""
    target = Path(target)
    with atomic_path(target) as tmp:
        frame.write_csv(tmp, separator=separator)
    return target


def write_csv_slices(
    slices: Iterable[pl.LazyFrame | pl.DataFrame], target: Path | str, *, separator: str = ","
) -> Path:
    """Write frames (same columns) one after the other as one CSV file, atomically.

    The header comes from the first; one slice is in memory at a time (a LazyFrame is
    collected when its turn comes), so the file can be larger than memory.
    """
    target = Path(target)
    with atomic_path(target) as tmp, tmp.open("wb") as out:
        for index, frame in enumerate(slices):
            eager = frame.collect() if isinstance(frame, pl.LazyFrame) else frame
            eager.write_csv(out, separator=separator, include_header=index == 0)
    return target


def write_text(text: str, target: Path | str) -> Path:
    """Write a text file (UTF-8) atomically."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding="utf-8")
    return target


def write_bytes(data: bytes, target: Path | str) -> Path:
    """Write a binary file atomically."""
    target = Path(target)
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return target
