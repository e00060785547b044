"""Parquet inputs read as text."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl
import pytest

from cxpipeline import io
from cxpipeline.errors import InputError
from cxpipeline.io import parquet
from cxpipeline.settings import InputLimits


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


def _mixed(path: Path, rows: int) -> Path:
    """A Parquet file of `rows` rows in one row group, with the column types writers use."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.table(
        {
            "record_id": pa.array(range(rows), pa.int64()),
            "call_time": pa.array(
                [datetime(2026, 12, 1, 9, i % 60, tzinfo=UTC) for i in range(rows)],
                pa.timestamp("us", tz="UTC"),
            ),
            "call_result": pa.array(
                [["busy", "no_answer"][i % 2] for i in range(rows)]
            ).dictionary_encode(),
            "duration_s": pa.array([None if i % 7 == 0 else i / 4 for i in range(rows)]),
            "unused": pa.nulls(rows),
        }
    )
    pq.write_table(table, path, row_group_size=rows)
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    return path


def test_a_parquet_input_in_batches_gives_the_scans_text_and_row_numbers(tmp_path: Path) -> None:
    table = io.read_table(_mixed(tmp_path / "r.parquet", 2_500))
    assert table.batches is not None
    batches = list(parquet.text_batches(tmp_path / "r.parquet", 1_000))
    # Decoded 1,000 rows at a time within the file's one row group of 2,500.
    assert [b.height for b in batches] == [1_000, 1_000, 500]
    together = pl.concat(batches)
    assert together.equals(table.frame.collect())
    assert together["source_row"].to_list() == list(range(1, 2_501))
    assert together.row(0) == ("0", "2026-12-01 09:00:00.000000+00:00", "busy", None, None, 1)
    assert all(dtype == pl.String for dtype in together.drop("source_row").dtypes)


def test_a_long_field_in_a_later_batch_is_named_with_its_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(parquet, "BATCH_ROWS", 100)
    path = tmp_path / "long.parquet"
    names = ["Smith"] * 450
    names[333] = "x" * 11
    pl.DataFrame({"last_name": names, "phone": ["2125550142"] * 450}).write_parquet(path)
    options = io.ReadOptions(limits=InputLimits(max_field_chars=10))
    with pytest.raises(InputError) as caught:
        io.read_table(path, options)
    line = caught.value.one_line()
    assert "long.parquet:334" in line and "'last_name'" in line and "11 characters" in line
    names[333] = "x" * 10
    pl.DataFrame({"last_name": names, "phone": ["2125550142"] * 450}).write_parquet(path)
    assert io.read_table(path, options).rows_read == 450


def test_text_stored_as_bytes_reads_as_text_and_other_bytes_are_refused_by_row(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    monkeypatch.setattr(parquet, "BATCH_ROWS", 2)
    names = [b"Smith", "Zoë".encode(), None, b"Jones", b"Lee"]
    plain = tmp_path / "plain.parquet"
    pq.write_table(pa.table({"last_name": pa.array(names, pa.binary())}), plain)
    table = io.read_table(plain)
    expected = [("Smith", 1), ("Zoë", 2), (None, 3), ("Jones", 4), ("Lee", 5)]
    assert table.frame.collect().rows() == expected
    assert table.batches is not None and pl.concat(table.batches()).rows() == expected
    names[3] = b"\xff\xfe"  # not UTF-8: a value with no text to keep, in the second batch
    raw = tmp_path / "raw.parquet"
    pq.write_table(pa.table({"last_name": pa.array(names, pa.binary())}), raw)
    with pytest.raises(InputError, match="not UTF-8 text") as caught:
        io.read_table(raw)
    assert (caught.value.file, caught.value.row, caught.value.field) == (str(raw), 4, "last_name")


def test_a_parquet_file_without_rows_gives_one_empty_batch_with_its_columns(
    tmp_path: Path,
) -> None:
    path = tmp_path / "empty.parquet"
    pl.DataFrame({"record_id": [1], "call_result": ["busy"]}).head(0).write_parquet(path)
    batches = list(parquet.text_batches(path))
    assert [b.shape for b in batches] == [(0, 3)]
    assert (
        batches[0].schema
        == io.read_table(path, io.ReadOptions(allow_no_rows=True)).frame.collect_schema()
    )
