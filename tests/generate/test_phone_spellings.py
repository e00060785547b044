from __future__ import annotations

import polars as pl


def test_invalid_numbers_about_two_percent(phones: pl.DataFrame) -> None:
    share = 1 - phones["valid"].mean()  # type: ignore[operator]
    assert 0.01 <= share <= 0.035
    invalid = phones.filter(~pl.col("valid"))["value"]
    # Several kinds: too short, area code 0/1, letters, junk.
    assert invalid.str.contains(r"^\d{3}-\d{3}-\d{2}$").any()
    assert invalid.str.contains(r"O").any()
    assert invalid.str.contains(r"^\(?[01]\d\d").any()


def test_international_numbers_valid_and_written_with_plus(phones: pl.DataFrame) -> None:
    foreign = phones.filter(pl.col("country_code_iso").is_in(["GB", "MX", "DE", "PH", "IN"]))
    assert foreign["valid"].mean() > 0.95  # type: ignore[operator]
    # Foreign numbers carry their country code (a shared household line may be a +1 one).
    abroad = foreign.filter(pl.col("valid") & ~pl.col("e164").str.starts_with("+1"))
    assert abroad.height > 0.9 * foreign.height
    assert abroad["value"].str.contains(r"^(\+|011 )").all()


def test_real_world_spellings_and_extensions(phones: pl.DataFrame) -> None:
    values = phones["value"]
    for pattern in (
        r"^\(\d{3}\) \d{3}-\d{4}$",
        r"^\d{3}\.\d{3}\.\d{4}$",
        r"^\+1 \d{3} \d{3} \d{4}$",
        r"^\d{10}$",
        r"^\d{3}-\d{3}-\d{4}$",
    ):
        assert values.str.contains(pattern).sum() > 50, pattern
    business = phones.filter(pl.col("variable") == "business_phone")
    with_ext = business.filter(pl.col("ext").is_not_null())
    assert 0.08 <= with_ext.height / business.height <= 0.22
    assert with_ext["value"].str.contains(r" x\d+$").any()
    assert with_ext["value"].str.contains(r" ext\. \d+$").any()
    assert phones.filter(pl.col("variable") != "business_phone")["ext"].is_null().all()
