"""Attempt-cap holds: chains at a state's cap within its rolling window."""

from datetime import UTC, datetime, timedelta

import polars as pl

from cxpipeline import rules
from cxpipeline.transforms.attempt_caps import attempt_cap_holds, cap_lookback

SEED = rules.load_rules(None)


# --------------------------------------------------------------------------- attempt caps


def _calls(rows):
    return pl.LazyFrame(
        rows,
        schema={
            "list_name": pl.String,
            "record_id": pl.Int64,
            "chain_id": pl.Int64,
            "call_time_utc": pl.Datetime("us", "UTC"),
            "call_result": pl.Int64,
        },
        orient="row",
    )


def _chain_records(rows):
    return pl.LazyFrame(
        rows,
        schema={
            "list_name": pl.String,
            "record_id": pl.Int64,
            "chain_id": pl.Int64,
            "states": pl.List(pl.String),
        },
        orient="row",
    )


AS_OF = datetime(2026, 7, 1, 20, tzinfo=UTC)


def _at(hours_before):
    return AS_OF - timedelta(hours=hours_before)


def test_florida_chain_is_held_after_three_attempts_across_its_numbers():
    records = _chain_records(
        [("l", 1, 10, ["FL"]), ("l", 2, 10, ["FL"]), ("l", 3, 20, ["FL"]), ("l", 4, 30, ["TX"])]
    )
    calls = _calls(
        [
            ("l", 1, 10, _at(30), 7),  # outside the rolling 24 h
            ("l", 1, 10, _at(10), 7),
            ("l", 2, 10, _at(5), 6),  # another number of the same chain
            ("l", 1, 10, _at(1), 9),
            ("l", 3, 20, _at(3), 7),  # two calls only
            ("l", 3, 20, _at(2), 7),
            ("l", 4, 30, _at(3), 7),  # Texas: no cap
            ("l", 4, 30, _at(2), 7),
            ("l", 4, 30, _at(1), 7),
            ("l", 3, 20, AS_OF + timedelta(hours=1), 7),  # after as_of: not counted
        ]
    )
    holds = attempt_cap_holds(calls, records, SEED, AS_OF).collect()
    assert holds.rows() == [("l", 10, _at(10) + timedelta(hours=24), "attempt_cap:FL")]


def test_cap_hold_frees_when_the_third_most_recent_call_leaves_the_window():
    records = _chain_records([("l", 1, 10, ["FL", "OK"])])
    calls = _calls([("l", 1, 10, _at(h), 7) for h in (20, 12, 6, 2)])
    holds = attempt_cap_holds(calls, records, SEED.lazy(), AS_OF).collect()
    # four calls: after the 12-hours-ago one leaves, only two remain in the window
    assert holds.rows() == [("l", 10, _at(12) + timedelta(hours=24), "attempt_cap:FL")]


def test_no_cap_before_it_was_in_force():
    records = _chain_records([("l", 1, 10, ["MD"])])  # Maryland: from 2024-01-01
    old = datetime(2023, 6, 1, 20, tzinfo=UTC)
    calls = _calls([("l", 1, 10, old - timedelta(hours=h), 7) for h in (3, 2, 1)])
    assert attempt_cap_holds(calls, records, SEED, old).collect().height == 0
    calls_now = _calls([("l", 1, 10, _at(h), 7) for h in (3, 2, 1)])
    assert attempt_cap_holds(calls_now, records, SEED, AS_OF).collect().height == 1


def test_lookback_is_the_longest_cap_window_in_force():
    longest = (
        SEED.filter(pl.col("max_attempts").is_not_null()).get_column("attempt_window_hours").max()
    )
    assert cap_lookback(SEED, AS_OF) == AS_OF - timedelta(hours=longest)
    # Before any cap was in force nothing needs reading: the lookback is the as-of itself.
    long_ago = datetime(2000, 1, 1, tzinfo=UTC)
    assert cap_lookback(SEED, long_ago) == long_ago
    no_caps = SEED.with_columns(max_attempts=pl.lit(None, pl.Int64))
    assert cap_lookback(no_caps, AS_OF) == AS_OF
