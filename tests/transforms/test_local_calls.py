"""Attempts counted per list, result and the called party's local 15-minute bucket."""

from datetime import UTC, datetime

import duckdb
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st
from tests.transforms.frames import call_results

from cxpipeline import tzdb, warehouse
from cxpipeline.transforms.local_calls import (
    BUCKET_COUNTS_COLUMNS,
    LOCAL_CALLS_COLUMNS,
    bucket_counts,
    local_calls,
)
from cxpipeline.transforms.slices import id_ranges

KNOWN = frozenset({"America/New_York", "Asia/Kolkata", "UTC"})
ZONES = ["America/New_York", "Asia/Kolkata", "Europe/London", None, "Mars/Olympus"]


def _records(zones):
    return pl.LazyFrame(
        {"record_id": list(range(len(zones))), "tz_name": zones},
        schema={"record_id": pl.Int64, "tz_name": pl.String},
    )


def test_attempts_of_one_bucket_are_counted_together_in_the_called_partys_time():
    results = call_results(
        [
            # 14:00-14:14 UTC on 1 December is 09:00 in New York: one bucket, two results.
            ("a", 0, 7, datetime(2026, 12, 1, 14, 1, tzinfo=UTC)),
            ("a", 0, 7, datetime(2026, 12, 1, 14, 14, tzinfo=UTC)),
            ("a", 0, 33, datetime(2026, 12, 1, 14, 9, tzinfo=UTC)),
            # 14:15 starts the next bucket.
            ("a", 0, 7, datetime(2026, 12, 1, 14, 15, tzinfo=UTC)),
            # Kolkata is +05:30: 09:29 UTC falls in the 09:15 bucket, 14:45 local.
            ("a", 1, 7, datetime(2026, 12, 1, 9, 29, tzinfo=UTC)),
            # No zone, and a zone the release does not know: UTC.
            ("b", 3, 7, datetime(2026, 12, 1, 23, 59, tzinfo=UTC)),
            ("b", 4, 7, datetime(2026, 12, 1, 23, 50, tzinfo=UTC)),
        ]
    )
    zones = ["America/New_York", "Asia/Kolkata", None, None, "Mars/Olympus"]
    out = local_calls(results, _records(zones), KNOWN).collect()
    assert out.columns == list(LOCAL_CALLS_COLUMNS)
    got = sorted(out.rows())
    assert got == [
        ("a", 7, datetime(2026, 12, 1, 9, 0), 2),
        ("a", 7, datetime(2026, 12, 1, 9, 15), 1),
        ("a", 7, datetime(2026, 12, 1, 14, 45), 1),
        ("a", 33, datetime(2026, 12, 1, 9, 0), 1),
        ("b", 7, datetime(2026, 12, 1, 23, 45), 2),
    ]


def test_the_same_utc_time_is_a_different_local_hour_across_a_dst_change():
    # 15:30 UTC is 10:30 EST on 7 March 2025 and 11:30 EDT on 10 March (DST began 9 March).
    results = call_results(
        [
            ("a", 0, 7, datetime(2025, 3, 7, 15, 30, tzinfo=UTC)),
            ("a", 0, 7, datetime(2025, 3, 10, 15, 30, tzinfo=UTC)),
        ]
    )
    out = local_calls(results, _records(["America/New_York"]), KNOWN).collect()
    assert sorted(out["local_time"].dt.hour().to_list()) == [10, 11]


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.integers(0, len(ZONES) - 1),
            st.sampled_from([7, 21, 33]),
            st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2026, 11, 30)).map(
                lambda d: d.replace(tzinfo=UTC)
            ),
        ),
        max_size=40,
    )
)
def test_counts_reconcile_and_each_bucket_is_its_calls_local_time(rows):
    """Every attempt is counted once, at the local time of its bucket start (zoneinfo)."""
    results = call_results(rows)
    out = local_calls(results, _records(ZONES), KNOWN).collect()
    assert out["attempts"].sum() == len(rows)
    expected: dict[tuple[str, int, datetime], int] = {}
    for name, record, result, at in rows:
        zone = ZONES[record] if ZONES[record] in KNOWN else "UTC"
        start = at.replace(minute=at.minute - at.minute % 15, second=0, microsecond=0)
        local = start.astimezone(tzdb.zone(zone)).replace(tzinfo=None)
        key = (name, result, local)
        expected[key] = expected.get(key, 0) + 1
    # Two buckets of one zone can share a local time only in an autumn overlap: summed here.
    got: dict[tuple[str, int, datetime], int] = {}
    for name, result, local, attempts in out.rows():
        got[(name, result, local)] = got.get((name, result, local), 0) + attempts
    assert got == expected


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            # Record 5 has no row in the records: its results count with a null zone.
            st.integers(0, len(ZONES)),
            st.sampled_from([7, 21, 33]),
            st.datetimes(min_value=datetime(2026, 3, 1), max_value=datetime(2026, 11, 30)).map(
                lambda d: d.replace(tzinfo=UTC)
            ),
        ),
        max_size=40,
    )
)
def test_the_warehouse_counts_the_buckets_as_the_transform_does(rows):
    """sql/ops/calls_by_bucket.sql, which the statistics step reads, equals bucket_counts."""
    results, records = call_results(rows).collect(), _records(ZONES).collect()
    with duckdb.connect() as con:
        # A record's results carry its chain id (here the record's own id).
        con.execute("CREATE TABLE call_results AS SELECT *, record_id AS chain_id FROM results")
        con.execute("CREATE TABLE contact_records AS SELECT *, record_id AS chain_id FROM records")
        every = dict(zip(("lo", "hi"), id_ranges([])[0], strict=True))  # every chain's block
        stored = warehouse.named_frame(con, "calls_by_bucket", every)
    expected = bucket_counts(results.lazy(), records.lazy()).collect()
    assert stored.columns == list(BUCKET_COUNTS_COLUMNS)
    assert sorted(stored.rows(), key=str) == sorted(expected.rows(), key=str)
