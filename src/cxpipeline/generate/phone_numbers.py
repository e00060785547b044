"""The phone numbers of each customer's four slots, before they are spelled out."""

from __future__ import annotations

import polars as pl

from cxpipeline.generate.places import INTL
from cxpipeline.generate.streams import Rng, gather_int, pick

# Which phone columns are filled (home, business, mobile, phone4) and how often: 1-4 phones.
PHONE_PATTERNS: tuple[tuple[tuple[bool, bool, bool, bool], float], ...] = (
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


def number_stages(rng: Rng) -> list[list[pl.Expr]]:
    """Stages building each slot's `_cc{j}`, `_nat{j}`, split points and `_has{j}`.

    Intermediate results are columns, not nested expressions, so the plan stays small.
    """
    tmpl = [t for row in INTL for t in (row[4], row[5])]
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
            pick([t[0] for t in tmpl], template).alias(f"_prefix{j}"),
            gather_int([t[1] for t in tmpl], template).alias(f"_width{j}"),
            gather_int([t[2] for t in tmpl], template).alias(f"_s1_{j}"),
            gather_int([t[3] for t in tmpl], template).alias(f"_s2_{j}"),
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
            .then(pick([r[1] for r in INTL], pl.col("_intl")))
            .otherwise(pl.lit("1"))
            .alias(f"_cc{j}"),
            pl.when(is_intl).then(intl_nat).otherwise(nanp_nat).alias(f"_nat{j}"),
            pl.when(is_intl).then(pl.col(f"_s1_{j}")).otherwise(0).alias(f"_s1_{j}"),
            pl.when(is_intl).then(pl.col(f"_s2_{j}")).otherwise(0).alias(f"_s2_{j}"),
        ]
    return stages


def _present(slot: int) -> pl.Expr:
    """Whether phone slot `slot` is filled under the row's `_pattern`."""
    flags = [pattern[slot] for pattern, _ in PHONE_PATTERNS]
    return pl.lit(pl.Series(flags, dtype=pl.Boolean)).gather(pl.col("_pattern"))


def _first_filled(prefix: str) -> pl.Expr:
    """Return the value of `prefix{j}` in the first filled phone slot."""
    return pl.coalesce([pl.when(pl.col(f"_has{j}")).then(pl.col(f"{prefix}{j}")) for j in range(4)])


def shared_numbers() -> tuple[list[pl.Expr], list[pl.Expr]]:
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
