"""Lineage: file hashes and the immutable raw copy in the lake."""

from __future__ import annotations

import hashlib
import stat
from pathlib import Path

from cxpipeline import io


def test_raw_copy_is_stored_once_under_its_hash_and_read_only(tmp_path: Path) -> None:
    source = tmp_path / "list.csv"
    source.write_bytes(b"a,b\n1,2\n")
    digest = io.file_sha256(source)
    assert digest == hashlib.sha256(b"a,b\n1,2\n").hexdigest()
    copy = io.copy_raw(source, tmp_path / "lake", digest)
    assert copy == tmp_path / "lake" / "raw" / digest / "list.csv"
    assert copy.read_bytes() == source.read_bytes()
    assert stat.S_IMODE(copy.stat().st_mode) == 0o400
    assert io.copy_raw(source, tmp_path / "lake", digest) == copy
