"""Import-spec model: recognised headers, device types, selection rules, value checks."""

from __future__ import annotations

from pathlib import Path

import pytest

from cxpipeline import spec
from cxpipeline.spec import model


def write_spec(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spec.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_recognised_headers_are_case_and_spacing_insensitive() -> None:
    result = spec.load_spec(
        None,
        columns=["Client ID", "FIRST NAME", "Last-Name", "Home Phone", "Phone 1", "ZIP",
                 "State", "Country", "TimeZone", "Other 3", "Segment", "source_row"],
    )  # fmt: skip
    assert dict(result.fields) == {
        "Client ID": "client_id",
        "FIRST NAME": "first_name",
        "Last-Name": "last_name",
        "ZIP": "postal_code",
        "State": "state_code",
        "Country": "country_code_iso",
        "TimeZone": "tz_name_input",
        "Other 3": "other3",
    }
    assert [(p.column, p.name, p.index, p.contact_info_type) for p in result.phones] == [
        ("Home Phone", "home_phone", 0, 1),
        ("Phone 1", "phone1", 1, 1),
    ]
    assert result.user_fields == (("Segment", "Segment"),)


def test_recognised_phone_headers_get_their_device_types() -> None:
    result = spec.load_spec(None, columns=["business_phone", "mobile_phone", "vacation_phone"])
    assert [p.contact_info_type for p in result.phones] == [2, 4, 5]


@pytest.mark.parametrize("kind", ["mobile", "MOBILE", "mobile_phone", "4", 4])
def test_device_type_by_name_or_number(tmp_path: Path, kind: object) -> None:
    path = write_spec(tmp_path, f"phones:\n  - {{column: Tel, type: {kind}}}\n")
    assert spec.load_spec(path, columns=["Tel"]).phones[0].contact_info_type == 4


def test_selection_rules_are_resolved(tmp_path: Path) -> None:
    path = write_spec(
        tmp_path,
        """
selection:
  - name: east
    action: include
    when:
      - {field: state, in: [NY, NJ]}
      - {field: zip, prefix: ["07"]}
      - {area_code: [212]}
  - name: closed
    action: exclude
    when:
      - {field: Segment, not_in: [open]}
""",
    )
    result = spec.load_spec(path, columns=["State", "ZIP", "phone", "Segment"])
    east, closed = result.selection
    assert east.action == "include"
    assert [(c.op, c.field, c.values, c.user_field) for c in east.conditions] == [
        ("in", "state_code", ("NY", "NJ"), False),
        ("prefix", "postal_code", ("07",), False),
        ("area_code", None, ("212",), False),
    ]
    assert [(c.op, c.field, c.user_field) for c in closed.conditions] == [
        ("not_in", "Segment", True)
    ]


def test_header_key_and_recognised_fields() -> None:
    assert spec.header_key(" Home-Phone ") == "homephone"
    assert spec.header_key("Phone.1") == spec.header_key("phone_1") == "phone1"
    assert spec.recognised_field("Zip Code") == "postal_code"
    assert spec.recognised_field("TIME ZONE") == "tz_name_input"
    assert spec.recognised_field("Segment") is None


def test_phone_names_and_countries() -> None:
    assert model.phone_name("UK Tel") == "uk_tel_phone"
    assert model.phone_name("work_phone") == "work_phone"
    assert model.phone_name("!!") == "col_phone"
    assert model.check_country(" gb ", None, "x") == "GB"
    assert model.check_country(None, None, "x") is None
