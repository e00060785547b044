"""Tests of transforms/zones.py: candidates, zone name and source, implicated states.

Small inline lookups test the transform alone; the hand-checked table runs it with the real
lookups of reference/zones.py (their own tests: tests/reference/test_zones.py).
"""

from __future__ import annotations

import csv
from pathlib import Path

import polars as pl
import pytest

from cxpipeline.reference.zones import zone_lookups
from cxpipeline.transforms import zones
from cxpipeline.transforms.phones import normalised_phones
from cxpipeline.transforms.zones import ZoneLookups, record_zones

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "tests" / "data" / "numbers_expected.csv"


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


def test_every_input_column_comes_back_unchanged_and_in_place():
    # The zones are worked out on their input columns alone and set back beside the records.
    rows = [
        {"raw_phone": p, "postal_code": z, "state_code": s}
        for p in ("212-736-5000", "850-224-5000", "+44 20 7946 0000")
        for z in ("10001", None, "32501")
        for s in (None, "NJ")
    ] * 7
    given = records(rows).with_columns(note=pl.col("source_row").cast(pl.String) + "!").collect()
    out = record_zones(given.lazy(), zone_lookups()).collect()
    added = ["tz_candidates", "tz_name", "tz_source", "states"]
    assert out.columns == [*given.columns, *added]
    kept = [c for c in given.columns if c != "state_code"]
    assert out.select(kept).equals(given.select(kept))
    # state_code only gains the ZIP's state where it was empty.
    filled = given["state_code"].is_not_null()
    assert out.filter(filled)["state_code"].equals(given.filter(filled)["state_code"])


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


# ------------------------------------------------------------------ small inline lookups

STR_LIST = pl.List(pl.String)


def tiny_lookups() -> ZoneLookups:
    """Two area codes, two ZIPs, one Canadian prefix: enough to exercise every branch."""
    return ZoneLookups(
        zip_zones=pl.DataFrame(
            {
                "postal_code": ["10001", "60601"],
                "zip_state": ["NY", "IL"],
                "zip_tz": ["America/New_York", "America/Chicago"],
                "zip_area_codes": [["212"], ["312"]],
            },
            schema_overrides={"zip_area_codes": STR_LIST},
        ),
        area_code_zones=pl.DataFrame(
            {
                "phone_country_code": [1, 1],
                "area_code": ["212", "850"],
                "ac_region": ["US", "US"],
                "ac_zones": [["America/New_York"], ["America/Chicago", "America/New_York"]],
                "ac_states": [["NY"], ["FL"]],
                "ac_primary_zone": ["America/New_York", "America/New_York"],
            }
        ),
        prefix_zones=pl.DataFrame(
            {"prefix": ["1212736", "44"], "prefix_len": [7, 2]},
        ).with_columns(
            prefix_zone_list=pl.Series([["America/New_York"], ["Europe/London"]], dtype=STR_LIST)
        ),
        ca_postal_zones=pl.DataFrame(
            {"ca_prefix": ["S"], "ca_province": ["SK"], "ca_zones": [["America/Regina"]]}
        ),
        zone_names=pl.DataFrame({"name_key": ["est"], "zone": ["America/New_York"]}),
        country_zones=pl.DataFrame(
            {"phone_region": ["GB"], "country_zone_list": [["Europe/London"]]}
        ),
        us_states=("FL", "IL", "NY"),
        presumption_states=("FL",),
    )


def inline(**columns: list) -> pl.LazyFrame:
    """Stage-2 phone columns and address columns, every string column typed."""
    n = len(next(iter(columns.values())))
    strings = (
        "phone_region",
        "area_code",
        "national_number",
        "number_type",
        "postal_code",
        "state_code",
        "country_code_iso",
        "tz_name_input",
    )
    data = {c: columns.get(c, [None] * n) for c in strings}
    return pl.LazyFrame(
        {"phone_country_code": columns["phone_country_code"], **data},
        schema_overrides={c: pl.String for c in strings} | {"phone_country_code": pl.Int64},
    )


def test_inline_lookups_drive_every_source():
    rows = [
        # (country code, region, area code, national number, type, postal code, zone field)
        (1, "US", "212", "2127365000", "FIXED_LINE", None, None),
        (1, "US", "850", "8502245000", "FIXED_LINE", None, None),
        (1, "US", "212", "2127365000", "FIXED_LINE_OR_MOBILE", "60601", None),
        (1, "US", "850", "8502245000", "FIXED_LINE", "10001", None),
        (44, "GB", None, "2071234567", "FIXED_LINE", None, None),
        (1, "US", "212", "2127365000", "FIXED_LINE", None, "EST"),
        (1, "US", "212", "2125551234", "MOBILE", None, None),  # a US mobile locates no one
    ]
    names = ["phone_country_code", "phone_region", "area_code", "national_number"]
    names += ["number_type", "postal_code", "tz_name_input"]
    columns = {name: [row[i] for row in rows] for i, name in enumerate(names)}
    out = record_zones(inline(**columns), tiny_lookups()).collect()
    got = out.select("tz_candidates", "tz_name", "tz_source", "states", "state_code").rows()
    ny, chi = "America/New_York", "America/Chicago"
    assert got == [
        ([ny], ny, "area_code_exchange", ["NY"], None),
        ([chi, ny], ny, "area_code", ["FL"], None),
        ([chi, ny], chi, "postal_code+area_code", ["IL"], "IL"),
        ([ny], ny, "postal_code", ["FL", "NY"], "NY"),
        (["Europe/London"], "Europe/London", "country", [], None),
        ([ny], ny, "explicit", ["NY"], None),
        ([], None, "none", ["NY"], None),
    ]


def test_inline_canadian_postal_code_and_empty_phone():
    out = record_zones(
        inline(
            phone_country_code=[None],
            postal_code=["s4p 3v7"],
            country_code_iso=["ca"],
        ),
        tiny_lookups(),
    ).collect()
    row = out.row(0, named=True)
    assert (row["tz_candidates"], row["tz_name"], row["tz_source"]) == (
        ["America/Regina"],
        "America/Regina",
        "postal_code",
    )
    assert row["states"] == []


# ------------------------------------------------------------------ numbers of another country


@pytest.mark.parametrize(
    ("raw_phone", "foreign_zone"),
    [("+44 20 7946 0958", "Europe/London"), ("+52 55 5555 1234", "America/Mexico_City")],
)
def test_a_foreign_number_on_a_us_address_adds_its_own_zones(raw_phone, foreign_zone):
    got = one(raw_phone=raw_phone, postal_code="60601", country_code_iso="US")
    assert got["tz_candidates"] == sorted(["America/Chicago", foreign_zone])
    assert got["tz_name"] == "America/Chicago"  # the address' clock stays the record's
    assert got["tz_source"] == "postal_code+number_country"
    explicit = one(raw_phone=raw_phone, postal_code="60601", tz_name_input="America/Chicago")
    assert explicit["tz_candidates"] == sorted(["America/Chicago", foreign_zone])
    assert explicit["tz_source"] == "explicit+number_country"


def test_a_domestic_or_territory_number_adds_nothing():
    assert one(raw_phone="(312) 555-0101", postal_code="60601")["tz_source"] == "postal_code"
    # The country comes from the postal code when the field is empty; PR is served by US ZIPs.
    puerto_rico = one(raw_phone="(787) 555-0101", postal_code="00901", country_code_iso="US")
    assert puerto_rico["tz_candidates"] == ["America/Puerto_Rico"]


def test_only_area_codes_split_between_zones_keep_their_exchanges_in_the_key():
    prefixes = pl.DataFrame(
        {
            "prefix": ["1", "1212", "1270", "1270555", "12705", "4420", "4420123"],
            "prefix_len": [1, 4, 4, 7, 5, 4, 7],
        }
    )
    # 270 is split (a 7- and a 5-digit prefix), 212 is not; +44's depth is not NANP's.
    assert zones._nanp_deep_heads(prefixes) == ["1270"]
