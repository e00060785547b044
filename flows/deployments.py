"""Deployments: serve the daily run of a manifest on a schedule, optionally on a Dask cluster.

Run `python -m flows.deployments --manifest run.yaml --help`. With `--dask-address
tcp://scheduler:8786` the flow's tasks run on that cluster through prefect-dask; otherwise on
the local thread pool.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from flows.daily_run import daily_run


def manifest_parameters(manifest: Path, home: Path) -> dict[str, object]:
    """Parameters of the daily run: the manifest and the home, both absolute."""
    return {"manifest": Path(manifest).resolve(), "home": Path(home).resolve()}


def build_flow(dask_address: str | None):  # type: ignore[no-untyped-def]
    """Return the daily-run flow, on a Dask cluster when an address is given."""
    if not dask_address:
        return daily_run
    from prefect_dask import DaskTaskRunner

    return daily_run.with_options(task_runner=DaskTaskRunner(address=dask_address))


def main() -> None:
    """Serve the daily run deployment with a cron schedule (blocks until stopped)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--manifest", type=Path, required=True, help="Run manifest YAML.")
    parser.add_argument("--home", type=Path, default=Path("data"))
    parser.add_argument("--cron", default="0 6 * * *", help="Schedule (default 06:00 daily).")
    parser.add_argument("--dask-address", default=None)
    args = parser.parse_args()
    flow = build_flow(args.dask_address)
    flow.serve(
        name="daily-run",
        cron=args.cron,
        parameters=manifest_parameters(args.manifest, args.home),
    )


if __name__ == "__main__":
    main()
