"""Header rows of delimited text: the first record and the column names taken from it."""

from __future__ import annotations

import csv
from collections.abc import Iterator

from cxpipeline.errors import InputError


def first_record(reader: Iterator[list[str]], name: str) -> list[str]:
    """Return the first record (the header when there is one); an empty file is an error."""
    try:
        for record in reader:
            if record and any(cell.strip() for cell in record):
                return record
            raise InputError("the first line is blank: expected a header or a first row", file=name)
    except csv.Error as exc:
        raise InputError(f"unreadable first row: {exc}", file=name, row=0) from None
    raise InputError("empty file", file=name)


def column_names(header: list[str], name: str) -> list[str]:
    """Header names verbatim; a blank one becomes column_<n>; a repeated one is an error.

    A repeated name is refused rather than renamed: two 'Phone' columns cannot be told apart by
    a spec, and renaming one would quietly turn a phone number into an unused user field.
    """
    names = [h if h.strip() else f"column_{i}" for i, h in enumerate(header, start=1)]
    check_reserved(names, name)
    seen: dict[str, int] = {}
    for i, column in enumerate(names, start=1):
        if column in seen:
            raise InputError(
                f"duplicate column name {column!r} (columns {seen[column]} and {i})", file=name
            )
        seen[column] = i
    return names


def numbered(width: int) -> list[str]:
    """Column names of a file without header: column_1 … column_n."""
    return [f"column_{i}" for i in range(1, width + 1)]


#: Column names the pipeline adds to every row: an input column of that name would vanish.
RESERVED_COLUMNS = ("source_row", "user_fields", "row_hash", "phone_count")


def check_reserved(names: list[str], name: str) -> None:
    """Refuse a header that uses a name the pipeline adds to every row itself."""
    taken = [c for c in names if c.strip().lower() in RESERVED_COLUMNS]
    if taken:
        raise InputError(
            f"column {taken[0]!r} has a name the pipeline uses itself: rename it in the file",
            file=name,
            field=taken[0],
        )
