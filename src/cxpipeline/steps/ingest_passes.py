"""The passes of an ingest: enrich chunk by chunk, chain the whole list, plan, shape records.

Memory follows the chunk size (plus the narrow columns of the list for the chains): every wide
frame lives for one chunk and is staged as Parquet under the run's staging folder.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path

import polars as pl

from cxpipeline import io, schemas, spec
from cxpipeline.codes import RecordType
from cxpipeline.errors import InputError
from cxpipeline.reference import abbreviations
from cxpipeline.reference import zones as reference_zones
from cxpipeline.settings import Settings
from cxpipeline.steps import ingest_chunks, ingest_commit
from cxpipeline.steps.common import int_setting
from cxpipeline.steps.ingest_chunks import Executor, InProcess
from cxpipeline.steps.ingest_state import ListContext, Run, Staged
from cxpipeline.steps.ingest_summary import IngestSummary
from cxpipeline.transforms import chains, records, suppression, windows


def staged_ingest(
    settings: Settings,
    table: io.RawTable,
    import_spec: spec.ImportSpec,
    *,
    context: ListContext,
    run: Run,
    staging: Path,
    chunk_rows: int,
    advance: Callable[[int], None],
    executor: Executor | None = None,
) -> IngestSummary:
    """Enrich in chunks, chain the whole list on narrow columns, plan, shape, then commit.

    The chunks' row-local stages run on `executor` (default: here, in order).
    """
    executor = executor or InProcess()
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be at least 1, not {chunk_rows}")
    staged = Staged(folder=staging)
    staged.add_rejects("read", 0, table.rejects)
    _enrich_pass(settings, table, import_spec, context.effective, staged, chunk_rows, executor)
    advance(1)
    ids_path = _chain_pass(settings, context, run, staged)
    window_rows = _plan_pass(settings, context, run, staged)
    advance(1)
    _shape_pass(settings, context, run, staged, ids_path, window_rows)
    check_removals(settings, context, run, staged)
    advance(1)
    return ingest_commit.commit(settings, table, context, run, staged, window_rows, advance)


def _enrich_pass(
    settings: Settings,
    table: io.RawTable,
    import_spec: spec.ImportSpec,
    effective: dict[str, object],
    staged: Staged,
    chunk_rows: int,
    executor: Executor,
) -> None:
    """Row-local stages chunk by chunk, each chunk a job (in parallel on an executor).

    Jobs run in any order and place; their results are taken in chunk order, so the staged
    records and every id derived from them are the same whatever ran them.
    """
    # Built (or read from the home's cache) once here, so workers only read the cache.
    reference_zones.zone_lookups(settings.reference_dir)
    height = int(table.frame.select(pl.len()).collect().item())
    job = partial(
        ingest_chunks.ChunkJob,
        import_spec=import_spec,
        default_country=str(effective.get("default_country") or settings.default_country),
        hours={k: effective.get(k) for k in windows.HOUR_KEYS},
        reference_dir=settings.reference_dir,
        staging=staged.folder,
    )
    # At least one chunk, so an input whose rows were all rejected while reading still runs
    # every stage (on empty frames) as a single pass would.
    jobs = [
        job(index=index, raw=table.frame.slice(offset, chunk_rows))
        for index, offset in enumerate(range(0, max(height, 1), chunk_rows))
    ]
    next_rec = 0
    for done in executor.map(ingest_chunks.enriched_chunk, jobs):
        staged.bounds.append((next_rec, next_rec + done.records))
        next_rec += done.records
        staged.records.append(done.records_path)
        for name, path in done.reject_paths.items():
            staged.rejects[name].append(path)
        staged.hashes.append(done.hashes)
        staged.keys.append(done.keys)
        staged.phone_values += done.phone_values
        staged.phones_rejected += done.phones_rejected


def _chain_pass(settings: Settings, context: ListContext, run: Run, staged: Staged) -> Path:
    """Chain ids for the whole list from a narrow scan of the staged records."""
    fallback = tuple(settings.chain_key_fallback)
    narrow = {
        "source_row",
        "phone_index",
        "contact_info_type",
        "e164",
        "extension",
        "client_id",
        *fallback,
    }
    ids = chains.chain_ids(
        pl.scan_parquet(staged.records)
        .with_row_index("_row")
        .select(pl.col("_row").cast(pl.Int64), *sorted(narrow)),
        list_id=run.list_id,
        fallback_key=fallback,
        device_priority=str(context.effective.get("device_priority") or "input"),
        existing=context.existing,
        known=context.known,
    ).select(
        pl.col("_row").alias("_rec"),
        "chain_key",
        "chain_id",
        "chain_n",
        "record_id",
        "duplicate_count",
        "shared_number",
    )
    return io.write_parquet(ids.sort("_rec").collect(), staged.folder / "ids.parquet")


def check_removals(settings: Settings, context: ListContext, run: Run, staged: Staged) -> None:
    """Refuse a replace that would remove more than the set share of a list, unless forced."""
    before = context.current_ids.height
    if run.mode != "replace" or run.force or before == 0:
        return
    after = pl.scan_parquet(staged.final).select("record_id").collect()
    removed = context.current_ids.join(after, on="record_id", how="anti").height
    if removed / before > settings.replace_max_removed_share:
        raise InputError(
            f"replace would remove {removed:,} of the {before:,} records of list "
            f"{run.list_name!r} ({removed / before:.0%} > "
            f"{settings.replace_max_removed_share:.0%}); rerun with --force to replace anyway",
            file=str(run.path),
        )


def _plan_pass(settings: Settings, context: ListContext, run: Run, staged: Staged) -> pl.DataFrame:
    """Windows planned once, over the distinct keys of the whole list (they are few)."""
    return windows.dialable_windows(
        pl.concat(staged.keys, how="vertical_relaxed").lazy(),
        context.rules.lazy(),
        run.horizon,
        default_window=(
            settings.default_window_start,
            settings.default_window_end,
            settings.default_window_zone,
        ),
        stop_margin=int_setting(
            context.effective, "stop_margin_minutes", settings.stop_margin_minutes
        ),
    ).collect()


def _shape_pass(
    settings: Settings,
    context: ListContext,
    run: Run,
    staged: Staged,
    ids_path: Path,
    window_rows: pl.DataFrame,
) -> None:
    """Per chunk: join chain ids, suppress, daily window, shape and validate the records."""
    entries = context.suppression.lazy().cast({"expires_at": pl.Datetime("us", "UTC")})
    zone_abbr = abbreviations.zone_abbreviations().lazy()
    for index, (part, (low, high)) in enumerate(zip(staged.records, staged.bounds, strict=True)):
        chunk_ids = pl.scan_parquet(ids_path).filter(
            (pl.col("_rec") >= low) & (pl.col("_rec") < high)
        )
        chained = (
            pl.scan_parquet(part)
            .with_row_index("_rec", offset=low)
            .with_columns(pl.col("_rec").cast(pl.Int64))
            .join(chunk_ids, on="_rec", how="inner")
            .drop("_rec")
            .sort("record_id")
        )
        keyed = suppression.suppressed_records(chained, entries, run.as_of_utc).collect()
        daily = windows.daily_window(
            keyed.lazy(), window_rows.lazy(), run.horizon, default_zone=settings.default_window_zone
        )
        shaped = records.calling_list_records(
            keyed.lazy(),
            daily,
            zone_abbr,
            list_name=run.list_name,
            group=str(context.effective["campaign_group"]),
            run_id=run.run_id,
            source_file=str(run.raw_copy),
        ).collect()
        final, record_rejects = schemas.validated(shaped, schemas.CallingListRecord)
        staged.add_rejects("record", index, record_rejects)
        staged.records_written += final.height
        staged.no_call_records += final.filter(
            pl.col("record_type") == int(RecordType.NO_CALL)
        ).height
        staged.used_keys.append(final.get_column("window_key").unique())
        path = staged.folder / "final" / f"part-{index:05d}.parquet"
        staged.final.append(io.write_parquet(final, path))
