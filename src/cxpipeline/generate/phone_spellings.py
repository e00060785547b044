"""How each phone slot is written: real-world spellings, extensions and ~2% invalid values."""

from __future__ import annotations

import polars as pl

from cxpipeline.generate.columns import PHONE_COLUMNS
from cxpipeline.generate.streams import Rng, pick

# NANP spellings seen in client files: (212) 555-0142, 212-555-0142, 212.555.0142, ...
_NANP_FORMAT_WEIGHTS = (30, 20, 8, 8, 15, 5, 8, 6)
_JUNK_PHONES = ("N/A", "unknown", "none", "0000000000", "999-999-9999", "123", "TBD")
_EXTENSION_STYLES = (" x", " ext. ", " ext ", " Ext.")


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


def _slot_draws(rng: Rng, j: int) -> list[pl.Expr]:
    """Random draws of slot j: whether and how it is invalid, and which spelling it gets."""
    return [
        (rng.unit(f"bad{j}") < 0.02).alias(f"_bad{j}"),
        rng.below(f"badkind{j}", 4).alias(f"_badkind{j}"),
        rng.below(f"badarea{j}", 2).cast(pl.String).alias(f"_badarea{j}"),
        rng.choice(f"fmt{j}", _NANP_FORMAT_WEIGHTS).alias(f"_fmt{j}"),
        rng.choice(f"ifmt{j}", (50, 30, 10, 10)).alias(f"_ifmt{j}"),
        pick(_JUNK_PHONES, rng.below(f"junk{j}", len(_JUNK_PHONES))).alias(f"_junk{j}"),
        (pl.col(f"_cc{j}") == "1").alias(f"_nanp{j}"),
    ]


def _slot_parts(j: int) -> list[pl.Expr]:
    """Slot j's national number (possibly with a bad area code) and its grouped spelling."""
    nat, bad, kind = pl.col(f"_nat{j}"), pl.col(f"_bad{j}"), pl.col(f"_badkind{j}")
    s1, s2 = pl.col(f"_s1_{j}"), pl.col(f"_s2_{j}")
    rest = pl.when(s2 > 0).then(
        pl.concat_str(
            [nat.str.slice(s1, (s2 - s1).clip(lower_bound=0)), pl.lit(" "), nat.str.slice(s2)]
        )
    )
    return [
        # Kind 1: an area code starting with 0 or 1 (never assigned in the NANP).
        pl.when(bad & (kind == 1))
        .then(pl.concat_str([pl.col(f"_badarea{j}"), nat.str.slice(1)]))
        .otherwise(nat)
        .alias(f"_natu{j}"),
        pl.concat_str([nat.str.slice(0, s1), pl.lit(" "), rest.otherwise(nat.str.slice(s1))]).alias(
            f"_grouped{j}"
        ),
    ]


def _nanp_split(j: int) -> list[pl.Expr]:
    """Area code, exchange and line of slot j's (possibly invalid) national number."""
    natu = pl.col(f"_natu{j}")
    return [
        natu.str.slice(0, 3).alias(f"_a{j}"),
        natu.str.slice(3, 3).alias(f"_e{j}"),
        natu.str.slice(6, 4).alias(f"_l{j}"),
    ]


def _spelled(rng: Rng, j: int) -> pl.Expr:
    """Slot j as a client file writes it; ~15% of valid business numbers carry an extension."""
    nanp = pl.col(f"_nanp{j}")
    spelled = pl.when(nanp).then(_nanp_formatted(j)).otherwise(_intl_formatted(j))
    if j == 1:
        digits = rng.digits(f"extd{j}", 4).str.slice(0, 2 + rng.below(f"extlen{j}", 3))
        style = pick(_EXTENSION_STYLES, rng.below(f"exts{j}", len(_EXTENSION_STYLES)))
        spelled = (
            pl.when(nanp & ~pl.col(f"_bad{j}") & (rng.unit(f"ext{j}") < 0.15))
            .then(pl.concat_str([spelled, style, digits]))
            .otherwise(spelled)
        )
    return spelled.alias(f"_spelled{j}")


def _invalid(j: int) -> pl.Expr:
    """Spell slot j invalid by `_badkind{j}`: too short, bad area code, letter O, or junk."""
    nat, kind, nanp = pl.col(f"_nat{j}"), pl.col(f"_badkind{j}"), pl.col(f"_nanp{j}")
    a, e, line, junk = (pl.col(f"{c}{j}") for c in ("_a", "_e", "_l", "_junk"))
    return (
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


def _written(j: int) -> pl.Expr:
    """Fill the phone column of slot j: empty, invalid or spelled."""
    return (
        pl.when(~pl.col(f"_has{j}"))
        .then(pl.lit(None, dtype=pl.String))
        .when(pl.col(f"_bad{j}"))
        .then(_invalid(j))
        .otherwise(pl.col(f"_spelled{j}"))
        .alias(PHONE_COLUMNS[j])
    )


def spelling_stages(rng: Rng) -> list[list[pl.Expr]]:
    """Stages spelling each slot: real-world formats, ~2% invalid, extensions on business."""
    stages: list[list[pl.Expr]] = [[], [], [], [], []]
    for j in range(4):
        stages[0] += _slot_draws(rng, j)
        stages[1] += _slot_parts(j)
        stages[2] += _nanp_split(j)
        stages[3].append(_spelled(rng, j))
        stages[4].append(_written(j))
    return stages
