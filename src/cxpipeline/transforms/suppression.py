"""Suppression: do-not-call matches and toll-free or premium numbers become No Call."""

from __future__ import annotations

from datetime import datetime

import polars as pl

from cxpipeline.codes import RecordType

SUPPRESSION_SCHEMA = {
    "suppression_list": pl.String,
    "e164": pl.String,
    "client_id": pl.String,
    "expires_at": pl.Datetime("us", "UTC"),
}

#: The internal list fed by Do Not Call call results (51).
DNC_RESULTS_LIST = "do_not_call_results"


def active_entries(entries: pl.LazyFrame, as_of: datetime) -> pl.LazyFrame:
    """Entries still in force at `as_of` (no expiry, or an expiry after it)."""
    return entries.filter(
        pl.col("expires_at").is_null()
        | (pl.col("expires_at") > pl.lit(as_of).dt.convert_time_zone("UTC"))
    )


def _first_match(records: pl.LazyFrame, entries: pl.LazyFrame, on: str) -> pl.LazyFrame:
    """record_id → the alphabetically first suppression list matching on one column."""
    keyed = (
        entries.filter(pl.col(on).is_not_null())
        .group_by(on)
        .agg(pl.col("suppression_list").min().alias(f"_by_{on}"))
    )
    return records.select("record_id", on).join(keyed, on=on, how="inner").drop(on)


def suppressed_records(
    records: pl.LazyFrame, entries: pl.LazyFrame, as_of: datetime
) -> pl.LazyFrame:
    """Set record_type 7 (No Call) and no_call_reason for suppressed or non-dialable numbers.

    Reasons, first that applies: `suppressed:<list>` by number, then by client id, then the
    phone stage's `phone_no_call_reason` (toll_free, premium_rate), then any reason already on
    the record. Other records keep their record_type.
    """
    active = active_entries(entries, as_of)
    by_number = _first_match(records, active, "e164")
    by_client = _first_match(records, active, "client_id")
    if "phone_no_call_reason" not in records.collect_schema().names():
        records = records.with_columns(phone_no_call_reason=pl.lit(None, dtype=pl.String))
    if "no_call_reason" not in records.collect_schema().names():
        records = records.with_columns(no_call_reason=pl.lit(None, dtype=pl.String))
    if "record_type" not in records.collect_schema().names():
        records = records.with_columns(record_type=pl.lit(int(RecordType.GENERAL), pl.Int32))
    reason = pl.coalesce(
        pl.lit("suppressed:") + pl.col("_by_e164"),
        pl.lit("suppressed:") + pl.col("_by_client_id"),
        pl.col("phone_no_call_reason"),
        pl.col("no_call_reason"),
    )
    return (
        records.join(by_number, on="record_id", how="left")
        .join(by_client, on="record_id", how="left")
        .with_columns(no_call_reason=reason)
        .with_columns(
            record_type=pl.when(pl.col("no_call_reason").is_not_null())
            .then(pl.lit(int(RecordType.NO_CALL)))
            .otherwise(pl.col("record_type"))
            .cast(pl.Int32)
        )
        .drop("_by_e164", "_by_client_id")
    )
