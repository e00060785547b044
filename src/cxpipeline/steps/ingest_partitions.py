"""The per-chain stages of an ingest as jobs, one per partition of the list (whole chains).

A partition holds every record of its chains (split by a stable hash of the chain key), so
collapsing repeated numbers, known ids and chain_n are worked out per partition (`chained_part`)
and, once the new ids are numbered over the list in key order (the short serial step of
`ingest_passes`), the records are shaped per partition (`shaped_part`). Jobs read and write
under the run's staging folder and run the same here or on a Dask worker.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import polars as pl

from cxpipeline import io, schemas
from cxpipeline.codes import RecordType
from cxpipeline.reference import abbreviations
from cxpipeline.steps.common import row_count
from cxpipeline.steps.ingest_state import stage_rejects
from cxpipeline.transforms import chains, records, suppression, windows
from cxpipeline.transforms.partitions import KEY_HASH

#: Rows per row group of a partition's final records: the commit reads each part by row
#: ranges (one per slice of record ids), and small row groups let it decode only the few that
#: hold a range.
FINAL_ROW_GROUP = 10_000

#: Rows per row group of a partition's number counts: the id step reads one row range of
#: them per range of number keys, and small row groups let it decode little more than that.
NUMBER_ROW_GROUP = 10_000

#: Most rows of a partition shaped at a time (every shaping stage is per record), so memory
#: stays bounded; a chunk's partition (~186,000 records from 100,000 rows) is two slices.
SHAPE_SLICE_RECORDS = 100_000

#: The columns the per-chain stage reads from a partition's staged records.
_NARROW = ("source_row", "phone_index", "contact_info_type", "e164", "extension", "client_id")


@dataclass(frozen=True)
class ChainJob:
    """One partition's per-chain stage: its records, the list's identities of its chain keys."""

    index: int
    records: tuple[Path, ...]
    known: tuple[Path, ...]
    existing: tuple[Path, ...] | None
    fallback_key: tuple[str, ...]
    device_priority: str
    staging: Path


@dataclass(frozen=True)
class ChainDone:
    """What a partition's per-chain stage staged: its chained rows, new keys, number counts."""

    chained: Path
    new_chains: Path
    new_records: Path
    numbers: Path


def partition_rows(paths: tuple[Path, ...]) -> pl.LazyFrame:
    """Scan a partition's staged records in chunk order, numbered by `_row` (the same each time)."""
    return (
        pl.scan_parquet(list(paths))
        .with_row_index("_row")
        .with_columns(pl.col("_row").cast(pl.Int64))
    )


def chained_part(job: ChainJob) -> ChainDone:
    """Collapse, look up known ids and number the chains of one partition; stage the results."""
    rows = partition_rows(job.records)
    # The chain key's hash, when the chunks staged it (several partitions), goes along.
    narrow = sorted({*_NARROW, *job.fallback_key, *chains.key_hash_columns(rows)})
    existing = pl.scan_parquet(list(job.existing)) if job.existing is not None else None
    chained = chains.per_chain(
        rows.select("_row", *narrow),
        fallback_key=job.fallback_key,
        device_priority=job.device_priority,
        existing=existing,
        known=pl.scan_parquet(list(job.known)),
    ).collect()
    folder = job.staging / "chains"
    name = f"part-{job.index:05d}.parquet"
    part = pl.lit(job.index, dtype=pl.Int32).alias("_part")
    return ChainDone(
        chained=io.write_staged(chained, folder / "chained" / name),
        # Each with its key's hash (carried from the chunks, or computed for one partition):
        # the id step numbers new keys in hash order, one range of hashes at a time, reading
        # only the partitions whose range it overlaps.
        new_chains=io.write_staged(
            chains.with_key_hash(chains.new_chain_keys(chained.lazy()))
            .with_columns(part)
            .collect(),
            folder / "new_chains" / name,
        ),
        new_records=io.write_staged(
            chains.with_key_hash(chains.new_identities(chained.lazy()))
            .with_columns(part)
            .collect(),
            folder / "new_records" / name,
        ),
        numbers=io.write_staged(
            chains.number_chains(chained.lazy(), existing).collect(),
            folder / "numbers" / name,
            row_group_size=NUMBER_ROW_GROUP,
        ),
    )


@dataclass(frozen=True)
class ShapeJob:
    """One partition's shaping: its records and chains, the new ids, what shaping needs."""

    index: int
    records: tuple[Path, ...]
    chained: Path
    chain_map: tuple[Path, ...]
    record_map: tuple[Path, ...]
    shared: tuple[Path, ...]
    suppression: Path
    window_rows: Path
    list_name: str
    group: str
    run_id: str
    source_file: str
    as_of_utc: datetime
    horizon: windows.Horizon
    default_zone: str
    staging: Path


@dataclass(frozen=True)
class ShapeDone:
    """A partition's final records (staged slices, each sorted), record rejects and counts."""

    final: tuple[Path, ...]
    rejects: Path
    records_written: int
    no_call_records: int
    used_keys: pl.Series


def shaped_part(job: ShapeJob) -> ShapeDone:
    """Join the ids, suppress, daily window, shape and validate one partition's records.

    Every stage here is per record, so the partition is shaped in equal slices of at most
    `SHAPE_SLICE_RECORDS` rows: memory stays bounded by a slice when partitions grow (a list
    of more than MAX_PARTITIONS chunks has partitions larger than a chunk).
    """
    ids = (
        chains.with_ids(
            pl.scan_parquet(job.chained),
            pl.scan_parquet(list(job.chain_map)),
            pl.scan_parquet(list(job.record_map)),
            pl.scan_parquet(list(job.shared)),
        )
        .select(
            "_row",
            "chain_key",
            "chain_id",
            "chain_n",
            "record_id",
            "duplicate_count",
            "shared_number",
        )
        .collect()
    )
    rows = partition_rows(job.records).drop(KEY_HASH, strict=False)
    height = max(row_count(rows), 1)
    # Slices of equal size; one at least: an empty partition still stages its (empty) records
    # with the schema.
    size = -(-height // -(-height // SHAPE_SLICE_RECORDS))
    shaped = [
        _shaped_slice(job, rows.slice(offset, size), ids, number)
        for number, offset in enumerate(range(0, height, size))
    ]
    return ShapeDone(
        final=tuple(path for path, _, _, _ in shaped),
        rejects=stage_rejects(
            job.staging, "record", job.index, pl.concat([rejects for _, rejects, _, _ in shaped])
        ),
        records_written=sum(written for _, _, (written, _), _ in shaped),
        no_call_records=sum(no_call for _, _, (_, no_call), _ in shaped),
        used_keys=pl.concat([keys for _, _, _, keys in shaped]).unique(),
    )


def _shaped_slice(
    job: ShapeJob, rows: pl.LazyFrame, ids: pl.DataFrame, number: int
) -> tuple[Path, pl.DataFrame, tuple[int, int], pl.Series]:
    """Shape one slice of a partition's rows; stage its records sorted by record_id.

    Returns the staged path, the record rejects, (records written, No Call records) and the
    window keys the records use.
    """
    chained = rows.join(ids.lazy(), on="_row", how="inner").drop("_row").sort("record_id")
    entries = pl.scan_parquet(job.suppression).cast({"expires_at": pl.Datetime("us", "UTC")})
    keyed = suppression.suppressed_records(chained, entries, job.as_of_utc).collect()
    daily = windows.daily_window(
        keyed.lazy(),
        pl.scan_parquet(job.window_rows),
        job.horizon,
        default_zone=job.default_zone,
    )
    shaped = records.calling_list_records(
        keyed.lazy(),
        daily,
        abbreviations.zone_abbreviations().lazy(),
        list_name=job.list_name,
        group=job.group,
        run_id=job.run_id,
        source_file=job.source_file,
    ).collect()
    del keyed  # the wide slice is held twice at most: shaped and its sorted copy
    # Joins keep no row order: sorted here, the slices merge into one sorted contacts file.
    final, record_rejects = schemas.validated(shaped.sort("record_id"), schemas.CallingListRecord)
    del shaped
    name = f"part-{job.index:05d}-{number:04d}.parquet"
    path = io.write_staged(final, job.staging / "final" / name, row_group_size=FINAL_ROW_GROUP)
    no_call = final.filter(pl.col("record_type") == int(RecordType.NO_CALL)).height
    return path, record_rejects, (final.height, no_call), final.get_column("window_key").unique()
