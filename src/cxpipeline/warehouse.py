"""DuckDB warehouse: connection, migrations from sql/, named SQL and transactions."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from functools import cache
from pathlib import Path
from typing import Any, cast

import duckdb
import polars as pl

from cxpipeline.errors import CxError
from cxpipeline.io import home_lock, snapshot
from cxpipeline.settings import SQL_DIR, Settings
from cxpipeline.warehouse_relations import RELATIONS
from cxpipeline.warehouse_schema import schema_key

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")


@cache
def load_sql(name: str) -> str:
    """Return the text of sql/<name>.sql, its `{{marker}}` lines expanded (see _expand_markers)."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a SQL file name: {name!r}")
    return _expand_markers((SQL_DIR / f"{name}.sql").read_text(encoding="utf-8"))


_MARKER = re.compile(r"^[ \t]*\{\{(\w+)\}\}[ \t]*$", re.MULTILINE)


def _expand_markers(text: str) -> str:
    """Replace each `{{marker}}` line with the SQL the campaign model makes from its key list."""
    if _MARKER.search(text) is None:
        return text
    # Imported here: importing the campaigns package imports its store, which imports this module.
    from cxpipeline.campaigns.ddl import sql_fragments

    fragments = sql_fragments()
    unknown = sorted(set(_MARKER.findall(text)) - set(fragments))
    if unknown:
        raise ValueError(f"unknown SQL marker(s): {', '.join(unknown)}")
    return _MARKER.sub(lambda m: fragments[m.group(1)], text)


@cache
def load_sql_statement(name: str) -> str:
    """Return the text of sql/ops/<name>.sql: a parameterised statement that is not a relation."""
    if not _IDENTIFIER.match(name):
        raise ValueError(f"not a SQL file name: {name!r}")
    return (SQL_DIR / "ops" / f"{name}.sql").read_text(encoding="utf-8")


def statement_files() -> list[str]:
    """Names of all statement files in sql/ops/."""
    return sorted(p.stem for p in (SQL_DIR / "ops").glob("*.sql"))


def table_columns(con: duckdb.DuckDBPyConnection, table: str) -> list[str]:
    """Column names of a table, in table order."""
    rows = con.execute(
        "SELECT column_name FROM duckdb_columns() WHERE table_name = $t AND schema_name = 'main' "
        "ORDER BY column_index",
        {"t": table},
    ).fetchall()
    return [r[0] for r in rows]


def sql_files() -> list[str]:
    """Names of all SQL files present in sql/."""
    return sorted(p.stem for p in SQL_DIR.glob("*.sql"))


def connect(settings: Settings, *, read_only: bool = False) -> duckdb.DuckDBPyConnection:
    """Open the warehouse; a writable connection also applies missing migrations.

    A writable connection holds the home's write lock until it is closed (other writers wait,
    see io.home_lock); a read-only one opens the readers' snapshot, so it never meets a writer.
    """
    settings.home.mkdir(parents=True, exist_ok=True)
    path = settings.warehouse_path
    if read_only and path.exists():
        published = reader_path(settings)
        with snapshot.opening(path):
            return duckdb.connect(str(published), read_only=True)
    lock = writing(settings)
    outermost = lock.__enter__()
    try:
        con = duckdb.connect(str(path))
        path.chmod(0o600)  # personal data: owner-only, whatever the umask
        if not _migrated(con, path):
            if not _at_current_schema(con):
                migrate(con)
            _seed_rules(con)
            _MIGRATED.add(_file_key(path))
    except BaseException:
        lock.__exit__(None, None, None)
        raise
    writer = _Writer(con, lock, outermost=outermost, megabytes=settings.warehouse_memory_mb)
    return cast(duckdb.DuckDBPyConnection, writer)


#: Warehouse files (path and inode) this process has migrated: their relations exist, so the
#: next connection skips the DDL (a step opens several connections; a new file is migrated).
_MIGRATED: set[tuple[str, int, int]] = set()


def _seed_rules(con: duckdb.DuckDBPyConnection) -> None:
    """Store the seed compliance rules in a file without any (a writer's first connection).

    So no step can plan windows against an empty rules table, nor opens a connection to check.
    """
    if not scalar(con, "SELECT count(*) FROM compliance_rules"):
        # Imported here: the rules store imports this module.
        from cxpipeline.rules import load_rules, store_rules

        store_rules(con, load_rules())


def _file_key(path: Path) -> tuple[str, int, int]:
    """Return what identifies a warehouse file: its path, device and inode."""
    stat = path.stat()
    return (str(path), stat.st_dev, stat.st_ino)


def _migrated(con: duckdb.DuckDBPyConnection, path: Path) -> bool:
    """Whether this process migrated this file already and its relations are all there."""
    if _file_key(path) not in _MIGRATED:
        return False
    # A file deleted and made anew can get the same inode: count the relations to be sure.
    return _all_relations(con)


def _at_current_schema(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether the file was migrated to this code's schema (key) and still has every relation."""
    try:
        stored = scalar(con, "SELECT schema_key FROM warehouse_schema")
    except duckdb.CatalogException:
        return False  # made before the key existed, or empty
    return stored == schema_key() and _all_relations(con)


def _all_relations(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether every relation of RELATIONS (at least as many) is in the file."""
    present = scalar(
        con,
        "SELECT (SELECT count(*) FROM duckdb_tables() WHERE schema_name = 'main') "
        "+ (SELECT count(*) FROM duckdb_views() WHERE schema_name = 'main' AND NOT internal)",
    )
    return int(present or 0) >= len(RELATIONS)


@contextlib.contextmanager
def writing(settings: Settings) -> Iterator[bool]:
    """Hold the home's write lock for a whole step; the outermost hold publishes the snapshot.

    Writers of other processes (and threads) wait up to `write_lock_timeout_seconds`, then get
    a one-line error. Yields True for the outermost hold of this thread.
    """
    with home_lock.home_lock(settings.home, settings.write_lock_timeout_seconds) as outermost:
        yield outermost
        path = settings.warehouse_path
        # Unchanged since the last snapshot (a step that only read, or wrote nothing): the
        # copy, which grows with the warehouse, is skipped.
        if outermost and path.exists() and not snapshot.snapshot_is_current(path):
            _publish(path)


def _publish(path: Path) -> None:
    """Publish the readers' snapshot, folding in first a WAL left unfolded.

    A writer killed after a commit, or a checkpoint that failed (its DuckDB instance gone),
    leaves the commit in the WAL: opening and closing the file checkpoints it.
    """
    if path.with_name(path.name + ".wal").exists():
        duckdb.connect(str(path)).close()
    snapshot.publish_snapshot(path, block_size=_block_size)


def _block_size(path: Path) -> int | None:
    """Return a closed warehouse file's block size (None: held open here in another way)."""
    with contextlib.suppress(duckdb.Error), duckdb.connect(str(path), read_only=True) as con:
        return int(scalar(con, "SELECT block_size FROM pragma_database_size()"))
    return None


class _Writer:
    """A writable connection that releases the write lock and publishes the snapshot on close."""

    def __init__(
        self,
        con: duckdb.DuckDBPyConnection,
        lock: contextlib.AbstractContextManager[bool],
        *,
        outermost: bool,
        megabytes: int | None = None,
    ) -> None:
        self._con, self._lock, self._outermost = con, lock, outermost
        self._megabytes, self._closed = megabytes, False

    def __getattr__(self, name: str) -> Any:
        return getattr(self._con, name)

    def __enter__(self) -> _Writer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Checkpoint within the bound and close; the outermost writer publishes the snapshot."""
        if self._closed:
            return
        self._closed = True
        try:
            # Imported here: warehouse_memory imports this module.
            from cxpipeline import warehouse_memory

            # Every writer: the last connection's close checkpoints anyway, unbounded.
            warehouse_memory.checkpoint(self._con, self._megabytes)
            self._con.close()
        finally:
            self._lock.__exit__(None, None, None)  # the outermost hold publishes the snapshot


def reader_path(settings: Settings) -> Path:
    """Return the file a reader opens: the snapshot, refreshed first when no writer is busy."""
    path = settings.warehouse_path
    if home_lock.holds_lock(settings.home):
        return path  # this thread is the writer: it reads its own file
    published = snapshot.snapshot_path(path)
    if snapshot.snapshot_is_current(path):
        return published
    # A busy writer publishes when it finishes; meanwhile the last snapshot serves readers.
    wait = 0.0 if published.exists() else settings.write_lock_timeout_seconds
    try:
        with home_lock.home_lock(settings.home, wait):
            if not snapshot.snapshot_is_current(path):
                _publish(path)
    except CxError:
        if not published.exists():
            raise
    return published


def migrate(con: duckdb.DuckDBPyConnection) -> None:
    """Create every relation of RELATIONS that exists as a file, in one transaction."""
    with transaction(con):
        for name in RELATIONS:
            if (SQL_DIR / f"{name}.sql").exists():
                con.execute(load_sql(name))
        # Imported here: the comments module reads this one's named SQL and allow-list.
        from cxpipeline.warehouse_comments import apply_comments

        apply_comments(con)
        con.execute("DELETE FROM warehouse_schema")
        con.execute("INSERT INTO warehouse_schema VALUES ($key, now())", {"key": schema_key()})


#: Connections (by id) inside `transaction`: a frame registered there is copied (`registered`).
_IN_TRANSACTION: set[int] = set()


@contextlib.contextmanager
def registered(
    con: duckdb.DuckDBPyConnection, name: str, frame: pl.DataFrame | duckdb.DuckDBPyRelation
) -> Iterator[None]:
    """Let the block's SQL read `frame` (or a DuckDB relation) as `name`; gone after it.

    Inside a transaction a frame is copied into a temporary table: a registered view keeps
    its Arrow data alive until the COMMIT, even unregistered (the 5M list's results load grew
    ~3.5 MiB a pass), while a table's rows are DuckDB's to spill within its memory bound.
    """
    if not isinstance(frame, pl.DataFrame) or id(con) not in _IN_TRANSACTION:
        con.register(name, frame.to_arrow() if isinstance(frame, pl.DataFrame) else frame)
        try:
            yield
        finally:
            con.unregister(name)
        return
    if not _IDENTIFIER.match(name):  # a name of the code's, as bare as a SQL file's
        raise ValueError(f"identifier not allowed: {name!r}")
    table = f'"{name}"'
    con.from_arrow(frame.to_arrow()).query("_rows", f"CREATE TEMP TABLE {table} AS FROM _rows")
    try:
        yield
    except BaseException:
        with contextlib.suppress(duckdb.Error):  # an aborted transaction: its ROLLBACK drops it
            con.execute(f"DROP TABLE temp.{table}")
        raise
    con.execute(f"DROP TABLE temp.{table}")


@contextlib.contextmanager
def transaction(con: duckdb.DuckDBPyConnection) -> Iterator[duckdb.DuckDBPyConnection]:
    """Run a block in one transaction: all of its changes land, or none."""
    con.execute("BEGIN TRANSACTION")
    _IN_TRANSACTION.add(id(con))
    try:
        yield con
    except BaseException:
        con.execute("ROLLBACK")
        raise
    finally:
        _IN_TRANSACTION.discard(id(con))
    con.execute("COMMIT")


def quote_identifier(name: str, allowed: set[str] | frozenset[str]) -> str:
    """Quote an identifier for SQL after checking it against an allow-list."""
    if name not in allowed:
        raise ValueError(f"identifier not allowed: {name!r}")
    return '"' + name.replace('"', '""') + '"'


def fetch_dicts(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """Run a bound query and return rows as dicts (small results only)."""
    cur = con.execute(query, params or {})
    cols = [d[0] for d in cur.description or []]
    return [dict(zip(cols, row, strict=True)) for row in cur.fetchall()]


def scalar(con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None) -> Any:
    """Run a bound query and return the first column of its first row (or None).

    fetchall() drains the result: DuckDB 2 refuses further work on a connection whose
    result is unfinished, which fetchone() can leave behind.
    """
    rows = con.execute(query, params or {}).fetchall()
    return rows[0][0] if rows else None


def frame(
    con: duckdb.DuckDBPyConnection, query: str, params: dict[str, Any] | None = None
) -> pl.DataFrame:
    """Run a bound query and return the result as a Polars frame."""
    return con.sql(query, params=params or None).pl()


def table_exists(con: duckdb.DuckDBPyConnection, name: str) -> bool:
    """Whether a table or view of that name exists in the main schema."""
    tables = scalar(
        con,
        "SELECT count(*) FROM duckdb_tables() WHERE table_name = $n AND schema_name = 'main'",
        {"n": name},
    )
    views = scalar(
        con,
        "SELECT count(*) FROM duckdb_views() WHERE view_name = $n AND schema_name = 'main'",
        {"n": name},
    )
    return bool(tables or views)


def sql_path(name: str) -> Path:
    """Path of a named SQL file (for tests that prepare every file)."""
    return SQL_DIR / f"{name}.sql"


# --------------------------------------------------------------------------- writes


def insert(
    con: duckdb.DuckDBPyConnection, table: str, data: pl.DataFrame | Path | list[Path]
) -> None:
    """Insert a frame, or Parquet files of one schema, into a table by column name.

    Only the table's own columns are stored; DuckDB reads Parquet files itself.
    """
    name = quote_identifier(table, set(RELATIONS))
    columns = table_columns(con, table)
    if isinstance(data, Path | list):
        paths = [str(path) for path in ([data] if isinstance(data, Path) else data)]
        present = set(pl.read_parquet_schema(paths[0])) if paths else set()
        if chosen := [c for c in columns if c in present]:
            select = ", ".join(quote_identifier(c, set(columns)) for c in chosen)
            con.execute(
                f"INSERT INTO {name} BY NAME SELECT {select} FROM read_parquet($paths)",  # noqa: S608
                {"paths": paths},
            )
        return
    if data.height == 0:
        return
    frame = data.select([c for c in data.columns if c in columns])
    # A relation's query, not a registered view: nothing of it outlives the statement
    con.from_arrow(frame.to_arrow()).query("_frame", f"INSERT INTO {name} BY NAME FROM _frame")


#: DuckDB options a step may change for a block (`option`); values are bound, names listed.
OPTIONS = frozenset({"memory_limit", "preserve_insertion_order", "checkpoint_threshold"})


@contextlib.contextmanager
def option(con: duckdb.DuckDBPyConnection, name: str, value: object) -> Iterator[None]:
    """Set a DuckDB option inside the block (None: leave it as it is), then reset it."""
    if value is None:
        yield
        return
    if name not in OPTIONS:
        raise ValueError(f"option not allowed: {name!r}")
    con.execute(f"SET {name} = $value", {"value": value})
    try:
        yield
    finally:
        reset_option(con, name)


def reset_option(con: duckdb.DuckDBPyConnection, name: str) -> None:
    """Reset a DuckDB option (one of OPTIONS) to its default."""
    if name not in OPTIONS:
        raise ValueError(f"option not allowed: {name!r}")
    con.execute(f"RESET {name}")


def delete_where(con: duckdb.DuckDBPyConnection, table: str, **equals: Any) -> None:
    """Delete the rows of a table whose columns equal the given values (all rows if none)."""
    name = quote_identifier(table, set(RELATIONS))
    columns = set(table_columns(con, table))
    where = " AND ".join(f"{quote_identifier(c, columns)} = ${c}" for c in equals)
    con.execute(f"DELETE FROM {name}" + (f" WHERE {where}" if where else ""), equals)  # noqa: S608


def replace_rows(
    con: duckdb.DuckDBPyConnection, table: str, data: pl.DataFrame | Path, **equals: Any
) -> None:
    """Replace the rows of a table that match `equals` (all rows if none) by `data`."""
    delete_where(con, table, **equals)
    insert(con, table, data)


def reapply_suppression(
    con: duckdb.DuckDBPyConnection, list_name: str | None = None, since: datetime | None = None
) -> dict[str, int]:
    """Mark records matching an entry in force (added `since`) No Call: new ones per list."""
    before = dict(named_frame(con, "no_call_per_list").iter_rows())
    params = {"list_name": list_name, "since": since, "chains": None}
    con.execute(load_sql_statement("reapply_suppression"), params)
    after = named_frame(con, "no_call_per_list").iter_rows()
    return {name: n - before.get(name, 0) for name, n in after if n != before.get(name, 0)}


def named_frame(
    con: duckdb.DuckDBPyConnection,
    name: str,
    params: dict[str, Any] | None = None,
    columns: Sequence[str] | None = None,
) -> pl.DataFrame:
    """Run the named query sql/ops/<name>.sql with bound values and return a Polars frame.

    `columns` keeps only those columns of its result, in that order: DuckDB then reads no
    other column of the tables behind it.
    """
    relation = con.sql(load_sql_statement(name), params=params or None)
    if columns is not None:
        relation = relation.select(*(duckdb.ColumnExpression(column) for column in columns))
    return relation.pl()


def named_frames(
    con: duckdb.DuckDBPyConnection, queries: dict[str, dict[str, Any] | None]
) -> dict[str, pl.DataFrame]:
    """Run several named queries side by side, each on a cursor of `con`; frames by name.

    DuckDB runs parts of each query on one thread (the hand-over to Arrow): queries side by
    side keep the cores busy. Each cursor is a connection of its own with its own
    transaction, so the caller holds the write lock (nothing writes between the queries).
    """

    def one(name: str) -> pl.DataFrame:
        cursor = con.cursor()
        try:
            return named_frame(cursor, name, queries[name])
        finally:
            cursor.close()

    with ThreadPoolExecutor(max_workers=min(len(queries), 4) or 1) as pool:
        return dict(zip(queries, pool.map(one, queries), strict=True))


def whole_table(con: duckdb.DuckDBPyConnection, name: str) -> pl.DataFrame:
    """Every row of one allow-listed relation as a Polars frame."""
    return frame(con, f"SELECT * FROM {quote_identifier(name, set(RELATIONS))}")  # noqa: S608
