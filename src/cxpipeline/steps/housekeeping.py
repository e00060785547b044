"""Housekeeping: remove what an interrupted writing step left behind, under the write lock.

A kill can strike between any two writes of an ingest. Everything the warehouse does not know
is garbage: staging folders, half-written temporary files, lake files of runs that have no
`ingest_runs` row, and a contact list the interrupted run created (noted in a journal before it
is created) that no run, record or identity refers to. Every writing step that leaves files
runs `collect` before it starts and after it fails, holding the home's write lock; a step that
succeeded left none of these (its list is in use: `forget_new_list` drops its journal entry),
so with no journal entry and no staging folder `collect` does not open the warehouse.
"""

from __future__ import annotations

import contextlib
import hashlib
import shutil
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cxpipeline import io, warehouse
from cxpipeline.settings import Settings

#: Datasets of the lake written per run as lake/<dataset>/list=<name>/<run_id>.parquet.
RUN_DATASETS = ("contacts", "windows", "rejects")
JOURNAL = ".pending_lists"


def note_new_list(settings: Settings, list_name: str) -> Path:
    """Journal that a run may create `list_name` now (so a kill cannot leave it behind)."""
    entry = _journal_entry(settings, list_name)
    stamp = datetime.now(UTC).isoformat()
    return io.write_text(f"{stamp}\n{list_name}\n", entry)


def forget_new_list(settings: Settings, list_name: str) -> None:
    """Remove `list_name`'s journal entry: a run that succeeded created a list in use."""
    _journal_entry(settings, list_name).unlink(missing_ok=True)


def _journal_entry(settings: Settings, list_name: str) -> Path:
    """Return the journal file of `list_name`."""
    digest = hashlib.sha256(list_name.encode()).hexdigest()[:16]
    return settings.home / JOURNAL / f"{digest}.txt"


@contextlib.contextmanager
def staging_folder(settings: Settings, name: str) -> Iterator[Path]:
    """Yield the empty folder `lake/staging/<name>` and remove it whatever happens.

    Call under the write lock: `collect` clears every staging folder it finds.
    """
    staging = settings.lake / "staging" / name
    shutil.rmtree(staging, ignore_errors=True)
    try:
        yield staging
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        with contextlib.suppress(OSError):
            staging.parent.rmdir()  # only when nothing else is staging


def _temporary_files(settings: Settings) -> list[Path]:
    """Temporary files of atomic writes and snapshots that never got renamed."""
    lake = list(settings.lake.rglob(".*.tmp")) if settings.lake.exists() else []
    readers = settings.home / ".readers"
    return lake + (list(readers.glob(".snapshot.*.tmp")) if readers.exists() else [])


def _orphan_run_files(settings: Settings, known: set[str]) -> list[Path]:
    """Lake files of runs that the warehouse has no ingest_runs row for."""
    return [
        path
        for dataset in RUN_DATASETS
        for path in (settings.lake / dataset).glob("list=*/*.parquet")
        if path.stem not in known
    ]


def collect(settings: Settings) -> dict[str, int]:
    """Remove staging, temporary files, orphan run files and lists of interrupted runs."""
    removed = {"staging": 0, "temporary": 0, "run_files": 0, "lists": 0}
    if not settings.warehouse_path.exists():
        return removed
    staging = settings.lake / "staging"
    interrupted = staging.exists()
    if interrupted:
        removed["staging"] = sum(1 for _ in staging.iterdir())
        shutil.rmtree(staging, ignore_errors=True)
    for path in _temporary_files(settings):
        path.unlink(missing_ok=True)
        removed["temporary"] += 1
    journal = sorted((settings.home / JOURNAL).glob("*.txt"))
    if not (journal or interrupted):
        # A run notes itself in the journal before it writes a lake file and keeps the entry
        # until it succeeds: with no entry and no staging, no run has left files or a list
        # behind, and the warehouse need not be opened (a connection, and every run id read).
        return removed
    con = warehouse.connect(settings)
    try:
        known = set(warehouse.named_frame(con, "ingest_run_ids")["run_id"].to_list())
        for entry in journal:
            stamp, name = entry.read_text(encoding="utf-8").splitlines()[:2]
            before = warehouse.scalar(con, "SELECT count(*) FROM contact_lists")
            con.execute(
                warehouse.load_sql_statement("drop_unused_list"),
                {"list_name": name, "since": datetime.fromisoformat(stamp)},
            )
            removed["lists"] += int(
                before - warehouse.scalar(con, "SELECT count(*) FROM contact_lists")
            )
            entry.unlink()
    finally:
        con.close()
    for path in _orphan_run_files(settings, known):
        path.unlink(missing_ok=True)
        removed["run_files"] += 1
    return removed
