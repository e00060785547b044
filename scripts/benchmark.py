"""Benchmark: ingest, plan, results and statistics against their floors, one child per step.

Usage: .venv/bin/python scripts/benchmark.py [--customers 100000] [--quick] [--keep]
  [--sample 20000] [--results-per-record 10] [--chunk-rows N] [--dask-workers N]

One generated list (cxpipeline.generate.write_contact_list) is measured by: the I/O floor
(Polars read_csv + write_parquet, best of 3), ingest end to end, the records' writes alone (the
ingest's lake contacts file written again and inserted into an empty warehouse table: what any
ingest that keeps both pays, best of 3), a per-row phonenumbers loop on
a sample (extrapolated to every phone value), `plan`, results ingest and statistics for ~10
call results per record, a plain DuckDB GROUP BY over the same results Parquet (best of 3), and
the fixed cost of a ~1,000-row ingest (new home, then warm home, then beside the list in its
home, which holds its results by then), and a day's results of that small list loaded with the
statistics refresh `cxpipeline results` runs (only the lists the load changed).

Peak RSS: each step runs in its own child process (scripts/benchmark_steps.py) and reports its
own ru_maxrss (RUSAGE_SELF, Linux KiB), so each figure is that step's peak alone, the ~90 MiB
of interpreter and libraries included (printed as `base`). On Linux a child's ru_maxrss starts
from the RSS of the process that forked it, so this parent imports no library before the
steps end. Targets (issue 13) are printed next to the figures; docs/performance.md records runs.
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import shutil
import subprocess
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path
from typing import Any

STEPS_SCRIPT = Path(__file__).with_name("benchmark_steps.py")
ORDER = (
    "generate",
    "io_floor",
    "ingest",
    "records_floor",
    "baseline",
    "plan",
    "results_file",
    "results",
    "statistics",
    "results_batch",
    "plan_history",
    "plan_rebuild",
    "export",
    "duckdb",
    "small_cold",
    "small_warm",
    "small_beside",
    "small_results",
)
LABELS = {
    "generate": "generate list",
    "io_floor": "I/O floor",
    "ingest": "ingest",
    "records_floor": "records' writes",
    "baseline": "per-row baseline",
    "plan": "plan",
    "results_file": "results file",
    "results": "results ingest",
    "statistics": "statistics",
    "results_batch": "results batch",
    "plan_history": "plan, with results",
    "plan_rebuild": "plan, state rebuilt",
    "export": "export (genesys)",
    "duckdb": "DuckDB GROUP BY",
    "small_cold": "1k ingest cold",
    "small_warm": "1k ingest warm",
    "small_beside": "1k ingest beside",
    "small_results": "1k results beside",
}
Figures = dict[str, Any]
#: The steps that run cxpipeline itself, whose peak RSS the memory target bounds (not the list
#: and results generators, the I/O floor, the per-row baseline or the plain DuckDB query).
PRODUCT_STEPS = (
    "ingest",
    "plan",
    "results",
    "statistics",
    "results_batch",
    "plan_history",
    "plan_rebuild",
    "export",
    "small_cold",
    "small_warm",
    "small_beside",
    "small_results",
)


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def dask_speed_up(src: Path, home: Path, workers: int, chunk_rows: int, single: float) -> None:
    """Ingest the same list with its chunks on a local Dask cluster; print time and speed-up."""
    from cxpipeline.settings import REPO_ROOT, Settings
    from cxpipeline.steps import ingest, setup
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


def run_step(step: str, cfg: dict[str, Any]) -> Figures:
    """Run one step in a new Python process; return the figures it printed as its last line."""
    return run_steps([step], cfg)[step]


def run_steps(steps: list[str], cfg: dict[str, Any]) -> dict[str, Figures]:
    """Run `steps` one after the other in one new Python process; return each one's figures.

    Only `--quick` runs several in one process (its figures prove that the steps run; a
    later step's peak RSS includes the earlier ones'): the real runs take a process each.
    """
    done = subprocess.run(
        [sys.executable, str(STEPS_SCRIPT), ",".join(steps), json.dumps(cfg)],
        capture_output=True,
        text=True,
        check=False,
    )
    # Each finished step printed its figures as one JSON line: the first step without one failed.
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0:
        failed = steps[min(len(lines), len(steps) - 1)]
        raise SystemExit(f"benchmark step {failed} failed:\n{done.stderr[-4000:]}")
    return {step: json.loads(line) for step, line in zip(steps, lines, strict=True)}


def step_line(step: str, f: Figures) -> str:
    """Return one printed line: seconds, count, throughput, peak RSS and CPU seconds."""
    rate = f["count"] / f["seconds"] if f["seconds"] > 0 else 0.0
    unit = f["unit"]
    return (
        f"{LABELS[step]:<17} {f['seconds']:9.3f} s  {f['count']:>11,} {unit:<8}"
        f"{rate:>13,.0f} {unit}/s  peak RSS {f['peak_mib']:7,.0f} MiB "
        f"(base {f['base_mib']:,.0f})  cpu {f['cpu']:.2f} s"
    )


def _verdict(met: bool) -> str:
    """Met or not, as printed next to a target."""
    return "met" if met else "NOT MET"


def ratio_lines(r: dict[str, Figures]) -> list[str]:
    """Return the issue's ratios and targets, each with met / NOT MET."""
    ingest, floor, base = r["ingest"], r["io_floor"], r["baseline"]
    over_floor = ingest["seconds"] / floor["seconds"]
    speed_up = base["seconds"] / ingest["seconds"]
    writes = r["records_floor"]["seconds"]
    stats = r["statistics"]
    stats_ratio = stats["seconds"] / r["duckdb"]["seconds"]
    per_million = r["plan"]["seconds"] * 1e6 / max(r["plan"]["count"], 1)
    lived = r["plan_history"]["seconds"] * 1e6 / max(r["plan_history"]["count"], 1)
    rebuilt = r["plan_rebuild"]["seconds"] * 1e6 / max(r["plan_rebuild"]["count"], 1)
    # cxpipeline's own steps: the generators and the floors compared with are not the product.
    peak_step = max(PRODUCT_STEPS, key=lambda step: r[step]["peak_mib"])
    peak = r[peak_step]["peak_mib"]
    cold, warm = r["small_cold"]["seconds"], r["small_warm"]["seconds"]
    beside = r["small_beside"]["seconds"]
    small = r["small_results"]
    refresh = small["seconds"] - small["load_s"]
    batch = r["results_batch"]
    batch_refresh = batch["seconds"] - batch["load_s"]
    return [
        f"ingest / I/O floor           {over_floor:8.1f}x   target <= 10x (aim 5x)  "
        f"{_verdict(over_floor <= 10)}",
        f"per-row baseline / ingest    {speed_up:8.1f}x   target >= 20x           "
        f"{_verdict(speed_up >= 20)}",
        f"records' writes / I/O floor  {writes / floor['seconds']:8.1f}x   (lake file + "
        "warehouse insert of the ingest's records alone: the least an ingest keeping both "
        f"pays; at most {base['seconds'] / writes:.1f}x the per-row baseline)",
        f"statistics / DuckDB query    {stats_ratio:8.1f}x   target <= 2x            "
        f"{_verdict(stats_ratio <= 2)}  (best of {stats.get('repeats', 1)} each; the first "
        f"build {stats.get('first', stats['seconds']):.2f} s)",
        f"plan, per 1M records         {per_million:8.1f} s   target <= 5 s           "
        f"{_verdict(per_million <= 5)}  (scaled linearly from {r['plan']['count']:,} records)",
        f"plan with results, per 1M     {lived:8.1f} s   target <= 5 s           "
        f"{_verdict(lived <= 5)}  (the next day's plan of the list after its results load)",
        f"plan, state rebuilt, per 1M  {rebuilt:8.1f} s   (no target: after a change of "
        "settings, rules or code)",
        f"1k-row ingest cold / warm    {cold:5.1f} / {warm:.1f} s  target <= 2 s  "
        f"{_verdict(warm <= 2)} warm, {_verdict(cold <= 2)} cold",
        f"1k-row ingest beside the list {beside:5.1f} s       target <= 2 s  "
        f"{_verdict(beside <= 2)}  (into the benchmark's home: flat as the warehouse grows)",
        f"its day's results + stats    {small['seconds']:5.1f} s       (load {small['load_s']:.1f} "
        f"s, statistics of {', '.join(small['lists'])} {refresh:.1f} s; every list's: "
        f"{r['statistics']['seconds']:.1f} s)",
        f"a batch of results + stats   {batch['seconds']:5.1f} s       (load {batch['load_s']:.1f} "
        f"s, statistics of {', '.join(batch['lists'])} {batch_refresh:.1f} s: 1 % of the "
        "list's records called, as `cxpipeline results` every few minutes)",
        f"peak RSS, largest step       {peak:8,.0f} MiB target <= 1024 MiB      "
        f"{_verdict(peak <= 1024)}  ({LABELS[peak_step]}; of cxpipeline's steps)",
    ]


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    """Parse the command line (see the module docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument(
        "--quick",
        action="store_true",
        help=(
            "a smoke run: 300 customers, small samples, every step in one process, the "
            "list's ingest as the cold 1k figure"
        ),
    )
    parser.add_argument("--seed", type=int, default=11)
    parser.add_argument("--sample", type=int, default=20_000, help="phone values, per-row loop")
    parser.add_argument("--results-per-record", type=int, default=10)
    parser.add_argument("--small-customers", type=int, default=980, help="~1,000 rows")
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
    parser.add_argument("--home", type=Path, default=None, help="default: a temporary folder")
    parser.add_argument("--keep", action="store_true", help="Keep the temporary home.")
    args = parser.parse_args(argv)
    if args.quick:
        args.customers, args.sample = min(args.customers, 300), min(args.sample, 500)
        args.small_customers = min(args.small_customers, 300)
        args.results_per_record = min(args.results_per_record, 5)
    return args


def main(argv: list[str] | None = None) -> dict[str, Figures]:
    """Run every step in its own process, print one line per step, the ratios and targets."""
    args = parse_args(argv)
    home = args.home or Path(tempfile.mkdtemp(prefix="cxbench-"))
    home.mkdir(parents=True, exist_ok=True)
    cfg = {
        "home": str(home),
        "customers": args.customers,
        "seed": args.seed,
        "sample": args.sample,
        "results_per_record": args.results_per_record,
        "small_customers": args.small_customers,
        "chunk_rows": args.chunk_rows,
        "quick": args.quick,
    }
    print(f"benchmark: {args.customers:,} customers, seed {args.seed}, home {home}")
    # Found, not imported (this process imports no library): pandera imports it at a
    # process's first validation, ~0.2 s of every step's figure on the 2-core machine.
    if importlib.util.find_spec("hypothesis") is not None:
        print("  test tools installed (requirements-dev-lock.txt): each step's first validation")
        print("  imports hypothesis; a run's install (requirements-lock.txt) does not")
    results: dict[str, Figures] = {}
    if args.quick:  # one process for every step: seconds, not a process start-up per step
        # The quick list is small: its ingest is the cold 1k figure.
        results = run_steps([step for step in ORDER if step != "small_cold"], cfg)
        results["small_cold"] = results["ingest"]
    for step in ORDER:
        if step not in results:
            results[step] = run_step(step, cfg)
        print(step_line(step, results[step]), flush=True)
    print(
        f"  ingest: {results['ingest']['records']:,} records, "
        f"{results['ingest']['phone_values']:,} phone values; baseline measured on "
        f"{results['baseline']['sample']:,} values in {results['baseline']['measured_s']:.2f} s; "
        f"{results['results_file']['per_record']:.1f} results per record"
    )
    print("ratios and targets (issue 13):")
    for line in ratio_lines(results):
        print("  " + line)
    if args.dask_workers:
        from cxpipeline.settings import Settings

        chunk_rows = args.chunk_rows or Settings.build(home / "dask").ingest_chunk_rows
        dask_speed_up(
            home / "list.csv",
            home / "dask",
            args.dask_workers,
            chunk_rows,
            results["ingest"]["seconds"],
        )
    if args.keep or args.home:
        print(f"home kept at {home}")
    else:
        shutil.rmtree(home)
    return results


if __name__ == "__main__":
    main()
