"""Tests of transforms/phone_keys.py: international prefix and calling code detection."""

from __future__ import annotations

import polars as pl

from cxpipeline.transforms.phone_keys import canonical_keys


def keys(rows: list[tuple[bool, str | None, str]]) -> list[tuple]:
    distinct = pl.DataFrame(
        rows,
        schema={"_pn_plus": pl.Boolean, "_pn_region_in": pl.String, "_pn_all": pl.String},
        orient="row",
    )
    out = canonical_keys(distinct)
    return out.select("_pn_mode", "_pn_scope", "_pn_digits", "_pn_error").rows()


def test_plus_and_idd_give_the_same_international_key():
    # A NANP list's leading 00 is read as "+" by the text steps (test_phone_text).
    got = keys(
        [
            (True, "US", "442079460958"),
            (False, "US", "011442079460958"),
            (False, "GB", "00442079460958"),
        ]
    )
    assert set(got) == {("+", "44", "442079460958", None)}


def test_national_retry_and_early_errors():
    national, retry, short, unknown = keys(
        [
            (False, "US", "2125550142"),
            (True, "US", "9991234"),
            (True, "US", "44"),
            (False, "ZZ", "2125550142"),
        ]
    )
    assert national == ("n", "US", "2125550142", None)
    assert retry[:2] == ("r", "US")
    assert short[3] == "too short"
    assert unknown[3] == "invalid country code: unknown default country"


def test_the_region_table_holds_the_known_regions_asked_for_only():
    from cxpipeline.transforms.phone_keys import _region_table

    table = _region_table(pl.Series(["US", None, "ZZ", "GB", "US"], dtype=pl.String))
    assert table.rows() == [("GB", 44, "00"), ("US", 1, "011")]
