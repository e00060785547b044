"""DuckDB's memory bound for a step: a bounded block, a bounded transaction, a second try.

A step's statements and every checkpoint run within `Settings.warehouse_memory_mb` so its
peak stays flat as lists grow; a results load's and a plan's COMMIT too, an ingest's without
it; a step that needs more than the bound runs again without it.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterator
from typing import TypeVar

import duckdb

from cxpipeline import warehouse

T = TypeVar("T")

#: DuckDB's WAL size that triggers a checkpoint inside a COMMIT, raised for a bounded
#: transaction so that its checkpoint runs after the COMMIT, within the bound.
DEFERRED_CHECKPOINT = "1TB"


def capped(home: int | None, cap: int) -> int | None:
    """Return a step's bound in MB: `cap`, or the home's if lower (None: the home has none)."""
    return None if home is None else min(cap, home)


@contextlib.contextmanager
def memory_bound(con: duckdb.DuckDBPyConnection, megabytes: int | None) -> Iterator[None]:
    """Bound DuckDB's memory to `megabytes` MB inside the block (None: leave it unbounded).

    Beyond the bound DuckDB spills to disk where it can; a statement fails where it cannot.
    """
    with warehouse.option(con, "memory_limit", None if megabytes is None else f"{megabytes}MB"):
        yield


@contextlib.contextmanager
def bounded_transaction(
    con: duckdb.DuckDBPyConnection, megabytes: int | None, *, bound_commit: bool = False
) -> Iterator[duckdb.DuckDBPyConnection]:
    """One transaction whose statements run within `memory_bound`; the COMMIT too if asked.

    Lifted, the COMMIT keeps every block it reads cached: a day's results for the 5M list
    (25.5 M) peaked at 2.2 GiB in it, 1.2 GiB within the bound. It stays lifted where the
    transaction appends to a unique index (an ingest registering its identities): a COMMIT
    that runs out of memory there did not fail cleanly but invalidated the database instance,
    as a 5M-row list's commit did within 512 MB when `contact_records` still had unique
    indexes. The COMMIT does not checkpoint (it would, unbounded, past DuckDB's WAL
    threshold): the checkpoint follows it, within the bound.
    """
    with (
        memory_bound(con, megabytes),
        warehouse.option(con, "checkpoint_threshold", DEFERRED_CHECKPOINT),
        warehouse.transaction(con),
    ):
        yield con
        if not bound_commit:
            warehouse.reset_option(con, "memory_limit")
    checkpoint(con, megabytes)


def checkpoint(con: duckdb.DuckDBPyConnection, megabytes: int | None) -> bool:
    """Fold the WAL into the file within `memory_bound`; False if it failed.

    Unbounded, DuckDB caches every block it reads (1.5 GiB after 9.4 M results into a 500k
    list; 0.8 GiB bounded). A failure ends DuckDB's instance; the WAL keeps the commits.
    """
    try:
        with memory_bound(con, megabytes):
            con.execute("CHECKPOINT")
    except duckdb.Error:
        return False
    return True


def within_memory_bound(megabytes: int | None, attempt: Callable[[int | None], T]) -> T:
    """Run `attempt(megabytes)`; if DuckDB runs out of memory within the bound, once unbounded.

    The bound is a preference: `attempt` runs one transaction, which the failure rolled
    back, so nothing of the first attempt remains. An unbounded failure is raised.
    """
    try:
        return attempt(megabytes)
    except (duckdb.OutOfMemoryException, duckdb.TransactionException):
        if megabytes is None:
            raise  # already unbounded: another attempt would fail the same way
        return attempt(None)
