"""Prefect tasks: each wraps one step (read → transform → validate → write), paths only."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

from prefect import Task, task
from prefect.client.schemas.objects import TaskRun
from prefect.states import State

from cxpipeline import io
from cxpipeline.errors import CxError
from cxpipeline.io.home_lock import HomeBusy
from cxpipeline.settings import Settings
from cxpipeline.steps import plan, reports, results, setup, statistics, suppression
from cxpipeline.steps.ingest import ingest
from cxpipeline.steps.ingest_chunks import Executor


def transient(task: Task[..., Any], task_run: TaskRun, state: State[Any]) -> bool:
    """Retry only what may pass (I/O, a busy home), never a user error: it would fail again."""
    try:
        state.result()
    except HomeBusy:
        return True
    except CxError:
        return False
    except BaseException:  # noqa: BLE001 - any other failure may be transient
        return True
    return True


@task(retry_condition_fn=transient, retries=2, retry_delay_seconds=5)
def apply_campaigns(home: Path, campaigns_file: Path) -> dict[str, int]:
    """Load or update the campaign model from YAML."""
    return setup.apply_campaigns(Settings.build(home), campaigns_file)


@task(retry_condition_fn=transient, retries=2, retry_delay_seconds=5)
def apply_rules(home: Path, rules_file: Path) -> None:
    """Load compliance rule overrides on top of the seed rules."""
    setup.prepare_warehouse(Settings.build(home), rules_file=rules_file)


@task(retry_condition_fn=transient, retries=2, retry_delay_seconds=5)
def load_suppression(
    home: Path,
    file: Path,
    name: str,
    column: str | None = None,
    client_column: str | None = None,
    expiry_column: str | None = None,
    expires_after: str | None = None,
    spec: Path | None = None,
) -> dict[str, object]:
    """Load a named suppression list and re-apply it to existing lists."""
    return suppression.load_suppression(
        Settings.build(home),
        file,
        name,
        column=column,
        client_column=client_column,
        expiry_column=expiry_column,
        expires_after=expires_after,
        spec=spec,
    )


@task(retry_condition_fn=transient, retries=2, retry_delay_seconds=10)
def ingest_list(
    home: Path,
    file: Path,
    list_name: str,
    group: str,
    spec: Path | None,
    as_of: datetime | None,
    horizon_days: int | None,
    mode: str,
    delimiter: str | None = None,
    encoding: str | None = None,
    sheet: str | None = None,
    force: bool = False,
) -> dict[str, object]:
    """Ingest one contact list; returns its reconciliation summary.

    On a Dask worker (the flow runs with a DaskTaskRunner) the list's chunks fan out over the
    cluster; elsewhere they run in this process.
    """
    with _cluster_executor() as executor:
        summary = ingest(
            Settings.build(home),
            file,
            list_name=list_name,
            group=group,
            spec_path=spec,
            as_of=as_of,
            horizon_days=horizon_days,
            mode=mode,
            read_options=io.ReadOptions(delimiter=delimiter, encoding=encoding, sheet=sheet),
            force=force,
            executor=executor,
        )
    return dict(vars(summary))


@contextlib.contextmanager
def _cluster_executor() -> Iterator[Executor | None]:
    """Yield the cluster's executor when this task runs on a Dask worker, else None."""
    try:
        from distributed import get_worker, worker_client

        get_worker()
    except (ImportError, ValueError):
        yield None
        return
    with worker_client() as client:
        yield client.get_executor()


@task(retry_condition_fn=transient, retries=2, retry_delay_seconds=5)
def plan_windows(
    home: Path, lists: list[str] | None, as_of: datetime | None, horizon_days: int | None
) -> dict[str, dict[str, int]]:
    """Re-plan the calling windows of stored lists from the warehouse."""
    return plan.plan_windows(Settings.build(home), lists, as_of=as_of, horizon_days=horizon_days)


@task(retry_condition_fn=transient, retries=2, retry_delay_seconds=5)
def load_results(home: Path, file: Path, as_of: datetime | None) -> dict[str, object]:
    """Ingest a call results file and update record state."""
    return results.load_results(Settings.build(home), file, as_of=as_of)


@task(retry_condition_fn=transient, retries=1)
def build_statistics(home: Path, lists: list[str] | None = None) -> dict[str, int]:
    """Rebuild the statistics tables: every list's rows, or those of `lists` (and their groups)."""
    return statistics.build_statistics(Settings.build(home), lists)


@task(retry_condition_fn=transient, retries=1)
def write_reports(home: Path, out_dir: Path, formats: tuple[str, ...]) -> list[str]:
    """Write the reports; returns their paths."""
    return [str(p) for p in reports.write_reports(Settings.build(home), out_dir, formats)]
