"""Synthetic contact lists, suppression lists and call results of any size (seeded, vectorised)."""

from __future__ import annotations

import argparse
import functools
import zlib
from collections.abc import Sequence
from datetime import date, datetime, timedelta
from itertools import accumulate
from pathlib import Path
from typing import Literal
from zoneinfo import ZoneInfo, available_timezones

import polars as pl

from cxpipeline import io
from cxpipeline.codes import ZONE_ABBREVIATIONS, CallResult

#: Output columns of a synthetic contact list (design.md §3.2 headers).
CUSTOMER_COLUMNS: tuple[str, ...] = (
    "client_id",
    "first_name",
    "last_name",
    "company",
    "home_phone",
    "business_phone",
    "mobile_phone",
    "phone4",
    "postal_code",
    "state_code",
    "country_code_iso",
    "tz",
    "other1",
    "other2",
    "other3",
)
PHONE_COLUMNS: tuple[str, ...] = ("home_phone", "business_phone", "mobile_phone", "phone4")
SUPPRESSION_COLUMNS: tuple[str, ...] = ("phone", "client_id", "expires_at")
CALL_RESULT_COLUMNS: tuple[str, ...] = (
    "record_id",
    "call_time",
    "call_result",
    "attempt",
    "agent_id",
    "duration_s",
    "disposition",
)
#: States the issue asks to see in every sample (strict calling rules or unusual zones).
REQUIRED_STATES: tuple[str, ...] = ("FL", "TX", "CT", "MS", "LA", "AZ", "IN", "HI", "AK")

Region = Literal["east", "west"]

# --------------------------------------------------------------------------- randomness
# A counter-based generator (SplitMix64 over seed, stream and row key) written as Polars
# integer arithmetic: every value depends only on (seed, stream, key), so it is vectorised,
# identical on every machine and Polars version (u64 arithmetic wraps), and needs no numpy.

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


def _mix64(value: int) -> int:
    """SplitMix64 finaliser on a Python int (used for per-stream keys)."""
    z = (value + _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * _MIX1) & _MASK64
    z = ((z ^ (z >> 27)) * _MIX2) & _MASK64
    return z ^ (z >> 31)


def _u64(value: int) -> pl.Expr:
    return pl.lit(value, dtype=pl.UInt64)


class _Rng:
    """Named random streams over one key column; same seed and key give the same values."""

    def __init__(self, seed: int, key: pl.Expr) -> None:
        self.seed = seed
        self.key = key.cast(pl.UInt64)

    def bits(self, stream: str) -> pl.Expr:
        """Uniform u64 per row for the named stream."""
        offset = _mix64((self.seed & _MASK64) * 0x100000001B3 ^ zlib.crc32(stream.encode()))
        z = self.key * _u64(_GOLDEN) + _u64(offset)
        z = (z ^ (z // _u64(1 << 30))) * _u64(_MIX1)
        z = (z ^ (z // _u64(1 << 27))) * _u64(_MIX2)
        return z ^ (z // _u64(1 << 31))

    def unit(self, stream: str) -> pl.Expr:
        """Uniform float in [0, 1)."""
        return (self.bits(stream) // _u64(1 << 11)).cast(pl.Float64) * (2.0**-53)

    def below(self, stream: str, bound: int | pl.Expr) -> pl.Expr:
        """Uniform integer in [0, bound) as Int64 (bound may be a column)."""
        modulus = _u64(bound) if isinstance(bound, int) else bound.cast(pl.UInt64)
        return ((self.bits(stream) // _u64(1 << 11)) % modulus).cast(pl.Int64)

    def choice(self, stream: str, weights: Sequence[float]) -> pl.Expr:
        """Index into `weights` drawn with those relative weights (Int64)."""
        total = float(sum(weights))
        cumulative = pl.Series([c / total for c in accumulate(weights)][:-1], dtype=pl.Float64)
        return pl.lit(cumulative).search_sorted(self.unit(stream), side="right").cast(pl.Int64)

    def digits(self, stream: str, width: int) -> pl.Expr:
        """Return a string of `width` random decimal digits (width <= 18)."""
        return (self.bits(stream) % _u64(10**width)).cast(pl.String).str.zfill(width)


def _pick(values: Sequence[str], index: pl.Expr) -> pl.Expr:
    """Gather from a small constant pool by an index column."""
    return pl.lit(pl.Series(list(values), dtype=pl.String)).gather(index)


# --------------------------------------------------------------------------- pools and tables

_ACCENTED_FIRST = ("Zoë", "José", "Renée", "François", "Søren", "Inés", "Björn", "Chloé", "Noël")
_ACCENTED_LAST = ("Muñoz", "Peña", "Núñez", "Gómez", "Müller", "Lefèvre", "O'Brien", "Dvořák")


@functools.lru_cache(maxsize=4)
def _name_pools(seed: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """First names, last names and companies, built once per seed with Faker."""
    from faker import Faker

    # Mostly US names, with the Hispanic, French-Canadian and German names US lists really hold.
    fake = Faker(["en_US", "es_MX", "fr_CA", "de_DE"])
    fake.seed_instance(seed)
    locales = ["en_US"] * 14 + ["es_MX"] * 3 + ["fr_CA", "de_DE"]
    firsts = [fake[locales[i % len(locales)]].first_name() for i in range(2000)]
    lasts = [fake[locales[i % len(locales)]].last_name() for i in range(2000)]
    companies = [fake["en_US"].company() for _ in range(500)]
    # Fixed accented and apostrophe names so every pool tests Unicode and quoting paths.
    firsts[: len(_ACCENTED_FIRST)] = _ACCENTED_FIRST
    lasts[: len(_ACCENTED_LAST)] = _ACCENTED_LAST
    return tuple(firsts), tuple(lasts), tuple(companies)


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
    offset = datetime(2025, 1, 15, 12, tzinfo=ZoneInfo(zone)).utcoffset()
    return int(offset.total_seconds() // 3600) if offset is not None else 0


@functools.lru_cache(maxsize=1)
def _zip_tables() -> tuple[pl.DataFrame, dict[int, int], tuple[int, int]]:
    """ZIP lookup keyed by `_zkey`, ZIP counts of each required state, and the east/west split.

    Keys 0..N-1 are all usable ZIPs sorted (east first, then west); keys
    (k + 1) * 1_000_000 + j are the ZIPs of REQUIRED_STATES[k].
    """
    import zipcodes

    zones = available_timezones()
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
_CA_FLAT = [(ac, prov, tz, fsa) for ac, prov, tz, fsas in _CANADA for fsa in fsas]
_CA_LETTERS = "ABCEGHJKLMNPRSTVWXYZ"

# International: (ISO, calling code, zone, weight, fixed template, mobile template);
# a template is (national prefix, random digits, first space, second space or 0).
_Template = tuple[str, int, int, int]
_INTL: tuple[tuple[str, str, str, int, _Template, _Template], ...] = (
    ("GB", "44", "Europe/London", 25, ("207", 7, 2, 6), ("79", 8, 4, 0)),
    ("MX", "52", "America/Mexico_City", 30, ("55", 8, 2, 6), ("33", 8, 2, 6)),
    ("DE", "49", "Europe/Berlin", 10, ("30", 8, 2, 0), ("151", 8, 3, 0)),
    ("PH", "63", "Asia/Manila", 20, ("28", 7, 1, 5), ("917", 7, 3, 6)),
    ("IN", "91", "Asia/Kolkata", 15, ("222", 7, 2, 6), ("98", 8, 5, 0)),
)
_UK_POSTCODES = ("SW1A 1AA", "EC1A 1BB", "W1A 0AX", "M1 1AE", "B33 8TH", "CR2 6XH", "LS1 4AP")

# Which phone columns are filled (home, business, mobile, phone4) and how often: 1-4 phones.
_PHONE_PATTERNS: tuple[tuple[tuple[bool, bool, bool, bool], float], ...] = (
    ((False, False, True, False), 22.0),
    ((True, False, False, False), 14.0),
    ((False, True, False, False), 4.0),
    ((True, False, True, False), 20.0),
    ((False, True, True, False), 9.0),
    ((True, True, False, False), 6.0),
    ((True, True, True, False), 15.0),
    ((True, False, True, True), 3.0),
    ((True, True, True, True), 7.0),
)
# NANP spellings seen in client files: (212) 555-0142, 212-555-0142, 212.555.0142, ...
_NANP_FORMAT_WEIGHTS = (30, 20, 8, 8, 15, 5, 8, 6)
_JUNK_PHONES = ("N/A", "unknown", "none", "0000000000", "999-999-9999", "123", "TBD")
_EXTENSION_STYLES = (" x", " ext. ", " ext ", " Ext.")


# --------------------------------------------------------------------------- customers


def _nanp_formatted(j: int) -> pl.Expr:
    """Spell the NANP number of slot j in the format `_fmt{j}` picked."""
    a, e, line, fmt = (pl.col(f"{c}{j}") for c in ("_a", "_e", "_l", "_fmt"))
    spellings = [
        pl.concat_str([pl.lit("("), a, pl.lit(") "), e, pl.lit("-"), line]),
        pl.concat_str([a, e, line], separator="-"),
        pl.concat_str([a, e, line], separator="."),
        pl.concat_str([pl.lit("+1"), a, e, line], separator=" "),
        pl.concat_str([a, e, line]),
        pl.concat_str([pl.lit("1"), a, e, line], separator="-"),
        pl.concat_str([pl.lit("+1"), a, e, line]),
        pl.concat_str([a, e, line], separator=" "),
    ]
    out = spellings[0]
    for i in range(len(spellings) - 1, 0, -1):
        out = pl.when(fmt == i).then(spellings[i]).otherwise(out)
    return out


def _intl_formatted(j: int) -> pl.Expr:
    """Spell the international number of slot j: +CC grouped, +CCdigits, 011 CC, +CC-digits."""
    cc, nat, grouped, fmt = (pl.col(f"{c}{j}") for c in ("_cc", "_nat", "_grouped", "_ifmt"))
    return (
        pl.when(fmt == 0)
        .then(pl.concat_str([pl.lit("+"), cc, pl.lit(" "), grouped]))
        .when(fmt == 1)
        .then(pl.concat_str([pl.lit("+"), cc, nat]))
        .when(fmt == 2)
        .then(pl.concat_str([pl.lit("011 "), cc, pl.lit(" "), grouped]))
        .otherwise(pl.concat_str([pl.lit("+"), cc, pl.lit("-"), nat]))
    )


def _gather_int(values: Sequence[int], index: pl.Expr) -> pl.Expr:
    return pl.lit(pl.Series(list(values), dtype=pl.Int64)).gather(index)


def _number_stages(rng: _Rng) -> list[list[pl.Expr]]:
    """Stages building each slot's `_cc{j}`, `_nat{j}`, split points and `_has{j}`.

    Intermediate results are columns, not nested expressions, so the plan stays small.
    """
    tmpl = [t for row in _INTL for t in (row[4], row[5])]
    is_intl = pl.col("_kind") == 2
    stages: list[list[pl.Expr]] = [[], [], [], []]
    for j in range(4):
        mobile_slot = j == 2
        acs = pl.col("_zip_acs")
        stages[0] += [
            (pl.col("_intl") * 2 + (1 if mobile_slot else rng.below(f"tmpl{j}", 2))).alias(
                f"_tmpl{j}"
            ),
            (200 + rng.below(f"ex{j}", 800)).alias(f"_ex{j}"),
            rng.below(f"line{j}", 10_000).alias(f"_l{j}"),
            acs.list.get(rng.below(f"ac{j}", acs.list.len()), null_on_oob=True).alias(f"_ac{j}"),
            rng.digits(f"intl{j}", 10).alias(f"_idig{j}"),
            _present(j).alias(f"_has{j}"),
        ]
        ex, line, template = pl.col(f"_ex{j}"), pl.col(f"_l{j}"), pl.col(f"_tmpl{j}")
        stages[1] += [
            # N11 exchanges are service codes, never subscriber numbers.
            pl.when(ex % 100 == 11).then(ex + 1).otherwise(ex).alias(f"_ex{j}"),
            pl.when(pl.col("_kind") == 1)
            .then(pl.col("_ca_ac"))
            .when(pl.col("_moved"))
            .then(pl.col("_moved_ac"))
            .otherwise(pl.col(f"_ac{j}"))
            .alias(f"_ac{j}"),
            _pick([t[0] for t in tmpl], template).alias(f"_prefix{j}"),
            _gather_int([t[1] for t in tmpl], template).alias(f"_width{j}"),
            _gather_int([t[2] for t in tmpl], template).alias(f"_s1_{j}"),
            _gather_int([t[3] for t in tmpl], template).alias(f"_s2_{j}"),
        ]
        stages[2] += [
            # 555-0100..0199 is reserved for fiction; keep numbers plausible.
            pl.when((ex == 555) & (line // 100 == 1))
            .then(line + 100)
            .otherwise(line)
            .alias(f"_l{j}")
        ]
        nanp_nat = pl.concat_str(
            [pl.col(f"_ac{j}"), ex.cast(pl.String), line.cast(pl.String).str.zfill(4)]
        )
        intl_nat = pl.concat_str(
            [pl.col(f"_prefix{j}"), pl.col(f"_idig{j}").str.slice(0, pl.col(f"_width{j}"))]
        )
        stages[3] += [
            pl.when(is_intl)
            .then(_pick([r[1] for r in _INTL], pl.col("_intl")))
            .otherwise(pl.lit("1"))
            .alias(f"_cc{j}"),
            pl.when(is_intl).then(intl_nat).otherwise(nanp_nat).alias(f"_nat{j}"),
            pl.when(is_intl).then(pl.col(f"_s1_{j}")).otherwise(0).alias(f"_s1_{j}"),
            pl.when(is_intl).then(pl.col(f"_s2_{j}")).otherwise(0).alias(f"_s2_{j}"),
        ]
    return stages


def _present(slot: int) -> pl.Expr:
    flags = [pattern[slot] for pattern, _ in _PHONE_PATTERNS]
    return pl.lit(pl.Series(flags, dtype=pl.Boolean)).gather(pl.col("_pattern"))


def _first_filled(prefix: str) -> pl.Expr:
    """Return the value of `prefix{j}` in the first filled phone slot."""
    return pl.coalesce([pl.when(pl.col(f"_has{j}")).then(pl.col(f"{prefix}{j}")) for j in range(4)])


def _shared_numbers() -> tuple[list[pl.Expr], list[pl.Expr]]:
    """Give ~1% of customers the previous customer's first number (two stages).

    A shared household line or a number recycled between customers: first read the previous
    row, then overwrite this row's first filled slot.
    """
    fields = ("_cc", "_nat", "_s1_", "_s2_")
    previous = [_first_filled(p).shift(1).alias(f"_prev{p}") for p in fields]
    first_slot = (
        pl.when(pl.col("_has0"))
        .then(0)
        .when(pl.col("_has1"))
        .then(1)
        .when(pl.col("_has2"))
        .then(2)
        .otherwise(3)
    )
    overwrite: list[pl.Expr] = []
    for j in range(4):
        here = pl.col("_share") & (first_slot == j) & pl.col("_prev_nat").is_not_null()
        overwrite += [
            pl.when(here).then(pl.col(f"_prev{p}")).otherwise(pl.col(f"{p}{j}")).alias(f"{p}{j}")
            for p in fields
        ]
    return previous, overwrite


def _spelling_stages(rng: _Rng) -> list[list[pl.Expr]]:
    """Stages spelling each slot: real-world formats, ~2% invalid, extensions on business."""
    stages: list[list[pl.Expr]] = [[], [], [], [], []]
    for j in range(4):
        nat = pl.col(f"_nat{j}")
        stages[0] += [
            (rng.unit(f"bad{j}") < 0.02).alias(f"_bad{j}"),
            rng.below(f"badkind{j}", 4).alias(f"_badkind{j}"),
            rng.below(f"badarea{j}", 2).cast(pl.String).alias(f"_badarea{j}"),
            rng.choice(f"fmt{j}", _NANP_FORMAT_WEIGHTS).alias(f"_fmt{j}"),
            rng.choice(f"ifmt{j}", (50, 30, 10, 10)).alias(f"_ifmt{j}"),
            _pick(_JUNK_PHONES, rng.below(f"junk{j}", len(_JUNK_PHONES))).alias(f"_junk{j}"),
            (pl.col(f"_cc{j}") == "1").alias(f"_nanp{j}"),
        ]
        bad, kind = pl.col(f"_bad{j}"), pl.col(f"_badkind{j}")
        s1, s2 = pl.col(f"_s1_{j}"), pl.col(f"_s2_{j}")
        rest = pl.when(s2 > 0).then(
            pl.concat_str(
                [nat.str.slice(s1, (s2 - s1).clip(lower_bound=0)), pl.lit(" "), nat.str.slice(s2)]
            )
        )
        stages[1] += [
            # Kind 1: an area code starting with 0 or 1 (never assigned in the NANP).
            pl.when(bad & (kind == 1))
            .then(pl.concat_str([pl.col(f"_badarea{j}"), nat.str.slice(1)]))
            .otherwise(nat)
            .alias(f"_natu{j}"),
            pl.concat_str(
                [nat.str.slice(0, s1), pl.lit(" "), rest.otherwise(nat.str.slice(s1))]
            ).alias(f"_grouped{j}"),
        ]
        natu = pl.col(f"_natu{j}")
        stages[2] += [
            natu.str.slice(0, 3).alias(f"_a{j}"),
            natu.str.slice(3, 3).alias(f"_e{j}"),
            natu.str.slice(6, 4).alias(f"_l{j}"),
        ]
        nanp = pl.col(f"_nanp{j}")
        spelled = pl.when(nanp).then(_nanp_formatted(j)).otherwise(_intl_formatted(j))
        if j == 1:
            digits = rng.digits(f"extd{j}", 4).str.slice(0, 2 + rng.below(f"extlen{j}", 3))
            style = _pick(_EXTENSION_STYLES, rng.below(f"exts{j}", len(_EXTENSION_STYLES)))
            spelled = (
                pl.when(nanp & ~bad & (rng.unit(f"ext{j}") < 0.15))
                .then(pl.concat_str([spelled, style, digits]))
                .otherwise(spelled)
            )
        stages[3].append(spelled.alias(f"_spelled{j}"))
        a, e, line, junk = (pl.col(f"{c}{j}") for c in ("_a", "_e", "_l", "_junk"))
        invalid = (
            pl.when((kind == 3) | (~nanp & (kind == 2)))
            .then(junk)
            .when(~nanp)
            .then(pl.concat_str([pl.lit("+"), pl.col(f"_cc{j}"), pl.lit(" "), nat.str.slice(0, 4)]))
            .when(kind == 0)
            .then(pl.concat_str([a, e, line.str.slice(0, 2)], separator="-"))
            .when(kind == 1)
            .then(pl.col(f"_spelled{j}"))
            # A letter O typed for a zero: looks right, is not a number.
            .otherwise(pl.concat_str([a, e, pl.lit("O") + line.str.slice(1)], separator="-"))
        )
        stages[4].append(
            pl.when(~pl.col(f"_has{j}"))
            .then(pl.lit(None, dtype=pl.String))
            .when(bad)
            .then(invalid)
            .otherwise(pl.col(f"_spelled{j}"))
            .alias(PHONE_COLUMNS[j])
        )
    return stages


def _moved_target(rng: _Rng) -> pl.Expr:
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


def _moved_area_code(rng: _Rng) -> pl.Expr:
    """Pick an area code of the `_target` zone group (a mobile kept after a move)."""
    flat = [ac for group in _MOVED_AREA_CODES for ac in group]
    starts = list(accumulate((len(g) for g in _MOVED_AREA_CODES), initial=0))[:-1]
    start = _gather_int(starts, pl.col("_target"))
    size = _gather_int([len(g) for g in _MOVED_AREA_CODES], pl.col("_target"))
    return _pick(flat, start + rng.below("moved_ac", size))


def _postal_code(rng: _Rng) -> pl.Expr:
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
            _pick(letters, rng.below("ldu2", len(letters))),
            rng.below("ldu3", 10).cast(pl.String),
        ]
    )
    space = pl.when(rng.unit("ca_space") < 0.9).then(pl.lit(" ")).otherwise(pl.lit(""))
    canada = pl.concat_str([pl.col("_ca_fsa"), space, ldu])
    intl_iso = pl.col("_intl")
    foreign = (
        pl.when(intl_iso == 0)
        .then(_pick(_UK_POSTCODES, rng.below("uk_pc", len(_UK_POSTCODES))))
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


def _zone_column(rng: _Rng) -> pl.Expr:
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
        .otherwise(_pick([r[2] for r in _INTL], pl.col("_intl")))
    )
    return pl.when(rng.unit("tz") < 0.03).then(zone).otherwise(pl.lit(None, dtype=pl.String))


def synthetic_customers(
    n: int, seed: int = 42, *, start_client_id: int = 1, region: Region | None = None
) -> pl.LazyFrame:
    """Generate customers C{start_client_id:08d}.. as an input contact list (design.md §3.2).

    About 85% US, 10% Canada, 5% international; 1-4 phones in real-world spellings; ~2%
    invalid phone values, ~1% numbers shared with the previous customer, ~5% of US customers
    with every number in another zone than their ZIP, ~2% extra exact duplicate rows (so the
    frame has about 1.02 * n rows). `region` biases 80% of US ZIPs to the east (Eastern,
    Central) or west (Mountain, Pacific, Alaska, Hawaii). Any 250 consecutive customers include
    one with a ZIP and state_code in each of REQUIRED_STATES. The same arguments always give
    the same rows.
    """
    if n < 0:
        raise ValueError(f"n must be >= 0, got {n}")
    lookup, state_counts, (n_east, n_all) = _zip_tables()
    firsts, lasts, companies = _name_pools(seed)
    rng = _Rng(seed, pl.col("_g"))

    pos = pl.col("_g") - start_client_id
    forced_k = (pos * 97) % 250  # 97 is coprime to 250: a fixed shuffle of each block of 250.
    forced = forced_k < len(REQUIRED_STATES)
    state_count = forced_k.replace_strict(state_counts, default=1, return_dtype=pl.Int64)
    any_zip = rng.below("zip", n_all)
    if region is None:
        usual_zip = any_zip
    else:
        low, high = (0, n_east) if region == "east" else (n_east, n_all)
        usual_zip = (
            pl.when(rng.unit("region") < 0.8)
            .then(low + rng.below("zip", high - low))
            .otherwise(any_zip)
        )
    zkey = (
        pl.when(forced)
        .then((forced_k + 1) * 1_000_000 + rng.below("zip", state_count))
        .otherwise(usual_zip)
    )
    ca_index = rng.below("canada", len(_CA_FLAT))
    step1 = (
        pl.LazyFrame()
        .select(pl.int_range(start_client_id, start_client_id + n, dtype=pl.Int64).alias("_g"))
        .with_columns(
            _pos=pos,
            _forced=forced,
            _kind=pl.when(forced).then(0).otherwise(rng.choice("country", (85, 10, 5))),
            _intl=rng.choice("intl_country", [r[3] for r in _INTL]),
            _zkey=zkey,
            _pattern=rng.choice("pattern", [w for _, w in _PHONE_PATTERNS]),
            _share=(rng.unit("share") < 0.01) & (pos > 0),
            _ca_ac=_pick([r[0] for r in _CA_FLAT], ca_index),
            _ca_prov=_pick([r[1] for r in _CA_FLAT], ca_index),
            _ca_tz=_pick([r[2] for r in _CA_FLAT], ca_index),
            _ca_fsa=_pick([r[3] for r in _CA_FLAT], ca_index),
        )
    )
    frame = (
        step1.join(lookup.lazy(), on="_zkey", how="left", maintain_order="left")
        .with_columns(
            _moved=(pl.col("_kind") == 0) & (rng.unit("moved") < 0.05), _target=_moved_target(rng)
        )
        .with_columns(_moved_ac=_moved_area_code(rng))
    )
    previous, overwrite = _shared_numbers()
    for stage in [*_number_stages(rng), previous, overwrite, *_spelling_stages(rng)]:
        frame = frame.with_columns(stage)

    kind = pl.col("_kind")
    cents = 2500 + rng.below("balance", 500_000)
    frame = frame.select(
        pl.col("_g"),
        pl.col("_pos"),
        pl.concat_str([pl.lit("C"), pl.col("_g").cast(pl.String).str.zfill(8)]).alias("client_id"),
        _pick(firsts, rng.below("first", len(firsts))).alias("first_name"),
        _pick(lasts, rng.below("last", len(lasts))).alias("last_name"),
        pl.when(rng.unit("has_company") < 0.25)
        .then(_pick(companies, rng.below("company", len(companies))))
        .alias("company"),
        *PHONE_COLUMNS,
        _postal_code(rng).alias("postal_code"),
        # The required-state customers always name their state, so every sample shows them.
        pl.when((kind == 0) & ((rng.unit("state") < 0.95) | pl.col("_forced")))
        .then(pl.col("_zip_state"))
        .when((kind == 1) & (rng.unit("state") < 0.9))
        .then(pl.col("_ca_prov"))
        .alias("state_code"),
        pl.when((kind == 0) & (rng.unit("country_text") < 0.9))
        .then(pl.lit("US"))
        .when((kind == 1) & (rng.unit("country_text") < 0.95))
        .then(pl.lit("CA"))
        .when(kind == 2)
        .then(_pick([r[0] for r in _INTL], pl.col("_intl")))
        .alias("country_code_iso"),
        _zone_column(rng).alias("tz"),
        pl.concat_str([pl.lit("ACC"), rng.digits("account", 7)]).alias("other1"),
        pl.concat_str(
            [
                (cents // 100).cast(pl.String),
                pl.lit("."),
                (cents % 100).cast(pl.String).str.zfill(2),
            ]
        ).alias("other2"),
        (pl.lit(date(2025, 10, 1)) + pl.duration(days=rng.below("due", 92)))
        .dt.strftime("%Y-%m-%d")
        .alias("other3"),
    )
    # Exact duplicate rows a few lines after their original, as when files are concatenated.
    gap = 1 + rng.below("dup_gap", 50)
    originals = frame.with_columns(_key=pl.col("_pos").cast(pl.Float64))
    duplicates = frame.filter(rng.unit("dup") < 0.02).with_columns(
        _key=pl.min_horizontal(pl.col("_pos") + gap, pl.lit(max(n - 1, 0))).cast(pl.Float64) + 0.5
    )
    return (
        pl.concat([originals, duplicates])
        .sort("_key", maintain_order=True)
        .select(CUSTOMER_COLUMNS)
    )


def write_contact_list(
    path: Path | str,
    n: int,
    seed: int = 42,
    *,
    start_client_id: int = 1,
    chunk_rows: int = 1_000_000,
    fmt: Literal["csv", "parquet"] = "csv",
    region: Region | None = None,
) -> Path:
    """Write n synthetic customers to one CSV or Parquet file, chunk by chunk (bounded memory).

    Chunk k holds customers start_client_id + k * chunk_rows onward, so the file depends on
    chunk_rows only through where duplicate rows and shared numbers can reach.
    """
    if chunk_rows < 1:
        raise ValueError(f"chunk_rows must be >= 1, got {chunk_rows}")
    if fmt not in ("csv", "parquet"):
        raise ValueError(f"fmt must be 'csv' or 'parquet', got {fmt!r}")
    target = Path(path)
    starts = range(start_client_id, start_client_id + n, chunk_rows) if n else [start_client_id]
    end = start_client_id + n
    with io.atomic_path(target) as tmp:
        if fmt == "csv":
            with tmp.open("wb") as handle:
                for i, first in enumerate(starts):
                    chunk = synthetic_customers(
                        min(chunk_rows, end - first), seed, start_client_id=first, region=region
                    ).collect()
                    chunk.write_csv(handle, include_header=i == 0)
        else:
            import pyarrow.parquet as pq

            writer = None
            try:
                for first in starts:
                    table = (
                        synthetic_customers(
                            min(chunk_rows, end - first), seed, start_client_id=first, region=region
                        )
                        .collect()
                        .to_arrow()
                    )
                    if writer is None:
                        writer = pq.ParquetWriter(tmp, table.schema, compression="zstd")
                    writer.write_table(table)
            finally:
                if writer is not None:
                    writer.close()
    return target


# --------------------------------------------------------------------------- suppression


def synthetic_suppression(customers: pl.LazyFrame, fraction: float, seed: int) -> pl.LazyFrame:
    """Draw a do-not-call list from about `fraction` of the given customers.

    Columns phone, client_id, expires_at (ISO date, empty = permanent), all text. About 60% of
    entries give only a phone (mostly bare digits, as DNC registries send them), 25% only the
    client id, 15% both; ~30% expire, some already in the past.
    """
    if not 0.0 <= fraction <= 1.0:
        raise ValueError(f"fraction must be within [0, 1], got {fraction}")
    rng = _Rng(seed, pl.col("_k"))
    phones = pl.concat_list([pl.col(c) for c in PHONE_COLUMNS]).list.drop_nulls()
    count = phones.list.len()
    chosen = phones.list.get(rng.below("phone", pl.max_horizontal(count, 1)), null_on_oob=True)
    bare = chosen.str.replace(r"(?i)\s*(?:x|ext\.?)\s*\d+\s*$", "")
    digits = bare.str.replace_all(r"\D", "")
    as_registry = (
        pl.when(bare.str.starts_with("+") & ~bare.str.starts_with("+1"))
        .then(pl.concat_str([pl.lit("+"), digits]))
        .when((digits.str.len_chars() == 11) & digits.str.starts_with("1"))
        .then(digits.str.slice(1))
        .otherwise(digits)
    )
    written = pl.when(rng.unit("as_written") < 0.2).then(bare).otherwise(as_registry)
    phone = pl.when(digits.str.len_chars() >= 7).then(written)
    kind = rng.choice("kind", (60, 25, 15))  # 0 phone only, 1 client id only, 2 both
    expires = (
        pl.lit(date(2025, 6, 1)) + pl.duration(days=rng.below("expires_day", 900))
    ).dt.strftime("%Y-%m-%d")
    return (
        customers.select("client_id", *PHONE_COLUMNS)
        .unique(subset="client_id", keep="first", maintain_order=True)
        .with_row_index("_k")
        .filter(rng.unit("pick") < fraction)
        .with_columns(_phone=phone, _kind=kind)
        .select(
            pl.when(pl.col("_kind") != 1).then(pl.col("_phone")).alias("phone"),
            pl.when((pl.col("_kind") != 0) | pl.col("_phone").is_null())
            .then(pl.col("client_id"))
            .alias("client_id"),
            pl.when(rng.unit("expires") < 0.3).then(expires).alias("expires_at"),
            rng.bits("order").alias("_order"),
        )
        .sort("_order")
        .drop("_order")
    )


# --------------------------------------------------------------------------- call results

_R = CallResult
#: (result, weight in %): the mix of a collections campaign's attempts.
RESULT_MIX: tuple[tuple[CallResult, float], ...] = (
    (_R.NO_ANSWER, 35.0),
    (_R.BUSY, 10.0),
    (_R.ANSWERING_MACHINE, 20.0),
    (_R.ANSWER, 20.0),
    (_R.SIT_DETECTED, 1.5),
    (_R.SIT_INVALID_NUM, 1.5),
    (_R.SIT_VACANT, 1.0),
    (_R.SIT_REORDER, 1.0),
    (_R.ABANDONED, 3.0),
    (_R.FAX_DETECTED, 1.0),
    (_R.WRONG_PARTY, 2.0),
    (_R.DO_NOT_CALL, 1.0),
    (_R.DROPPED, 1.0),
    (_R.SILENCE, 0.5),
    (_R.ALL_TRUNKS_BUSY, 0.5),
    (_R.WRONG_NUMBER, 0.5),
    (_R.GENERAL_ERROR, 0.5),
)
# Results after which a real dialer stops calling that number, and those that finish the
# whole chain (domain.md §4: a final outcome updates the chain; Do Not Call stops it).
_FINAL_RESULTS = (33, 40, 51, 53, 8, 11, 12, 16, 17)
_CHAIN_FINAL_RESULTS = (33, 40, 51)
_AGENT_RESULTS = (33, 40, 51)
_DISPOSITIONS = (
    "Promise to Pay",
    "Payment Taken",
    "Callback Requested",
    "Refused to Pay",
    "Dispute",
    "Already Paid",
)
_NO_ZONE_WINDOW = "America/New_York"  # zoneless records: the conservative default window


def _offset_table(zones: Sequence[str], first_day: date, days: int) -> pl.DataFrame:
    """UTC offset at local noon of each zone and day (DST changes happen before 09:00)."""
    rows: list[tuple[str, int, int, str]] = []
    for zone in zones:
        info = ZoneInfo(zone)
        for d in range(days):
            noon = datetime.combine(first_day + timedelta(days=d), datetime.min.time()).replace(
                hour=12, tzinfo=info
            )
            delta = noon.utcoffset() or timedelta(0)
            seconds = int(delta.total_seconds())
            sign = "-" if seconds < 0 else "+"
            hh, mm = divmod(abs(seconds) // 60, 60)
            rows.append((zone, d, seconds, f"{sign}{hh:02d}:{mm:02d}"))
    return pl.DataFrame(
        rows,
        schema={"_zone": pl.String, "_day": pl.Int64, "_off_s": pl.Int64, "_off": pl.String},
        orient="row",
    )


def synthetic_call_results(
    records: pl.LazyFrame, *, start: datetime, days: int, seed: int
) -> pl.LazyFrame:
    """Call results (design.md §3.3) for ~70% of the records, 1-4 attempts each, over `days`.

    `records` needs record_id (int), chain_id, contact_info and tz_name (IANA or null). Calls
    fall between 09:00 and 20:00 local time of the record's zone and are written with its
    offset; zoneless records are called 14:00-20:00 New York time and written in UTC ('Z').
    Results follow RESULT_MIX; no attempt of a record follows its final result (connect, DNC,
    wrong party, invalid, fax), no attempt of a chain follows a connect, wrong party or DNC;
    ~10% of results are written by name. Sorted by call time.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    known = available_timezones()
    present = records.select(pl.col("tz_name").unique()).collect().to_series().to_list()
    zones = sorted({z for z in present if isinstance(z, str) and z in known} | {_NO_ZONE_WINDOW})
    offsets = _offset_table(zones, start.date(), days)

    per_record = _Rng(seed, pl.col("record_id"))
    # A distinct stream key per attempt; u64 arithmetic wraps, so any record_id is fine.
    attempt_key = pl.col("record_id").cast(pl.UInt64) * _u64(8) + pl.col("_k").cast(pl.UInt64)
    per_attempt = _Rng(seed, attempt_key)
    has_zone = pl.col("tz_name").is_in(zones)
    code_of = [int(r) for r, _ in RESULT_MIX]
    code = pl.lit(pl.Series(code_of, dtype=pl.Int64)).gather(
        per_attempt.choice("result", [w for _, w in RESULT_MIX])
    )
    local = pl.lit(datetime.combine(start.date(), datetime.min.time())) + pl.duration(
        days=pl.col("_day"), seconds=pl.col("_sec")
    )
    attempts = (
        records.select("record_id", "chain_id", "tz_name")
        .filter(per_record.unit("attempted") < 0.7)
        .with_columns(_k=pl.int_ranges(0, 1 + per_record.choice("attempts", (45, 30, 15, 10))))
        .explode("_k")
        .with_columns(
            _zone=pl.when(has_zone).then(pl.col("tz_name")).otherwise(pl.lit(_NO_ZONE_WINDOW)),
            _has_zone=has_zone,
            _day=per_attempt.below("day", days),
            _sec=pl.when(has_zone)
            .then(9 * 3600 + per_attempt.below("second", 11 * 3600))
            .otherwise(14 * 3600 + per_attempt.below("second", 6 * 3600)),
            _code=code,
            _u_label=per_attempt.unit("label"),
            _agent=1 + per_attempt.below("agent", 40),
            _d1=per_attempt.below("duration", 600),
            _d2=per_attempt.below("duration2", 300),
            _disp=per_attempt.below("disposition", len(_DISPOSITIONS)),
            _u_vm=per_attempt.unit("voicemail"),
        )
        .join(offsets.lazy(), on=["_zone", "_day"], how="left")
        .with_columns(_local=local)
        .with_columns(_utc=pl.col("_local") - pl.duration(seconds=pl.col("_off_s")))
        .sort("record_id", "_utc", "_k")
        .with_columns(
            attempt=pl.int_range(1, pl.len() + 1).over("record_id"),
            _final=pl.col("_code").is_in(_FINAL_RESULTS).cast(pl.Int64),
        )
        .with_columns(
            _chain_done=pl.when(pl.col("_code").is_in(_CHAIN_FINAL_RESULTS))
            .then(pl.col("_utc"))
            .min()
            .over("chain_id")
        )
        .filter(
            ((pl.col("_final").cum_sum() - pl.col("_final")).over("record_id") == 0)
            & ((pl.col("_utc") <= pl.col("_chain_done")) | pl.col("_chain_done").is_null())
        )
    )
    c = pl.col("_code")
    labels = {int(r): r.label for r in CallResult}
    duration = (
        pl.when(c == 33)
        .then(30 + pl.col("_d1") + pl.col("_d2"))
        .when(c.is_in([40, 51]))
        .then(10 + pl.col("_d1") % 80)
        .when(c == 9)
        .then(15 + pl.col("_d1") % 30)
        .when(c == 7)
        .then(20 + pl.col("_d1") % 20)
        .when(c == 21)
        .then(2 + pl.col("_d1") % 28)
        .when(c == 17)
        .then(3 + pl.col("_d1") % 8)
        .otherwise(pl.col("_d1") % 6)
    )
    disposition = (
        pl.when(c == 33)
        .then(_pick(_DISPOSITIONS, pl.col("_disp")))
        .when(c == 40)
        .then(pl.lit("Wrong Party"))
        .when(c == 51)
        .then(pl.lit("Do Not Call Request"))
        .when((c == 9) & (pl.col("_u_vm") < 0.4))
        .then(pl.lit("Left Voicemail"))
    )
    call_time = (
        pl.when(pl.col("_has_zone"))
        .then(pl.concat_str([pl.col("_local").dt.strftime("%Y-%m-%dT%H:%M:%S"), pl.col("_off")]))
        .otherwise(pl.col("_utc").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    )
    return attempts.sort("_utc", "record_id", "attempt").select(
        pl.col("record_id"),
        call_time.alias("call_time"),
        pl.when(pl.col("_u_label") < 0.1)
        .then(c.replace_strict(labels, return_dtype=pl.String))
        .otherwise(c.cast(pl.String))
        .alias("call_result"),
        pl.col("attempt").cast(pl.Int64),
        pl.when(c.is_in(_AGENT_RESULTS))
        .then(pl.concat_str([pl.lit("agent_"), pl.col("_agent").cast(pl.String).str.zfill(3)]))
        .alias("agent_id"),
        duration.cast(pl.Int64).alias("duration_s"),
        disposition.alias("disposition"),
    )


# --------------------------------------------------------------------------- the sample

#: The committed sample: (key, file name, share of customers, first client id, region).
SAMPLE_LISTS: tuple[tuple[str, str, float, int, Region], ...] = (
    ("east_q4", "contacts_east_q4.csv", 0.5, 100_001, "east"),
    ("east_retry", "contacts_east_retry.csv", 0.2, 200_001, "east"),
    ("west_q4", "contacts_west_q4.csv", 0.3, 300_001, "west"),
)
SAMPLE_SUPPRESSION = ("suppression_dnc", "suppression_dnc.csv", 0.03)


def generate_sample(out_dir: Path, customers: int = 2000, seed: int = 42) -> dict[str, Path]:
    """Write the three sample contact lists and the suppression list; return key -> path.

    Keys: east_q4, east_retry, west_q4 (50/20/30% of `customers`, client ids from 100001,
    200001, 300001) and suppression_dnc (~3% of all customers). Exactly how data/sample was made.
    """
    out_dir = Path(out_dir)
    written: dict[str, Path] = {}
    frames: list[pl.DataFrame] = []
    allotted = 0
    for i, (key, name, share, first_id, region) in enumerate(SAMPLE_LISTS):
        count = customers - allotted if i == len(SAMPLE_LISTS) - 1 else round(customers * share)
        allotted += count
        frame = synthetic_customers(count, seed, start_client_id=first_id, region=region).collect()
        written[key] = io.write_csv(frame, out_dir / name)
        frames.append(frame)
    key, name, fraction = SAMPLE_SUPPRESSION
    dnc = synthetic_suppression(pl.concat(frames).lazy(), fraction, seed).collect()
    written[key] = io.write_csv(dnc, out_dir / name)
    return written


def main(argv: Sequence[str] | None = None) -> None:
    """`python -m cxpipeline.generate`: write the sample, or one contact list of any size."""
    parser = argparse.ArgumentParser(prog="python -m cxpipeline.generate", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    sample = sub.add_parser("sample", help="write the sample lists and suppression list")
    sample.add_argument("out_dir", type=Path)
    sample.add_argument("--customers", type=int, default=2000)
    sample.add_argument("--seed", type=int, default=42)
    big = sub.add_parser("list", help="write one contact list of N customers")
    big.add_argument("path", type=Path)
    big.add_argument("--customers", type=int, required=True)
    big.add_argument("--seed", type=int, default=42)
    big.add_argument("--start-client-id", type=int, default=1)
    big.add_argument("--chunk-rows", type=int, default=1_000_000)
    big.add_argument("--format", choices=("csv", "parquet"), default="csv")
    big.add_argument("--region", choices=("east", "west"), default=None)
    args = parser.parse_args(argv)
    if args.command == "sample":
        for key, path in generate_sample(args.out_dir, args.customers, args.seed).items():
            print(f"{key}: {path}")
    else:
        path = write_contact_list(
            args.path,
            args.customers,
            args.seed,
            start_client_id=args.start_client_id,
            chunk_rows=args.chunk_rows,
            fmt=args.format,
            region=args.region,
        )
        print(path)


if __name__ == "__main__":
    main()
