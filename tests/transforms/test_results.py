from datetime import UTC, datetime

import polars as pl
import pytest

from cxpipeline.transforms.results import call_results, parsed_call_results, record_state

TS = pl.Datetime("us", "UTC")


def _raw(rows, extra=None):
    cols = {"record_id": [], "call_time": [], "call_result": [], "source_row": []}
    for i, (rid, when, result) in enumerate(rows, start=1):
        cols["record_id"].append(rid)
        cols["call_time"].append(when)
        cols["call_result"].append(result)
        cols["source_row"].append(str(i))
    cols.update(extra or {})
    return pl.LazyFrame(cols, schema={k: pl.String for k in cols})


def _records(rows):
    """rows: (record_id, chain_id) in list L."""
    return pl.LazyFrame(
        {
            "list_name": ["L"] * len(rows),
            "record_id": [r[0] for r in rows],
            "chain_id": [r[1] for r in rows],
            "tz_name": ["America/New_York"] * len(rows),
        }
    )


def _at(hour, minute=0, day=9):
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- call_results


def test_results_join_records_and_flag_unknown_ones():
    raw = _raw([("1", "1741533300", "7"), ("99", "1741533300", "7")])
    out = call_results(parsed_call_results(raw), _records([(1, 10)])).collect().sort("source_row")
    assert out["list_name"].to_list() == ["L", None]
    assert out["chain_id"].to_list() == [10, None]
    assert out["unknown_record"].to_list() == [False, True]
    assert out.schema["call_time_utc"] == TS
    assert out.schema["result_key"] == pl.UInt64


def test_rows_with_parse_errors_are_left_out():
    raw = _raw([("1", "1741533300", "7"), ("1", "bad", "7")])
    out = call_results(parsed_call_results(raw), _records([(1, 10)])).collect()
    assert out["source_row"].to_list() == [1]


def test_result_key_is_the_same_for_the_same_result_in_any_spelling_or_file():
    first = _raw([("1", "2025-03-09T10:15:00-05:00", "Answering Machine")])
    again = _raw([("2", "1741533300", "9"), ("1", "2025-03-09T15:15:00Z", "answering_machine")])
    recs = _records([(1, 10), (2, 20)])
    a = call_results(parsed_call_results(first), recs).collect()
    b = call_results(parsed_call_results(again), recs).collect()
    assert b.filter(pl.col("record_id") == 1)["result_key"].item() == a["result_key"].item()
    # a different record at the same moment with the same result is a different key
    assert b.filter(pl.col("record_id") == 2)["result_key"].item() != a["result_key"].item()


def test_result_key_value_is_pinned_so_reloads_match_after_upgrades():
    raw = _raw([("1", "2025-03-09T10:15:00-05:00", "33")])
    out = call_results(parsed_call_results(raw), _records([(1, 10)])).collect()
    assert out["result_key"].item() == 12376461574759346417


def test_reloading_the_same_file_adds_nothing_after_an_anti_join():
    raw = _raw([("1", "1741533300", "7"), ("1", "1741537000", "33")])
    recs = _records([(1, 10)])
    stored = call_results(parsed_call_results(raw), recs).collect()
    reload = call_results(parsed_call_results(raw), recs, previous=stored.lazy()).collect()
    assert reload.join(stored, on="result_key", how="anti").height == 0
    assert reload.sort("call_time_utc")["attempt"].to_list() == [1, 2]


def test_duplicate_rows_in_one_file_are_flagged_after_the_first():
    raw = _raw([("1", "1741533300", "7"), ("1", "1741533300", "No Answer")])
    out = call_results(parsed_call_results(raw), _records([(1, 10)])).collect()
    assert out.sort("source_row")["duplicate_result"].to_list() == [False, True]


def test_attempt_counts_per_record_by_call_time_unless_given():
    raw = _raw(
        [("1", "1741540000", "7"), ("1", "1741530000", "6"), ("2", "1741535000", "7")],
        extra={"attempt": [None, None, "5"]},
    )
    out = call_results(parsed_call_results(raw), _records([(1, 10), (2, 20)])).collect()
    by_row = dict(zip(out["source_row"], out["attempt"], strict=True))
    assert by_row == {1: 2, 2: 1, 3: 5}


def test_attempt_continues_after_results_already_stored():
    recs = _records([(1, 10)])
    earlier = call_results(parsed_call_results(_raw([("1", "1741530000", "7")])), recs)
    later = _raw([("1", "1741540000", "7")])
    out = call_results(parsed_call_results(later), recs, previous=earlier).collect()
    assert out["attempt"].to_list() == [2]


def test_previous_results_from_the_warehouse_with_etc_utc_zone_are_accepted():
    recs = _records([(1, 10)])
    earlier = (
        call_results(parsed_call_results(_raw([("1", "1741530000", "7")])), recs)
        .collect()
        .with_columns(pl.col("call_time_utc").dt.convert_time_zone("Etc/UTC"))
    )
    out = call_results(
        parsed_call_results(_raw([("1", "1741540000", "7")])), recs, previous=earlier.lazy()
    ).collect()
    assert out["attempt"].to_list() == [2]


# --------------------------------------------------------------------------- record_state


def _state_records(rows):
    """rows: (record_id, chain_id, record_type, no_call_reason)."""
    n = len(rows)
    return pl.LazyFrame(
        {
            "list_name": ["L"] * n,
            "record_id": [r[0] for r in rows],
            "chain_id": [r[1] for r in rows],
            "record_type": pl.Series([r[2] for r in rows], dtype=pl.Int32),
            "record_status": pl.Series([1] * n, dtype=pl.Int32),
            "attempt": pl.Series([0] * n, dtype=pl.Int32),
            "call_result": pl.Series([28] * n, dtype=pl.Int32),
            "call_time": pl.Series([None] * n, dtype=pl.Int64),
            "dial_sched_time": pl.Series([None] * n, dtype=pl.Int64),
            "no_call_reason": pl.Series([r[3] for r in rows], dtype=pl.String),
        }
    )


def _results(rows):
    """rows: (record_id, call_time_utc, call_result)."""
    return pl.LazyFrame(
        {
            "record_id": [r[0] for r in rows],
            "call_time_utc": pl.Series([r[1] for r in rows], dtype=TS),
            "call_result": [r[2] for r in rows],
            "result_key": pl.Series(range(len(rows)), dtype=pl.UInt64),
        }
    )


def _state(records, results, minutes=30):
    out = record_state(records, results, retry_interval_minutes=minutes).collect()
    return {r["record_id"]: r for r in out.iter_rows(named=True)}


def test_last_result_attempt_count_and_call_time():
    recs = _state_records([(1, 10, 2, None)])
    res = _results([(1, _at(12), 7), (1, _at(10), 6)])
    s = _state(recs, res)[1]
    assert (s["attempt"], s["call_result"], s["call_time"]) == (2, 7, int(_at(12).timestamp()))
    assert s["record_status"] == 1


def test_no_contact_result_is_rescheduled_after_the_retry_interval():
    recs = _state_records([(1, 10, 2, None)])
    s = _state(recs, _results([(1, _at(12), 6)]), minutes=45)[1]
    assert s["dial_sched_time"] == int(_at(12).timestamp()) + 45 * 60


def test_machine_result_stays_ready_without_schedule():
    recs = _state_records([(1, 10, 2, None)])
    s = _state(recs, _results([(1, _at(12), 9)]))[1]
    assert (s["record_status"], s["dial_sched_time"]) == (1, None)


@pytest.mark.parametrize("final", [33])
def test_final_outcome_updates_the_record_and_chain_updates_the_others(final):
    recs = _state_records([(1, 10, 2, None), (2, 10, 2, None), (3, 30, 2, None)])
    res = _results([(2, _at(9), 7), (1, _at(10), final)])
    s = _state(recs, res)
    assert s[1]["record_status"] == 3
    assert s[2]["record_status"] == 7
    assert s[2]["dial_sched_time"] is None
    assert s[3]["record_status"] == 1  # another chain is untouched
    assert s[3]["attempt"] == 0


@pytest.mark.parametrize("invalid", [8, 11, 16, 40, 53])
def test_invalid_number_and_wrong_party_finish_only_their_own_record(invalid):
    # Wrong Party (40) says the number is not the customer's, like Wrong Number (53).
    recs = _state_records([(1, 10, 2, None), (2, 10, 2, None)])
    s = _state(recs, _results([(1, _at(10), invalid)]))
    assert s[1]["record_status"] == 3
    assert s[2]["record_status"] == 1


def test_cancel_record_cancels_only_its_own_record():
    recs = _state_records([(1, 10, 2, None), (2, 10, 2, None)])
    s = _state(recs, _results([(1, _at(10), 52)]))
    assert (s[1]["record_status"], s[1]["dial_sched_time"]) == (5, None)
    assert s[2]["record_status"] == 1


def test_do_not_call_makes_the_whole_chain_no_call_and_keeps_earlier_reasons():
    recs = _state_records(
        [(1, 10, 2, None), (2, 10, 2, None), (3, 10, 7, "toll_free"), (4, 40, 2, None)]
    )
    s = _state(recs, _results([(1, _at(10), 51)]))
    assert [s[i]["record_type"] for i in (1, 2, 3, 4)] == [7, 7, 7, 2]
    assert [s[i]["no_call_reason"] for i in (1, 2, 3, 4)] == [
        "do_not_call_result",
        "do_not_call_result",
        "toll_free",
        None,
    ]
    assert s[2]["record_status"] == 7


def test_an_earlier_do_not_call_still_counts_when_a_later_result_follows():
    recs = _state_records([(1, 10, 2, None)])
    s = _state(recs, _results([(1, _at(10), 51), (1, _at(11), 7)]))[1]
    assert s["record_type"] == 7
    assert s["dial_sched_time"] is None


def test_results_of_unknown_records_are_ignored_and_types_are_kept():
    recs = _state_records([(1, 10, 2, None)])
    out = record_state(recs, _results([(99, _at(10), 33)]), retry_interval_minutes=5).collect()
    assert out.height == 1
    assert out["record_status"].to_list() == [1]
    assert out.schema == recs.collect_schema()


def test_negative_retry_interval_is_refused():
    with pytest.raises(ValueError):
        record_state(_state_records([]), _results([]), retry_interval_minutes=-1)
