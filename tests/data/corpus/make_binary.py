"""Write the corpus files whose bytes an editor or git could alter: encodings, BOM, CRLF, binaries.

Run from anywhere: `python tests/data/corpus/make_binary.py`. The .xls file needs `xlwt`, which
the project does not depend on; it is skipped (and the committed copy kept) when xlwt is missing.
"""

from __future__ import annotations

from pathlib import Path

import polars as pl
import xlsxwriter

HERE = Path(__file__).resolve().parent
NBSP = "\u00a0"


def write_text_files() -> None:
    """Encoded text files: BOM, cp1252, latin-1, UTF-16, CRLF, NBSP, undecodable."""
    header = "client_id,first_name,last_name,phone,postal_code,state_code\n"
    (HERE / "utf8_bom.csv").write_bytes(
        b"\xef\xbb\xbf"
        + (
            header + "B1,Zoë,Muñoz,2127360142,10001,NY\n" + "B2,José,Brontë,6173530100,02134,MA\n"
        ).encode()
    )
    (HERE / "cp1252.csv").write_bytes(
        (
            header
            + "W1,José,Muñoz,2127360142,10001,NY\n"
            + "W2,Zoë,“Smart” Quotes,6173530100,02134,MA\n"
            + "W3,Ann,Dash – Name,3127440177,60601,IL\n"
        ).encode("cp1252")
    )
    (HERE / "latin1.txt").write_bytes(
        (
            "client_id;first_name;last_name;phone;postal_code;state_code\n"
            "L1;Françoise;Lefèvre;2127360142;10001;NY\n"
            "L2;Zoë;Muñoz;6173530100;02134;MA\n"
        ).encode("latin-1")
    )
    (HERE / "utf16_tab.txt").write_bytes(
        (
            "client_id\tlast_name\tphone\tpostal_code\tstate_code\r\n"
            "U1\tMuñoz\t2127360142\t10001\tNY\r\n"
            "U2\tZoë\t6173530100\t02134\tMA\r\n"
        ).encode("utf-16")
    )
    (HERE / "crlf.csv").write_bytes(
        b"client_id,last_name,phone,Notes,postal_code,state_code\r\n"
        b'C1,Windows,2127360142,"two\r\nlines",10001,NY\r\n'
        b"C2,Lines,6173530100,plain,02134,MA\r\n"
        b"\r\n"
    )
    (HERE / "nbsp_whitespace.csv").write_bytes(
        (
            header
            + f"  N1 ,  Ann{NBSP},Smith  ,{NBSP}212 736 0142 , 10001 , ny\n"
            + f"N2,{NBSP},Jones,{NBSP}617-353-0100{NBSP},{NBSP}02134,MA{NBSP}\n"
            + f"N3,Cara,Lee,{NBSP}{NBSP},60601,IL\n"
        ).encode()
    )
    (HERE / "undecodable_forced.csv").write_bytes(
        (header + "X1,José,Muñoz,2127360142,10001,NY\n").encode("cp1252")
    )


ROWS = [
    [1001, "Zoë", 2127360142, 2134, "MA"],
    [1002, "Muñoz", 6173530100.0, "02134", "MA"],
    [1003, "Plain", "(312) 744-0177", 60601, "IL"],
    None,  # an empty row: a blank line, not a data row
    [1004, "Last", 4154370199, 94105, "CA"],
]
HEADER = ["client_id", "last_name", "home_phone", "postal_code", "state_code"]


def write_workbooks() -> None:
    """XLSX: numbers stored as numbers; one workbook whose data is on its second sheet."""
    book = xlsxwriter.Workbook(HERE / "excel_numbers.xlsx")
    sheet = book.add_worksheet("Sheet1")
    sheet.write_row(0, 0, HEADER)
    for i, row in enumerate(ROWS, start=1):
        if row:
            sheet.write_row(i, 0, row)
    book.close()

    book = xlsxwriter.Workbook(HERE / "named_sheet.xlsx")
    notes = book.add_worksheet("Notes")
    notes.write_row(0, 0, ["exported by CRM", "do not edit"])
    data = book.add_worksheet("Contacts")
    data.write_row(0, 0, ["Client ID", "Last Name", "Mobile Phone", "Zip", "State"])
    data.write_row(1, 0, ["X1", "Sheet", 9172850101, 10001, "NY"])
    data.write_row(2, 0, ["X2", "Second", 6173530100, 2134, "MA"])
    book.close()

    try:
        import xlwt  # type: ignore[import-not-found]
    except ImportError:
        print("xlwt not installed: contacts.xls left as committed")
        return
    book = xlwt.Workbook()
    sheet = book.add_sheet("Contacts")
    for j, name in enumerate(HEADER):
        sheet.write(0, j, name)
    for i, row in enumerate(ROWS, start=1):
        for j, value in enumerate(row or []):
            sheet.write(i, j, value)
    book.save(str(HERE / "contacts.xls"))


def write_parquet() -> None:
    """Parquet with typed columns: int phones, float ZIPs (2134.0), as a CRM extract would."""
    pl.DataFrame(
        {
            "client_id": [1, 2, 3],
            "last_name": ["Parquet", "Typed", "Null"],
            "phone": [2127360142, 6173530100, None],
            "mobile_phone": [None, None, 3127440177],
            "postal_code": [10001.0, 2134.0, 60601.0],
            "state_code": ["NY", "MA", "IL"],
        }
    ).write_parquet(HERE / "contacts.parquet")


if __name__ == "__main__":
    write_text_files()
    write_workbooks()
    write_parquet()
