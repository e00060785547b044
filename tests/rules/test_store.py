"""Loading rules (seed CSV, overrides YAML) and storing them in compliance_rules."""

from datetime import date

import duckdb
import polars as pl
import pytest

from cxpipeline import rules, warehouse
from cxpipeline.errors import CxError
from cxpipeline.rules import store


@pytest.fixture(scope="module")
def seed():
    return rules.load_rules(None)


def _yaml(tmp_path, text, name="rules.yaml"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


# --------------------------------------------------------------------------- seed


def test_seed_loads_every_row_typed(seed):
    with rules.seed_path().open(encoding="utf-8") as handle:
        data_rows = sum(1 for _ in handle) - 1
    # 27 US rows (the federal rule once per purpose) + Canada's 2 (CRTC telemarketing hours)
    assert data_rows == 27 and seed.height == data_rows + 2
    assert dict(seed.schema) == rules.RULE_SCHEMA
    us = seed.filter(pl.col("purpose") == "telemarketing", jurisdiction="US").row(0, named=True)
    assert (us["days"], us["start_local"], us["end_local"], us["clock"]) == (
        "Mon-Sun",
        "08:00",
        "21:00",
        "local",
    )
    assert us["effective_from"] == date(1992, 12, 20)
    assert us["origin"] == "seed:us_state_calling_rules.csv" and us["origin_row"] == 1


def test_seed_caps_clock_and_bans(seed):
    capped = seed.filter(pl.col("max_attempts").is_not_null())
    assert sorted(capped["jurisdiction"]) == ["FL", "MD", "OK"]
    assert set(capped["max_attempts"]) == {3} and set(capped["attempt_window_hours"]) == {24}
    assert set(seed.filter(pl.col("jurisdiction") == "MS")["clock"]) == {"Etc/GMT+6"}
    la_sunday = seed.filter((pl.col("jurisdiction") == "LA") & (pl.col("days") == "Sun"))
    assert la_sunday["start_local"].to_list() == [None] and la_sunday["holiday_ban"].to_list() == [
        True
    ]
    assert seed.filter(pl.col("area_code_presumption"))["jurisdiction"].sort().to_list() == [
        "CT",
        "OK",
    ]
    # one version per jurisdiction in the seed: nothing ends
    assert seed["effective_to"].null_count() == seed.height


# --------------------------------------------------------------------------- overrides


def test_override_replaces_the_version_with_the_same_start(tmp_path, seed):
    path = _yaml(
        tmp_path,
        """
rules:
  - jurisdiction: FL
    days: Mon-Sat
    start_local: "09:00"
    end_local: "19:00"
    max_attempts: 2
    attempt_window_hours: 12
    effective_from: 2021-07-01
  - jurisdiction: FL
    days: Sun
    effective_from: 2021-07-01
""",
    )
    loaded = rules.load_rules(path)
    fl = loaded.filter(pl.col("jurisdiction") == "FL").sort("origin_row")
    assert fl["days"].to_list() == ["Mon-Sat", "Sun"]
    assert fl["start_local"].to_list() == ["09:00", None]
    assert fl["origin"].to_list() == [str(path)] * 2
    assert fl["confidence"].to_list() == ["user", "user"]
    assert fl["max_attempts"].to_list() == [2, None]
    assert loaded.height == seed.height + 1  # one seed FL row replaced by two


def test_override_adds_a_later_version_that_ends_the_seed(tmp_path, seed):
    path = _yaml(
        tmp_path,
        """
rules:
  - jurisdiction: TX
    days: Mon-Sun
    start_local: "10:00"
    end_local: "20:00"
    effective_from: 2027-01-01
    effective_to: 2028-01-01
  - jurisdiction: NY
    days: Mon-Sun
    start_local: "09:00"
    end_local: "20:00"
    effective_from: 2026-01-01
""",
    )
    loaded = rules.load_rules(path)
    tx = loaded.filter(pl.col("jurisdiction") == "TX").sort("effective_from", "days")
    assert tx["effective_from"].to_list() == [date(2003, 1, 1)] * 2 + [date(2027, 1, 1)]
    assert tx["effective_to"].to_list() == [date(2027, 1, 1)] * 2 + [date(2028, 1, 1)]
    assert loaded.filter(pl.col("jurisdiction") == "NY").height == 1
    assert loaded.height == seed.height + 2


def test_empty_overrides_file_keeps_the_seed(tmp_path, seed):
    assert rules.load_rules(_yaml(tmp_path, "")).equals(seed)


def test_unreadable_yaml_and_wrong_shape(tmp_path):
    with pytest.raises(CxError) as info:
        rules.load_rules(_yaml(tmp_path, "rules: [\n  - a: b\n"))
    assert "YAML" in info.value.message
    with pytest.raises(CxError) as info:
        rules.load_rules(_yaml(tmp_path, "rules: {a: 1}\n"))
    assert info.value.field == "rules"
    with pytest.raises(CxError) as info:
        rules.load_rules(tmp_path / "missing.yaml")
    assert "not found" in info.value.message


def test_bad_seed_row_is_named(tmp_path, monkeypatch):
    csv_path = tmp_path / "seed.csv"
    csv_path.write_text(
        "jurisdiction,days,start_local,end_local,clock,effective_from\n"
        "US,Mon-Sun,08:00,21:00,local,1992-12-20\n"
        "FL,Mon-Sun,08:00,20:00,Florida/Time,2021-07-01\n",
        encoding="utf-8",
    )
    # load_rules reads the seed through the store module, so patch it there
    monkeypatch.setattr(store, "seed_path", lambda: csv_path)
    with pytest.raises(CxError) as info:
        rules.load_rules(None)
    assert (info.value.file, info.value.row, info.value.field) == (str(csv_path), 2, "clock")


# --------------------------------------------------------------------------- warehouse


def test_store_and_read_rules_round_trip(seed):
    con = duckdb.connect()
    assert rules.store_rules(con, seed) == seed.height
    assert rules.store_rules(con, seed) == seed.height  # replaces, never appends
    back = rules.read_rules(con).sort("jurisdiction", "purpose", "effective_from", "origin_row")
    assert back.equals(seed)


def test_store_rules_is_all_or_nothing(seed):
    con = duckdb.connect()
    rules.store_rules(con, seed)
    broken = seed.with_columns(
        jurisdiction=pl.when(pl.col("origin_row") == 5).then(None).otherwise("jurisdiction")
    )
    with pytest.raises(duckdb.Error):
        rules.store_rules(con, broken)
    assert con.execute("SELECT count(*) FROM compliance_rules").fetchall() == [(seed.height,)]


def test_compliance_rules_sql_matches_the_frame():
    con = duckdb.connect()
    con.execute(warehouse.load_sql("compliance_rules"))
    cols = [r[0] for r in con.execute("DESCRIBE compliance_rules").fetchall()]
    assert cols == list(rules.RULE_SCHEMA)


def test_rules_bind_a_purpose_with_sources_and_dates(seed):
    federal = seed.filter(pl.col("jurisdiction") == "US")
    assert sorted(federal["purpose"]) == ["collections", "informational", "telemarketing"]
    assert all(federal["source"]) and federal["effective_from"].n_unique() == 1
    canada = seed.filter(pl.col("jurisdiction") == "CAN").sort("days")
    assert canada.select("purpose", "days", "start_local", "end_local").rows() == [
        ("telemarketing", "Mon-Fri", "09:00", "21:30"),
        ("telemarketing", "Sat-Sun", "10:00", "18:00"),
    ]
    assert set(canada["confidence"]) == {"confirmed"} and all("CRTC" in s for s in canada["source"])
    assert canada["origin"].to_list() == ["seed:canada_calling_rules.csv"] * 2
    assert set(seed.filter(~pl.col("jurisdiction").is_in(["US", "CAN"]))["purpose"]) == {"all"}


def test_an_override_replaces_only_its_purpose(tmp_path):
    path = _yaml(
        tmp_path,
        "rules:\n  - {jurisdiction: US, purpose: collections, days: Mon-Sun,"
        ' start_local: "09:00", end_local: "20:00", effective_from: 1992-12-20}\n',
    )
    federal = rules.load_rules(path).filter(pl.col("jurisdiction") == "US")
    hours = dict(zip(federal["purpose"], federal["start_local"], strict=True))
    assert hours == {"collections": "09:00", "informational": "08:00", "telemarketing": "08:00"}
    bad = _yaml(
        tmp_path,
        "rules:\n  - {jurisdiction: US, purpose: sales, days: Sun, effective_from: 2027-01-01}\n",
    )
    with pytest.raises(CxError) as info:
        rules.load_rules(bad)
    assert info.value.field == "purpose"
