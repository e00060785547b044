"""Input formats: the suffixes read as text, workbooks or Parquet, and telling them apart."""

from __future__ import annotations

from pathlib import Path

from cxpipeline.errors import InputError

#: Suffixes read as delimited (or, with a fixed-width layout, fixed-width) text.
TEXT_SUFFIXES = frozenset({".csv", ".txt", ".tsv", ".psv", ".dat", ".text", ".prn", ""})
EXCEL_SUFFIXES = frozenset({".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"})
PARQUET_SUFFIXES = frozenset({".parquet", ".pq"})


def file_kind(path: Path) -> str:
    """Tell text, Excel and Parquet apart by magic bytes first, then by suffix."""
    with path.open("rb") as handle:
        magic = handle.read(8)
    suffix = path.suffix.lower()
    if magic.startswith((b"PK\x03\x04", b"\xd0\xcf\x11\xe0")):
        if suffix in EXCEL_SUFFIXES or suffix in TEXT_SUFFIXES:
            return "excel"
        raise InputError(f"unknown format {suffix!r}: a ZIP/OLE file that is not a workbook")
    if magic.startswith(b"PAR1"):
        return "parquet"
    if suffix in EXCEL_SUFFIXES or suffix in PARQUET_SUFFIXES:
        raise InputError(
            f"unknown format: named {suffix} but its content is not a "
            + ("workbook" if suffix in EXCEL_SUFFIXES else "Parquet file"),
            file=str(path),
        )
    if suffix not in TEXT_SUFFIXES:
        raise InputError(
            f"unknown format {suffix!r}: expected CSV/TXT, XLSX/XLS or Parquet", file=str(path)
        )
    return "text"
