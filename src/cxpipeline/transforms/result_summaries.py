"""Call results summed up per record and counted per result code: what the statistics read.

The list, zone, lifecycle and completion statistics need no single result, only these sums:
a record's attempts, connects, talk time and last call, and each list's attempts per result.
The statistics step reads them from the warehouse (sql/ops/results_per_record.sql and the
bucket counts of sql/ops/calls_by_bucket.sql), so the results themselves stay in DuckDB;
these functions compute the same from a frame of results.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import CallResult

#: Columns of `per_record` (and of sql/ops/results_per_record.sql).
PER_RECORD_COLUMNS = (
    "list_name",
    "record_id",
    "chain_id",
    "attempts",
    "connects",
    "answer_talk_s",
    "last_call_utc",
)


def per_record(results: pl.LazyFrame) -> pl.LazyFrame:
    """One row per list, record and chain of `results`.

    Columns: attempts, connects (result 33 Answer), answer_talk_s (the connects' duration_s
    summed, 0 without any) and last_call_utc.
    """
    answer = pl.col("call_result") == int(CallResult.ANSWER)
    return (
        results.group_by("list_name", "record_id", "chain_id")
        .agg(
            pl.len().cast(pl.Int64).alias("attempts"),
            answer.sum().cast(pl.Int64).alias("connects"),
            pl.col("duration_s").filter(answer).sum().cast(pl.Float64).alias("answer_talk_s"),
            pl.col("call_time_utc").max().alias("last_call_utc"),
        )
        .select(PER_RECORD_COLUMNS)
    )


def per_code(counts: pl.LazyFrame) -> pl.LazyFrame:
    """Count attempts per list and call result, from a frame of list_name, call_result, attempts.

    The statistics step passes the bucket counts of `local_calls.bucket_counts`; a frame of
    single results passes with attempts = 1.
    """
    return counts.group_by("list_name", pl.col("call_result").cast(pl.Int64)).agg(
        pl.col("attempts").sum().cast(pl.Int64)
    )
