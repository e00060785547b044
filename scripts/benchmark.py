"""Benchmark: generate a list of N customers, ingest it, print throughput and peak memory.

Usage: .venv/bin/python scripts/benchmark.py [--customers 1000000] [--chunk-rows 200000] [--keep]
Targets live here, not in timed tests: figures are printed for a human (or a CI log) to read.
"""

from __future__ import annotations

import argparse
import resource
import shutil
import tempfile
import time
from datetime import datetime
from pathlib import Path

from cxpipeline import generate
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest, setup, statistics


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dask_speed_up(src: Path, home: Path, workers: int, chunk_rows: int, single: float) -> None:
    """Ingest the same list with its chunks on a local Dask cluster; print time and speed-up."""
    from cxpipeline.steps.scale_out import dask_executor

    settings = Settings.build(home)
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    with dask_executor(workers=workers) as executor:
        started = time.perf_counter()
        ingest.ingest(
            settings,
            src,
            list_name="bench",
            group="collections_east",
            as_of=datetime.fromisoformat("2026-12-01T08:00:00-05:00"),
            chunk_rows=chunk_rows,
            executor=executor,
        )
        spent = time.perf_counter() - started
    print(
        f"dask      {workers} workers, chunks of {chunk_rows:,} rows  {spent:8.1f} s  "
        f"speed-up {single / spent:.2f}x over one process (peak of this process "
        f"{peak_rss_mib():,.0f} MiB; workers not counted)"
    )


def main() -> None:
    """Run the benchmark and print one line per stage."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--customers", type=int, default=200_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--chunk-rows",
        type=int,
        default=None,
        help="Input rows ingested per chunk (default: the settings' ingest_chunk_rows).",
    )
    parser.add_argument(
        "--dask-workers",
        type=int,
        default=0,
        help="Also ingest on a local Dask cluster of N workers and print the speed-up.",
    )
    parser.add_argument("--keep", action="store_true", help="Keep the temporary home.")
    args = parser.parse_args()

    home = Path(tempfile.mkdtemp(prefix="cxbench-"))
    settings = Settings.build(home)
    chunk_rows = args.chunk_rows or settings.ingest_chunk_rows
    src = home / "list.csv"
    t0 = time.perf_counter()
    generate.write_contact_list(src, args.customers, args.seed)
    t1 = time.perf_counter()
    print(
        f"generate  {args.customers:>12,} customers  {t1 - t0:8.1f} s  "
        f"{args.customers / (t1 - t0):>12,.0f} customers/s  peak {peak_rss_mib():,.0f} MiB"
    )

    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    t2 = time.perf_counter()
    summary = ingest.ingest(
        settings,
        src,
        list_name="bench",
        group="collections_east",
        as_of=datetime.fromisoformat("2026-12-01T08:00:00-05:00"),
        chunk_rows=chunk_rows,
    )
    t3 = time.perf_counter()
    print(
        f"ingest    {summary.rows_read:>12,} rows       {t3 - t2:8.1f} s  "
        f"{summary.rows_read / (t3 - t2):>12,.0f} rows/s       peak {peak_rss_mib():,.0f} MiB"
    )
    print(
        f"          {summary.records_written:,} records, {summary.rows_rejected:,} rows rejected, "
        f"{summary.phones_rejected:,} phone values rejected; chunks of {chunk_rows:,} rows"
    )
    t4 = time.perf_counter()
    statistics.build_statistics(settings)
    print(f"stats     {time.perf_counter() - t4:8.1f} s")
    if args.dask_workers:
        dask_speed_up(src, home / "dask", args.dask_workers, chunk_rows, t3 - t2)
    if args.keep:
        print(f"home kept at {home}")
    else:
        shutil.rmtree(home)


if __name__ == "__main__":
    main()
