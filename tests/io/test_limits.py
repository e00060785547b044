"""Input bounds: a declared huge sheet, too many columns, a huge field: one line, no work."""

import zipfile
from pathlib import Path

import pytest
import xlsxwriter

from cxpipeline import io
from cxpipeline.errors import InputError
from cxpipeline.settings import InputLimits


def _workbook(path: Path, dimension: str) -> Path:
    """A real one-cell workbook whose sheet declares `dimension` (a 1.6 KB memory bomb)."""
    plain = path.with_suffix(".plain.xlsx")
    book = xlsxwriter.Workbook(plain)
    book.add_worksheet("s").write_row(0, 0, ["phone", "2125550142"])
    book.close()
    with zipfile.ZipFile(plain) as src, zipfile.ZipFile(path, "w") as dst:
        for item in src.infolist():
            data = src.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(
                    b'<dimension ref="A1:B1"/>', f'<dimension ref="{dimension}"/>'.encode()
                )
            dst.writestr(item, data)
    return path


def test_a_sheet_declaring_a_billion_cells_is_refused_before_loading(tmp_path):
    bomb = _workbook(tmp_path / "bomb.xlsx", "A1:XFD1048576")
    with pytest.raises(InputError, match=r"1,048,576 rows x 16,384 columns") as caught:
        io.read_table(bomb)
    assert "bomb.xlsx" in caught.value.one_line()
    assert (
        io.read_table(
            _workbook(tmp_path / "ok.xlsx", "A1:B1"), io.ReadOptions(has_header=False)
        ).rows_read
        == 1
    )


def test_too_many_columns_is_one_line(tmp_path):
    wide = tmp_path / "wide.csv"
    wide.write_text(",".join(f"c{i}" for i in range(2001)) + "\n" + ",".join("1" * 2001) + "\n")
    with pytest.raises(InputError, match="2,001 columns: more than the limit of 1,000"):
        io.read_table(wide)
    small = io.ReadOptions(limits=InputLimits(max_columns=3000))
    assert io.read_table(wide, small).rows_read == 1


def test_a_field_longer_than_the_limit_names_its_row_and_column(tmp_path):
    path = tmp_path / "long.csv"
    path.write_text("last_name,phone\nSmith,2125550142\n" + "x" * 20_001 + ",2125550143\n")
    with pytest.raises(InputError) as caught:
        io.read_table(path)
    line = caught.value.one_line()
    assert "long.csv:2" in line and "'last_name'" in line and "20,001 characters" in line


def test_the_limit_counts_characters_not_bytes(tmp_path):
    options = io.ReadOptions(limits=InputLimits(max_field_chars=10))
    fits = tmp_path / "fits.csv"
    # Ten characters, twenty bytes: over the limit in bytes only, so accepted.
    fits.write_text("last_name,phone\n" + "é" * 10 + ",2125550142\n", encoding="utf-8")
    assert io.read_table(fits, options).rows_read == 1
    over = tmp_path / "over.csv"
    over.write_text("last_name,phone\nSmith,2125550142\n" + "é" * 11 + ",2125550143\n")
    with pytest.raises(InputError) as caught:
        io.read_table(over, options)
    line = caught.value.one_line()
    assert "over.csv:2" in line and "'last_name'" in line and "11 characters" in line
