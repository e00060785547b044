"""Export output paths: never over the warehouse, the lake, the input or a folder; --force."""

import stat
from datetime import datetime

import pytest
from typer.testing import CliRunner

from cxpipeline.cli import app
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import setup
from cxpipeline.steps.ingest import ingest

runner = CliRunner()
SOURCE = "client_id,last_name,home_phone,postal_code,state_code\nC1,Smith,(212) 736-0142,10001,NY\n"


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    root = tmp_path_factory.mktemp("export")
    settings = Settings.build(root / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    source = root / "contacts.csv"
    source.write_text(SOURCE, encoding="utf-8")
    as_of = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
    ingest(settings, source, list_name="l1", group="collections_east", as_of=as_of)
    return settings, source


def export(settings, out, *extra):
    args = ["export", "--list", "l1", "--out", str(out), "--home", str(settings.home), *extra]
    return runner.invoke(app, args, catch_exceptions=False)


@pytest.mark.parametrize("where", ["warehouse", "snapshot", "lake", "input", "folder"])
def test_export_never_overwrites_what_the_pipeline_needs(home, where):
    settings, source = home
    target = {
        "warehouse": settings.warehouse_path,
        "snapshot": settings.home / ".readers" / "warehouse.duckdb",
        "lake": next(settings.lake.rglob("*.parquet")),
        "input": source,
        "folder": settings.home,
    }[where]
    before = target.read_bytes() if target.is_file() else None
    result = export(settings, target, "--force")
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1 and "Traceback" not in result.output
    assert (target.read_bytes() if target.is_file() else None) == before


def test_export_is_owner_only_and_replaces_only_with_force(home, tmp_path):
    settings, _ = home
    target = tmp_path / "calling_list.csv"
    assert export(settings, target).exit_code == 0
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = export(settings, target)
    assert again.exit_code == 1 and "--force" in again.output
    assert export(settings, target, "--force").exit_code == 0


def test_report_into_a_file_or_over_reports_is_one_line(home, tmp_path):
    settings, _ = home
    (tmp_path / "file").write_text("x")
    base = ["report", "--format", "csv", "--home", str(settings.home)]
    into_file = runner.invoke(app, [*base, "--out", str(tmp_path / "file")])
    assert into_file.exit_code == 1 and "is a file" in into_file.output
    first = runner.invoke(app, [*base, "--out", str(tmp_path / "r")])
    assert first.exit_code == 0, first.output
    second = runner.invoke(app, [*base, "--out", str(tmp_path / "r")])
    assert second.exit_code == 1 and "--force" in second.output
    assert runner.invoke(app, [*base, "--out", str(tmp_path / "r"), "--force"]).exit_code == 0
