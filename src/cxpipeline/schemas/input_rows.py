"""Pandera model of a mapped input row: one customer before phone normalisation."""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig

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
