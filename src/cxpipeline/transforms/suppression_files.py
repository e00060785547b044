"""Suppression list files: which columns hold what, and the entries they give."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import polars as pl

from cxpipeline.spec.model import header_key

#: Header spellings accepted for each column of a suppression file (compared by header_key).
PHONE_HEADERS = ("phone", "e164", "number", "contact_info")
CLIENT_HEADERS = ("client_id",)
EXPIRY_HEADERS = ("expires_at", "expiry", "expires")


@dataclass(frozen=True)
class SuppressionColumns:
    """The file's own names of its phone, client id and expiry columns (None if absent)."""

    phone: str | None
    client_id: str | None
    expiry: str | None


def suppression_columns(headers: list[str]) -> SuppressionColumns:
    """Match a file's headers as the import spec compares them (case, spaces, _ - . ignored)."""
    keyed = {header_key(c): c for c in headers}

    def first(names: tuple[str, ...]) -> str | None:
        return next((keyed[k] for k in map(header_key, names) if k in keyed), None)

    return SuppressionColumns(first(PHONE_HEADERS), first(CLIENT_HEADERS), first(EXPIRY_HEADERS))


def _text_or_null(column: str | None) -> pl.Expr:
    return pl.col(column) if column else pl.lit(None, pl.String)


def suppression_rows(raw: pl.LazyFrame, columns: SuppressionColumns) -> pl.LazyFrame:
    """One row per file row: source_row, raw_phone, client_id (blank → null), _expiry text."""
    return raw.select(
        "source_row",
        _text_or_null(columns.phone).alias("raw_phone"),
        _text_or_null(columns.client_id).str.strip_chars().replace("", None).alias("client_id"),
        _text_or_null(columns.expiry).alias("_expiry"),
    )


def suppression_phone_values(rows: pl.LazyFrame, default_country: str) -> pl.LazyFrame:
    """Return the non-blank numbers of a suppression file as phone values for normalisation."""
    return rows.filter(pl.col("raw_phone").str.strip_chars().fill_null("") != "").select(
        "source_row",
        pl.lit("phone").alias("phone_field"),
        pl.lit(0, pl.Int64).alias("phone_index"),
        pl.lit(1, pl.Int64).alias("contact_info_type"),
        pl.lit(default_country).alias("default_country"),
        "raw_phone",
    )


def expiry_time(text: pl.Expr) -> pl.Expr:
    """Parse an expiry given as an ISO time (UTC unless an offset says otherwise) or a date."""
    expiry = text.str.strip_chars().replace("", None)
    return pl.coalesce(
        expiry.str.to_datetime(time_zone="UTC", strict=False),
        expiry.str.to_date(strict=False).cast(pl.Datetime("us")).dt.replace_time_zone("UTC"),
    )


def suppression_entries(
    rows: pl.LazyFrame,
    normalised: pl.LazyFrame,
    *,
    list_name: str,
    source_file: str,
    added_at: datetime,
) -> pl.LazyFrame:
    """Entries of a named list: rows with a valid number or a client id, deduplicated."""
    return (
        rows.join(normalised.select("source_row", "e164"), on="source_row", how="left")
        .with_columns(expires_at=expiry_time(pl.col("_expiry")))
        .filter(pl.col("e164").is_not_null() | pl.col("client_id").is_not_null())
        .select(
            pl.lit(list_name).alias("suppression_list"),
            "e164",
            "client_id",
            "expires_at",
            pl.lit(source_file).alias("source_file"),
            pl.lit(added_at).alias("added_at"),
        )
        .unique(subset=["e164", "client_id", "expires_at"], maintain_order=True)
    )


def dnc_result_entries(
    dnc_results: pl.LazyFrame, list_name: str, added_at: datetime
) -> pl.LazyFrame:
    """Suppression entries from Do Not Call results: the record's number and its client id."""
    return dnc_results.select(
        pl.lit(list_name).alias("suppression_list"),
        pl.col("contact_info").alias("e164"),
        "client_id",
        pl.lit(None, pl.Datetime("us", "UTC")).alias("expires_at"),
        pl.lit("call_results").alias("source_file"),
        pl.lit(added_at).alias("added_at"),
    ).unique(subset=["e164", "client_id"], maintain_order=True)
