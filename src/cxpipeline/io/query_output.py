"""Query results as text or bytes: CSV, JSON, Markdown or Parquet, nested columns included."""

from __future__ import annotations

import io as stdio
import sys
from collections.abc import Callable
from typing import Any

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


def to_markdown(frame: pl.DataFrame) -> str:
    """Render a frame as a GitHub Markdown table (every row, nothing cut)."""
    frame = flat(frame)
    if not frame.columns:
        return ""
    header = "| " + " | ".join(c.replace("|", r"\|") for c in frame.columns) + " |"
    rule = "|" + "|".join("---" for _ in frame.columns) + "|"
    body = frame.select(
        pl.concat_str([_markdown_cell(pl.col(c)) for c in frame.columns], separator=" | ")
    ).to_series()
    lines = [header, rule, *("| " + body + " |").to_list()]
    return "\n".join(lines) + "\n"


def render(frame: pl.DataFrame, fmt: str) -> str | bytes:
    """Serialise a query result: CSV, JSON (an array of row objects), Markdown or Parquet."""
    if fmt == "csv":
        return flat(frame).write_csv()
    if fmt == "json":
        return _binary_as_hex(frame).write_json() + "\n"
    if fmt == "markdown":
        return to_markdown(frame)
    if fmt == "parquet":
        buffer = stdio.BytesIO()
        frame.write_parquet(buffer)
        return buffer.getvalue()
    raise ValueError(f"not a serialised format: {fmt!r}")


def rich_table(frame: pl.DataFrame, cell: Callable[[Any], str]) -> Table:
    """Return a rich table of a (small, already limited) result; nested values as JSON text."""
    shown = flat(frame)
    table = Table(show_lines=False, header_style="bold")
    for name, dtype in frame.schema.items():
        table.add_column(name, justify="right" if dtype.is_numeric() else "left")
    for row in shown.iter_rows():  # at most the shown rows, for display only
        table.add_row(*[cell(v) for v in row])
    return table


def write_stdout(data: str | bytes) -> None:
    """Write text or bytes to stdout; bytes (Parquet) only into a pipe or file, not a terminal."""
    if isinstance(data, str):
        sys.stdout.write(data)
        return
    if sys.stdout.isatty():
        raise CxError("Parquet is binary: give --out FILE or pipe the output", field="--format")
    sys.stdout.flush()
    sys.stdout.buffer.write(data)
    sys.stdout.buffer.flush()
