"""Tests of transforms/slices.py: slices of chain ids and their sums added up."""

from __future__ import annotations

import polars as pl

from cxpipeline.transforms.slices import added_up, id_ranges, owned


def test_ranges_between_cuts_cover_every_id_once():
    ranges = id_ranges([30, 10, 30])
    assert len(ranges) == 3
    assert ranges[0][1] == ranges[1][0] == 10 and ranges[1][1] == ranges[2][0] == 30
    for chain_id in (-5, 0, 9, 10, 29, 30, 2**62):
        assert sum(low <= chain_id < high for low, high in ranges) == 1
    (whole,) = id_ranges([])
    assert whole[0] < 0 < 2**62 < whole[1]


def test_parts_add_up_by_key_numbers_summed_and_attributes_first():
    first = pl.DataFrame(
        {"list_name": ["a", "b"], "group": [None, "g2"], "records": [3, 1], "talk": [1.5, 0.0]}
    )
    second = pl.DataFrame(
        {"list_name": ["a", "c"], "group": ["g1", None], "records": [2, 4], "talk": [0.5, 2.0]}
    )
    empty = first.clear()
    out = added_up([first, empty, second], ["list_name"]).collect()
    assert out.to_dicts() == [
        {"list_name": "a", "group": "g1", "records": 5, "talk": 2.0},
        {"list_name": "b", "group": "g2", "records": 1, "talk": 0.0},
        {"list_name": "c", "group": None, "records": 4, "talk": 2.0},
    ]


def test_a_null_key_is_a_key_of_its_own():
    part = pl.DataFrame({"list_name": ["a", "a"], "tz_name": [None, "UTC"], "n": [1, 2]})
    out = added_up([part, part], ["list_name", "tz_name"]).collect()
    assert sorted(out.rows(), key=str) == [("a", "UTC", 4), ("a", None, 2)]


def test_an_owned_copy_keeps_every_value_and_type():
    frame = pl.DataFrame(
        {
            "list_name": ["a list with a long name", None],
            "as_of": [None, 1_700_000_000_000_000],
            "zones": [["America/New_York"], []],
            "n": [1, None],
        },
        schema_overrides={"as_of": pl.Datetime("us", "UTC"), "n": pl.UInt32},
    )
    copy = owned(frame.group_by("list_name", maintain_order=True).agg(pl.all().first()))
    assert copy.schema == {**frame.schema}
    assert copy.equals(frame)
