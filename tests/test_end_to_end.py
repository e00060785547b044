"""End-to-end: the demo on data/sample, then the invariants of docs/contract.md §4."""

import json
import shutil
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cxpipeline.demo import run_demo
from cxpipeline.settings import Settings
from cxpipeline.steps import ops_statistics, statistics

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
GOLDEN = Path(__file__).parent / "golden" / "demo_summary.json"

CONTRACT_RELATIONS = [
    "dialing_profiles",
    "session_profiles",
    "campaign_templates",
    "campaign_groups",
    "contact_lists",
    "campaign_settings",
    "contact_records",
    "rejected_rows",
    "ingest_runs",
    "dialable_windows",
    "call_results",
    "list_stats",
    "group_stats",
    "hourly_stats",
    "compliance_rules",
]


@pytest.fixture(scope="module")
def demo_home(tmp_path_factory):
    home = tmp_path_factory.mktemp("home")
    settings = Settings.build(home)
    summary = run_demo(settings, as_of=AS_OF, horizon_days=3)
    return settings, summary


@pytest.fixture
def con(demo_home):
    settings, _ = demo_home
    c = duckdb.connect(str(settings.warehouse_path), read_only=True)
    yield c
    c.close()


def scalar(con, query):
    return con.execute(query).fetchone()[0]


def test_every_contract_relation_exists_and_is_filled(con):
    for name in CONTRACT_RELATIONS:
        assert scalar(con, f"SELECT count(*) FROM {name}") > 0, name


def test_rows_reconcile_for_every_run(con):
    runs = con.execute(
        "SELECT list_name, rows_read, rows_accepted, rows_rejected FROM ingest_runs"
    ).fetchall()
    assert len(runs) == 3
    for list_name, read, accepted, rejected in runs:
        assert read == accepted + rejected, list_name
        assert read > 0 and accepted > 0


def test_every_phone_value_is_a_record_or_a_rejected_value(con):
    rows = con.execute("""
        SELECT i.run_id, i.phone_values,
               (SELECT coalesce(sum(duplicate_count), 0) FROM contact_records r
                 WHERE r.run_id = i.run_id) AS in_records,
               (SELECT count(*) FROM rejected_rows j
                 WHERE j.run_id = i.run_id AND j.kind IN ('phone', 'record')) AS rejected
        FROM ingest_runs i
    """).fetchall()
    for run_id, values, in_records, rejected in rows:
        assert values == in_records + rejected, run_id


def test_rejected_rows_are_counted_in_the_runs(con):
    bad = scalar(
        con,
        """
        SELECT count(*) FROM ingest_runs i
        WHERE rows_rejected <> (SELECT count(DISTINCT source_row) FROM rejected_rows j
                                WHERE j.run_id = i.run_id AND j.kind = 'row')
    """,
    )
    assert bad == 0


def test_record_ids_and_chain_positions_are_unique(con):
    assert scalar(con, "SELECT count(*) - count(DISTINCT record_id) FROM contact_records") == 0
    assert (
        scalar(
            con,
            """
        SELECT count(*) FROM (SELECT chain_id, chain_n FROM contact_records
                              GROUP BY ALL HAVING count(*) > 1)
    """,
        )
        == 0
    )


def test_no_window_outside_federal_hours_in_any_candidate_zone(con):
    assert scalar(con, "SELECT count(*) FROM dialable_windows") > 0
    outside = scalar(
        con,
        """
        WITH w AS (
            SELECT d.record_id, d.window_start_utc, d.window_end_utc, unnest(r.tz_candidates) AS tz
            FROM dialable_windows d JOIN contact_records r USING (record_id)
        )
        SELECT count(*) FROM w
        WHERE timezone(tz, window_start_utc)::TIME < TIME '08:00'
           OR timezone(tz, window_end_utc)::TIME > TIME '21:00'
           OR timezone(tz, window_start_utc)::DATE <> timezone(tz, window_end_utc)::DATE
    """,
    )
    assert outside == 0


def test_no_call_records_have_no_windows(con):
    assert (
        scalar(
            con,
            """
        SELECT count(*) FROM dialable_windows d JOIN contact_records r USING (record_id)
        WHERE r.record_type = 7
    """,
        )
        == 0
    )


def test_windows_and_schedules_follow_the_record_lifecycle(con):
    # Issue 10 on the sample: finished, cancelled, chain-updated and exhausted records have no
    # windows; no record at max_attempts is scheduled again (callbacks aside); every schedule
    # inside the horizon lies in one of its record's planned windows; none is cut away.
    checks = {
        "finished with windows": """
            SELECT count(*) FROM dialable_windows d JOIN contact_records r USING (record_id)
            WHERE r.record_status IN (3, 5, 7)""",
        "exhausted but scheduled": """
            SELECT count(*) FROM contact_records r JOIN campaign_settings s USING (list_name)
            WHERE r.attempt >= s.max_attempts AND r.record_type NOT IN (5, 6)
              AND (r.dial_sched_time IS NOT NULL
                   OR r.record_id IN (SELECT record_id FROM dialable_windows))""",
        "schedule outside its windows": """
            SELECT count(*) FROM contact_records r
            WHERE r.dial_sched_time IS NOT NULL AND r.record_status = 1
              AND EXISTS (SELECT 1 FROM window_keys k
                          WHERE k.list_name = r.list_name AND k.window_key = r.window_key
                            AND k.window_end_utc > to_timestamp(r.dial_sched_time))
              AND NOT EXISTS (SELECT 1 FROM window_keys k
                              WHERE k.list_name = r.list_name AND k.window_key = r.window_key
                                AND to_timestamp(r.dial_sched_time) >= k.window_start_utc
                                AND to_timestamp(r.dial_sched_time) < k.window_end_utc)""",
        "window before its schedule": """
            SELECT count(*) FROM dialable_windows d JOIN contact_records r USING (record_id)
            WHERE d.window_start_utc < to_timestamp(r.dial_sched_time)""",
    }
    assert {name: scalar(con, sql) for name, sql in checks.items()} == dict.fromkeys(checks, 0)
    assert scalar(con, "SELECT count(*) FROM contact_records WHERE record_type = 3") > 0


def test_records_carry_lineage(con):
    assert (
        scalar(
            con,
            "SELECT count(*) FROM contact_records WHERE source_row IS NULL OR source_file IS NULL",
        )
        == 0
    )
    raw = scalar(con, "SELECT min(source_file) FROM contact_records")
    assert "/lake/raw/" in raw and Path(raw).exists()


def test_rerun_of_the_same_input_changes_nothing(demo_home):
    settings, _ = demo_home
    snapshot = (
        "SELECT count(*), sum(hash(record_id, contact_info, chain_id, chain_n)) "
        "FROM contact_records"
    )
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as c:
        before = (
            c.execute(snapshot).fetchone(),
            c.execute("SELECT count(*) FROM call_results").fetchone(),
        )
    summary = run_demo(settings, as_of=AS_OF, horizon_days=3)
    assert {s.status for s in summary.ingests} == {"unchanged"}
    assert summary.results and all(r["results_loaded"] == 0 for r in summary.results)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as c:
        after = (
            c.execute(snapshot).fetchone(),
            c.execute("SELECT count(*) FROM call_results").fetchone(),
        )
    assert before == after


def test_report_written(demo_home):
    _, summary = demo_home
    assert summary.report_path is not None and summary.report_path.exists()
    text = summary.report_path.read_text(encoding="utf-8")
    assert "east_q4" in text and "west_q4" in text


def test_matches_golden_summary(con):
    """Golden file: per-list counts of the sample; regenerate only on a deliberate change."""
    current = {
        row[0]: {"records": row[1], "no_call": row[2], "chains": row[3], "rejected_values": row[4]}
        for row in con.execute("""
            SELECT r.list_name, count(*), count(*) FILTER (record_type = 7),
                   count(DISTINCT chain_id),
                   (SELECT count(*) FROM rejected_rows j WHERE j.list_name = r.list_name)
            FROM contact_records r GROUP BY ALL ORDER BY 1
        """).fetchall()
    }
    if not GOLDEN.exists():
        pytest.fail(f"golden file missing; current summary: {json.dumps(current)}")
    assert current == json.loads(GOLDEN.read_text())


def test_zone_stats_add_up_to_list_stats(con):
    mismatched = scalar(
        con,
        """
        SELECT count(*) FROM list_stats l
        JOIN (SELECT list_name, sum(total_records) AS total, sum(attempts) AS attempts
              FROM zone_stats GROUP BY ALL) z USING (list_name)
        WHERE l.total_records <> z.total OR l.attempts <> z.attempts
    """,
    )
    assert mismatched == 0
    assert scalar(con, "SELECT count(DISTINCT list_name) FROM zone_stats") == 3


def test_report_tables_exported(demo_home):
    settings, _ = demo_home
    names = {p.name for p in (settings.home / "reports").iterdir()}
    assert {
        "report.html",
        "report.xlsx",
        "list_stats.csv",
        "zone_stats.csv",
        "rejection_summary.csv",
        "not_dialable_summary.csv",
    } <= names


def test_statistics_read_in_slices_of_chains_are_the_same(demo_home, tmp_path, monkeypatch):
    """Statistics summed over slices of whole chains equal those of the records in one piece."""
    settings, _ = demo_home
    copy = Settings.build(
        Path(shutil.copytree(settings.home, tmp_path / "home")), statistics_slice_records=400
    )
    tables = [*statistics.STATISTICS_TABLES, *ops_statistics.OPS_TABLES]

    def stored(home: Settings) -> dict[str, list[tuple]]:
        with duckdb.connect(str(home.warehouse_path), read_only=True) as c:
            return {t: c.execute(f"SELECT * FROM {t} ORDER BY ALL").fetchall() for t in tables}

    whole = stored(settings)
    reads = []
    read = statistics._read
    monkeypatch.setattr(statistics, "_read", lambda *a: reads.append(1) or read(*a))
    statistics.build_statistics(copy)
    assert len(reads) >= 8  # 3,700 records in slices of about 400
    sliced = stored(copy)
    for name in tables:
        assert sliced[name] == whole[name], name
    assert all(whole[name] for name in tables)
