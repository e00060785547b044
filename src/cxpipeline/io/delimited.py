"""Delimited text read lazily with polars, ragged and blank rows found by a pre-scan."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl

from cxpipeline.errors import InputError
from cxpipeline.io import limits
from cxpipeline.io.csv_reader import read_with_csv_module
from cxpipeline.io.delimiters import choose_delimiter
from cxpipeline.io.encoding import SNIFF_CHARS
from cxpipeline.io.headers import column_names, first_record, numbered
from cxpipeline.io.masking import RAW_CHARS, masked_rejects
from cxpipeline.io.shapes import record_shapes
from cxpipeline.io.table import RawTable, ReadOptions


def read_delimited(source: Path, name: str, options: ReadOptions) -> RawTable:
    """Read delimited text with polars, finding ragged and blank rows with a vectorised pass.

    Why two passes: polars' reader is fast but pads short rows and cuts long ones without saying
    which, so a second polars pass over the raw lines counts each record's fields (quote-aware:
    see `shapes.record_shapes`). When polars cannot parse the file (unterminated or malformed
    quotes), or the two passes disagree on the number of records, the csv module reads the file
    instead: streaming, row by row, slower but exact, and it names the line of an unterminated
    quote.

    Both passes stream, and the frame returned is a lazy scan of the file (numbered, blank and
    ragged rows filtered out): a slice of it parses only its part, so memory follows the slice.
    """
    delimiter, first = _sniffed_header(source, name, options)
    width = len(first)
    limits.check_columns(width, name, options.limits)  # before any pass allocates per column
    names = column_names(first, name) if options.has_header else numbered(width)
    scan = scan_text(source, names, delimiter, options.has_header)
    try:
        # One streaming parse of every column, in bounded memory: it finds the files polars
        # cannot read (they go to the csv module) and counts the records polars sees.
        height = int(
            scan.select(pl.len(), pl.all().str.len_bytes().sum())
            .collect(engine="streaming")["len"]
            .item()
        )
        polars_width = len(scan.collect_schema())
    except pl.exceptions.PolarsError:
        return read_with_csv_module(source, name, delimiter, options.has_header, names)
    records, odd = record_shapes(source, delimiter, width, options.has_header)
    if records != height or polars_width != width:
        return read_with_csv_module(source, name, delimiter, options.has_header, names)
    rejects = odd.filter(~pl.col("blank")).select(
        "source_row",
        pl.lit(None, pl.String).alias("field"),
        pl.format("ragged row: {} fields, expected {}", "fields", pl.lit(width)).alias("reason"),
        pl.col("text").str.slice(0, RAW_CHARS).alias("raw"),
    )
    blanks = int(odd["blank"].sum())
    return RawTable(
        frame=_numbered_rows(source, names, delimiter, options.has_header, odd),
        rejects=masked_rejects(rejects),
        rows_read=records - blanks,
        detected={
            "format": "delimited",
            "delimiter": delimiter,
            "blank_lines": blanks,
            "columns": width,
            "reader": "polars",
        },
    )


def _sniffed_header(source: Path, name: str, options: ReadOptions) -> tuple[str, list[str]]:
    """Return the delimiter (forced or sniffed from the file's start) and the first record."""
    with source.open(encoding="utf-8-sig", newline="") as handle:
        sample = handle.read(SNIFF_CHARS)
        if not sample.strip():
            raise InputError("empty file", file=name)
        delimiter = choose_delimiter(options.delimiter, sample)
        handle.seek(0)
        first = first_record(csv.reader(handle, delimiter=delimiter), name)
    return delimiter, first


def _numbered_rows(
    source: Path, names: list[str], delimiter: str, has_header: bool, odd: pl.DataFrame
) -> pl.LazyFrame:
    """Scan the data rows lazily with their source_row, leaving the blank and ragged ones out."""
    index = "_row_index"
    while index in names:
        index = f"_{index}"
    frame = (
        scan_text(source, names, delimiter, has_header, row_index=index)
        .with_columns(pl.col(index).cast(pl.Int64).alias("source_row"))
        .drop(index)
    )
    if odd.height:
        frame = frame.filter(~pl.col("source_row").is_in(odd["source_row"].implode()))
    return frame


def scan_text(
    source: Path, names: list[str], delimiter: str, has_header: bool, row_index: str | None = None
) -> pl.LazyFrame:
    """Scan delimited text lazily with polars, every column as text, short rows padded.

    With `row_index`, a column of that name numbers the records from 1 (header excluded).
    """
    return pl.scan_csv(
        source,
        has_header=has_header,
        new_columns=names,
        separator=delimiter,
        quote_char='"',
        infer_schema=False,
        truncate_ragged_lines=True,
        empty_string_is_null=False,
        raise_if_empty=False,
        row_index_name=row_index,
        row_index_offset=1,
    )
