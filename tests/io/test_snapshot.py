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


def _duckdb_like(headers: bytes, blocks: list[bytes]) -> bytes:
    """A file laid out as DuckDB's: the three 4 KiB headers, then the blocks."""
    assert len(headers) == snapshot.DUCKDB_HEADERS
    return headers + b"".join(blocks)


def test_patch_blocks_rewrites_the_blocks_whose_checksum_differs(tmp_path):
    size = 64
    head = b"h" * snapshot.DUCKDB_HEADERS
    a, b, c = (bytes([k]) * 8 + bytes([k + 100]) * (size - 8) for k in (1, 2, 3))
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(_duckdb_like(head, [a, b, c]))
    target.write_bytes(_duckdb_like(head, [a, c, c, a]))  # one block differs, one too many
    assert snapshot.patch_blocks(source, target, size) == size
    assert target.read_bytes() == source.read_bytes()
    assert snapshot.patch_blocks(source, target, size) == 0
    header = b"H" + head[1:]  # a database header moved on: the headers are compared whole
    source.write_bytes(_duckdb_like(header, [a, b, c, b]))  # and the file grew
    assert snapshot.patch_blocks(source, target, size) == snapshot.DUCKDB_HEADERS + size
    assert target.read_bytes() == source.read_bytes()


def test_patch_blocks_trusts_the_checksum_at_the_head_of_each_block(tmp_path):
    # DuckDB writes a block with the checksum of its content first: same checksum, same block.
    size = 64
    head = b"h" * snapshot.DUCKDB_HEADERS
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(_duckdb_like(head, [b"c" * 8 + b"x" * (size - 8)]))
    target.write_bytes(_duckdb_like(head, [b"c" * 8 + b"y" * (size - 8)]))
    assert snapshot.patch_blocks(source, target, size) == 0


def test_a_file_that_is_not_whole_blocks_is_patched_byte_by_byte(tmp_path):
    source, target = tmp_path / "source", tmp_path / "target"
    source.write_bytes(b"s" * (snapshot.DUCKDB_HEADERS + 100))
    target.write_bytes(b"t" * (snapshot.DUCKDB_HEADERS + 100))
    assert snapshot.patch_blocks(source, target, 64) == snapshot.DUCKDB_HEADERS + 100
    assert target.read_bytes() == source.read_bytes()


def test_published_snapshots_are_the_warehouse_byte_for_byte_patched_by_block(
    tmp_path, monkeypatch
):
    monkeypatch.setattr(snapshot, "SPARE_REST_S", 0.0)
    monkeypatch.setattr(snapshot, "BLOCK_PATCH_FROM_BYTES", 0)  # a test warehouse is small
    settings = Settings.build(tmp_path / "home")
    patched: list[tuple[int, int]] = []
    original = snapshot.patch_blocks

    def spy(source: Path, target: Path, block_size: int) -> int:
        written = original(source, target, block_size)
        patched.append((written, source.stat().st_size))
        return written

    monkeypatch.setattr(snapshot, "patch_blocks", spy)
    steps = [
        "CREATE TABLE t AS SELECT range AS id, md5(range::VARCHAR) AS v FROM range(60000)",
        "UPDATE t SET v = 'changed' WHERE id % 1000 = 0",
        "DELETE FROM t WHERE id < 15000",
        "INSERT INTO t SELECT range, 'new' FROM range(100000, 106000)",
        "CREATE TABLE u AS SELECT * FROM t WHERE id % 7 = 0",
        "DROP TABLE u",
        "UPDATE t SET v = upper(v)",
    ]
    for statement in steps:
        con = warehouse.connect(settings)
        con.execute(statement)
        con.close()
        published = snapshot.snapshot_path(settings.warehouse_path)
        assert published.read_bytes() == settings.warehouse_path.read_bytes()
        with warehouse.connect(settings, read_only=True) as reader:
            expected = duckdb.connect(str(settings.warehouse_path), read_only=True)
            assert reader.execute("SELECT count(*), max(v) FROM t").fetchall() == (
                expected.execute("SELECT count(*), max(v) FROM t").fetchall()
            )
            expected.close()
    assert len(patched) >= len(steps) - 2  # the first publications copy: no spare yet
    assert any(written < size // 2 for written, size in patched)


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


def test_a_small_warehouse_is_compared_byte_by_byte_without_opening_it(home, monkeypatch):
    asked: list[Path] = []
    original_size = warehouse._block_size
    monkeypatch.setattr(
        warehouse, "_block_size", lambda path: asked.append(path) or original_size(path)
    )
    sizes: list[int] = []
    original_patch = snapshot.patch_blocks

    def spy(source: Path, target: Path, block_size: int) -> int:
        sizes.append(block_size)
        return original_patch(source, target, block_size)

    monkeypatch.setattr(snapshot, "patch_blocks", spy)
    _write(home, "second")
    _write(home, "third")  # a spare to patch: compared byte by byte, the file never opened
    assert asked == [] and sizes == []
    monkeypatch.setattr(snapshot, "BLOCK_PATCH_FROM_BYTES", 0)
    _write(home, "fourth")
    assert asked == [home.warehouse_path] and sizes == [262144]
    with warehouse.connect(home, read_only=True) as reader:
        assert reader.execute("SELECT v FROM note").fetchall() == [("fourth",)]


def test_the_block_size_is_not_asked_when_the_whole_warehouse_is_copied(home, monkeypatch):
    monkeypatch.setattr(snapshot, "BLOCK_PATCH_FROM_BYTES", 0)
    asked: list[Path] = []
    monkeypatch.setattr(warehouse, "_block_size", lambda path: asked.append(path) or 262144)
    with warehouse.connect(home, read_only=True):
        _write(home, "second")  # no spare yet: a whole copy; the reader's file becomes the spare
        _write(home, "third")  # the reader still holds the spare: a whole copy
    assert asked == []
    _write(home, "fourth")  # the spare is free: patched by block, the size asked
    assert asked == [home.warehouse_path]
