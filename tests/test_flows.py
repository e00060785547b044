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
}


@pytest.mark.parametrize(("module", "attr"), FLOW_MODULES.items())
def test_every_flow_imports_and_types_its_parameters(module, attr):
    flow = getattr(importlib.import_module(module), attr)
    assert isinstance(flow, Flow)
    for name, param in inspect.signature(flow.fn).parameters.items():
        assert param.annotation is not inspect.Parameter.empty, f"{attr}.{name} untyped"


def test_every_flow_file_is_covered():
    files = {p.stem for p in Path("flows").glob("*.py")} - {"__init__", "tasks", "deployments"}
    assert {m.split(".")[1] for m in FLOW_MODULES} == files


def test_tasks_have_retries():
    from flows import tasks

    for name in ("apply_campaigns", "load_suppression", "ingest_list", "load_results"):
        assert getattr(tasks, name).retries >= 1


def test_deployment_parameters_point_at_the_sample(tmp_path):
    from flows.deployments import build_flow, sample_parameters

    params = sample_parameters(tmp_path)
    assert params["campaigns_file"].exists()
    assert all(item.file.exists() for item in params["lists"])
    assert build_flow(None).name == "daily-run"


def test_deployment_runs_on_dask_when_given_an_address():
    from prefect_dask import DaskTaskRunner

    from flows.deployments import build_flow

    flow = build_flow("tcp://127.0.0.1:8786")
    assert isinstance(flow.task_runner, DaskTaskRunner)
    assert flow.name == "daily-run"
