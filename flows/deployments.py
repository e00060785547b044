"""Deployments: serve the daily run on a schedule, optionally on a Dask cluster.

Run `python -m flows.deployments --help`. With `--dask-address tcp://scheduler:8786` the
flow's tasks run on that cluster through prefect-dask; otherwise on the local thread pool.
"""

from __future__ import annotations

import argparse
from pathlib import Path

from cxpipeline.demo import SAMPLE_LISTS, SAMPLE_RESULTS, SAMPLE_SUPPRESSION
from cxpipeline.settings import REPO_ROOT
from flows.daily_run import ListFile, SuppressionFile, daily_run


def sample_parameters(home: Path) -> dict[str, object]:
    """Parameters of the daily run over the committed sample (a working example)."""
    sample = REPO_ROOT / "data" / "sample"
    return {
        "home": home,
        "campaigns_file": sample / "campaigns.yaml",
        "suppression": [
            SuppressionFile(file=sample / SAMPLE_SUPPRESSION[0], name=SAMPLE_SUPPRESSION[1])
        ],
        "lists": [ListFile(file=sample / f, list_name=n, group=g) for f, n, g in SAMPLE_LISTS],
        "results_files": [sample / SAMPLE_RESULTS],
    }


def build_flow(dask_address: str | None):  # type: ignore[no-untyped-def]
    """Return the daily-run flow, on a Dask cluster when an address is given."""
    if not dask_address:
        return daily_run
    from prefect_dask import DaskTaskRunner

    return daily_run.with_options(task_runner=DaskTaskRunner(address=dask_address))


def main() -> None:
    """Serve the daily run deployment with a cron schedule (blocks until stopped)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--home", type=Path, default=Path("data"))
    parser.add_argument("--cron", default="0 6 * * *", help="Schedule (default 06:00 daily).")
    parser.add_argument("--dask-address", default=None)
    args = parser.parse_args()
    flow = build_flow(args.dask_address)
    flow.serve(
        name="daily-run",
        cron=args.cron,
        parameters=sample_parameters(args.home.resolve()),
    )


if __name__ == "__main__":
    main()
