"""The one entry point for inputs: read_table picks the reader for a file's format.

Every input value is read as text, exactly as written; cleaning and typing happen later in
polars expressions (transforms/mapping.py), so a ZIP code or a phone number is never mangled
by type inference on the way in.
"""

from __future__ import annotations

from pathlib import Path

from cxpipeline.errors import InputError
from cxpipeline.io import limits
from cxpipeline.io.delimited import read_delimited
from cxpipeline.io.encoding import utf8_source
from cxpipeline.io.fixed_width import read_fixed_width
from cxpipeline.io.formats import file_kind
from cxpipeline.io.parquet import read_parquet_input
from cxpipeline.io.table import RawTable, ReadOptions
from cxpipeline.io.workbook import read_excel


def read_table(path: Path | str, options: ReadOptions | None = None) -> RawTable:
    """Read a contact list (CSV/TXT, fixed-width, XLSX/XLS, Parquet) with every column as text.

    The frame has the columns as written (header names verbatim) plus `source_row`, the 1-based
    data row. Single bad rows (ragged, malformed quotes) come back in `rejects`; whole-file
    problems raise InputError with a one-line message.
    """
    options = options or ReadOptions()
    path = Path(path)
    name = str(path)
    if not path.exists():
        raise InputError("file not found", file=name)
    if not path.is_file():
        raise InputError("not a file", file=name)
    if path.stat().st_size == 0:
        raise InputError("empty file", file=name)
    kind = file_kind(path)
    if kind == "excel":
        limits.check_sheet_dimensions(path, options.limits)
        table = read_excel(path, options)
    elif kind == "parquet":
        table = read_parquet_input(path)
    else:
        table = _read_text(path, options)
    columns = [c for c in table.frame.collect_schema() if c != "source_row"]
    limits.check_columns(len(columns), name, options.limits)
    if table.batches is None:
        limits.check_field_lengths(table.frame, name, options.limits)
    else:
        for batch in table.batches():
            limits.check_field_lengths(batch.lazy(), name, options.limits)
    if table.rows_read == 0 and not options.allow_no_rows:
        raise InputError("header only: no data rows", file=name)
    return table


def _read_text(path: Path, options: ReadOptions) -> RawTable:
    """Read a delimited or fixed-width text file in any encoding, noting the encoding found."""
    name = str(path)
    with utf8_source(path, options.encoding) as (source, encoding):
        if options.fixed_width:
            table = read_fixed_width(source, name, options)
        else:
            table = read_delimited(source, name, options)
        if source != path:
            # a transcoded temp copy is deleted on leaving: read its rows before that
            table.frame = table.frame.collect().lazy()
    table.detected["encoding"] = encoding
    return table
