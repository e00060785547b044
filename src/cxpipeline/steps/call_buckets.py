"""The kept call counts per list, zone, 15-minute bucket and result (table call_buckets).

The hourly, best-time and daily statistics count every result of a list per 15-minute bucket
(sql/ops/calls_by_bucket.sql): the largest read of a refresh, and it grows with the list's
whole history (1.4 of 4.0 s for a 1M-customer list's 18.7 M results). A list's counts are kept
instead: a results load adds its new results' counts, an ingest deletes the list's rows (its
records' zones may change), and a refresh reads the kept rows when they count every result of
the list (the only check needed: the rows change with the results and the ingests alone,
each in its own transaction), otherwise counts the results again and keeps that.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import warehouse, warehouse_files
from cxpipeline.transforms import chains

#: Kept rows beyond this many per distinct key are written back summed by the next refresh.
COMPACT_RATIO = 2


@dataclass(frozen=True)
class Kept:
    """What a list's kept rows hold: its results, the attempts they count, the rows."""

    results: int
    counted: int
    stored_rows: int

    @property
    def complete(self) -> bool:
        """True when the rows count every result of the list (and so can be read)."""
        return self.results == self.counted


def kept(con: duckdb.DuckDBPyConnection, list_name: str, list_id: int) -> Kept:
    """Return what the kept rows of one list hold against its results."""
    low, high = chains.id_block(list_id)
    params = {"list_name": list_name, "lo": low, "hi": high}
    results, counted, rows = con.execute(
        warehouse.load_sql_statement("call_bucket_counts"), params
    ).fetchall()[0]
    return Kept(results=int(results), counted=int(counted), stored_rows=int(rows))


def complete(con: duckdb.DuckDBPyConnection, owners: Iterable[tuple[str, int]]) -> dict[str, Kept]:
    """Return, by name, what the kept rows hold of the lists (name, list_id) they complete."""
    held = {name: kept(con, name, list_id) for name, list_id in owners}
    return {name: found for name, found in held.items() if found.complete}


def owners_of_chains(con: duckdb.DuckDBPyConnection, chain_ids: pl.Series) -> list[tuple[str, int]]:
    """Return the lists (name, list_id) whose id blocks hold `chain_ids`."""
    ids = chains.block_owners(chain_ids)
    lists = warehouse.named_frame(con, "list_groups").filter(pl.col("list_id").is_in(ids))
    return [
        (name, int(list_id)) for name, list_id in lists.select("list_name", "list_id").iter_rows()
    ]


def add_new(con: duckdb.DuckDBPyConnection, fresh: list[Path], lists: list[str]) -> None:
    """Add the counts of a load's new results (staged files) for `lists` (their rows complete).

    Call in the load's transaction, its results stored: the lists checked before the INSERT.
    """
    if not lists or not fresh:
        return
    with warehouse_files.registered_files(con, "_fresh", fresh):
        con.execute(warehouse.load_sql_statement("add_call_buckets"), {"lists": lists})
