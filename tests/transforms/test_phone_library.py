"""Tests of transforms/phone_library.py: the per-key phonenumbers answers."""

from __future__ import annotations

import polars as pl
from polars.testing import assert_frame_equal

from cxpipeline.transforms import phone_library
from cxpipeline.transforms.phone_library import RESULT_SCHEMA, library_answers


def distinct(rows: list[tuple[bool, str, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows,
        schema={"_pn_plus": pl.Boolean, "_pn_region_in": pl.String, "_pn_all": pl.String},
        orient="row",
    )


def test_empty_batch_has_the_result_schema():
    out = library_answers(distinct([]))
    assert out.height == 0 and out.schema == pl.Schema(RESULT_SCHEMA)


def test_answers_per_distinct_text():
    out = library_answers(
        distinct(
            [
                (False, "US", "2125550142"),
                (False, "US", "18004685865"),
                (True, "US", "442079460958"),
                (True, "US", "9991234"),
            ]
        )
    )
    assert out.schema == pl.Schema(RESULT_SCHEMA)
    rows = {r["_pn_all"]: r for r in out.to_dicts()}
    nyc, free, london, bad = (
        rows[k] for k in ("2125550142", "18004685865", "442079460958", "9991234")
    )
    assert (nyc["_pn_cc"], nyc["_pn_nsn"], nyc["_pn_region"]) == (1, "2125550142", "US")
    assert nyc["_pn_valid"] and nyc["_pn_npa_known"]
    assert (free["_pn_nsn"], free["_pn_type"]) == ("8004685865", "TOLL_FREE")
    assert (london["_pn_cc"], london["_pn_region"], london["_pn_ndc"]) == (44, "GB", 2)
    assert bad["_pn_error"] == "invalid country code" and bad["_pn_cc"] is None


def test_a_later_batch_gets_the_answers_a_fresh_process_would(monkeypatch):
    # The answers of each key are kept across batches (chunks). The second batch has keys of
    # the first with other representatives, and keys that differ from the first's by length
    # only (212-555-01xx after a 9-digit 212555014): its answers must not change.
    first = distinct(
        [(False, "US", "31255501" + f"{n:02d}") for n in range(40, 60)]
        + [(True, "US", "4420794609" + f"{n:02d}") for n in range(10)]
        + [(False, "US", "212555014"), (False, "US", "800468586")]  # 9 digits: too short
    )
    second = distinct(
        [(False, "US", "31255501" + f"{n:02d}") for n in range(60, 90)]
        + [(False, "US", "21255501" + f"{n:02d}") for n in range(40, 60)]
        + [(True, "US", "4420794609" + f"{n:02d}") for n in range(10, 30)]
        + [(True, "US", "33142685300"), (False, "US", "8004685865")]
    )
    monkeypatch.setattr(phone_library, "_PARSED", {})  # as a new process: nothing kept yet
    monkeypatch.setattr(phone_library, "_CLASSIFIED", {})
    library_answers(first)
    assert phone_library._PARSED and phone_library._CLASSIFIED  # the keys were kept
    warm = library_answers(second).sort("_pn_all")
    monkeypatch.setattr(phone_library, "_PARSED", {})
    monkeypatch.setattr(phone_library, "_CLASSIFIED", {})
    assert_frame_equal(warm, library_answers(second).sort("_pn_all"))
    assert warm.filter(pl.col("_pn_valid")).height >= 70
