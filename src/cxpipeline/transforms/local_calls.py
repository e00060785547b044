"""Call attempts counted per list, result and the called party's local 15-minute bucket.

Local times are the called party's: the wall time in the record's zone (UTC when it has none or
the pinned release does not know it). Zone offsets and DST switches fall on quarter hours, so
every instant of a 15-minute UTC bucket shares its local hour and date: attempts are counted
per bucket first and each distinct (zone, bucket) is converted once. The hourly, best-time and
daily statistics all read these counts, so the results are bucketed and converted once for all.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.transforms.local_time import known_or_utc, utc_to_local

#: Columns of `local_calls`: the local wall time is that of the bucket's start.
LOCAL_CALLS_COLUMNS = ("list_name", "call_result", "local_time", "attempts")
_BUCKET_US = 15 * 60 * 1_000_000


#: Columns of `bucket_counts` (and of sql/ops/calls_by_bucket.sql, which counts the same).
BUCKET_COUNTS_COLUMNS = ("list_name", "tz_name", "bucket", "call_result", "attempts")


def bucket_counts(results: pl.LazyFrame, records: pl.LazyFrame) -> pl.LazyFrame:
    """Count attempts per list, the record's tz_name, 15-minute UTC bucket and call result.

    A result whose record is gone counts with a null zone. The statistics step reads the same
    counts from sql/ops/calls_by_bucket.sql, counted where the results are stored.
    """
    zones = records.select("record_id", "tz_name").unique(subset="record_id")
    return (
        results.select(
            "list_name",
            "record_id",
            pl.col("call_result").cast(pl.Int64),
            # The bucket as a number (cheaper to make and to group by than a truncated time).
            (pl.col("call_time_utc").dt.epoch("us") // _BUCKET_US).alias("bucket"),
        )
        .join(zones, on="record_id", how="left")
        .group_by("list_name", "tz_name", "bucket", "call_result")
        .agg(pl.len().cast(pl.Int64).alias("attempts"))
        .select(BUCKET_COUNTS_COLUMNS)
    )


def localised(counts: pl.LazyFrame, known_zones: frozenset[str]) -> pl.LazyFrame:
    """Turn `bucket_counts` into attempts per list, call result and local wall time.

    `known_zones` are the zones the conversion knows; any other zone (or none) counts as UTC.
    Each distinct (zone, bucket) is converted once.
    """
    counted = (
        counts.with_columns(_zone=known_or_utc(pl.col("tz_name"), known_zones))
        .group_by("list_name", "_zone", "bucket", "call_result")
        .agg(pl.col("attempts").sum().cast(pl.Int64))
        .cache()
    )
    start = pl.from_epoch(pl.col("bucket") * _BUCKET_US, time_unit="us")
    local = (
        counted.select("_zone", "bucket")
        .unique()
        .with_columns(
            local_time=utc_to_local(
                start.dt.replace_time_zone("UTC"), pl.col("_zone"), field="tz_name"
            )
        )
    )
    return counted.join(local, on=["_zone", "bucket"], how="left").select(LOCAL_CALLS_COLUMNS)


def local_calls(
    results: pl.LazyFrame, records: pl.LazyFrame, known_zones: frozenset[str]
) -> pl.LazyFrame:
    """Count attempts per list, call result and local wall time of their 15-minute bucket."""
    return localised(bucket_counts(results, records), known_zones)
