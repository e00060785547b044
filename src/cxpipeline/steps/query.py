"""Ad hoc SQL: one read-only statement over the readers' snapshot, inside DuckDB's sandbox.

The sandbox (warehouse_sandbox.SANDBOX_CONFIG) turns off every file and network access and locks the
configuration, so ATTACH, COPY, EXPORT, INSTALL/LOAD, SET and file functions are refused by
DuckDB itself; this step also refuses anything but a single SELECT (or EXPLAIN) statement.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterable, Iterator
from pathlib import Path

import polars as pl
import pyarrow as pa

from cxpipeline import io, warehouse_sandbox
from cxpipeline.errors import CxError
from cxpipeline.io import outputs, query_output
from cxpipeline.settings import Settings

#: DuckDB statement types an ad hoc query may be (SHOW, DESCRIBE and SUMMARIZE are SELECTs).
ALLOWED_STATEMENTS = frozenset({"SELECT", "EXPLAIN"})


def _first_line(exc: BaseException) -> str:
    """First line of an error message (DuckDB adds context lines and carets)."""
    text = str(exc).strip()
    return text.splitlines()[0] if text else type(exc).__name__


def read_query(query: str | None, file: Path | None) -> str:
    """Return the query text given on the command line or in a .sql file (exactly one)."""
    if (query is None) == (file is None):
        raise CxError("give a query or --file query.sql (one of them)", field="QUERY")
    if file is not None:
        try:
            query = Path(file).read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as exc:
            raise CxError(f"cannot read the query: {_first_line(exc)}", file=str(file)) from None
    assert query is not None
    if "\x00" in query:
        raise CxError("the query holds a NUL byte", field="QUERY")
    if not query.strip():
        raise CxError("the query is empty", field="QUERY")
    return query


#: Cells (rows x columns) of a result fetched and written at a time, so a query's memory
#: follows neither its length nor its width: every column of contact_records (69) comes
#: ~50,000 rows at a time (a 3.7 M-record list as csv: 918 -> 709 MiB in batches of 50,000
#: rows instead of 100,000, as fast), a count per day a million.
QUERY_BATCH_CELLS = 3_500_000
#: Rows of a batch at most, whatever its width.
QUERY_BATCH_MAX_ROWS = 1_000_000


@contextlib.contextmanager
def query_frames(settings: Settings, query: str) -> Iterator[Iterator[pl.DataFrame]]:
    """Run one read-only SELECT in the sandbox; yield its result as frames of batches.

    Each frame holds about QUERY_BATCH_CELLS cells (`batch_rows`); there is always one (an empty
    frame with the result's columns when it has no rows). The connection stays open while
    the frames are read, and an error on the way is a one-line CxError.
    """
    if not settings.warehouse_path.exists():
        raise CxError(
            "no warehouse yet: run `cxpipeline demo` or an ingest first",
            file=str(settings.warehouse_path),
        )
    con = warehouse_sandbox.connect_sandboxed(settings)
    try:
        try:
            statements = con.extract_statements(query)
        except Exception as exc:  # duckdb raises many error types; show its first line
            raise CxError(_first_line(exc), field="QUERY") from None
        if len(statements) != 1:
            raise CxError(
                f"give exactly one statement, not {len(statements)}", field="QUERY"
            ) from None
        kind = statements[0].type.name
        if kind not in ALLOWED_STATEMENTS:
            raise CxError(f"sql is read-only: one SELECT query, not {kind}", field="QUERY")
        try:
            relation = con.sql(query)
            reader = relation.to_arrow_reader(batch_rows(len(relation.columns)))
        except Exception as exc:
            raise CxError(_first_line(exc), field="QUERY") from None
        yield _frames(reader)
    finally:
        con.close()


def batch_rows(columns: int) -> int:
    """Return the rows of a batch of a result with this many columns (QUERY_BATCH_CELLS)."""
    return max(1, min(QUERY_BATCH_CELLS // max(columns, 1), QUERY_BATCH_MAX_ROWS))


def _frames(reader: pa.RecordBatchReader) -> Iterator[pl.DataFrame]:
    """Yield the reader's batches as frames (one empty frame when there are none)."""
    batches = iter(reader)
    first = True
    while True:
        try:
            batch = next(batches)
        except StopIteration:
            break
        except Exception as exc:  # an error while computing the rows (a cast, a division)
            raise CxError(_first_line(exc), field="QUERY") from None
        first = False
        yield _frame(pa.Table.from_batches([batch]))
    if first:
        yield _frame(reader.schema.empty_table())


def _frame(table: pa.Table) -> pl.DataFrame:
    """Return an Arrow table as a Polars frame."""
    frame = pl.from_arrow(table)
    assert isinstance(frame, pl.DataFrame)  # a table converts to a frame, never a series
    return frame


def run_query(settings: Settings, query: str) -> pl.DataFrame:
    """Run one read-only SELECT in the sandbox and return its whole result (small results)."""
    with query_frames(settings, query) as frames:
        return pl.concat(list(frames), how="vertical")


def write_result(
    settings: Settings, frames: Iterable[pl.DataFrame], fmt: str, out: Path, *, force: bool
) -> Path:
    """Write a query result to a file (owner-only, atomic, never over the pipeline's data)."""
    target = outputs.check_output_file(out, home=settings.home, force=force)
    with io.atomic_path(target) as tmp, tmp.open("wb") as sink:
        query_output.write_frames(frames, "csv" if fmt == "table" else fmt, sink)
    return target
