"""Pandera model of one call attempt as loaded into call_results."""

from __future__ import annotations

from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig


class CallResultRow(pa.DataFrameModel):
    """One call attempt as loaded into call_results (docs/stages.md §6)."""

    list_name: str = pa.Field(description="Contact list of the record.")
    record_id: pl.Int64 = pa.Field(ge=0, description="Record called.")
    chain_id: pl.Int64 = pa.Field(ge=0, description="Chain of the record.")
    call_time_utc: Annotated[pl.Datetime, "us", "UTC"] = pa.Field(description="When (UTC).")
    call_result: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 53}, description="Result code, docs/domain.md §3.3."
    )
    attempt: pl.Int32 = pa.Field(ge=0, description="Attempt number of this call.")
    agent_id: str = pa.Field(
        nullable=True, str_length={"max_value": 32}, description="Agent who took the call."
    )
    duration_s: pl.Float64 = pa.Field(nullable=True, ge=0, description="Call duration (s).")
    disposition: str = pa.Field(nullable=True, description="Agent's disposition text.")
    callback_time_utc: Annotated[pl.Datetime, "us", "UTC"] = pa.Field(
        nullable=True, required=False, description="Callback the agent set (UTC), if any."
    )
    callback_type: str = pa.Field(
        nullable=True,
        required=False,
        isin=["personal", "campaign"],
        description="Callback for the same agent (personal) or any agent (campaign).",
    )
    result_key: pl.UInt64 = pa.Field(unique=True, description="Hash for idempotent reloads.")
    source_row: pl.Int64 = pa.Field(
        ge=1, nullable=True, required=False, description="1-based row of the results file."
    )

    class Config(BaseConfig):
        """Extra columns are allowed; integer widths are coerced."""

        strict = False
        coerce = True
