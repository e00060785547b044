from __future__ import annotations

import polars as pl

from cxpipeline.generate.columns import PHONE_COLUMNS

N = 5000  # rows of the shared `customers` fixture (conftest.py)


def test_one_to_four_phones_per_customer(customers: pl.DataFrame) -> None:
    filled = customers.unique().select(
        pl.sum_horizontal(pl.col(c).is_not_null() for c in PHONE_COLUMNS).alias("k")
    )["k"]
    assert filled.min() == 1
    assert filled.max() == 4
    assert set(filled.unique().to_list()) == {1, 2, 3, 4}


def test_numbers_avoid_n11_exchanges_and_fictional_555(phones: pl.DataFrame) -> None:
    nanp = phones.filter(pl.col("valid") & pl.col("e164").str.starts_with("+1"))
    exchange = nanp["e164"].str.slice(5, 3)
    assert not exchange.str.contains(r"^\d11$").any()
    assert not nanp["e164"].str.contains(r"^\+1\d{3}55501\d\d$").any()


def test_about_one_percent_share_a_number(phones: pl.DataFrame) -> None:
    shared = (
        phones.filter(pl.col("valid"))
        .group_by("e164")
        .agg(pl.col("client_id").n_unique().alias("k"))
        .filter(pl.col("k") > 1)
    )
    assert 0.004 * N <= shared.height <= 0.016 * N
