"""Operations statistics step: built with the statistics from stored records and results."""

from datetime import datetime, timedelta

import duckdb
import pytest
from tests.steps.memory_limits import current_limit, shown_limit

from cxpipeline import warehouse
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest, results, setup, statistics

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
LIST = """client_id,first_name,last_name,home_phone,postal_code,state_code
C1,Ann,Smith,(212) 736-0142,10001,NY
C2,Bob,Ray,305-373-0101,33130,FL
"""


@pytest.fixture
def home(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    path = tmp_path / "l.csv"
    path.write_text(LIST, encoding="utf-8")
    ingest.ingest(settings, path, list_name="l1", group="collections_east", as_of=AS_OF)
    return settings


def rows(settings, sql):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_statistics_fill_the_operations_tables(home, tmp_path):
    ids = [r[0] for r in rows(home, "SELECT record_id FROM contact_records ORDER BY contact_info")]
    calls = tmp_path / "calls.csv"
    calls.write_text(
        "record_id,call_time,call_result\n"
        f"{ids[0]},2026-11-30T10:05:00-05:00,33\n"
        f"{ids[0]},2026-11-30T10:35:00-05:00,21\n"
        f"{ids[1]},2026-11-30T11:00:00-05:00,7\n",
        encoding="utf-8",
    )
    results.load_results(home, calls, as_of=AS_OF)
    statistics.build_statistics(home)
    assert rows(home, "SELECT weekday, local_hour, attempts, connects FROM hour_weekday_stats") == [
        (1, 10, 2, 1),
        (1, 11, 1, 0),
    ]
    assert rows(
        home, "SELECT call_date::VARCHAR, attempts, connects, abandoned FROM daily_stats"
    ) == [("2026-11-30", 3, 1, 1)]
    [(group, rate, limit, over)] = rows(
        home, "SELECT campaign_group, abandon_rate, abandon_limit, over_limit FROM abandonment_30d"
    )
    assert (group, rate, over) == ("collections_east", 0.5, True)
    assert 0 < limit <= 1
    today = rows(home, "SELECT DISTINCT tz_name FROM dialable_today ORDER BY 1")
    assert today == [("America/New_York",)]


def test_only_windows_overlapping_the_24_hours_from_the_plan_reach_the_statistics():
    as_of = datetime.fromisoformat("2026-10-31T12:00:00+00:00")  # New York leaves DST next day
    edge = datetime.fromisoformat("2026-11-01T12:00:00+00:00")  # as-of + 24 h, exactly
    micro = timedelta(microseconds=1)
    windows = [
        (1, as_of - timedelta(hours=2), as_of),  # ends as the day starts: out
        (2, as_of - timedelta(hours=2), as_of + micro),  # in
        (3, edge - micro, edge + timedelta(hours=1)),  # in
        (4, edge, edge + timedelta(hours=1)),  # starts as the day ends (a calendar day is 25 h)
    ]
    with duckdb.connect() as con:
        con.execute("SET TimeZone = 'America/New_York'")
        con.execute("CREATE TABLE window_keys (list_name VARCHAR, as_of TIMESTAMPTZ)")
        con.execute("INSERT INTO window_keys VALUES ('l1', $a), ('l2', NULL)", {"a": as_of})
        con.execute(
            "CREATE TABLE dialable_windows (list_name VARCHAR, record_id BIGINT, "
            "chain_id BIGINT, window_start_utc TIMESTAMPTZ, window_end_utc TIMESTAMPTZ)"
        )
        for record, start, end in windows:
            for name in ("l1", "l2"):  # l2 was never planned: none of its windows count
                con.execute(
                    "INSERT INTO dialable_windows VALUES ($n, $r, $r * 10, $s, $e)",
                    {"n": name, "r": record, "s": start, "e": end},
                )
        kept = warehouse.named_frame(con, "windows_for_stats", {"lo": -(2**63), "hi": 2**63 - 1})
        # One slice of chains: ids in [lo, hi).
        sliced = warehouse.named_frame(con, "windows_for_stats", {"lo": 30, "hi": 40})
    assert sorted(zip(kept["list_name"], kept["record_id"], strict=True)) == [("l1", 2), ("l1", 3)]
    assert sliced["record_id"].to_list() == [3]


def test_statistics_hold_the_write_lock_between_reading_and_writing(home, monkeypatch):
    """Each slice's connection is closed before Polars works; no other writer may slip in."""
    from cxpipeline.io import home_lock

    held = []
    read, inputs = statistics._read, statistics._inputs

    def reading(settings, queries):
        held.append(("slice", home_lock.holds_lock(home.home)))
        return read(settings, queries)

    def reading_inputs(settings, lists):
        held.append(("inputs and first slice", home_lock.holds_lock(home.home)))
        return inputs(settings, lists)

    monkeypatch.setattr(statistics, "_read", reading)
    monkeypatch.setattr(statistics, "_inputs", reading_inputs)
    # Two records, a slice each.
    statistics.build_statistics(home.model_copy(update={"statistics_slice_records": 1}))
    assert held == [("inputs and first slice", True), ("slice", True)]
    assert ("l1", 2) in rows(home, "SELECT list_name, total_records FROM list_stats")


def test_statistics_read_within_the_memory_bound_and_again_without_it_if_they_must(
    home, monkeypatch
):
    # Unbounded, DuckDB's joins and aggregates over the results grew with them (the 5M list
    # with 93.6 M results: 2.2 GiB for the first read).
    statistics.build_statistics(home)
    tables = [*statistics.STATISTICS_TABLES, "daily_stats", "dialable_today"]
    before = {t: rows(home, f"SELECT * FROM {t} ORDER BY ALL") for t in tables}
    seen: list[str] = []
    failures = [duckdb.OutOfMemoryException("could not allocate block (test)")]
    real = warehouse.named_frames

    def named_frames(con, queries):
        seen.append(current_limit(con))
        if failures:
            raise failures.pop()
        return real(con, queries)

    monkeypatch.setattr(warehouse, "named_frames", named_frames)
    statistics.build_statistics(home)
    bounded = shown_limit(statistics.read_bound(home))
    assert seen[0] == bounded and seen[1] != bounded  # the read ran again, unbounded
    assert {t: rows(home, f"SELECT * FROM {t} ORDER BY ALL") for t in tables} == before
    seen.clear()  # no failure this time
    statistics.build_statistics(home)
    assert seen and set(seen) == {bounded}  # every read within the bound


def test_statistics_read_below_the_home_s_bound_unless_the_home_asks_less_or_no_bound(home):
    # The frames of a slice sit beside DuckDB's cache, which the 5M list's slices filled to
    # the bound: within 512 MB its statistics peaked at 1,062 MiB, within 384 at 936.
    assert statistics.read_bound(home) == statistics.STATISTICS_READ_MB < home.warehouse_memory_mb
    assert statistics.read_bound(home.model_copy(update={"warehouse_memory_mb": 128})) == 128
    assert statistics.read_bound(home.model_copy(update={"warehouse_memory_mb": None})) is None
