"""Delimited text read lazily with polars: values as text, blank lines, quoting, headers."""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cxpipeline import io
from cxpipeline.errors import InputError


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


def test_every_value_is_text_as_written(tmp_path: Path) -> None:
    path = write(tmp_path, "a.csv", "zip,phone,amount\n02134,2125550142,1.50\n,  x ,\n")
    table = io.read_table(path)
    frame = table.frame.collect()
    assert frame.schema == pl.Schema(
        {"zip": pl.String, "phone": pl.String, "amount": pl.String, "source_row": pl.Int64}
    )
    assert frame.rows() == [("02134", "2125550142", "1.50", 1), ("", "  x ", "", 2)]
    assert table.rows_read == 2
    assert table.rejects.is_empty()


def test_blank_lines_are_not_rows_but_keep_numbering(tmp_path: Path) -> None:
    table = io.read_table(write(tmp_path, "b.csv", "a,b\n1,2\n\n3,4\n\n"))
    assert table.frame.collect().rows() == [("1", "2", 1), ("3", "4", 3)]
    assert table.rows_read == 2
    assert table.detected["blank_lines"] == 2


def test_quoted_newlines_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", b'a,b\r\n"x\r\ny",2\r\n3,"say ""hi"""\r\n')
    assert io.read_table(path).frame.collect().rows() == [("x\r\ny", "2", 1), ("3", 'say "hi"', 2)]


def test_without_header_columns_are_numbered(tmp_path: Path) -> None:
    table = io.read_table(write(tmp_path, "n.csv", "1,2\n3,4\n"), io.ReadOptions(has_header=False))
    frame = table.frame.collect()
    assert frame.columns == ["column_1", "column_2", "source_row"]
    assert frame["source_row"].to_list() == [1, 2]


def test_blank_header_name_gets_a_position_name(tmp_path: Path) -> None:
    frame = io.read_table(write(tmp_path, "h.csv", "a,,c\n1,2,3\n")).frame.collect()
    assert frame.columns == ["a", "column_2", "c", "source_row"]


def test_regular_files_use_polars_even_with_quotes_newlines_and_ragged_rows(
    tmp_path: Path,
) -> None:
    path = write(tmp_path, "q.csv", 'a,b,c\n"x\ny","1,2",3\n"4",5\n6,"7 ""q""",8\n\n')
    table = io.read_table(path)
    assert table.detected["reader"] == "polars"
    assert table.frame.collect().rows() == [("x\ny", "1,2", "3", 1), ("6", '7 "q"', "8", 3)]
    assert table.rejects.select("source_row", "reason").rows() == [
        (2, "ragged row: 2 fields, expected 3")
    ]
    assert table.detected["blank_lines"] == 1


CELL = st.text(
    alphabet=st.characters(
        blacklist_categories=("Cs",), blacklist_characters="\x00\r\ufeff", max_codepoint=0x2FF
    ).filter(lambda c: c not in "\x0b\x0c\x1c\x1d\x1e\x85\u2028\u2029")
    | st.sampled_from([",", ";", '"', "\n", " ", "\u00a0"]),
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    width=st.integers(min_value=2, max_value=4),
    rows=st.lists(st.lists(CELL, min_size=1, max_size=6), min_size=1, max_size=12),
    delimiter=st.sampled_from([",", ";", "|", "\t"]),
)
def test_any_written_table_reads_back_exactly(
    tmp_path: Path, width: int, rows: list[list[str]], delimiter: str
) -> None:
    # a one-field row holding only spaces reads as a blank line: not a row of this property
    rows = [r for r in rows if not (len(r) == 1 and not r[0].strip())]
    assume(rows)
    path = tmp_path / "p.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=delimiter, lineterminator="\n")
        writer.writerow([f"c{i}" for i in range(width)])
        writer.writerows(rows)
    table = io.read_table(path, io.ReadOptions(delimiter=delimiter))
    good = [(i, r) for i, r in enumerate(rows, start=1) if len(r) == width]
    bad = [i for i, r in enumerate(rows, start=1) if len(r) != width]
    frame = table.frame.collect()
    assert frame.rows() == [(*r, i) for i, r in good]
    assert table.rejects["source_row"].to_list() == bad
    assert table.rows_read == len(rows) == frame.height + table.rejects.height


def test_lazy_frame_slices_read_only_their_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "a,b\n" + "".join(f"{i},x\n" for i in range(1, 11)) + "\n1\n")
    table = io.read_table(path)
    assert isinstance(table.frame, pl.LazyFrame)
    assert table.frame.slice(3, 4).collect()["source_row"].to_list() == [4, 5, 6, 7]
    assert table.frame.slice(8, 5).collect()["source_row"].to_list() == [9, 10]


def test_a_column_named_source_row_is_refused_not_dropped(tmp_path: Path) -> None:
    # It used to be replaced by the row numbers, its values silently lost (issue 11).
    with pytest.raises(InputError, match="source_row"):
        io.read_table(write(tmp_path, "r.csv", "source_row,b\nx,1\n\ny,2\n"))
