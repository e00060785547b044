"""Statistics step: rebuild list, group, hourly and zone statistics in one transaction.

The records, their results summed per record and today's windows are read and summed one
slice of whole chains at a time (`transforms.slices`), so the step's memory follows
`Settings.statistics_slice_records`, not the size of the warehouse; the slices' sums are
added up, and the rates worked out from the totals. A refresh of some lists (those a results
load or an ingest changed: `steps.statistics_scope`) reads and rebuilds only their rows, and
their groups'; the calls per zone and 15-minute bucket of a list whose kept counts add up to
its results are read from them (`steps.call_buckets`), not counted again from every result.
"""

from __future__ import annotations

from collections.abc import Callable, Collection
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from typing import Any, TypeVar

import duckdb
import polars as pl

from cxpipeline import schemas, warehouse, warehouse_memory
from cxpipeline.codes import CallResult
from cxpipeline.settings import Settings
from cxpipeline.steps import call_buckets, ops_statistics
from cxpipeline.steps.common import chain_slices
from cxpipeline.steps.statistics_scope import Scope, scope_of
from cxpipeline.transforms import (
    lifecycle_stats,
    local_calls,
    ops_stats,
    result_summaries,
    slices,
    stats,
)

T = TypeVar("T")

STATISTICS_TABLES = ("list_stats", "group_stats", "hourly_stats", "zone_stats")

#: DuckDB's memory for the statistics' reads, in MB (the home's bound if that is lower).
#: Their frames sit beside DuckDB's cache, which a 5M list's slices fill to the bound: within
#: 512 MB the statistics of 93.6 M results peaked at 1,053-1,062 MiB, within 384 at 936 in
#: the same time (28.5 s); 256 MB took 844 MiB but spilled at 1M (4.4 -> 5.4-6.4 s).
STATISTICS_READ_MB = 384

#: Each slice's sums, by name, with the keys they add up by.
_SUM_KEYS: dict[str, tuple[str, ...]] = {
    "list_records": ("list_name",),
    "list_results": ("list_name",),
    "lifecycle_records": ("list_name",),
    "lifecycle_results": ("list_name",),
    "completion": ("list_name",),
    "zones": stats.ZONE_KEYS,
    "dialable_today": ops_stats.DIALABLE_TODAY_KEYS,
}


def build_statistics(settings: Settings, lists: Collection[str] | None = None) -> dict[str, int]:
    """Rebuild the statistics tables from records, results and windows: all, or some lists'.

    `lists`: the lists whose records, results or windows changed since the last refresh (a
    results load's, an ingest's). Their rows are rebuilt, the group rows added up again and
    the 30-day abandonment of their groups recounted; the other lists' rows stay as they
    were, which is what a full rebuild would write for them. None rebuilds everything.
    Returns the list rows rebuilt, the groups and the hourly rows written: none when
    `lists` is empty and every list has its row (a step that changed nothing writes nothing).
    """
    # The write lock is held throughout, and every read is on a connection closed before
    # Polars works: closing it frees DuckDB's buffers (~185 MiB at 500k records) for the
    # frames; the tables are written on a connection of their own.
    with warehouse.writing(settings):
        if lists is not None and not lists and not _bounded(settings, _rows_missing):
            return {"lists": 0, "groups": 0, "hourly_rows": 0}
        inputs, first = _inputs(settings, lists)
        sums = _slice_sums(settings, inputs, first)
        tables = _tables(inputs, sums)
        con = warehouse.connect(settings)
        try:
            with warehouse.transaction(con):
                _write(con, inputs.scope, tables)
                _keep_buckets(con, inputs)
        finally:
            con.close()
    return {
        "lists": tables["list_stats"].height,
        "groups": tables["group_stats"].height,
        "hourly_rows": tables["hourly_stats"].height,
    }


def _write(con: duckdb.DuckDBPyConnection, scope: Scope, tables: dict[str, pl.DataFrame]) -> None:
    """Replace the scope's rows of every statistics table (call inside a transaction)."""
    for name, frame in tables.items():
        if scope.every_list or name == "group_stats":  # the groups: added up from every list
            warehouse.replace_rows(con, name, frame)
            continue
        key, values = (
            ("campaign_group", scope.groups)
            if name == "abandonment_30d"
            else ("list_name", scope.lists)
        )
        for value in values or ():
            warehouse.delete_where(con, name, **{key: value})
        warehouse.insert(con, name, frame)


def _keep_buckets(con: duckdb.DuckDBPyConnection, inputs: _Inputs) -> None:
    """Write the kept call counts of the lists `inputs.keep_buckets` names (call in a transaction).

    From the counts this refresh read (counted from the results or summed from kept rows),
    so the next refresh after a results load reads them (`steps.call_buckets`).
    """
    lists = inputs.keep_buckets
    rows = (
        inputs.buckets if lists is None else inputs.buckets.filter(pl.col("list_name").is_in(lists))
    )
    rows = schemas.checked(rows, schemas.CallBucketRow)
    if lists is None:
        warehouse.replace_rows(con, "call_buckets", rows)
        return
    for name in lists:
        warehouse.delete_where(con, "call_buckets", list_name=name)
    if rows.height:
        warehouse.insert(con, "call_buckets", rows)


@dataclass(frozen=True)
class _Inputs:
    """What the statistics read from the warehouse besides the slices, and the slices."""

    scope: Scope
    #: Call attempts per list, zone, 15-minute bucket and result (kept or counted).
    buckets: pl.DataFrame
    #: The lists whose kept counts a refresh writes (counted again, or to be summed); None:
    #: every list (the whole table).
    keep_buckets: tuple[str, ...] | None
    #: The scope's lists with their groups (each gets a row, records or not).
    lists: pl.DataFrame
    lifecycle: pl.DataFrame
    #: The list_stats rows of the lists outside the scope (their groups are added up again).
    others: pl.DataFrame
    latest: pl.DataFrame
    ops: ops_statistics.OpsInputs
    ranges: list[tuple[int, int]]
    #: Each list's lifecycle as-of (its latest plan's, else now): list_name, as_of.
    as_of: pl.DataFrame


def _block_queries(
    low: int, high: int, kept_list: str | None = None
) -> dict[str, dict[str, Any] | None]:
    """Return the queries of one block of chain ids, [low, high), that are not read in slices.

    The calls per bucket are the kept counts of `kept_list` (its block's list) when given.
    """
    bounds = {"lo": low, "hi": high}
    calls: dict[str, dict[str, Any] | None] = (
        {"stored_call_buckets": {"list_name": kept_list}}
        if kept_list is not None
        else {"calls_by_bucket": bounds}
    )
    return {**calls, "latest_calls": bounds}


def _bucket_frame(frames: dict[str, pl.DataFrame]) -> pl.DataFrame:
    """Return a block's calls per bucket, kept or counted (`_block_queries`)."""
    return frames.get("stored_call_buckets", frames.get("calls_by_bucket", pl.DataFrame()))


def _slice_queries(low: int, high: int) -> dict[str, dict[str, Any] | None]:
    """Return the queries of one slice of chains, ids in [low, high)."""
    bounds = {"lo": low, "hi": high}
    return {
        "records_for_stats": bounds,
        "results_per_record": {"answer": int(CallResult.ANSWER), **bounds},
        "windows_for_stats": bounds,
    }


def _read(settings: Settings, queries: dict[str, dict[str, Any] | None]) -> dict[str, pl.DataFrame]:
    """Run named queries side by side on a connection closed before the frames are used."""
    return _bounded(settings, partial(warehouse.named_frames, queries=queries))


def _bounded(settings: Settings, read: Callable[[duckdb.DuckDBPyConnection], T]) -> T:
    """Run `read` on a connection of its own, DuckDB's memory bounded; closed before returning.

    Within `read_bound`, DuckDB's joins and aggregates over the results spill instead of
    growing with them (the 5M list with 93.6 M results: the first read 2.2 -> 0.9 GiB); a
    read that cannot fit runs again without the bound.
    """

    def attempt(megabytes: int | None) -> T:
        con = warehouse.connect(settings)
        try:
            with warehouse_memory.memory_bound(con, megabytes):
                return read(con)
        finally:
            con.close()

    return warehouse_memory.within_memory_bound(read_bound(settings), attempt)


def read_bound(settings: Settings) -> int | None:
    """DuckDB's memory bound of the statistics' reads, in MB (`STATISTICS_READ_MB` at most)."""
    return warehouse_memory.capped(settings.warehouse_memory_mb, STATISTICS_READ_MB)


def _inputs(
    settings: Settings, lists: Collection[str] | None
) -> tuple[_Inputs, list[dict[str, pl.DataFrame]]]:
    """Read the inputs that do not grow with the records, cut the slices, read the first.

    The first slice is read with the other inputs, side by side (the results are counted
    per bucket, and for the 30-day abandonment per result, in DuckDB: only counts travel).
    Only the blocks of `lists` are read (None: every list). Returns the inputs and a list
    holding the first slice's frames, for `_slice_sums`.
    """
    read = partial(_inputs_on, size=settings.statistics_slice_records, lists=lists)
    return _bounded(settings, read)


def _inputs_on(
    con: duckdb.DuckDBPyConnection, size: int, lists: Collection[str] | None
) -> tuple[_Inputs, list[dict[str, pl.DataFrame]]]:
    """Read `_inputs` on `con`, in slices of about `size` records."""
    known = warehouse.named_frame(con, "list_groups")
    stored = warehouse.whole_table(con, "list_stats")
    scope = scope_of(lists, known, stored)
    # A scope without a block (lists that no longer exist) reads the empty range [0, 0).
    blocks = scope.blocks or ((0, 0),)
    kept = _kept_lists(con, scope)
    ranges = [r for low, high in blocks for r in chain_slices(con, size, low, high)]
    first = _slice_queries(*ranges[0])
    block_queries = [
        _block_queries(*block, kept[index][0] if index in kept else None)
        for index, block in enumerate(blocks)
    ]
    queries = {
        "lifecycle_stats_inputs": None,
        **block_queries[0],
        **ops_statistics.ops_queries(scope.groups),
        **first,
    }
    frames = warehouse.named_frames(con, queries)
    # More than one block: a refresh of a few lists; their calls and latest calls are small.
    per_block = [frames, *(warehouse.named_frames(con, q) for q in block_queries[1:])]
    buckets = pl.concat([_bucket_frame(block) for block in per_block], how="vertical_relaxed")
    lifecycle = frames["lifecycle_stats_inputs"]
    inputs = _Inputs(
        scope=scope,
        buckets=buckets,
        keep_buckets=_to_keep(scope, kept, buckets),
        lists=scope.keeps(known).drop("list_id"),
        lifecycle=lifecycle,
        others=scope.others(stored),
        latest=pl.concat([block["latest_calls"] for block in per_block]),
        ops=ops_statistics.ops_inputs(con, frames),
        ranges=ranges,
        as_of=_as_of(known, lifecycle),
    )
    return inputs, [{name: frames[name] for name in first}]


def _kept_lists(con: duckdb.DuckDBPyConnection, scope: Scope) -> dict[int, tuple[str, int]]:
    """Return, by block index, the scope's lists whose kept call counts are complete.

    Each with the rows it keeps. A refresh of every list counts every result again (one
    read of all of them).
    """
    complete = call_buckets.complete(con, scope.block_lists)
    return {
        index: (name, complete[name].stored_rows)
        for index, (name, _) in enumerate(scope.block_lists)
        if name in complete
    }


def _to_keep(
    scope: Scope, kept: dict[int, tuple[str, int]], buckets: pl.DataFrame
) -> tuple[str, ...] | None:
    """Return the lists whose kept counts this refresh writes (None: the whole table).

    Those counted again, and kept ones whose rows (each load adds some) are more than
    `call_buckets.COMPACT_RATIO` times their keys: written back summed.
    """
    if scope.every_list:
        return None
    keys = dict(buckets.group_by("list_name").len().iter_rows())
    counted = set(scope.lists or ()) - {name for name, _ in kept.values()}
    compact = {
        name
        for name, rows in kept.values()
        if rows > call_buckets.COMPACT_RATIO * keys.get(name, 0)
    }
    return tuple(sorted(counted | compact))


def _rows_missing(con: duckdb.DuckDBPyConnection) -> bool:
    """Whether some list has no list_stats row yet (a refresh of no list still writes it)."""
    known = warehouse.named_frame(con, "list_groups")
    stored = warehouse.whole_table(con, "list_stats")
    return bool(scope_of((), known, stored).lists)


def _as_of(known: pl.DataFrame, lifecycle: pl.DataFrame) -> pl.DataFrame:
    """Return each list's lifecycle as-of: its latest plan's, else now (list_name, as_of)."""
    now = datetime.now(UTC)
    return (
        known.select("list_name")
        .join(lifecycle.select("list_name", "as_of"), on="list_name", how="left")
        .with_columns(pl.col("as_of").dt.convert_time_zone("UTC").fill_null(now))
    )


def _slice_sums(
    settings: Settings, inputs: _Inputs, first: list[dict[str, pl.DataFrame]]
) -> dict[str, pl.LazyFrame]:
    """Sum each slice of chains in turn (the first one read: `first`); add the sums up."""
    parts: dict[str, list[pl.DataFrame]] = {name: [] for name in _SUM_KEYS}
    latest = inputs.latest.lazy()
    for low, high in inputs.ranges:
        # Popped: the caller's list lets go of the first slice once it is summed.
        frames = first.pop() if first else _read(settings, _slice_queries(low, high))
        records = frames["records_for_stats"]
        records_lf, summed = records.lazy(), frames["results_per_record"].lazy()
        queries = {
            "list_records": stats.list_record_sums(records_lf),
            "list_results": stats.list_result_sums(summed),
            "lifecycle_records": lifecycle_stats.lifecycle_record_sums(
                records_lf, summed, inputs.as_of.lazy()
            ),
            "lifecycle_results": lifecycle_stats.lifecycle_result_sums(summed),
            "completion": stats.completion_sums(records_lf, summed, latest),
            "zones": stats.zone_sums(records_lf, summed),
            "dialable_today": ops_statistics.dialable_today_counts(
                frames["windows_for_stats"], records, inputs.ops.plan_as_of
            ),
        }
        # In one collect: Polars runs them side by side and reads the slice once for all.
        # Kept past its slice, a sum holds its own copy (one slice: nothing to keep alive).
        for name, frame in zip(queries, pl.collect_all(list(queries.values())), strict=True):
            parts[name].append(slices.owned(frame) if len(inputs.ranges) > 1 else frame)
        del frames, records, records_lf, summed, queries
    return {name: slices.added_up(parts[name], keys) for name, keys in _SUM_KEYS.items()}


def _tables(inputs: _Inputs, sums: dict[str, pl.LazyFrame]) -> dict[str, pl.DataFrame]:
    """Compute and validate the statistics and operations tables from the sums, by name.

    The list tables hold the scope's lists; the groups are added up from every list's row
    (the stored rows of the lists outside the scope).
    """
    codes = result_summaries.per_code(inputs.buckets.lazy())
    limits = inputs.lifecycle.select("list_name", "abandon_limit").lazy()
    # Converted to local time once, for the hourly and operations tables.
    calls = local_calls.localised(
        inputs.buckets.lazy(), ops_statistics.known_zones(inputs.buckets["tz_name"])
    ).collect()
    per_list, measures, completion, hourly, zones = pl.collect_all(
        [
            stats.every_list(
                stats.list_stats_from(sums["list_records"], sums["list_results"], codes),
                inputs.lists.lazy(),
            ),
            lifecycle_stats.lifecycle_from(sums["lifecycle_records"], sums["lifecycle_results"]),
            stats.completion_from(sums["completion"]),
            stats.hourly_stats(calls.lazy()),
            stats.zone_stats_from(sums["zones"]),
        ]
    )
    full = lifecycle_stats.with_list_measures(per_list.lazy(), measures.lazy(), limits).collect()
    every = pl.concat([inputs.others.select(full.columns), full], how="vertical_relaxed").lazy()
    tables = schemas.validated_statistics(
        {
            "list_stats": full.join(completion, on="list_name", how="left"),
            "group_stats": lifecycle_stats.with_group_measures(
                stats.group_stats(every), every, limits
            ).collect(),
            "hourly_stats": hourly,
            "zone_stats": zones,
        }
    )
    ops = ops_statistics.ops_tables(inputs.ops, calls.lazy(), sums["dialable_today"])
    return {**tables, **ops}
