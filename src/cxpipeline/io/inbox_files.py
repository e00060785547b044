"""Inbox folder moves: claim files atomically, settle them in processed/ or failed/.

A file is claimed by renaming it into a work folder of the run (a rename is atomic, so two
runs never take the same file); a run that dies leaves its work folder, and the next run takes
those files back. The inbox lock keeps two runs of one inbox from interleaving.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import time
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

from cxpipeline.errors import CxError

WORK = ".work"
PROCESSED = "processed"
FAILED = "failed"
LOCK = ".inbox.lock"
#: Sidecars and rules ride with their file or stay put; they are never claimed on their own.
SIDECAR_SUFFIX = ".yaml"


@contextlib.contextmanager
def inbox_lock(inbox: Path, timeout: float) -> Iterator[None]:
    """Hold the inbox's lock for a run, waiting up to `timeout` seconds for another run."""
    inbox.mkdir(parents=True, exist_ok=True)
    fd = os.open(inbox / LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    try:
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise CxError(
                        f"another run is processing this inbox; waited {timeout:g} s",
                        file=str(inbox),
                    ) from None
                time.sleep(0.1)
        yield
    finally:
        os.close(fd)


def waiting_files(inbox: Path) -> list[Path]:
    """List the data files waiting in the inbox (not hidden, not a sidecar or rules YAML)."""
    return sorted(
        p
        for p in inbox.iterdir()
        if p.is_file() and not p.name.startswith(".") and p.suffix.lower() != SIDECAR_SUFFIX
    )


def sidecar_of(path: Path) -> Path:
    """Return the sidecar that describes a file: `<file>.yaml` next to it."""
    return path.with_name(path.name + SIDECAR_SUFFIX)


def recover(inbox: Path) -> None:
    """Put back the files a run that died left in its work folder (their sidecars too)."""
    work = inbox / WORK
    if not work.is_dir():
        return
    for folder in sorted(work.iterdir()):
        for path in sorted(folder.iterdir()):
            path.rename(inbox / path.name)
        folder.rmdir()


def claim(inbox: Path, run_id: str, path: Path) -> Path:
    """Move a waiting file (and its sidecar) into the run's work folder; return its new path."""
    work = inbox / WORK / run_id
    work.mkdir(parents=True, exist_ok=True)
    side = sidecar_of(path)
    claimed = work / path.name
    path.rename(claimed)
    if side.exists():
        side.rename(work / side.name)
    return claimed


def settle(path: Path, inbox: Path, *, reason: str | None) -> Path:
    """Move a claimed file (and sidecar) to processed/ or failed/<day>/; write the reason."""
    day = datetime.now(UTC).strftime("%Y-%m-%d")
    folder = inbox / (FAILED if reason else PROCESSED) / day
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / path.name
    if target.exists():  # the same name arrived again: keep both
        stamp = datetime.now(UTC).strftime("%H%M%S%f")
        target = folder / f"{path.stem}.{stamp}{path.suffix}"
    path.rename(target)
    side = sidecar_of(path)
    if side.exists():
        side.rename(sidecar_of(target))
    if reason:
        target.with_name(target.name + ".reason.txt").write_text(reason + "\n", encoding="utf-8")
    return target


def release(inbox: Path, run_id: str) -> None:
    """Remove the run's (now empty) work folder."""
    with contextlib.suppress(OSError):
        (inbox / WORK / run_id).rmdir()
