"""Pandera models of the tables a run keeps besides records: rejects, runs, DNC, windows, holds."""

from __future__ import annotations

from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig

from cxpipeline.schemas.validation import model_validate

_UTC = Annotated[pl.Datetime, "us", "UTC"]


class _Coerced(pa.DataFrameModel):
    class Config(BaseConfig):
        """Working columns beyond the table's are allowed; types are coerced to the DDL's."""

        strict = False
        coerce = True


class RejectedRow(_Coerced):
    """One rejected input row or phone value (table rejected_rows)."""

    run_id: str = pa.Field(
        description="Ingest run, results load or `suppression:<list>` that refused it."
    )
    list_name: str = pa.Field(
        nullable=True,
        description="Contact list of the run (null: unknown record's result, suppression file).",
    )
    source_file: str = pa.Field(description="The input file (raw copy for contact lists).")
    source_row: pl.Int64 = pa.Field(nullable=True, description="1-based data row of the file.")
    field: str = pa.Field(nullable=True, description="Input column at fault, if one.")
    reason: str = pa.Field(description="Why it was refused.")
    raw: str = pa.Field(nullable=True, description="The offending text, phone digits masked.")
    kind: str = pa.Field(
        isin=["row", "phone", "record", "result", "suppression"], description="What was refused."
    )


class IngestRun(_Coerced):
    """One ingest and its row accounting (table ingest_runs)."""

    run_id: str = pa.Field(unique=True, description="Hash of list, file content and mode.")
    list_name: str = pa.Field(description="Contact list ingested into.")
    source_file: str = pa.Field(description="Immutable raw copy under lake/raw/.")
    original_file: str = pa.Field(nullable=True, description="The path the user gave.")
    source_sha256: str = pa.Field(
        str_length={"min_value": 64, "max_value": 64}, description="SHA-256 of the file."
    )
    mode: str = pa.Field(isin=["replace", "append"], description="replace or append.")
    rows_read: pl.Int64 = pa.Field(ge=0, description="Data rows read from the file.")
    rows_accepted: pl.Int64 = pa.Field(ge=0, description="Rows that gave records.")
    rows_rejected: pl.Int64 = pa.Field(ge=0, description="Rows refused (rejected_rows).")
    records_written: pl.Int64 = pa.Field(ge=0, description="Records written.")
    status: str = pa.Field(isin=["succeeded", "unchanged", "failed"], description="Outcome.")
    started_at: _UTC = pa.Field(description="When the run started.")
    tz_release: str = pa.Field(
        str_matches=r"^\d{4}[a-z]$", description="IANA release of the zone data (tzdata)."
    )

    @pa.dataframe_check(error="rows_read <> rows_accepted + rows_rejected")
    def _reconciles(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("rows_read") == pl.col("rows_accepted") + pl.col("rows_rejected")
        )


class SuppressionEntry(_Coerced):
    """One do-not-call entry of a named list (table suppression_entries)."""

    suppression_list: str = pa.Field(str_length={"min_value": 1}, description="List name.")
    e164: str = pa.Field(nullable=True, description="Suppressed number, E.164.")
    client_id: str = pa.Field(nullable=True, description="Suppressed client id.")
    expires_at: _UTC = pa.Field(nullable=True, description="End of the entry (null: never).")
    source_file: str = pa.Field(nullable=True, description="File or source it came from.")
    added_at: _UTC = pa.Field(description="When it was loaded.")

    @pa.dataframe_check(error="an entry needs a number or a client id")
    def _something(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(
            pl.col("e164").is_not_null() | pl.col("client_id").is_not_null()
        )


class WindowKeyRow(_Coerced):
    """One planned window of a window key (table window_keys)."""

    list_name: str = pa.Field(description="Contact list.")
    window_key: pl.UInt64 = pa.Field(description="Hash of candidate zones, states and hours.")
    window_start_utc: _UTC = pa.Field(description="Window start (inclusive).")
    window_end_utc: _UTC = pa.Field(description="Last moment a call may start (exclusive).")
    start_rule: str = pa.Field(description="Rule that bounds the start.")
    end_rule: str = pa.Field(description="Rule that bounds the end.")
    rule: str = pa.Field(description="'<start_rule>..<end_rule>'.")

    @pa.dataframe_check(error="window ends before it starts")
    def _ordered(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("window_start_utc") < pl.col("window_end_utc"))


class ChainHold(_Coerced):
    """A chain held back by an attempt cap until a time (table chain_holds)."""

    list_name: str = pa.Field(description="Contact list.")
    chain_id: pl.Int64 = pa.Field(ge=0, description="Chain held.")
    hold_until_utc: _UTC = pa.Field(description="No call before this time.")
    rule: str = pa.Field(description="Cap that holds it, e.g. 'attempt_cap:FL'.")


class StateInputs(_Coerced):
    """What a list's stored record state was last rebuilt from (table state_inputs)."""

    list_name: str = pa.Field(unique=True, description="Contact list.")
    inputs_key: str = pa.Field(
        str_length=64,
        description=(
            "sha256 of the list's effective settings, the compliance rules, the home's window "
            "defaults, the tzdata and holidays releases and the lifecycle code; a plan "
            "rebuilds the state only when it changes."
        ),
    )
    rebuilt_at: _UTC = pa.Field(description="As-of of the rebuild.")


class WarehouseSchema(_Coerced):
    """The schema this warehouse was last migrated to (table warehouse_schema)."""

    schema_key: str = pa.Field(
        str_length=64,
        description="sha256 of the relations' DDL and descriptions; the same key skips migration.",
    )
    migrated_at: _UTC = pa.Field(description="When the migration ran.")


def checked(frame: pl.DataFrame, model: type[pa.DataFrameModel]) -> pl.DataFrame:
    """Validate a frame we built ourselves before it is written; a failure is a bug and raises."""
    return model_validate(frame, model)
