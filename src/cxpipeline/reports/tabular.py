"""CSV reports and the formula-injection guard shared by the CSV and Excel writers."""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path

import polars as pl

from cxpipeline import io

#: Leading characters that make a spreadsheet treat a cell as a formula (OWASP CSV injection).
FORMULA_TRIGGERS = r"^[=+\-@\t\r]"

# A sign followed only by digits is read as a number, never as a formula, so E.164 numbers
# (+12125550101) and negative amounts stay intact for the dialer and for humans; so does an
# E.164 number with an RFC 3966 extension (+16173532011;ext=204): digits only, nothing to run.
_SIGNED_NUMBER = r"^([+-][0-9]+(\.[0-9]+)?|\+[0-9]+;ext=[0-9]+)$"

_TABLE_NAME = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]*$")


def _guarded(expr: pl.Expr, *, keep_signed_numbers: bool) -> pl.Expr:
    """Prefix a single quote to text that a spreadsheet would run as a formula."""
    risky = expr.str.contains(FORMULA_TRIGGERS)
    if keep_signed_numbers:
        risky = risky & ~expr.str.contains(_SIGNED_NUMBER)
    return pl.when(risky).then(pl.lit("'") + expr).otherwise(expr)


def safe_cells(frame: pl.DataFrame, *, keep_signed_numbers: bool = True) -> pl.DataFrame:
    """Return `frame` with every text cell safe to open in a spreadsheet.

    A string beginning with = + - @ tab or carriage return gets a leading single quote
    (OWASP CSV injection). A sign followed only by digits (an E.164 number, a negative amount)
    is left as it is unless `keep_signed_numbers` is False: it cannot run as a formula.
    Numeric, boolean and temporal columns are untouched. Categorical columns become text and
    list or struct columns become one text cell each (joined with '; ' / JSON), then guarded.
    """
    texts: list[str] = []
    converted: list[pl.Expr] = []
    for name, dtype in frame.schema.items():
        col = pl.col(name)
        if dtype == pl.String:
            texts.append(name)
            continue
        if isinstance(dtype, pl.Categorical | pl.Enum):
            text = col.cast(pl.String)
        elif isinstance(dtype, pl.List | pl.Array):
            text = col.cast(pl.List(pl.String)).list.join("; ")
        elif isinstance(dtype, pl.Struct):
            text = col.struct.json_encode()
        else:
            continue
        texts.append(name)
        converted.append(text.alias(name))
    if not texts:
        return frame
    frame = frame.with_columns(converted) if converted else frame
    # Most columns hold no cell a spreadsheet would run (names, zones, ids): one cheap pass
    # finds the columns that do, and only those are guarded cell by cell.
    risky = frame.select(pl.col(texts).str.contains(FORMULA_TRIGGERS).any()).row(0)
    guarded = [name for name, found in zip(texts, risky, strict=True) if found]
    return frame.with_columns(
        _guarded(pl.col(name), keep_signed_numbers=keep_signed_numbers).alias(name)
        for name in guarded
    )


def _checked_name(name: str) -> str:
    """Return the table name if usable as a file name (no path separators, no dot files)."""
    if not _TABLE_NAME.match(name):
        raise ValueError(f"not a usable table name: {name!r}")
    return name


def write_csv_table(
    frame: pl.DataFrame,
    target: Path | str,
    *,
    separator: str = ",",
    keep_signed_numbers: bool = True,
) -> Path:
    """Write one table as CSV atomically, with its cells guarded by safe_cells."""
    return io.write_csv(
        safe_cells(frame, keep_signed_numbers=keep_signed_numbers), target, separator=separator
    )


def write_csv_report(tables: Mapping[str, pl.DataFrame], out_dir: Path | str) -> list[Path]:
    """Write each table to `out_dir/<name>.csv` (guarded, atomic); return the paths in order."""
    out = Path(out_dir)
    return [
        write_csv_table(frame, out / f"{_checked_name(name)}.csv") for name, frame in tables.items()
    ]
