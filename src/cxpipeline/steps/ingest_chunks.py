"""One chunk of an ingest as a job: row-local stages, staged as Parquet, small results back.

A job carries what it needs (the slice to read, the import spec, the list's defaults and the
home's reference cache) and writes its records and rejects under the run's staging folder, so
it runs the same in this process or on a Dask worker that sees the same files (scale-out,
docs/architecture.md). Its records are split by a stable hash of their chain key into the
list's partitions (`records/part=P/chunk-C.parquet`), so no chain spans two partitions.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import polars as pl

from cxpipeline import io, schemas, spec
from cxpipeline.reference import phone_caches
from cxpipeline.reference import zones as reference_zones
from cxpipeline.steps.ingest_state import stage_by_part, stage_rejects
from cxpipeline.transforms import chains, mapping, partitions, phones, records, windows, zones
from cxpipeline.transforms.partitions import KEY_HASH


class Executor(Protocol):
    """Anything with an ordered `map` (the builtin, or `distributed.Client.get_executor()`)."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        """Apply fn to every item and return the results in order."""


class InProcess:
    """Run every job here, one after the other."""

    def map(self, fn: Callable[..., Any], *iterables: Iterable[Any]) -> Iterator[Any]:
        """Apply fn to every item in order."""
        return map(fn, *iterables)


@dataclass(frozen=True)
class ChunkJob:
    """One chunk of input rows and what its row-local stages need."""

    index: int
    raw: pl.LazyFrame
    import_spec: spec.ImportSpec
    default_country: str
    hours: dict[str, object]
    reference_dir: Path
    staging: Path
    fallback_key: tuple[str, ...] = ("last_name", "postal_code")
    partitions: int = 1


@dataclass(frozen=True)
class ChunkDone:
    """What a chunk left under the staging folder, and its small results."""

    records: int
    #: The chunk's records of each partition it has rows in (the first chunk: every partition).
    parts: dict[int, Path]
    reject_paths: dict[str, Path]
    hashes: pl.Series
    keys: pl.DataFrame
    phone_values: int
    phones_rejected: int


def enriched_chunk(job: ChunkJob) -> ChunkDone:
    """Run the row-local stages of one chunk and stage its records and rejects as Parquet."""
    lookups = reference_zones.zone_lookups(job.reference_dir)
    with phone_caches.held(job.reference_dir, throttled=True):
        chunk, rejects, hashes, n_values = _enriched(
            job.raw, job.import_spec, job.default_country, job.hours, lookups
        )
    reject_paths = {
        name: stage_rejects(job.staging, name, job.index, frame) for name, frame in rejects.items()
    }
    return ChunkDone(
        records=chunk.height,
        parts=_partition_parts(chunk, job),
        reject_paths=reject_paths,
        hashes=hashes,
        keys=chunk.select("window_key", "tz_candidates", "states", "campaign_hours").unique(
            subset=["window_key"], keep="any"
        ),
        phone_values=n_values,
        phones_rejected=rejects["phone"].height,
    )


def _partition_parts(chunk: pl.DataFrame, job: ChunkJob) -> dict[int, Path]:
    """Write the chunk's records split by the partition of their chain key; return the paths.

    The first chunk writes every partition, empty or not, so each has a part with the schema.
    The split copies the chunk once (each part is written, then dropped), so memory stays
    near two chunks.
    """
    if job.partitions == 1:
        return {0: io.write_staged(chunk, _part_path(job, 0))}
    hashes = (
        partitions.with_stable_hash(
            chunk.lazy().select(_chain_key=chains.chain_keys(chunk.lazy(), job.fallback_key)),
            "_chain_key",
            KEY_HASH,
        )
        .select(KEY_HASH)
        .collect()
        .to_series()
    )
    # The hash is staged with the records: the id step numbers new keys in its order, and
    # a partition's per-chain stage would otherwise compute it again for its new keys.
    return stage_by_part(
        chunk.with_columns(hashes).with_columns(
            _part=partitions.part_of_hash(pl.col(KEY_HASH), job.partitions)
        ),
        job.partitions,
        lambda index: _part_path(job, index),
        every=job.index == 0,
    )


def _part_path(job: ChunkJob, index: int) -> Path:
    """Where the chunk's records of partition `index` are staged."""
    return job.staging / "records" / f"part={index:05d}" / f"chunk-{job.index:05d}.parquet"


def _enriched(
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
