"""Zone lookup frames built from packaged data: zipcodes, phonenumbers, tzdata, seed CSVs.

Area-code zones merge three sources, because `phonenumbers`' zone data alone is known to be too
narrow for some area codes (libphonenumber issue 991 and its children: 850 lists only Eastern,
867 only Fort_Nelson, ...):

* `phonenumbers` zone prefixes: the area code's own entry and every longer (exchange) entry;
* the ZIP database (`zipcodes`): the zone of every ZIP, in the area code's own state, that
  lists the area code (ZIPs across a state line that list it are border noise: ignored);
* `seeds/area_code_zones_extra.csv`: our safe-side additions, each with its reason.
"""

from __future__ import annotations

import csv
import importlib.resources
import re
from collections import Counter, defaultdict
from functools import cache
from typing import Any

import phonenumbers
import polars as pl
import zipcodes
from phonenumbers import phonenumberutil as pnu
from phonenumbers.tzdata import TIMEZONE_DATA

from cxpipeline import tzdb
from cxpipeline.errors import CxError
from cxpipeline.transforms.zones import US_ZIP_COUNTRIES

__all__ = [
    "CANADIAN_POSTAL_ZONES",
    "EXTRA_CSV",
    "RULES_CSV",
    "SEEDS",
    "ZONE_ABBREVIATIONS_IN",
    "area_code_zones",
    "ca_postal_zones",
    "country_zones",
    "presumption_states",
    "prefix_zones",
    "valid_zones",
    "zip_frame",
    "zip_rows",
    "zone_names",
]

#: Zone abbreviations accepted in an explicit zone field. AST is left out on purpose: it is
#: Puerto Rico or Atlantic Canada, so an AST record falls through to its postal code/phone.
ZONE_ABBREVIATIONS_IN: dict[str, str] = {
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "EASTERN": "America/New_York",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "CT": "America/Chicago",
    "CENTRAL": "America/Chicago",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "MT": "America/Denver",
    "MOUNTAIN": "America/Denver",
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "PACIFIC": "America/Los_Angeles",
    "AKST": "America/Anchorage",
    "AKDT": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "HAST": "Pacific/Honolulu",
    "NST": "America/St_Johns",
    "NDT": "America/St_Johns",
    "ADT": "America/Halifax",
    "CHST": "Pacific/Guam",
    "SST": "Pacific/Pago_Pago",
}

#: Canadian postal codes by first letter (forward sortation area where a province spans
#: zones). The first zone is the one daily_from/daily_till are expressed in.
CANADIAN_POSTAL_ZONES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("A", "NL", ("America/St_Johns",)),
    ("A0P", "NL", ("America/Goose_Bay", "America/St_Johns")),  # Labrador coast
    ("A0R", "NL", ("America/Goose_Bay",)),  # western Labrador
    ("A2V", "NL", ("America/Goose_Bay",)),  # Labrador City, Wabush
    ("B", "NS", ("America/Halifax",)),
    ("C", "PE", ("America/Halifax",)),
    ("E", "NB", ("America/Moncton",)),
    ("G", "QC", ("America/Toronto", "America/Halifax", "America/Blanc-Sablon")),
    ("G1", "QC", ("America/Toronto",)),  # Quebec City
    ("G2", "QC", ("America/Toronto",)),  # Quebec City
    ("G3", "QC", ("America/Toronto",)),  # Quebec City region
    ("H", "QC", ("America/Toronto",)),
    ("J", "QC", ("America/Toronto",)),
    ("K", "ON", ("America/Toronto",)),
    ("L", "ON", ("America/Toronto",)),
    ("M", "ON", ("America/Toronto",)),
    ("N", "ON", ("America/Toronto",)),
    ("P", "ON", ("America/Toronto", "America/Winnipeg")),  # north-western Ontario: Central
    ("R", "MB", ("America/Winnipeg",)),
    ("S", "SK", ("America/Regina",)),
    ("S9V", "SK", ("America/Edmonton",)),  # Lloydminster keeps Alberta time
    ("T", "AB", ("America/Edmonton",)),
    (
        "V",
        "BC",
        (
            "America/Vancouver",
            "America/Edmonton",
            "America/Creston",
            "America/Dawson_Creek",
            "America/Fort_Nelson",
        ),
    ),
    ("V5", "BC", ("America/Vancouver",)),  # Vancouver
    ("V6", "BC", ("America/Vancouver",)),  # Vancouver
    ("V7", "BC", ("America/Vancouver",)),  # North Shore, Richmond
    ("V3", "BC", ("America/Vancouver",)),  # Lower Mainland suburbs
    ("V4", "BC", ("America/Vancouver",)),  # Lower Mainland, Okanagan
    ("V8", "BC", ("America/Vancouver",)),  # Victoria
    ("V9", "BC", ("America/Vancouver",)),  # Vancouver Island
    (
        "X",
        "NT",
        (
            "America/Edmonton",
            "America/Inuvik",
            "America/Cambridge_Bay",
            "America/Rankin_Inlet",
            "America/Iqaluit",
        ),
    ),
    ("X1A", "NT", ("America/Edmonton",)),  # Yellowknife
    ("Y", "YT", ("America/Whitehorse", "America/Dawson")),
)

SEEDS = importlib.resources.files("cxpipeline") / "seeds"
EXTRA_CSV = "area_code_zones_extra.csv"
RULES_CSV = "us_state_calling_rules.csv"
_UNKNOWN_ZONE = "Etc/Unknown"
_STR_LIST = pl.List(pl.String)


@cache
def valid_zones() -> frozenset[str]:
    """IANA zone names of the pinned tzdata release (cxpipeline.tzdb), not the machine's."""
    return tzdb.zone_names()


def zone_names() -> pl.DataFrame:
    """Map accepted explicit zones (IANA area/location names, any case; abbreviations)."""
    names = {
        z.lower(): z for z in valid_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    }
    names.update({k.lower(): v for k, v in ZONE_ABBREVIATIONS_IN.items()})
    return pl.DataFrame({"name_key": list(names), "zone": list(names.values())})


def zip_rows() -> list[dict[str, Any]]:
    """Every ZIP of the `zipcodes` database whose zone is a known IANA zone."""
    valid = valid_zones()
    return [
        {
            "postal_code": r["zip_code"],
            "zip_state": r["state"] or None,
            "zip_tz": r["timezone"],
            "zip_area_codes": list(r["area_codes"] or []),
        }
        for r in zipcodes.list_all()
        if r["timezone"] in valid
    ]


def zip_frame(zips: list[dict[str, Any]]) -> pl.DataFrame:
    """Build the `zip_zones` lookup: postal_code, zip_state, zip_tz, zip_area_codes."""
    # Deliberate repetition: each lookup frame spells out its own schema.
    return pl.DataFrame(
        zips,
        schema={
            "postal_code": pl.String,
            "zip_state": pl.String,
            "zip_tz": pl.String,
            "zip_area_codes": _STR_LIST,
        },
    ).unique("postal_code", keep="first")


def ca_postal_zones() -> pl.DataFrame:
    """Build the `ca_postal_zones` lookup from CANADIAN_POSTAL_ZONES, every zone checked."""
    missing = {z for _, _, zs in CANADIAN_POSTAL_ZONES for z in zs} - valid_zones()
    if missing:
        raise ValueError(f"unknown zones in CANADIAN_POSTAL_ZONES: {sorted(missing)}")
    return pl.DataFrame(
        [(p, prov, list(z)) for p, prov, z in CANADIAN_POSTAL_ZONES],
        schema={"ca_prefix": pl.String, "ca_province": pl.String, "ca_zones": _STR_LIST},
        orient="row",
    )


def _nanp_region(npa: str) -> str | None:
    """Region (US, CA, PR...) phonenumbers assigns to a NANP area code."""
    for first in "23456789":
        number = phonenumbers.PhoneNumber(
            country_code=1, national_number=int(npa + first + "345678")
        )
        region = pnu.region_code_for_number(number)
        if region is not None:
            return region
    return None


def _geocoded_states() -> dict[str, set[str]]:
    """State/province codes per NANP area code, from phonenumbers' geocoder.

    Exchange entries read "City, ST"; an area code with only a state-name entry ("Florida")
    gets the code that name carries under other area codes, so no name list is hard-coded.
    """
    # Imported here: the geocoder data takes half a second to load, and a run that reads the
    # cached lookups never needs it.
    from phonenumbers.geodata import GEOCODE_DATA

    codes: dict[str, set[str]] = defaultdict(set)
    names: dict[str, str] = {}
    for prefix, text in GEOCODE_DATA.items():
        if not prefix.startswith("1") or len(prefix) < 4:
            continue
        description = text.get("en", "")
        match = re.search(r", ([A-Z]{2})$", description)
        if match and len(prefix) > 4:
            codes[prefix[1:4]].add(match.group(1))
        elif len(prefix) == 4 and description:
            names[prefix[1:4]] = description
    name_codes: dict[str, Counter[str]] = defaultdict(Counter)
    for npa, name in names.items():
        if len(codes.get(npa, ())) == 1:
            name_codes[name].update(codes[npa])
    for npa, name in names.items():
        if not codes.get(npa) and name in name_codes:
            codes[npa] = {name_codes[name].most_common(1)[0][0]}
    return codes


def _extra_rows() -> list[dict[str, str]]:
    text = (SEEDS / EXTRA_CSV).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _phonenumbers_area_zones() -> tuple[dict[str, set[str]], dict[str, tuple[str, ...]]]:
    """Per NANP area code: zones of it and all its exchanges, and zones of its own entry."""
    valid = valid_zones() - {_UNKNOWN_ZONE}
    pn_zones: dict[str, set[str]] = defaultdict(set)
    pn_own: dict[str, tuple[str, ...]] = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            npa = prefix[1:4]
            pn_zones[npa].update(z for z in zones if z in valid)
            if len(prefix) == 4:
                pn_own[npa] = tuple(z for z in zones if z in valid)
    return pn_zones, pn_own


def _extra_area_zones() -> tuple[dict[str, set[str]], dict[str, str]]:
    """Per area code: the extras CSV's zones and its primary zone (rows marked primary)."""
    valid = valid_zones() - {_UNKNOWN_ZONE}
    extra: dict[str, set[str]] = defaultdict(set)
    extra_primary: dict[str, str] = {}
    for number, row in enumerate(_extra_rows(), start=1):
        if row["tz_name"] not in valid:
            raise CxError(
                f"unknown time zone {row['tz_name']!r}",
                file=EXTRA_CSV,
                row=number,
                field="tz_name",
            )
        extra[row["area_code"]].add(row["tz_name"])
        if row["primary"].strip().lower() == "yes":
            extra_primary[row["area_code"]] = row["tz_name"]
    return extra, extra_primary


def area_code_zones(zips: list[dict[str, Any]]) -> pl.DataFrame:
    """Build `area_code_zones`: every NANP area code's zones, states and primary zone."""
    pn_zones, pn_own = _phonenumbers_area_zones()
    zip_states: dict[str, Counter[str]] = defaultdict(Counter)
    zip_zones: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for row in zips:
        for npa in row["zip_area_codes"]:
            zip_states[npa][row["zip_state"]] += 1
            zip_zones[npa][(row["zip_state"], row["zip_tz"])] += 1
    extra, extra_primary = _extra_area_zones()
    geocoded = _geocoded_states()
    rows = []
    for npa in sorted(set(pn_zones) | set(zip_zones) | set(extra)):
        region = _nanp_region(npa)
        states = set(geocoded.get(npa, ()))
        in_zip_plan = region in US_ZIP_COUNTRIES
        if not states and in_zip_plan and zip_states[npa]:
            states = {zip_states[npa].most_common(1)[0][0]}
        from_zips: Counter[str] = Counter()
        if in_zip_plan:
            for (state, zone), count in zip_zones[npa].items():
                if state in states:
                    from_zips[zone] += count
        npa_zones = pn_zones[npa] | set(from_zips) | extra[npa]
        if not npa_zones:
            continue
        own = pn_own.get(npa, ())
        if npa in extra_primary:
            primary = extra_primary[npa]
        elif len(own) == 1:
            primary = own[0]
        elif from_zips:
            primary = min(from_zips, key=lambda z: (-from_zips[z], z))
        else:
            primary = min(npa_zones)
        rows.append((1, npa, region, sorted(npa_zones), sorted(states), primary))
    return pl.DataFrame(
        rows,
        schema={
            "phone_country_code": pl.Int64,
            "area_code": pl.String,
            "ac_region": pl.String,
            "ac_zones": _STR_LIST,
            "ac_states": _STR_LIST,
            "ac_primary_zone": pl.String,
        },
        orient="row",
    )


def prefix_zones() -> pl.DataFrame:
    """Build `prefix_zones`: phonenumbers' zone prefixes with their known zones."""
    valid = valid_zones() - {_UNKNOWN_ZONE}
    rows = []
    for prefix, zones in TIMEZONE_DATA.items():
        kept = sorted(z for z in zones if z in valid)
        if kept:
            rows.append((prefix, len(prefix), kept))
    return pl.DataFrame(
        rows,
        schema={"prefix": pl.String, "prefix_len": pl.Int64, "prefix_zone_list": _STR_LIST},
        orient="row",
    )


def country_zones() -> pl.DataFrame:
    """Zones of each country from tzdata's zone.tab (the 'country' fallback)."""
    text = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if parts[2] in valid_zones():
                zones[parts[0]].add(parts[2])
    return pl.DataFrame(
        [(k, sorted(v)) for k, v in sorted(zones.items())],
        schema={"phone_region": pl.String, "country_zone_list": _STR_LIST},
        orient="row",
    )


def presumption_states() -> tuple[str, ...]:
    """States whose rules presume residence from an in-state area code (rules table data)."""
    text = (SEEDS / RULES_CSV).read_text(encoding="utf-8")
    return tuple(
        sorted(
            {
                row["jurisdiction"].strip().upper()
                for row in csv.DictReader(text.splitlines())
                if row["area_code_presumption"].strip().lower() == "yes"
            }
        )
    )
