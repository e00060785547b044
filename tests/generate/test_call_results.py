from __future__ import annotations

from datetime import datetime, time
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from cxpipeline.codes import CallResult
from cxpipeline.generate.call_results import synthetic_call_results
from cxpipeline.generate.columns import CALL_RESULT_COLUMNS

ZONES = [
    "America/New_York",
    "America/Chicago",
    "America/Phoenix",
    "America/Los_Angeles",
    "Pacific/Honolulu",
    "America/St_Johns",
    "Asia/Kolkata",
    None,
]
START = datetime(2025, 10, 30)  # spans the end of US daylight saving (2 November 2025)


@pytest.fixture(scope="module")
def records() -> pl.DataFrame:
    n = 6000
    base = 7 * 10**10
    return pl.DataFrame(
        {
            "record_id": [base + i for i in range(n)],
            "chain_id": [base + i // 3 for i in range(n)],
            "contact_info": [f"+1212555{i % 10000:04d}" for i in range(n)],
            "tz_name": [ZONES[i % len(ZONES)] for i in range(n)],
        }
    )


@pytest.fixture(scope="module")
def results(records: pl.DataFrame) -> pl.DataFrame:
    return synthetic_call_results(records.lazy(), start=START, days=6, seed=3).collect()


def test_results_reference_given_records_with_valid_codes(
    records: pl.DataFrame, results: pl.DataFrame
) -> None:
    assert results.columns == list(CALL_RESULT_COLUMNS)
    assert set(results["record_id"]) <= set(records["record_id"])
    attempted = results["record_id"].n_unique() / records.height
    # ~70% are picked; attempts after a chain's connect / wrong party / DNC are dropped.
    assert 0.45 <= attempted <= 0.75
    labels = {r.label: int(r) for r in CallResult}
    codes = {str(int(r)) for r in CallResult}
    text = results["call_result"]
    assert text.is_in(list(codes | set(labels))).all()
    by_name = text.is_in(list(labels)).mean()
    assert 0.06 <= by_name <= 0.14  # type: ignore[operator]
    assert text.is_in(["Busy", "Answering Machine", "No Answer"]).any()


def test_result_mix_is_realistic(results: pl.DataFrame) -> None:
    labels = {r.label: str(int(r)) for r in CallResult}
    code = results["call_result"].replace(labels).cast(pl.Int64)
    share = {c: (code == c).mean() for c in (7, 6, 9, 33, 21, 17, 40, 51)}
    assert 0.30 <= share[7] <= 0.40  # type: ignore[operator]
    assert 0.07 <= share[6] <= 0.13  # type: ignore[operator]
    assert 0.16 <= share[9] <= 0.24  # type: ignore[operator]
    assert 0.16 <= share[33] <= 0.24  # type: ignore[operator]
    assert 0.015 <= share[21] <= 0.045  # type: ignore[operator]
    for rare in (17, 40, 51):
        assert share[rare] > 0  # type: ignore[operator]
    sit = code.is_in([8, 11, 12, 13, 14, 15, 16]).mean()
    assert 0.03 <= sit <= 0.08  # type: ignore[operator]
    connects = results.filter(code == 33)
    assert connects["agent_id"].is_not_null().all()
    assert results.filter(code == 7)["agent_id"].is_null().all()
    assert (connects["duration_s"] >= 30).all()


def test_call_times_within_local_window(records: pl.DataFrame, results: pl.DataFrame) -> None:
    joined = results.join(records, on="record_id", how="left")
    days = set()
    for call_time, zone in joined.select("call_time", "tz_name").iter_rows():
        if zone is None:
            assert call_time.endswith("Z")
            moment = datetime.fromisoformat(call_time)
            local = moment.astimezone(ZoneInfo("America/New_York"))
            assert time(14) <= local.time() < time(20)
        else:
            moment = datetime.fromisoformat(call_time)
            assert moment.utcoffset() == moment.astimezone(ZoneInfo(zone)).utcoffset()
            assert time(9) <= moment.time() < time(20)
        days.add(moment.date())
    assert len(days) >= 6


def test_attempts_are_numbered_and_stop_after_final_outcomes(
    records: pl.DataFrame, results: pl.DataFrame
) -> None:
    labels = {r.label: str(int(r)) for r in CallResult}
    ordered = results.with_columns(
        code=pl.col("call_result").replace(labels).cast(pl.Int64),
        utc=pl.col("call_time")
        .str.replace(r"Z$", "+00:00")
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%z", time_zone="UTC"),
    ).sort("record_id", "attempt")
    per_record = ordered.group_by("record_id").agg(pl.col("attempt"), pl.col("utc"), pl.col("code"))
    for attempts, times, codes in per_record.select("attempt", "utc", "code").iter_rows():
        assert attempts == list(range(1, len(attempts) + 1))
        assert 1 <= len(attempts) <= 4
        assert times == sorted(times)
        assert all(c not in (33, 40, 51, 17) for c in codes[:-1])
    assert set(per_record["attempt"].list.len()) == {1, 2, 3, 4}
    # A connect, wrong party or DNC finishes the whole chain: nothing of it is dialled later.
    chains = ordered.join(records.select("record_id", "chain_id"), on="record_id")
    late = chains.with_columns(
        done=pl.when(pl.col("code").is_in([33, 40, 51])).then(pl.col("utc")).min().over("chain_id")
    ).filter(pl.col("utc") > pl.col("done"))
    assert late.height == 0
    assert chains.filter(pl.col("code").is_in([33, 40, 51]))["chain_id"].n_unique() > 100


def test_call_results_deterministic(records: pl.DataFrame, results: pl.DataFrame) -> None:
    again = synthetic_call_results(records.lazy(), start=START, days=6, seed=3).collect()
    assert again.equals(results)
