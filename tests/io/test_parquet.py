"""Parquet inputs read as text."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cxpipeline import io


def test_parquet_columns_are_cast_to_text(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame({"phone": [2125550142], "zip": [2134.0]}).write_parquet(path)
    assert io.read_table(path).frame.collect().rows() == [("2125550142", "2134.0", 1)]
