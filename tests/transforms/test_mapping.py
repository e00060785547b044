"""Mapping raw text rows: cleaning, ZIP repair, user fields, phone values, selection rules."""

from __future__ import annotations

import json
from pathlib import Path

import polars as pl
import pytest

from cxpipeline import spec
from cxpipeline.transforms import mapping


def raw(**columns: list[str | None]) -> pl.LazyFrame:
    height = len(next(iter(columns.values())))
    return pl.DataFrame(
        {**columns, "source_row": list(range(1, height + 1))},
        schema={**dict.fromkeys(columns, pl.String), "source_row": pl.Int64},
    ).lazy()


def mapped(frame: pl.LazyFrame, spec_path: Path | None = None) -> pl.DataFrame:
    import_spec = spec.load_spec(spec_path, columns=frame.collect_schema().names())
    return mapping.mapped_rows(frame, import_spec).collect()


def test_mapped_rows_have_every_canonical_column() -> None:
    rows = mapped(raw(phone=["2125550142"]))
    assert rows.columns[:9] == [
        "source_row", "client_id", "first_name", "last_name", "company", "postal_code",
        "state_code", "country_code_iso", "tz_name_input",
    ]  # fmt: skip
    assert rows.columns[9:29] == [f"other{i}" for i in range(1, 21)]
    assert rows.columns[29:] == ["phone", "phone_count", "user_fields", "row_hash"]
    assert rows.schema["row_hash"] == pl.UInt64
    assert rows.schema["phone_count"] == pl.Int64


def test_text_is_trimmed_nbsp_is_space_and_empty_is_null() -> None:
    rows = mapped(
        raw(first_name=["  Ann\u00a0", "\u00a0", "", "Anne  Marie"], phone=["1", "2", "3", "4"])
    )
    assert rows["first_name"].to_list() == ["Ann", None, None, "Anne  Marie"]


def test_trim_false_keeps_spaces_but_empty_is_still_null(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text("trim: false\n")
    rows = mapped(raw(first_name=[" Ann\u00a0", ""], phone=["1", "2"]), path)
    assert rows["first_name"].to_list() == [" Ann ", None]


@pytest.mark.parametrize(
    ("cell", "cleaned"),
    [
        ("2125550142.0", "2125550142"),
        ("2.125550142E+09", "2125550142"),
        ("2.125550142e9", "2125550142"),
        ("2,125550142E+09", "2125550142"),
        ("2.12555E+09", "2.12555E+09"),  # digits lost: never guess a number
        ("2.1255501425E+09", "2.1255501425E+09"),  # not an integer
        (" (212) 555-0142 ", "(212) 555-0142"),
        ("1.50", "1.50"),
    ],
)
def test_phone_and_id_number_damage_is_undone(cell: str, cleaned: str) -> None:
    rows = mapped(raw(client_id=[cell], phone=[cell]))
    assert rows.select("client_id", "phone").row(0) == (cleaned, cleaned)


@pytest.mark.parametrize(
    ("zip_code", "state", "country", "repaired"),
    [
        ("2134", "MA", None, "02134"),
        ("7030", "NJ", "US", "07030"),
        ("6103", "CT", None, "06103"),
        ("2134", None, None, "02134"),  # a 4-digit US ZIP can only be 0xxxx
        ("601", "PR", None, "00601"),
        ("802", "VI", None, "00802"),
        ("2134-1234", "MA", None, "02134-1234"),
        ("2134.0", "MA", None, "02134"),
        ("7520", "TX", None, "7520"),  # Texas ZIPs do not start with 0: left for validation
        ("601", "MA", None, "601"),  # only PR and VI lost two zeros
        ("601", None, None, "601"),
        ("2134", "MA", "CA", "2134"),  # not a US address
        ("K1A 0B1", "ON", "CA", "K1A 0B1"),
        ("02134", "MA", None, "02134"),
    ],
)
def test_zip_leading_zeros_are_repaired_where_right(
    zip_code: str, state: str | None, country: str | None, repaired: str
) -> None:
    rows = mapped(raw(zip=[zip_code], state=[state], country=[country], phone=["1"]))
    assert rows["postal_code"].item() == repaired


def test_state_and_country_names_become_codes() -> None:
    rows = mapped(
        raw(
            state=["ny", "Massachusetts", " new york ", "Ontario"],
            country=["usa", "United States", "Canada", "de"],
            phone=["1", "2", "3", "4"],
        )
    )
    assert rows["state_code"].to_list() == ["NY", "MA", "NY", "ONTARIO"]
    assert rows["country_code_iso"].to_list() == ["US", "US", "CA", "DE"]


def test_unrecognised_columns_become_user_fields_json() -> None:
    rows = mapped(raw(phone=["1", "2"], Segment=["gold", " "], **{"Balance Due": ["1.0", None]}))
    assert [json.loads(u) for u in rows["user_fields"]] == [
        {"Segment": "gold", "Balance Due": "1.0"},
        {"Segment": None, "Balance Due": None},
    ]
    assert "Segment" not in rows.columns


def test_no_user_fields_is_an_empty_object() -> None:
    assert mapped(raw(phone=["1"]))["user_fields"].item() == "{}"


def test_row_hash_spots_duplicate_rows_only() -> None:
    rows = mapped(
        raw(
            client_id=["1", "1", "1", "1"],
            phone=["2125550142", "2125550142", "2125550142", "2125550143"],
            Note=["a", "a", "b", "a"],
        )
    )
    hashes = rows["row_hash"].to_list()
    assert hashes[0] == hashes[1]
    assert len(set(hashes)) == 3


def test_phone_count_counts_non_empty_phone_cells() -> None:
    rows = mapped(raw(home_phone=["1", " ", None], mobile_phone=["2", "3", "\u00a0"]))
    assert rows["phone_count"].to_list() == [2, 1, 0]


# --------------------------------------------------------------------------- phone values


def test_phone_values_melt_non_empty_phones_in_row_then_column_order(tmp_path: Path) -> None:
    path = tmp_path / "s.yaml"
    path.write_text(
        "phones:\n  - {column: UK Tel, country: GB, type: mobile}\ndefault_country: US\n"
    )
    frame = raw(
        mobile_phone=["9175550101", None, "6175550100"],
        **{"UK Tel": ["020 7946 0958", None, None]},
        home_phone=["2.125550142E+09", "2.12555E+09", ""],
        country=[None, "CA", None],
    )
    import_spec = spec.load_spec(path, columns=frame.collect_schema().names())
    rows = mapping.mapped_rows(frame, import_spec)
    values = mapping.phone_values(rows, import_spec).collect()
    assert values.columns == [
        "source_row", "phone_field", "phone_index", "contact_info_type", "default_country",
        "raw_phone", "phone_issue",
    ]  # fmt: skip
    assert values.drop("phone_issue").rows() == [
        (1, "mobile_phone", 0, 4, "US", "9175550101"),
        (1, "UK Tel", 1, 4, "GB", "020 7946 0958"),
        (1, "home_phone", 2, 1, "US", "2125550142"),
        (2, "home_phone", 2, 1, "CA", "2.12555E+09"),
        (3, "mobile_phone", 0, 4, "US", "6175550100"),
    ]
    issues = values["phone_issue"].to_list()
    assert [issue is not None for issue in issues] == [False, False, False, True, False]
    assert "lost digits" in issues[3]


def test_phone_values_default_country_is_null_without_any_source() -> None:
    frame = raw(phone=["2125550142"])
    import_spec = spec.load_spec(None, columns=frame.collect_schema().names())
    values = mapping.phone_values(mapping.mapped_rows(frame, import_spec), import_spec)
    assert values.collect()["default_country"].to_list() == [None]


# --------------------------------------------------------------------------- selection


def select(tmp_path: Path, rules: str, frame: pl.LazyFrame) -> tuple[list[int], dict[int, str]]:
    path = tmp_path / "rules.yaml"
    path.write_text("selection:\n" + rules)
    import_spec = spec.load_spec(path, columns=frame.collect_schema().names())
    kept, excluded = mapping.selected_rows(mapping.mapped_rows(frame, import_spec), import_spec)
    excluded_df = excluded.collect()
    return (
        kept.collect()["source_row"].to_list(),
        dict(zip(excluded_df["source_row"], excluded_df["_excluded_by"], strict=True)),
    )


PEOPLE = raw(
    state=["NY", "NJ", "MA", None, "IL"],
    zip=["10001", "07030", "02134", None, "60601"],
    phone=["2125550142", "+1 201 555 0123", "6175550100", "13125550177", "312-555-0100"],
    last_name=["Alpha", "TEST", "Gamma", "Delta", "Eps"],
    Segment=["gold", "gold", "gold", "closed", None],
)


def test_include_sets_are_or_and_conditions_are_and(tmp_path: Path) -> None:
    kept, excluded = select(
        tmp_path,
        """
  - name: east
    action: include
    when:
      - {field: state_code, in: [ny, nj]}
      - {field: postal_code, prefix: ["1"]}
  - name: chicago
    action: include
    when:
      - {area_code: [312]}
""",
        PEOPLE,
    )
    assert kept == [1, 4, 5]
    assert excluded == {
        2: "excluded by rule east or chicago",
        3: "excluded by rule east or chicago",
    }


def test_exclude_sets_name_the_first_matching_rule(tmp_path: Path) -> None:
    kept, excluded = select(
        tmp_path,
        """
  - name: tests
    action: exclude
    when:
      - {field: last_name, in: [test]}
  - name: closed
    action: exclude
    when:
      - {field: Segment, in: [closed]}
  - name: no_area_201
    action: exclude
    when:
      - {area_code: [201]}
""",
        PEOPLE,
    )
    assert kept == [1, 3, 5]
    assert excluded == {2: "excluded by rule tests", 4: "excluded by rule closed"}


def test_not_in_keeps_missing_values_and_in_never_matches_them(tmp_path: Path) -> None:
    kept, _ = select(
        tmp_path,
        """
  - name: open_only
    action: include
    when:
      - {field: Segment, not_in: [closed]}
""",
        PEOPLE,
    )
    assert kept == [1, 2, 3, 5]


def test_no_rules_keep_everything(tmp_path: Path) -> None:
    import_spec = spec.load_spec(None, columns=PEOPLE.collect_schema().names())
    kept, excluded = mapping.selected_rows(mapping.mapped_rows(PEOPLE, import_spec), import_spec)
    assert kept.collect().height == 5
    assert excluded.collect().height == 0


def test_an_extension_column_travels_with_its_number(tmp_path: Path) -> None:
    spec_path = tmp_path / "spec.yaml"
    spec_path.write_text("phones:\n  - {column: contact_info, extension: extension}\n")
    frame = raw(contact_info=["+16173532011", "+16173532012", None], extension=["204", " ", "9"])
    rows = mapped(frame, spec_path)
    assert rows["contact_info_phone"].to_list() == ["+16173532011;ext=204", "+16173532012", None]
