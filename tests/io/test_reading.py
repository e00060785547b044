"""read_table: whole-file errors, and the corpus read, mapped and validated as the ingest does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml

from cxpipeline import errors, io, schemas, spec
from cxpipeline.transforms import mapping

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
EXPECTED = yaml.safe_load((CORPUS / "expected.yaml").read_text(encoding="utf-8"))["files"]


def write(tmp_path: Path, name: str, data: str | bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data.encode() if isinstance(data, str) else data)
    return path


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
