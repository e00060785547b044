"""The home's write lock and the readers' snapshot: writers wait, readers never meet a writer."""

import subprocess
import sys
import textwrap
from datetime import datetime

import pytest

from cxpipeline import warehouse
from cxpipeline.errors import CxError
from cxpipeline.io import home_lock
from cxpipeline.io.snapshot import snapshot_is_current, snapshot_path
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import query, setup
from cxpipeline.steps.ingest import ingest

HOLDER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cxpipeline.io import home_lock
    with home_lock.home_lock(Path(sys.argv[1]), 60):
        print("held", flush=True)
        sys.stdin.read()
    """
)


def test_a_second_writer_waits_then_says_why_in_one_line(tmp_path):
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLDER, str(tmp_path)],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
        with (
            pytest.raises(CxError, match="another cxpipeline step is writing"),
            home_lock.home_lock(tmp_path, 0.1),
        ):
            pass
    finally:
        holder.communicate("")
    with home_lock.home_lock(tmp_path, 0.1) as outermost:
        assert outermost
        with home_lock.home_lock(tmp_path, 0.1) as inner:
            assert not inner and home_lock.holds_lock(tmp_path)
    assert not home_lock.holds_lock(tmp_path)


def test_a_writer_publishes_the_snapshot_readers_open(tmp_path):
    settings = Settings.build(tmp_path / "home")
    con = warehouse.connect(settings)
    con.execute("CREATE TABLE note AS SELECT 'p1' AS v")
    con.close()
    snapshot = snapshot_path(settings.warehouse_path)
    assert snapshot.exists() and snapshot_is_current(settings.warehouse_path)
    reader = warehouse.connect(settings, read_only=True)
    try:
        rows = reader.execute("SELECT v FROM note").fetchall()
        path = reader.execute("SELECT path FROM duckdb_databases() WHERE NOT internal").fetchall()
    finally:
        reader.close()
    assert rows == [("p1",)] and path == [(str(snapshot),)]


READER = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    from cxpipeline.settings import Settings
    from cxpipeline.steps import query
    settings = Settings.build(sys.argv[1])
    stop = Path(sys.argv[2])
    done = failed = 0
    print("ready", flush=True)
    while not stop.exists() or done == 0:
        try:
            query.run_query(settings, "SELECT count(*) AS n FROM contact_records")
            done += 1
        except Exception as exc:
            failed += 1
            print("failed:", exc, file=sys.stderr)
    print(done, failed)
    """
)


def test_a_reader_in_a_loop_never_fails_and_never_fails_the_ingest(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    stop = tmp_path / "stop"
    reader = subprocess.Popen(
        [sys.executable, "-c", READER, str(settings.home), str(stop)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert reader.stdout is not None and reader.stdout.readline().strip() == "ready"
    as_of = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
    try:
        for name in ("contacts_east_q4.csv", "contacts_east_retry.csv"):
            summary = ingest(
                settings,
                REPO_ROOT / "data" / "sample" / name,
                list_name="east_q4",
                group="collections_east",
                as_of=as_of,
                force=True,
            )
            assert summary.status == "succeeded"
    finally:
        stop.touch()
        out, errors = reader.communicate(timeout=300)
    done, failed = (int(v) for v in out.split())
    assert failed == 0, errors
    assert done > 0
    counted = query.run_query(settings, "SELECT count(*) AS n FROM contact_records")
    assert counted["n"][0] > 0


def test_the_warehouse_and_its_snapshot_are_owner_only(tmp_path):
    settings = Settings.build(tmp_path / "home")
    warehouse.connect(settings).close()
    snapshot = snapshot_path(settings.warehouse_path)
    assert settings.warehouse_path.stat().st_mode & 0o077 == 0
    assert snapshot.stat().st_mode & 0o077 == 0
    assert snapshot.parent.stat().st_mode & 0o077 == 0


def test_two_ingests_at_once_both_succeed_one_after_the_other(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    commands = [
        [
            sys.executable,
            "-m",
            "cxpipeline.cli",
            "ingest",
            str(REPO_ROOT / "data" / "sample" / file),
            "--list",
            name,
            "--group",
            group,
            "--as-of",
            "2026-12-01T08:00:00-05:00",
            "--home",
            str(settings.home),
        ]
        for file, name, group in (
            ("contacts_east_q4.csv", "east_q4", "collections_east"),
            ("contacts_west_q4.csv", "west_q4", "collections_west"),
        )
    ]
    running = [
        subprocess.Popen(c, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for c in commands
    ]
    outcomes = [p.communicate(timeout=600) + (p.returncode,) for p in running]
    assert [code for _, _, code in outcomes] == [0, 0], [err for _, err, _ in outcomes]
    lists = query.run_query(settings, "SELECT DISTINCT list_name FROM ingest_runs ORDER BY 1")
    assert lists["list_name"].to_list() == ["east_q4", "west_q4"]


KILLED_AFTER_COMMIT = textwrap.dedent(
    """
    import os, signal, sys
    from cxpipeline import warehouse
    from cxpipeline.settings import Settings
    con = warehouse.connect(Settings.build(sys.argv[1]))
    con.execute("CREATE TABLE committed AS SELECT 42 AS v")
    os.kill(os.getpid(), signal.SIGKILL)
    """
)


def test_a_commit_left_in_the_wal_by_a_killed_writer_reaches_the_readers(tmp_path):
    settings = Settings.build(tmp_path / "home")
    warehouse.connect(settings).close()
    killed = subprocess.run(
        [sys.executable, "-c", KILLED_AFTER_COMMIT, str(settings.home)], check=False
    )
    assert killed.returncode == -9
    assert query.run_query(settings, "SELECT v FROM committed")["v"].to_list() == [42]
