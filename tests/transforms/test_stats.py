from datetime import UTC, datetime

import polars as pl
import pytest
from tests.transforms.frames import call_results

from cxpipeline import tzdb
from cxpipeline.transforms.local_calls import local_calls
from cxpipeline.transforms.result_summaries import per_code, per_record
from cxpipeline.transforms.stats import (
    GROUP_STATS_COLUMNS,
    LIST_STATS_COLUMNS,
    group_stats,
    hourly_stats,
    list_stats,
    zone_stats,
)


def _records(rows):
    """rows: (list_name, group, record_id, chain_id, record_type, record_status, tz_name)."""
    cols = [
        "list_name",
        "campaign_group",
        "record_id",
        "chain_id",
        "record_type",
        "record_status",
        "tz_name",
    ]
    return pl.LazyFrame(
        [dict(zip(cols, r, strict=True)) for r in rows],
        schema={
            "list_name": pl.String,
            "campaign_group": pl.String,
            "record_id": pl.Int64,
            "chain_id": pl.Int64,
            "record_type": pl.Int32,
            "record_status": pl.Int32,
            "tz_name": pl.String,
        },
    ).with_columns(attempt=pl.lit(0), call_result=pl.lit(28))


def _calls(results, records):
    """The local-time attempt counts hourly_stats reads, every zone of the release known."""
    return local_calls(results, records, tzdb.zone_names())


def _results(rows):
    """rows: (list_name, record_id, call_time_utc, call_result)."""
    return call_results([(name, record, result, at) for name, record, at, result in rows])


def _summed(results, records=None):
    """The per-record sums and per-code counts the statistics step reads, of inline results.

    The records lend each result its chain; the results carry no talk time.
    """
    chains = (RECORDS if records is None else records).select("record_id", "chain_id")
    with_chain = results.join(chains, on="record_id", how="left").with_columns(
        duration_s=pl.lit(None, pl.Float64)
    )
    return per_record(with_chain), per_code(results.with_columns(attempts=pl.lit(1)))


T = datetime(2025, 6, 2, 15, tzinfo=UTC)

RECORDS = _records(
    [
        ("A", "G1", 1, 1, 2, 3, "America/New_York"),
        ("A", "G1", 2, 1, 2, 7, "America/New_York"),
        ("A", "G1", 3, 2, 7, 1, None),
        ("A", "G1", 4, 3, 2, 1, "America/Chicago"),
        ("B", "G1", 5, 4, 2, 1, "America/Chicago"),
        ("C", "G2", 6, 5, 2, 1, None),
    ]
)
RESULTS = _results(
    [
        ("A", 1, T, 7),
        ("A", 1, T, 33),
        ("A", 4, T, 21),
        ("A", 4, T, 9),
        ("A", 4, T, 11),
        ("A", 4, T, 53),
        ("B", 5, T, 6),
        ("B", 5, T, 21),
    ]
)


def _by(frame, key):
    return {r[key]: r for r in frame.iter_rows(named=True)}


def test_list_stats_counts_records_chains_and_results():
    out = list_stats(RECORDS, *_summed(RESULTS)).collect()
    assert tuple(out.columns) == LIST_STATS_COLUMNS
    a = _by(out, "list_name")["A"]
    assert a["campaign_group"] == "G1"
    assert (a["total_records"], a["total_chains"]) == (4, 3)
    assert (a["no_call_records"], a["dialable_records"]) == (1, 3)
    assert (a["attempts"], a["attempted_records"], a["connected_records"]) == (6, 2, 1)
    assert (a["connects"], a["no_answer"], a["abandoned"], a["answering_machine"]) == (1, 1, 1, 1)
    assert a["invalid_number"] == 2  # 11 and 53
    assert (a["records_finished"], a["records_remaining"]) == (2, 1)


def test_list_stats_rates():
    a = _by(list_stats(RECORDS, *_summed(RESULTS)).collect(), "list_name")["A"]
    assert a["connect_rate"] == pytest.approx(1 / 6)
    assert a["abandon_rate"] == pytest.approx(1 / 2)
    assert a["sit_rate"] == pytest.approx(2 / 6)
    assert a["penetration"] == pytest.approx(2 / 3)


def test_zero_denominators_give_null_rates_and_lists_without_results_get_zero_counts():
    out = _by(list_stats(RECORDS, *_summed(RESULTS)).collect(), "list_name")
    b, c = out["B"], out["C"]
    assert b["connect_rate"] == 0.0
    assert b["abandon_rate"] == 1.0  # one abandon, no connect
    assert c["attempts"] == 0
    assert c["connects"] == 0
    assert c["connect_rate"] is None
    assert c["abandon_rate"] is None
    assert c["penetration"] == 0.0


def test_penetration_is_null_when_nothing_is_dialable():
    recs = _records([("D", "G", 1, 1, 7, 1, None)])
    d = list_stats(recs, *_summed(_results([]), recs)).collect().row(0, named=True)
    assert d["dialable_records"] == 0
    assert d["penetration"] is None


def test_group_stats_sums_lists_and_recomputes_rates_from_sums():
    per_list = list_stats(RECORDS, *_summed(RESULTS))
    out = group_stats(per_list).collect()
    assert tuple(out.columns) == GROUP_STATS_COLUMNS
    g1 = _by(out, "campaign_group")["G1"]
    assert g1["lists"] == 2
    assert g1["attempts"] == 8
    assert g1["connects"] == 1
    assert g1["abandoned"] == 2
    # 1/8, not the mean of the lists' rates (1/6 and 0)
    assert g1["connect_rate"] == pytest.approx(1 / 8)
    assert g1["abandon_rate"] == pytest.approx(2 / 3)
    assert g1["penetration"] == pytest.approx(3 / 4)
    assert _by(out, "campaign_group")["G2"]["connect_rate"] is None


def test_hourly_stats_uses_local_hour_across_a_dst_change():
    recs = _records(
        [
            ("A", "G", 1, 1, 2, 1, "America/New_York"),
            ("A", "G", 2, 2, 2, 1, None),
        ]
    )
    # 15:30 UTC is 10:30 EST on 7 March and 11:30 EDT on 10 March (DST began 9 March 2025).
    res = _results(
        [
            ("A", 1, datetime(2025, 3, 7, 15, 30, tzinfo=UTC), 7),
            ("A", 1, datetime(2025, 3, 10, 15, 30, tzinfo=UTC), 7),
            ("A", 1, datetime(2025, 3, 10, 15, 59, tzinfo=UTC), 33),
            ("A", 2, datetime(2025, 3, 10, 15, 30, tzinfo=UTC), 7),
        ]
    )
    out = hourly_stats(_calls(res, recs)).collect()
    assert out.columns == ["list_name", "local_hour", "result_group", "attempts"]
    got = {(r["local_hour"], r["result_group"]): r["attempts"] for r in out.iter_rows(named=True)}
    # record 2 has no zone: its hour is UTC
    assert got == {
        (10, "no_contact"): 1,
        (11, "no_contact"): 1,
        (11, "live_connect"): 1,
        (15, "no_contact"): 1,
    }


def test_hourly_stats_half_hour_zone_and_quarter_hour_buckets():
    recs = _records([("A", "G", 1, 1, 2, 1, "Asia/Kolkata")])
    # +05:30: 09:29 UTC is 14:59 local, 09:30 UTC is 15:00 local
    res = _results(
        [
            ("A", 1, datetime(2025, 3, 7, 9, 29, tzinfo=UTC), 7),
            ("A", 1, datetime(2025, 3, 7, 9, 30, tzinfo=UTC), 7),
        ]
    )
    out = hourly_stats(_calls(res, recs)).collect()
    assert sorted(out["local_hour"].to_list()) == [14, 15]


def test_hourly_stats_unknown_codes_fall_in_other():
    recs = _records([("A", "G", 1, 1, 2, 1, None)])
    out = hourly_stats(_calls(_results([("A", 1, T, 99)]), recs)).collect()
    assert out["result_group"].to_list() == ["other"]


def test_zone_stats_per_list_and_zone():
    out = zone_stats(RECORDS, _summed(RESULTS)[0]).collect()
    got = {
        (r["list_name"], r["tz_name"]): (r["total_records"], r["attempts"], r["connects"])
        for r in out.iter_rows(named=True)
    }
    assert got == {
        ("A", "America/New_York"): (2, 2, 1),
        ("A", "America/Chicago"): (1, 4, 0),
        ("A", None): (1, 0, 0),
        ("B", "America/Chicago"): (1, 2, 0),
        ("C", None): (1, 0, 0),
    }
    a_null = out.filter((pl.col("list_name") == "A") & pl.col("tz_name").is_null()).row(
        0, named=True
    )
    assert a_null["connect_rate"] is None
    assert a_null["penetration"] is None  # its only record is No Call


def test_completion_estimate_from_recent_finishes():
    from datetime import UTC, datetime

    from cxpipeline.transforms.stats import completion_estimates

    records = pl.LazyFrame(
        {
            "list_name": ["a"] * 5 + ["b"],
            "chain_id": [1, 2, 3, 4, 5, 9],
            "record_type": [2, 2, 2, 2, 7, 2],
            "record_status": [3, 7, 3, 1, 1, 3],
        }
    )
    summed = pl.LazyFrame(
        {
            "list_name": ["a", "a", "a", "a", "b"],
            "chain_id": [1, 2, 3, 4, 9],
            "last_call_utc": [
                datetime(2026, 11, 19, 22, tzinfo=UTC),
                datetime(2026, 11, 20, 20, tzinfo=UTC),
                datetime(2026, 11, 20, 22, tzinfo=UTC),
                datetime(2026, 11, 20, 23, tzinfo=UTC),
                datetime(2026, 11, 20, 5, tzinfo=UTC),
            ],
        },
        schema_overrides={"last_call_utc": pl.Datetime("us", "UTC")},
    )
    out = completion_estimates(records, summed).collect().sort("list_name")
    a = out.row(0, named=True)
    # Chains 2 and 3 finished within 24 h of the last call; chain 1 (25 h before) did not.
    assert a["finished_last_24h"] == 2
    assert a["completion_per_hour"] == pytest.approx(2 / 24)
    # One dialable record remains (status 1); the No Call record is not remaining work.
    assert a["est_hours_to_complete"] == pytest.approx(1 / (2 / 24))
    b = out.row(1, named=True)
    assert b["est_hours_to_complete"] == 0.0


def test_zone_penetration_leaves_attempted_no_call_records_out_of_both_sides():
    records = pl.LazyFrame(
        {
            "list_name": ["Z"] * 3,
            "record_id": [1, 2, 3],
            "tz_name": ["America/New_York"] * 3,
            "record_type": [2, 2, 7],
        }
    )
    summed = pl.LazyFrame(
        {"list_name": ["Z", "Z"], "record_id": [1, 3], "attempts": [1, 1], "connects": [0, 0]}
    )
    row = zone_stats(records, summed).collect().row(0, named=True)
    assert (row["attempted_records"], row["dialable_records"]) == (2, 2)
    assert row["penetration"] == 0.5  # record 1 of the two dialable ones, not 2 of 2


def test_zone_stats_leave_out_the_sums_of_removed_records():
    records = pl.LazyFrame(
        {"list_name": ["Z"], "record_id": [1], "tz_name": ["America/Chicago"], "record_type": [2]}
    )
    # Record 2 was removed by a refresh; its results stay stored but belong to no zone.
    summed = pl.LazyFrame(
        {"list_name": ["Z", "Z"], "record_id": [1, 2], "attempts": [3, 5], "connects": [1, 1]}
    )
    out = zone_stats(records, summed).collect()
    assert out.height == 1
    row = out.row(0, named=True)
    assert (row["total_records"], row["attempts"], row["connects"]) == (1, 3, 1)
    assert row["attempted_records"] == 1


def test_a_record_finishes_at_the_last_call_of_its_chain():
    from cxpipeline.transforms.stats import completion_estimates

    # Chain 7: record 1 finished long ago, record 2 (the chain's next number) was called
    # recently, so the chain (and record 1 with it) finished within the window.
    records = pl.LazyFrame(
        {
            "list_name": ["a", "a", "a"],
            "chain_id": [7, 7, 8],
            "record_type": [2, 2, 2],
            "record_status": [7, 3, 3],
        }
    )
    summed = pl.LazyFrame(
        {
            "list_name": ["a", "a", "a"],
            "chain_id": [7, 7, 8],
            "last_call_utc": [
                datetime(2026, 11, 18, 9, tzinfo=UTC),
                datetime(2026, 11, 20, 21, tzinfo=UTC),
                datetime(2026, 11, 19, 9, tzinfo=UTC),
            ],
        },
        schema_overrides={"last_call_utc": pl.Datetime("us", "UTC")},
    )
    row = completion_estimates(records, summed).collect().row(0, named=True)
    assert row["finished_last_24h"] == 2  # chain 7's two records; chain 8 ended 36 h before
    assert row["est_hours_to_complete"] == 0.0
