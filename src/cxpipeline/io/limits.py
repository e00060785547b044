"""Input bounds: declared sheet size, columns and field length, checked before the work.

A 1.6 KB workbook may declare a sheet of 17 billion cells, and a small CSV may hold 100,000
columns: readers allocate by what a file declares, so the declaration is checked first.
"""

from __future__ import annotations

import re
import zipfile
from pathlib import Path

import polars as pl

from cxpipeline.errors import InputError
from cxpipeline.settings import InputLimits

_DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="([A-Z]+)(\d+)(?::([A-Z]+)(\d+))?"')
#: Bytes read from the start of a worksheet's XML to find its <dimension> element.
HEAD_BYTES = 65_536


def _column_number(letters: str) -> int:
    """Column number of spreadsheet letters (A = 1, XFD = 16384)."""
    number = 0
    for letter in letters:
        number = number * 26 + ord(letter) - ord("A") + 1
    return number


def check_columns(width: int, name: str, limits: InputLimits) -> None:
    """Refuse a file with more columns than the limit."""
    if width > limits.max_columns:
        raise InputError(
            f"{width:,} columns: more than the limit of {limits.max_columns:,} "
            "(setting input_limits.max_columns)",
            file=name,
        )


def check_sheet_dimensions(path: Path, limits: InputLimits) -> None:
    """Refuse an XLSX workbook whose worksheets declare more cells than the limit."""
    try:
        with zipfile.ZipFile(path) as book:
            sheets = [n for n in book.namelist() if re.match(r"xl/worksheets/[^/]+\.xml$", n)]
            for sheet in sheets:
                with book.open(sheet) as handle:
                    found = _DIMENSION.search(handle.read(HEAD_BYTES))
                if found is None or found.group(3) is None:
                    continue
                rows = int(found.group(4)) - int(found.group(2)) + 1
                cols = _column_number(found.group(3).decode()) - _column_number(
                    found.group(1).decode()
                )
                cells = rows * (cols + 1)
                if cells > limits.max_sheet_cells or cols + 1 > limits.max_columns:
                    raise InputError(
                        f"{Path(sheet).stem} declares {rows:,} rows x {cols + 1:,} columns: more "
                        f"than the limits of {limits.max_sheet_cells:,} cells and "
                        f"{limits.max_columns:,} columns (settings input_limits)",
                        file=str(path),
                    )
    except zipfile.BadZipFile:
        return  # not a zip: the workbook reader says what is wrong with it


def check_field_lengths(frame: pl.LazyFrame, name: str, limits: InputLimits) -> None:
    """Refuse a file with a field longer than the limit or a NUL byte, naming row and column."""
    columns = [c for c, t in frame.collect_schema().items() if t == pl.String]
    if not columns:
        return
    # One read of the file for both checks; bytes bound characters from above, so characters
    # are only counted (a slower UTF-8 walk) in a column whose bytes exceed the limit.
    found = frame.select(
        *(pl.col(c).str.len_bytes().max().alias(f"b:{c}") for c in columns),
        *(pl.col(c).str.contains("\x00", literal=True).any().alias(f"n:{c}") for c in columns),
    ).collect(engine="streaming")
    nul = [c for c in columns if found[f"n:{c}"][0]]
    if nul:
        raise InputError("a NUL byte in a field: not a text file?", file=name, field=nul[0])
    wide = [c for c in columns if (found[f"b:{c}"][0] or 0) > limits.max_field_chars]
    if not wide:
        return
    longest = frame.select(pl.col(wide).str.len_chars().max()).collect(engine="streaming")
    over = [c for c in wide if (longest[c][0] or 0) > limits.max_field_chars]
    if not over:
        return
    column, row = over[0], None
    if "source_row" in frame.collect_schema():
        first = (
            frame.filter(pl.col(column).str.len_chars() > limits.max_field_chars)
            .select("source_row")
            .head(1)
            .collect()
        )
        row = int(first["source_row"][0]) if first.height else None
    raise InputError(
        f"{longest[column][0]:,} characters: longer than the limit of "
        f"{limits.max_field_chars:,} (setting input_limits.max_field_chars)",
        file=name,
        row=row,
        field=column,
    )
