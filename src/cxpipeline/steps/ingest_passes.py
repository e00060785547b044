"""The passes of an ingest: enrich in chunks, chain and shape per partition, one serial id step.

Chunks of input rows run their row-local stages and split their records by a stable hash of
the chain key into the list's partitions (no chain spans two). Each partition runs the
per-chain stage; new chain and record ids are numbered once over the whole list in key order
(the short serial step, narrow columns of the new keys only), so the ids do not depend on the
number of partitions or on what ran them; then each partition is shaped. Chunk and partition
jobs run on an executor (here, or on a Dask cluster); memory follows the chunk size.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable, Iterable, Iterator
from functools import partial
from pathlib import Path

import polars as pl

from cxpipeline import io, spec, warehouse, warehouse_files
from cxpipeline.errors import InputError
from cxpipeline.reference import phone_caches
from cxpipeline.reference import zones as reference_zones
from cxpipeline.settings import Settings
from cxpipeline.steps import ingest_chunks, ingest_commit, ingest_ids, ingest_partitions
from cxpipeline.steps.common import int_setting, row_count
from cxpipeline.steps.ingest_chunks import Executor, InProcess
from cxpipeline.steps.ingest_partitions import ChainDone
from cxpipeline.steps.ingest_state import ListContext, ListRows, Run, Staged, stage_by_part
from cxpipeline.steps.ingest_summary import IngestSummary
from cxpipeline.transforms import chains, partitions, windows

#: Partitions when none are asked for: one per chunk, at most this many.
MAX_PARTITIONS = 64


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
    partitions: int | None = None,
) -> IngestSummary:
    """Enrich in chunks, chain and shape per partition (ids numbered once), then commit.

    Chunk and partition jobs run on `executor` (default: here, in order); `partitions` (by
    default one per chunk, at most MAX_PARTITIONS) changes nothing in the output.
    """
    executor = executor or InProcess()
    if chunk_rows < 1:
        raise InputError(f"chunk_rows must be at least 1, not {chunk_rows}")
    if partitions is not None and partitions < 1:
        raise InputError(f"partitions must be at least 1, not {partitions}")
    staged = Staged(folder=staging)
    staged.add_rejects("read", 0, table.rejects)
    _enrich_pass(
        settings, table, import_spec, context.effective, staged, (chunk_rows, partitions), executor
    )
    advance(1)
    window_rows = _plan_pass(settings, context, run, staged)
    rows = list_rows(settings, context, run, staged)
    chained = _chain_pass(settings, context, rows, staged, executor)
    ids = _id_pass(context, run, staged, chained)
    advance(1)
    _shape_pass(settings, context, run, staged, (chained, ids, window_rows), executor)
    check_removals(settings, context, run, staged)
    advance(1)
    return ingest_commit.commit(settings, table, context, run, staged, window_rows, advance)


#: Rows of a list's staged identities (or records, in an append) split at a time.
CONTEXT_SLICE_ROWS = 1_000_000
#: A list's identities (or records, in an append) beyond this many per record of the file are
#: cut to the rows of the file's own chain keys and numbers before the chain pass.
CONTEXT_ROWS_PER_RECORD = 2


def _enrich_pass(
    settings: Settings,
    table: io.RawTable,
    import_spec: spec.ImportSpec,
    effective: dict[str, object],
    staged: Staged,
    sizes: tuple[int, int | None],
    executor: Executor,
) -> None:
    """Row-local stages chunk by chunk, each chunk a job (in parallel on an executor).

    `sizes` is (chunk rows, partitions asked or None): by default one partition per chunk, at
    most MAX_PARTITIONS. Jobs run in any order and place; their results are taken in chunk
    order, so every partition lists its parts in chunk order.
    """
    chunk_rows, asked = sizes
    # Built (or read from the home's cache) once here, so workers only read the cache.
    reference_zones.zone_lookups(settings.reference_dir)
    height = row_count(table.frame)
    # At least one chunk, so an input whose rows were all rejected while reading still runs
    # every stage (on empty frames) as a single pass would.
    # Chunks of equal size (at most chunk_rows): 102,000 rows are two of 51,000, not one of
    # 100,000 and a sliver of 2,000 that costs a chunk and a partition for little work.
    rows = max(height, 1)
    count = -(-rows // chunk_rows)
    size = -(-rows // count)
    offsets = range(0, rows, size)
    staged.partitions = asked or min(len(offsets), MAX_PARTITIONS)
    job = partial(
        ingest_chunks.ChunkJob,
        import_spec=import_spec,
        default_country=str(effective.get("default_country") or settings.default_country),
        hours={k: effective.get(k) for k in windows.HOUR_KEYS},
        reference_dir=settings.reference_dir,
        staging=staged.folder,
        fallback_key=tuple(settings.chain_key_fallback),
        partitions=staged.partitions,
    )
    # In this process a generator: one chunk's rows are read at a time. Elsewhere a list of
    # slices, read where the jobs run (Dask maps over sequences only).
    jobs: Iterable[ingest_chunks.ChunkJob] = (
        job(index=index, raw=raw)
        for index, raw in enumerate(_chunk_rows(table, offsets, size, executor))
    )
    if not isinstance(executor, InProcess):
        jobs = list(jobs)
    for done in executor.map(ingest_chunks.enriched_chunk, jobs):
        for index, path in done.parts.items():
            staged.parts.setdefault(index, []).append(path)
        for name, path in done.reject_paths.items():
            staged.rejects[name].append(path)
        staged.hashes.append(done.hashes)
        staged.keys.append(done.keys)
        staged.records += done.records
        staged.phone_values += done.phone_values
        staged.phones_rejected += done.phones_rejected
    # What the chunks run here learnt and did not keep yet (Dask workers keep theirs as
    # they go: their last few answers are asked again by a later process).
    phone_caches.keep(settings.reference_dir)


def _chunk_rows(
    table: io.RawTable, offsets: range, size: int, executor: Executor
) -> Iterator[pl.LazyFrame]:
    """Return the input's rows chunk by chunk: slices of its frame, or its batches if it has.

    A Parquet file (`RawTable.batches`) is read in batches when the chunks run here: a slice
    of its scan decodes the whole row group it falls in (a 2M-row file in one row group: 0.25 s
    a slice, the ingest 67 s and 1,069 MiB against 57 s and 857 MiB in batches). Jobs on
    another executor carry slices, read where they run.
    """
    if table.batches is None or not isinstance(executor, InProcess):
        return (table.frame.slice(offset, size) for offset in offsets)
    return (batch.lazy() for batch in table.batches(size))


def _chain_pass(
    settings: Settings, context: ListContext, rows: ListRows, staged: Staged, executor: Executor
) -> list[ChainDone]:
    """Run the per-chain stage, one job per partition, with the list's rows split alike."""
    known = _split(rows.known, staged, "known")
    existing: list[tuple[Path, ...] | None] = [None] * staged.partitions
    if rows.existing is not None:
        existing = list(_split(rows.existing, staged, "existing"))
    jobs = [
        ingest_partitions.ChainJob(
            index=index,
            records=tuple(staged.parts[index]),
            known=known[index],
            existing=existing[index],
            fallback_key=tuple(settings.chain_key_fallback),
            device_priority=str(context.effective.get("device_priority") or "input"),
            staging=staged.folder,
        )
        for index in range(staged.partitions)
    ]
    return list(executor.map(ingest_partitions.chained_part, jobs))


def list_rows(settings: Settings, context: ListContext, run: Run, staged: Staged) -> ListRows:
    """Stage what the chain pass reads of the list: its identities and (append) records.

    The chain pass reads whole chains of the file's keys only. When the list holds more than
    CONTEXT_ROWS_PER_RECORD rows per record of the file, only those of the file's chain keys
    (and, of an append's records, of its numbers) are staged: an append of 50,000 customers
    to a 5M list stages its own customers' rows, not the list's 9.3 M.
    """
    held = max(context.identities, context.records if run.mode == "append" else 0)
    queries = ["list_identities", *(["existing_records"] if run.mode == "append" else [])]
    relations: dict[str, pl.DataFrame] = {}
    if held > CONTEXT_ROWS_PER_RECORD * max(staged.records, 1):
        queries = [f"{name}_of_keys" for name in queries]
        records = pl.scan_parquet([path for paths in staged.parts.values() for path in paths])
        fallback = tuple(settings.chain_key_fallback)
        relations = {
            "_file_keys": records.select(chain_key=chains.chain_keys(records, fallback))
            .unique()
            .collect(),
            "_file_numbers": records.select("e164").unique().collect(),
        }
    folder = staged.folder / "context"
    con = warehouse.connect(settings)
    try:
        with contextlib.ExitStack() as stack:
            for name, frame in relations.items():
                stack.enter_context(warehouse.registered(con, name, frame))
            paths = [
                warehouse_files.bounded_staged_query(
                    con,
                    name,
                    {"list_name": run.list_name},
                    folder / f"{name}.parquet",
                    settings.warehouse_memory_mb,
                )
                for name in queries
            ]
    finally:
        con.close()
    scans = [pl.scan_parquet(path) for path in paths]
    return ListRows(known=scans[0], existing=scans[1] if len(scans) > 1 else None)


def _id_pass(
    context: ListContext, run: Run, staged: Staged, chained: list[ChainDone]
) -> ingest_ids.IdMaps:
    """Assign ids to the new chains and records of the whole list in key order (serial step).

    Over the new keys only (narrow), after the highest ids the list ever had, in bounded
    ranges of keys; also the numbers in more than one chain (`steps.ingest_ids`).
    """
    return ingest_ids.numbered_ids(
        ingest_ids.NewKeys(
            chains=[done.new_chains for done in chained],
            records=[done.new_records for done in chained],
            numbers=[done.numbers for done in chained],
        ),
        chains.highest_ids(context.highest, None, run.list_id),
        staged.partitions,
        staged.folder / "ids",
    )


def _split(frame: pl.LazyFrame, staged: Staged, name: str) -> list[tuple[Path, ...]]:
    """Stage a context scan split by the partition of its chain key; each partition's files.

    A slice of CONTEXT_SLICE_ROWS rows at a time (a 5M-row list has 9.3 M identities), so
    memory holds one slice; a partition gets a file per slice it has rows in, and one from
    the first slice in any case (with the schema).
    """
    folder = staged.folder / "ids" / name
    files: list[list[Path]] = [[] for _ in range(staged.partitions)]
    for number, offset in enumerate(range(0, max(row_count(frame), 1), CONTEXT_SLICE_ROWS)):

        def target(index: int, number: int = number) -> Path:
            return folder / f"part-{index:05d}" / f"slice-{number:04d}.parquet"

        rows = partitions.partitioned(
            frame.slice(offset, CONTEXT_SLICE_ROWS), "chain_key", staged.partitions
        ).collect()
        for index, path in stage_by_part(
            rows, staged.partitions, target, every=number == 0
        ).items():
            files[index].append(path)
    return [tuple(paths) for paths in files]


def check_removals(settings: Settings, context: ListContext, run: Run, staged: Staged) -> None:
    """Count the records a replace removes (`staged.removed`); refuse too many unless forced.

    More than `Settings.replace_max_removed_share` of the list is refused. An append removes
    none (its count stays None).
    """
    if context.current_ids is None:
        return
    after = pl.scan_parquet(staged.final).select("record_id")
    staged.removed = row_count(context.current_ids.join(after, on="record_id", how="anti"))
    before = context.records
    if run.force or before == 0:
        return
    if staged.removed / before > settings.replace_max_removed_share:
        raise InputError(
            f"replace would remove {staged.removed:,} of the {before:,} records of list "
            f"{run.list_name!r} ({staged.removed / before:.0%} > "
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
    inputs: tuple[list[ChainDone], ingest_ids.IdMaps, pl.DataFrame],
    executor: Executor,
) -> None:
    """Per partition: join the ids, suppress, daily window, shape and validate the records."""
    chained, ids, window_rows = inputs
    job = partial(
        ingest_partitions.ShapeJob,
        shared=ids.shared,
        suppression=io.write_staged(context.suppression, staged.folder / "suppression.parquet"),
        window_rows=io.write_staged(window_rows, staged.folder / "windows.parquet"),
        list_name=run.list_name,
        group=str(context.effective["campaign_group"]),
        run_id=run.run_id,
        source_file=str(run.raw_copy),
        as_of_utc=run.as_of_utc,
        horizon=run.horizon,
        default_zone=settings.default_window_zone,
        staging=staged.folder,
    )
    jobs = [
        job(
            index=index,
            records=tuple(staged.parts[index]),
            chained=chained[index].chained,
            chain_map=ids.chain_maps[index],
            record_map=ids.record_maps[index],
        )
        for index in range(staged.partitions)
    ]
    for done in executor.map(ingest_partitions.shaped_part, jobs):
        staged.final.extend(done.final)
        staged.rejects["record"].append(done.rejects)
        staged.records_written += done.records_written
        staged.no_call_records += done.no_call_records
        staged.used_keys.append(done.used_keys)
