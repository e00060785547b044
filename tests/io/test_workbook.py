"""Workbooks read as text with calamine."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpipeline import errors, io


def test_excel_numbers_come_back_as_their_text(tmp_path: Path) -> None:
    import xlsxwriter

    path = tmp_path / "w.xlsx"
    book = xlsxwriter.Workbook(path)
    first = book.add_worksheet("First")
    first.write_row(0, 0, ["phone", "zip"])
    first.write_row(1, 0, [2125550142, 2134])
    second = book.add_worksheet("Second")
    second.write_row(0, 0, ["phone"])
    second.write_row(1, 0, ["x"])
    book.close()
    table = io.read_table(path)
    assert table.frame.collect().rows() == [("2125550142", "2134", 1)]
    assert table.detected["sheet"] == "First"
    other = io.read_table(path, io.ReadOptions(sheet="Second"))
    assert other.frame.collect().rows() == [("x", 1)]
    with pytest.raises(errors.InputError, match="sheet 'Third' not found; sheets: First, Second"):
        io.read_table(path, io.ReadOptions(sheet="Third"))
