"""Query results as text or bytes: CSV, JSON, Markdown or Parquet, nested columns included."""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any, BinaryIO

import polars as pl
from rich.table import Table

from cxpipeline.errors import CxError

#: Output formats of `cxpipeline sql` (table is drawn by the CLI).
FORMATS = ("table", "csv", "json", "parquet", "markdown")


def _is_nested(dtype: pl.DataType) -> bool:
    """Whether a column holds lists, arrays or structs (which CSV and Markdown cannot hold)."""
    return isinstance(dtype, pl.List | pl.Array | pl.Struct)


def _binary_as_hex(frame: pl.DataFrame) -> pl.DataFrame:
    """Binary columns as hexadecimal text, the one form every format can carry."""
    binary = [name for name, dtype in frame.schema.items() if dtype == pl.Binary]
    return frame.with_columns(pl.col(c).bin.encode("hex") for c in binary) if binary else frame


def flat(frame: pl.DataFrame) -> pl.DataFrame:
    """Return the frame with every list, array or struct column as its JSON text."""
    frame = _binary_as_hex(frame)
    nested = [name for name, dtype in frame.schema.items() if _is_nested(dtype)]
    # json_encode works on structs only: wrap each value as {"v": value}, then peel the wrapper.
    return frame.with_columns(
        pl.when(pl.col(c).is_null())
        .then(None)
        .otherwise(
            pl.struct(pl.col(c).alias("v"))
            .struct.json_encode()
            .str.strip_prefix('{"v":')
            .str.strip_suffix("}")
        )
        .alias(c)
        for c in nested
    )


def _markdown_cell(expr: pl.Expr) -> pl.Expr:
    """One Markdown table cell: text with pipes escaped and line breaks kept on one line."""
    return (
        expr.cast(pl.String)
        .fill_null("")
        .str.replace_all("|", r"\|", literal=True)
        .str.replace_all(r"\r?\n", "<br>")
    )


def _markdown_head(columns: list[str]) -> str:
    """Return the header and rule lines of a Markdown table."""
    header = "| " + " | ".join(c.replace("|", r"\|") for c in columns) + " |"
    return header + "\n|" + "|".join("---" for _ in columns) + "|\n"


def _markdown_rows(frame: pl.DataFrame) -> str:
    """Return the body lines of a Markdown table, one per row."""
    if frame.height == 0:
        return ""
    body = frame.select(
        pl.concat_str([_markdown_cell(pl.col(c)) for c in frame.columns], separator=" | ")
    ).to_series()
    return "\n".join(("| " + body + " |").to_list()) + "\n"


def write_frames(frames: Iterable[pl.DataFrame], fmt: str, sink: BinaryIO) -> None:
    """Write a result given in frames (same columns) to `sink`, one frame at a time.

    CSV, JSON (an array of row objects), Markdown or Parquet: the same bytes as the frames
    written together (Parquet: the same rows), the header once.
    """
    if fmt not in ("csv", "json", "markdown", "parquet"):
        raise ValueError(f"not a serialised format: {fmt!r}")
    if fmt == "parquet":
        _write_parquet(frames, sink)
        return
    rows = 0
    for index, frame in enumerate(frames):
        if fmt == "csv":
            flat(frame).write_csv(sink, include_header=index == 0)
        elif fmt == "json":
            inner = _binary_as_hex(frame).write_json()[1:-1]  # the rows, without [ and ]
            sink.write(("[" if index == 0 else "," if inner and rows else "").encode())
            sink.write(inner.encode())
        else:
            shown = flat(frame)
            head = _markdown_head(shown.columns) if index == 0 and shown.columns else ""
            sink.write((head + (_markdown_rows(shown) if shown.columns else "")).encode())
        rows += frame.height
    if fmt == "json":
        sink.write(b"]\n")


def _write_parquet(frames: Iterable[pl.DataFrame], sink: BinaryIO) -> None:
    """Write the frames as one Parquet file, one row group per frame."""
    import pyarrow.parquet as pq

    writer: pq.ParquetWriter | None = None
    try:
        for frame in frames:
            table = frame.to_arrow()
            if writer is None:
                writer = pq.ParquetWriter(sink, table.schema, compression="zstd")
            writer.write_table(table)
    finally:
        if writer is not None:
            writer.close()


class Limited:
    """The first `limit` rows of a result in frames (None: all); the rest counted, not kept."""

    def __init__(self, frames: Iterator[pl.DataFrame], limit: int | None) -> None:
        self._frames, self._limit, self._cut = frames, limit, 0

    def __iter__(self) -> Iterator[pl.DataFrame]:
        """Yield frames until `limit` rows (at least one frame, for the columns)."""
        left = self._limit
        for index, frame in enumerate(self._frames):
            if left is not None and frame.height >= left:
                if left or index == 0:
                    yield frame.head(left)
                self._cut = frame.height - left
                return
            if left is not None:
                left -= frame.height
            yield frame

    def rest(self) -> int:
        """Count the rows past the limit (reads what is left of the result)."""
        return self._cut + sum(frame.height for frame in self._frames)


class Counted:
    """Frames passed through, their rows counted."""

    def __init__(self, frames: Iterable[pl.DataFrame]) -> None:
        self._frames, self.rows = frames, 0

    def __iter__(self) -> Iterator[pl.DataFrame]:
        """Yield each frame, counting its rows."""
        for frame in self._frames:
            self.rows += frame.height
            yield frame


def joined(frames: Iterable[pl.DataFrame]) -> pl.DataFrame:
    """Return the frames (a limited, small result) as one."""
    return pl.concat(list(frames), how="vertical")


def rich_table(frame: pl.DataFrame, cell: Callable[[Any], str]) -> Table:
    """Return a rich table of a (small, already limited) result; nested values as JSON text."""
    shown = flat(frame)
    table = Table(show_lines=False, header_style="bold")
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left")
    for row in shown.iter_rows():  # at most the shown rows, for display only
        table.add_row(*[cell(v) for v in row])
    return table


def stdout_sink(fmt: str) -> BinaryIO:
    """Return stdout for bytes; Parquet is binary: refused on a terminal, a pipe or file only."""
    if fmt == "parquet" and sys.stdout.isatty():
        raise CxError("Parquet is binary: give --out FILE or pipe the output", field="--format")
    sys.stdout.flush()
    return sys.stdout.buffer
