"""What a reader is asked (ReadOptions) and what it hands back (RawTable)."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

from cxpipeline.settings import InputLimits


@dataclass(frozen=True)
class ReadOptions:
    """How to read an input file; None means detect (delimiter sniffed, encoding guessed)."""

    delimiter: str | None = None
    encoding: str | None = None
    sheet: str | None = None
    #: Fixed-width layout: (name, start, length), start 1-based in characters.
    fixed_width: Sequence[tuple[str, int, int]] | None = None
    has_header: bool = True
    #: A header without data rows is a valid file (a call-results file of a day without calls).
    allow_no_rows: bool = False
    #: Bounds on the input's size and shape (Settings.input_limits), checked before the work.
    limits: InputLimits = InputLimits()


class Batches(Protocol):
    """Reads a table's rows again, at most `rows` at a time (None: the reader's size), in order."""

    def __call__(self, rows: int | None = None) -> Iterator[pl.DataFrame]:
        """Yield the rows as text frames with their `source_row`."""


@dataclass
class RawTable:
    """An input file read as text: the rows, the rows rejected while reading, what was detected."""

    frame: pl.LazyFrame
    rejects: pl.DataFrame
    rows_read: int
    detected: dict[str, object] = field(default_factory=dict)
    #: The rows again, a bounded batch at a time in file order, for a whole pass in bounded
    #: memory where streaming `frame` cannot give one (a Parquet file's row groups); None:
    #: stream `frame`.
    batches: Batches | None = None
