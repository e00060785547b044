"""Canonical keys of phone digits: international prefix and calling code, as `parse` finds them.

Every distinct text becomes `(mode, scope, digits)`: international (`+` or the default region's
international prefix, scope = calling code) or national (scope = the default region).
"""

from __future__ import annotations

from functools import cache
from typing import Any

import polars as pl
from phonenumbers import PhoneMetadata
from phonenumbers import phonenumberutil as pnu

from cxpipeline.transforms.phone_text import NSN_MIN

__all__ = ["canonical_keys"]


@cache
def _region_row(region: str) -> tuple[str, int, str | None]:
    """Return a region with its calling code and international dialling prefix."""
    meta: Any = PhoneMetadata.metadata_for_region(region)
    return (region, meta.country_code, meta.international_prefix)


def _region_table(regions: pl.Series) -> pl.DataFrame:
    """Return the calling code and international prefix of each of `regions` phonenumbers knows.

    Only the regions asked for: loading the metadata of all 245 cost every process ~0.1 s
    (one module import each), where a list names one or two default countries.
    """
    known = sorted(set(regions.drop_nulls().to_list()) & pnu.SUPPORTED_REGIONS)
    return pl.DataFrame(
        [_region_row(region) for region in known],
        schema={"_pn_region_in": pl.String, "_pn_rcc": pl.Int64, "_pn_idd": pl.String},
        orient="row",
    )


@cache
def _calling_codes() -> tuple[list[str], list[str], list[str]]:
    codes = [str(c) for c in pnu.COUNTRY_CODE_TO_REGION_CODE]
    one, two, three = ([c for c in codes if len(c) == n] for n in (1, 2, 3))
    return one, two, three


def _idd_matches(frame: pl.DataFrame) -> pl.Expr:
    """Return the default region's international prefix found at the start (or null).

    One literal pattern per distinct prefix pattern present: a per-row pattern column would
    make Polars compile a regex per row.
    """
    patterns = frame.get_column("_pn_idd").drop_nulls().unique().sort().to_list()
    return pl.coalesce(
        [
            pl.when(pl.col("_pn_idd") == p).then(pl.col("_pn_all").str.extract(f"^(?:{p})", 0))
            for p in patterns
        ]
        + [pl.lit(None, pl.String)]
    )


def _calling_code(body: pl.Expr) -> pl.Expr:
    """`_extract_country_code`: the 1-3 leading digits that form a known calling code."""
    one, two, three = _calling_codes()
    return (
        pl.when(body.str.starts_with("0"))
        .then(None)
        .when(body.str.slice(0, 1).is_in(one))
        .then(body.str.slice(0, 1))
        .when(body.str.slice(0, 2).is_in(two))
        .then(body.str.slice(0, 2))
        .when(body.str.slice(0, 3).is_in(three))
        .then(body.str.slice(0, 3))
    )


def canonical_keys(distinct: pl.DataFrame) -> pl.DataFrame:
    """International prefix and country code: `(mode, scope, digits)` plus early errors.

    Modes: `+` international (scope = calling code), `n` national (scope = default region),
    `r` a `+` followed by no known calling code that `parse` re-reads without the `+` and
    only accepts with the default country code in front (rare: keyed by the whole number).
    """
    regions = _region_table(distinct.get_column("_pn_region_in").unique())
    frame = distinct.join(regions, on="_pn_region_in", how="left", maintain_order="left")
    frame = frame.with_columns(_m=_idd_matches(frame), _plus_cc=_calling_code(pl.col("_pn_all")))
    digits, plus = pl.col("_pn_all"), pl.col("_pn_plus")
    plus_short = plus & (digits.str.len_chars() <= NSN_MIN)
    plus_ok = plus & ~plus_short & pl.col("_plus_cc").is_not_null()
    retry = plus & ~plus_short & ~plus_ok
    after_idd = digits.str.slice(pl.col("_m").str.len_chars())
    # `parse` only strips the prefix when no 0 follows (calling codes never start with 0).
    idd_cut = (~plus_ok & pl.col("_m").is_not_null() & ~after_idd.str.starts_with("0")).fill_null(
        False
    )
    # A NANP list's "0044 20..." was read as "+44 20..." by the text steps (phone_text).
    frame = frame.with_columns(
        _pn_intl=plus_ok | plus_short | idd_cut,
        _pn_retry=retry & ~idd_cut,
        _pn_digits=pl.when(idd_cut).then(after_idd).otherwise(digits),
    )
    body, intl, retry = pl.col("_pn_digits"), pl.col("_pn_intl"), pl.col("_pn_retry")
    frame = frame.with_columns(
        _cc=pl.when(intl & ~plus_ok).then(_calling_code(body)).otherwise(pl.col("_plus_cc"))
    )
    cc = pl.col("_cc")
    return frame.with_columns(
        _pn_mode=pl.when(intl)
        .then(pl.lit("+"))
        .when(retry)
        .then(pl.lit("r"))
        .otherwise(pl.lit("n")),
        _pn_scope=pl.when(intl).then(cc).otherwise(pl.col("_pn_region_in")),
        _pn_error=pl.when(intl & (body.str.len_chars() <= NSN_MIN))
        .then(pl.lit("too short"))
        .when(intl & cc.is_null())
        .then(pl.lit("invalid country code"))
        .when(~intl & pl.col("_pn_rcc").is_null())
        .then(pl.lit("invalid country code: unknown default country")),
    )
