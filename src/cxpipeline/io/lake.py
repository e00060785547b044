"""Lineage: a file's SHA-256 and its immutable raw copy in the lake."""

from __future__ import annotations

import hashlib
import shutil
from pathlib import Path

from cxpipeline.io.writers import atomic_path


def file_sha256(path: Path | str) -> str:
    """SHA-256 of a file, read in blocks so memory stays bounded."""
    digest = hashlib.sha256()
    with Path(path).open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def copy_raw(source: Path | str, lake: Path, sha256: str) -> Path:
    """Copy an input file once, immutable, to lake/raw/<sha256>/<name>; return the copy."""
    source = Path(source)
    target = lake / "raw" / sha256 / source.name
    if not target.exists():
        with atomic_path(target) as tmp:
            shutil.copyfile(source, tmp)
        target.chmod(0o400)  # immutable and owner-only: it holds the personal data as sent
    return target
