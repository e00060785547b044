"""Deployments: serve the inbox run (or a manifest's daily run) on schedules, optionally on Dask.

`python -m flows.deployments --inbox DIR --home DIR` serves two deployments of the inbox run:
every waiting file at 06:00 in `--zone` (default America/New_York), and call results every
15 minutes (no re-plan: docs/inbox.md). `--manifest run.yaml` serves the daily run of a
manifest instead. With
`--dask-address tcp://scheduler:8786` the tasks run on that cluster through prefect-dask.
The same deployments are declared in prefect.yaml for `prefect deploy` and a worker.
"""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from prefect import serve
from prefect.schedules import Cron

from flows.daily_run import daily_run
from flows.inbox_run import inbox_run


def manifest_parameters(manifest: Path, home: Path) -> dict[str, object]:
    """Parameters of the daily run: the manifest and the home, both absolute."""
    return {"manifest": Path(manifest).resolve(), "home": Path(home).resolve()}


def with_task_runner(flow: Any, dask_address: str | None) -> Any:
    """Return the flow, on a Dask cluster when an address is given."""
    if not dask_address:
        return flow
    from prefect_dask import DaskTaskRunner

    return flow.with_options(task_runner=DaskTaskRunner(address=dask_address))


def build_flow(dask_address: str | None) -> Any:
    """Return the daily-run flow, on a Dask cluster when an address is given."""
    return with_task_runner(daily_run, dask_address)


def inbox_deployments(
    inbox: Path, home: Path, *, zone: str = "America/New_York", dask_address: str | None = None
) -> list[Any]:
    """Return the inbox deployments: all files daily at 06:00 local, results every 15 minutes."""
    flow = with_task_runner(inbox_run, dask_address)
    params = {"inbox": str(Path(inbox).resolve()), "home": str(Path(home).resolve())}
    return [
        flow.to_deployment(
            name="daily-lists", schedules=[Cron("0 6 * * *", timezone=zone)], parameters=params
        ),
        flow.to_deployment(
            name="results-every-15-minutes",
            schedules=[Cron("*/15 * * * *", timezone=zone)],
            parameters={**params, "kinds": ["results"]},
        ),
    ]


def main() -> None:
    """Serve the deployments with their schedules (blocks until stopped)."""
    parser = argparse.ArgumentParser(description=__doc__)
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--inbox", type=Path, help="Inbox folder (docs/inbox.md).")
    source.add_argument("--manifest", type=Path, help="Run manifest YAML (docs/manifest.md).")
    parser.add_argument("--home", type=Path, default=Path("data"))
    parser.add_argument("--zone", default="America/New_York", help="Zone of the schedules.")
    parser.add_argument("--cron", default="0 6 * * *", help="Manifest schedule (06:00 daily).")
    parser.add_argument("--dask-address", default=None)
    args = parser.parse_args()
    if args.inbox:
        serve(
            *inbox_deployments(
                args.inbox, args.home, zone=args.zone, dask_address=args.dask_address
            )
        )
        return
    build_flow(args.dask_address).serve(
        name="daily-run",
        schedules=[Cron(args.cron, timezone=args.zone)],
        parameters=manifest_parameters(args.manifest, args.home),
    )


if __name__ == "__main__":
    main()
