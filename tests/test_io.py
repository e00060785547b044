"""Reading inputs as text: formats, encodings, ragged rows, whole-file errors, and the corpus."""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from cxpipeline import errors, io, schemas, spec
from cxpipeline.transforms import mapping

CORPUS = Path(__file__).parent / "data" / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["files"]


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


# --------------------------------------------------------------------------- delimited text


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


def test_ragged_rows_are_rejected_not_the_file(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "a,b,c\n1,2,3\n4,5\n6,7,8,9\n10,11,12\n")
    table = io.read_table(path)
    assert table.frame.collect()["source_row"].to_list() == [1, 4]
    assert table.rejects.rows() == [
        (2, None, "ragged row: 2 fields, expected 3", "4,5"),
        (3, None, "ragged row: 4 fields, expected 3", "6,7,8,9"),
    ]
    assert table.rows_read == 4


def test_ragged_row_raw_text_masks_phone_numbers(tmp_path: Path) -> None:
    path = write(tmp_path, "r.csv", "a,b,c\nAnn,(212) 555-0142\n")
    raw = io.read_table(path).rejects["raw"].item()
    assert raw == "Ann,(***) ***-0142"


def test_blank_lines_are_not_rows_but_keep_numbering(tmp_path: Path) -> None:
    table = io.read_table(write(tmp_path, "b.csv", "a,b\n1,2\n\n3,4\n\n"))
    assert table.frame.collect().rows() == [("1", "2", 1), ("3", "4", 3)]
    assert table.rows_read == 2
    assert table.detected["blank_lines"] == 2


def test_quoted_newlines_and_crlf(tmp_path: Path) -> None:
    path = write(tmp_path, "q.csv", b'a,b\r\n"x\r\ny",2\r\n3,"say ""hi"""\r\n')
    assert io.read_table(path).frame.collect().rows() == [("x\r\ny", "2", 1), ("3", 'say "hi"', 2)]


def test_malformed_quote_row_is_rejected_and_the_rest_read(tmp_path: Path) -> None:
    path = write(tmp_path, "m.csv", 'a,b\n1,"x"y\n2,12" pizza\n3,ok\n')
    table = io.read_table(path)
    assert table.frame.collect().rows() == [("2", '12" pizza', 2), ("3", "ok", 3)]
    assert table.rejects.select("source_row", "reason").row(0)[0] == 1
    assert "malformed quotes" in table.rejects["reason"].item()


def test_without_header_columns_are_numbered(tmp_path: Path) -> None:
    table = io.read_table(write(tmp_path, "n.csv", "1,2\n3,4\n"), io.ReadOptions(has_header=False))
    frame = table.frame.collect()
    assert frame.columns == ["column_1", "column_2", "source_row"]
    assert frame["source_row"].to_list() == [1, 2]


def test_blank_header_name_gets_a_position_name(tmp_path: Path) -> None:
    frame = io.read_table(write(tmp_path, "h.csv", "a,,c\n1,2,3\n")).frame.collect()
    assert frame.columns == ["a", "column_2", "c", "source_row"]


# --------------------------------------------------------------------------- whole-file errors


@pytest.mark.parametrize(
    ("name", "data", "message"),
    [
        ("empty.csv", b"", "empty file"),
        ("spaces.csv", b"  \n\n", "empty file"),
        ("header.csv", b"a,b\n", "header only"),
        ("header_blank.csv", b"a,b\n\n\n", "header only"),
        ("dup.csv", b"a,b,a\n1,2,3\n", "duplicate column name 'a' (columns 1 and 3)"),
        ("open.csv", b'a,b\n1,2\n3,"4\n5,6\n', "the quoted field opened on line 3 never closes"),
        ("x.pdf", b"%PDF-1.4", "unknown format '.pdf'"),
        ("fake.xlsx", b"a,b\n1,2\n", "not a workbook"),
    ],
)
def test_whole_file_problems_raise_one_line_input_errors(
    tmp_path: Path, name: str, data: bytes, message: str
) -> None:
    path = write(tmp_path, name, data)
    with pytest.raises(errors.InputError) as info:
        io.read_table(path)
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_missing_file(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="file not found"):
        io.read_table(tmp_path / "nope.csv")


def test_unterminated_quote_names_the_row(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError) as info:
        io.read_table(write(tmp_path, "q.csv", 'a,b\n1,2\n3,"4\n5,6\n'))
    assert info.value.row == 2


# --------------------------------------------------------------------------- encodings


@pytest.mark.parametrize(
    ("encoding", "prefix", "detected"),
    [
        ("utf-8", b"", "utf-8"),
        ("utf-8", b"\xef\xbb\xbf", "utf-8-sig"),
        ("cp1252", b"", "cp1252"),
        ("utf-16", b"", "utf-16"),
    ],
)
def test_encodings_are_detected_and_names_survive(
    tmp_path: Path, encoding: str, prefix: bytes, detected: str
) -> None:
    text = "first,last\nZoë,Muñoz\nJosé,Brontë\n"
    table = io.read_table(write(tmp_path, "e.csv", prefix + text.encode(encoding)))
    assert table.detected["encoding"] == detected
    frame = table.frame.collect()
    assert frame.columns[:2] == ["first", "last"]
    assert frame.rows() == [("Zoë", "Muñoz", 1), ("José", "Brontë", 2)]


def test_non_utf8_bytes_late_in_the_file_are_found(tmp_path: Path) -> None:
    rows = "".join(f"{i},Smith\n" for i in range(5000))
    data = ("id,name\n" + rows + "9999,Muñoz\n").encode("cp1252")
    table = io.read_table(write(tmp_path, "late.csv", data))
    assert table.frame.collect()["name"].to_list()[-1] == "Muñoz"


def test_forced_encoding_is_used(tmp_path: Path) -> None:
    path = write(tmp_path, "l.csv", "n\nFrançoise\n".encode("latin-1"))
    table = io.read_table(path, io.ReadOptions(encoding="latin-1"))
    assert table.detected["encoding"] == "iso8859-1"
    assert table.frame.collect()["n"].item() == "Françoise"


def test_forced_encoding_that_fails_names_the_line(tmp_path: Path) -> None:
    path = write(tmp_path, "bad.csv", "n\nok\nMuñoz\n".encode("cp1252"))
    with pytest.raises(errors.InputError, match="undecodable bytes at line 3"):
        io.read_table(path, io.ReadOptions(encoding="utf-8"))


def test_unknown_forced_encoding(tmp_path: Path) -> None:
    with pytest.raises(errors.InputError, match="unknown encoding 'klingon'"):
        io.read_table(write(tmp_path, "a.csv", "a\n1\n"), io.ReadOptions(encoding="klingon"))


# --------------------------------------------------------------------------- other formats


def test_fixed_width_slices_by_layout_and_rejects_overlong_lines(tmp_path: Path) -> None:
    path = write(tmp_path, "f.txt", "AB  123\nCD  4\n\nEF  567XYZ\n")
    options = io.ReadOptions(fixed_width=[("code", 1, 4), ("num", 5, 3)], has_header=False)
    table = io.read_table(path, options)
    assert table.frame.collect().rows() == [("AB  ", "123", 1), ("CD  ", "4", 2)]
    assert table.rejects["source_row"].to_list() == [4]
    assert "longer than the fixed-width layout (10 > 7" in table.rejects["reason"].item()
    assert table.rows_read == 3


def test_fixed_width_header_line_is_skipped(tmp_path: Path) -> None:
    path = write(tmp_path, "f.txt", "CODENUM\nAB  123\n")
    options = io.ReadOptions(fixed_width=[("code", 1, 4), ("num", 5, 3)], has_header=True)
    assert io.read_table(path, options).frame.collect().rows() == [("AB  ", "123", 1)]


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


def test_parquet_columns_are_cast_to_text(tmp_path: Path) -> None:
    path = tmp_path / "p.parquet"
    pl.DataFrame({"phone": [2125550142], "zip": [2134.0]}).write_parquet(path)
    assert io.read_table(path).frame.collect().rows() == [("2125550142", "2134.0", 1)]


def test_progress_is_quiet_without_a_terminal(capsys: pytest.CaptureFixture[str]) -> None:
    with io.progress("reading", 10) as advance:
        advance(5)
    assert capsys.readouterr().out == ""


def test_mask_phone_keeps_only_the_last_four_digits() -> None:
    assert io.mask_phone("+1 (212) 555-0142") == "+* (***) ***-0142"
    assert io.mask_phone("02134") == "02134"
    assert io.mask_text("call 212-555-0142 now, ZIP 02134") == "call ***-***-0142 now, ZIP 02134"


# --------------------------------------------------------------------------- the corpus


def run_stages(entry: dict[str, Any]) -> dict[str, Any]:
    """Read, map, select and validate a corpus file the way the ingest does."""
    path = CORPUS / entry["file"]
    spec_path = CORPUS / entry["spec"] if entry.get("spec") else None
    options = spec.read_options(spec_path, **entry.get("options", {}))
    table = io.read_table(path, options)
    import_spec = spec.load_spec(
        spec_path, columns=table.frame.collect_schema().names(), source=str(path)
    )
    rows = mapping.mapped_rows(table.frame, import_spec)
    kept, excluded = mapping.selected_rows(rows, import_spec)
    valid, row_rejects = schemas.validated(kept.collect(), schemas.InputRow)
    rejects = pl.concat(
        [
            table.rejects,
            excluded.collect().select(
                "source_row",
                pl.lit(None, pl.String).alias("field"),
                pl.col("_excluded_by").alias("reason"),
                pl.lit(None, pl.String).alias("raw"),
            ),
            row_rejects,
        ]
    )
    values = mapping.phone_values(valid.lazy(), import_spec).collect()
    return {
        "table": table,
        "spec": import_spec,
        "valid": valid,
        "rejects": rejects,
        "values": values,
    }


def entry_id(entry: dict[str, Any]) -> str:
    extra = entry.get("spec") or ",".join(f"{k}={v}" for k, v in entry.get("options", {}).items())
    return entry["file"] + (f"[{extra}]" if extra else "")


def test_corpus_is_large_and_consistent() -> None:
    files = {e["file"] for e in EXPECTED}
    assert len(files) >= 25
    for entry in EXPECTED:
        assert (CORPUS / entry["file"]).exists(), entry["file"]
        if "error" not in entry:
            assert entry["rows_read"] == entry["rows_accepted"] + entry["rows_rejected"]


@pytest.mark.parametrize("entry", EXPECTED, ids=entry_id)
def test_corpus_file(entry: dict[str, Any]) -> None:
    if "error" in entry:
        kind = getattr(errors, entry["error_type"])
        with pytest.raises(kind) as info:
            run_stages(entry)
        assert entry["error"] in str(info.value)
        assert "\n" not in str(info.value)
        return
    out = run_stages(entry)
    table, valid, rejects, values = out["table"], out["valid"], out["rejects"], out["values"]
    for key, value in entry.get("detected", {}).items():
        assert table.detected[key] == value, key
    assert table.rows_read == entry["rows_read"]
    assert rejects["source_row"].n_unique() == entry["rows_rejected"]
    assert valid.height == entry["rows_accepted"]
    for expected in entry.get("rejects", []):
        found = rejects.filter(
            (pl.col("source_row") == expected["row"])
            & pl.col("reason").str.contains(expected["reason"], literal=True)
        )
        assert found.height == 1, expected
        assert found["field"].item() == expected["field"]
    assert values.height == entry["phone_values"]
    assert valid.height - valid["row_hash"].n_unique() == entry.get("duplicate_rows", 0)
    for expected in entry.get("values", []):
        row = valid.filter(pl.col("source_row") == expected["row"])
        assert row.height == 1, expected
        assert _value(row, values, expected["row"], expected["field"]) == expected["value"]
    for field, (kind, country) in entry.get("phone_types", {}).items():
        found = values.filter(pl.col("phone_field") == field)
        assert set(found["contact_info_type"]) == {kind}, field
        assert set(found["default_country"].fill_null(country)) == {country}, field


def _value(row: pl.DataFrame, values: pl.DataFrame, source_row: int, field: str) -> Any:
    if field.startswith("user_fields."):
        return json.loads(row["user_fields"].item())[field.removeprefix("user_fields.")]
    if field.startswith("phone:"):
        return row[field.removeprefix("phone:")].item()
    return row[field].item()


def test_corpus_lossy_scientific_phone_is_flagged() -> None:
    entry = next(e for e in EXPECTED if e["file"] == "scientific_phones.csv")
    values = run_stages(entry)["values"]
    flagged = values.filter(pl.col("phone_issue").is_not_null())
    assert flagged.select("source_row", "phone_field").rows() == [(2, "home_phone")]


# --------------------------------------------------------------------------- reader paths


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


def test_irregular_quoting_falls_back_to_the_csv_module(tmp_path: Path) -> None:
    table = io.read_table(write(tmp_path, "m.csv", 'a,b\n1,12" pizza\n2,x\n'))
    assert table.detected["reader"] == "csv"
    assert table.frame.collect().rows() == [("1", '12" pizza', 1), ("2", "x", 2)]


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


# --------------------------------------------------------------------------- lazy delimited reading


def _eager_polars_rows(path: Path, table: io.RawTable) -> list[tuple[Any, ...]]:
    """The rows the former eager reading gave: read_csv whole, minus blank and rejected rows."""
    frame = table.frame.collect()
    names = [c for c in frame.columns if c != "source_row"]
    eager = pl.read_csv(
        path,
        new_columns=names,
        separator=str(table.detected["delimiter"]),
        infer_schema=False,
        truncate_ragged_lines=True,
        empty_string_is_null=False,
        raise_if_empty=False,
    ).with_columns(source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    return eager.filter(pl.col("source_row").is_in(frame["source_row"].implode())).rows()


@pytest.mark.parametrize(
    "entry",
    [e for e in EXPECTED if "error" not in e and not e.get("spec")],
    ids=entry_id,
)
def test_lazy_polars_frame_matches_an_eager_read(entry: dict[str, Any]) -> None:
    path = CORPUS / entry["file"]
    table = io.read_table(path, io.ReadOptions(**entry.get("options", {})))
    if table.detected.get("reader") != "polars" or table.detected.get("encoding") != "utf-8":
        pytest.skip("not read lazily")
    frame = table.frame.collect()
    assert frame.rows() == _eager_polars_rows(path, table)
    assert frame.height + table.rejects.height == table.rows_read


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
        monkeypatch.setattr(io, "_SHAPE_BLOCK", block)
        table = io.read_table(path)
        assert table.frame.collect().rows() == whole.frame.collect().rows(), block
        assert table.rejects.rows() == whole.rejects.rows(), block
        assert table.rows_read == whole.rows_read == len(rows) + 1 - 7
        assert table.detected == whole.detected
    assert whole.detected["blank_lines"] == 7
    assert whole.rejects["source_row"].to_list()[:2] == [3, 6]


def test_lazy_frame_slices_read_only_their_rows(tmp_path: Path) -> None:
    path = write(tmp_path, "s.csv", "a,b\n" + "".join(f"{i},x\n" for i in range(1, 11)) + "\n1\n")
    table = io.read_table(path)
    assert isinstance(table.frame, pl.LazyFrame)
    assert table.frame.slice(3, 4).collect()["source_row"].to_list() == [4, 5, 6, 7]
    assert table.frame.slice(8, 5).collect()["source_row"].to_list() == [9, 10]


def test_a_column_named_source_row_is_replaced_in_place(tmp_path: Path) -> None:
    table = io.read_table(write(tmp_path, "r.csv", "source_row,b\nx,1\n\ny,2\n"))
    frame = table.frame.collect()
    assert frame.columns == ["source_row", "b"]
    assert frame.rows() == [(1, "1"), (3, "2")]


def test_transcoded_input_stays_readable_after_its_temp_copy_is_gone(tmp_path: Path) -> None:
    path = write(tmp_path, "w.csv", "name,phone\nMuñoz,2125550142\n".encode("cp1252"))
    table = io.read_table(path)
    assert table.detected["encoding"] == "cp1252"
    assert table.frame.collect().rows() == [("Muñoz", "2125550142", 1)]
