"""Housekeeping: nothing a killed ingest leaves behind survives the next writing step."""

import os
import random
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta

import duckdb
import pytest

from cxpipeline import warehouse
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import housekeeping, setup

SAMPLE = REPO_ROOT / "data" / "sample"


@pytest.fixture
def home(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, SAMPLE / "campaigns.yaml")
    return settings


def rows(settings, sql):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_collect_removes_leftovers_and_keeps_what_the_warehouse_knows(home):
    staging = home.lake / "staging" / "run1"
    staging.mkdir(parents=True)
    (staging / "chunk.parquet").write_bytes(b"x")
    orphan = home.lake / "contacts" / "list=l9" / "deadbeef.parquet"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    half = home.lake / "rejects" / ".x.parquet.abc.tmp"
    half.parent.mkdir(parents=True)
    half.write_bytes(b"x")
    declared = rows(home, "SELECT name FROM contact_lists ORDER BY name")
    housekeeping.note_new_list(home, "l9")
    housekeeping.note_new_list(home, declared[0][0])
    con = warehouse.connect(home)
    con.execute(
        "INSERT INTO contact_lists (name, campaign_group, created_at, updated_at) "
        "SELECT 'l9', campaign_group, now(), now() FROM contact_lists LIMIT 1"
    )
    con.close()
    removed = housekeeping.collect(home)
    assert removed == {"staging": 1, "temporary": 1, "run_files": 1, "lists": 1}
    assert not staging.exists() and not orphan.exists() and not half.exists()
    assert rows(home, "SELECT name FROM contact_lists ORDER BY name") == declared
    assert not list((home.home / housekeeping.JOURNAL).iterdir())


def test_collect_opens_the_warehouse_only_after_an_interrupted_run(home, monkeypatch):
    opened = []
    real_connect = warehouse.connect
    monkeypatch.setattr(warehouse, "connect", lambda s: opened.append(1) or real_connect(s))
    half = home.lake / "rejects" / ".x.parquet.abc.tmp"
    half.parent.mkdir(parents=True)
    half.write_bytes(b"x")
    # Nothing interrupted (no journal entry, no staging): temporary files go, no connection.
    assert housekeeping.collect(home) == {"staging": 0, "temporary": 1, "run_files": 0, "lists": 0}
    assert opened == [] and not half.exists()
    # A run that was killed left its journal entry and a lake file of a run the warehouse
    # does not know: the warehouse is opened and the file removed.
    orphan = home.lake / "contacts" / "list=l9" / "deadbeef.parquet"
    orphan.parent.mkdir(parents=True)
    orphan.write_bytes(b"x")
    housekeeping.note_new_list(home, "l9")
    assert housekeeping.collect(home)["run_files"] == 1
    assert opened == [1] and not orphan.exists()


def _ingest_command(settings):
    return [
        sys.executable,
        "-m",
        "cxpipeline.cli",
        "ingest",
        str(SAMPLE / "contacts_east_q4.csv"),
        "--list",
        "killed_list",
        "--group",
        "collections_east",
        "--as-of",
        "2026-12-01T08:00:00-05:00",
        "--home",
        str(settings.home),
    ]


def _assert_nothing_orphaned(settings):
    runs = {r[0] for r in rows(settings, "SELECT run_id FROM ingest_runs")}
    lists = rows(settings, "SELECT count(*) FROM contact_lists WHERE name = 'killed_list'")
    listed_runs = rows(settings, "SELECT count(*) FROM ingest_runs WHERE list_name = 'killed_list'")
    assert lists[0][0] == min(listed_runs[0][0], 1)
    files = [p for d in housekeeping.RUN_DATASETS for p in (settings.lake / d).rglob("*.parquet")]
    assert {p.stem for p in files} <= runs
    assert not (settings.lake / "staging").exists() or not any(
        (settings.lake / "staging").iterdir()
    )
    assert not list(settings.lake.rglob(".*.tmp"))


def test_an_ingest_killed_at_random_moments_leaves_nothing_and_a_rerun_succeeds(home):
    chance = random.Random(11)
    for _ in range(3):  # each kill is a whole CLI start-up; three moments keep it quick
        process = subprocess.Popen(
            _ingest_command(home), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        time.sleep(chance.uniform(0.5, 9.5))  # a whole ingest takes about 10 s here
        os.kill(process.pid, signal.SIGKILL)
        process.wait()
        with warehouse.writing(home):
            housekeeping.collect(home)
        _assert_nothing_orphaned(home)
    done = subprocess.run(_ingest_command(home), capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    _assert_nothing_orphaned(home)
    assert rows(home, "SELECT count(*) FROM contact_records WHERE list_name = 'killed_list'")[0][0]
    assert (
        datetime.now(UTC) - timedelta(hours=1)
        < rows(home, "SELECT max(finished_at) FROM ingest_runs WHERE list_name = 'killed_list'")[0][
            0
        ]
    )


def test_a_failed_ingest_collects_after_itself_and_a_successful_one_only_drops_its_entry(
    home, monkeypatch
):
    from cxpipeline.steps import ingest, ingest_commit

    collects = []
    real_collect = housekeeping.collect
    monkeypatch.setattr(housekeeping, "collect", lambda s: collects.append(1) or real_collect(s))
    as_of = datetime.fromisoformat("2026-12-01T08:00:00-05:00")

    def run(name):
        return ingest.ingest(
            home,
            SAMPLE / "contacts_east_retry.csv",
            list_name=name,
            group="collections_east",
            as_of=as_of,
        )

    def boom(*args, **kwargs):
        raise RuntimeError("the commit broke")

    with monkeypatch.context() as patch:
        patch.setattr(ingest_commit, "_load", boom)
        with pytest.raises(RuntimeError, match="the commit broke"):
            run("new_list")
    # Before and after the failed run: its new list and its lake files are gone.
    assert len(collects) == 2
    assert ("new_list",) not in rows(home, "SELECT name FROM contact_lists")
    assert not list(home.lake.rglob("*.parquet"))
    assert run("new_list").status == "succeeded"
    # Before the run only: a run that succeeded left nothing but its journal entry, dropped.
    assert len(collects) == 3
    assert not list((home.home / housekeeping.JOURNAL).iterdir())
    assert ("new_list",) in rows(home, "SELECT name FROM contact_lists")
