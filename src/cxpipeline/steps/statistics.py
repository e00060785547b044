"""Statistics step: rebuild list, group, hourly and zone statistics in one transaction."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

import polars as pl

from cxpipeline import schemas, warehouse
from cxpipeline.codes import CallResult
from cxpipeline.settings import Settings
from cxpipeline.steps import ops_statistics
from cxpipeline.steps.setup import prepare_warehouse
from cxpipeline.transforms import lifecycle_stats, local_calls, result_summaries, stats

STATISTICS_TABLES = ("list_stats", "group_stats", "hourly_stats", "zone_stats")


def build_statistics(settings: Settings) -> dict[str, int]:
    """Rebuild list_stats, group_stats, hourly_stats and zone_stats from records and results."""
    prepare_warehouse(settings)
    # The write lock is held throughout, and the inputs are read on a connection closed before
    # Polars works: closing it frees DuckDB's buffers (~185 MiB at 500k records) for the
    # frames; the tables are written on a second connection.
    with warehouse.writing(settings):
        inputs = _inputs(settings)
        tables, ops = _tables(inputs)
        con = warehouse.connect(settings)
        try:
            with warehouse.transaction(con):
                for name in STATISTICS_TABLES:
                    warehouse.replace_rows(con, name, tables[name])
                ops_statistics.write_ops_tables(con, ops)
        finally:
            con.close()
    return {
        "lists": tables["list_stats"].height,
        "groups": tables["group_stats"].height,
        "hourly_rows": tables["hourly_stats"].height,
    }


@dataclass(frozen=True)
class _Inputs:
    """Everything the statistics read from the warehouse."""

    records: pl.DataFrame
    summed: pl.DataFrame
    buckets: pl.DataFrame
    lists: pl.DataFrame
    lifecycle: pl.DataFrame
    ops: ops_statistics.OpsInputs


def _inputs(settings: Settings) -> _Inputs:
    """Read the statistics' inputs; the results are summed and counted in DuckDB."""
    con = warehouse.connect(settings)
    try:
        # The results are summed up per record and counted per bucket (and, for the 30-day
        # abandonment, per result) in DuckDB: only the sums travel to Polars.
        answer = {"answer": int(CallResult.ANSWER)}
        frames = warehouse.named_frames(
            con,
            {
                "records_for_stats": None,
                "results_per_record": answer,
                "calls_by_bucket": None,
                "list_groups": None,
                "lifecycle_stats_inputs": None,
            },
        )
        return _Inputs(
            records=frames["records_for_stats"],
            summed=frames["results_per_record"],
            buckets=frames["calls_by_bucket"],
            lists=frames["list_groups"],
            lifecycle=frames["lifecycle_stats_inputs"],
            ops=ops_statistics.ops_inputs(con),
        )
    finally:
        con.close()


def _tables(inputs: _Inputs) -> tuple[dict[str, pl.DataFrame], dict[str, pl.DataFrame]]:
    """Compute and validate the statistics tables and the operations tables."""
    records, summed = inputs.records.lazy(), inputs.summed.lazy()
    buckets = inputs.buckets.lazy()
    codes = result_summaries.per_code(buckets)
    limits = inputs.lifecycle.select("list_name", "abandon_limit").lazy()
    latest = inputs.lifecycle["as_of"].max() if inputs.lifecycle.height else None
    as_of = latest if isinstance(latest, datetime) else datetime.now(UTC)
    # Converted to local time once, for the hourly and operations tables.
    known = ops_statistics.known_zones(inputs.records)
    calls = local_calls.localised(buckets, known).collect()
    # The independent tables in one collect: Polars runs them side by side and reads the
    # records and results once for all of them.
    per_list, measures, completion, hourly, zones = pl.collect_all(
        [
            stats.every_list(stats.list_stats(records, summed, codes), inputs.lists.lazy()),
            lifecycle_stats.lifecycle_measures(records, summed, as_of),
            stats.completion_estimates(records, summed),
            stats.hourly_stats(calls.lazy()),
            stats.zone_stats(records, summed),
        ]
    )
    full = lifecycle_stats.with_list_measures(per_list.lazy(), measures.lazy(), limits).collect()
    tables = schemas.validated_statistics(
        {
            "list_stats": full.join(completion, on="list_name", how="left"),
            "group_stats": lifecycle_stats.with_group_measures(
                stats.group_stats(per_list.lazy()), full.lazy(), limits
            ).collect(),
            "hourly_stats": hourly,
            "zone_stats": zones,
        }
    )
    ops = ops_statistics.ops_tables(inputs.ops, inputs.records, calls.lazy(), known)
    return tables, ops
