"""Tests of transforms/phone_text.py: the Polars mirror of `parse`'s text steps."""

from __future__ import annotations

import re

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpipeline.transforms import phone_text
from cxpipeline.transforms.phone_text import canonical_text


def texts(raws: list[str | None], country: str = " us") -> list[dict]:
    lf = pl.LazyFrame(
        {"raw_phone": raws, "default_country": [country] * len(raws)},
        schema={"raw_phone": pl.String, "default_country": pl.String},
    )
    return canonical_text(lf).collect().to_dicts()


def test_excel_renderings_are_turned_back_into_digits():
    sci, dot_zero, lossy = texts(["2.125550142E+09", "2125550142.0", "2.12555E+09"])
    assert sci["_pn_all"] == dot_zero["_pn_all"] == "2125550142"
    assert sci["_pn_pre_reason"] is None and dot_zero["_pn_pre_reason"] is None
    assert lossy["_pn_pre_reason"] == "not a number: spreadsheet scientific notation lost digits"


def test_extension_plus_vanity_and_other_scripts():
    ext, vanity, wide, plus = texts(
        ["212-736-5000 ext. 12", "1-800-GOT-JUNK", "２１２-７３６-５０００", "+44 20 7946 0958"]
    )
    assert (ext["_pn_all"], ext["extension"]) == ("2127365000", "12")
    assert vanity["_pn_all"] == "18004685865"
    assert wide["_pn_all"] == "2127365000"
    assert plus["_pn_plus"] and plus["_pn_all"] == "442079460958"
    assert {r["_pn_region_in"] for r in (ext, vanity, wide, plus)} == {"US"}


def test_texts_that_never_reach_the_library():
    empty, missing, words, long = texts(["", None, "n/a", "1" * 251])
    assert empty["_pn_pre_reason"] == missing["_pn_pre_reason"] == "not a number"
    assert words["_pn_pre_reason"] == "not a number"
    assert long["_pn_pre_reason"] == "too long"


def test_a_nanp_list_reads_a_leading_00_as_plus_and_reads_the_rest_again():
    london, plus_00, short, ext, order = texts(
        ["0044 20 7946 0958", "+00 1 212 736 5000", "001DDD", "0012x3", "212-736-5000"]
    )
    assert london["_pn_plus"] and london["_pn_all"] == "442079460958"
    assert plus_00["_pn_plus"] and plus_00["_pn_all"] == "12127365000"
    # What follows 00 is read as a text of its own: "+1DDD" holds too few digits to be a
    # number (the whole text held three), and in "+12x3" the x is punctuation, no extension.
    assert short["_pn_pre_reason"] == "not a number"
    assert (ext["_pn_all"], ext["extension"]) == ("123", None)
    assert (order["_pn_all"], order["_pn_plus"]) == ("2127365000", False)


def test_00_is_a_prefix_in_nanp_lists_only():
    (london,) = texts(["0044 20 7946 0958"], country="GB")
    assert not london["_pn_plus"] and london["_pn_all"] == "00442079460958"


def test_the_00_prefix_is_read_in_full_width_and_arabic_indic_digits_too():
    wide, arabic, zero = texts(["０044 20 7946 0958", "٠٠44 20 7946 0958", "00０"])
    assert wide["_pn_plus"] and wide["_pn_all"] == "442079460958"
    assert arabic["_pn_plus"] and arabic["_pn_all"] == "442079460958"
    assert not zero["_pn_plus"] and zero["_pn_all"] == "000"  # 00 then a zero: no prefix


def test_plain_text_takes_the_short_path_and_keeps_its_order():
    rows = texts(["(212) 736-5000", "212 736 5000 ext 9", "+1 212.736.5000", "12"])
    assert [r["_pn_all"] for r in rows] == ["2127365000", "2127365000", "12127365000", "12"]
    assert [r["extension"] for r in rows] == [None, "9", None, None]
    assert [r["_pn_plus"] for r in rows] == [False, False, True, False]


@given(
    st.lists(
        st.text(alphabet="0123456789 +-().", min_size=1, max_size=30).filter(
            lambda t: re.fullmatch(phone_text._PLAIN_PATTERN, t) is not None
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["US", "gb ", "DE"]),
)
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.filter_too_much])
def test_plain_steps_give_what_the_full_text_steps_give(raws, country):
    lf = pl.LazyFrame(
        {"_pn_text": raws, "_pn_lossy": [False] * len(raws), "default_country": country},
        schema={"_pn_text": pl.String, "_pn_lossy": pl.Boolean, "default_country": pl.String},
    )
    plain = phone_text._plain_steps(lf).collect()
    full = phone_text._text_steps(lf).collect()
    assert plain.columns == full.columns
    assert plain.to_dicts() == full.to_dicts()
