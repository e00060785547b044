"""Shared fixtures: one generated contact list and its phones parsed with phonenumbers."""

from __future__ import annotations

import phonenumbers
import polars as pl
import pytest

from cxpipeline.generate.columns import PHONE_COLUMNS
from cxpipeline.generate.customers import synthetic_customers

N = 5000


def _parse(text: str) -> phonenumbers.PhoneNumber | None:
    try:
        return phonenumbers.parse(text, "US")
    except phonenumbers.NumberParseException:
        return None


@pytest.fixture(scope="session")
def customers() -> pl.DataFrame:
    return synthetic_customers(N, seed=7).collect()


@pytest.fixture(scope="session")
def phones(customers: pl.DataFrame) -> pl.DataFrame:
    """One row per distinct customer and non-empty phone cell, parsed with phonenumbers."""
    long = (
        customers.unique(maintain_order=True)
        .unpivot(index=["client_id", "postal_code", "country_code_iso"], on=list(PHONE_COLUMNS))
        .drop_nulls("value")
    )
    parsed = [_parse(v) for v in long["value"]]
    valid = [p is not None and phonenumbers.is_valid_number(p) for p in parsed]
    e164 = [
        phonenumbers.format_number(p, phonenumbers.PhoneNumberFormat.E164) if ok else None
        for p, ok in zip(parsed, valid, strict=True)
    ]
    ext = [p.extension if p is not None else None for p in parsed]
    return long.with_columns(
        valid=pl.Series(valid), e164=pl.Series(e164, dtype=pl.String), ext=pl.Series(ext)
    )
