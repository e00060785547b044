"""Delimiters: sniffed from a sample, or forced by name or character."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpipeline import errors, io


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


@pytest.mark.parametrize("delimiter", [",", ";", "|", "\t"])
def test_delimiter_is_sniffed(tmp_path: Path, delimiter: str) -> None:
    text = delimiter.join(["a", "b", "c"]) + "\n" + delimiter.join(["1", '"x,y;z|w"', "3"]) + "\n"
    table = io.read_table(write(tmp_path, "d.txt", text))
    assert table.detected["delimiter"] == delimiter
    assert table.frame.collect().row(0) == ("1", "x,y;z|w", "3", 1)


def test_forced_delimiter_wins_over_sniffing(tmp_path: Path) -> None:
    path = write(tmp_path, "d.csv", "a;b,c\n1;2,3\n")
    table = io.read_table(path, io.ReadOptions(delimiter="semicolon"))
    assert table.frame.collect().columns == ["a", "b,c", "source_row"]


def test_bad_forced_delimiter_is_an_input_error(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="bad delimiter"):
        io.read_table(write(tmp_path, "d.csv", "a,b\n1,2\n"), io.ReadOptions(delimiter=";;"))
