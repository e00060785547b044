"""What an ingest carries between its passes: the run, the list's context, staged files."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from cxpipeline import io
from cxpipeline.rejects import reject_frame
from cxpipeline.transforms import windows

#: Reject parts in the order the rejects file lists them, with their kind.
REJECT_PARTS: tuple[tuple[str, str], ...] = (
    ("read", "row"),
    ("excluded", "row"),
    ("invalid", "row"),
    ("no_phone", "row"),
    ("phone", "phone"),
    ("record", "record"),
)


@dataclass(frozen=True)
class Run:
    """What identifies one ingest run (passed between its staged passes)."""

    run_id: str
    input_key: str
    list_name: str
    list_id: int
    mode: str
    force: bool
    path: Path
    raw_copy: Path
    sha: str
    as_of_utc: datetime
    horizon: windows.Horizon
    started: datetime


@dataclass(frozen=True)
class ListContext:
    """What the warehouse holds for the run: list id, settings, sizes, suppression, rules."""

    list_id: int
    effective: dict[str, object]
    #: Rows of the list's identity registry and of its current records (the rows themselves
    #: are staged after the enrich pass, for the file's keys: `ingest_passes.list_rows`).
    identities: int
    records: int
    #: One row: the list's highest chain_id and record_id ever (null when it has none).
    highest: pl.LazyFrame
    #: The list's current record ids, a scan of a staged file (a replace's removals; an
    #: append removes none: None).
    current_ids: pl.LazyFrame | None
    suppression: pl.DataFrame
    rules: pl.DataFrame


@dataclass(frozen=True)
class ListRows:
    """What the chain pass reads of the list: identities and (append) records, staged scans."""

    known: pl.LazyFrame
    existing: pl.LazyFrame | None


@dataclass
class Staged:
    """What the passes left behind under the staging folder, and the counts they keep."""

    folder: Path
    #: The list's partitions by chain key: each one's staged record parts, in chunk order.
    partitions: int = 1
    parts: dict[int, list[Path]] = field(default_factory=dict)
    rejects: dict[str, list[Path]] = field(
        default_factory=lambda: {name: [] for name, _kind in REJECT_PARTS}
    )
    hashes: list[pl.Series] = field(default_factory=list)
    keys: list[pl.DataFrame] = field(default_factory=list)
    final: list[Path] = field(default_factory=list)
    used_keys: list[pl.Series] = field(default_factory=list)
    #: Records the enrich pass staged (before collapsing repeated numbers).
    records: int = 0
    phone_values: int = 0
    phones_rejected: int = 0
    #: Records of the list a replace removes (`ingest_passes.check_removals`; None: append).
    removed: int | None = None
    records_written: int = 0
    no_call_records: int = 0

    def add_rejects(self, name: str, index: int, frame: pl.DataFrame) -> None:
        """Stage one part's rejects of one chunk."""
        self.rejects[name].append(stage_rejects(self.folder, name, index, frame))


def stage_rejects(folder: Path, name: str, index: int, frame: pl.DataFrame) -> Path:
    """Write one part's rejects of one chunk under a run's staging folder; return the path."""
    return io.write_staged(reject_frame(frame), folder / "rejects" / f"{name}-{index:05d}.parquet")


def stage_by_part(
    frame: pl.DataFrame, partitions: int, target: Callable[[int], Path], *, every: bool
) -> dict[int, Path]:
    """Write a frame with `_part` as one staged file per partition; return the paths by index.

    One pass splits it (rows keep their order within a partition). Partitions without rows
    get an empty file with the schema when `every` (so each partition has one), else none.
    """
    by_part = frame.partition_by("_part", as_dict=True, include_key=False)
    empty = frame.drop("_part").clear()
    paths: dict[int, Path] = {}
    for index in range(partitions):
        part = by_part.pop((index,), None)
        if part is None and not every:
            continue
        paths[index] = io.write_staged(empty if part is None else part, target(index))
    return paths
