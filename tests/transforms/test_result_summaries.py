"""Call results summed up per record and counted per result code, in Polars and in DuckDB."""

from datetime import UTC, datetime

import duckdb
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxpipeline import warehouse
from cxpipeline.codes import CallResult
from cxpipeline.transforms.result_summaries import PER_RECORD_COLUMNS, per_code, per_record

SCHEMA = {
    "list_name": pl.String,
    "record_id": pl.Int64,
    "chain_id": pl.Int64,
    "call_result": pl.Int32,
    "call_time_utc": pl.Datetime("us", "UTC"),
    "duration_s": pl.Float64,
}


def _results(rows):
    """rows: (list_name, record_id, call_result, call_time_utc, duration_s); chain = id // 2."""
    return pl.DataFrame(
        [(n, r, r // 2, c, t, d) for n, r, c, t, d in rows], schema=SCHEMA, orient="row"
    )


def test_a_records_sums_count_its_connects_and_their_talk_time_only():
    t1, t2 = datetime(2026, 11, 30, 14, tzinfo=UTC), datetime(2026, 11, 30, 15, tzinfo=UTC)
    results = _results(
        [
            ("a", 1, 33, t1, 60.0),
            ("a", 1, 7, t2, 5.0),
            ("a", 1, 33, t1, None),
            ("a", 4, 7, t1, 10.0),
        ]
    )
    out = per_record(results.lazy()).collect().sort("record_id")
    assert out.columns == list(PER_RECORD_COLUMNS)
    assert out.rows() == [("a", 1, 0, 3, 2, 60.0, t2), ("a", 4, 2, 1, 0, 0.0, t1)]
    counts = per_code(results.lazy().with_columns(attempts=pl.lit(1))).collect()
    assert sorted(counts.rows()) == [("a", 7, 2), ("a", 33, 2)]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.integers(0, 6),
            st.sampled_from([int(CallResult.ANSWER), 7, 21, 51]),
            st.datetimes(min_value=datetime(2026, 1, 1), max_value=datetime(2026, 12, 31)).map(
                lambda d: d.replace(tzinfo=UTC)
            ),
            st.one_of(st.none(), st.floats(0, 3600, allow_nan=False)),
        ),
        max_size=40,
    )
)
def test_the_warehouse_sums_the_results_as_the_transform_does(rows):
    """sql/ops/results_per_record.sql, which the statistics step reads, equals per_record."""
    results = _results(rows)
    with duckdb.connect() as con:
        con.execute("CREATE TABLE call_results AS SELECT * FROM results")
        stored = warehouse.named_frame(
            con,
            "results_per_record",
            {"answer": int(CallResult.ANSWER), "lo": -(2**63), "hi": 2**63 - 1},
        )
    expected = per_record(results.lazy()).collect()
    assert stored.columns == list(PER_RECORD_COLUMNS)
    key = ["list_name", "record_id", "chain_id"]
    got, want = stored.sort(key), expected.sort(key)
    assert got.drop("answer_talk_s").rows() == want.drop("answer_talk_s").rows()
    assert got["answer_talk_s"].to_list() == pytest.approx(want["answer_talk_s"].to_list())
