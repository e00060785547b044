"""One orchestration: the manifest's steps run in order, through whichever runner is given."""

from datetime import UTC, datetime
from pathlib import Path

from cxpipeline.manifest import ListFile, RunManifest
from cxpipeline.orchestration import run_manifest
from cxpipeline.settings import Settings
from cxpipeline.steps.ingest_summary import IngestSummary


class Recorder:
    """A step runner that records each call instead of touching a warehouse."""

    def __init__(self) -> None:
        self.calls: list[tuple[object, ...]] = []

    def apply_campaigns(self, path):
        self.calls.append(("campaigns", path.name))
        return {"lists": 1}

    def apply_rules(self, path):
        self.calls.append(("rules", path.name))

    def load_suppression(self, entry):
        self.calls.append(("suppression", entry.name))
        return {"entries": 2, "lists_changed": ["d"]}

    def ingest(self, item, as_of, horizon_days):
        self.calls.append(("ingest", item.list_name, as_of, horizon_days))
        return IngestSummary(run_id="r", list_name=item.list_name, status="succeeded")

    def load_results(self, path, as_of):
        self.calls.append(("results", path.name))
        changed = {"r1.csv": ["b", "c"]}.get(path.name, [])
        return {
            "rows_read": 3,
            "results_loaded": 3,
            "already_loaded": 0,
            "rows_rejected": 0,
            "lists_changed": changed,
        }

    def plan(self, as_of, horizon_days):
        self.calls.append(("plan", as_of, horizon_days))
        return {"a": {"keys": 1, "windows": 2, "records_with_windows": 3}}

    def build_statistics(self, lists):
        self.calls.append(("statistics",) if lists is None else ("statistics", *lists))
        return {"lists": 1}

    def write_reports(self, out_dir, formats):
        self.calls.append(("reports", out_dir, formats))
        return [out_dir / "report.html"]


def manifest(tmp_path: Path, **extra) -> RunManifest:
    return RunManifest.model_validate(
        {
            "campaigns": tmp_path / "c.yaml",
            "rules": tmp_path / "rules.yaml",
            "suppression": [{"file": tmp_path / "d.csv", "name": "dnc"}],
            "lists": [
                {"file": tmp_path / "a.csv", "list": "a", "group": "g"},
                {"file": tmp_path / "b.csv", "list": "b", "group": "g", "mode": "append"},
            ],
            "results": [tmp_path / "r1.csv", tmp_path / "r2.csv"],
            "reports": {"dir": "reports", "formats": ["html"]},
            **extra,
        }
    )


def test_steps_run_in_the_contract_order(tmp_path):
    runner = Recorder()
    settings = Settings.build(tmp_path / "home")
    when = datetime(2026, 12, 1, 13, tzinfo=UTC)
    summary = run_manifest(settings, manifest(tmp_path), as_of=when, horizon_days=3, runner=runner)
    assert runner.calls == [
        ("campaigns", "c.yaml"),
        ("rules", "rules.yaml"),
        ("suppression", "dnc"),
        ("ingest", "a", when, 3),
        ("ingest", "b", when, 3),
        ("results", "r1.csv"),
        ("results", "r2.csv"),
        ("plan", when, 3),
        ("statistics",),
        ("reports", settings.home / "reports", ("html",)),
    ]
    assert [s.list_name for s in summary.ingests] == ["a", "b"]
    assert len(summary.results) == 2
    assert summary.report_path == settings.home / "reports" / "report.html"


def test_manifest_as_of_applies_unless_the_caller_gives_one(tmp_path):
    runner = Recorder()
    planned = datetime(2026, 11, 2, 9, tzinfo=UTC)
    only_lists = manifest(tmp_path, as_of=planned, horizon_days=5).model_copy(
        update={
            "results": (),
            "reports": None,
            "campaigns": None,
            "rules": None,
            "suppression": (),
            "lists": (ListFile(file=tmp_path / "a.csv", list="a", group="g"),),
        }
    )
    run_manifest(Settings.build(tmp_path), only_lists, runner=runner)
    assert runner.calls == [("ingest", "a", planned, 5), ("plan", planned, 5), ("statistics",)]


def test_a_run_without_a_plan_refreshes_the_statistics_of_the_lists_it_changed(tmp_path):
    runner = Recorder()
    lists_and_results = manifest(tmp_path, plan=False).model_copy(
        update={"campaigns": None, "rules": None, "suppression": ()}
    )
    run_manifest(Settings.build(tmp_path), lists_and_results, runner=runner)
    # a and b ingested; r1 changed b and c (its Do Not Call results suppressed c's records).
    assert ("statistics", "a", "b", "c") in runner.calls
    # A suppression list adds the lists whose records it newly suppressed (d).
    with_dnc = manifest(tmp_path, plan=False).model_copy(update={"campaigns": None, "rules": None})
    runner = Recorder()
    run_manifest(Settings.build(tmp_path), with_dnc, runner=runner)
    assert ("statistics", "a", "b", "c", "d") in runner.calls
    # Campaigns (or rules, a plan) reach every list: all are rebuilt.
    runner = Recorder()
    with_campaigns = manifest(tmp_path, plan=False).model_copy(update={"rules": None})
    run_manifest(Settings.build(tmp_path), with_campaigns, runner=runner)
    assert ("statistics",) in runner.calls


def test_suppression_options_reach_the_step(tmp_path):
    import duckdb

    dnc = tmp_path / "optout.csv"
    dnc.write_text("Telefon;Ablauf\n(212) 736-0142;2030-01-01\n", encoding="utf-8")
    settings = Settings.build(tmp_path / "home")
    entry = {"file": dnc, "name": "optout", "column": "Telefon", "expiry_column": "Ablauf"}
    only_dnc = RunManifest.model_validate({"suppression": [entry], "plan": False})
    summary = run_manifest(settings, only_dnc)
    assert summary.suppression[0]["entries"] == 1
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        rows = con.execute(
            "SELECT e164, CAST(expires_at AS DATE) FROM suppression_entries"
        ).fetchall()
    assert [(e, str(d)) for e, d in rows] == [("+12127360142", "2030-01-01")]
