"""Tests of transforms/phone_library.py: the per-key phonenumbers answers."""

from __future__ import annotations

import polars as pl

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
