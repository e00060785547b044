"""Atomic writes: the target appears whole, owner-only, and no temporary file is left behind."""

from __future__ import annotations

import stat
from pathlib import Path

import polars as pl
import pyarrow.ipc
import pyarrow.parquet as pq
import pytest

from cxpipeline import io


def test_writers_create_folders_and_leave_no_temp_file(tmp_path: Path) -> None:
    frame = pl.DataFrame({"a": ["1", "2"]})
    parquet = io.write_parquet(frame.lazy(), tmp_path / "out" / "f.parquet")
    csv_path = io.write_csv(frame, tmp_path / "out" / "f.csv", separator=";")
    text = io.write_text("hé\n", tmp_path / "out" / "f.txt")
    assert io.read_parquet(parquet).collect().equals(frame)
    assert csv_path.read_text(encoding="utf-8") == "a\n1\n2\n"
    assert text.read_text(encoding="utf-8") == "hé\n"
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == ["f.csv", "f.parquet", "f.txt"]
    assert stat.S_IMODE(text.stat().st_mode) == 0o600  # outputs hold personal data


def test_a_failed_write_keeps_the_old_file(tmp_path: Path) -> None:
    target = io.write_text("old", tmp_path / "t.txt")
    with pytest.raises(RuntimeError), io.atomic_path(target) as tmp:
        tmp.write_text("half", encoding="utf-8")
        raise RuntimeError
    assert target.read_text(encoding="utf-8") == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["t.txt"]


def test_slices_are_written_in_order_into_one_file_and_none_is_an_error(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": [3, 1, 2, 5, 4], "name": ["c", "a", "b", "e", "d"]})
    slices = (
        frame.lazy().filter(pl.col("id").is_between(lo, lo + 1)).sort("id") for lo in (1, 3, 5)
    )
    path = io.write_parquet_slices(slices, tmp_path / "s.parquet")
    assert io.read_parquet(path).collect().equals(frame.sort("id"))
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    with pytest.raises(ValueError, match="no slices"):
        io.write_parquet_slices(iter(()), tmp_path / "none.parquet")
    assert not (tmp_path / "none.parquet").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["s.parquet"]


def test_a_slice_that_fails_raises_its_error_and_leaves_no_file(tmp_path: Path) -> None:
    # Slices are collected one ahead of the writer, on a thread: a failing one still stops
    # the write with its own error, and nothing is left behind.
    good = pl.LazyFrame({"id": [1, 2]})
    bad = pl.LazyFrame({"id": ["x"]}).select(pl.col("id").cast(pl.Int64, strict=True))
    with pytest.raises(pl.exceptions.InvalidOperationError):
        io.write_parquet_slices([good, bad, good], tmp_path / "f.parquet")
    assert list(tmp_path.iterdir()) == []


def test_small_row_groups_when_asked(tmp_path: Path) -> None:
    frame = pl.DataFrame({"id": list(range(25))})
    path = io.write_parquet(frame, tmp_path / "g.parquet", row_group_size=10)
    assert pq.ParquetFile(path).metadata.num_row_groups == 3


def test_staged_files_are_lz4_and_kept_files_zstd(tmp_path: Path) -> None:
    frame = pl.DataFrame({"record_id": list(range(1000)), "name": ["x"] * 1000})
    staged = io.write_staged(frame.lazy(), tmp_path / "staging" / "part.parquet")
    kept = io.write_parquet(frame, tmp_path / "lake" / "contacts.parquet")

    def codecs(path: Path) -> set[str]:
        meta = pq.ParquetFile(path).metadata.row_group(0)
        return {meta.column(i).compression for i in range(meta.num_columns)}

    assert codecs(staged) == {"LZ4"}
    assert codecs(kept) == {"ZSTD"}
    assert pl.read_parquet(staged).equals(frame)
    assert [p.name for p in staged.parent.iterdir()] == ["part.parquet"]  # no temporary left


def test_staged_files_keep_no_statistics_and_kept_files_do(tmp_path: Path) -> None:
    frame = pl.DataFrame({"record_id": list(range(100)), "name": ["x"] * 100})
    staged = [
        io.write_staged(frame, tmp_path / "staging" / "eager.parquet"),
        io.write_staged(frame.lazy(), tmp_path / "staging" / "lazy.parquet"),
    ]
    kept = io.write_parquet(frame, tmp_path / "lake" / "contacts.parquet")

    def stats(path: Path) -> list[bool]:
        first = pq.ParquetFile(path).metadata.row_group(0)
        return [first.column(i).is_stats_set for i in range(first.num_columns)]

    assert [stats(path) for path in staged] == [[False, False], [False, False]]
    assert stats(kept) == [True, True]
    assert all(pl.read_parquet(path).equals(frame) for path in staged)


def test_slices_keep_statistics_of_ids_not_of_text(tmp_path: Path) -> None:
    frame = pl.DataFrame(
        {"record_id": [1, 2, 3], "name": ["c", "a", "b"], "zones": [["x"], ["y"], []]}
    )
    path = io.write_parquet_slices([frame.slice(0, 2), frame.slice(2)], tmp_path / "s.parquet")
    meta = pq.ParquetFile(path).metadata
    first = meta.row_group(0)
    has_stats = {
        first.column(i).path_in_schema.split(".")[0]: first.column(i).is_stats_set
        for i in range(first.num_columns)
    }
    assert has_stats == {"record_id": True, "name": False, "zones": False}
    assert first.column(0).statistics.max == 2  # readers prune row groups by id
    assert meta.row_group(1).column(0).statistics.min == 3
    assert io.read_parquet(path).collect().equals(frame)


def test_slices_are_cut_into_row_groups_of_the_size_asked(tmp_path: Path) -> None:
    frame = pl.DataFrame({"record_id": list(range(25))})
    path = io.write_parquet_slices(
        [frame.slice(0, 20), frame.slice(20)], tmp_path / "s.parquet", row_group_size=8
    )
    meta = pq.ParquetFile(path).metadata
    sizes = [meta.row_group(i).num_rows for i in range(meta.num_row_groups)]
    assert sizes == [8, 8, 4, 5]  # a slice is never joined to the next one
    assert io.read_parquet(path).collect().equals(frame)


def test_buckets_deal_each_row_to_its_file_in_frame_order(tmp_path: Path) -> None:
    frames = [
        pl.DataFrame({"id": [1, 2, 3, 4], "name": ["a", "b", None, "d"], "_b": [1, 0, 1, 1]}),
        pl.DataFrame({"id": [5, 6], "name": ["e", "f"], "_b": [1, 1]}),
    ]
    targets = [tmp_path / "deal" / f"b{index}.arrow" for index in range(3)]
    paths = io.write_ipc_buckets(iter(frames), targets, "_b")
    assert paths == targets
    read = [pl.read_ipc(path) for path in paths]
    assert read[0].equals(pl.DataFrame({"id": [2], "name": ["b"]}))
    assert read[1].equals(pl.DataFrame({"id": [1, 3, 4, 5, 6], "name": ["a", None, "d", "e", "f"]}))
    # A bucket no row reached still has the schema: its pass reads an empty frame.
    assert read[2].schema == read[0].schema and read[2].height == 0
    assert pl.scan_ipc(paths[2]).filter(pl.col("id") > 0).collect().height == 0
    # One record batch per frame a bucket had rows in: memory held one frame at a time.
    with pyarrow.ipc.open_file(paths[1]) as opened:
        assert opened.num_record_batches == 2
    many = pl.DataFrame({"name": ["x" * 50] * 100_000, "_b": [0] * 100_000})
    [repeated] = io.write_ipc_buckets(iter([many]), [tmp_path / "many.arrow"], "_b")
    assert repeated.stat().st_size < 500_000  # lz4 (staged): 5 MB of text as it is
    assert pl.read_ipc(repeated).equals(many.drop("_b"))
    written = sorted(p.name for p in (tmp_path / "deal").iterdir())
    assert written == ["b0.arrow", "b1.arrow", "b2.arrow"]
    assert stat.S_IMODE(paths[1].stat().st_mode) == 0o600


def test_buckets_of_no_frame_or_a_failing_one_leave_no_file(tmp_path: Path) -> None:
    targets = [tmp_path / f"b{index}.parquet" for index in range(2)]
    with pytest.raises(ValueError, match="no frames"):
        io.write_ipc_buckets(iter(()), targets, "_b")
    assert list(tmp_path.iterdir()) == []

    def failing():
        yield pl.DataFrame({"id": [1], "_b": [0]})
        raise RuntimeError("the typing failed")

    with pytest.raises(RuntimeError, match="typing failed"):
        io.write_ipc_buckets(failing(), targets, "_b")
    assert list(tmp_path.iterdir()) == []
