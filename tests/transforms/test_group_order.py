"""Positions within groups by sorting: equal to Polars' window expressions they replace."""

from __future__ import annotations

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cxpipeline.transforms.group_order import ordinal_within, run_position

_KEY = st.none() | st.integers(0, 3)
_ROWS = st.lists(st.tuples(_KEY, _KEY, st.integers(-5, 5)), max_size=60)


def _frame(rows: list[tuple[int | None, int | None, int]]) -> pl.DataFrame:
    return pl.DataFrame(
        rows, schema={"a": pl.Int64, "b": pl.Int64, "o": pl.Int64}, orient="row"
    ).with_row_index("row")


def test_ranks_within_groups_keep_the_rows_in_their_order():
    frame = _frame([(1, 0, 30), (2, 0, 5), (1, 0, 10), (1, 1, 20), (1, 0, 20), (None, 0, 1)])
    ranked = ordinal_within(frame.lazy(), ["a", "b"], "o", "n").collect()
    assert ranked.drop("n").equals(frame)
    assert ranked["n"].to_list() == [3, 1, 1, 1, 2, 1]
    assert ranked.schema["n"] == pl.Int64
    # Ranked again (a frame classified again): the column is replaced, not doubled.
    again = ordinal_within(ranked.with_columns(a=pl.lit(1)).lazy(), ["a"], "o", "n").collect()
    assert again.columns == ranked.columns
    assert again["n"].to_list() == [6, 2, 3, 4, 5, 1]


@settings(max_examples=150, deadline=None)
@given(rows=_ROWS)
def test_ordinal_within_equals_the_ordinal_rank_over_the_keys(rows):
    # Nulls in the keys form a group of their own; equal orders (ties) rank in row order.
    frame = _frame(rows)
    for keys in (["a"], ["a", "b"]):
        expected = frame.with_columns(n=pl.col("o").rank("ordinal").over(keys).cast(pl.Int64))
        got = ordinal_within(frame.lazy(), keys, "o", "n").collect()
        assert got.equals(expected)


@settings(max_examples=150, deadline=None)
@given(rows=_ROWS)
def test_run_position_counts_within_runs_of_a_sorted_frame(rows):
    frame = _frame(rows).sort("a", "b", "o")
    got = frame.select(run_position(["a", "b"]).alias("n"))["n"]
    expected = frame.select(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).over("a", "b"))
    assert got.to_list() == expected.to_series().to_list()
