"""One batch of call results: which rows are new, and which were refused and why."""

from __future__ import annotations

import polars as pl

from cxpipeline.rejects import REJECT_SCHEMA


def new_results(joined: pl.DataFrame, previous: pl.DataFrame) -> pl.DataFrame:
    """Return the rows of a batch to load: known record, not repeated, not loaded before."""
    return joined.filter(~pl.col("unknown_record") & ~pl.col("duplicate_result")).join(
        previous.select("result_key"), on="result_key", how="anti"
    )


def result_rejects(
    read_rejects: pl.DataFrame, parsed: pl.DataFrame, joined: pl.DataFrame
) -> pl.DataFrame:
    """Return the refused rows of a batch: unreadable, unparsable, or for an unknown record."""
    parts = [
        read_rejects.select(*REJECT_SCHEMA),
        parsed.filter(pl.col("parse_error").is_not_null()).select(
            "source_row",
            pl.col("parse_error_field").alias("field"),
            pl.col("parse_error").alias("reason"),
            pl.lit(None, pl.String).alias("raw"),
        ),
        joined.filter(pl.col("unknown_record")).select(
            "source_row",
            pl.lit("record_id").alias("field"),
            pl.lit("unknown record_id").alias("reason"),
            pl.col("record_id").cast(pl.String).alias("raw"),
        ),
    ]
    return pl.concat(parts, how="vertical_relaxed")
