"""The passes of an ingest: enrich chunk by chunk, chain the whole list, plan, shape records.

Memory follows the chunk size (plus the narrow columns of the list for the chains): every wide
frame lives for one chunk and is staged as Parquet under the run's staging folder.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from cxpipeline import io, schemas, spec
from cxpipeline.codes import RecordType
from cxpipeline.errors import InputError
from cxpipeline.reference import abbreviations
from cxpipeline.reference import zones as reference_zones
from cxpipeline.settings import Settings
from cxpipeline.steps import ingest_commit
from cxpipeline.steps.common import int_setting
from cxpipeline.steps.ingest_state import ListContext, Run, Staged
from cxpipeline.steps.ingest_summary import IngestSummary
from cxpipeline.transforms import chains, mapping, phones, records, suppression, windows, zones


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
) -> IngestSummary:
    """Enrich in chunks, chain the whole list on narrow columns, plan, shape, then commit."""
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be at least 1, not {chunk_rows}")
    staged = Staged(folder=staging)
    staged.add_rejects("read", 0, table.rejects)
    _enrich_pass(settings, table, import_spec, context.effective, staged, chunk_rows)
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
) -> None:
    """Row-local stages chunk by chunk; records staged with a running row number `_rec`."""
    default_country = str(effective.get("default_country") or settings.default_country)
    hours = {k: effective.get(k) for k in windows.HOUR_KEYS}
    lookups = reference_zones.zone_lookups(settings.reference_dir)
    height = int(table.frame.select(pl.len()).collect().item())
    next_rec = 0
    # At least one chunk, so an input whose rows were all rejected while reading still runs
    # every stage (on empty frames) as a single pass would.
    for index, offset in enumerate(range(0, max(height, 1), chunk_rows)):
        chunk, rejects, hashes, n_values = _enriched_chunk(
            table.frame.slice(offset, chunk_rows), import_spec, default_country, hours, lookups
        )
        chunk = chunk.with_columns(
            _rec=pl.int_range(next_rec, next_rec + chunk.height, dtype=pl.Int64)
        )
        staged.bounds.append((next_rec, next_rec + chunk.height))
        next_rec += chunk.height
        part = staged.folder / "records" / f"part-{index:05d}.parquet"
        staged.records.append(io.write_parquet(chunk, part))
        for name, frame in rejects.items():
            staged.add_rejects(name, index, frame)
        staged.hashes.append(hashes)
        staged.keys.append(
            chunk.select("window_key", "tz_candidates", "states", "campaign_hours").unique(
                subset=["window_key"], keep="any"
            )
        )
        staged.phone_values += n_values
        staged.phones_rejected += rejects["phone"].height


def _enriched_chunk(
    raw: pl.LazyFrame,
    import_spec: spec.ImportSpec,
    default_country: str,
    hours: dict[str, object],
    lookups: zones.ZoneLookups,
) -> tuple[pl.DataFrame, dict[str, pl.DataFrame], pl.Series, int]:
    """Row-local stages of one chunk of input rows: map, select, validate, phones, zones.

    Returns the enriched records (with window keys), the rejects by part, the row hashes of
    the kept rows (duplicate rows are counted over the whole file) and the phone value count.
    """
    kept, excluded = mapping.selected_rows(mapping.mapped_rows(raw, import_spec), import_spec)
    kept_df = kept.collect()
    valid_rows, row_rejects = schemas.validated(kept_df, schemas.InputRow)
    values = (
        mapping.phone_values(valid_rows.lazy(), import_spec)
        .with_columns(pl.col("default_country").fill_null(default_country))
        .collect()
    )
    normalised = records.checked_phone_values(
        values, phones.normalised_phones(records.undamaged_values(values)).collect()
    )
    rows_with_phone = normalised.select("source_row").unique()
    bad_phones = normalised.filter(pl.col("phone_reject_reason").is_not_null())
    rejects = records.chunk_rejects(
        excluded.collect(),
        row_rejects,
        valid_rows.join(rows_with_phone, on="source_row", how="anti"),
        bad_phones,
    )
    attrs = valid_rows.join(rows_with_phone, on="source_row", how="semi").drop(
        list(import_spec.phone_names), strict=False
    )
    enriched = (
        normalised.filter(pl.col("phone_reject_reason").is_null())
        .lazy()
        .join(attrs.lazy(), on="source_row", how="inner")
    )
    enriched = zones.record_zones(enriched, lookups)
    # Window keys depend on a record's own zones and states only: computed here, the keys of
    # the whole list are known before the windows are planned.
    enriched = windows.window_keys(enriched, hours)
    return enriched.collect(), rejects, kept_df.get_column("row_hash"), normalised.height


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
        pl.scan_parquet(staged.records).select(pl.col("_rec").alias("_row"), *sorted(narrow)),
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
