"""Shortest decisive prefixes of phone numbers, with the NANP verdicts shipped precomputed.

`decisive_lengths` walks each number's digits until its automaton (`phone_prefixes`) says the
rest cannot change phonenumbers' answer. A process needed the automaton decoded and each new
prefix's states computed (~0.1 s of a 1,000-row ingest in a new process); for the automata
nearly every list meets (`VERDICT_NAMES`, NANP) every verdict up to a whole number ships in the
package's automata file (`shipped_verdicts`, with the NANP area codes in service), so a new
process reads them and decodes an automaton only for a prefix the file does not hold.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from functools import cache
from typing import Any

import polars as pl
from phonenumbers import PhoneNumber
from phonenumbers import phonenumberutil as pnu

from cxpipeline.transforms.phone_prefixes import Automaton, classify_automaton, parse_automaton

__all__ = [
    "VERDICT_NAMES",
    "Decides",
    "add_verdicts",
    "classify_decides",
    "decisive_lengths",
    "npa_in_service",
    "parse_decides",
    "shipped_verdicts",
]

#: A prefix's verdict: whether every pattern's answer on it plus any tail depends only on the
#: tail's length (`Automaton.decisive`).
Decides = Callable[[str], bool]

#: Automata whose every verdict up to a whole number ships with the package.
VERDICT_NAMES = ("classify:1", "parse:n:US", "parse:n:CA", "parse:+:1")
#: Longest prefix shipped: a whole NANP number with its country code (the walk stops sooner).
_VERDICT_DEPTH = 11
_DIGITS = "0123456789"
#: Verdicts by automaton name, from the package's file (`add_verdicts`).
_VERDICTS: dict[str, Shipped] = {}
#: NANP area codes some exchange of which phonenumbers assigns to a region, when shipped.
_NPAS: set[str] = set()
_LOCK = threading.Lock()


def _automaton_named(name: str) -> Automaton | None:
    """Return the automaton of a name ("classify:1", "parse:n:US"), decoded or built."""
    kind, _, scope = name.partition(":")
    if kind == "classify":
        return classify_automaton(int(scope))
    mode, _, region = scope.partition(":")
    return parse_automaton(mode, region)


class Shipped:
    """A named automaton's verdicts read from the package's table; the automaton on a miss."""

    def __init__(self, name: str, decisive: list[str], undecided: list[str]) -> None:
        self.name = name
        self.table = dict.fromkeys(undecided, False)
        self.table.update(dict.fromkeys(decisive, True))
        #: Decisive prefixes by length: every branch of the automaton is decided within them.
        self.decisive: dict[int, list[str]] = {}
        for prefix in decisive:
            self.decisive.setdefault(len(prefix), []).append(prefix)

    def __call__(self, prefix: str) -> bool:
        """Return the prefix's verdict (`Automaton.decisive`)."""
        found = self.table.get(prefix)
        if found is None:  # deeper than shipped: the automaton, decoded at this first miss
            automaton = _automaton_named(self.name)
            found = automaton is None or automaton.decisive(prefix)
        return found


def _decides(name: str) -> Decides | None:
    """Return the named automaton's verdicts (None: not modelled), shipped ones first."""
    shipped = _VERDICTS.get(name)
    if shipped is not None:
        return shipped
    automaton = _automaton_named(name)
    return None if automaton is None else automaton.decisive


def classify_decides(cc: int) -> Decides | None:
    """Return the verdicts of `classify_automaton(cc)` (None: not modelled)."""
    return _decides(f"classify:{cc}")


def parse_decides(mode: str, scope: str) -> Decides | None:
    """Return the verdicts of `parse_automaton(mode, scope)` (None: not modelled)."""
    return None if mode == "r" else _decides(f"parse:{mode}:{scope}")


def shipped_verdicts() -> dict[str, Any]:
    """Return every verdict of the `VERDICT_NAMES` automata and the NANP area codes in service."""
    verdicts: dict[str, Any] = {}
    for name in VERDICT_NAMES:
        automaton = _automaton_named(name)
        if automaton is None:
            continue
        decisive, undecided, todo = [], [], [""]
        while todo:
            prefix = todo.pop()
            if automaton.decisive(prefix):
                decisive.append(prefix)
            else:
                undecided.append(prefix)
                if len(prefix) < _VERDICT_DEPTH:
                    todo.extend(prefix + digit for digit in _DIGITS)
        verdicts[name] = {"decisive": sorted(decisive), "undecided": sorted(undecided)}
    npas = [f"{n:03d}" for n in range(1000) if _npa_assigned(f"{n:03d}")]
    return {"verdicts": verdicts, "npas": npas}


def add_verdicts(found: Mapping[str, Any]) -> None:
    """Add the verdicts and area codes `shipped_verdicts` made for the installed release."""
    with _LOCK:
        for name, lists in found.get("verdicts", {}).items():
            if name not in _VERDICTS:
                _VERDICTS[name] = Shipped(name, lists["decisive"], lists["undecided"])
        _NPAS.update(found.get("npas", ()))


def npa_in_service(npa: str) -> bool:
    """Whether phonenumbers assigns some exchange of this NANP area code to a region."""
    return npa in _NPAS if _NPAS else _npa_assigned(npa)


@cache
def _npa_assigned(npa: str) -> bool:
    """Ask the library whether some exchange of the area code maps to a region."""
    return any(
        pnu.region_code_for_number(
            PhoneNumber(country_code=1, national_number=int(npa + d + "345678"))
        )
        is not None
        for d in "23456789"
    )


_SEP = "\x1f"


def decisive_lengths(
    frame: pl.DataFrame,
    scope: pl.Expr,
    digits: str,
    decides_for: Callable[[str], Decides | None],
) -> pl.Series:
    """Return, row by row, the shortest decisive prefix length of `digits` within its scope.

    Walks the digit trie level by level in Polars: at level k only the distinct undecided
    (scope, prefix) pairs reach Python, so the Python work grows with the number of distinct
    prefixes, not with the number of rows. Scopes without an automaton use the whole number.
    """
    work = frame.select(_s=scope, _d=pl.col(digits))
    deciders = {s: decides_for(s) for s in work.get_column("_s").drop_nulls().unique()}
    whole = [s for s, decides in deciders.items() if decides is None]
    length = pl.col("_d").str.len_chars().cast(pl.Int64)
    found = work.select(
        pl.coalesce(
            pl.when(pl.col("_s").is_in(whole)).then(length),
            *(
                pl.when(pl.col("_s") == s).then(_shipped_length(decides, length))
                for s, decides in deciders.items()
                if isinstance(decides, Shipped)
            ),
        )
    ).to_series()
    # Only the rows still undecided are carried from level to level (with their row index).
    open_rows = work.with_row_index("_i").filter(
        found.is_null() & pl.col("_s").is_not_null() & pl.col("_d").is_not_null()
    )
    level = 0
    while open_rows.height:
        prefixes = open_rows.select("_s", _p=pl.col("_d").str.slice(0, level)).unique()
        # Per distinct (scope, prefix), never per record: a few thousand at most.
        decided = [
            s + _SEP + p
            for s, p in prefixes.iter_rows()
            if deciders[s](p)  # type: ignore[misc]
        ]
        ended = length <= level
        if not decided and not open_rows.select(ended.any()).item():
            level += 1  # nothing decided at this level (the short prefixes): no row moves
            continue
        here = (pl.col("_s") + _SEP + pl.col("_d").str.slice(0, level)).is_in(decided)
        marked = open_rows.with_columns(_h=here | ended)
        done = marked.filter(pl.col("_h")).get_column("_i")
        found = found.scatter(done, level) if done.len() else found
        open_rows = marked.filter(~pl.col("_h")).drop("_h")
        level += 1
    return found.alias("_k")


def _shipped_length(shipped: Shipped, length: pl.Expr) -> pl.Expr:
    """Return the walk's answer in one expression, for a scope whose table decides every branch.

    Level by level as the walk goes: the first prefix the table calls decisive, or the whole
    number when it ends first; null when neither happens within the table's levels (the walk
    then takes the row from the start).
    """
    digits = pl.col("_d")
    return pl.coalesce(
        pl.when(
            (length <= level) | digits.str.slice(0, level).is_in(shipped.decisive.get(level, []))
        ).then(level)
        for level in range(max(shipped.decisive, default=-1) + 1)
    )
