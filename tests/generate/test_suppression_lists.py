from __future__ import annotations

import polars as pl

from cxpipeline.generate.columns import PHONE_COLUMNS, SUPPRESSION_COLUMNS
from cxpipeline.generate.suppression_lists import synthetic_suppression

N = 5000  # rows of the shared `customers` fixture (conftest.py)


def test_suppression_drawn_from_customers(customers: pl.DataFrame) -> None:
    dnc = synthetic_suppression(customers.lazy(), 0.05, seed=1).collect()
    assert dnc.columns == list(SUPPRESSION_COLUMNS)
    assert 0.03 * N <= dnc.height <= 0.07 * N
    assert set(dnc["client_id"].drop_nulls()) <= set(customers["client_id"])
    digits_of = (
        customers.unpivot(on=list(PHONE_COLUMNS))["value"]
        .drop_nulls()
        .str.replace(r"(?i)\s*(?:x|ext\.?)\s*\d+\s*$", "")
        .str.replace_all(r"\D", "")
    )
    known = set(digits_of) | {d[1:] for d in digits_of if len(d) == 11 and d.startswith("1")}
    listed = dnc["phone"].drop_nulls().str.replace_all(r"\D", "")
    assert listed.len() > 0
    assert set(listed) <= known
    phone_only = dnc.filter(pl.col("phone").is_not_null() & pl.col("client_id").is_null())
    id_only = dnc.filter(pl.col("phone").is_null() & pl.col("client_id").is_not_null())
    assert phone_only.height > 0 and id_only.height > 0
    assert dnc.filter(pl.col("phone").is_null() & pl.col("client_id").is_null()).height == 0
    expires = dnc["expires_at"]
    assert 0 < expires.null_count() < dnc.height
    assert expires.drop_nulls().str.contains(r"^\d{4}-\d{2}-\d{2}$").all()


def test_suppression_is_deterministic(customers: pl.DataFrame) -> None:
    a = synthetic_suppression(customers.lazy(), 0.05, seed=1).collect()
    assert a.equals(synthetic_suppression(customers.lazy(), 0.05, seed=1).collect())
    assert not a.equals(synthetic_suppression(customers.lazy(), 0.05, seed=2).collect())
