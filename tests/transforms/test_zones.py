"""Tests of transforms/zones.py: candidates, zone name and source, implicated states."""

from __future__ import annotations

import csv
import zoneinfo
from pathlib import Path

import polars as pl
import pytest

from cxpipeline.transforms.phones import normalised_phones
from cxpipeline.transforms.zones import (
    CANADIAN_POSTAL_ZONES,
    ZONE_ABBREVIATIONS_IN,
    record_zones,
    zone_lookups,
)

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "numbers_expected.csv"
EXTRA = ROOT / "src" / "cxpipeline" / "seeds" / "area_code_zones_extra.csv"
RULES = ROOT / "src" / "cxpipeline" / "seeds" / "us_state_calling_rules.csv"


def records(rows: list[dict[str, str | None]]) -> pl.LazyFrame:
    """Phone values through stage 2, joined with the address columns of the rows."""
    n = len(rows)
    values = pl.LazyFrame(
        {
            "source_row": list(range(1, n + 1)),
            "phone_field": ["phone"] * n,
            "phone_index": [0] * n,
            "contact_info_type": [1] * n,
            "default_country": [r.get("default_country") or "US" for r in rows],
            "raw_phone": [r["raw_phone"] for r in rows],
        }
    )
    address = pl.LazyFrame(
        {
            "source_row": list(range(1, n + 1)),
            **{
                col: [r.get(col) or None for r in rows]
                for col in ("postal_code", "state_code", "country_code_iso", "tz_name_input")
            },
        },
        schema_overrides={
            c: pl.String for c in ("postal_code", "state_code", "country_code_iso", "tz_name_input")
        },
    )
    return normalised_phones(values).join(address, on="source_row", maintain_order="left")


def zoned(rows: list[dict[str, str | None]]) -> list[dict]:
    return record_zones(records(rows), zone_lookups()).collect().to_dicts()


def one(**row: str | None) -> dict:
    return zoned([row])[0]


# ------------------------------------------------------------------ hand-checked table


def table_rows() -> list[dict[str, str]]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if not r["reject"]]


@pytest.fixture(scope="module")
def table_result() -> list[dict]:
    return zoned(table_rows())


@pytest.mark.parametrize("case", [r["case"] for r in table_rows()])
def test_hand_checked_zones_and_states(case, table_result):
    rows = table_rows()
    i = next(i for i, r in enumerate(rows) if r["case"] == case)
    want, got = rows[i], table_result[i]
    split = lambda text: [x for x in text.split("|") if x]  # noqa: E731
    assert got["tz_candidates"] == split(want["tz_candidates"])
    assert got["tz_name"] == (want["tz_name"] or None)
    assert got["tz_source"] == want["tz_source"]
    assert got["states"] == split(want["states"])


# ------------------------------------------------------------------ lookups


def test_lookups_are_built_once():
    assert zone_lookups() is zone_lookups()


def test_every_zone_in_the_lookups_is_a_real_iana_zone():
    lookups = zone_lookups()
    known = zoneinfo.available_timezones()
    used = set(lookups.area_code_zones.get_column("ac_zones").explode().drop_nulls())
    used |= set(lookups.zip_zones.get_column("zip_tz"))
    used |= set(lookups.ca_postal_zones.get_column("ca_zones").explode())
    used |= set(ZONE_ABBREVIATIONS_IN.values())
    assert used <= known


def test_extra_csv_rows_have_reasons_and_reach_the_lookup():
    with EXTRA.open(encoding="utf-8", newline="") as handle:
        extra = list(csv.DictReader(handle))
    assert extra
    table = zone_lookups().area_code_zones
    for row in extra:
        assert len(row["comment"].strip()) > 10, row
        assert row["primary"] in {"yes", "no"}
        zones = table.filter(pl.col("area_code") == row["area_code"]).get_column("ac_zones")
        assert zones.len() == 1 and row["tz_name"] in zones[0], row


def test_area_code_zones_merge_more_than_phonenumbers():
    table = zone_lookups().area_code_zones
    zones = dict(zip(table["area_code"], table["ac_zones"].to_list(), strict=True))
    # libphonenumber issue 991 family: phonenumbers alone says Eastern only / Fort_Nelson only.
    assert {"America/New_York", "America/Chicago"} <= set(zones["850"])
    assert {"America/Whitehorse", "America/Iqaluit", "America/Edmonton"} <= set(zones["867"])
    assert "America/Denver" in zones["928"]  # Navajo Nation observes daylight time
    assert "America/Los_Angeles" not in zones["928"]  # California ZIPs listing 928: border noise
    assert "800" not in zones  # toll-free codes have no zone entry


def test_presumption_states_are_read_from_the_rules_table():
    with RULES.open(encoding="utf-8", newline="") as handle:
        expected = {
            r["jurisdiction"] for r in csv.DictReader(handle) if r["area_code_presumption"] == "yes"
        }
    assert set(zone_lookups().presumption_states) == expected
    states = zone_lookups().area_code_zones.explode("ac_states")
    ct_codes = set(states.filter(pl.col("ac_states") == "CT")["area_code"])
    assert ct_codes == {"203", "475", "860", "959"}
    ok_codes = set(states.filter(pl.col("ac_states") == "OK")["area_code"])
    assert ok_codes == {"405", "539", "572", "580", "918"}


def test_canadian_postal_table_covers_every_province_letter():
    letters = {p for p, _, _ in CANADIAN_POSTAL_ZONES if len(p) == 1}
    assert letters == set("ABCEGHJKLMNPRSTVXY")


# ------------------------------------------------------------------ behaviour


def test_output_columns_and_types():
    out = record_zones(records([{"raw_phone": "212-736-5000"}]), zone_lookups()).collect()
    assert out.schema["tz_candidates"] == pl.List(pl.String)
    assert out.schema["states"] == pl.List(pl.String)
    for col in ("tz_name", "tz_source", "state_code"):
        assert out.schema[col] == pl.String
    assert not any(c.startswith("_z") for c in out.columns)
    assert {"e164", "postal_code", "raw_phone"} <= set(out.columns)


def test_row_order_and_count_are_kept():
    rows = [
        {"raw_phone": p, "postal_code": z}
        for p in ("212-736-5000", "850-224-5000")
        for z in ("10001", None, "32501")
    ] * 20
    out = zoned(rows)
    assert len(out) == len(rows)
    assert [r["source_row"] for r in out] == list(range(1, len(rows) + 1))


def test_state_code_is_filled_from_the_zip_only_when_empty():
    assert one(raw_phone="212-736-5000", postal_code="10001")["state_code"] == "NY"
    assert one(raw_phone="212-736-5000", postal_code="10001", state_code="NJ")["state_code"] == "NJ"


def test_explicit_zone_is_case_insensitive_and_wins_over_postal_code():
    row = one(raw_phone="212-736-5000", postal_code="90012", tz_name_input="america/chicago")
    assert (row["tz_candidates"], row["tz_source"]) == (["America/Chicago"], "explicit")


def test_lloydminster_forward_sortation_area_overrides_its_province():
    # Lloydminster keeps Alberta time; 306 serves it (extras CSV), so the postal zone alone.
    row = one(raw_phone="306-825-1234", default_country="CA", postal_code="S9V 0A1")
    assert (row["tz_candidates"], row["tz_source"]) == (["America/Edmonton"], "postal_code")
    row = one(raw_phone="306-825-1234", default_country="CA", postal_code="S4P 3V7")
    assert (row["tz_candidates"], row["tz_source"]) == (["America/Regina"], "postal_code")
    # A Regina address with an Alberta number: both zones.
    row = one(raw_phone="403-555-2368", default_country="CA", postal_code="S4P 3V7")
    assert row["tz_candidates"] == ["America/Edmonton", "America/Regina"]
    assert row["tz_source"] == "postal_code+area_code" and row["tz_name"] == "America/Regina"


def test_rejected_or_non_geographic_numbers_get_no_phone_zone():
    for raw in ("n/a", "212-155-1234", "800-356-9377", "+800 1234 5678"):
        row = one(raw_phone=raw)
        assert (row["tz_candidates"], row["tz_name"], row["tz_source"]) == ([], None, "none"), raw


def test_foreign_state_field_does_not_count_as_us_state_but_blocks_the_fallback():
    row = one(raw_phone="416-326-1234", state_code="ON")
    assert row["states"] == []
    row = one(raw_phone="212-736-5000", state_code="ON")
    assert row["states"] == []  # an address outside the US: no area-code state presumed


def test_no_address_means_area_code_states_apply():
    assert one(raw_phone="850-224-5000")["states"] == ["FL"]
    assert one(raw_phone="850-224-5000", postal_code="30303")["states"] == ["GA"]


def test_upstream_plan_runs_once_through_both_stages():
    # The stages branch internally (distinct keys + join back); the input plan, e.g. reading
    # a large file, must still run once.
    runs = []

    def source(frame: pl.DataFrame) -> pl.DataFrame:
        runs.append(frame.height)
        return frame

    base = records([{"raw_phone": "212-736-5000", "postal_code": "10001"}] * 50).collect()
    lazy = base.lazy().map_batches(source, schema=base.schema)
    out = record_zones(lazy, zone_lookups()).collect()
    assert out.height == 50
    assert runs == [50]
