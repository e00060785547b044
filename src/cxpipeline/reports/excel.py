"""Excel report: one formatted sheet per table, strings always written as text."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import polars as pl
import xlsxwriter
from xlsxwriter.format import Format
from xlsxwriter.worksheet import Worksheet

from cxpipeline import io
from cxpipeline.reports.tabular import safe_cells

EXCEL_MAX_ROWS = 1_048_576
_SHEET_FORBIDDEN = re.compile(r"[\[\]:*?/\\]")
_MAX_WIDTH = 60


def is_rate_column(name: str) -> bool:
    """Whether a column holds a ratio shown as a percentage."""
    return name.endswith(("_rate", "_limit")) or name in {"penetration", "share"}


def _sheet_names(names: list[str]) -> list[str]:
    """Return valid, unique sheet names (at most 31 characters, no brackets or slashes)."""
    taken: set[str] = set()
    result = []
    for name in names:
        base = _SHEET_FORBIDDEN.sub("_", name).strip("'")[:31] or "sheet"
        candidate, n = base, 1
        while candidate.lower() in taken:
            n += 1
            suffix = f"_{n}"
            candidate = base[: 31 - len(suffix)] + suffix
        taken.add(candidate.lower())
        result.append(candidate)
    return result


def _column_width(frame: pl.DataFrame, name: str) -> int:
    """Display width of a column from its header and its longest value."""
    dtype = frame.schema[name]
    if is_rate_column(name):
        longest = 8
    elif dtype.is_float():
        longest = 14
    elif dtype.is_temporal():
        longest = 19
    elif frame.height == 0:
        longest = 0
    else:
        longest = frame.select(pl.col(name).cast(pl.String).str.len_chars().max()).item() or 0
    return min(_MAX_WIDTH, max(len(name), int(longest)) + 2)


def _naive_utc(frame: pl.DataFrame) -> pl.DataFrame:
    """Aware timestamps as naive UTC: Excel cells carry no time zone."""
    aware = [
        pl.col(n).dt.convert_time_zone("UTC").dt.replace_time_zone(None)
        for n, t in frame.schema.items()
        if isinstance(t, pl.Datetime) and t.time_zone is not None
    ]
    return frame.with_columns(aware) if aware else frame


def _write_sheet(sheet: Worksheet, frame: pl.DataFrame, formats: dict[str, Format]) -> None:
    """Write one table: header row, typed cells, widths, frozen header and a filter."""
    frame = _naive_utc(safe_cells(frame))
    for col, name in enumerate(frame.columns):
        sheet.write_string(0, col, name, formats["header"])
        sheet.set_column(col, col, _column_width(frame, name))
        dtype = frame.schema[name]
        values: list[Any] = frame[name].to_list()
        if dtype == pl.String:
            for row, value in enumerate(values, start=1):
                if value is not None:
                    # write_string: text is never parsed as a formula, number or URL.
                    sheet.write_string(row, col, value)
        elif dtype == pl.Boolean:
            for row, value in enumerate(values, start=1):
                if value is not None:
                    sheet.write_boolean(row, col, value)
        elif dtype.is_numeric():
            fmt = formats[
                "rate" if is_rate_column(name) else "float" if dtype.is_float() else "int"
            ]
            for row, value in enumerate(values, start=1):
                if value is not None:
                    sheet.write_number(row, col, value, fmt)
        elif dtype.is_temporal() and dtype != pl.Duration:
            fmt = formats["date" if dtype == pl.Date else "datetime"]
            for row, value in enumerate(values, start=1):
                if value is not None:
                    sheet.write_datetime(row, col, value, fmt)
        else:
            for row, value in enumerate(values, start=1):
                if value is not None:
                    sheet.write_string(row, col, str(value))
    sheet.freeze_panes(1, 0)
    if frame.width:
        sheet.autofilter(0, 0, max(frame.height, 1), frame.width - 1)


def write_xlsx_report(tables: Mapping[str, pl.DataFrame], path: Path | str) -> Path:
    """Write each table to its own sheet of one .xlsx file (atomically) and return the path.

    Text cells are guarded by safe_cells and written as strings, never as formulas; integers
    get thousands separators, rates a percentage format, timestamps are shown in UTC. Raises
    ValueError when a table has more rows than a sheet holds.
    """
    for name, frame in tables.items():
        if frame.height >= EXCEL_MAX_ROWS:
            raise ValueError(f"table {name!r} has {frame.height} rows: too many for one sheet")
    target = Path(path)
    with io.atomic_path(target) as tmp:
        workbook = xlsxwriter.Workbook(
            str(tmp),
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
        formats = {
            "header": workbook.add_format(
                {"bold": True, "font_color": "#FFFFFF", "bg_color": "#1F4E78", "border": 1}
            ),
            "int": workbook.add_format({"num_format": "#,##0"}),
            "float": workbook.add_format({"num_format": "#,##0.00"}),
            "rate": workbook.add_format({"num_format": "0.0%"}),
            "date": workbook.add_format({"num_format": "yyyy-mm-dd"}),
            "datetime": workbook.add_format({"num_format": "yyyy-mm-dd hh:mm:ss"}),
        }
        names = list(tables) or ["empty"]
        frames = list(tables.values()) or [pl.DataFrame({"note": ["no tables"]})]
        for sheet_name, frame in zip(_sheet_names(names), frames, strict=True):
            _write_sheet(workbook.add_worksheet(sheet_name), frame, formats)
        workbook.close()
    return target
