"""Operations statistics: best time to call, daily trend, 30-day abandonment, dialable today."""

from datetime import UTC, date, datetime, timedelta

import duckdb
import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st
from tests.transforms.frames import call_results

from cxpipeline import warehouse
from cxpipeline.transforms import ops_stats
from cxpipeline.transforms.local_calls import local_calls

TS = pl.Datetime("us", "UTC")
ZONES = frozenset({"America/New_York", "Asia/Kolkata", "UTC"})


def _records():
    return pl.LazyFrame(
        {"record_id": [1, 2, 3], "tz_name": ["America/New_York", "Asia/Kolkata", None]},
        schema={"record_id": pl.Int64, "tz_name": pl.String},
    )


def _results(rows):
    """rows: (list_name, record_id, call_result, ISO call time)."""
    return call_results([(*r[:3], datetime.fromisoformat(r[3])) for r in rows])


def test_best_time_uses_the_called_partys_weekday_and_hour():
    results = _results(
        [
            # Tue 2026-12-01 14:10 UTC = 09:10 in New York (Tuesday)
            ("a", 1, 33, "2026-12-01T14:10:00+00:00"),
            ("a", 1, 7, "2026-12-01T14:50:00+00:00"),
            # Tue 2026-12-01 20:40 UTC = Wed 02:10 in Kolkata (+05:30)
            ("a", 2, 33, "2026-12-01T20:40:00+00:00"),
            # no zone: UTC
            ("a", 3, 6, "2026-12-06T23:59:00+00:00"),
        ]
    )
    calls = local_calls(results, _records(), ZONES)
    out = ops_stats.hour_weekday_stats(calls).collect()
    assert out.rows() == [
        ("a", 2, 9, 2, 1, 0.5),
        ("a", 3, 2, 1, 1, 1.0),
        ("a", 7, 23, 1, 0, 0.0),
    ]


def test_daily_trend_counts_attempts_connects_and_abandons_per_local_date():
    results = _results(
        [
            ("a", 1, 33, "2026-12-01T14:10:00+00:00"),
            ("a", 1, 21, "2026-12-02T03:00:00+00:00"),  # 22:00 on Dec 1 in New York
            ("a", 1, 21, "2026-12-02T15:00:00+00:00"),
        ]
    )
    out = ops_stats.daily_stats(local_calls(results, _records(), ZONES)).collect()
    assert out.rows() == [
        ("a", date(2026, 12, 1), 2, 1, 1, 0.5, 0.5),
        ("a", date(2026, 12, 2), 1, 0, 1, 0.0, 1.0),
    ]


def test_abandonment_covers_30_days_to_the_groups_last_call_against_its_limit():
    results = _results(
        [
            ("a", 1, 21, "2026-10-01T12:00:00+00:00"),  # older than 30 days: left out
            ("a", 1, 33, "2026-11-20T12:00:00+00:00"),
            ("b", 2, 33, "2026-11-30T12:00:00+00:00"),
            ("b", 2, 21, "2026-12-01T12:00:00+00:00"),
            ("c", 3, 33, "2026-12-01T12:00:00+00:00"),
        ]
    )
    lists = pl.LazyFrame({"list_name": ["a", "b", "c"], "campaign_group": ["g", "g", "h"]})
    limits = pl.LazyFrame({"campaign_group": ["h"], "abandon_limit": [0.05]})
    counts = ops_stats.abandonment_counts(results, lists)
    out = ops_stats.abandonment_30d(counts, limits).collect()
    g, h = out.row(0, named=True), out.row(1, named=True)
    assert (g["attempts"], g["connects"], g["abandoned"], g["lists"]) == (3, 2, 1, 2)
    assert g["window_end_utc"] == datetime(2026, 12, 1, 12, tzinfo=UTC)
    assert g["window_start_utc"] == datetime(2026, 11, 1, 12, tzinfo=UTC)
    assert g["abandon_rate"] == 1 / 3
    assert (g["abandon_limit"], g["over_limit"]) == (ops_stats.DEFAULT_ABANDON_LIMIT, True)
    assert (h["abandon_rate"], h["abandon_limit"], h["over_limit"]) == (0.0, 0.05, False)


def test_dialable_today_counts_each_record_once_per_local_hour_its_windows_touch():
    windows = pl.LazyFrame(
        {
            "list_name": ["a", "a", "a", "a"],
            "record_id": [1, 1, 2, 1],
            "window_start_utc": [
                datetime(2026, 12, 1, 14, 0, tzinfo=UTC),  # 09:00-10:30 New York
                datetime(2026, 12, 1, 15, 15, tzinfo=UTC),  # overlaps: still once per hour
                datetime(2026, 12, 1, 4, 0, tzinfo=UTC),  # 09:30-10:00 Kolkata, before as-of
                datetime(2026, 12, 3, 14, 0, tzinfo=UTC),  # beyond the 24 hours
            ],
            "window_end_utc": [
                datetime(2026, 12, 1, 15, 30, tzinfo=UTC),
                datetime(2026, 12, 1, 15, 45, tzinfo=UTC),
                datetime(2026, 12, 1, 4, 30, tzinfo=UTC),
                datetime(2026, 12, 3, 15, 0, tzinfo=UTC),
            ],
        },
        schema_overrides={"window_start_utc": TS, "window_end_utc": TS},
    )
    as_of = pl.LazyFrame(
        {"list_name": ["a"], "as_of": [datetime(2026, 12, 1, 3, 0, tzinfo=UTC)]},
        schema={"list_name": pl.String, "as_of": TS},
    )
    out = ops_stats.dialable_today(windows, _records(), as_of, ZONES).collect()
    assert out.select("tz_name", "local_hour", "records").rows() == [
        ("America/New_York", 9, 1),
        ("America/New_York", 10, 1),
        ("Asia/Kolkata", 9, 1),
    ]


@settings(max_examples=30, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b", "c", "x"]),  # x belongs to no group: left out
            st.sampled_from([7, 21, 33]),
            # Around the DST change of 1 November 2026 in New York: 30 days are 720 hours.
            st.datetimes(min_value=datetime(2026, 10, 1), max_value=datetime(2026, 12, 2)).map(
                lambda d: d.replace(tzinfo=UTC)
            ),
        ),
        max_size=30,
    ),
    st.sampled_from([0, 720 * 3600]),  # a call exactly 30 days before the last one too
)
# The last call at 01:00 New York time as DST ends (an ambiguous local time).
@example(
    rows=[
        ("a", 7, datetime(2026, 10, 1, tzinfo=UTC)),
        ("a", 7, datetime(2026, 11, 1, 5, tzinfo=UTC)),
    ],
    back=0,
)
# A calendar month back from 28 November in New York is 721 hours: this call stays out.
@example(
    rows=[
        ("a", 21, datetime(2026, 11, 28, 12, tzinfo=UTC)),
        ("b", 33, datetime(2026, 10, 29, 12, tzinfo=UTC)),
    ],
    back=0,
)
def test_the_warehouse_counts_abandonment_as_the_transform_does(rows, back):
    """sql/ops/abandonment_calls.sql, which the statistics step reads, equals the transform."""
    if rows:
        name, result, last = max(rows, key=lambda r: r[2])
        rows = [*rows, (name, result, last - timedelta(seconds=back))]
    results = pl.DataFrame(
        [(n, 1, c, t) for n, c, t in rows],
        schema={
            "list_name": pl.String,
            "record_id": pl.Int64,
            "call_result": pl.Int32,
            "call_time_utc": TS,
        },
        orient="row",
    )
    lists = pl.DataFrame({"name": ["a", "b", "c"], "campaign_group": ["g", "g", "h"]})
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'America/New_York'")
        con.execute("CREATE TABLE call_results AS SELECT * FROM results")
        con.execute("CREATE TABLE contact_lists AS SELECT * FROM lists")
        window = {"hours": ops_stats.ABANDON_DAYS * 24}
        stored = warehouse.named_frame(con, "abandonment_calls", {**window, "groups": None})
        # Only group g's lists (a refresh of some lists recounts their groups only).
        of_g = warehouse.named_frame(con, "abandonment_calls", {**window, "groups": ["g"]})
    # Compared in UTC: Python finds an ambiguous local time (01:00 New York as DST ends)
    # unequal to the same instant in another zone.
    utc = pl.col(pl.Datetime).dt.convert_time_zone("UTC")
    stored, of_g = stored.with_columns(utc), of_g.with_columns(utc)
    expected = ops_stats.abandonment_counts(
        results.lazy(), lists.lazy().rename({"name": "list_name"})
    ).collect()
    assert stored.columns == list(ops_stats.ABANDONMENT_COUNTS_COLUMNS)
    assert sorted(stored.rows(), key=str) == sorted(expected.rows(), key=str)
    expected_g = expected.filter(pl.col("campaign_group") == "g")
    assert sorted(of_g.rows(), key=str) == sorted(expected_g.rows(), key=str)


def _dialable_today_row_by_row(windows, records, plan_as_of, known_zones):
    """The plain definition: every record's every touched local hour, then distinct records.

    The windows of the day and their local hours come from the transform's own
    `_day_windows` and `_span_hours` (the cut to 24 h and the hours are checked case by case
    above); what this holds it to is the counting.
    """
    day = ops_stats._day_windows(windows, records, plan_as_of)
    span = ["tz_name", "_start", "_end"]
    hours = ops_stats._span_hours(day, known_zones)
    return (
        day.join(hours, on=span, how="inner", nulls_equal=True)
        .group_by("list_name", "as_of", "tz_name", "local_hour")
        .agg(pl.col("record_id").n_unique().cast(pl.Int64).alias("records"))
        .sort("list_name", "tz_name", "local_hour", nulls_last=True)
    )


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]),
            st.integers(1, 6),  # record ids: several windows per record, overlaps too
            st.integers(-6 * 60, 36 * 60),  # start, minutes after the as-of
            st.integers(1, 14 * 60),  # length in minutes
        ),
        max_size=40,
    )
)
def test_dialable_today_counts_as_the_plain_definition(rows):
    """Counting per set of windows equals counting every record's every hour (DST night too)."""
    as_of = datetime(2026, 11, 1, 2, 30, tzinfo=UTC)  # New York leaves DST that night
    windows = pl.LazyFrame(
        {
            "list_name": [r[0] for r in rows],
            "record_id": [r[1] for r in rows],
            "window_start_utc": [as_of + timedelta(minutes=r[2]) for r in rows],
            "window_end_utc": [as_of + timedelta(minutes=r[2] + r[3]) for r in rows],
        },
        schema={
            "list_name": pl.String,
            "record_id": pl.Int64,
            "window_start_utc": TS,
            "window_end_utc": TS,
        },
    )
    records = pl.LazyFrame(
        {
            "record_id": [1, 2, 3, 4, 5, 6],
            "tz_name": [
                "America/New_York",
                "Asia/Kolkata",
                None,
                "America/New_York",
                "Bad/Zone",
                "UTC",
            ],
        },
        schema={"record_id": pl.Int64, "tz_name": pl.String},
    )
    plan = pl.LazyFrame(
        {"list_name": ["a", "b"], "as_of": [as_of, as_of + timedelta(hours=5)]},
        schema={"list_name": pl.String, "as_of": TS},
    )
    got = ops_stats.dialable_today(windows, records, plan, ZONES).collect()
    want = _dialable_today_row_by_row(windows, records, plan, ZONES).collect()
    assert got.equals(want), (got, want)
