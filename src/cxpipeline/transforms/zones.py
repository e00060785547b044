"""Time-zone candidates and implicated US states of each record (issue #4, items 3-4).

Sources of a record's zone, best first: an explicit zone field, the postal code, the area code
plus exchange, the area code, the country. Phone-derived zones are often several or wrong, so
every candidate is kept (windows intersect over all of them) and the source is recorded.

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
import zoneinfo
from collections import Counter, defaultdict
from dataclasses import dataclass
from functools import cache
from typing import Any

import phonenumbers
import polars as pl
import zipcodes
from phonenumbers import phonenumberutil as pnu
from phonenumbers.geodata import GEOCODE_DATA
from phonenumbers.tzdata import TIMEZONE_DATA

from cxpipeline.errors import CxError
from cxpipeline.transforms.phones import GEOGRAPHIC_TYPES

__all__ = ["ZoneLookups", "record_zones", "zone_lookups", "ZONE_ABBREVIATIONS_IN"]

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

#: Regions whose postal codes are US ZIP codes (territories included).
US_ZIP_COUNTRIES: frozenset[str] = frozenset({"US", "PR", "VI", "GU", "AS", "MP", "UM"})

_SEEDS = importlib.resources.files("cxpipeline") / "seeds"
_EXTRA_CSV = "area_code_zones_extra.csv"
_RULES_CSV = "us_state_calling_rules.csv"
_UNKNOWN_ZONE = "Etc/Unknown"
_STR_LIST = pl.List(pl.String)


@dataclass(frozen=True, eq=False)
class ZoneLookups:
    """Small lookup frames, built once per process by `zone_lookups()`.

    `zip_zones`: postal_code, zip_state, zip_tz, zip_area_codes.
    `area_code_zones`: phone_country_code, area_code, ac_region, ac_zones, ac_states,
    ac_primary_zone (NANP area codes, all sources merged).
    `prefix_zones`: prefix (calling code + leading digits), prefix_len, prefix_zone_list
    (phonenumbers' zone prefixes, for the longest-prefix match).
    `ca_postal_zones`: ca_prefix, ca_province, ca_zones. `zone_names`: name_key, zone.
    `country_zones`: phone_region, country_zone_list (tzdata zone.tab).
    """

    zip_zones: pl.DataFrame
    area_code_zones: pl.DataFrame
    prefix_zones: pl.DataFrame
    ca_postal_zones: pl.DataFrame
    zone_names: pl.DataFrame
    country_zones: pl.DataFrame
    us_states: tuple[str, ...]
    presumption_states: tuple[str, ...]


# ------------------------------------------------------------------ building the lookups


@cache
def _valid_zones() -> frozenset[str]:
    return frozenset(zoneinfo.available_timezones())


def _zone_names() -> pl.DataFrame:
    """Map accepted explicit zones (IANA area/location names, any case; abbreviations)."""
    names = {
        z.lower(): z for z in _valid_zones() if "/" in z and not z.startswith(("Etc/", "SystemV/"))
    }
    names.update({k.lower(): v for k, v in ZONE_ABBREVIATIONS_IN.items()})
    return pl.DataFrame({"name_key": list(names), "zone": list(names.values())})


def _zip_rows() -> list[dict[str, Any]]:
    valid = _valid_zones()
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
    text = (_SEEDS / _EXTRA_CSV).read_text(encoding="utf-8")
    return list(csv.DictReader(text.splitlines()))


def _area_code_zones(zips: list[dict[str, Any]]) -> pl.DataFrame:
    valid = _valid_zones() - {_UNKNOWN_ZONE}
    pn_zones: dict[str, set[str]] = defaultdict(set)
    pn_own: dict[str, tuple[str, ...]] = {}
    for prefix, zones in TIMEZONE_DATA.items():
        if prefix.startswith("1") and len(prefix) >= 4:
            npa = prefix[1:4]
            pn_zones[npa].update(z for z in zones if z in valid)
            if len(prefix) == 4:
                pn_own[npa] = tuple(z for z in zones if z in valid)
    zip_states: dict[str, Counter[str]] = defaultdict(Counter)
    zip_zones: dict[str, Counter[tuple[str, str]]] = defaultdict(Counter)
    for row in zips:
        for npa in row["zip_area_codes"]:
            zip_states[npa][row["zip_state"]] += 1
            zip_zones[npa][(row["zip_state"], row["zip_tz"])] += 1
    extra: dict[str, set[str]] = defaultdict(set)
    extra_primary: dict[str, str] = {}
    for number, row in enumerate(_extra_rows(), start=1):
        if row["tz_name"] not in valid:
            raise CxError(
                f"unknown time zone {row['tz_name']!r}",
                file=_EXTRA_CSV,
                row=number,
                field="tz_name",
            )
        extra[row["area_code"]].add(row["tz_name"])
        if row["primary"].strip().lower() == "yes":
            extra_primary[row["area_code"]] = row["tz_name"]

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


def _prefix_zones() -> pl.DataFrame:
    valid = _valid_zones() - {_UNKNOWN_ZONE}
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


def _country_zones() -> pl.DataFrame:
    """Zones of each country from tzdata's zone.tab (the 'country' fallback)."""
    text = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    zones: dict[str, set[str]] = defaultdict(set)
    for line in text.splitlines():
        if line and not line.startswith("#"):
            parts = line.split("\t")
            if parts[2] in _valid_zones():
                zones[parts[0]].add(parts[2])
    return pl.DataFrame(
        [(k, sorted(v)) for k, v in sorted(zones.items())],
        schema={"phone_region": pl.String, "country_zone_list": _STR_LIST},
        orient="row",
    )


def _presumption_states() -> tuple[str, ...]:
    """States whose rules presume residence from an in-state area code (rules table data)."""
    text = (_SEEDS / _RULES_CSV).read_text(encoding="utf-8")
    return tuple(
        sorted(
            {
                row["jurisdiction"].strip().upper()
                for row in csv.DictReader(text.splitlines())
                if row["area_code_presumption"].strip().lower() == "yes"
            }
        )
    )


@cache
def zone_lookups() -> ZoneLookups:
    """Build the zone and state lookups once (zipcodes, phonenumbers, tzdata, seed CSVs)."""
    zips = _zip_rows()
    zip_frame = pl.DataFrame(
        zips,
        schema={
            "postal_code": pl.String,
            "zip_state": pl.String,
            "zip_tz": pl.String,
            "zip_area_codes": _STR_LIST,
        },
    ).unique("postal_code", keep="first")
    ca = pl.DataFrame(
        [(p, prov, list(z)) for p, prov, z in CANADIAN_POSTAL_ZONES],
        schema={"ca_prefix": pl.String, "ca_province": pl.String, "ca_zones": _STR_LIST},
        orient="row",
    )
    missing = {z for _, _, zs in CANADIAN_POSTAL_ZONES for z in zs} - _valid_zones()
    if missing:
        raise ValueError(f"unknown zones in CANADIAN_POSTAL_ZONES: {sorted(missing)}")
    states = sorted({r["zip_state"] for r in zips if r["zip_state"]})
    return ZoneLookups(
        zip_zones=zip_frame,
        area_code_zones=_area_code_zones(zips),
        prefix_zones=_prefix_zones(),
        ca_postal_zones=ca,
        zone_names=_zone_names(),
        country_zones=_country_zones(),
        us_states=tuple(states),
        presumption_states=_presumption_states(),
    )


# ------------------------------------------------------------------ the transform


def _clean(name: str) -> pl.Expr:
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text.str.len_chars() > 0).then(text)


def _longest_prefix(lf: pl.LazyFrame, prefixes: pl.DataFrame) -> pl.LazyFrame:
    """Add `_z_pfx_len`, `_z_pfx_zones`: phonenumbers' longest zone prefix of `_z_digits`."""
    lengths = sorted(prefixes.get_column("prefix_len").unique().to_list(), reverse=True)
    for n in lengths:
        table = prefixes.filter(pl.col("prefix_len") == n).select(
            pl.col("prefix").alias(f"_z_p{n}"),
            pl.col("prefix_zone_list").alias(f"_z_pz{n}"),
        )
        lf = lf.join(
            table.lazy(),
            left_on=pl.col("_z_digits").str.slice(0, n),
            right_on=f"_z_p{n}",
            how="left",
            maintain_order="left",
        )
    return lf.with_columns(
        _z_pfx_len=pl.coalesce(
            [pl.when(pl.col(f"_z_pz{n}").is_not_null()).then(pl.lit(n)) for n in lengths]
        ),
        _z_pfx_zones=pl.coalesce([pl.col(f"_z_pz{n}") for n in lengths]),
    ).drop([f"_z_pz{n}" for n in lengths] + [f"_z_p{n}" for n in lengths], strict=False)


def _sorted_set(expr: pl.Expr) -> pl.Expr:
    return expr.list.unique().list.sort()


def record_zones(records: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Add `tz_candidates`, `tz_name`, `tz_source`, `states` and fill `state_code` (stages §3).

    Reads `tz_name_input`, `postal_code`, `state_code`, `country_code_iso` and the phone
    columns of stage 2 (`phone_country_code`, `phone_region`, `area_code`,
    `national_number`, `number_type`).

    Candidates: an explicit zone alone; else the postal code's zone(s) alone when the NANP
    area code serves them, else together with the area code's zones (a moved mobile); with no
    usable postal code, every zone the area code serves (the safe side); a non-NANP number
    uses phonenumbers' longest zone prefix, else its country's zones. Non-geographic numbers
    (toll-free, premium, personal...) get no phone zone.

    `tz_name` (the zone daily_from/daily_till are in): the explicit zone; else the postal
    code's (first) zone; else the exchange's zone when phonenumbers knows a single one for the
    area code + exchange; else the area code's primary zone (a primary named in the extras
    CSV, else phonenumbers' single zone for the area code, else the zone most of its ZIPs use);
    else the only candidate; else the alphabetically first candidate.

    States: the state field (a known US state/territory code), the ZIP's state, and the area
    code's states that presume residence from it (rules table `area_code_presumption`). With
    no state field and no usable postal code, all the area code's US states apply: the
    person's state is unknown and the stricter rules must win.
    """
    phone_key = ["phone_country_code", "area_code", "number_type", "phone_region", "_z_digits"]
    postal_key = ["_z_pc", "_z_country"]
    lf = records.with_columns(
        _z_tz_key=_clean("tz_name_input").str.to_lowercase(),
        _z_pc=_clean("postal_code").str.to_uppercase().str.replace_all(r"[\s-]", ""),
        _z_country=_clean("country_code_iso").str.to_uppercase(),
        _z_state_in=_clean("state_code").str.to_uppercase(),
        # Zone prefixes are at most 7 digits long in NANP and 9 elsewhere: the key is short.
        _z_digits=(
            pl.col("phone_country_code").cast(pl.String) + pl.col("national_number")
        ).str.slice(0, pl.when(pl.col("phone_country_code") == 1).then(7).otherwise(9)),
    )
    # Three branches read this frame: cache it so the upstream plan (file reading, phone
    # normalisation) runs once, not once per branch.
    lf = lf.cache()
    # Each part is resolved once per distinct key, then only small integer ids travel. The
    # ids come from first-appearance order (maintain_order), so every evaluation of these
    # plans numbers the keys identically.
    phones = _phone_zones(
        lf.select(phone_key).unique(maintain_order=True).with_row_index("_z_pid"), lookups
    ).cache()
    postals = _postal_zones(
        lf.select(postal_key).unique(maintain_order=True).with_row_index("_z_qid"), lookups
    ).cache()
    lf = (
        lf.join(
            phones.select(*phone_key, "_z_pid"),
            on=phone_key,
            how="left",
            maintain_order="left",
            nulls_equal=True,
        )
        .join(
            postals.select(*postal_key, "_z_qid", "zip_state"),
            on=postal_key,
            how="left",
            maintain_order="left",
            nulls_equal=True,
        )
        .join(
            lookups.zone_names.lazy().rename({"name_key": "_z_tz_key", "zone": "_z_explicit"}),
            on="_z_tz_key",
            how="left",
            maintain_order="left",
        )
    ).cache()
    combo_key = ["_z_explicit", "_z_pid", "_z_qid", "_z_state_in"]
    combos = _combined(
        lf.select(combo_key)
        .unique()
        .join(phones.drop(phone_key), on="_z_pid", how="left")
        .join(postals.drop(postal_key), on="_z_qid", how="left"),
        lookups,
    ).select(*combo_key, "tz_candidates", "tz_name", "tz_source", "states")
    lf = lf.join(combos, on=combo_key, how="left", maintain_order="left", nulls_equal=True)
    return lf.with_columns(state_code=pl.coalesce(_clean("state_code"), pl.col("zip_state"))).drop(
        "_z_tz_key",
        "_z_pc",
        "_z_country",
        "_z_state_in",
        "_z_digits",
        "_z_pid",
        "_z_qid",
        "zip_state",
        "_z_explicit",
    )


def _phone_zones(keys: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Zones a phone number implies, per distinct (number, 7-9 leading digits) key."""
    lf = keys.with_columns(
        # phonenumbers' own rule: a mobile number locates its owner only in a few countries.
        _z_geo=(
            pl.col("number_type").is_in(["FIXED_LINE", "FIXED_LINE_OR_MOBILE"])
            | (
                (pl.col("number_type") == "MOBILE")
                & pl.col("phone_country_code").is_in(sorted(pnu._GEO_MOBILE_COUNTRIES))
            )
        ).fill_null(False),
        _z_any=pl.col("number_type").is_in(list(GEOGRAPHIC_TYPES)).fill_null(False),
    )
    lf = lf.join(
        lookups.area_code_zones.lazy().select(
            "phone_country_code", "area_code", "ac_zones", "ac_states", "ac_primary_zone"
        ),
        on=["phone_country_code", "area_code"],
        how="left",
    )
    lf = _longest_prefix(lf, lookups.prefix_zones)
    lf = lf.join(lookups.country_zones.lazy(), on="phone_region", how="left")
    cc_len = pl.col("phone_country_code").cast(pl.String).str.len_chars()
    nanp = pl.col("phone_country_code") == 1
    geo = pl.col("_z_geo")
    ac_ok = geo & nanp & (pl.col("ac_zones").list.len() > 0).fill_null(False)
    exch_one = (
        ac_ok & (pl.col("_z_pfx_len") > 4) & (pl.col("_z_pfx_zones").list.len() == 1)
    ).fill_null(False)
    area_ok = (
        geo & ~nanp & (pl.col("_z_pfx_len") > cc_len) & (pl.col("_z_pfx_zones").list.len() > 0)
    ).fill_null(False)
    cc_zones = pl.when(pl.col("_z_pfx_len") == cc_len).then(pl.col("_z_pfx_zones"))
    country_zones = pl.coalesce("country_zone_list", cc_zones)
    country_ok = (pl.col("_z_any") & (country_zones.list.len() > 0)).fill_null(False)
    return lf.select(
        *keys.collect_schema().names(),
        _z_nanp=nanp.fill_null(False),
        _z_ac_states=pl.col("ac_states"),
        _z_phone=pl.when(ac_ok)
        .then(pl.col("ac_zones"))
        .when(area_ok)
        .then(pl.col("_z_pfx_zones"))
        .when(country_ok)
        .then(country_zones),
        _z_phone_src=pl.when(exch_one)
        .then(pl.lit("area_code_exchange"))
        .when(ac_ok | area_ok)
        .then(pl.lit("area_code"))
        .when(country_ok)
        .then(pl.lit("country")),
        _z_phone_tz=pl.when(exch_one)
        .then(pl.col("_z_pfx_zones").list.first())
        .when(ac_ok)
        .then(pl.col("ac_primary_zone")),
        _z_ac_zones=pl.when(ac_ok).then(pl.col("ac_zones")),
    )


def _postal_zones(keys: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Zones and state of each distinct postal code: US ZIP (ZIP+4 allowed) or Canadian."""
    country = pl.col("_z_country")
    us_zip = pl.col("_z_pc").str.contains(r"^\d{5}(\d{4})?$") & (
        country.is_null() | country.is_in(list(US_ZIP_COUNTRIES))
    )
    ca_code = pl.col("_z_pc").str.contains(r"^[ABCEGHJ-NPRSTVXY]\d[A-Z](\d[A-Z]\d)?$") & (
        country.is_null() | (country == "CA")
    )
    lf = keys.with_columns(
        _z_zip=pl.when(us_zip).then(pl.col("_z_pc").str.slice(0, 5)),
        _z_fsa=pl.when(ca_code).then(pl.col("_z_pc").str.slice(0, 3)),
    ).join(
        lookups.zip_zones.lazy().select("postal_code", "zip_state", "zip_tz"),
        left_on="_z_zip",
        right_on="postal_code",
        how="left",
    )
    ca = lookups.ca_postal_zones.lazy()
    for n in (3, 2, 1):
        lf = lf.join(
            ca.filter(pl.col("ca_prefix").str.len_chars() == n).select(
                pl.col("ca_prefix").alias(f"_z_ca{n}"), pl.col("ca_zones").alias(f"_z_caz{n}")
            ),
            left_on=pl.col("_z_fsa").str.slice(0, n),
            right_on=f"_z_ca{n}",
            how="left",
        )
    return lf.select(
        *keys.collect_schema().names(),
        "zip_state",
        _z_postal=pl.when(pl.col("zip_tz").is_not_null())
        .then(pl.concat_list(pl.col("zip_tz")))
        .otherwise(pl.coalesce("_z_caz3", "_z_caz2", "_z_caz1")),
    )


def _combined(lf: pl.LazyFrame, lookups: ZoneLookups) -> pl.LazyFrame:
    """Candidates, zone name, source and states of each distinct explicit/phone/postal combo."""
    presumption = list(lookups.presumption_states)
    us_states = list(lookups.us_states)
    has_postal = (pl.col("_z_postal").list.len() > 0).fill_null(False)
    moved = (
        has_postal
        & pl.col("_z_ac_zones").is_not_null()
        & (pl.col("_z_postal").list.set_difference(pl.col("_z_ac_zones")).list.len() > 0)
    ).fill_null(False)
    explicit = pl.col("_z_explicit")
    candidates = (
        pl.when(explicit.is_not_null())
        .then(pl.concat_list(explicit))
        .when(moved)
        .then(pl.concat_list("_z_postal", "_z_ac_zones"))
        .when(has_postal)
        .then(pl.col("_z_postal"))
        .when(pl.col("_z_phone").is_not_null())
        .then(pl.col("_z_phone"))
        .otherwise(pl.lit([], dtype=_STR_LIST))
    )
    lf = lf.with_columns(tz_candidates=_sorted_set(candidates))
    lf = lf.with_columns(
        tz_source=pl.when(explicit.is_not_null())
        .then(pl.lit("explicit"))
        .when(moved)
        .then(pl.lit("postal_code+area_code"))
        .when(has_postal)
        .then(pl.lit("postal_code"))
        .when(pl.col("_z_phone").is_not_null())
        .then(pl.col("_z_phone_src"))
        .otherwise(pl.lit("none")),
        tz_name=pl.when(explicit.is_not_null())
        .then(explicit)
        .when(has_postal)
        .then(pl.col("_z_postal").list.first())
        .otherwise(pl.coalesce("_z_phone_tz", pl.col("tz_candidates").list.first())),
    )
    empty = pl.lit([], dtype=_STR_LIST)
    nanp = pl.col("_z_nanp").fill_null(False)
    state_in = pl.when(pl.col("_z_state_in").is_in(us_states)).then(pl.col("_z_state_in"))
    ac_states = pl.col("_z_ac_states").fill_null(empty)
    no_address = pl.col("_z_state_in").is_null() & ~has_postal
    from_area = (
        pl.when(nanp & no_address)
        .then(ac_states.list.set_intersection(pl.lit(us_states, dtype=_STR_LIST)))
        .when(nanp)
        .then(ac_states.list.set_intersection(pl.lit(presumption, dtype=_STR_LIST)))
        .otherwise(empty)
    )
    states = pl.concat_list(
        pl.concat_list(state_in).fill_null(empty),
        pl.concat_list(pl.col("zip_state")).fill_null(empty),
        from_area.fill_null(empty),
    ).list.drop_nulls()
    return lf.with_columns(states=_sorted_set(states))
