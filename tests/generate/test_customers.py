from __future__ import annotations

import polars as pl

from cxpipeline.generate.columns import CUSTOMER_COLUMNS
from cxpipeline.generate.customers import synthetic_customers

N = 5000  # rows of the shared `customers` fixture (conftest.py)


def test_columns_are_the_input_contact_list_all_text(customers: pl.DataFrame) -> None:
    assert customers.columns == list(CUSTOMER_COLUMNS)
    assert all(dtype == pl.String for dtype in customers.dtypes)
    ids = customers["client_id"].unique()
    assert ids.len() == N
    assert ids.sort().to_list() == [f"C{i:08d}" for i in range(1, N + 1)]


def test_same_seed_same_rows_other_seed_other_rows() -> None:
    a = synthetic_customers(800, seed=3, start_client_id=50).collect()
    b = synthetic_customers(800, seed=3, start_client_id=50).collect()
    c = synthetic_customers(800, seed=4, start_client_id=50).collect()
    assert a.equals(b)
    assert not a.equals(c)


def test_duplicate_rows_about_two_percent(customers: pl.DataFrame) -> None:
    extra = customers.height - customers.unique().height
    assert 0.01 * N <= extra <= 0.03 * N
    # Duplicates are exact copies, so every client id appears once after dropping them.
    assert customers.unique()["client_id"].n_unique() == customers.unique().height


def test_explicit_zone_on_few_customers_and_names_with_accents(customers: pl.DataFrame) -> None:
    rows = customers.unique()
    tz = rows["tz"].drop_nulls()
    assert 0.015 * N <= tz.len() <= 0.05 * N
    assert tz.is_in(["EST", "CST", "MST", "PST"]).any()
    assert tz.str.contains("/").any()
    names = pl.concat([rows["first_name"], rows["last_name"]])
    assert names.str.contains(r"[^\x00-\x7F]").any()
