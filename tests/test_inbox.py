"""The inbox run: every file processed exactly once, filed away with its outcome."""

import re
import threading
from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cxpipeline.errors import InputError
from cxpipeline.inbox import InboxRules, classify, inbox_markdown, read_rules, run_inbox
from cxpipeline.manifest import ListFile, SuppressionFile
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import setup, statistics

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
LIST = (
    "client_id,first_name,last_name,home_phone,mobile_phone,postal_code,state_code\n"
    "P1,Ann,Smith,(212) 736-0142,917-736-0101,10001,NY\n"
    "P2,Bob,Jones,617.353.0100,,02134,MA\n"
)
RULES = (
    "lists:\n  - {pattern: 'east_*.csv', list: east_in, group: collections_east}\n"
    "results: ['calls_*.csv']\n"
    "suppression:\n  - {pattern: 'dnc_*.csv', name: client_dnc}\n"
    "reports: {dir: inbox-reports, formats: [csv]}\n"
)


@pytest.fixture
def home(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def drop(inbox: Path, name: str, text: str) -> Path:
    inbox.mkdir(parents=True, exist_ok=True)
    path = inbox / name
    path.write_text(text, encoding="utf-8")
    return path


def test_sidecar_wins_over_rules_and_unknown_files_are_refused(tmp_path):
    rules = InboxRules.model_validate(
        {"lists": [{"pattern": "*.csv", "list": "a", "group": "g"}], "results": ["r*.csv"]}
    )
    plain = drop(tmp_path, "x.csv", "")
    assert isinstance(classify(plain, rules, tmp_path), ListFile)
    side = drop(tmp_path, "r1.csv", "")
    drop(tmp_path, "r1.csv.yaml", "kind: suppression\nname: dnc\n")
    item = classify(side, rules, tmp_path)
    assert isinstance(item, SuppressionFile) and item.name == "dnc"
    with pytest.raises(InputError, match="no sidecar or inbox rule"):
        classify(drop(tmp_path, "notes.txt", ""), rules, tmp_path)
    drop(tmp_path, "bad.csv.yaml", "kind: list\n")
    with pytest.raises(InputError, match="list and group"):
        classify(drop(tmp_path, "bad.csv", ""), rules, tmp_path)
    assert read_rules(tmp_path / "empty", None) == InboxRules.model_validate({})


def test_every_file_is_processed_once_and_filed_with_its_outcome(home, tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "inbox.yaml", RULES)
    drop(inbox, "dnc_today.csv", "phone\n(617) 353-0100\n")
    drop(inbox, "east_q4.csv", LIST)
    drop(inbox, "east_broken.csv", "client_id,first_name\nP9,Zed\n")  # no phone column
    drop(inbox, "mystery.txt", "what is this\n")
    summary = run_inbox(home, inbox, as_of=AS_OF)
    assert sorted(p.name for p in summary.processed) == ["dnc_today.csv", "east_q4.csv"]
    assert sorted(p.name for p in summary.failed) == ["east_broken.csv", "mystery.txt"]
    day = next((inbox / "failed").iterdir())
    reason = (day / "east_broken.csv.reason.txt").read_text(encoding="utf-8")
    assert "phone" in reason
    assert not [p for p in inbox.iterdir() if p.is_file() and not p.name.startswith(("inbox", "."))]
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        suppressed = con.execute(
            "SELECT record_type, no_call_reason FROM contact_records "
            "WHERE contact_info = '+16173530100'"
        ).fetchall()
    assert suppressed == [(7, "suppressed:client_dnc")]
    markdown = inbox_markdown(summary)
    assert "east_in" in markdown and "Dialable in the next 24 hours" in markdown
    assert not re.search(r"\d{10}", markdown)  # no whole phone numbers
    assert (home.home / "inbox-reports" / "list_stats.csv").exists()
    # A second run finds nothing new and changes nothing.
    again = run_inbox(home, inbox, as_of=AS_OF)
    assert again.processed == [] and again.failed == {}


def test_results_only_runs_leave_other_files_waiting(home, tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "inbox.yaml", RULES)
    drop(inbox, "east_q4.csv", LIST)
    run_inbox(home, inbox, as_of=AS_OF)
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        rid = con.execute(
            "SELECT record_id FROM contact_records WHERE contact_info = '+12127360142'"
        ).fetchone()[0]
    drop(inbox, "east_q4.csv", LIST.replace("Bob", "Robert"))
    drop(
        inbox,
        "calls_1.csv",
        f"record_id,call_time,call_result\n{rid},2026-12-01T10:00:00-05:00,6\n",
    )
    summary = run_inbox(home, inbox, kinds=("results",), as_of=AS_OF)
    assert [p.name for p in summary.processed] == ["calls_1.csv"]
    assert (inbox / "east_q4.csv").exists()  # a list waits for the daily run


def test_two_runs_at_once_process_each_file_exactly_once(home, tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "inbox.yaml", RULES)
    for i in range(3):
        drop(inbox, f"east_{i}.csv.yaml", f"list: east_{i}\ngroup: collections_east\n")
        drop(inbox, f"east_{i}.csv", LIST)
    outcomes = []

    def one_run():
        outcomes.append(run_inbox(home, inbox, as_of=AS_OF))

    runs = [threading.Thread(target=one_run) for _ in range(2)]
    for run in runs:
        run.start()
    for run in runs:
        run.join()
    processed = sorted(p.name for s in outcomes for p in s.processed)
    assert processed == ["east_0.csv", "east_1.csv", "east_2.csv"]
    assert all(not s.failed for s in outcomes)
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        runs_per_list = con.execute(
            "SELECT list_name, count(*) FROM ingest_runs GROUP BY 1 ORDER BY 1"
        ).fetchall()
    assert runs_per_list == [("east_0", 1), ("east_1", 1), ("east_2", 1)]


def _plans(settings: Settings) -> dict[str, datetime]:
    """The as-of each list's windows were planned from (window_keys), by list."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute("SELECT list_name, max(as_of) FROM window_keys GROUP BY 1").fetchall()
    return dict(rows)


def _statistics(settings: Settings) -> dict[str, list[tuple]]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
            for table in ("list_stats", "group_stats", "hourly_stats")
        }


def test_results_only_runs_settle_their_records_without_re_planning(home, tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "inbox.yaml", RULES)
    drop(inbox, "east_q4.csv", LIST)
    drop(inbox, "west.csv.yaml", "list: west_in\ngroup: collections_east\n")
    drop(inbox, "west.csv", LIST.replace("P1,", "W1,").replace("P2,", "W2,"))
    first = run_inbox(home, inbox, as_of=AS_OF)
    assert {"east_in", "west_in"} <= set(first.run.planned)
    planned = _plans(home)
    assert sorted(planned) == ["east_in", "west_in"]
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        rid = con.execute(
            "SELECT record_id FROM contact_records "
            "WHERE list_name = 'east_in' AND contact_info = '+12127360142'"
        ).fetchone()[0]
    calls = f"record_id,call_time,call_result\n{rid},2026-12-01T10:00:00-05:00,6\n"
    drop(inbox, "calls_1.csv", calls)
    report = home.home / "inbox-reports" / "list_stats.csv"
    before = report.read_text(encoding="utf-8")
    later = datetime.fromisoformat("2026-12-01T10:05:00-05:00")
    summary = run_inbox(home, inbox, kinds=("results",), as_of=later)
    assert [p.name for p in summary.processed] == ["calls_1.csv"]
    assert summary.run.planned == {}
    assert _plans(home) == planned  # no list was re-planned
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        sched, first_window, attempts = con.execute(
            "SELECT r.dial_sched_time, epoch(min(w.window_start_utc)), r.attempt "
            "FROM contact_records r "
            "JOIN dialable_windows w USING (record_id) WHERE r.record_id = $rid "
            "GROUP BY ALL",
            {"rid": rid},
        ).fetchone()
    # The busy result is treated: retried later, and no window of the record starts earlier.
    assert attempts == 1 and sched is not None and first_window >= sched
    # Statistics of the list the results changed are refreshed (as a full rebuild writes them),
    # and the report with them.
    refreshed = _statistics(home)
    statistics.build_statistics(home)
    assert _statistics(home) == refreshed
    assert report.read_text(encoding="utf-8") != before
    # Told to, a results-only run re-plans every list.
    replanned = run_inbox(home, inbox, kinds=("results",), as_of=later, plan=True)
    assert set(replanned.run.planned) == set(first.run.planned)
    assert set(_plans(home).values()) == {later}


def test_a_results_only_run_with_nothing_waiting_changes_nothing(home, tmp_path):
    inbox = tmp_path / "inbox"
    drop(inbox, "inbox.yaml", RULES)
    drop(inbox, "east_q4.csv", LIST)
    run_inbox(home, inbox, as_of=AS_OF)
    report = home.home / "inbox-reports" / "list_stats.csv"
    written = report.stat().st_mtime_ns
    planned, stats = _plans(home), _statistics(home)
    later = datetime.fromisoformat("2026-12-01T10:05:00-05:00")
    summary = run_inbox(home, inbox, kinds=("results",), as_of=later)
    assert summary.processed == [] and summary.failed == {}
    assert summary.run.planned == {} and summary.run.statistics == {}
    assert _plans(home) == planned and _statistics(home) == stats
    assert report.stat().st_mtime_ns == written  # nothing changed: no report rewritten
    assert "east_in" in inbox_markdown(summary)  # the digest still says what is dialable
