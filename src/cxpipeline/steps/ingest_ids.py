"""The serial id step of an ingest: new chain and record ids over the whole list, in key order.

New ids follow the key order of the whole list, (the chain key's stable hash, the key), so
they do not depend on the partitions; numbering them sorted every new key of the list at
once: 2.2 GiB at 5M rows. The keys are numbered instead one range of hashes at a time (equal
ranges of the hash space, about ID_RANGE_RECORDS new records each: the hash spreads keys
evenly), a range's ids following the last range's; a range reads only the partitions (ranges
of the same hash) it overlaps. Identities sort by the hash first, so the ranges split chains
and records alike. The numbers in more than one chain are counted alike, one range of
number keys at a time, each a row range of every partition's sorted counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import polars as pl

from cxpipeline import io
from cxpipeline.steps.common import row_count, row_ranges, sorted_cuts
from cxpipeline.steps.ingest_state import stage_by_part
from cxpipeline.transforms import chains
from cxpipeline.transforms.partitions import KEY_HASH, hash_range

#: New records numbered at a time, about (the bound on the id step's memory).
ID_RANGE_RECORDS = 1_000_000


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
    total = row_count(pl.scan_parquet(new.records))
    ranges = max(1, -(-total // ID_RANGE_RECORDS))
    top = highest.collect()
    chain_base, record_base = int(top["_max_chain_id"][0]), int(top["_max_record_id"][0])
    chain_maps: list[list[Path]] = [[] for _ in range(partitions)]
    record_maps: list[list[Path]] = [[] for _ in range(partitions)]
    held = [hash_range(index, partitions) for index in range(partitions)]
    for number in range(ranges):
        low, high = hash_range(number, ranges)  # the ranges cut the hashes as partitions do
        # A range of hashes lies in the partitions whose ranges it overlaps: only theirs are read.
        overlapping = [index for index, (lo, hi) in enumerate(held) if low < hi and lo < high]
        keep = pl.col(KEY_HASH).is_between(low, high, closed="left")
        base = pl.LazyFrame(
            {"_max_chain_id": [chain_base], "_max_record_id": [record_base]},
            schema={"_max_chain_id": pl.Int64, "_max_record_id": pl.Int64},
        )
        chain_map, record_map = chains.new_ids(
            pl.scan_parquet([new.chains[i] for i in overlapping]).filter(keep),
            pl.scan_parquet([new.records[i] for i in overlapping]).filter(keep),
            base,
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
        _shared_numbers(new.numbers, folder / "shared"),
    )


def _shared_numbers(numbers: list[Path], folder: Path) -> tuple[Path, ...]:
    """Stage the numbers in more than one chain, one range of number keys at a time.

    The ranges follow the count of the list's numbers, not of its new records: a list's
    second day has few new records but every number again (9.1 M at 5M rows). Each
    partition's counts are sorted by `chains.NUMBER_KEY`, so a range is one row range of
    each (found by a binary search of its keys): every count is read once, not once a range.
    """
    scans = [pl.scan_parquet(path) for path in numbers]
    total = row_count(pl.scan_parquet(numbers))
    ranges = max(1, -(-total // ID_RANGE_RECORDS))
    bounds = pl.Series([chains.NUMBER_SPACE * number // ranges for number in range(ranges + 1)])
    cuts = [
        sorted_cuts(scan.select(chains.NUMBER_KEY).collect().to_series(), bounds, "number counts")
        for scan in scans
    ]
    return tuple(
        io.write_staged(
            chains.shared_numbers(pl.concat(parts) if parts else scans[0].clear()).collect(),
            folder / f"range-{number:04d}.parquet",
        )
        for number, parts in enumerate(row_ranges(scans, cuts))
    )


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
