"""The ragged-row pre-scan: ragged and blank records found across block boundaries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from cxpipeline import io
from cxpipeline.io import shapes


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_ragged_rows_are_rejected_not_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    table = io.read_table(path)
    assert table.frame.collect()["source_row"].to_list() == [1, 4]
    assert table.rejects.rows() == [
        (2, None, "ragged row: 2 fields, expected 3", "4,5"),
        (3, None, "ragged row: 4 fields, expected 3", "6,7,8,9"),
    ]
    assert table.rows_read == 4


def test_shape_prescan_streams_records_across_block_boundaries(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    rows = [
        ["a", "b", "c"],
        ['x\n"y"\nz', "1,2", "3"],
        ["short", "row"],
        [],
        ["p", "q\r\n\n", "r"],
        ["1", "2", "3", "4"],
        ["plain", "text", "row"],
    ] * 7
    path = tmp_path / "b.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        csv.writer(handle, lineterminator="\n").writerows([["h1", "h2", "h3"], *rows])
        handle.write("last,row,no newline")
    whole = io.read_table(path)
    assert whole.detected["reader"] == "polars"
    for block in (1, 2, 3, 5, 8, 13, 64):
        monkeypatch.setattr(shapes, "_SHAPE_BLOCK", block)
        table = io.read_table(path)
        assert table.frame.collect().rows() == whole.frame.collect().rows(), block
        assert table.rejects.rows() == whole.rejects.rows(), block
        assert table.rows_read == whole.rows_read == len(rows) + 1 - 7
        assert table.detected == whole.detected
    assert whole.detected["blank_lines"] == 7
    assert whole.rejects["source_row"].to_list()[:2] == [3, 6]
