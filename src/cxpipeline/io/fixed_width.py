"""Fixed-width text: lines sliced by a layout of (name, start, length) columns."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cxpipeline.errors import InputError
from cxpipeline.io.masking import RAW_CHARS, masked_rejects
from cxpipeline.io.table import RawTable, ReadOptions


def read_fixed_width(source: Path, name: str, options: ReadOptions) -> RawTable:
    """Slice fixed-width lines by the layout (1-based start, length, in characters).

    A line with text beyond the layout's last column is rejected rather than cut, so nothing is
    dropped silently; a short line is fine (trailing blank fields are often trimmed).
    """
    layout = list(options.fixed_width or [])
    width = max(start - 1 + length for _, start, length in layout)
    lines = pl.scan_lines(source, name="line").collect()
    first = 0 if options.has_header else 1
    lines = lines.with_columns(
        pl.col("line").str.strip_suffix("\r").str.strip_prefix("\ufeff"),
        source_row=pl.int_range(first, pl.len() + first, dtype=pl.Int64),
    )
    if options.has_header:
        lines = lines.slice(1)
    if lines.height == 0 and not options.has_header:
        raise InputError("empty file", file=name)
    blank = pl.col("line").str.strip_chars().str.len_chars() == 0
    used = pl.col("line").str.strip_chars_end().str.len_chars()
    too_long = used > width
    rejects = lines.filter(~blank & too_long).select(
        "source_row",
        pl.lit(None, pl.String).alias("field"),
        pl.format(
            "line longer than the fixed-width layout ({} > {} characters)", used, width
        ).alias("reason"),
        pl.col("line").str.slice(0, RAW_CHARS).alias("raw"),
    )
    kept = lines.filter(~blank & ~too_long)
    frame = kept.select(
        *(
            pl.col("line").str.slice(start - 1, length).alias(column)
            for column, start, length in layout
        ),
        "source_row",
    )
    blanks = lines.filter(blank).height
    return RawTable(
        frame=frame.lazy(),
        rejects=masked_rejects(rejects),
        rows_read=lines.height - blanks,
        detected={"format": "fixed_width", "blank_lines": blanks, "columns": len(layout)},
    )
