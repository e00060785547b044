"""The exact, slower path for delimited text: the csv module, streaming row by row.

Used when polars cannot parse a file (unterminated or malformed quotes) or when its count of
records disagrees with the pre-scan (see `delimited.read_delimited`).
"""

from __future__ import annotations

import csv
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl

from cxpipeline.errors import InputError
from cxpipeline.io.headers import first_record
from cxpipeline.io.masking import masked_raw
from cxpipeline.io.progress_bar import progress
from cxpipeline.io.table import RawTable
from cxpipeline.rejects import REJECT_SCHEMA

_CHUNK_ROWS = 100_000
_PROGRESS_MIN_BYTES = 50 << 20


@dataclass
class _Scan:
    """What one pass of the csv module learnt about a delimited file."""

    header: list[str]
    records: int = 0
    blanks: list[int] = field(default_factory=list)
    rejects: list[tuple[int, str, str | None]] = field(default_factory=list)
    chunks: list[pl.DataFrame] = field(default_factory=list)


def read_with_csv_module(
    source: Path, name: str, delimiter: str, has_header: bool, names: list[str]
) -> RawTable:
    """Read delimited text with the csv module: the exact, slower path (see read_delimited)."""
    scan = _scan_delimited(source, name, delimiter, has_header, names)
    frame = (
        pl.concat(scan.chunks)
        if scan.chunks
        else pl.DataFrame(schema={**dict.fromkeys(names, pl.String), "source_row": pl.Int64})
    )
    rejects = pl.DataFrame(
        {
            "source_row": [r for r, _, _ in scan.rejects],
            "field": [None] * len(scan.rejects),
            "reason": [reason for _, reason, _ in scan.rejects],
            "raw": [raw for _, _, raw in scan.rejects],
        },
        schema=REJECT_SCHEMA,
    )
    return RawTable(
        frame=frame.lazy(),
        rejects=rejects,
        rows_read=scan.records - len(scan.blanks),
        detected={
            "format": "delimited",
            "delimiter": delimiter,
            "blank_lines": len(scan.blanks),
            "columns": len(names),
            "reader": "csv",
        },
    )


def _scan_delimited(
    source: Path, name: str, delimiter: str, has_header: bool, names: list[str]
) -> _Scan:
    """One streaming csv-module pass: the rows in chunks, blank and bad rows set aside."""
    size = source.stat().st_size
    with (
        source.open(encoding="utf-8-sig", newline="") as handle,
        progress(
            f"reading {Path(name).name}", size if size > _PROGRESS_MIN_BYTES else None
        ) as advance,
    ):
        reader = csv.reader(handle, delimiter=delimiter, quotechar='"', strict=True)
        header = first_record(reader, name)
        width = len(header)
        scan = _Scan(header=names)
        rows: list[list[str]] = []
        ordinals: list[int] = []
        ordinal = 0
        if not has_header:
            ordinal = 1
            rows.append(header)
            ordinals.append(1)
        last_line = reader.line_num
        position = 0
        while True:
            try:
                for record in reader:
                    ordinal += 1
                    count = len(record)
                    if count != width:
                        if count == 0 or (count == 1 and not record[0].strip()):
                            scan.blanks.append(ordinal)
                        else:
                            reason = f"ragged row: {count} fields, expected {width}"
                            scan.rejects.append((ordinal, reason, masked_raw(record, delimiter)))
                    else:
                        rows.append(record)
                        ordinals.append(ordinal)
                        if len(rows) >= _CHUNK_ROWS:
                            scan.chunks.append(_chunk(rows, ordinals, names))
                            rows, ordinals = [], []
                            now = handle.buffer.tell()  # type: ignore[attr-defined]
                            advance(now - position)
                            position = now
                    last_line = reader.line_num
                break
            except csv.Error as exc:
                ordinal += 1
                _raise_if_unreadable(exc, name, ordinal, last_line)
                scan.rejects.append((ordinal, f"malformed quotes: {exc}", None))
                last_line = reader.line_num
        if rows:
            scan.chunks.append(_chunk(rows, ordinals, names))
        scan.records = ordinal
    return scan


def _raise_if_unreadable(exc: csv.Error, name: str, row: int, last_line: int) -> None:
    """Raise InputError when a csv error means the rest of the file cannot be read.

    An unterminated quote swallows the file up to its end (or the field size limit): that is a
    whole-file problem, unlike a malformed quote, which only rejects its row.
    """
    if "unexpected end of data" in str(exc):
        raise InputError(
            f"unterminated quote: the quoted field opened on line {last_line + 1} never closes",
            file=name,
            row=row,
        ) from None
    if "field larger than field limit" in str(exc):
        raise InputError(
            f"unterminated quote or a field over {csv.field_size_limit()} characters "
            f"starting on line {last_line + 1}",
            file=name,
            row=row,
        ) from None


def _chunk(rows: list[list[str]], ordinals: list[int], names: list[str]) -> pl.DataFrame:
    """Turn a chunk of well-formed rows into a text frame with their source_row."""
    return pl.DataFrame(rows, schema=dict.fromkeys(names, pl.String), orient="row").with_columns(
        source_row=pl.Series(ordinals, dtype=pl.Int64)
    )
