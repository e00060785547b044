"""Where customers live: ZIP tables, Canadian and foreign places, postal codes and zones."""

from __future__ import annotations

import functools
from datetime import datetime
from itertools import accumulate

import polars as pl

from cxpipeline import tzdb
from cxpipeline.codes import ZONE_ABBREVIATIONS
from cxpipeline.generate.columns import REQUIRED_STATES
from cxpipeline.generate.streams import Rng, gather_int, pick

# Zone groups by January UTC offset; "moved" numbers take an area code from another group.
_GROUP_BY_OFFSET = {-5: 0, -6: 1, -7: 2, -8: 3, -9: 4, -10: 5, -4: 6}
_EAST_GROUPS = (0, 1, 6)
_MOVED_AREA_CODES: tuple[tuple[str, ...], ...] = (
    ("212", "305", "404", "617", "215"),  # Eastern
    ("312", "713", "214", "504", "615"),  # Central
    ("303", "801", "505", "406"),  # Mountain
    ("213", "415", "206", "503", "702"),  # Pacific
    ("907",),  # Alaska
    ("808",),  # Hawaii
)
_NOT_DIALLED_STATES = {"AA", "AE", "AP", "VI", "MP", "GU", "AS", "FM", "PW", "MH"}


def _january_offset_hours(zone: str) -> int:
    """Return the UTC offset of a zone in mid-January, in whole hours."""
    offset = datetime(2025, 1, 15, 12, tzinfo=tzdb.zone(zone)).utcoffset()
    return int(offset.total_seconds() // 3600) if offset is not None else 0


@functools.lru_cache(maxsize=1)
def zip_tables() -> tuple[pl.DataFrame, dict[int, int], tuple[int, int]]:
    """ZIP lookup keyed by `_zkey`, ZIP counts of each required state, and the east/west split.

    Keys 0..N-1 are all usable ZIPs sorted (east first, then west); keys
    (k + 1) * 1_000_000 + j are the ZIPs of REQUIRED_STATES[k].
    """
    import zipcodes

    zones = tzdb.zone_names()
    rows = [
        r
        for r in zipcodes.list_all()
        if r["area_codes"]
        and r["timezone"] in zones
        and r["zip_code_type"] != "MILITARY"
        and r["state"] not in _NOT_DIALLED_STATES
    ]
    offsets = {tz: _january_offset_hours(tz) for tz in {r["timezone"] for r in rows}}
    table = pl.DataFrame(
        {
            "_zip": [r["zip_code"] for r in rows],
            "_zip_state": [r["state"] for r in rows],
            "_zip_tz": [r["timezone"] for r in rows],
            "_zip_acs": [list(r["area_codes"]) for r in rows],
            "_zgroup": [_GROUP_BY_OFFSET.get(offsets[r["timezone"]], 6) for r in rows],
        },
        schema_overrides={"_zip_acs": pl.List(pl.String), "_zgroup": pl.Int64},
    )
    table = table.with_columns(_west=~pl.col("_zgroup").is_in(list(_EAST_GROUPS))).sort(
        "_west", "_zip"
    )
    n_east = int(table.filter(~pl.col("_west")).height)
    everything = table.with_row_index("_zkey").with_columns(pl.col("_zkey").cast(pl.Int64))
    parts = [everything]
    counts: dict[int, int] = {}
    for k, state in enumerate(REQUIRED_STATES):
        members = table.filter(pl.col("_zip_state") == state)
        counts[k] = members.height
        parts.append(
            members.with_row_index("_zkey").with_columns(
                pl.col("_zkey").cast(pl.Int64) + (k + 1) * 1_000_000
            )
        )
    lookup = pl.concat(parts).drop("_west")
    return lookup, counts, (n_east, table.height)


# Canada: (area code, province, zone, forward sortation areas of that area).
_CANADA: tuple[tuple[str, str, str, tuple[str, ...]], ...] = (
    ("709", "NL", "America/St_Johns", ("A1A", "A1B", "A1C", "A1E", "A2H", "A2V")),
    ("902", "NS", "America/Halifax", ("B3H", "B3K", "B3L", "B2N")),
    ("506", "NB", "America/Moncton", ("E1C", "E3B", "E2L")),
    ("514", "QC", "America/Toronto", ("H2X", "H3A", "H1N", "H4C")),
    ("438", "QC", "America/Toronto", ("H2J", "H3B")),
    ("418", "QC", "America/Toronto", ("G1R", "G1K", "G5L")),
    ("450", "QC", "America/Toronto", ("J4K", "J7Y")),
    ("819", "QC", "America/Toronto", ("J8X", "J1H")),
    ("416", "ON", "America/Toronto", ("M5V", "M4C", "M6G", "M1B")),
    ("647", "ON", "America/Toronto", ("M5A", "M6H")),
    ("905", "ON", "America/Toronto", ("L5B", "L4C", "L8P")),
    ("613", "ON", "America/Toronto", ("K1P", "K2B", "K7L")),
    ("519", "ON", "America/Toronto", ("N2L", "N6A", "N9A")),
    ("705", "ON", "America/Toronto", ("P3A", "L4M")),
    ("204", "MB", "America/Winnipeg", ("R3C", "R2M", "R7A")),
    ("306", "SK", "America/Regina", ("S4P", "S7K")),
    ("403", "AB", "America/Edmonton", ("T2P", "T3A", "T1J")),
    ("780", "AB", "America/Edmonton", ("T5J", "T6G")),
    ("587", "AB", "America/Edmonton", ("T2E", "T5K")),
    ("604", "BC", "America/Vancouver", ("V6B", "V5K", "V6Z", "V3H")),
    ("778", "BC", "America/Vancouver", ("V5R", "V6E")),
    ("250", "BC", "America/Vancouver", ("V8W", "V9A", "V1Y")),
)
CA_FLAT = [(ac, prov, tz, fsa) for ac, prov, tz, fsas in _CANADA for fsa in fsas]
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"

# International: (ISO, calling code, zone, weight, fixed template, mobile template);
# a template is (national prefix, random digits, first space, second space or 0).
_Template = tuple[str, int, int, int]
INTL: tuple[tuple[str, str, str, int, _Template, _Template], ...] = (
    ("GB", "44", "Europe/London", 25, ("207", 7, 2, 6), ("79", 8, 4, 0)),
    ("MX", "52", "America/Mexico_City", 30, ("55", 8, 2, 6), ("33", 8, 2, 6)),
    ("DE", "49", "Europe/Berlin", 10, ("30", 8, 2, 0), ("151", 8, 3, 0)),
    ("PH", "63", "Asia/Manila", 20, ("28", 7, 1, 5), ("917", 7, 3, 6)),
    ("IN", "91", "Asia/Kolkata", 15, ("222", 7, 2, 6), ("98", 8, 5, 0)),
)
_UK_POSTCODES = ("SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH", "LS1 4AP")


def moved_target(rng: Rng) -> pl.Expr:
    """Pick the zone group a moved customer's numbers come from (never the ZIP's own group)."""
    own = pl.col("_zgroup")
    mainland = own < 4
    return (
        pl.when(mainland & (rng.unit("far") < 0.1))
        .then(4 + rng.below("far_which", 2))
        .when(mainland)
        .then((own + 1 + rng.below("moved_group", 3)) % 4)
        .otherwise(rng.below("moved_group", 4))
    )


def moved_area_code(rng: Rng) -> pl.Expr:
    """Pick an area code of the `_target` zone group (a mobile kept after a move)."""
    flat = [ac for group in _MOVED_AREA_CODES for ac in group]
    starts = list(accumulate((len(g) for g in _MOVED_AREA_CODES), initial=0))[:-1]
    start = gather_int(starts, pl.col("_target"))
    size = gather_int([len(g) for g in _MOVED_AREA_CODES], pl.col("_target"))
    return pick(flat, start + rng.below("moved_ac", size))


def postal_code(rng: Rng) -> pl.Expr:
    """ZIP (some without leading zero, some ZIP+4), Canadian postal code, or foreign code."""
    zip5 = pl.col("_zip")
    us = (
        pl.when(zip5.str.starts_with("0") & (rng.unit("zip_zero") < 0.3))
        # Spreadsheets drop the leading zero of New England ZIPs: '02134' becomes '2134'.
        .then(zip5.str.strip_chars_start("0"))
        .when(rng.unit("zip4") < 0.03)
        .then(pl.concat_str([zip5, pl.lit("-"), rng.digits("zip4_digits", 4)]))
        .otherwise(zip5)
    )
    letters = list(_CA_LETTERS)
    ldu = pl.concat_str(
        [
            rng.below("ldu1", 10).cast(pl.String),
            pick(letters, rng.below("ldu2", len(letters))),
            rng.below("ldu3", 10).cast(pl.String),
        ]
    )
    space = pl.when(rng.unit("ca_space") < 0.9).then(pl.lit(" ")).otherwise(pl.lit(""))
    canada = pl.concat_str([pl.col("_ca_fsa"), space, ldu])
    intl_iso = pl.col("_intl")
    foreign = (
        pl.when(intl_iso == 0)
        .then(pick(_UK_POSTCODES, rng.below("uk_pc", len(_UK_POSTCODES))))
        .when(intl_iso == 1)
        .then((1000 + rng.below("mx_pc", 16_000)).cast(pl.String).str.zfill(5))
        .when(intl_iso == 2)
        .then((10115 + rng.below("de_pc", 4085)).cast(pl.String))
        .when(intl_iso == 3)
        .then((1000 + rng.below("ph_pc", 800)).cast(pl.String))
        .otherwise((400001 + rng.below("in_pc", 100)).cast(pl.String))
    )
    kind = pl.col("_kind")
    return pl.when(kind == 0).then(us).when(kind == 1).then(canada).otherwise(foreign)


def zone_column(rng: Rng) -> pl.Expr:
    """Explicit zone for ~3% of customers: an IANA name or the export's abbreviation."""
    us_zone = (
        pl.when(rng.unit("tz_abbr") < 0.4)
        .then(pl.col("_zip_tz").replace_strict(ZONE_ABBREVIATIONS, default=pl.col("_zip_tz")))
        .otherwise(pl.col("_zip_tz"))
    )
    zone = (
        pl.when(pl.col("_kind") == 0)
        .then(us_zone)
        .when(pl.col("_kind") == 1)
        .then(pl.col("_ca_tz"))
        .otherwise(pick([r[2] for r in INTL], pl.col("_intl")))
    )
    return pl.when(rng.unit("tz") < 0.03).then(zone).otherwise(pl.lit(None, dtype=pl.String))
