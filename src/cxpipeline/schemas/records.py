"""Pandera model of a calling-list record: the dialer's fields and the audit columns."""

from __future__ import annotations

from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig

_TZ_SOURCES = [
    "explicit",
    "postal_code",
    "postal_code+area_code",
    "area_code_exchange",
    "area_code",
    "country",
    "none",
    # a number of another country than the address added its own zones
    "explicit+number_country",
    "postal_code+number_country",
]


class CallingListRecord(pa.DataFrameModel):
    """A calling-list record: the dialer's mandatory fields (docs/domain.md §2), audit columns."""

    record_id: pl.Int64 = pa.Field(ge=0, unique=True, description="Record id, unique.")
    contact_info: str = pa.Field(
        str_length={"min_value": 1, "max_value": 128}, description="Phone number, E.164."
    )
    contact_info_type: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 10}, description="Device type, docs/domain.md §3.4."
    )
    record_type: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 7}, description="Record type, docs/domain.md §3.1."
    )
    record_status: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 9}, description="Record status, docs/domain.md §3.2."
    )
    call_result: pl.Int32 = pa.Field(
        nullable=True,
        in_range={"min_value": 0, "max_value": 53},
        description="Result of the last attempt, docs/domain.md §3.3.",
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
