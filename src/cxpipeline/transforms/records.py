"""Calling-list records: phone values checked, rejects of a chunk, the dialer's record shape."""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import CallResult, RecordStatus
from cxpipeline.rejects import masked_digits

#: Dialer fields that start empty: the dialer fills them while it works the list.
_EMPTY_FIELDS: dict[str, pl.DataType] = {
    "dial_sched_time": pl.Int64(),
    "call_time": pl.Int64(),
    "campaign_id": pl.Int32(),
    "agent_id": pl.String(),
    "group_id": pl.Int32(),
    "app_id": pl.Int32(),
    "media_ref": pl.Int32(),
    "email_template_id": pl.Int32(),
    "switch_id": pl.Int32(),
    "treatments": pl.String(),
    "email_subject": pl.String(),
}


def checked_phone_values(values: pl.DataFrame, normalised_ok: pl.DataFrame) -> pl.DataFrame:
    """All phone values of a chunk: the normalised ones plus those the reader found damaged.

    A value the reader already knows is damaged (scientific notation that lost digits) is
    rejected as written rather than normalised into a guessed number; `normalised_ok` is the
    normalisation of the undamaged values (`undamaged_values`).
    """
    damaged = values.filter(pl.col("phone_issue").is_not_null())
    return pl.concat(
        [normalised_ok, damaged.with_columns(phone_reject_reason=pl.col("phone_issue"))],
        how="diagonal_relaxed",
    )


def undamaged_values(values: pl.DataFrame) -> pl.LazyFrame:
    """Keep the phone values the reader did not flag as damaged (they go to normalisation)."""
    return values.filter(pl.col("phone_issue").is_null()).lazy()


def chunk_rejects(
    excluded: pl.DataFrame,
    invalid: pl.DataFrame,
    no_phone: pl.DataFrame,
    bad_phones: pl.DataFrame,
) -> dict[str, pl.DataFrame]:
    """Return the rejects of one chunk by part, each in the reject columns (raw phones masked)."""
    return {
        "excluded": excluded.select(
            "source_row",
            pl.lit(None, pl.String).alias("field"),
            pl.col("_excluded_by").alias("reason"),
            pl.lit(None, pl.String).alias("raw"),
        ),
        "invalid": invalid.select("source_row", "field", "reason", "raw"),
        "no_phone": no_phone.select(
            "source_row",
            pl.lit("phone").alias("field"),
            pl.lit("no phone number").alias("reason"),
            pl.lit(None, pl.String).alias("raw"),
        ),
        "phone": bad_phones.select(
            "source_row",
            pl.col("phone_field").alias("field"),
            pl.col("phone_reject_reason").alias("reason"),
            masked_digits("raw_phone").alias("raw"),
        ),
    }


def calling_list_records(
    keyed: pl.LazyFrame,
    daily: pl.LazyFrame,
    zone_abbreviations: pl.LazyFrame,
    *,
    list_name: str,
    group: str,
    run_id: str,
    source_file: str,
) -> pl.LazyFrame:
    """Shape enriched records as calling-list records (docs/domain.md §2) plus audit columns."""
    return (
        keyed.join(
            daily.select("record_id", "daily_from", "daily_till"), on="record_id", how="left"
        )
        .join(zone_abbreviations, on="tz_name", how="left")
        .with_columns(
            contact_info=pl.col("e164"),
            list_name=pl.lit(list_name),
            campaign_group=pl.lit(group),
            record_status=pl.lit(int(RecordStatus.READY), pl.Int32),
            call_result=pl.lit(int(CallResult.UNKNOWN), pl.Int32),
            attempt=pl.lit(0, pl.Int32),
            daily_from=pl.col("daily_from").fill_null(28800).cast(pl.Int32),
            daily_till=pl.col("daily_till").fill_null(64800).cast(pl.Int32),
            contact_info_type=pl.col("contact_info_type").cast(pl.Int32),
            record_type=pl.col("record_type").cast(pl.Int32),
            run_id=pl.lit(run_id),
            source_file=pl.lit(source_file),
            chain_n=pl.col("chain_n").cast(pl.Int32),
            **{name: pl.lit(None, dtype) for name, dtype in _EMPTY_FIELDS.items()},
        )
    )
