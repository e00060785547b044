"""Workbooks (XLSX/XLS/ODS): one sheet read as text with calamine, through fastexcel."""

from __future__ import annotations

from pathlib import Path

import fastexcel
import polars as pl

from cxpipeline.errors import InputError
from cxpipeline.io.headers import check_reserved
from cxpipeline.io.table import RawTable, ReadOptions
from cxpipeline.rejects import empty_rejects


def read_excel(path: Path, options: ReadOptions) -> RawTable:
    """Read one sheet (named, else the first) of an XLSX/XLS workbook with calamine, as text.

    Numbers stored in cells come back as their shortest text (2125550142, not 2125550142.0);
    a row whose cells are all empty is a blank line, not a data row.
    """
    sheets, sheet, frame = _load_sheet(path, options)
    if frame.width == 0:
        raise InputError("empty file: the sheet has no rows", file=str(path))
    header = [str(c) for c in frame.columns]
    if not options.has_header:
        header = [f"column_{i}" for i in range(1, frame.width + 1)]
    check_reserved(header, str(path))
    frame = frame.rename(dict(zip(frame.columns, header, strict=True))).with_columns(
        pl.all().cast(pl.String)
    )
    empty = pl.all_horizontal(
        pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in header
    )
    frame = frame.with_columns(source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    blanks = frame.filter(empty).height
    frame = frame.filter(~empty)
    kind = "xls" if path.suffix.lower() == ".xls" else path.suffix.lower().lstrip(".") or "xlsx"
    return RawTable(
        frame=frame.lazy(),
        rejects=empty_rejects(),
        rows_read=frame.height,
        detected={
            "format": kind,
            "sheet": sheets[sheet] if isinstance(sheet, int) else sheet,
            "blank_lines": blanks,
            "columns": len(header),
        },
    )


def _load_sheet(path: Path, options: ReadOptions) -> tuple[list[str], str | int, pl.DataFrame]:
    """Return the workbook's sheet names, the sheet chosen and its cells as strings.

    fastexcel raises its own error classes for broken workbooks: each becomes a one-line
    InputError.
    """
    name = str(path)
    try:
        book = fastexcel.read_excel(str(path))
        sheets = list(book.sheet_names)
        if options.sheet is not None and options.sheet not in sheets:
            raise InputError(
                f"sheet {options.sheet!r} not found; sheets: {', '.join(sheets)}", file=name
            )
        if not sheets:
            raise InputError("empty file: the workbook has no sheet", file=name)
        sheet: str | int = options.sheet if options.sheet is not None else 0
        loaded = book.load_sheet(
            sheet, header_row=0 if options.has_header else None, dtypes="string"
        )
        frame = loaded.to_polars()
    except InputError:
        raise
    except Exception as exc:
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        if "no data" in message.lower() or "empty" in message.lower():
            raise InputError("empty file: the sheet has no rows", file=name) from None
        raise InputError(f"cannot read the workbook: {message}", file=name) from None
    return sheets, sheet, frame
