"""Synthetic customers: an input contact list of any size (seeded, vectorised)."""

from __future__ import annotations

from datetime import date

import polars as pl

from cxpipeline.generate.columns import CUSTOMER_COLUMNS, PHONE_COLUMNS, REQUIRED_STATES, Region
from cxpipeline.generate.names import name_pools
from cxpipeline.generate.phone_numbers import PHONE_PATTERNS, number_stages, shared_numbers
from cxpipeline.generate.phone_spellings import spelling_stages
from cxpipeline.generate.places import (
    CA_FLAT,
    INTL,
    moved_area_code,
    moved_target,
    postal_code,
    zip_tables,
    zone_column,
)
from cxpipeline.generate.streams import Rng, pick


def _zip_key(rng: Rng, forced_k: pl.Expr, region: Region | None) -> pl.Expr:
    """Key into the ZIP lookup: a required state's ZIP on forced rows, else one by region."""
    _, state_counts, (n_east, n_all) = zip_tables()
    state_count = forced_k.replace_strict(state_counts, default=1, return_dtype=pl.Int64)
    any_zip = rng.below("zip", n_all)
    if region is None:
        usual_zip = any_zip
    else:
        low, high = (0, n_east) if region == "east" else (n_east, n_all)
        usual_zip = (
            pl.when(rng.unit("region") < 0.8)
            .then(low + rng.below("zip", high - low))
            .otherwise(any_zip)
        )
    return (
        pl.when(forced_k < len(REQUIRED_STATES))
        .then((forced_k + 1) * 1_000_000 + rng.below("zip", state_count))
        .otherwise(usual_zip)
    )


def _places(n: int, rng: Rng, start_client_id: int, region: Region | None) -> pl.LazyFrame:
    """One row per customer with its country, ZIP row, Canadian place and phone pattern."""
    pos = pl.col("_g") - start_client_id
    forced_k = (pos * 97) % 250  # 97 is coprime to 250: a fixed shuffle of each block of 250.
    forced = forced_k < len(REQUIRED_STATES)
    ca_index = rng.below("canada", len(CA_FLAT))
    step1 = (
        pl.LazyFrame()
        .select(pl.int_range(start_client_id, start_client_id + n, dtype=pl.Int64).alias("_g"))
        .with_columns(
            _pos=pos,
            _forced=forced,
            _kind=pl.when(forced).then(0).otherwise(rng.choice("country", (85, 10, 5))),
            _intl=rng.choice("intl_country", [r[3] for r in INTL]),
            _zkey=_zip_key(rng, forced_k, region),
            _pattern=rng.choice("pattern", [w for _, w in PHONE_PATTERNS]),
            _share=(rng.unit("share") < 0.01) & (pos > 0),
            _ca_ac=pick([r[0] for r in CA_FLAT], ca_index),
            _ca_prov=pick([r[1] for r in CA_FLAT], ca_index),
            _ca_tz=pick([r[2] for r in CA_FLAT], ca_index),
            _ca_fsa=pick([r[3] for r in CA_FLAT], ca_index),
        )
    )
    lookup = zip_tables()[0]
    return (
        step1.join(lookup.lazy(), on="_zkey", how="left", maintain_order="left")
        .with_columns(
            _moved=(pl.col("_kind") == 0) & (rng.unit("moved") < 0.05), _target=moved_target(rng)
        )
        .with_columns(_moved_ac=moved_area_code(rng))
    )


def _region_columns(rng: Rng) -> list[pl.Expr]:
    """postal_code, state_code, country_code_iso and tz of each customer."""
    kind = pl.col("_kind")
    return [
        postal_code(rng).alias("postal_code"),
        # The required-state customers always name their state, so every sample shows them.
        pl.when((kind == 0) & ((rng.unit("state") < 0.95) | pl.col("_forced")))
        .then(pl.col("_zip_state"))
        .when((kind == 1) & (rng.unit("state") < 0.9))
        .then(pl.col("_ca_prov"))
        .alias("state_code"),
        pl.when((kind == 0) & (rng.unit("country_text") < 0.9))
        .then(pl.lit("US"))
        .when((kind == 1) & (rng.unit("country_text") < 0.95))
        .then(pl.lit("CA"))
        .when(kind == 2)
        .then(pick([r[0] for r in INTL], pl.col("_intl")))
        .alias("country_code_iso"),
        zone_column(rng).alias("tz"),
    ]


def _account_columns(rng: Rng) -> list[pl.Expr]:
    """other1..other3: account number, balance owed and due date."""
    cents = 2500 + rng.below("balance", 500_000)
    return [
        pl.concat_str([pl.lit("ACC"), rng.digits("account", 7)]).alias("other1"),
        pl.concat_str(
            [
                (cents // 100).cast(pl.String),
                pl.lit("."),
                (cents % 100).cast(pl.String).str.zfill(2),
            ]
        ).alias("other2"),
        (pl.lit(date(2025, 10, 1)) + pl.duration(days=rng.below("due", 92)))
        .dt.strftime("%Y-%m-%d")
        .alias("other3"),
    ]


def _customer_columns(rng: Rng, seed: int) -> list[pl.Expr | str]:
    """Build the contact-list columns (plus `_g` and `_pos`) once the phones are spelled."""
    firsts, lasts, companies = name_pools(seed)
    return [
        pl.col("_g"),
        pl.col("_pos"),
        pl.concat_str([pl.lit("C"), pl.col("_g").cast(pl.String).str.zfill(8)]).alias("client_id"),
        pick(firsts, rng.below("first", len(firsts))).alias("first_name"),
        pick(lasts, rng.below("last", len(lasts))).alias("last_name"),
        pl.when(rng.unit("has_company") < 0.25)
        .then(pick(companies, rng.below("company", len(companies))))
        .alias("company"),
        *PHONE_COLUMNS,
        *_region_columns(rng),
        *_account_columns(rng),
    ]


def _with_duplicates(frame: pl.LazyFrame, rng: Rng, n: int) -> pl.LazyFrame:
    """Add ~2% exact duplicate rows a few lines after their original, as concatenated files do."""
    gap = 1 + rng.below("dup_gap", 50)
    originals = frame.with_columns(_key=pl.col("_pos").cast(pl.Float64))
    duplicates = frame.filter(rng.unit("dup") < 0.02).with_columns(
        _key=pl.min_horizontal(pl.col("_pos") + gap, pl.lit(max(n - 1, 0))).cast(pl.Float64) + 0.5
    )
    return (
        pl.concat([originals, duplicates])
        .sort("_key", maintain_order=True)
        .select(CUSTOMER_COLUMNS)
    )


def synthetic_customers(
    n: int, seed: int = 42, *, start_client_id: int = 1, region: Region | None = None
) -> pl.LazyFrame:
    """Generate customers C{start_client_id:08d}.. as an input contact list (docs/contract.md §2).

    About 85% US, 10% Canada, 5% international; 1-4 phones in real-world spellings; ~2%
    invalid phone values, ~1% numbers shared with the previous customer, ~5% of US customers
    with every number in another zone than their ZIP, ~2% extra exact duplicate rows (so the
    frame has about 1.02 * n rows). `region` biases 80% of US ZIPs to the east (Eastern,
    Central) or west (Mountain, Pacific, Alaska, Hawaii). Any 250 consecutive customers include
    one with a ZIP and state_code in each of REQUIRED_STATES. The same arguments always give
    the same rows.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    rng = Rng(seed, pl.col("_g"))
    frame = _places(n, rng, start_client_id, region)
    previous, overwrite = shared_numbers()
    for stage in [*number_stages(rng), previous, overwrite, *spelling_stages(rng)]:
        frame = frame.with_columns(stage)
    return _with_duplicates(frame.select(_customer_columns(rng, seed)), rng, n)
