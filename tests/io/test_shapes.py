"""The ragged-row pre-scan: ragged and blank records found across block boundaries."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

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


def _both(path: Path, width: int, has_header: bool, monkeypatch: pytest.MonkeyPatch):
    """The shapes from the line scan (None when it declines) and from the block loop."""
    fast = shapes._line_shapes(path, ",", width, 0 if has_header else 1)
    with monkeypatch.context() as patched:
        patched.setattr(shapes, "_line_shapes", lambda *args: None)
        slow = shapes.record_shapes(path, ",", width, has_header)
    return fast, slow


@pytest.mark.parametrize(
    "data",
    [
        "h1,h2,h3\r\n1,2,3\r\n4,5\r\n\r\n6,7,8,9\r\n",  # CRLF, ragged both ways, a blank line
        "\ufeffh1,h2,h3\n1,2,3\n   \n7,8,9",  # BOM, spaces only, no final line feed
        'h1,h2,h3\n"a,b",c,d\n"x""y",1\n\n\n',  # quoted delimiters on one line, trailing blanks
        "h1,h2,h3\n1,2,3\r",  # a carriage return ending the last line
        "h1,h2,h3\n",  # no data record
    ],
)
def test_the_line_scan_gives_the_block_loops_shapes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, data: str
) -> None:
    path = write(tmp_path, "s.csv", data)
    for has_header in (True, False):
        fast, slow = _both(path, 3, has_header, monkeypatch)
        assert fast is not None
        assert fast[0] == slow[0]
        assert fast[1].rows() == slow[1].rows()


def test_a_record_spanning_lines_is_left_to_the_block_loop(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", 'h1,h2,h3\n"a\nb",c,d\n1,2,3\n')
    assert shapes._line_shapes(path, ",", 3, 0) is None
    count, odd = shapes.record_shapes(path, ",", 3, True)
    assert count == 2
    assert odd.height == 0


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    lines=st.lists(st.text(alphabet='a,"\r \t\ufeff', max_size=8), max_size=12), end=st.booleans()
)
def test_line_scan_and_block_loop_agree_on_any_text(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lines: list[str], end: bool
) -> None:
    path = write(tmp_path, "p.csv", "\n".join(lines) + ("\n" if end else ""))
    fast, slow = _both(path, 2, True, monkeypatch)
    if fast is not None:
        assert fast[0] == slow[0]
        assert fast[1].rows() == slow[1].rows()


def test_the_line_scan_reads_files_of_more_than_one_block(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = write(tmp_path, "s.csv", "h1,h2\n1,2\n3\n")
    scans: list[Path] = []
    scan = shapes._line_shapes
    monkeypatch.setattr(shapes, "_line_shapes", lambda *a: scans.append(a[0]) or scan(*a))
    assert shapes.record_shapes(path, ",", 2, True)[0] == 2  # one block: the loop alone
    assert scans == []
    monkeypatch.setattr(shapes, "_SHAPE_BLOCK", 4)
    count, odd = shapes.record_shapes(path, ",", 2, True)
    assert scans == [path]
    assert count == 2
    assert odd.rows() == [(2, 1, False, "3")]
