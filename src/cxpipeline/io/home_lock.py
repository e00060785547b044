"""The home's write lock: one writer at a time, and readers never blocked.

DuckDB lets one process write a database file, and a read-only connection from another process
conflicts with that writer. So writers take an exclusive `flock` on HOME/.write.lock (waiting up
to a timeout), and when the last writer of a process closes, the closed, checkpointed warehouse
becomes the readers' snapshot (io.snapshot), which is all that readers open.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path

from cxpipeline.errors import CxError

LOCK_NAME = ".write.lock"

_depth = threading.local()


class HomeBusy(CxError):
    """Another step held the home's write lock for longer than the timeout (worth a retry)."""


def _acquire(home: Path, timeout: float) -> int:
    """Open the lock file and take its exclusive lock, polling until `timeout` seconds pass."""
    home.mkdir(parents=True, exist_ok=True)
    fd = os.open(home / LOCK_NAME, os.O_RDWR | os.O_CREAT, 0o600)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return fd
        except BlockingIOError:
            if time.monotonic() >= deadline:
                os.close(fd)
                raise HomeBusy(
                    f"another cxpipeline step is writing to this home; waited {timeout:g} s "
                    "(setting write_lock_timeout_seconds), try again when it has finished",
                    file=str(home),
                ) from None
            time.sleep(0.05)


@contextlib.contextmanager
def home_lock(home: Path, timeout: float) -> Iterator[bool]:
    """Hold the home's write lock (re-entrant per thread); yield True for the outermost hold."""
    held: dict[Path, tuple[int, int]] = getattr(_depth, "held", {})
    _depth.held = held
    if home in held:
        fd, depth = held[home]
        held[home] = (fd, depth + 1)
        try:
            yield False
        finally:
            held[home] = (fd, held[home][1] - 1)
        return
    fd = _acquire(home, timeout)
    held[home] = (fd, 1)
    try:
        yield True
    finally:
        del held[home]
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)


def holds_lock(home: Path) -> bool:
    """Whether this thread holds the home's write lock."""
    return home in getattr(_depth, "held", {})
