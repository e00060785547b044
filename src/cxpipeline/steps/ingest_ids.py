"""The serial id step of an ingest: new chain and record ids over the whole list, in key order.

New ids follow the key order of the whole list (so they do not depend on the partitions), and
numbering them sorted every new key of the list at once: 2.2 GiB at 5M rows. The keys are
numbered instead one range of chain keys at a time (ranges cut at sampled keys, about
ID_RANGE_RECORDS new records each), a range's ids following the last range's; identities
sort by chain key first, so the ranges split chains and records alike. The numbers in more
than one chain are counted alike, one hash range of numbers at a time.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cxpipeline import io
from cxpipeline.steps.common import row_count
from cxpipeline.steps.ingest_state import stage_by_part
from cxpipeline.transforms import chains

#: New records numbered at a time (the bound on the id step's memory).
ID_RANGE_RECORDS = 1_000_000
#: One key in this many is read to cut the ranges.
_SAMPLE_EVERY = 64


@dataclass(frozen=True)
class IdMaps:
    """The id maps of each partition (files of its ranges) and the shared numbers' files."""

    chain_maps: list[tuple[Path, ...]]
    record_maps: list[tuple[Path, ...]]
    shared: tuple[Path, ...]


@dataclass(frozen=True)
class NewKeys:
    """Every partition's staged new chain keys, new identities and number counts."""

    chains: list[Path]
    records: list[Path]
    numbers: list[Path]


def numbered_ids(new: NewKeys, highest: pl.LazyFrame, partitions: int, folder: Path) -> IdMaps:
    """Give the new chains and records ids after `highest`, range by range; stage the maps."""
    records = pl.scan_parquet(new.records)
    total = row_count(records)
    ranges = max(1, -(-total // ID_RANGE_RECORDS))
    bounds: list[str | None] = [None, *_cuts(records, ranges), None]
    top = highest.collect()
    chain_base, record_base = int(top["_max_chain_id"][0]), int(top["_max_record_id"][0])
    chain_maps: list[list[Path]] = [[] for _ in range(partitions)]
    record_maps: list[list[Path]] = [[] for _ in range(partitions)]
    for number, (low, high) in enumerate(itertools.pairwise(bounds)):
        keep = _between(low, high)
        base = pl.LazyFrame(
            {"_max_chain_id": [chain_base], "_max_record_id": [record_base]},
            schema={"_max_chain_id": pl.Int64, "_max_record_id": pl.Int64},
        )
        chain_map, record_map = chains.new_ids(
            pl.scan_parquet(new.chains).filter(keep), records.filter(keep), base
        )
        for maps, frame, name in (
            (chain_maps, chain_map.collect(), "chain_map"),
            (record_maps, record_map.collect(), "record_map"),
        ):
            for index, path in _split(frame, partitions, folder / name, number).items():
                maps[index].append(path)
            if name == "chain_map":
                chain_base += frame.height
            else:
                record_base += frame.height
    return IdMaps(
        [tuple(m) for m in chain_maps],
        [tuple(m) for m in record_maps],
        _shared_numbers(pl.scan_parquet(new.numbers), folder / "shared"),
    )


def _shared_numbers(numbers: pl.LazyFrame, folder: Path) -> tuple[Path, ...]:
    """Stage the numbers in more than one chain, one hash range of numbers at a time.

    The ranges follow the count of the list's numbers, not of its new records: a list's
    second day has few new records but every number again (9.1 M at 5M rows).
    """
    total = row_count(numbers)
    ranges = max(1, -(-total // ID_RANGE_RECORDS))
    return tuple(
        io.write_staged(
            chains.shared_numbers(
                numbers if ranges == 1 else numbers.filter(pl.col("e164").hash() % ranges == number)
            ).collect(),
            folder / f"range-{number:04d}.parquet",
        )
        for number in range(ranges)
    )


def _cuts(records: pl.LazyFrame, ranges: int) -> list[str]:
    """Chain keys that cut the new records into about `ranges` ranges (from a sample)."""
    if ranges == 1:
        return []
    sample = (
        records.select("chain_key")
        .gather_every(_SAMPLE_EVERY)
        .collect()
        .get_column("chain_key")
        .sort()
    )
    picks = [sample[len(sample) * k // ranges] for k in range(1, ranges)]
    return sorted(set(picks))


def _between(low: str | None, high: str | None) -> pl.Expr:
    """Keys from `low` (included) to `high` (excluded); None leaves that side open."""
    key = pl.col("chain_key")
    keep = pl.lit(True)
    if low is not None:
        keep = keep & (key >= low)
    if high is not None:
        keep = keep & (key < high)
    return keep


def _split(frame: pl.DataFrame, partitions: int, folder: Path, number: int) -> dict[int, Path]:
    """Stage one range's map split by `_part`; the first range stages every partition's file.

    So each partition has a file with the schema even when none of its keys is new.
    """
    return stage_by_part(
        frame,
        partitions,
        lambda index: folder / f"part-{index:05d}" / f"range-{number:04d}.parquet",
        every=number == 0,
    )
