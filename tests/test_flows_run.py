"""Run real Prefect flows against a temporary Prefect server (one harness for the module)."""

from datetime import datetime

import duckdb
import pytest

from cxpipeline.settings import REPO_ROOT

prefect_testing = pytest.importorskip("prefect.testing.utilities")


@pytest.fixture(scope="module", autouse=True)
def harness():
    with prefect_testing.prefect_test_harness(server_startup_timeout=120):
        yield


def test_ingest_flow_then_statistics_flow(tmp_path):
    from flows.build_statistics import build_statistics
    from flows.ingest_contact_list import ingest_contact_list
    from flows.tasks import apply_campaigns

    home = tmp_path / "home"
    sample = REPO_ROOT / "data" / "sample"
    apply_campaigns.fn(home, sample / "campaigns.yaml")
    summary = ingest_contact_list(
        file=sample / "contacts_east_retry.csv",
        list_name="east_retry",
        group="collections_east",
        home=home,
        as_of=datetime.fromisoformat("2026-12-01T08:00:00-05:00"),
        horizon_days=2,
    )
    assert summary["status"] == "succeeded"
    assert summary["rows_read"] == summary["rows_accepted"] + summary["rows_rejected"]
    stats = build_statistics(home=home)
    assert stats["lists"] == 3  # every list of the campaign model gets a row
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        total = con.execute(
            "SELECT total_records FROM list_stats WHERE list_name = 'east_retry'"
        ).fetchall()
    assert total == [(summary["records_written"],)]
    # The morning plan flow moves the list's windows, and its statistics with them.
    from flows.plan_windows import plan_windows
    from flows.tasks import build_statistics as rebuild

    def today() -> list[tuple]:
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            return con.execute("SELECT * FROM dialable_today ORDER BY ALL").fetchall()

    before = today()
    later = datetime.fromisoformat("2026-12-08T08:00:00-05:00")
    assert "east_retry" in plan_windows(home=home, lists=["east_retry"], as_of=later)
    planned = today()
    assert planned != before
    rebuild.fn(home)
    assert today() == planned


def test_daily_run_flow_runs_a_manifest_through_the_orchestration(tmp_path):
    from flows.daily_run import daily_run

    sample = REPO_ROOT / "data" / "sample"
    manifest = tmp_path / "run.yaml"
    manifest.write_text(
        f"campaigns: {sample / 'campaigns.yaml'}\n"
        f"suppression:\n  - {{file: {sample / 'suppression_dnc.csv'}, name: client_dnc}}\n"
        f"lists:\n  - {{file: {sample / 'contacts_east_retry.csv'}, list: east_retry, "
        "group: collections_east}\n"
        "reports: {dir: reports, formats: [csv]}\n",
        encoding="utf-8",
    )
    home = tmp_path / "home"
    result = daily_run(
        manifest=manifest,
        home=home,
        as_of=datetime.fromisoformat("2026-12-01T08:00:00-05:00"),
        horizon_days=2,
    )
    (ingested,) = result["ingests"]
    assert ingested["status"] == "succeeded" and ingested["list_name"] == "east_retry"
    assert result["statistics"]["lists"] == 3
    assert any(p.endswith("list_stats.csv") for p in result["reports"])
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        suppressed = con.execute(
            "SELECT count(*) FROM contact_records WHERE no_call_reason = 'suppressed:client_dnc'"
        ).fetchone()
    assert suppressed is not None and suppressed[0] > 0


def test_inbox_flow_twice_at_once_processes_each_file_once(tmp_path):
    from concurrent.futures import ThreadPoolExecutor

    from flows.inbox_run import inbox_run
    from flows.tasks import apply_campaigns

    sample = REPO_ROOT / "data" / "sample"
    home = tmp_path / "home"
    apply_campaigns.fn(home, sample / "campaigns.yaml")
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "inbox.yaml").write_text(
        "lists:\n  - {pattern: 'contacts_east_retry*.csv', list: east_retry, "
        "group: collections_east}\nsuppression:\n  - {pattern: 'suppression_*.csv', "
        "name: client_dnc}\nreports: null\n",
        encoding="utf-8",
    )
    for name in ("contacts_east_retry.csv", "suppression_dnc.csv"):
        (inbox / name).write_bytes((sample / name).read_bytes())
    when = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
    with ThreadPoolExecutor(2) as pool:
        runs = list(pool.map(lambda _: inbox_run(inbox=inbox, home=home, as_of=when), range(2)))
    processed = sorted(name for run in runs for name in run["processed"])
    assert processed == ["contacts_east_retry.csv", "suppression_dnc.csv"]
    assert all(not run["failed"] for run in runs)
    assert any("east_retry" in run["markdown"] for run in runs)
    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM ingest_runs").fetchone() == (1,)


def test_a_normal_flow_run_logs_no_traceback(tmp_path):
    """Regression: Prefect's telemetry heartbeat raced its SQLite store ('database is locked')."""
    import os
    import subprocess
    import sys

    from flows.tasks import apply_campaigns

    home = tmp_path / "home"
    apply_campaigns.fn(home, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS"] = "180"  # busy CI machines
    code = (
        "from pathlib import Path\n"
        "from flows.build_statistics import build_statistics\n"
        f"print(build_statistics(home=Path({str(home)!r})))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO_ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    output = done.stdout + done.stderr
    assert done.returncode == 0, output[-2000:]
    assert "'lists': 3" in output
    assert "Traceback" not in output and "database is locked" not in output


def test_ingest_flow_on_a_local_dask_cluster_equals_a_direct_ingest(tmp_path):
    from prefect_dask import DaskTaskRunner

    from cxpipeline.settings import Settings
    from cxpipeline.steps.ingest import ingest
    from flows.ingest_contact_list import ingest_contact_list
    from flows.tasks import apply_campaigns

    sample = REPO_ROOT / "data" / "sample"
    when = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
    homes = {name: tmp_path / name for name in ("direct", "dask")}
    for home in homes.values():
        apply_campaigns.fn(home, sample / "campaigns.yaml")
    ingest(
        Settings.build(homes["direct"]),
        sample / "contacts_east_retry.csv",
        list_name="east_retry",
        group="collections_east",
        as_of=when,
        horizon_days=2,
    )
    runner = DaskTaskRunner(
        cluster_kwargs={"n_workers": 2, "threads_per_worker": 1, "dashboard_address": None}
    )
    summary = ingest_contact_list.with_options(task_runner=runner)(
        file=sample / "contacts_east_retry.csv",
        list_name="east_retry",
        group="collections_east",
        home=homes["dask"],
        as_of=when,
        horizon_days=2,
    )
    assert summary["status"] == "succeeded"
    query = "SELECT * EXCLUDE (source_file) FROM contact_records ORDER BY record_id"
    found = []
    for home in homes.values():
        with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
            found.append(con.execute(query).fetchall())
    assert found[0] == found[1] and found[0]
