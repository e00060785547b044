"""Pandera (polars) schemas of the frames that cross a boundary, and row-level validation.

`validated(frame, model)` checks a collected frame with `lazy=True`, so every failure of a file
is found in one pass, and splits it into valid rows and rejects (source_row, field, reason, raw).
Integer widths follow the warehouse DDL (INTEGER → Int32, BIGINT → Int64); models of frames we
build ourselves coerce, so a stage may hand over Int64 where Int32 is stored.
"""

from __future__ import annotations

from typing import Annotated, Any, cast

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig
from pandera.errors import SchemaErrors

from cxpipeline.errors import InputError

_TEXT = 255  # the dialer's user-field width


def _other(i: int) -> Any:
    return pa.Field(
        nullable=True, str_length={"max_value": _TEXT}, description=f"User field other{i}."
    )


class InputRow(pa.DataFrameModel):
    """A mapped input row (docs/stages.md §1): one customer, before phone normalisation."""

    source_row: pl.Int64 = pa.Field(ge=1, unique=True, description="1-based data row of the file.")
    client_id: str = pa.Field(
        nullable=True, str_length={"max_value": _TEXT}, description="Client's customer id."
    )
    first_name: str = pa.Field(
        nullable=True, str_length={"max_value": _TEXT}, description="First name."
    )
    last_name: str = pa.Field(
        nullable=True, str_length={"max_value": _TEXT}, description="Last name."
    )
    company: str = pa.Field(
        nullable=True, str_length={"max_value": _TEXT}, description="Company name."
    )
    postal_code: str = pa.Field(
        nullable=True, description="Postal code, US ZIP leading zeros repaired."
    )
    state_code: str = pa.Field(nullable=True, description="Two-letter state or province code.")
    country_code_iso: str = pa.Field(
        nullable=True, description="ISO 3166 two-letter country of the customer."
    )
    tz_name_input: str = pa.Field(
        nullable=True,
        str_length={"max_value": 64},
        description="Time zone given in the file (IANA name or abbreviation).",
    )
    other1: str = _other(1)
    other2: str = _other(2)
    other3: str = _other(3)
    other4: str = _other(4)
    other5: str = _other(5)
    other6: str = _other(6)
    other7: str = _other(7)
    other8: str = _other(8)
    other9: str = _other(9)
    other10: str = _other(10)
    other11: str = _other(11)
    other12: str = _other(12)
    other13: str = _other(13)
    other14: str = _other(14)
    other15: str = _other(15)
    other16: str = _other(16)
    other17: str = _other(17)
    other18: str = _other(18)
    other19: str = _other(19)
    other20: str = _other(20)
    phone_count: pl.Int64 = pa.Field(description="Non-empty phone cells of the row.")
    user_fields: str = pa.Field(description="JSON object of the unrecognised columns.")
    row_hash: pl.UInt64 = pa.Field(description="Hash of the mapped row, for duplicate rows.")

    class Config(BaseConfig):
        """Extra columns (the phone columns) are allowed."""

        strict = False

    @pa.check("phone_count", error="no phone number")
    def _has_phone(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key) >= 1)

    @pa.check("state_code", error="not a two-letter state code")
    def _state(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).str.contains(r"^[A-Z]{2}$"))

    @pa.check("country_code_iso", error="not a two-letter ISO country code")
    def _country(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col(data.key).str.contains(r"^[A-Z]{2}$"))

    @pa.check("postal_code", error="not a valid postal code (US: 5 digits or ZIP+4)")
    def _postal(cls, data: pa.PolarsData) -> pl.LazyFrame:
        # US ZIPs (country US/PR/VI or none given) are strict; others only look plausible
        code = pl.col(data.key)
        country = pl.col("country_code_iso")
        us = country.is_null() | country.is_in(["US", "PR", "VI"])
        return data.lazyframe.select(
            pl.when(us)
            .then(code.str.contains(r"^\d{5}(-?\d{4})?$"))
            .otherwise(code.str.contains(r"^[A-Za-z0-9][A-Za-z0-9 -]{1,9}$"))
        )


_TZ_SOURCES = [
    "explicit",
    "postal_code",
    "postal_code+area_code",
    "area_code_exchange",
    "area_code",
    "country",
    "none",
]


class CallingListRecord(pa.DataFrameModel):
    """A calling-list record: the dialer's mandatory fields (domain.md §2) and audit columns."""

    record_id: pl.Int64 = pa.Field(ge=0, unique=True, description="Record id, unique.")
    contact_info: str = pa.Field(
        str_length={"min_value": 1, "max_value": 128}, description="Phone number, E.164."
    )
    contact_info_type: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 10}, description="Device type, domain.md §3.4."
    )
    record_type: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 7}, description="Record type, domain.md §3.1."
    )
    record_status: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 9}, description="Record status, domain.md §3.2."
    )
    call_result: pl.Int32 = pa.Field(
        nullable=True,
        in_range={"min_value": 0, "max_value": 53},
        description="Result of the last attempt, domain.md §3.3.",
    )
    attempt: pl.Int32 = pa.Field(ge=0, description="Attempts made.")
    dial_sched_time: pl.Int64 = pa.Field(
        nullable=True, description="When a scheduled call is due (epoch s)."
    )
    call_time: pl.Int64 = pa.Field(nullable=True, description="Time of the last attempt (epoch s).")
    daily_from: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 86400},
        description="Earliest local time of day to call (s after midnight).",
    )
    daily_till: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 86400},
        description="Latest local time of day to call (s after midnight).",
    )
    tz_dbid: str = pa.Field(
        nullable=True, description="Zone as the file export writes it (EST, CST, ...)."
    )
    campaign_id: pl.Int32 = pa.Field(nullable=True, description="Campaign of the last attempt.")
    agent_id: str = pa.Field(
        nullable=True, str_length={"max_value": 32}, description="Agent for personal callbacks."
    )
    chain_id: pl.Int64 = pa.Field(ge=0, description="One customer.")
    chain_n: pl.Int32 = pa.Field(ge=1, description="Dial order inside the chain.")
    group_id: pl.Int32 = pa.Field(nullable=True, description="Wiring id: group.")
    app_id: pl.Int32 = pa.Field(nullable=True, description="Wiring id: application.")
    media_ref: pl.Int32 = pa.Field(nullable=True, description="Wiring id: media reference.")
    email_template_id: pl.Int32 = pa.Field(nullable=True, description="Wiring id: e-mail template.")
    switch_id: pl.Int32 = pa.Field(nullable=True, description="Wiring id: switch.")
    treatments: str = pa.Field(
        nullable=True, str_length={"max_value": 255}, description="Treatment history."
    )
    email_subject: str = pa.Field(
        nullable=True, str_length={"max_value": 255}, description="E-mail treatment subject."
    )
    list_name: str = pa.Field(str_length={"min_value": 1}, description="Contact list.")
    campaign_group: str = pa.Field(str_length={"min_value": 1}, description="Campaign group.")
    client_id: str = pa.Field(nullable=True, description="Client's customer id.")
    tz_name: str = pa.Field(nullable=True, description="IANA zone of daily_from/daily_till.")
    tz_candidates: Annotated[pl.List, pl.String()] = pa.Field(
        description="Every candidate IANA zone, sorted."
    )
    tz_source: str = pa.Field(isin=_TZ_SOURCES, description="Where tz_name came from.")
    state_code: str = pa.Field(nullable=True, description="Two-letter state code.")
    postal_code: str = pa.Field(nullable=True, description="Postal code.")
    no_call_reason: str = pa.Field(
        nullable=True, description="Why the record is No Call (record_type 7)."
    )
    source_file: str = pa.Field(description="Immutable raw copy the record came from.")
    source_row: pl.Int64 = pa.Field(ge=1, description="1-based data row of the source file.")

    class Config(BaseConfig):
        """Audit columns beyond these are welcome; (chain_id, chain_n) is the primary key."""

        strict = False
        coerce = True
        unique = ["chain_id", "chain_n"]

    @pa.dataframe_check(error="No Call record (record_type 7) without a no_call_reason")
    def _no_call_reason(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            (pl.col("record_type") != 7) | pl.col("no_call_reason").is_not_null()
        )


class CallResultRow(pa.DataFrameModel):
    """One call attempt as loaded into call_results (docs/stages.md §6)."""

    list_name: str = pa.Field(description="Contact list of the record.")
    record_id: pl.Int64 = pa.Field(ge=0, description="Record called.")
    chain_id: pl.Int64 = pa.Field(ge=0, description="Chain of the record.")
    call_time_utc: Annotated[pl.Datetime, "us", "UTC"] = pa.Field(description="When (UTC).")
    call_result: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 53}, description="Result code, domain.md §3.3."
    )
    attempt: pl.Int32 = pa.Field(ge=0, description="Attempt number of this call.")
    agent_id: str = pa.Field(
        nullable=True, str_length={"max_value": 32}, description="Agent who took the call."
    )
    duration_s: pl.Float64 = pa.Field(nullable=True, ge=0, description="Call duration (s).")
    disposition: str = pa.Field(nullable=True, description="Agent's disposition text.")
    result_key: pl.UInt64 = pa.Field(unique=True, description="Hash for idempotent reloads.")
    source_row: pl.Int64 = pa.Field(
        ge=1, nullable=True, required=False, description="1-based row of the results file."
    )

    class Config(BaseConfig):
        """Extra columns are allowed; integer widths are coerced."""

        strict = False
        coerce = True


def _count(description: str) -> Any:
    return pa.Field(ge=0, description=description)


def _rate(description: str) -> Any:
    return pa.Field(
        nullable=True, in_range={"min_value": 0, "max_value": 1}, description=description
    )


class ListStatsRow(pa.DataFrameModel):
    """One contact list's dashboard measures (design.md §3.4, table list_stats)."""

    list_name: str = pa.Field(description="Contact list.")
    campaign_group: str = pa.Field(nullable=True, description="Campaign group of the list.")
    total_records: pl.Int64 = _count("Records in the list.")
    total_chains: pl.Int64 = _count("Chains (customers) in the list.")
    no_call_records: pl.Int64 = _count("Records of type No Call.")
    dialable_records: pl.Int64 = _count("Records that may be dialed.")
    attempts: pl.Int64 = _count("Call attempts.")
    attempted_records: pl.Int64 = _count("Records with at least one attempt.")
    connects: pl.Int64 = _count("Attempts with result 33 Answer.")
    answering_machine: pl.Int64 = _count("Attempts with result 9.")
    busy: pl.Int64 = _count("Attempts with result 6.")
    no_answer: pl.Int64 = _count("Attempts with result 7.")
    abandoned: pl.Int64 = _count("Attempts with result 21.")
    fax: pl.Int64 = _count("Attempts with result 17.")
    invalid_number: pl.Int64 = _count("Attempts with result 8, 11-16 or 53.")
    do_not_call: pl.Int64 = _count("Attempts with result 51.")
    wrong_party: pl.Int64 = _count("Attempts with result 40.")
    connect_rate: pl.Float64 = _rate("connects / attempts.")
    abandon_rate: pl.Float64 = _rate("abandoned / (connects + abandoned).")
    penetration: pl.Float64 = _rate("attempted_records / dialable records.")

    class Config(BaseConfig):
        """Extra measures are allowed; integer widths are coerced."""

        strict = False
        coerce = True

    @pa.dataframe_check(error="more attempted records than records")
    def _attempted(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("attempted_records") <= pl.col("total_records"))


# --------------------------------------------------------------------------- validation

REJECT_SCHEMA: dict[str, pl.DataType] = {
    "source_row": pl.Int64(),
    "field": pl.String(),
    "reason": pl.String(),
    "raw": pl.String(),
}


def validated(
    frame: pl.DataFrame, model: type[pa.DataFrameModel]
) -> tuple[pl.DataFrame, pl.DataFrame]:
    """Validate a collected frame; return (valid rows, rejects: source_row, field, reason, raw).

    One reject per failing row and check (a row failing two checks appears twice; count rows
    with n_unique). Failures not tied to a row (missing column, wrong type) mean the frame
    itself is wrong: they raise InputError naming the schema and column.
    """
    # checked first: a coercing schema fails on a missing column inside polars, not in pandera
    for name, column in model.to_schema().columns.items():
        if column.required and name not in frame.columns:
            raise InputError("missing column", file=f"schema {model.__name__}", field=name)
    try:
        checked = model.validate(frame, lazy=True)
    except SchemaErrors as exc:
        cases = exc.failure_cases
    else:
        return cast(pl.DataFrame, checked), pl.DataFrame(schema=REJECT_SCHEMA)
    whole = cases.filter(pl.col("index").is_null())
    if whole.height:
        first = whole.row(0, named=True)
        raise InputError(
            f"{first['check']} failed for {first['failure_case']}",
            file=f"schema {model.__name__}",
            field=first["column"],
        )
    with_row = frame.with_row_index("__index").with_columns(pl.col("__index").cast(pl.Int64))
    rows = (
        with_row.select("__index", "source_row")
        if "source_row" in frame.columns
        else with_row.select("__index", (pl.col("__index") + 1).alias("source_row"))
    )
    # a row-level frame check names no field, and its failure case is the whole row (phones
    # included), so neither goes to rejected_rows; phone_count reads better as 'phone'
    column_level = (pl.col("schema_context") == "Column") & (pl.col("column") != "phone_count")
    rejects = (
        cases.with_columns(pl.col("index").cast(pl.Int64))
        .join(rows, left_on="index", right_on="__index", how="left")
        .select(
            pl.col("source_row").cast(pl.Int64),
            pl.when(column_level)
            .then(pl.col("column"))
            .when(pl.col("column") == "phone_count")
            .then(pl.lit("phone"))
            .alias("field"),
            _reason(pl.col("check")).alias("reason"),
            pl.when(column_level).then(pl.col("failure_case")).alias("raw"),
        )
        .unique(maintain_order=True)
    )
    bad = cases["index"].cast(pl.Int64).unique()
    valid = with_row.filter(~pl.col("__index").is_in(bad.implode())).drop("__index")
    return _coerced(valid, model), rejects


def _coerced(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Cast the valid rows to the model's types, as a successful coercing validation would."""
    schema = model.to_schema()
    if not schema.coerce:
        return frame
    casts = {
        name: column.dtype.type
        for name, column in schema.columns.items()
        if name in frame.columns and column.dtype is not None
    }
    return frame.cast(casts)


def _reason(check: pl.Expr) -> pl.Expr:
    """Turn pandera's built-in check names into plain reasons; custom errors pass through."""
    return (
        pl.when(check == "not_nullable")
        .then(pl.lit("missing value"))
        .when(check.str.starts_with("field_uniqueness"))
        .then(pl.lit("duplicate value"))
        .when(check.str.starts_with("in_range"))
        .then(check.str.replace(r"in_range\((.*), (.*)\)", "out of range ${1}..${2}"))
        .when(check.str.starts_with("greater_than_or_equal_to"))
        .then(check.str.replace(r"greater_than_or_equal_to\((.*)\)", "must be >= ${1}"))
        .when(check.str.starts_with("str_length"))
        .then(check.str.replace(r"str_length\((.*), (.*)\)", "length outside ${1}..${2}"))
        .when(check.str.starts_with("isin"))
        .then(pl.lit("not an allowed value"))
        .when(check.str.starts_with("coerce_dtype"))
        .then(pl.lit("wrong type"))
        .otherwise(check)
    )
