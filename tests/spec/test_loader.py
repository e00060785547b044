"""Import-spec loader: YAML parsing, resolution against columns, read options, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpipeline import errors, spec


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_no_phone_column_is_an_input_error_naming_the_file() -> None:
    with pytest.raises(errors.InputError, match="no recognisable phone column") as info:
        spec.load_spec(None, columns=["client_id", "name"], source="list.csv")
    assert "list.csv" in str(info.value)


def test_two_columns_for_one_field_without_a_spec() -> None:
    with pytest.raises(errors.InputError, match="both map to postal_code"):
        spec.load_spec(None, columns=["zip", "Postal Code", "phone"])


def test_spec_maps_headers_phones_types_and_countries(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        """
columns:
  Cust No: client_id
  surname: last_name        # matched case-insensitively
  Cell: mobile_phone
  Region: sales_region
phones:
  - {column: Work Tel, type: direct_business_phone, name: work_phone}
  - {column: UK Tel, type: 1, country: gb}
default_country: us
trim: false
""",
    )
    result = spec.load_spec(
        path, columns=["Cust No", "Surname", "Work Tel", "Cell", "UK Tel", "Region", "Misc"]
    )
    assert dict(result.fields) == {"Cust No": "client_id", "Surname": "last_name"}
    assert [
        (p.column, p.name, p.index, p.contact_info_type, p.default_country) for p in result.phones
    ] == [
        ("Work Tel", "work_phone", 0, 2, None),
        ("Cell", "mobile_phone", 1, 4, None),
        ("UK Tel", "uk_tel_phone", 2, 1, "GB"),
    ]
    assert result.user_fields == (("Region", "sales_region"), ("Misc", "Misc"))
    assert result.default_country == "US"
    assert result.trim is False
    assert result.source == str(path)


def test_read_options_from_spec_and_command_line(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "read:\n  delimiter: tab\n  encoding: cp1252\n  sheet: Data\n",
    )
    options = spec.read_options(path, encoding="utf-8")
    assert options.delimiter == "tab"
    assert options.encoding == "utf-8"  # the command line wins
    assert options.sheet == "Data"
    assert options.has_header is True
    assert spec.read_options(None).fixed_width is None


def test_fixed_width_layout_defaults_to_no_header(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        "read:\n  fixed_width:\n    - {name: a, start: 1, length: 3}\n"
        "    - {name: phone, start: 4, length: 10}\n",
    )
    options = spec.read_options(path)
    assert options.fixed_width == (("a", 1, 3), ("phone", 4, 10))
    assert options.has_header is False


@pytest.mark.parametrize(
    ("text", "field", "message"),
    [
        ("columns:\n  Nope: client_id\n", "columns.Nope", "unknown column 'Nope'"),
        ("phones:\n  - {column: Nope}\n", "phones.0.column", "unknown column 'Nope'"),
        ("phones:\n  - {column: Tel, type: fax}\n", "phones.0.type", "unknown device type"),
        ("phones:\n  - {column: Tel, type: 11}\n", "phones.0.type", "unknown device type"),
        ("phones:\n  - {column: Tel, country: USA}\n", "phones.0.country", "two-letter"),
        ("default_country: 1\n", "default_country", "valid string"),
        ("colums:\n  a: b\n", "colums", "Extra inputs are not permitted"),
        ("columns:\n  Tel: row_hash\n", "columns.Tel", "cannot map a column onto"),
        (
            "read:\n  fixed_width:\n    - {name: a, start: 0, length: 3}\n",
            "read.fixed_width.0.start",
            "greater than or equal to 1",
        ),
        (
            "read:\n  fixed_width:\n    - {name: a, start: 1, length: 5}\n"
            "    - {name: b, start: 3, length: 2}\n",
            "read.fixed_width",
            "bad position: 'b' starts at 3, inside 'a'",
        ),
        (
            "selection:\n  - {name: r, action: include, when: [{field: nope, in: [x]}]}\n",
            "selection.0.when.0.field",
            "bad rule: unknown field 'nope'",
        ),
        (
            "selection:\n  - {name: r, action: include, when: [{area_code: ['12']}]}\n",
            "selection.0.when.0.area_code",
            "bad rule: '12' is not a 3-digit area code",
        ),
        (
            "selection:\n  - {name: r, action: include, when: [{field: zip, prefix: [7]}]}\n",
            "selection.0.when.0.prefix",
            "quote prefixes",
        ),
        (
            "selection:\n  - {name: r, action: include, when: [{field: zip}]}\n",
            "selection.0.when.0",
            "exactly one of",
        ),
        (
            "selection:\n  - {name: r, action: keep, when: [{field: zip, in: [x]}]}\n",
            "selection.0.action",
            "'include' or 'exclude'",
        ),
        (
            "selection:\n  - {name: r, action: include, when: [{field: zip, in: [1]}]}\n"
            "  - {name: r, action: exclude, when: [{field: zip, in: [2]}]}\n",
            "selection.1.name",
            "used twice",
        ),
    ],
)
def test_spec_errors_name_the_spec_file_and_field(
    tmp_path: Path, text: str, field: str, message: str
) -> None:
    path = write_spec(tmp_path, text)
    with pytest.raises(errors.SpecError) as info:
        spec.read_options(path)
        spec.load_spec(path, columns=["Tel", "zip", "phone"])
    assert info.value.field == field
    assert message in str(info.value)
    assert str(path) in str(info.value)
    assert "\n" not in str(info.value)


def test_invalid_yaml_names_the_line(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "columns:\n  a: [b\n")
    with pytest.raises(errors.SpecError, match=r"not valid YAML: .*\(line \d\)"):
        spec.load_spec(path, columns=["a"])


def test_missing_spec_file(tmp_path: Path) -> None:
    with pytest.raises(errors.SpecError, match="spec file not found"):
        spec.load_spec(tmp_path / "nope.yaml", columns=["phone"])


def test_empty_spec_file_means_recognised_headers(tmp_path: Path) -> None:
    result = spec.load_spec(write_spec(tmp_path, ""), columns=["phone", "zip"])
    assert result.phone_names == ("phone",)
    assert dict(result.fields) == {"zip": "postal_code"}


def test_a_phone_may_take_its_extension_from_another_column(tmp_path: Path) -> None:
    path = write_spec(tmp_path, "phones:\n  - {column: contact_info, extension: Ext}\n")
    result = spec.load_spec(path, columns=["contact_info", "ext"])
    assert [(p.column, p.extension) for p in result.phones] == [("contact_info", "ext")]
    missing = write_spec(tmp_path, "phones:\n  - {column: contact_info, extension: Extn}\n")
    with pytest.raises(errors.SpecError) as info:
        spec.load_spec(missing, columns=["contact_info", "ext"])
    assert info.value.field == "phones.0.extension"
