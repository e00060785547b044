"""Suppression list files: which columns hold what, the entries they give, what they refuse."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

import polars as pl

from cxpipeline.rejects import REJECT_SCHEMA, masked_digit_runs
from cxpipeline.spec.model import header_key

#: Header spellings accepted for each column of a suppression file (compared by header_key).
PHONE_HEADERS = ("phone", "e164", "number", "contact_info", "phone_number", "telephone", "tel")
CLIENT_HEADERS = ("client_id",)
EXPIRY_HEADERS = ("expires_at", "expiry", "expires")


@dataclass(frozen=True)
class SuppressionColumns:
    """The file's own names of its phone, client id and expiry columns (None if absent)."""

    phone: str | None
    client_id: str | None
    expiry: str | None


def suppression_columns(
    headers: list[str],
    phone: str | None = None,
    client_id: str | None = None,
    expiry: str | None = None,
) -> SuppressionColumns:
    """Match a file's headers as the import spec compares them (case, spaces, _ - . ignored).

    A column named by the caller (`--column`, `--client-column`, `--expiry-column`) wins over
    the usual spellings; one that the file lacks raises KeyError naming it.
    """
    keyed = {header_key(c): c for c in headers}

    def first(chosen: str | None, names: tuple[str, ...]) -> str | None:
        if chosen is not None:
            if header_key(chosen) not in keyed:
                raise KeyError(chosen)
            return keyed[header_key(chosen)]
        return next((keyed[k] for k in map(header_key, names) if k in keyed), None)

    return SuppressionColumns(
        first(phone, PHONE_HEADERS), first(client_id, CLIENT_HEADERS), first(expiry, EXPIRY_HEADERS)
    )


_NUMBER_LIKE = re.compile(r"^[\s\d()+\-./]*$")


def looks_headerless(headers: list[str]) -> bool:
    """Whether a file's first line is data: its first cell is a phone number, not a name."""
    first = headers[0].strip() if headers else ""
    return bool(_NUMBER_LIKE.match(first)) and sum(ch.isdigit() for ch in first) >= 7


_DURATION = re.compile(r"^(?:(\d+)y)?(?:(\d+)m)?(?:(\d+)w)?(?:(\d+)d)?$")


def expiry_offset(text: str) -> str:
    """Turn a list's expiry period ('3y14d': years, months m, weeks w, days d) into a Polars offset.

    Raises ValueError for anything else or a zero period.
    """
    match = _DURATION.match(text.strip().lower())
    if not text.strip() or match is None or not any(int(g or 0) for g in match.groups()):
        raise ValueError(f"not a period like 3y14d, 6m or 90d: {text!r}")
    units = ("y", "mo", "w", "d")
    return "".join(f"{int(g)}{u}" for g, u in zip(match.groups(), units, strict=True) if g)


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


def _bad_expiry() -> pl.Expr:
    """Flag rows whose expiry is written but is not a date or time (such a row is refused)."""
    written = pl.col("_expiry").str.strip_chars().fill_null("") != ""
    return written & expiry_time(pl.col("_expiry")).is_null()


def suppression_entries(
    rows: pl.LazyFrame,
    normalised: pl.LazyFrame,
    *,
    list_name: str,
    source_file: str,
    added_at: datetime,
    expires_after: str | None = None,
) -> pl.LazyFrame:
    """Entries of a named list: rows with a valid number or a client id, deduplicated.

    A row whose expiry cannot be read gives no entry (it is refused, see suppression_rejects);
    `expires_after` (a Polars offset from expiry_offset) dates the entries without their own.
    """
    utc = pl.Datetime("us", "UTC")
    added = pl.lit(added_at).cast(utc)
    default = added.dt.offset_by(expires_after) if expires_after else pl.lit(None, utc)
    return (
        rows.join(normalised.select("source_row", "e164"), on="source_row", how="left")
        .filter(~_bad_expiry())
        .with_columns(expires_at=pl.coalesce(expiry_time(pl.col("_expiry")), default))
        .filter(pl.col("e164").is_not_null() | pl.col("client_id").is_not_null())
        .select(
            pl.lit(list_name).alias("suppression_list"),
            "e164",
            "client_id",
            "expires_at",
            pl.lit(source_file).alias("source_file"),
            added.alias("added_at"),
        )
        .unique(subset=["e164", "client_id", "expires_at"], maintain_order=True)
    )


def suppression_rejects(
    rows: pl.LazyFrame, normalised: pl.LazyFrame, columns: SuppressionColumns
) -> pl.LazyFrame:
    """Every refused value of a suppression file, one reject each, phone digits masked.

    A number that is not a valid phone number, an expiry that is not a date, and a row with
    neither a number nor a client id are refused; a row's client id still loads when only its
    number is refused.
    """
    reasons = normalised.select("source_row", "phone_reject_reason")
    joined = rows.join(reasons, on="source_row", how="left")
    blank_phone = pl.col("raw_phone").str.strip_chars().fill_null("") == ""
    phone = joined.filter(pl.col("phone_reject_reason").is_not_null()).select(
        "source_row",
        pl.lit(columns.phone).alias("field"),
        pl.format("invalid phone number: {}", "phone_reject_reason").alias("reason"),
        masked_digit_runs("raw_phone").alias("raw"),
    )
    expiry = joined.filter(_bad_expiry()).select(
        "source_row",
        pl.lit(columns.expiry).alias("field"),
        pl.lit("expiry is not a date or time (row not loaded)").alias("reason"),
        pl.col("_expiry").str.slice(0, 80).alias("raw"),
    )
    empty = joined.filter(blank_phone & pl.col("client_id").is_null()).select(
        "source_row",
        pl.lit(None, pl.String).alias("field"),
        pl.lit("no phone number or client id").alias("reason"),
        pl.lit(None, pl.String).alias("raw"),
    )
    typed = [f.cast(REJECT_SCHEMA) for f in (phone, expiry, empty)]  # type: ignore[arg-type]
    return pl.concat(typed).sort("source_row", "field", nulls_last=True)


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
