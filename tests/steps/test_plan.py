"""Plan step: re-planned windows equal a fresh ingest's, per list, idempotent, no file read."""

from datetime import datetime, timedelta
from pathlib import Path

import duckdb
import pytest
from tests.steps.memory_limits import recorded_limits, shown_limit

from cxpipeline.errors import CxError
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest as ingest_step
from cxpipeline.steps import setup, suppression
from cxpipeline.steps.plan import plan_windows

DAY_1 = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
DAY_9 = DAY_1 + timedelta(days=8)
HORIZON = 2
LIST_A = """client_id,first_name,last_name,home_phone,mobile_phone,postal_code,state_code
C1,Ann,Smith,(212) 736-0142,917-736-0101,10001,NY
C2,Bob,Jones,617.353.0100,,02134,MA
C3,Cara,Lee,,312 744 0177,60601,IL
C5,Eve,Park,+44 20 7946 0958,,,
"""
LIST_B = """client_id,first_name,last_name,home_phone,mobile_phone,postal_code,state_code
C4,Dan,Ray,305-373-0101,,33130,FL
"""
WINDOWS = (
    "SELECT list_name, record_id, window_start_utc, window_end_utc, rule, window_key "
    "FROM dialable_windows WHERE list_name = $l ORDER BY ALL"
)
DAILY = "SELECT record_id, daily_from, daily_till FROM contact_records WHERE list_name = $l"


def make_home(path: Path) -> Settings:
    settings = Settings.build(path)
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


@pytest.fixture
def home(tmp_path):
    return make_home(tmp_path / "home")


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def query(settings, sql, params=None):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def ingest(settings, path, list_name="east_q4", as_of=DAY_1):
    return ingest_step.ingest(
        settings,
        path,
        list_name=list_name,
        group="collections_east",
        as_of=as_of,
        horizon_days=HORIZON,
    )


def with_windows(settings, list_name="east_q4"):
    return {
        r[0]
        for r in query(
            settings,
            "SELECT record_id FROM dialable_windows WHERE list_name = $l",
            {"l": list_name},
        )
    }


def test_plan_moves_every_window_into_the_new_horizon(home, tmp_path):
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    before = with_windows(home)
    assert before
    counts = plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    assert counts["east_q4"]["records_with_windows"] == len(before)
    assert counts["east_q4"]["windows"] > 0 and counts["east_q4"]["keys"] > 0
    # Windows overlapping the horizon are planned whole: one may start before the as-of.
    spans = query(
        home,
        "SELECT window_start_utc, window_end_utc FROM window_keys WHERE list_name = $l",
        {"l": "east_q4"},
    )
    assert spans
    horizon_end = DAY_9 + timedelta(days=HORIZON)
    assert all(end > DAY_9 and start < horizon_end for start, end in spans)
    assert all(start > DAY_9 - timedelta(days=1) for start, _end in spans)
    assert with_windows(home) == before


def test_plan_equals_a_fresh_ingest_on_the_new_day(home, tmp_path):
    path = write(tmp_path, "a.csv", LIST_A)
    ingest(home, path)
    plan_windows(home, None, as_of=DAY_9, horizon_days=HORIZON)
    fresh = make_home(tmp_path / "fresh")
    ingest(fresh, path, as_of=DAY_9)
    params = {"l": "east_q4"}
    assert query(home, WINDOWS, params) == query(fresh, WINDOWS, params)
    assert sorted(query(home, DAILY, params)) == sorted(query(fresh, DAILY, params))


def test_plan_picks_up_changed_campaign_hours(home, tmp_path):
    path = write(tmp_path, "a.csv", LIST_A)
    ingest(home, path)
    change = "UPDATE contact_lists SET hours_wed = 'closed' WHERE name = 'east_q4'"
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute(change)
    keys_before = set(query(home, "SELECT DISTINCT window_key FROM contact_records"))
    plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    assert set(query(home, "SELECT DISTINCT window_key FROM contact_records")).isdisjoint(
        keys_before
    )
    fresh = make_home(tmp_path / "fresh")
    with duckdb.connect(str(fresh.warehouse_path)) as con:
        con.execute(change)
    ingest(fresh, path, as_of=DAY_9)
    params = {"l": "east_q4"}
    assert query(home, WINDOWS, params) == query(fresh, WINDOWS, params)
    assert sorted(query(home, DAILY, params)) == sorted(query(fresh, DAILY, params))


def test_planning_one_list_leaves_another_untouched(home, tmp_path):
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    ingest(home, write(tmp_path, "b.csv", LIST_B), list_name="east_retry")
    other = query(home, "SELECT * FROM window_keys WHERE list_name = 'east_retry' ORDER BY ALL")
    daily = sorted(query(home, DAILY, {"l": "east_retry"}))
    counts = plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    assert set(counts) == {"east_q4"}
    assert other
    assert (
        query(home, "SELECT * FROM window_keys WHERE list_name = 'east_retry' ORDER BY ALL")
        == other
    )
    assert sorted(query(home, DAILY, {"l": "east_retry"})) == daily


def test_no_call_record_still_has_no_window(home, tmp_path):
    suppression.load_suppression(home, write(tmp_path, "d.csv", "phone\n(617) 353-0100\n"), "x")
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    assert query(
        home,
        "SELECT count(*) FROM dialable_windows d JOIN contact_records r USING (record_id) "
        "WHERE r.record_type = 7",
    ) == [(0,)]
    assert query(home, "SELECT count(*) FROM contact_records WHERE record_type = 7") == [(1,)]


def test_planning_twice_is_idempotent(home, tmp_path):
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    first = plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    snapshot = (
        query(home, "SELECT * FROM window_keys ORDER BY ALL"),
        query(home, "SELECT * FROM contact_records ORDER BY record_id"),
    )
    assert plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON) == first
    assert snapshot == (
        query(home, "SELECT * FROM window_keys ORDER BY ALL"),
        query(home, "SELECT * FROM contact_records ORDER BY record_id"),
    )


def test_unknown_list_is_a_one_line_error(home):
    with pytest.raises(CxError) as caught:
        plan_windows(home, ["nope"], as_of=DAY_9, horizon_days=HORIZON)
    message = caught.value.one_line()
    assert "nope" in message and "--list" in message and "\n" not in message


def test_plan_writes_and_commits_within_the_memory_bound(home, tmp_path, monkeypatch):
    # Unbounded, the joins that move schedules into the new windows grew with the list (the
    # 5M list with 93.6 M results: 1.27 GiB), and so did a COMMIT, which kept every block it
    # read cached; the COMMIT does not checkpoint: the checkpoint follows, bounded.
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    limits = recorded_limits(monkeypatch)
    plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    bounded = shown_limit(home.warehouse_memory_mb)
    assert limits.at("window_keys") == [bounded]
    assert limits.commits == [bounded]
    assert limits.thresholds and all(t.endswith("GiB") for t in limits.thresholds)
    assert limits.checkpoints and set(limits.checkpoints) == {home.warehouse_memory_mb}


@pytest.mark.parametrize("failing", ["statement", "commit"])
def test_a_plan_that_outgrows_the_memory_bound_runs_again_without_it(
    failing, home, tmp_path, monkeypatch
):
    # A statement or the COMMIT that runs out of memory within the bound rolls the plan back
    # (as DuckDB's failed COMMIT does); the plan runs again without the bound.
    path = write(tmp_path, "a.csv", LIST_A)
    ingest(home, path)
    plain = make_home(tmp_path / "plain")
    ingest(plain, path)
    plan_windows(plain, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    if failing == "statement":
        limits = recorded_limits(monkeypatch, out_of_memory_at="window_keys")
    else:
        limits = recorded_limits(monkeypatch, commit_fails_within=home.warehouse_memory_mb)
    counts = plan_windows(home, ["east_q4"], as_of=DAY_9, horizon_days=HORIZON)
    first, second = limits.at("window_keys")
    assert first == shown_limit(home.warehouse_memory_mb) and second != first
    # a failed statement reaches no COMMIT; a failed COMMIT is followed by the unbounded one
    assert limits.commits == ([second] if failing == "statement" else [first, second])
    # The failed attempt left nothing behind: the plan is the one made without a failure.
    assert counts["east_q4"]["windows"] > 0
    params = {"l": "east_q4"}
    assert query(home, WINDOWS, params) == query(plain, WINDOWS, params)
    assert sorted(query(home, DAILY, params)) == sorted(query(plain, DAILY, params))
