"""The csv-module path: malformed and unterminated quotes."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpipeline import errors, io


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_malformed_quote_row_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", 'a,b\n1,"x"y\n2,12" pizza\n3,ok\n')
    table = io.read_table(path)
    assert table.frame.collect().rows() == [("2", '12" pizza', 2), ("3", "ok", 3)]
    assert table.rejects.select("source_row", "reason").row(0)[0] == 1
    assert "malformed quotes" in table.rejects["reason"].item()


def test_unterminated_quote_names_the_row(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError) as info:
        io.read_table(write(tmp_path, "q.csv", 'a,b\n1,2\n3,"4\n5,6\n'))
    assert info.value.row == 2


def test_irregular_quoting_falls_back_to_the_csv_module(tmp_path: Path) -> None:
    table = io.read_table(write(tmp_path, "m.csv", 'a,b\n1,12" pizza\n2,x\n'))
    assert table.detected["reader"] == "csv"
    assert table.frame.collect().rows() == [("1", '12" pizza', 1), ("2", "x", 2)]
