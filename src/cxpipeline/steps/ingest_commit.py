"""The end of an ingest: write the run's lake files, count, and commit in one transaction."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import io, schemas, tzdb, warehouse, warehouse_memory
from cxpipeline.errors import CxError
from cxpipeline.settings import Settings
from cxpipeline.steps.common import row_ranges, sorted_cuts
from cxpipeline.steps.ingest_state import REJECT_PARTS, ListContext, Run, Staged
from cxpipeline.steps.ingest_summary import IngestSummary
from cxpipeline.steps.state import refresh_state
from cxpipeline.steps.state_inputs import StateDefaults
from cxpipeline.transforms import chains

#: Records per slice of the sorted contacts file the commit writes: bounds its memory.
MERGE_SLICE_RECORDS = 50_000


def commit(
    settings: Settings,
    table: io.RawTable,
    context: ListContext,
    run: Run,
    staged: Staged,
    window_rows: pl.DataFrame,
    advance: Callable[[int], None],
) -> IngestSummary:
    """Write contacts, windows and rejects of the run to the lake, then load them at once."""
    lake_paths = {
        name: settings.lake / name / f"list={run.list_name}" / f"{run.run_id}.parquet"
        for name in ("contacts", "windows", "rejects")
    }
    _write_contacts(staged.final, lake_paths["contacts"])
    advance(1)
    _write_windows(run, staged, window_rows, lake_paths["windows"])
    _write_rejects(run, staged, lake_paths["rejects"])
    summary = _summary(table, run, staged, lake_paths["rejects"])
    _count_changes(summary, context, staged)
    _load(settings, run, summary, lake_paths, staged.folder)
    advance(1)
    return summary


def _write_contacts(parts: list[Path], target: Path) -> None:
    """Write the partitions' final records (each sorted by record_id) as one sorted file.

    The file is then the same whatever the number of partitions. It is written in slices of
    `MERGE_SLICE_RECORDS` consecutive ids, each made of one row range of every part (found
    from the part's ids: its records are sorted) and sorted alone, so memory stays bounded
    by a slice. Row ranges rather than filters on the ids: the staged parts keep no min/max
    to skip row groups by, and a range is read without testing a value (the 5M list's merge
    of 102 parts: 38.2 -> 32.3 s, 651 -> 549 MiB). Every slice has rows (the bounds are ids
    of the parts), so at least one range is read.
    """
    scans = [pl.scan_parquet(part) for part in parts]
    if len(scans) == 1:
        io.write_parquet(scans[0], target)  # already sorted: streamed through as is
        return
    # One schema for all, as a relaxed concat gives: every slice is cast to it.
    schema = pl.concat(scans, how="diagonal_relaxed").collect_schema()
    part_ids = [scan.select("record_id").collect().to_series() for scan in scans]
    ids = pl.concat(part_ids).sort()
    if ids.is_empty():  # an append whose records the list has already: the file is empty
        io.write_parquet(pl.concat(scans, how="diagonal_relaxed"), target)
        return
    bounds = pl.Series([*ids.gather_every(MERGE_SLICE_RECORDS).to_list(), int(ids[-1]) + 1])
    del ids
    # Per part, where each slice's rows begin; a slice reads only the parts it has rows in:
    # on a list's first day one or two (each partition's new ids are one block), so a
    # slice's work does not grow with the parts.
    cuts = [sorted_cuts(ids_of_part, bounds, "final records") for ids_of_part in part_ids]
    del part_ids
    slices = (
        pl.concat(parts, how="diagonal_relaxed")
        .sort("record_id")
        .select(pl.col(name).cast(dtype) for name, dtype in schema.items())
        for parts in row_ranges(scans, cuts)
    )
    io.write_parquet_slices(slices, target)


def _write_windows(run: Run, staged: Staged, window_rows: pl.DataFrame, path: Path) -> None:
    """Write the planned windows of the keys the list's records use."""
    used = pl.DataFrame({"window_key": pl.concat(staged.used_keys).unique()})
    key_rows = window_rows.join(used, on="window_key", how="semi").with_columns(
        list_name=pl.lit(run.list_name), as_of=pl.lit(run.as_of_utc)
    )
    io.write_parquet(schemas.checked(key_rows, schemas.WindowKeyRow), path)


def _write_rejects(run: Run, staged: Staged, path: Path) -> None:
    """Every staged reject part in order, with its kind, run, list and file."""
    parts = [
        pl.scan_parquet(p).with_columns(kind=pl.lit(kind))
        for name, kind in REJECT_PARTS
        for p in staged.rejects[name]
    ]
    rejects = (
        pl.concat(parts, how="vertical")
        .with_columns(
            run_id=pl.lit(run.run_id),
            list_name=pl.lit(run.list_name),
            source_file=pl.lit(str(run.raw_copy)),
        )
        .collect()
    )
    io.write_parquet(schemas.checked(rejects, schemas.RejectedRow), path)


def _summary(table: io.RawTable, run: Run, staged: Staged, rejects_path: Path) -> IngestSummary:
    """Count the run's reconciliation: rows read = accepted + rejected (a row counted once)."""
    rejected_rows = int(
        pl.scan_parquet(rejects_path)
        .filter(pl.col("kind") == "row")
        .select(pl.col("source_row").n_unique())
        .collect()
        .item()
    )
    hashes = pl.concat(staged.hashes)
    return IngestSummary(
        run_id=run.run_id,
        list_name=run.list_name,
        status="succeeded",
        rows_read=table.rows_read,
        rows_accepted=table.rows_read - rejected_rows,
        rows_rejected=rejected_rows,
        duplicate_rows=int(hashes.len() - hashes.n_unique()),
        phone_values=staged.phone_values,
        phones_rejected=staged.phones_rejected,
        records_written=staged.records_written,
        no_call_records=staged.no_call_records,
        detected=dict(table.detected),
    )


def _count_changes(summary: IngestSummary, context: ListContext, staged: Staged) -> None:
    """Count the records a run kept, added and removed (by record id, i.e. by identity)."""
    written = summary.records_written
    if staged.removed is None:  # an append keeps every record the list had
        summary.records_kept, summary.records_added = context.records, written
        return
    summary.records_removed = staged.removed
    summary.records_kept = context.records - staged.removed
    summary.records_added = written - summary.records_kept


def _run_row(run: Run, summary: IngestSummary) -> pl.DataFrame:
    """Return the run's row of ingest_runs."""
    counts = (
        "rows_read",
        "rows_accepted",
        "rows_rejected",
        "duplicate_rows",
        "phone_values",
        "phones_rejected",
        "records_written",
        "records_kept",
        "records_added",
        "records_removed",
    )
    return pl.DataFrame(
        {
            "run_id": [run.run_id],
            "input_key": [run.input_key],
            "list_name": [run.list_name],
            "source_file": [str(run.raw_copy)],
            "original_file": [str(run.path)],
            "source_sha256": [run.sha],
            "mode": [run.mode],
            **{name: [getattr(summary, name)] for name in counts},
            "status": ["succeeded"],
            "as_of": [run.as_of_utc],
            "horizon_days": [run.horizon.days],
            "started_at": [run.started],
            "finished_at": [datetime.now(UTC)],
            "tz_release": [tzdb.release()],
        }
    )


def _load(
    settings: Settings,
    run: Run,
    summary: IngestSummary,
    lake_paths: dict[str, Path],
    staging: Path,
) -> None:
    """One transaction: the list's records, window keys, rejects and run row, or nothing.

    Replace swaps the list's records and windows; append adds records and the windows of keys
    the list lacks, keeping every existing window. New identities are registered, and the
    list's state is recomputed from the history of its record ids. DuckDB's memory is bounded
    (`Settings.warehouse_memory_mb`) so the step's peak stays flat as lists grow.
    """
    load = partial(_load_within, settings, run, summary, (lake_paths, staging))
    warehouse_memory.within_memory_bound(settings.warehouse_memory_mb, load)


def _load_within(
    settings: Settings,
    run: Run,
    summary: IngestSummary,
    paths: tuple[dict[str, Path], Path],
    megabytes: int | None,
) -> None:
    """Run the commit's transaction with DuckDB's memory bounded to `megabytes` (or not).

    `paths` are the run's lake files by name and its staging folder.
    """
    lake_paths, staging = paths
    con = warehouse.connect(settings)
    try:
        # A statement that fails within the bound rolls the transaction back; `_load` then
        # tries again without it.
        with warehouse_memory.bounded_transaction(con, megabytes):
            # The list's kept call counts may name zones its records no longer have: the
            # next statistics refresh counts its results again (steps.call_buckets).
            warehouse.delete_where(con, "call_buckets", list_name=run.list_name)
            if run.mode == "replace":
                warehouse.delete_where(con, "contact_records", list_name=run.list_name)
                warehouse.delete_where(con, "window_keys", list_name=run.list_name)
                windows_rows: pl.DataFrame | Path = lake_paths["windows"]
            else:
                windows_rows = _missing_windows(con, run.list_name, lake_paths["windows"])
            # DuckDB reads the Parquet files itself: nothing list-sized passes through Python.
            # In parallel, in any physical order (readers order with ORDER BY): nearly halves
            # the insert of a contacts file.
            with warehouse.option(con, "preserve_insertion_order", False):
                warehouse.insert(con, "contact_records", lake_paths["contacts"])
            _check_record_keys(con, run)
            low, high = chains.id_block(run.list_id)
            con.execute(
                warehouse.load_sql_statement("register_identities"),
                {"list_name": run.list_name, "low": low, "high": high},
            )
            warehouse.insert(con, "window_keys", windows_rows)
            warehouse.insert(con, "rejected_rows", lake_paths["rejects"])
            run_row = schemas.checked(_run_row(run, summary), schemas.IngestRun)
            warehouse.insert(con, "ingest_runs", run_row)
            if run.mode == "append":
                con.execute(
                    warehouse.load_sql_statement("refresh_shared_numbers"),
                    {"list_name": run.list_name, "run_id": run.run_id},
                )
            refresh_state(
                con,
                run.as_of_utc,
                run.list_name,
                defaults=StateDefaults.of(settings),
                staging=staging / "state",
            )
    finally:
        con.close()


def _check_record_keys(con: duckdb.DuckDBPyConnection, run: Run) -> None:
    """Refuse (roll back) a load that breaks the contract's keys for the list's records.

    Ids in the list's own block, `record_id` and `(chain_id, chain_n)` each once: checked
    here rather than by indexes (contact_records.sql says why). Ids are sound by
    construction; this is the guard.
    """
    low, high = chains.id_block(run.list_id)
    params: dict[str, object] = {"list_name": run.list_name, "low": low, "high": high}
    query = "record_key_conflicts"
    if run.mode == "append":  # the records the list had passed these checks at their load
        query, params["run_id"] = "appended_record_key_conflicts", run.run_id
    found = con.execute(warehouse.load_sql_statement(query), params).fetchone()
    if found is not None:
        problem, records = found
        raise CxError(f"list {run.list_name!r}: {problem} ({records:,}); nothing was loaded")


def _missing_windows(con: duckdb.DuckDBPyConnection, list_name: str, planned: Path) -> pl.DataFrame:
    """Return the planned windows of keys the list has no windows for yet (append)."""
    held = warehouse.named_frame(con, "list_window_keys", {"list_name": list_name})
    return pl.read_parquet(planned).join(held, on="window_key", how="anti")
