from datetime import UTC, datetime

import polars as pl
import pytest

from cxpipeline.errors import CxError
from cxpipeline.reference.abbreviations import zone_abbreviations
from cxpipeline.transforms.export import (
    LIST_SEPARATOR,
    MANDATORY_FIELDS,
    audit_columns,
    genesys_calling_list,
)

ABBR = zone_abbreviations().lazy()


def _records(**extra):
    base = {
        "list_name": ["L", "L", "L", "L"],
        "record_id": [1, 2, 3, 4],
        "contact_info": ["+12125550101", "+13125550102", "+33142685300", "+15555550104"],
        "chain_id": [1, 1, 2, 3],
        "chain_n": [1, 2, 1, 1],
        "tz_name": ["America/New_York", "America/Chicago", "Europe/Paris", None],
        "first_name": ["Ann", "Ann", "Luc", "Bo"],
        "other2": ["x", "y", None, "z"],
        "tz_candidates": [["America/New_York"], ["America/Chicago"], [], []],
    }
    base.update(extra)
    return pl.LazyFrame(base)


def test_mandatory_fields_in_documented_order_then_present_user_fields():
    out = genesys_calling_list(_records(client_id=["c1", "c1", "c2", "c3"]), ABBR).collect()
    assert tuple(out.columns[: len(MANDATORY_FIELDS)]) == MANDATORY_FIELDS
    user = ["client_id", "first_name", "tz_name", "tz_input", "other2"]
    assert out.columns[len(MANDATORY_FIELDS) :] == user
    assert out.columns[:3] == ["record_id", "contact_info", "contact_info_type"]
    assert out.columns[22] == "switch_id"


def test_audit_columns_are_not_exported_but_the_iana_zone_is():
    out = genesys_calling_list(_records(), ABBR).collect()
    assert "list_name" not in out.columns
    assert "tz_candidates" not in out.columns
    # The zone tz_dbid stands for, by its IANA name (the default zone for a record without one).
    assert out["tz_name"].to_list() == [
        "America/New_York",
        "America/Chicago",
        "Europe/Paris",
        "America/New_York",
    ]


def test_one_abbreviation_never_names_two_clocks_in_an_export():
    zones = ["Asia/Manila", "America/Los_Angeles", "America/Regina", "America/Phoenix"]
    out = genesys_calling_list(_records(tz_name=zones), ABBR).collect()
    assert out["tz_dbid"].to_list() == ["PST_MANILA", "PST", "CST_REGINA", "MST_PHOENIX"]
    assert out["tz_name"].to_list() == zones


def test_extension_country_and_explicit_zone_travel_with_the_number():
    recs = _records(
        extension=[None, "204", None, None],
        country_code_iso=["US", "US", "FR", None],
        tz_source=["postal_code", "explicit", "country", "none"],
    )
    out = genesys_calling_list(recs, ABBR).collect()
    assert out["contact_info"][1] == "+13125550102" and out["extension"][1] == "204"
    assert out["country_code_iso"].to_list() == ["US", "US", "FR", None]
    assert out["tz_input"].to_list() == [None, "America/Chicago", None, None]


def test_day_window_replaces_the_first_day_hours():
    day = pl.LazyFrame({"record_id": [1, 2], "daily_from": [36000, 0], "daily_till": [57300, 0]})
    recs = _records(daily_from=[32400] * 4, daily_till=[71700] * 4)
    out = genesys_calling_list(recs, ABBR, day_window=day).collect()
    # A record the day does not cover gets the dialer default (it was not planned that day).
    assert out["daily_from"].to_list() == [36000, 0, 28800, 28800]
    assert out["daily_till"].to_list() == [57300, 0, 64800, 64800]


def test_audit_columns_flatten_lists_and_add_tz_input():
    recs = _records(states=[["NY", "NJ"], [], None, ["IL"]], source_row=[1, 2, 3, 4])
    out = audit_columns(recs).collect()
    # Ingest adds source_row to every row: the csv names the audit column so it reads back.
    assert out["record_source_row"].to_list() == [1, 2, 3, 4] and "source_row" not in out.columns
    assert out["tz_candidates"].to_list() == ["America/New_York", "America/Chicago", "", ""]
    assert out["states"].to_list() == [f"NY{LIST_SEPARATOR}NJ", "", None, "IL"]
    assert "tz_input" in out.columns and "list_name" in out.columns


def test_tz_dbid_abbreviations_known_computed_and_default():
    out = genesys_calling_list(_records(), ABBR).collect()
    # table entries, a zone outside the table (standard-time name), null zone → default zone
    assert out["tz_dbid"].to_list() == ["EST", "CST", "CET", "EST"]


def test_tz_dbid_for_other_zones_is_standard_time_in_both_hemispheres():
    recs = _records(tz_name=["Australia/Sydney", "Europe/London", "Asia/Kolkata", "No/Such"])
    out = genesys_calling_list(recs, ABBR, default_zone="America/Chicago").collect()
    # London is not on the clock of most GMT zones, nor Kolkata on Israel's or Ireland's IST.
    assert out["tz_dbid"].to_list() == ["AEST", "GMT_LONDON", "IST_KOLKATA", None]


def test_dialer_defaults_fill_missing_and_null_fields():
    recs = _records(record_type=[7, None, 2, 2], attempt=[3, None, None, 0])
    out = genesys_calling_list(recs, ABBR).collect()
    assert out["record_type"].to_list() == [7, 2, 2, 2]
    assert out["attempt"].to_list() == [3, 0, 0, 0]
    assert out["record_status"].to_list() == [1] * 4
    assert out["call_result"].to_list() == [28] * 4
    assert out["daily_from"].to_list() == [28800] * 4
    assert out["daily_till"].to_list() == [64800] * 4
    assert out["campaign_id"].null_count() == 4
    assert out.schema["dial_sched_time"] == pl.Int64


def test_datetime_schedule_becomes_epoch_seconds():
    moment = datetime(2025, 3, 9, 15, tzinfo=UTC)
    recs = _records(
        dial_sched_time=pl.Series([moment, None, None, None], dtype=pl.Datetime("us", "UTC"))
    )
    out = genesys_calling_list(recs, ABBR).collect()
    assert out["dial_sched_time"].to_list() == [int(moment.timestamp()), None, None, None]


def test_existing_tz_dbid_is_recomputed_from_the_zone():
    out = genesys_calling_list(_records(tz_dbid=["PST"] * 4), ABBR).collect()
    assert out["tz_dbid"].to_list()[0] == "EST"


def test_missing_mandatory_identifiers_are_an_error():
    with pytest.raises(CxError, match="contact_info"):
        genesys_calling_list(_records().drop("contact_info"), ABBR)
