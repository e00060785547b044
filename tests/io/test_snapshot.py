"""The readers' snapshot: the spare is patched in when no reader holds it, copied otherwise."""

import os
import shutil
from pathlib import Path

import duckdb
import pytest

from cxpipeline import warehouse
from cxpipeline.io import snapshot
from cxpipeline.settings import Settings


def test_patch_file_rewrites_only_the_blocks_that_differ_and_cuts_to_size(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "PATCH_CHUNK", 4)
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(b"aaaabbbbccccdd")
    target.write_bytes(b"aaaaBBBBccccDDDDeeee")
    assert snapshot.patch_file(source, target) == 4 + 2
    assert target.read_bytes() == source.read_bytes()
    assert snapshot.patch_file(source, target) == 0
    source.write_bytes(b"aaaabbbbccccddxyzw")  # grown
    assert snapshot.patch_file(source, target) == 4 + 2
    assert target.read_bytes() == source.read_bytes()


def _write(settings: Settings, value: str) -> None:
    """One writer that changes the warehouse (and so publishes the snapshot on close)."""
    con = warehouse.connect(settings)
    con.execute("CREATE OR REPLACE TABLE note AS SELECT ? AS v", [value])
    con.close()


def _inode(path: Path) -> int:
    return path.stat().st_ino


@pytest.fixture
def home(tmp_path, monkeypatch) -> Settings:
    """A home whose former snapshots may be rewritten at once (no rest)."""
    monkeypatch.setattr(snapshot, "SPARE_REST_S", 0.0)
    settings = Settings.build(tmp_path / "home")
    _write(settings, "first")
    return settings


def test_a_spare_no_reader_holds_is_patched_into_the_next_snapshot(home):
    current = snapshot.snapshot_path(home.warehouse_path)
    spare = snapshot.spare_path(home.warehouse_path)
    first = _inode(current)
    _write(home, "second")  # no spare yet: a whole copy, the first snapshot becomes the spare
    second = _inode(current)
    assert second != first and _inode(spare) == first
    _write(home, "third")
    assert _inode(current) == first and _inode(spare) == second
    assert current.read_bytes() == home.warehouse_path.read_bytes()
    assert current.stat().st_mode & 0o077 == 0
    with warehouse.connect(home, read_only=True) as reader:
        assert reader.execute("SELECT v FROM note").fetchall() == [("third",)]


def test_a_spare_a_reader_still_holds_is_left_alone(home):
    current = snapshot.snapshot_path(home.warehouse_path)
    first = _inode(current)
    with warehouse.connect(home, read_only=True) as reader:
        _write(home, "second")  # the reader's file becomes the spare
        _write(home, "third")  # it is still open there: the new snapshot is a whole copy
        assert _inode(current) != first
        assert _inode(snapshot.spare_path(home.warehouse_path)) != first
        assert reader.execute("SELECT v FROM note").fetchall() == [("first",)]
    with warehouse.connect(home, read_only=True) as later:
        assert later.execute("SELECT v FROM note").fetchall() == [("third",)]


def test_a_spare_that_has_not_rested_is_not_rewritten(home, monkeypatch):
    monkeypatch.setattr(snapshot, "SPARE_REST_S", 3600.0)
    _write(home, "second")
    resting = _inode(snapshot.spare_path(home.warehouse_path))
    _write(home, "third")
    assert _inode(snapshot.snapshot_path(home.warehouse_path)) != resting


def test_without_a_lock_table_every_spare_counts_as_held(home, monkeypatch, tmp_path):
    monkeypatch.setattr(snapshot, "LOCKS_TABLE", tmp_path / "no-such-table")
    _write(home, "second")
    spare = _inode(snapshot.spare_path(home.warehouse_path))
    _write(home, "third")
    assert _inode(snapshot.snapshot_path(home.warehouse_path)) != spare
    current = snapshot.snapshot_path(home.warehouse_path)
    with duckdb.connect(str(current), read_only=True) as con:
        assert con.execute("SELECT v FROM note").fetchall() == [("third",)]


def test_a_patch_that_changes_nothing_still_marks_the_snapshot_current(home):
    _write(home, "second")
    spare = snapshot.spare_path(home.warehouse_path)
    shutil.copyfile(home.warehouse_path, spare)  # the spare already holds every byte
    os.utime(spare, (0, 0))
    recycled = _inode(spare)
    snapshot.publish_snapshot(home.warehouse_path)
    assert _inode(snapshot.snapshot_path(home.warehouse_path)) == recycled
    assert snapshot.snapshot_is_current(home.warehouse_path)


def test_a_reader_opening_the_snapshot_keeps_the_spare_from_being_rewritten(home):
    _write(home, "second")
    spare = _inode(snapshot.spare_path(home.warehouse_path))
    with snapshot.opening(home.warehouse_path):  # a reader between its open and DuckDB's lock
        _write(home, "third")
    assert _inode(snapshot.snapshot_path(home.warehouse_path)) != spare
    resting = _inode(snapshot.spare_path(home.warehouse_path))
    _write(home, "fourth")  # nobody is opening now: the spare is patched in
    assert _inode(snapshot.snapshot_path(home.warehouse_path)) == resting
