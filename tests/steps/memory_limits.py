"""Record DuckDB's memory limit at a step's inserts and COMMITs (tests of the bound)."""

from __future__ import annotations

import contextlib
import math
from dataclasses import dataclass, field

import duckdb

from cxpipeline import warehouse, warehouse_memory


def shown_limit(megabytes: int) -> str:
    """How DuckDB shows a limit of `megabytes` MB: in MiB, cut to one decimal."""
    mib = megabytes * 10**6 / 2**20
    return f"{math.floor(mib * 10) / 10:.1f} MiB"


def current_limit(con: duckdb.DuckDBPyConnection) -> str:
    """The connection's memory limit as DuckDB shows it."""
    # fetchall: a result left unfinished would block the connection's next cursor
    return con.execute("SELECT current_setting('memory_limit')").fetchall()[0][0]


@dataclass
class Limits:
    """The limits seen at each insert (table, limit) and at each COMMIT."""

    inserts: list[tuple[str, str]] = field(default_factory=list)
    commits: list[str] = field(default_factory=list)
    #: DuckDB's checkpoint threshold at each COMMIT (a COMMIT past it checkpoints).
    thresholds: list[str] = field(default_factory=list)
    #: The bound (MB, None: unbounded) each explicit checkpoint was asked to run within.
    checkpoints: list[int | None] = field(default_factory=list)

    def at(self, table: str) -> list[str]:
        """The limits seen at the inserts into `table`."""
        return [limit for name, limit in self.inserts if name == table]


def recorded_limits(
    monkeypatch, *, out_of_memory_at: str | None = None, commit_fails_within: int | None = None
) -> Limits:
    """Record the limits; the first insert into `out_of_memory_at` runs out of memory.

    With `commit_fails_within` (MB), the first COMMIT within that bound fails as DuckDB's does
    (the transaction rolled back, a `TransactionException` raised).
    """
    limits = Limits()
    real_insert, real_transaction = warehouse.insert, warehouse.transaction
    real_checkpoint = warehouse_memory.checkpoint

    def insert(con, table, data):
        limits.inserts.append((table, current_limit(con)))
        if table == out_of_memory_at and len(limits.at(table)) == 1:
            raise duckdb.OutOfMemoryException("could not allocate block (test)")
        return real_insert(con, table, data)

    @contextlib.contextmanager
    def transaction(con):
        with real_transaction(con):
            yield con
            limits.commits.append(current_limit(con))
            threshold = con.execute("SELECT current_setting('checkpoint_threshold')").fetchone()
            limits.thresholds.append(threshold[0])
            bound = commit_fails_within and shown_limit(commit_fails_within)
            if limits.commits[-1] == bound and limits.commits.count(bound) == 1:  # the first
                # raised inside the transaction: it rolls back, as DuckDB's failed COMMIT does
                raise duckdb.TransactionException("Failed to commit: could not allocate (test)")

    def checkpoint(con, megabytes):
        limits.checkpoints.append(megabytes)
        return real_checkpoint(con, megabytes)

    monkeypatch.setattr(warehouse, "insert", insert)
    monkeypatch.setattr(warehouse, "transaction", transaction)
    monkeypatch.setattr(warehouse_memory, "checkpoint", checkpoint)
    return limits
