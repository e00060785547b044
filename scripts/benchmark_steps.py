"""The benchmark's steps, each run alone in a fresh child process (scripts/benchmark.py runs them).

Usage: python scripts/benchmark_steps.py STEP CONFIG_JSON. The child times its step (preparation
such as reading the list of records is left out), then prints one JSON line: the wall and CPU
seconds (CPU of every thread of the process, robust to a busy machine), the counts, and its own
peak RSS (`ru_maxrss` of RUSAGE_SELF, read at the end of the step) plus the peak it had before
the step began (interpreter and imports). `--quick` passes every step at once, comma-separated:
they run in order in one process, one line each.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
RESULTS_START = datetime.fromisoformat("2026-11-01T00:00:00+00:00")
RESULTS_DAYS = 2  # days per batch of synthetic results; ~1 result per record per batch
RESULT_GROUP = 122_880  # rows per row group of the results file
LIST, GROUP = "bench", "collections_east"
FLOOR_REPEATS = 3  # the floors (I/O, DuckDB query) are the best of this many runs

Config = dict[str, Any]
Figures = dict[str, Any]


def clock() -> tuple[float, float]:
    """Return (wall, CPU) seconds now; CPU counts every thread of this process (Polars')."""
    return time.perf_counter(), time.process_time()


def since(start: tuple[float, float]) -> tuple[float, float]:
    """Return the (wall, CPU) seconds elapsed since `start` (a `clock()` reading)."""
    wall, cpu = clock()
    return wall - start[0], cpu - start[1]


def peak_rss_mib() -> float:
    """Peak resident memory of this process so far, in MiB (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _home(cfg: Config) -> Path:
    """Return the benchmark's home (warehouse, lake, reference cache, the generated files)."""
    return Path(cfg["home"])


def _settings(home: Path) -> Any:
    """Return the settings of a home with the sample campaigns applied (idempotent)."""
    from cxpipeline.settings import REPO_ROOT, Settings
    from cxpipeline.steps import setup

    settings = Settings.build(home)
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def step_generate(cfg: Config) -> Figures:
    """Write the contact list of `customers` customers with the project's generator."""
    import polars as pl

    from cxpipeline.generate import write_contact_list

    src = _home(cfg) / "list.csv"
    started = clock()
    write_contact_list(src, cfg["customers"], cfg["seed"])
    spent, cpu = since(started)
    rows = pl.scan_csv(src, infer_schema=False).select(pl.len()).collect().item()
    return {"seconds": spent, "cpu": cpu, "count": rows, "unit": "rows"}


def step_io_floor(cfg: Config) -> Figures:
    """Measure the I/O floor: Polars read_csv (every column text, as ingest) + write_parquet.

    The best of FLOOR_REPEATS runs: a floor, so noise on a shared machine must not lower it.
    """
    import polars as pl

    home = _home(cfg)
    times = []
    for _ in range(FLOOR_REPEATS):
        started = clock()
        frame = pl.read_csv(home / "list.csv", infer_schema=False)
        frame.write_parquet(home / "floor.parquet")
        times.append(since(started))
    spent, cpu = min(times)
    return {"seconds": spent, "cpu": cpu, "count": frame.height, "unit": "rows"}


def step_ingest(cfg: Config) -> Figures:
    """Ingest the list end to end (read, validate, enrich, chain, plan, write, commit)."""
    from cxpipeline.steps import ingest

    settings = _settings(_home(cfg))
    started = clock()
    summary = ingest.ingest(
        settings,
        _home(cfg) / "list.csv",
        list_name=LIST,
        group=GROUP,
        as_of=AS_OF,
        chunk_rows=cfg.get("chunk_rows"),
    )
    spent, cpu = since(started)
    return {
        "seconds": spent,
        "cpu": cpu,
        "count": summary.rows_read,
        "unit": "rows",
        "records": summary.records_written,
        "phone_values": summary.phone_values,
        "rows_rejected": summary.rows_rejected,
        "phones_rejected": summary.phones_rejected,
    }


def step_records_floor(cfg: Config) -> Figures:
    """Measure what storing the ingest's records costs alone: the lake file and the warehouse.

    The list's lake contacts file (what the ingest wrote) is copied by Polars' streaming
    engine (zstd, as the lake) and inserted by DuckDB into an empty `contact_records` of a
    scratch warehouse file, as the ingest inserts it, then closed (checkpointed). Any ingest
    that keeps both copies the contract asks for pays at least this before a single number is
    normalised. Best of FLOOR_REPEATS.
    """
    import duckdb
    import polars as pl

    from cxpipeline import warehouse

    home = _home(cfg)
    lake_file = next((home / "lake" / "contacts" / f"list={LIST}").glob("*.parquet"))
    scratch, copy = home / "records_floor.duckdb", home / "records_floor.parquet"
    times = []
    for _ in range(FLOOR_REPEATS):
        scratch.unlink(missing_ok=True)
        con = duckdb.connect(str(scratch))
        con.execute(warehouse.load_sql("contact_records"))
        started = clock()
        pl.scan_parquet(lake_file).sink_parquet(copy)
        with warehouse.option(con, "preserve_insertion_order", False):
            warehouse.insert(con, "contact_records", lake_file)
        con.close()
        times.append(since(started))
    scratch.unlink(missing_ok=True)
    copy.unlink(missing_ok=True)
    records = pl.scan_parquet(lake_file).select(pl.len()).collect().item()
    spent, cpu = min(times)
    return {"seconds": spent, "cpu": cpu, "count": records, "unit": "records"}


def _one_phone(value: str, region: str) -> tuple[str, tuple[str, ...]] | None:
    """Do what a plain per-row script does with one value: parse, validate, E.164, zones."""
    import phonenumbers
    from phonenumbers import timezone as pn_timezone

    try:
        number = phonenumbers.parse(value, region)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(number):
        return None
    e164 = phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
    return e164, tuple(pn_timezone.time_zones_for_number(number))


def step_baseline(cfg: Config) -> Figures:
    """Per-row phonenumbers loop over a sample of the phone values, extrapolated to all of them."""
    import phonenumbers  # noqa: F401  (imported before the clock starts)
    import polars as pl

    from cxpipeline.generate import PHONE_COLUMNS

    frame = pl.read_csv(
        _home(cfg) / "list.csv", infer_schema=False, columns=[*PHONE_COLUMNS, "country_code_iso"]
    )
    values = frame.unpivot(index="country_code_iso", on=list(PHONE_COLUMNS)).drop_nulls("value")
    sample = values.sample(n=min(cfg["sample"], values.height), seed=cfg["seed"])
    pairs = list(zip(sample["value"], sample["country_code_iso"].fill_null("US"), strict=True))
    started = clock()
    valid = sum(_one_phone(value, region) is not None for value, region in pairs)
    measured, cpu = since(started)
    scale = values.height / max(len(pairs), 1)
    return {
        "seconds": measured * scale,
        "cpu": cpu * scale,
        "count": values.height,
        "unit": "values",
        "measured_s": measured,
        "sample": len(pairs),
        "valid_share": valid / max(len(pairs), 1),
    }


def _replan(cfg: Config, days_on: int) -> Figures:
    """Re-plan the list's windows from the warehouse, as-of `days_on` days after the ingest."""
    from cxpipeline.steps import plan

    settings = _settings(_home(cfg))
    started = clock()
    as_of = AS_OF + timedelta(days=days_on)
    counts = plan.plan_windows(settings, [LIST], as_of=as_of, horizon_days=None)
    spent, cpu = since(started)
    records = _record_count(settings)
    return {"seconds": spent, "cpu": cpu, "count": records, "unit": "records", **counts[LIST]}


def step_plan(cfg: Config) -> Figures:
    """Re-plan the list's windows for the next morning from the warehouse (`cxpipeline plan`)."""
    return _replan(cfg, 1)


def step_plan_history(cfg: Config) -> Figures:
    """Re-plan the list once its results are loaded (its inputs unchanged: state kept)."""
    return _replan(cfg, 2)


def step_plan_rebuild(cfg: Config) -> Figures:
    """Re-plan after a change of settings, rules or code: the state rebuilt from all results."""
    settings = _settings(_home(cfg))
    # What a changed input does: the key of the last rebuild no longer matches. Forgotten in
    # a child process: this one's peak is the plan's alone (the DELETE's connection closing
    # checkpointed the warehouse unbounded here: 1.1 GiB at 5M, more than the plan).
    forget = "import duckdb, sys; duckdb.connect(sys.argv[1]).execute(sys.argv[2], [sys.argv[3]])"
    statement = "DELETE FROM state_inputs WHERE list_name = ?"
    subprocess.run(
        [sys.executable, "-c", forget, str(settings.warehouse_path), statement, LIST], check=True
    )
    return _replan(cfg, 3)


def step_export(cfg: Config) -> Figures:
    """Export the list in the dialer's layout (`cxpipeline export --format genesys`)."""
    from cxpipeline.steps import export

    settings = _settings(_home(cfg))
    out = _home(cfg) / f"{LIST}_genesys.csv"
    started = clock()
    export.export_list(settings, LIST, out, "genesys", force=True)
    spent, cpu = since(started)
    out.unlink()
    return {"seconds": spent, "cpu": cpu, "count": _record_count(settings), "unit": "records"}


def _record_count(settings: Any) -> int:
    """Count the records of the benchmark list in the warehouse."""
    import duckdb

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        row = con.execute(
            "SELECT count(*) FROM contact_records WHERE list_name = ?", [LIST]
        ).fetchone()
    return int(row[0]) if row else 0


def step_results_file(cfg: Config) -> Figures:
    """Write ~`results_per_record` synthetic call results per record as Parquet (in batches).

    Each batch goes into the file as it is made (two batches in memory at most): held whole
    and concatenated, the 5M list's 93.6 M results took 15 GiB.
    """
    import polars as pl

    from cxpipeline import generate, io

    home = _home(cfg)
    started = clock()
    records = _records_to_call(home)
    wanted = cfg["results_per_record"] * records.height
    made = [0]  # results made so far (the batches' generator adds to it)

    def batches() -> Iterator[pl.DataFrame]:
        k = 0
        while made[0] < wanted and k < 40:
            batch = generate.synthetic_call_results(
                records.lazy(),
                start=RESULTS_START + timedelta(days=RESULTS_DAYS * k),
                days=RESULTS_DAYS,
                seed=cfg["seed"] + k,
            ).collect()
            made[0], k = made[0] + batch.height, k + 1
            yield batch.drop("attempt")  # attempts are numbered by the loader over all

    if records.height:
        # Row groups as Polars and DuckDB write them (and as this file had before): a
        # results load types a big row group at once (pyarrow's ~1M rows: 0.9-1.1 GiB).
        io.write_parquet_slices(batches(), home / "results.parquet", row_group_size=RESULT_GROUP)
    else:
        pl.DataFrame().write_parquet(home / "results.parquet")
    spent, cpu = since(started)
    # The later batch too (not timed): made here, its step's peak is the product's alone
    # (reading the 5M list's records to make it took that process to 1.6 GiB).
    _write_batch(records, home / BATCH_FILE, cfg["seed"])
    total = made[0]
    per_record = total / max(records.height, 1)
    return {
        "seconds": spent,
        "cpu": cpu,
        "count": total,
        "unit": "results",
        "per_record": per_record,
    }


def _records_to_call(home: Path, list_name: str | None = None) -> Any:
    """Return the records results can be made for (not No Call), of one list or all, by id."""
    import duckdb

    with duckdb.connect(str(home / "warehouse.duckdb"), read_only=True) as con:
        return con.sql(
            "SELECT record_id, chain_id, contact_info, tz_name FROM contact_records "
            "WHERE record_type <> 7 AND ($list::VARCHAR IS NULL OR list_name = $list) "
            "ORDER BY record_id",
            params={"list": list_name},
        ).pl()


def step_results(cfg: Config) -> Figures:
    """Load the results Parquet: validate, key, store, record lifecycle and attempt caps."""
    from cxpipeline.steps import results

    settings = _settings(_home(cfg))
    started = clock()
    summary = results.load_results(settings, _home(cfg) / "results.parquet", as_of=AS_OF)
    spent, cpu = since(started)
    rows = int(str(summary["rows_read"]))
    return {"seconds": spent, "cpu": cpu, "count": rows, "unit": "results"}


def step_statistics(cfg: Config) -> Figures:
    """Rebuild every statistics table (list, group, hourly, zone and operations statistics).

    Best of FLOOR_REPEATS, as the DuckDB query it is compared with (a rebuild is idempotent);
    `first` is the first build, a process's first statistics as `cxpipeline stats` runs them.
    """
    from cxpipeline.steps import statistics

    settings = _settings(_home(cfg))
    rows = _results_rows(settings)
    times = []
    for _ in range(FLOOR_REPEATS):
        started = clock()
        statistics.build_statistics(settings)
        times.append(since(started))
    spent, cpu = min(times)
    first = times[0][0]
    return {
        "seconds": spent,
        "cpu": cpu,
        "first": first,
        "repeats": FLOOR_REPEATS,
        "count": rows,
        "unit": "results",
    }


#: Share of the list's records a results batch calls (a busy quarter hour's results), at least
#: BATCH_MIN_RECORDS; the batch's day falls after the results file's days, before the as-of.
BATCH_SHARE = 0.01
BATCH_MIN_RECORDS = 100
BATCH_DAY = RESULTS_START + timedelta(days=24)


BATCH_FILE = "batch_results.parquet"


def _write_batch(records: Any, path: Path, seed: int) -> None:
    """Write the results batch: a day's results of BATCH_SHARE of `records` (a Polars frame)."""
    from cxpipeline import generate

    calls = min(records.height, max(BATCH_MIN_RECORDS, int(records.height * BATCH_SHARE)))
    generate.synthetic_call_results(
        records.sample(calls, seed=seed).sort("record_id").lazy(),
        start=BATCH_DAY,
        days=1,
        seed=seed,
    ).collect().write_parquet(path)


def step_results_batch(cfg: Config) -> Figures:
    """Load a batch of results into the list (1 % of its records), then refresh its statistics.

    As `cxpipeline results` runs every few minutes on a list that lives: the load, then the
    statistics of the lists it changed. Runs after the `statistics` step (the list's
    statistics and kept call counts built), so a refresh reads what it keeps; the batch was
    written by the `results_file` step.
    """
    return _load_and_refresh(_settings(_home(cfg)), _home(cfg) / BATCH_FILE)


def _load_and_refresh(settings: Any, path: Path) -> Figures:
    """Load a results file, then refresh the statistics of the lists it changed; timed.

    As `cxpipeline results` does: `load_s` is the load's share of the seconds.
    """
    from cxpipeline.steps import results, statistics

    started = clock()
    summary = results.load_results(settings, path, as_of=AS_OF)
    loaded = since(started)[0]
    statistics.build_statistics(settings, results.lists_changed(summary))
    spent, cpu = since(started)
    return {
        "seconds": spent,
        "cpu": cpu,
        "count": int(str(summary["rows_read"])),
        "unit": "results",
        "load_s": loaded,
        "lists": results.lists_changed(summary),
    }


def _results_rows(settings: Any) -> int:
    """Call results stored in the warehouse."""
    import duckdb

    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        row = con.execute("SELECT count(*) FROM call_results").fetchone()
    return int(row[0]) if row else 0


#: Comparable counts in one plain statement: attempts, records reached and talk time per result,
#: per local hour and in total, and every record's last result counted per result.
DUCKDB_QUERY = """
WITH r AS (
    SELECT record_id, call_result, duration_s, call_time,
           CAST(substr(call_time, 12, 2) AS INTEGER) AS local_hour
    FROM read_parquet(?)
), last AS (
    SELECT arg_max(call_result, call_time) AS last_result FROM r GROUP BY record_id
)
SELECT 'by' AS kind, call_result, local_hour, count(*) AS attempts,
       count(DISTINCT record_id) AS records, sum(duration_s) AS talk_s
FROM r GROUP BY GROUPING SETS ((call_result), (local_hour), ())
UNION ALL
SELECT 'last', last_result, NULL, count(*), count(*), NULL FROM last GROUP BY last_result
"""


def step_duckdb(cfg: Config) -> Figures:
    """Run the plain DuckDB GROUP BY over the same results Parquet (best of FLOOR_REPEATS)."""
    import duckdb

    path = str(_home(cfg) / "results.parquet")
    times = []
    with duckdb.connect() as con:
        for _ in range(FLOOR_REPEATS):
            started = clock()
            rows = con.execute(DUCKDB_QUERY, [path]).fetchall()
            times.append(since(started))
        count = con.execute("SELECT count(*) FROM read_parquet(?)", [path]).fetchone()
    total = int(count[0]) if count else 0
    spent, cpu = min(times)
    return {"seconds": spent, "cpu": cpu, "count": total, "unit": "results", "groups": len(rows)}


def _small_ingest(cfg: Config, list_name: str, *, beside: bool = False) -> Figures:
    """Ingest a ~1,000-row list into the small home (a fresh process, as the CLI runs it).

    With `quick`, into the main home instead: its list is small already, so its ingest is the
    cold figure and this one the warm one. `beside`: into the main home, beside its list.
    """
    from cxpipeline.generate import write_contact_list
    from cxpipeline.steps import ingest

    home = _home(cfg) if cfg.get("quick") or beside else _home(cfg) / "small"
    src = home / f"{list_name}.csv"
    home.mkdir(exist_ok=True)
    # Beside the list: other customers than its own (client ids after the list's), as a new
    # list of a client's would be; the same ids would make them the list's people.
    first = cfg["customers"] + 1 if beside else 1
    write_contact_list(
        src, cfg["small_customers"], cfg["seed"] + len(list_name), start_client_id=first
    )
    settings = _settings(home)
    started = clock()
    summary = ingest.ingest(settings, src, list_name=list_name, group=GROUP, as_of=AS_OF)
    spent, cpu = since(started)
    return {"seconds": spent, "cpu": cpu, "count": summary.rows_read, "unit": "rows"}


def step_small_cold(cfg: Config) -> Figures:
    """Measure the fixed cost: a ~1,000-row ingest into a new home (nothing cached yet)."""
    return _small_ingest(cfg, "small_a")


def step_small_warm(cfg: Config) -> Figures:
    """Measure the fixed cost: a second ~1,000-row list into the same home, new process."""
    return _small_ingest(cfg, "small_bb")


def step_small_beside(cfg: Config) -> Figures:
    """Measure the same ingest into the benchmark's home, beside its list and results.

    A warehouse holding a big list must not slow a small one (its identities were once read
    whole by every ingest: 1.7-2.6 s instead of 1.1-1.2 beside the 5M list).
    """
    return _small_ingest(cfg, "small_beside", beside=True)


def step_small_results(cfg: Config) -> Figures:
    """Load a day's results of the list ingested beside, then refresh its statistics.

    As `cxpipeline results` does: the statistics of the lists the load changed, not every
    list's (a full rebuild is the `statistics` step).
    """
    from cxpipeline import generate

    settings = _settings(_home(cfg))
    path = _home(cfg) / "small_results.parquet"
    records = _records_to_call(_home(cfg), "small_beside")
    day = RESULTS_START + timedelta(days=RESULTS_DAYS * 20)
    generate.synthetic_call_results(
        records.lazy(), start=day, days=1, seed=cfg["seed"]
    ).collect().write_parquet(path)
    return _load_and_refresh(settings, path)


STEPS: dict[str, Callable[[Config], Figures]] = {
    "generate": step_generate,
    "io_floor": step_io_floor,
    "ingest": step_ingest,
    "records_floor": step_records_floor,
    "baseline": step_baseline,
    "plan": step_plan,
    "results_file": step_results_file,
    "results": step_results,
    "statistics": step_statistics,
    "results_batch": step_results_batch,
    "plan_history": step_plan_history,
    "plan_rebuild": step_plan_rebuild,
    "export": step_export,
    "duckdb": step_duckdb,
    "small_cold": step_small_cold,
    "small_warm": step_small_warm,
    "small_beside": step_small_beside,
    "small_results": step_small_results,
}


def main(argv: list[str]) -> None:
    """Run a step (or several, comma-separated, in order) and print each one's JSON line."""
    import duckdb  # noqa: F401  (the libraries every step loads: counted in base_mib)
    import polars  # noqa: F401

    import cxpipeline.steps.ingest  # noqa: F401

    steps, cfg = argv[0].split(","), json.loads(argv[1])
    for step in steps:
        before = peak_rss_mib()
        figures = STEPS[step](cfg)
        figures.update(peak_mib=peak_rss_mib(), base_mib=before)
        print(json.dumps(figures), flush=True)


if __name__ == "__main__":
    main(sys.argv[1:])
