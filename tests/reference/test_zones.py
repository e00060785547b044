"""Tests of reference/zones.py: the zone lookups' content and their Parquet cache."""

from __future__ import annotations

import csv
import zoneinfo
from dataclasses import fields
from pathlib import Path

import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cxpipeline.reference import zones as reference_zones
from cxpipeline.reference.zone_sources import CANADIAN_POSTAL_ZONES, ZONE_ABBREVIATIONS_IN
from cxpipeline.reference.zones import zone_lookups
from cxpipeline.transforms.zones import ZoneLookups

ROOT = Path(__file__).resolve().parents[2]
EXTRA = ROOT / "src" / "cxpipeline" / "seeds" / "area_code_zones_extra.csv"
RULES = ROOT / "src" / "cxpipeline" / "seeds" / "us_state_calling_rules.csv"


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


# ------------------------------------------------------------------ the Parquet cache


@pytest.fixture
def builds(monkeypatch: pytest.MonkeyPatch) -> list[ZoneLookups]:
    """Count real builds; start and end with an empty in-process memo."""
    made: list[ZoneLookups] = []
    build = reference_zones.build_zone_lookups

    def counted() -> ZoneLookups:
        made.append(build())
        return made[-1]

    reference_zones.clear_memo()
    monkeypatch.setattr(reference_zones, "build_zone_lookups", counted)
    yield made
    reference_zones.clear_memo()


@pytest.fixture
def unpackaged(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Installed versions without a shipped copy: the home cache path."""
    monkeypatch.setattr(reference_zones, "packaged_dir", lambda: tmp_path / "not-shipped")


def assert_same_lookups(got: ZoneLookups, want: ZoneLookups, *, row_order: bool = True) -> None:
    """Every frame equal (values, dtypes, row order if asked) and every tuple equal."""
    for field in fields(ZoneLookups):
        a, b = getattr(got, field.name), getattr(want, field.name)
        if isinstance(b, pl.DataFrame):
            assert_frame_equal(a, b, check_row_order=row_order)
        else:
            assert a == b, field.name


def test_cache_is_written_once_and_read_back(tmp_path, builds, unpackaged):
    first = zone_lookups(tmp_path)
    assert len(builds) == 1
    folder = tmp_path / "zones" / reference_zones.cache_key()
    assert sorted(p.name for p in folder.iterdir()) == sorted(
        [f"{f.name}.parquet" for f in fields(ZoneLookups)] + ["key.json"]
    )
    assert not [p for p in folder.parent.iterdir() if p.name.startswith(".tmp-")]
    assert zone_lookups(tmp_path) is first  # same process: memo
    reference_zones.clear_memo()
    again = zone_lookups(tmp_path)  # a new process: read from disk
    assert len(builds) == 1
    assert again is not first
    assert_same_lookups(again, first)


def test_cached_frames_equal_freshly_built_ones(tmp_path, builds, unpackaged):
    zone_lookups(tmp_path)
    reference_zones.clear_memo()
    cached = zone_lookups(tmp_path)
    # zip_zones comes from a unique() whose row order varies between builds; lookups are only
    # joined on, so their rows are compared as sets here.
    assert_same_lookups(cached, reference_zones.build_zone_lookups(), row_order=False)


def test_without_cache_dir_nothing_is_written_and_built_once(
    tmp_path, builds, monkeypatch, unpackaged
):
    monkeypatch.chdir(tmp_path)
    assert zone_lookups() is zone_lookups()
    assert len(builds) == 1
    assert list(tmp_path.iterdir()) == []
    zone_lookups(tmp_path / "ref")  # the in-memory build is written, not rebuilt
    assert len(builds) == 1
    assert (tmp_path / "ref" / "zones" / reference_zones.cache_key()).is_dir()


def test_changed_key_rebuilds(tmp_path, builds, monkeypatch, unpackaged):
    zone_lookups(tmp_path)
    old = reference_zones.cache_key()
    deps = reference_zones.dependencies()
    changed = {**deps, "packages": {**deps["packages"], "zipcodes": "99.0.0"}}
    monkeypatch.setattr(reference_zones, "dependencies", lambda: changed)
    monkeypatch.setattr(reference_zones, "_versions", lambda: changed["packages"])
    reference_zones.clear_memo()
    zone_lookups(tmp_path)
    new = reference_zones.cache_key()
    assert new != old and "zipcodes99.0.0" in new
    assert len(builds) == 2
    assert {p.name for p in (tmp_path / "zones").iterdir()} == {old, new}


def test_key_depends_on_the_seed_csvs_and_versions():
    deps = reference_zones.dependencies()
    assert set(deps["packages"]) == {"zipcodes", "phonenumbers", "tzdata"}
    assert set(deps["seeds"]) == {EXTRA.name, RULES.name}
    assert reference_zones.cache_key() == reference_zones.cache_key()


def test_shipped_lookups_are_current_and_equal_a_fresh_build(tmp_path, builds):
    # Fails after a version, seed or code-table change: run `python -m cxpipeline.reference.zones`.
    shipped = reference_zones.packaged_dir()
    assert shipped.is_dir(), f"no shipped lookups for {shipped.name}"
    home = tmp_path / "home-reference"
    got = zone_lookups(home)
    assert builds == [] and not home.exists()  # a new home builds and writes nothing
    assert_same_lookups(got, reference_zones.build_zone_lookups(), row_order=False)
