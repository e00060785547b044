"""Fixed-width text sliced by a layout."""

from __future__ import annotations

from pathlib import Path

from cxpipeline import io


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_fixed_width_slices_by_layout_and_rejects_overlong_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "f.txt", "AB  123\nCD  4\n\nEF  567XYZ\n")
    options = io.ReadOptions(fixed_width=[("code", 1, 4), ("num", 5, 3)], has_header=False)
    table = io.read_table(path, options)
    assert table.frame.collect().rows() == [("AB  ", "123", 1), ("CD  ", "4", 2)]
    assert table.rejects["source_row"].to_list() == [4]
    assert "longer than the fixed-width layout (10 > 7" in table.rejects["reason"].item()
    assert table.rows_read == 3


def test_fixed_width_header_line_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "f.txt", "CODENUM\nAB  123\n")
    options = io.ReadOptions(fixed_width=[("code", 1, 4), ("num", 5, 3)], has_header=True)
    assert io.read_table(path, options).frame.collect().rows() == [("AB  ", "123", 1)]
