"""Synthetic do-not-call lists drawn from generated customers."""

from __future__ import annotations

from datetime import date

import polars as pl

from cxpipeline.generate.columns import PHONE_COLUMNS
from cxpipeline.generate.streams import Rng


def _listed_phone(rng: Rng) -> pl.Expr:
    """One of the customer's numbers as a registry lists it: bare digits, sometimes as written."""
    phones = pl.concat_list([pl.col(c) for c in PHONE_COLUMNS]).list.drop_nulls()
    count = phones.list.len()
    chosen = phones.list.get(rng.below("phone", pl.max_horizontal(count, 1)), null_on_oob=True)
    bare = chosen.str.replace(r"(?i)\s*(?:x|ext\.?)\s*\d+\s*$", "")
    digits = bare.str.replace_all(r"\D", "")
    as_registry = (
        pl.when(bare.str.starts_with("+") & ~bare.str.starts_with("+1"))
        .then(pl.concat_str([pl.lit("+"), digits]))
        .when((digits.str.len_chars() == 11) & digits.str.starts_with("1"))
        .then(digits.str.slice(1))
        .otherwise(digits)
    )
    written = pl.when(rng.unit("as_written") < 0.2).then(bare).otherwise(as_registry)
    return pl.when(digits.str.len_chars() >= 7).then(written)


def synthetic_suppression(customers: pl.LazyFrame, fraction: float, seed: int) -> pl.LazyFrame:
    """Draw a do-not-call list from about `fraction` of the given customers.

    Columns phone, client_id, expires_at (ISO date, empty = permanent), all text. About 60% of
    entries give only a phone (mostly bare digits, as DNC registries send them), 25% only the
    client id, 15% both; ~30% expire, some already in the past.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be within [0, 1], got {fraction}")
    rng = Rng(seed, pl.col("_k"))
    phone = _listed_phone(rng)
    kind = rng.choice("kind", (60, 25, 15))  # 0 phone only, 1 client id only, 2 both
    expires = (
        pl.lit(date(2025, 6, 1)) + pl.duration(days=rng.below("expires_day", 900))
    ).dt.strftime("%Y-%m-%d")
    return (
        customers.select("client_id", *PHONE_COLUMNS)
        .unique(subset="client_id", keep="first", maintain_order=True)
        .with_row_index("_k")
        .filter(rng.unit("pick") < fraction)
        .with_columns(_phone=phone, _kind=kind)
        .select(
            pl.when(pl.col("_kind") != 1).then(pl.col("_phone")).alias("phone"),
            pl.when((pl.col("_kind") != 0) | pl.col("_phone").is_null())
            .then(pl.col("client_id"))
            .alias("client_id"),
            pl.when(rng.unit("expires") < 0.3).then(expires).alias("expires_at"),
            rng.bits("order").alias("_order"),
        )
        .sort("_order")
        .drop("_order")
    )
