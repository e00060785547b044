from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo, available_timezones

import phonenumbers
import polars as pl
import zipcodes
from phonenumbers import timezone as pn_timezone

from cxpipeline.generate.columns import PHONE_COLUMNS, REQUIRED_STATES
from cxpipeline.generate.customers import synthetic_customers

N = 5000  # rows of the shared `customers` fixture (conftest.py)


def _january_offset(zone: str) -> float:
    offset = datetime(2025, 1, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    assert offset is not None
    return offset.total_seconds()


def test_country_mix(customers: pl.DataFrame) -> None:
    rows = customers.unique()
    canadian = rows.filter(pl.col("postal_code").str.contains(r"^[A-Z]\d[A-Z] ?\d[A-Z]\d$"))
    foreign = rows.filter(pl.col("country_code_iso").is_in(["GB", "MX", "DE", "PH", "IN"]))
    assert 0.07 <= canadian.height / N <= 0.13
    assert 0.03 <= foreign.height / N <= 0.07
    assert set(foreign["country_code_iso"].unique()) == {"GB", "MX", "DE", "PH", "IN"}
    canadian_phones = canadian.unpivot(on=list(PHONE_COLUMNS))["value"].drop_nulls()
    assert canadian_phones.str.replace_all(r"\D", "").str.contains(r"^1?709").any()
    assert {"NL", "QC", "BC"} <= set(canadian["state_code"].drop_nulls())


def test_some_zips_disagree_with_the_area_code_zone(phones: pl.DataFrame) -> None:
    zip_zone = {
        r["zip_code"]: r["timezone"] for r in zipcodes.list_all() if r["timezone"] and r["active"]
    }
    known_zones = available_timezones()
    agree: dict[str, bool] = {}
    nanp = phones.filter(pl.col("valid") & pl.col("e164").str.starts_with("+1"))
    for client, postal, e164 in nanp.select("client_id", "postal_code", "e164").iter_rows():
        if not postal or not postal[0].isdigit():
            continue
        zone = zip_zone.get(postal.split("-")[0].zfill(5))
        if zone is None or zone not in known_zones:
            continue
        number_zones = pn_timezone.time_zones_for_number(phonenumbers.parse(e164))
        offsets = {_january_offset(z) for z in number_zones if "/" in z and z != "Etc/Unknown"}
        agree[client] = agree.get(client, True) and _january_offset(zone) in offsets
    share = 1 - sum(agree.values()) / len(agree)
    # 5% moved customers plus a few border ZIPs whose area codes straddle zones.
    assert 0.04 <= share <= 0.12


def test_zip_spellings(customers: pl.DataFrame) -> None:
    postal = customers["postal_code"]
    four = customers.filter(postal.str.contains(r"^\d{4}$"))
    assert four.height > 0
    # A 4-digit ZIP is a New England/NJ/PR ZIP whose leading zero was lost.
    assert set(four["state_code"].drop_nulls()) <= {
        "MA",
        "RI",
        "NH",
        "ME",
        "VT",
        "CT",
        "NJ",
        "NY",
        "PR",
    }
    assert postal.str.contains(r"^\d{5}-\d{4}$").sum() > 0.01 * N


def test_required_states_in_every_block_of_250() -> None:
    frame = synthetic_customers(250, seed=11, start_client_id=9_001).collect()
    assert set(REQUIRED_STATES) <= set(frame["state_code"].drop_nulls())


def test_region_biases_zips() -> None:
    def eastern_share(region: str) -> float:
        frame = synthetic_customers(1000, seed=5, region=region).collect()  # type: ignore[arg-type]
        zips = frame.filter(pl.col("country_code_iso") == "US")["postal_code"]
        return zips.str.contains(r"^[0-3]").mean()  # type: ignore[return-value]

    assert eastern_share("east") > eastern_share("west") + 0.3
