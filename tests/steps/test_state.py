"""Record state in the warehouse: windows follow the lifecycle, schedules move into windows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import duckdb
import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cxpipeline import warehouse
from cxpipeline.campaigns.store import apply_campaigns
from cxpipeline.steps.state import refresh_state

DAY = datetime(2026, 7, 1, tzinfo=UTC)  # a Wednesday; New York is on EDT (UTC-4)
NY = "America/New_York"


def _con():
    con = duckdb.connect()
    warehouse.migrate(con)
    return con


def _insert(con, table, rows):
    con.register("_f", pl.DataFrame(rows).to_arrow())
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _f")
    con.unregister("_f")


def _record(record_id, chain_id=None, chain_n=1, **state):
    return {
        "record_id": record_id,
        "contact_info": "2125550100",
        "chain_id": chain_id or record_id,
        "chain_n": chain_n,
        "list_name": "L",
        "campaign_group": "G",
        "chain_key": f"id:{record_id}",
        "source_file": "f.csv",
        "source_row": record_id,
        "run_id": "r",
        "tz_name": NY,
        "window_key": 1,
        "record_type": state.get("record_type", 2),
        "record_status": state.get("record_status", 1),
        "dial_sched_time": state.get("dial_sched_time"),
    }


def _windows(con, days=2, start_h=13, end_h=24):
    """Windows 09:00-20:00 New York (13:00-00:00 UTC) on each day from DAY."""
    rows = []
    for d in range(days):
        start = DAY + timedelta(days=d, hours=start_h)
        rows.append(
            {
                "list_name": "L",
                "window_key": 1,
                "window_start_utc": start,
                "window_end_utc": DAY + timedelta(days=d, hours=end_h),
                "start_rule": "campaign",
                "end_rule": "federal",
                "rule": "campaign..federal",
            }
        )
    _insert(con, "window_keys", rows)


def _dialable(con):
    rows = con.execute(
        "SELECT record_id, window_start_utc, rule FROM dialable_windows "
        "ORDER BY record_id, window_start_utc"
    ).fetchall()
    out = {}
    for rid, start, rule in rows:
        out.setdefault(rid, []).append((start.astimezone(UTC), rule))
    return out


def test_finished_cancelled_chain_updated_and_no_call_records_have_no_windows():
    con = _con()
    _windows(con)
    _insert(
        con,
        "contact_records",
        [
            _record(1),
            _record(2, record_status=3),
            _record(3, record_status=5),
            _record(4, record_status=7),
            _record(5, record_type=7),
        ],
    )
    assert set(_dialable(con)) == {1}


def test_no_window_starts_before_the_schedule_or_a_later_cap_hold():
    con = _con()
    _windows(con)
    sched = int((DAY + timedelta(hours=15)).timestamp())
    _insert(con, "contact_records", [_record(1, dial_sched_time=sched), _record(2)])
    got = _dialable(con)
    assert got[1][0] == (DAY + timedelta(hours=15), "scheduled..federal")
    assert got[2][0] == (DAY + timedelta(hours=13), "campaign..federal")
    hold = {"list_name": "L", "chain_id": 1, "rule": "attempt_cap:FL"}
    _insert(con, "chain_holds", [hold | {"hold_until_utc": DAY + timedelta(hours=16)}])
    assert _dialable(con)[1][0] == (DAY + timedelta(hours=16), "attempt_cap:FL..federal")


def test_callback_at_2130_local_moves_to_the_next_morning_window():
    con = _con()
    _windows(con)
    _insert(con, "contact_records", [_record(1), _record(2, chain_id=1, chain_n=2)])
    back = datetime(2026, 7, 2, 1, 30, tzinfo=UTC)  # 21:30 EDT on July 1st
    result = {
        "list_name": "L",
        "record_id": 1,
        "chain_id": 1,
        "call_time_utc": DAY + timedelta(hours=18),
        "call_result": 33,
        "attempt": 1,
        "result_key": 1,
        "source_file": "r.csv",
        "loaded_at": DAY,
        "callback_time_utc": back,
        "callback_type": "campaign",
    }
    _insert(con, "call_results", [result])
    refresh_state(con, DAY)
    kind, sched = con.execute(
        "SELECT record_type, dial_sched_time FROM contact_records WHERE record_id = 1"
    ).fetchone()
    morning = DAY + timedelta(days=1, hours=13)  # 09:00 EDT on July 2nd
    assert (kind, sched) == (6, int(morning.timestamp()))
    assert _dialable(con)[1] == [(morning, "campaign..federal")]


_HOUR = st.integers(0, 72)
_SHARED: list[duckdb.DuckDBPyConnection] = []


def _shared():
    """One migrated warehouse for every example, emptied before each."""
    if not _SHARED:
        _SHARED.append(_con())
    con = _SHARED[0]
    for table in ("contact_records", "window_keys", "chain_holds"):
        con.execute(f"DELETE FROM {table}")
    return con


@settings(max_examples=40, deadline=None)
@given(
    sched=st.one_of(st.none(), _HOUR),
    hold=st.one_of(st.none(), _HOUR),
    start_h=st.integers(0, 12),
    length=st.integers(1, 11),
)
def test_no_schedule_and_no_window_lies_outside_the_planned_windows(sched, hold, start_h, length):
    # window_keys are the law and the campaign hours together (transforms/windows.py): whatever
    # the schedule and hold, the adjusted schedule and every dialable window stay inside them.
    con = _shared()
    _windows(con, days=3, start_h=start_h, end_h=start_h + length)
    at = None if sched is None else int((DAY + timedelta(hours=sched)).timestamp())
    _insert(con, "contact_records", [_record(1, dial_sched_time=at)])
    if hold is not None:
        row = {"list_name": "L", "chain_id": 1, "rule": "attempt_cap:FL"}
        _insert(con, "chain_holds", [row | {"hold_until_utc": DAY + timedelta(hours=hold)}])
    con.execute(
        warehouse.load_sql_statement("adjust_sched_to_windows"), {"list_name": None, "chains": None}
    )
    planned = [
        (s.astimezone(UTC), e.astimezone(UTC))
        for s, e in con.execute(
            "SELECT window_start_utc, window_end_utc FROM window_keys"
        ).fetchall()
    ]
    (moved,) = con.execute("SELECT dial_sched_time FROM contact_records").fetchone()
    if moved is not None:
        t = datetime.fromtimestamp(moved, UTC)
        assert any(s <= t < e for s, e in planned) or t >= max(e for _, e in planned)
    rows = con.execute("SELECT window_start_utc, window_end_utc FROM dialable_windows").fetchall()
    for s, e in rows:
        s, e = s.astimezone(UTC), e.astimezone(UTC)
        assert any(ps <= s and e <= pe for ps, pe in planned)
        assert s < e
        if at is not None:
            assert s >= datetime.fromtimestamp(at, UTC)
        if hold is not None:
            assert s >= DAY + timedelta(hours=hold)


_CAMPAIGNS = """
dialing_profiles:
  - name: p
    default: true
    settings:
      max_attempts: 5
      cycles: 2
      treatments:
        - {call_result: busy, sequence: 1, action: retry_in, interval_minutes: 30,
           increment_minutes: 5, attempts: 2}
        - {call_result: busy, sequence: 2, action: next_in_chain_after, interval_minutes: 60}
        - {call_result: no_answer, sequence: 1, action: next_in_chain}
session_profiles:
  - {name: s, default: true}
campaign_templates:
  - {name: t}
campaign_groups:
  - {name: G, template: t, agent_group: AG}
contact_lists:
  - {name: L, group: G}
"""

_RESULTS = st.lists(
    st.tuples(st.sampled_from([1, 2, 3]), st.integers(0, 2000), st.sampled_from([6, 7, 33, 53])),
    min_size=1,
    max_size=10,
    unique_by=lambda c: (c[0], c[1]),
)


def _result_rows(calls):
    return [
        {
            "list_name": "L",
            "record_id": rid,
            "chain_id": 1 if rid < 3 else 3,
            "call_time_utc": DAY + timedelta(minutes=minutes),
            "call_result": code,
            "attempt": 1,
            "result_key": rid * 100_000 + minutes,
            "source_file": "r.csv",
            "loaded_at": DAY,
        }
        for rid, minutes, code in calls
    ]


def _loaded_state(batches, folder, *, touched_only=False):
    con = _con()
    (folder / "c.yaml").write_text(_CAMPAIGNS, encoding="utf-8")
    apply_campaigns(con, folder / "c.yaml")
    _windows(con, days=3)
    _insert(con, "contact_records", [_record(1), _record(2, chain_id=1, chain_n=2), _record(3)])
    for batch in batches:
        rows = _result_rows(batch)
        if rows:
            _insert(con, "call_results", rows)
        # As a results load does: only the chains its batch touched are recomputed.
        touched = pl.Series([r["chain_id"] for r in rows], dtype=pl.Int64)
        refresh_state(con, DAY, chains=touched if touched_only else None)
    return con.execute(
        "SELECT record_id, record_type, record_status, attempt, call_result, call_time, "
        "dial_sched_time FROM contact_records ORDER BY record_id"
    ).fetchall()


@settings(max_examples=8, deadline=None)
@given(calls=_RESULTS, data=st.data())
def test_results_loaded_in_any_split_and_order_give_the_same_end_state(
    calls, data, tmp_path_factory
):
    tmp_path = tmp_path_factory.mktemp("split")
    order = data.draw(st.permutations(calls))
    cut = sorted(data.draw(st.lists(st.integers(0, len(order)), max_size=3)))
    bounds = [0, *cut, len(order)]
    batches = [order[a:b] for a, b in zip(bounds, bounds[1:], strict=False)]
    one_load = _loaded_state([calls], tmp_path)
    assert _loaded_state(batches, tmp_path) == one_load
    assert _loaded_state(batches, tmp_path, touched_only=True) == one_load


_STATE_READ = (
    "SELECT record_id, attempt, call_result, call_time, record_status, record_type, "
    "dial_sched_time, no_call_reason FROM contact_records ORDER BY record_id"
)


def test_writing_recomputed_state_touches_only_the_records_whose_state_moved():
    # A rebuild recomputes every record of a list while few move: the rows that did not move
    # stay out of the UPDATE.
    con = _con()
    at = int((DAY + timedelta(hours=15)).timestamp())
    _insert(con, "contact_records", [_record(i, dial_sched_time=at) for i in (1, 2, 3, 4, 5)])
    stored = pl.DataFrame(
        con.execute(_STATE_READ).fetchall(),
        schema={
            "record_id": pl.Int64,
            "attempt": pl.Int32,
            "call_result": pl.Int32,
            "call_time": pl.Int64,
            "record_status": pl.Int32,
            "record_type": pl.Int32,
            "dial_sched_time": pl.Int64,
            "no_call_reason": pl.String,
        },
        orient="row",
    )
    moved = stored.with_columns(
        attempt=pl.when(pl.col("record_id") == 2).then(1).otherwise("attempt"),
        # From a value to none, and from none to a value: both are changes.
        dial_sched_time=pl.when(pl.col("record_id") == 3).then(None).otherwise("dial_sched_time"),
        no_call_reason=pl.when(pl.col("record_id") == 4).then(pl.lit("dnc")),
    )
    with warehouse.registered(con, "_state", moved):
        (written,) = con.execute(warehouse.load_sql_statement("update_record_state")).fetchone()
    assert written == 3
    assert con.execute(_STATE_READ).fetchall() == moved.rows()


def test_a_plan_writes_the_first_day_window_of_the_records_whose_window_moved_only():
    con = _con()
    rows = [_record(1), _record(2), _record(3) | {"tz_name": "America/Chicago"}]
    _insert(con, "contact_records", rows)
    daily = pl.DataFrame(
        {
            "window_key": [1, 1],
            "tz_name": [NY, "America/Chicago"],
            # New York's window is the default one already; Chicago's moves.
            "daily_from": [28800, 32400],
            "daily_till": [64800, 64800],
        },
        schema_overrides={"window_key": pl.UInt64, "daily_from": pl.Int32, "daily_till": pl.Int32},
    )
    statement = warehouse.load_sql_statement("plan_update_daily_window")
    with warehouse.registered(con, "_state", daily):
        (written,) = con.execute(statement, {"list_name": "L"}).fetchone()
        (again,) = con.execute(statement, {"list_name": "L"}).fetchone()
    assert (written, again) == (1, 0)
    assert con.execute(
        "SELECT record_id, daily_from, daily_till FROM contact_records ORDER BY record_id"
    ).fetchall() == [(1, 28800, 64800), (2, 28800, 64800), (3, 32400, 64800)]
