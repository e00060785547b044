"""Rows by the million between DuckDB and files: query results written, files read as views."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Any

import duckdb

from cxpipeline.io.writers import atomic_path
from cxpipeline.warehouse import load_sql_statement, registered
from cxpipeline.warehouse_memory import memory_bound

#: Rows per row group of a query staged by `staged_query`: readers slice the file by rows.
STAGED_ROW_GROUP = 100_000


def staged_query(
    con: duckdb.DuckDBPyConnection, name: str, params: dict[str, Any], target: Path
) -> Path:
    """Write the rows of the named query sql/ops/<name>.sql to a run's Parquet file; return it.

    DuckDB writes the file itself, streaming within its memory bound: rows a list has by the
    million (its identities, its record ids) reach Polars as a file to scan, never as a frame.
    """
    query = load_sql_statement(name).rstrip().removesuffix(";")
    with atomic_path(target) as tmp:
        con.execute(
            f"COPY ({query}\n) TO $path "  # noqa: S608 - a named statement, values bound
            f"(FORMAT parquet, COMPRESSION lz4, ROW_GROUP_SIZE {STAGED_ROW_GROUP})",
            {**params, "path": str(tmp)},
        )
    return target


def bounded_staged_query(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any],
    target: Path,
    megabytes: int | None,
) -> Path:
    """`staged_query` within DuckDB's memory bound of `megabytes` (None: unbounded).

    Bounded like an ingest's commit: DuckDB's COPY then flushes as it goes (the 5M list's
    records and identities: 778 MiB unbounded, 573 MiB at 512 MB).
    """
    with memory_bound(con, megabytes):
        return staged_query(con, name, params, target)


def registered_files(
    con: duckdb.DuckDBPyConnection, name: str, paths: list[Path]
) -> contextlib.AbstractContextManager[None]:
    """Let the block's SQL read Parquet files as the relation `name` (DuckDB reads them)."""
    return registered(con, name, con.read_parquet([str(path) for path in paths]))
