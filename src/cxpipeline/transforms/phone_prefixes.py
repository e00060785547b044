"""Decisive digit prefixes of phone numbers, derived exactly from phonenumbers' own regexes.

Each set of patterns that `phonenumbers` consults is compiled into a small automaton over the
digits 0-9; a prefix is decisive when no automaton state still reachable after it has a digit
test narrower than "any digit" ahead of it, so the library's answer can depend only on the
count of the remaining digits. `phone_verdicts.decisive_lengths` finds, row by row, the
shortest such prefix.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterable, Mapping
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_p  # type: ignore[attr-defined]
from typing import Any

from phonenumbers import PhoneMetadata
from phonenumbers import phonenumberutil as pnu

__all__ = [
    "Automaton",
    "add_stored",
    "automaton_text",
    "classify_automaton",
    "compiled_count",
    "known_automata",
    "parse_automaton",
    "region_metadata",
]


_DIGITS = frozenset("0123456789")


class _Unsupported(Exception):
    """A regular-expression construct the digit automaton does not model."""


class Automaton:
    """Union of phonenumbers patterns as one NFA over the digits, with decisive-prefix test.

    A pattern is either full-match or prefix-match (its accepting state then loops on any
    digit). `$` anchors are ignored: they only add a condition on the remaining length, which
    is part of every key.
    """

    def __init__(self, patterns: Iterable[tuple[str, bool]]) -> None:
        self.edges: list[list[tuple[frozenset[str], int]]] = []
        self.eps: list[list[int]] = []
        starts = []
        for pattern, prefix_match in patterns:
            start = self._state()
            end = self._compile(sre_p.parse(pattern), start)
            if prefix_match:
                self.edges[end].append((_DIGITS, end))
            starts.append(start)
        self._closure_memo: dict[int, frozenset[int]] = {}
        self.ahead = self._constraint_ahead()
        self.root = self._close(starts)
        self._memo: dict[str, frozenset[int]] = {"": self.root}

    def to_data(self) -> dict[str, Any]:
        """Return the automaton as plain lists (JSON-ready); `from_data` rebuilds it."""
        return {
            "edges": [[["".join(sorted(chars)), dst] for chars, dst in out] for out in self.edges],
            "eps": self.eps,
            "ahead": sorted(self.ahead),
            "root": sorted(self.root),
        }

    @classmethod
    def from_data(cls, data: dict[str, Any]) -> Automaton:
        """Rebuild an automaton written by `to_data` (no pattern is parsed again)."""
        made = cls.__new__(cls)
        sets: dict[str, frozenset[str]] = {}
        made.edges = [
            [(sets.setdefault(chars, frozenset(chars)), int(dst)) for chars, dst in out]
            for out in data["edges"]
        ]
        made.eps = [[int(dst) for dst in out] for out in data["eps"]]
        made.ahead = frozenset(data["ahead"])
        made.root = frozenset(data["root"])
        made._closure_memo = {}
        made._memo = {"": made.root}
        return made

    def _state(self) -> int:
        self.edges.append([])
        self.eps.append([])
        return len(self.edges) - 1

    def _edge(self, start: int, chars: frozenset[str]) -> int:
        end = self._state()
        if chars:
            self.edges[start].append((chars, end))
        return end

    def _compile(self, seq: Any, start: int) -> int:
        cur = start
        for op, av in seq:
            cur = self._compile_op(op, av, cur)
        return cur

    def _compile_op(self, op: Any, av: Any, cur: int) -> int:
        if op is sre_c.LITERAL:
            return self._edge(cur, frozenset({chr(av)}) & _DIGITS)
        if op is sre_c.NOT_LITERAL:
            return self._edge(cur, _DIGITS - {chr(av)})
        if op is sre_c.ANY:
            return self._edge(cur, _DIGITS)
        if op is sre_c.IN:
            return self._edge(cur, _char_class(av))
        if op is sre_c.AT:
            return cur
        if op is sre_c.SUBPATTERN:
            return self._compile(av[-1], cur)
        if op is sre_c.BRANCH:
            end = self._state()
            for alternative in av[1]:
                self.eps[self._compile(alternative, cur)].append(end)
            return end
        if op in (sre_c.MAX_REPEAT, sre_c.MIN_REPEAT, sre_c.POSSESSIVE_REPEAT):
            low, high, sub = av
            for _ in range(low):
                cur = self._compile(sub, cur)
            if high == sre_c.MAXREPEAT:
                loop = self._state()
                self.eps[cur].append(loop)
                self.eps[self._compile(sub, loop)].append(loop)
                return loop
            end = self._state()
            self.eps[cur].append(end)
            for _ in range(high - low):
                cur = self._compile(sub, cur)
                self.eps[cur].append(end)
            return end
        raise _Unsupported(str(op))

    def _constraint_ahead(self) -> frozenset[int]:
        """States from which some narrower-than-any-digit test is still reachable."""
        back: list[list[int]] = [[] for _ in self.edges]
        marked = set()
        for src, out in enumerate(self.edges):
            for chars, dst in out:
                back[dst].append(src)
                if chars != _DIGITS:
                    marked.add(src)
            for dst in self.eps[src]:
                back[dst].append(src)
        todo = list(marked)
        while todo:
            for src in back[todo.pop()]:
                if src not in marked:
                    marked.add(src)
                    todo.append(src)
        return frozenset(marked)

    def _close(self, states: Iterable[int]) -> frozenset[int]:
        out: set[int] = set()
        for state in states:
            if state not in self._closure_memo:
                seen = {state}
                todo = [state]
                while todo:
                    for nxt in self.eps[todo.pop()]:
                        if nxt not in seen:
                            seen.add(nxt)
                            todo.append(nxt)
                self._closure_memo[state] = frozenset(seen)
            out |= self._closure_memo[state]
        return frozenset(out)

    def states_after(self, prefix: str) -> frozenset[int]:
        """Active states after reading a digit prefix (memoised along the prefix)."""
        found = self._memo.get(prefix)
        if found is None:
            before = self.states_after(prefix[:-1])
            digit = prefix[-1]
            found = self._close(
                dst for src in before for chars, dst in self.edges[src] if digit in chars
            )
            self._memo[prefix] = found
        return found

    def decisive(self, prefix: str) -> bool:
        """Whether every pattern's verdict on prefix+tail depends only on the tail's length."""
        return self.ahead.isdisjoint(self.states_after(prefix))


def _char_class(items: Any) -> frozenset[str]:
    chars: set[str] = set()
    negate = False
    for op, av in items:
        if op is sre_c.NEGATE:
            negate = True
        elif op is sre_c.LITERAL:
            chars.add(chr(av))
        elif op is sre_c.RANGE:
            chars.update(chr(c) for c in range(av[0], av[1] + 1))
        elif op is sre_c.CATEGORY and av is sre_c.CATEGORY_DIGIT:
            chars.update(_DIGITS)
        elif op is sre_c.CATEGORY and av is sre_c.CATEGORY_NOT_DIGIT:
            pass
        else:
            raise _Unsupported(str(op))
    digits = frozenset(chars) & _DIGITS
    return _DIGITS - digits if negate else digits


def region_metadata(cc: int, region: str) -> Any:
    """Metadata of a region, or of a non-geographic calling code (region "001")."""
    return PhoneMetadata.metadata_for_region_or_calling_code(cc, region)


def _group(pattern: str) -> str:
    return "(?:" + pattern + ")"


def parse_automaton(mode: str, scope: str) -> Automaton | None:
    """Patterns `parse` consults for a national number of a region or an international one."""
    if mode == "r":
        # A "+" with no known calling code is re-read whole, keyed by the whole number: no
        # automaton, so nothing to compile or to keep in a cache.
        return None
    return _automaton(f"parse:{mode}:{scope}", lambda: _built_parse_automaton(mode, scope))


def _built_parse_automaton(mode: str, scope: str) -> Automaton | None:
    """Compile the patterns of `parse_automaton` (None: none apply, or not modelled)."""
    meta: Any
    if mode == "n":
        meta = PhoneMetadata.metadata_for_region(scope)
        cc = str(meta.country_code)
    else:
        cc = scope
        meta = region_metadata(int(cc), pnu.region_code_for_country_code(int(cc)))
    if meta is None or meta.national_prefix_transform_rule:
        return None
    gd = _group(meta.general_desc.national_number_pattern)
    npp = meta.national_prefix_for_parsing
    patterns = [(cc + gd, False)]
    if npp:
        patterns += [(cc + _group(npp), True), (cc + _group(npp) + gd, False)]
    if mode == "n":
        patterns += [(gd, False), (_group(meta.international_prefix or "x") + "0", True)]
        if npp:
            patterns += [(_group(npp), True), (_group(npp) + gd, False)]
    try:
        return Automaton(patterns)
    except _Unsupported:
        return None


_DESCS = (
    "general_desc",
    "fixed_line",
    "mobile",
    "toll_free",
    "premium_rate",
    "shared_cost",
    "personal_number",
    "voip",
    "pager",
    "uan",
    "voicemail",
)


#: Automata built or decoded in this process, by name ("classify:1", "parse:n:US").
_AUTOMATA: dict[str, Automaton | None] = {}
#: Automata stored as JSON text (the packaged seed, a home's cache) not used yet: decoded on
#: first use, because a list needs a few of the ~700 and decoding them all costs 0.2 s.
_STORED: dict[str, str] = {}
#: Names compiled from phonenumbers' patterns in this process (what a cache lacked).
_COMPILED: list[str] = []
#: Held while the three are read or changed: a Dask worker runs chunk jobs on its threads
#: (`dask worker` starts one per core; only our local cluster has one), and two chunks meeting a
#: calling code at once must not both compile it, nor one list the automata for the cache
#: while the other adds one ("dictionary changed size during iteration").
_LOCK = threading.RLock()


def known_automata() -> dict[str, str]:
    """Return every automaton this process has (used or stored), as JSON text, by name."""
    with _LOCK:
        known = dict(_STORED)
        held = dict(_AUTOMATA)
    known.update({name: automaton_text(a) for name, a in held.items()})
    return known


def compiled_count() -> int:
    """How many automata this process has compiled from patterns (none when caches had all)."""
    return len(_COMPILED)


def add_stored(found: Mapping[str, str]) -> None:
    """Add automata stored as text by a cache: decoded when needed, never compiled again."""
    with _LOCK:
        for name, text in found.items():
            if name not in _AUTOMATA:
                _STORED.setdefault(name, text)


def automaton_text(automaton: Automaton | None) -> str:
    """Return an automaton (or None: not modelled) as the JSON text `add_stored` takes."""
    return json.dumps(None if automaton is None else automaton.to_data(), separators=(",", ":"))


def _automaton(name: str, build: Callable[[], Automaton | None]) -> Automaton | None:
    """Return the named automaton: decoded from a cache's text, else built the first time."""
    with _LOCK:
        if name not in _AUTOMATA:
            text = _STORED.pop(name, None)
            if text is None:
                _AUTOMATA[name] = build()
                _COMPILED.append(name)
            else:
                data = json.loads(text)
                _AUTOMATA[name] = None if data is None else Automaton.from_data(data)
        return _AUTOMATA[name]


def classify_automaton(cc: int) -> Automaton | None:
    """Every pattern that validity, type, region and NDC length read, for one calling code."""
    return _automaton(f"classify:{cc}", lambda: _built_classify_automaton(cc))


def _built_classify_automaton(cc: int) -> Automaton | None:
    """Compile the patterns of `classify_automaton` (None: a construct it does not model)."""
    patterns: list[tuple[str, bool]] = []
    for region in pnu.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()):
        meta = region_metadata(cc, region)
        if meta is None:
            continue
        for name in _DESCS:
            desc = getattr(meta, name)
            if desc is not None and desc.national_number_pattern:
                patterns.append((desc.national_number_pattern, False))
        if meta.leading_digits:
            patterns.append((meta.leading_digits, True))
        for fmt in list(meta.number_format) + list(meta.intl_number_format):
            patterns.append((fmt.pattern, False))
            patterns.extend((ldp, True) for ldp in fmt.leading_digits_pattern)
    try:
        return Automaton(patterns)
    except _Unsupported:
        return None
