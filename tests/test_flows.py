import importlib
import inspect
from pathlib import Path

import pytest
from prefect import Flow

FLOW_MODULES = {
    "flows.ingest_contact_list": "ingest_contact_list",
    "flows.load_call_results": "load_call_results",
    "flows.build_statistics": "build_statistics",
    "flows.export_reports": "export_reports",
    "flows.daily_run": "daily_run",
    "flows.inbox_run": "inbox_run",
    "flows.plan_windows": "plan_windows",
}


@pytest.mark.parametrize(("module", "attr"), FLOW_MODULES.items())
def test_every_flow_imports_and_types_its_parameters(module, attr):
    flow = getattr(importlib.import_module(module), attr)
    assert isinstance(flow, Flow)
    for name, param in inspect.signature(flow.fn).parameters.items():
        assert param.annotation is not inspect.Parameter.empty, f"{attr}.{name} untyped"


def test_every_flow_file_is_covered():
    wiring = {"__init__", "tasks", "task_steps", "deployments"}
    files = {p.stem for p in Path("flows").glob("*.py")} - wiring
    assert {m.split(".")[1] for m in FLOW_MODULES} == files


def test_tasks_have_retries():
    from flows import tasks

    for name in ("apply_campaigns", "load_suppression", "ingest_list", "load_results"):
        assert getattr(tasks, name).retries >= 1


def test_deployment_takes_a_manifest(tmp_path):
    from cxpipeline.manifest import load_manifest
    from cxpipeline.settings import REPO_ROOT
    from flows.deployments import build_flow, manifest_parameters

    params = manifest_parameters(Path("data/sample/run.yaml"), tmp_path)
    assert params["manifest"].is_absolute() and params["home"] == tmp_path.resolve()
    manifest = load_manifest(params["manifest"])
    assert manifest.campaigns == REPO_ROOT / "data" / "sample" / "campaigns.yaml"
    assert all(item.file.exists() for item in manifest.lists)
    assert build_flow(None).name == "daily-run"


def test_flows_import_no_sample_names():
    text = "".join(p.read_text() for p in Path("flows").glob("*.py"))
    assert "demo" not in text and "east_q4" not in text


def test_deployment_runs_on_dask_when_given_an_address():
    from prefect_dask import DaskTaskRunner

    from flows.deployments import build_flow

    flow = build_flow("tcp://127.0.0.1:8786")
    assert isinstance(flow.task_runner, DaskTaskRunner)
    assert flow.name == "daily-run"


def test_inbox_deployments_are_scheduled_in_a_named_zone(tmp_path):
    from flows.deployments import inbox_deployments

    daily, results = inbox_deployments(
        tmp_path / "inbox", tmp_path / "home", zone="America/Chicago"
    )
    assert daily.name == "daily-lists" and results.name == "results-every-15-minutes"
    assert daily.schedules[0].schedule.cron == "0 6 * * *"
    assert daily.schedules[0].schedule.timezone == "America/Chicago"
    assert results.schedules[0].schedule.cron == "*/15 * * * *"
    assert results.parameters["kinds"] == ["results"]


def test_prefect_yaml_entrypoints_import():
    import yaml

    declared = yaml.safe_load(Path("prefect.yaml").read_text(encoding="utf-8"))
    for deployment in declared["deployments"]:
        path, name = deployment["entrypoint"].split(":")
        module = importlib.import_module(path.removesuffix(".py").replace("/", "."))
        assert isinstance(getattr(module, name), Flow), deployment["name"]
        assert deployment["schedules"][0]["timezone"]


def test_tasks_retry_only_transient_failures():
    from prefect.states import Failed

    from cxpipeline.errors import CxError, InputError
    from cxpipeline.io.home_lock import HomeBusy
    from flows.tasks import transient

    def retried(exc: BaseException) -> bool:
        return transient(None, None, Failed(data=exc))  # type: ignore[arg-type]

    assert not retried(InputError("bad row", file="a.csv", row=2))
    assert not retried(CxError("unknown list"))
    assert retried(HomeBusy("another step is writing"))
    assert retried(OSError("disk busy"))
