"""Parquet inputs read as text."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from cxpipeline import io
from cxpipeline.errors import InputError


def test_parquet_columns_are_cast_to_text(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame({"phone": [2125550142], "zip": [2134.0]}).write_parquet(path)
    assert io.read_table(path).frame.collect().rows() == [("2125550142", "2134.0", 1)]


def test_a_parquet_input_is_scanned_and_numbered_from_one(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame({"phone": [f"212555{i:04d}" for i in range(5)]}).write_parquet(path)
    table = io.read_table(path)
    assert isinstance(table.frame, pl.LazyFrame) and table.rows_read == 5
    # A slice parses its own rows only, numbered as in the file.
    assert table.frame.slice(3, 2).collect().rows() == [("2125550003", 4), ("2125550004", 5)]


def test_a_truncated_parquet_file_is_one_line_naming_the_file(tmp_path: Path) -> None:
    path = tmp_path / "cut.parquet"
    pl.DataFrame({"phone": ["2125550142"] * 100}).write_parquet(path)
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(InputError, match="cannot read the Parquet file") as raised:
        io.read_table(path)
    assert raised.value.file == str(path)
