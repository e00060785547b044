"""Phone values to E.164 with country, area code, exchange, extension and number type.

Design (issue #4, items 1-2). Text handling is done with Polars string expressions that mirror
the first steps of `phonenumbers.parse` (same regular expressions, taken from the library):
find the number in the text, cut the extension, detect `+` or the default region's
international prefix, map vanity letters to digits. What remains is a canonical digit string
per value: `(mode, scope, digits)` where mode is international (`+`, scope = calling code) or
national (scope = the default region).

`phonenumbers` is then called once per distinct *key*, never once per record. A key is the
scope, the digit count and the shortest leading-digit prefix after which every regular
expression that `phonenumbers` consults cannot tell two numbers apart any more. That prefix is
computed exactly from the library's own metadata: each pattern is compiled into a small
automaton over the digits 0-9, and a prefix is decisive when no automaton state still reachable
after it has a digit test narrower than "any digit" ahead of it (so the answer can depend only
on the count of the remaining digits, which is part of the key). Two passes use this:

1. parse: key over the canonical digits with the patterns `parse` uses (international prefix,
   national prefix for parsing, general description, with and without the country code in
   front). One `parse` per key gives the country code and the national significant number; the
   digits after the key are copied into it (checked on the representative).
2. classify: key over `(country code, national number)` with every pattern of every region
   sharing the calling code (types, leading digits, formats). One call per key gives validity,
   number type, region, possible-length verdict and the national destination code length.

For a US list that is a few thousand calls for any number of rows (NANP numbers are decided by
area code plus one to four digits). Regions whose national-prefix rule rewrites the number
(`national_prefix_transform_rule`: Caribbean NANP regions' 7-digit local forms, Argentina,
Brazil carrier codes, Jersey/Guernsey/Isle of Man...) are keyed by the whole digit string in
pass 1 because the rewrite copies digits from the middle of the number: that is the documented
fallback of one call per distinct number, and it only concerns lists whose *default* country is
such a region.

On top of `phonenumbers` (which accepts them) two NANP rules reject numbers: exchanges that are
N11 service codes and the fictional range 555-0100..555-0199. One deliberate deviation from
`parse`: in a list whose default country is NANP (international prefix 011), a leading 00
followed by a non-zero digit is read as an international prefix ("0044 20..." is London, where
`parse` would build an invalid +1 number). Excel renderings ("2.125550142E+09",
"2125550142.0") are turned back into digits first; a scientific-notation value with fewer
mantissa digits than its exponent has lost digits and is rejected rather than guessed.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from functools import cache
from re import _constants as sre_c  # type: ignore[attr-defined]
from re import _parser as sre_p  # type: ignore[attr-defined]
from typing import Any

import phonenumbers
import polars as pl
from phonenumbers import (
    NumberParseException,
    PhoneMetadata,
    PhoneNumber,
    PhoneNumberType,
    ValidationResult,
)
from phonenumbers import phonenumberutil as pnu

from cxpipeline.codes import ContactInfoType

__all__ = [
    "GEOGRAPHIC_TYPES",
    "NO_CALL_TYPES",
    "normalised_phones",
]

#: Number types whose area code says where the subscriber is (time zones use these).
GEOGRAPHIC_TYPES: frozenset[str] = frozenset({"FIXED_LINE", "FIXED_LINE_OR_MOBILE", "MOBILE"})

#: Number types that make the record No Call, with the reason written to the record.
NO_CALL_TYPES: dict[str, str] = {"TOLL_FREE": "toll_free", "PREMIUM_RATE": "premium_rate"}

# The library's own patterns, so the Polars mirror of `parse` accepts and cuts the same text.
_EXTN_PATTERN = "(?i)" + pnu._EXTN_PATTERN.pattern
_VIABLE_PATTERN = (
    "(?i)^(?:" + pnu._VALID_PHONE_NUMBER + "(?:" + pnu._EXTN_PATTERNS_FOR_PARSING + ")?)$"
)
_START_PATTERN = r"(?s)([+＋\d].*)"
_UNWANTED_END = pnu._UNWANTED_END_CHAR_PATTERN.pattern
_SECOND_NUMBER = r"(?s)[\\/] *x.*"
_MAX_INPUT = 250
_NSN_MIN = 2

# Excel turns long digit strings into floats: "2.125550142E+09", "2125550142.0".
_SCI_PATTERN = r"^\+?(?<lead>[1-9])\.(?<frac>\d+)[eE](?<sign>[+-]?)(?<exp>\d{1,2})$"
_DOT_ZERO_PATTERN = r"^(\+?\d+)\.0+$"

_KEYPAD = {
    **dict.fromkeys("ABC", "2"),
    **dict.fromkeys("DEF", "3"),
    **dict.fromkeys("GHI", "4"),
    **dict.fromkeys("JKL", "5"),
    **dict.fromkeys("MNO", "6"),
    **dict.fromkeys("PQRS", "7"),
    **dict.fromkeys("TUV", "8"),
    **dict.fromkeys("WXYZ", "9"),
}
# Digits of other scripts seen in real lists (full-width, Arabic-Indic); others are dropped.
_WIDE_DIGITS = {chr(base + i): str(i) for base in (0xFF10, 0x0660, 0x06F0) for i in range(10)}

_PARSE_ERRORS = {
    NumberParseException.INVALID_COUNTRY_CODE: "invalid country code",
    NumberParseException.NOT_A_NUMBER: "not a number",
    NumberParseException.TOO_SHORT_AFTER_IDD: "too short",
    NumberParseException.TOO_SHORT_NSN: "too short",
    NumberParseException.TOO_LONG: "too long",
}
_LENGTH_REASONS = {
    ValidationResult.TOO_SHORT: "too short",
    ValidationResult.TOO_LONG: "too long",
    ValidationResult.INVALID_LENGTH: "invalid length",
    ValidationResult.IS_POSSIBLE_LOCAL_ONLY: "too short: local number without area code",
    ValidationResult.INVALID_COUNTRY_CODE: "invalid country code",
}

# ------------------------------------------------------------------ digit automata


_DIGITS = frozenset("0123456789")


class _Unsupported(Exception):
    """A regular-expression construct the digit automaton does not model."""


class _Automaton:
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


def _metadata(cc: int, region: str) -> Any:
    return PhoneMetadata.metadata_for_region_or_calling_code(cc, region)


def _group(pattern: str) -> str:
    return "(?:" + pattern + ")"


@cache
def _parse_automaton(mode: str, scope: str) -> _Automaton | None:
    """Patterns `parse` consults for a national number of a region or an international one."""
    if mode == "r":
        return None
    meta: Any
    if mode == "n":
        meta = PhoneMetadata.metadata_for_region(scope)
        cc = str(meta.country_code)
    else:
        cc = scope
        meta = _metadata(int(cc), pnu.region_code_for_country_code(int(cc)))
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
        return _Automaton(patterns)
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


@cache
def _classify_automaton(cc: int) -> _Automaton | None:
    """Every pattern that validity, type, region and NDC length read, for one calling code."""
    patterns: list[tuple[str, bool]] = []
    for region in pnu.COUNTRY_CODE_TO_REGION_CODE.get(cc, ()):
        meta = _metadata(cc, region)
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
        return _Automaton(patterns)
    except _Unsupported:
        return None


_SEP = "\x1f"


def _decisive_lengths(
    frame: pl.DataFrame,
    scope: pl.Expr,
    digits: str,
    automaton_for: Callable[[str], _Automaton | None],
) -> pl.Series:
    """Return, row by row, the shortest decisive prefix length of `digits` within its scope.

    Walks the digit trie level by level in Polars: at level k only the distinct undecided
    (scope, prefix) pairs reach Python, so the Python work grows with the number of distinct
    prefixes, not with the number of rows. Scopes without an automaton use the whole number.
    """
    work = frame.select(_s=scope, _d=pl.col(digits))
    automata = {s: automaton_for(s) for s in work.get_column("_s").drop_nulls().unique()}
    whole = [s for s, automaton in automata.items() if automaton is None]
    length = pl.col("_d").str.len_chars().cast(pl.Int64)
    work = work.with_columns(_k=pl.when(pl.col("_s").is_in(whole)).then(length))
    undecided = pl.col("_k").is_null() & pl.col("_s").is_not_null() & pl.col("_d").is_not_null()
    level = 0
    while True:
        open_rows = work.filter(undecided)
        if open_rows.height == 0:
            return work.get_column("_k")
        prefixes = open_rows.select("_s", _p=pl.col("_d").str.slice(0, level)).unique()
        # Per distinct (scope, prefix), never per record: a few thousand at most.
        decided = [
            s + _SEP + p
            for s, p in prefixes.iter_rows()
            if automata[s].decisive(p)  # type: ignore[union-attr]
        ]
        here = (pl.col("_s") + _SEP + pl.col("_d").str.slice(0, level)).is_in(decided)
        work = work.with_columns(
            _k=pl.when(undecided & (here | (length <= level)))
            .then(pl.lit(level, pl.Int64))
            .otherwise(pl.col("_k"))
        )
        level += 1


# ------------------------------------------------------------------ library calls per key


def _leading_zero_number(cc: int, nsn: str) -> PhoneNumber:
    """Rebuild the PhoneNumber `parse` would have built for this national number."""
    number = PhoneNumber(country_code=cc, national_number=int(nsn))
    if len(nsn) > 1 and nsn[0] == "0":
        number.italian_leading_zero = True
        zeros = 1
        while zeros < len(nsn) - 1 and nsn[zeros] == "0":
            zeros += 1
        if zeros != 1:
            number.number_of_leading_zeros = zeros
    return number


def _parse_one(mode: str, digits: str, scope: str) -> tuple[str | None, int | None, str | None]:
    text, region = (digits, scope) if mode == "n" else ("+" + digits, scope)
    try:
        number = phonenumbers.parse(text, region)
    except NumberParseException as exc:
        return _PARSE_ERRORS.get(exc.error_type, "not a number"), None, None
    return None, number.country_code, pnu.national_significant_number(number)


def _parsed(frame: pl.DataFrame) -> pl.DataFrame:
    """Pass 1: add country code, national significant number or error, one `parse` per key."""
    digits = pl.col("_pn_digits")
    k = _decisive_lengths(
        frame,
        pl.col("_pn_mode") + ":" + pl.col("_pn_scope"),
        "_pn_digits",
        lambda s: _parse_automaton(*s.split(":", 1)),
    )
    frame = frame.with_columns(_k=k).with_columns(
        _L=digits.str.len_chars(),
        _head=digits.str.slice(0, pl.col("_k")),
        _tail=digits.str.slice(pl.col("_k")),
    )
    key = ["_pn_mode", "_pn_scope", "_L", "_head"]
    reps = (
        frame.group_by(key)
        .agg(pl.col("_pn_digits").min().alias("_rep"))
        .with_columns(_rep_tail=pl.col("_rep").str.slice(pl.col("_head").str.len_chars()))
    )
    # One phonenumbers call per distinct key (its representative), not per record.
    answers = [
        _parse_one(m, d, s) for m, s, d in reps.select("_pn_mode", "_pn_scope", "_rep").rows()
    ]
    reps = reps.with_columns(
        _pn_error=pl.Series([a[0] for a in answers], dtype=pl.String),
        _pn_cc=pl.Series([a[1] for a in answers], dtype=pl.Int64),
        _nsn_rep=pl.Series([a[2] for a in answers], dtype=pl.String),
    ).with_columns(
        # The digits after the key must reappear unchanged at the end of the national number:
        # then every member's national number is the key's head plus its own tail.
        _ok=pl.col("_nsn_rep").is_null() | pl.col("_nsn_rep").str.ends_with(pl.col("_rep_tail")),
        _nsn_head=pl.col("_nsn_rep").str.slice(
            0, pl.col("_nsn_rep").str.len_chars() - pl.col("_rep_tail").str.len_chars()
        ),
    )
    frame = frame.join(
        reps.select(*key, "_pn_error", "_pn_cc", "_nsn_head", "_ok"),
        on=key,
        how="left",
        maintain_order="left",
    ).with_columns(_pn_nsn=pl.col("_nsn_head") + pl.col("_tail"))
    bad = frame.filter(~pl.col("_ok"))
    if bad.height:
        # Safety net, never expected: a key whose copy check failed is parsed number by number.
        rows = bad.select("_pn_mode", "_pn_scope", "_pn_digits").rows()
        single = [_parse_one(m, d, s) for m, s, d in rows]
        fixed = bad.with_columns(
            _pn_error=pl.Series([a[0] for a in single], dtype=pl.String),
            _pn_cc=pl.Series([a[1] for a in single], dtype=pl.Int64),
            _pn_nsn=pl.Series([a[2] for a in single], dtype=pl.String),
        )
        frame = pl.concat([frame.filter(pl.col("_ok")), fixed])
    return frame.drop("_k", "_L", "_head", "_tail", "_nsn_head", "_ok")


def _classify_one(cc: int, nsn: str) -> tuple[bool, str, str | None, str | None, int | None]:
    """Classify one representative: validity, type, region, length verdict, NDC length.

    Same steps as `is_valid_number` and `number_type`, with the (slow, for NANP) region
    lookup done once instead of twice.
    """
    number = _leading_zero_number(cc, nsn)
    region = pnu.region_code_for_number(number)
    meta = _metadata(cc, region) if region is not None else None
    valid = region is not None and pnu.is_valid_number_for_region(number, region)
    kind = pnu._number_type_helper(nsn, meta) if meta is not None else PhoneNumberType.UNKNOWN
    # NANP area codes are the first three digits by definition; other plans need formatting.
    ndc = pnu.length_of_national_destination_code(number) if valid and cc != 1 else None
    return (
        valid,
        PhoneNumberType.to_string(kind),
        region,
        _LENGTH_REASONS.get(pnu.is_possible_number_with_reason(number)),
        ndc,
    )


def _classified(frame: pl.DataFrame) -> pl.DataFrame:
    """Pass 2: add validity, type, region, length verdict and NDC length, one call per key."""
    nsn = pl.col("_pn_nsn")
    k = _decisive_lengths(
        frame, pl.col("_pn_cc").cast(pl.String), "_pn_nsn", lambda s: _classify_automaton(int(s))
    )
    frame = frame.with_columns(_k=k).with_columns(
        _L=nsn.str.len_chars(), _head=nsn.str.slice(0, pl.col("_k"))
    )
    key = ["_pn_cc", "_L", "_head"]
    reps = frame.filter(nsn.is_not_null()).group_by(key).agg(nsn.min().alias("_rep"))
    # One phonenumbers call per distinct key (its representative), not per record.
    answers = [_classify_one(cc, rep) for cc, rep in reps.select("_pn_cc", "_rep").rows()]
    reps = reps.select(
        *key,
        _pn_valid=pl.Series([a[0] for a in answers], dtype=pl.Boolean),
        _pn_type=pl.Series([a[1] for a in answers], dtype=pl.String),
        _pn_region=pl.Series([a[2] for a in answers], dtype=pl.String),
        _pn_length=pl.Series([a[3] for a in answers], dtype=pl.String),
        _pn_ndc=pl.Series([a[4] for a in answers], dtype=pl.Int64),
    )
    frame = frame.join(reps, on=key, how="left", maintain_order="left")
    # For the reject reason only: does phonenumbers know the NANP area code at all?
    npa = nsn.str.slice(0, 3)
    nanp10 = (pl.col("_pn_cc") == 1) & (nsn.str.len_chars() == 10)
    present = frame.filter(nanp10).get_column("_pn_nsn").str.slice(0, 3).unique().to_list()
    known = [code for code in present if _npa_in_service(code)]
    frame = frame.with_columns(_pn_npa_known=nanp10 & npa.is_in(known))
    return frame.drop("_k", "_L", "_head")


@cache
def _npa_in_service(npa: str) -> bool:
    """Whether phonenumbers assigns some exchange of this NANP area code to a region."""
    return any(
        pnu.region_code_for_number(
            PhoneNumber(country_code=1, national_number=int(npa + d + "345678"))
        )
        is not None
        for d in "23456789"
    )


_RESULT_SCHEMA = {
    "_pn_plus": pl.Boolean,
    "_pn_region_in": pl.String,
    "_pn_all": pl.String,
    "_pn_error": pl.String,
    "_pn_cc": pl.Int64,
    "_pn_nsn": pl.String,
    "_pn_valid": pl.Boolean,
    "_pn_type": pl.String,
    "_pn_region": pl.String,
    "_pn_length": pl.String,
    "_pn_ndc": pl.Int64,
    "_pn_npa_known": pl.Boolean,
}


@cache
def _region_table() -> pl.DataFrame:
    """Every region phonenumbers knows: calling code and international dialling prefix."""
    rows = []
    for region in sorted(pnu.SUPPORTED_REGIONS):
        meta: Any = PhoneMetadata.metadata_for_region(region)
        rows.append((region, meta.country_code, meta.international_prefix))
    return pl.DataFrame(
        rows,
        schema={"_pn_region_in": pl.String, "_pn_rcc": pl.Int64, "_pn_idd": pl.String},
        orient="row",
    )


@cache
def _calling_codes() -> tuple[list[str], list[str], list[str]]:
    codes = [str(c) for c in pnu.COUNTRY_CODE_TO_REGION_CODE]
    one, two, three = ([c for c in codes if len(c) == n] for n in (1, 2, 3))
    return one, two, three


def _idd_matches(frame: pl.DataFrame) -> pl.Expr:
    """Return the default region's international prefix found at the start (or null).

    One literal pattern per distinct prefix pattern present: a per-row pattern column would
    make Polars compile a regex per row.
    """
    patterns = frame.get_column("_pn_idd").drop_nulls().unique().sort().to_list()
    return pl.coalesce(
        [
            pl.when(pl.col("_pn_idd") == p).then(pl.col("_pn_all").str.extract(f"^(?:{p})", 0))
            for p in patterns
        ]
        + [pl.lit(None, pl.String)]
    )


def _calling_code(body: pl.Expr) -> pl.Expr:
    """`_extract_country_code`: the 1-3 leading digits that form a known calling code."""
    one, two, three = _calling_codes()
    return (
        pl.when(body.str.starts_with("0"))
        .then(None)
        .when(body.str.slice(0, 1).is_in(one))
        .then(body.str.slice(0, 1))
        .when(body.str.slice(0, 2).is_in(two))
        .then(body.str.slice(0, 2))
        .when(body.str.slice(0, 3).is_in(three))
        .then(body.str.slice(0, 3))
    )


def _canonical(distinct: pl.DataFrame) -> pl.DataFrame:
    """International prefix and country code: `(mode, scope, digits)` plus early errors.

    Modes: `+` international (scope = calling code), `n` national (scope = default region),
    `r` a `+` followed by no known calling code that `parse` re-reads without the `+` and
    only accepts with the default country code in front (rare: keyed by the whole number).
    """
    frame = distinct.join(_region_table(), on="_pn_region_in", how="left", maintain_order="left")
    frame = frame.with_columns(_m=_idd_matches(frame), _plus_cc=_calling_code(pl.col("_pn_all")))
    digits, plus = pl.col("_pn_all"), pl.col("_pn_plus")
    plus_short = plus & (digits.str.len_chars() <= _NSN_MIN)
    plus_ok = plus & ~plus_short & pl.col("_plus_cc").is_not_null()
    retry = plus & ~plus_short & ~plus_ok
    after_idd = digits.str.slice(pl.col("_m").str.len_chars())
    # `parse` only strips the prefix when no 0 follows (calling codes never start with 0).
    idd_cut = (~plus_ok & pl.col("_m").is_not_null() & ~after_idd.str.starts_with("0")).fill_null(
        False
    )
    # NANP regions dial 011, but "0044 20..." in a US list is unambiguous (no NANP number
    # starts with 0) while phonenumbers would misread it: accept 00 there as well.
    nanp_00 = (
        ~plus_ok & ~idd_cut & (pl.col("_pn_rcc") == 1) & digits.str.contains("^00[1-9]")
    ).fill_null(False)
    frame = frame.with_columns(
        _pn_intl=plus_ok | plus_short | idd_cut | nanp_00,
        _pn_retry=retry & ~idd_cut & ~nanp_00,
        _pn_digits=pl.when(idd_cut)
        .then(after_idd)
        .when(nanp_00)
        .then(digits.str.slice(2))
        .otherwise(digits),
    )
    body, intl, retry = pl.col("_pn_digits"), pl.col("_pn_intl"), pl.col("_pn_retry")
    frame = frame.with_columns(
        _cc=pl.when(intl & ~plus_ok).then(_calling_code(body)).otherwise(pl.col("_plus_cc"))
    )
    cc = pl.col("_cc")
    return frame.with_columns(
        _pn_mode=pl.when(intl)
        .then(pl.lit("+"))
        .when(retry)
        .then(pl.lit("r"))
        .otherwise(pl.lit("n")),
        _pn_scope=pl.when(intl).then(cc).otherwise(pl.col("_pn_region_in")),
        _pn_error=pl.when(intl & (body.str.len_chars() <= _NSN_MIN))
        .then(pl.lit("too short"))
        .when(intl & cc.is_null())
        .then(pl.lit("invalid country code"))
        .when(~intl & pl.col("_pn_rcc").is_null())
        .then(pl.lit("invalid country code: unknown default country")),
    )


def _library_answers(distinct: pl.DataFrame) -> pl.DataFrame:
    """Canonical keys, then both passes, over the distinct texts of one batch."""
    if distinct.height == 0:
        return pl.DataFrame(schema=_RESULT_SCHEMA)
    frame = _canonical(distinct)
    early = frame.filter(pl.col("_pn_error").is_not_null())
    rest = frame.filter(pl.col("_pn_error").is_null()).drop("_pn_error")
    rest = _classified(_parsed(rest))
    return pl.concat([rest, early], how="diagonal_relaxed").select(
        [pl.col(c).cast(t) for c, t in _RESULT_SCHEMA.items()]
    )


# ------------------------------------------------------------------ Polars text handling


def _excel_repaired(text: pl.Expr) -> tuple[pl.Expr, pl.Expr]:
    """Undo Excel's float rendering of digit strings; flag values that lost digits."""
    sci = text.str.extract_groups(_SCI_PATTERN)
    lead, frac = sci.struct.field("lead"), sci.struct.field("frac")
    exp = sci.struct.field("exp").cast(pl.Int64)
    frac_len = frac.str.len_chars().cast(pl.Int64)
    # With fewer mantissa digits than the exponent Excel has dropped digits (or only trailing
    # zeros; the two cannot be told apart): a wrong number must never be dialled.
    lossy = lead.is_not_null() & ((sci.struct.field("sign") == "-") | (frac_len != exp))
    sci_digits = pl.when(lead.is_not_null() & ~lossy).then(lead + frac)
    dot_zero = text.str.extract(_DOT_ZERO_PATTERN, 1)
    return pl.coalesce(sci_digits, dot_zero, text), lossy


def _digits_only(main: pl.Expr) -> pl.Expr:
    """`phonenumbers._normalize`: vanity letters to keypad digits when there are 3+ letters."""
    alpha = main.str.count_matches("[A-Za-z]") >= 3
    letters = main.str.to_uppercase().str.replace_many(_KEYPAD)
    return (
        pl.when(alpha)
        .then(letters.str.replace_all(r"[^0-9]", ""))
        .otherwise(main.str.replace_many(_WIDE_DIGITS).str.replace_all(r"[^0-9]", ""))
    )


def _viable(text: pl.Expr) -> pl.Expr:
    return ((text.str.len_chars() >= _NSN_MIN) & text.str.contains(_VIABLE_PATTERN)).fill_null(
        False
    )


def _canonical_text(values: pl.LazyFrame) -> pl.LazyFrame:
    """Mirror `parse`'s text steps: `_pn_plus`, `_pn_all` (digits), `extension`, reasons."""
    text, lossy = _excel_repaired(pl.col("raw_phone").cast(pl.String).str.strip_chars())
    lf = values.with_columns(_pn_text=text, _pn_lossy=lossy)
    lf = lf.with_columns(
        _pn_found=pl.col("_pn_text")
        .str.extract(_START_PATTERN, 1)
        .str.replace(_UNWANTED_END, "")
        .str.replace(_SECOND_NUMBER, "")
    )
    n_groups = re.compile(pnu._EXTN_PATTERN.pattern).groups
    ext_groups = pl.col("_pn_found").str.extract_groups(_EXTN_PATTERN)
    lf = lf.with_columns(
        _pn_ext=pl.coalesce([ext_groups.struct.field(str(i)) for i in range(1, n_groups + 1)]),
        _pn_cut=pl.col("_pn_found").str.replace(_EXTN_PATTERN, ""),
    )
    has_ext = pl.col("_pn_ext").is_not_null() & _viable(pl.col("_pn_cut"))
    lf = lf.with_columns(
        extension=pl.when(has_ext).then(pl.col("_pn_ext")),
        _pn_main=pl.when(has_ext).then(pl.col("_pn_cut")).otherwise(pl.col("_pn_found")),
    )
    length = pl.col("_pn_text").str.len_chars()
    return lf.with_columns(
        _pn_plus=pl.col("_pn_main").str.contains(r"^[+＋]").fill_null(False),
        _pn_all=_digits_only(pl.col("_pn_main").str.replace(r"^[+＋]+", "")),
        _pn_region_in=pl.col("default_country")
        .cast(pl.String)
        .str.strip_chars()
        .str.to_uppercase(),
        _pn_pre_reason=pl.when(pl.col("_pn_lossy"))
        .then(pl.lit("not a number: spreadsheet scientific notation lost digits"))
        .when(pl.col("_pn_text").is_null() | (length == 0))
        .then(pl.lit("not a number"))
        .when(length > _MAX_INPUT)
        .then(pl.lit("too long"))
        .when(~_viable(pl.col("_pn_found")))
        .then(pl.lit("not a number")),
    ).drop("_pn_text", "_pn_lossy", "_pn_found", "_pn_ext", "_pn_cut", "_pn_main")


def _nanp_reason(nsn: pl.Expr, npa_known: pl.Expr) -> pl.Expr:
    """Why a 10-digit NANP number is not valid, from the numbering plan's own rules."""
    npa, nxx = nsn.str.slice(0, 3), nsn.str.slice(3, 3)
    return (
        pl.when(npa.str.starts_with("0"))
        .then(pl.lit("invalid number: area code starts with 0"))
        .when(npa.str.starts_with("1"))
        .then(pl.lit("invalid number: area code starts with 1"))
        .when(npa.str.slice(1, 2) == "11")
        .then(pl.lit("invalid number: area code is an N11 service code"))
        .when(nxx.str.starts_with("0"))
        .then(pl.lit("invalid number: exchange starts with 0"))
        .when(nxx.str.starts_with("1"))
        .then(pl.lit("invalid number: exchange starts with 1"))
        .when(npa_known)
        .then(pl.lit("invalid number: exchange not in service"))
        .otherwise(pl.lit("invalid number: area code not in service"))
    )


def _extra_nanp_reason(nsn: pl.Expr) -> pl.Expr:
    """NANP numbers phonenumbers accepts but that never reach a subscriber."""
    nxx, line = nsn.str.slice(3, 3), nsn.str.slice(6, 4)
    return (
        pl.when(nxx.str.slice(1, 2) == "11")
        .then(pl.lit("invalid number: exchange is an N11 service code"))
        .when((nxx == "555") & line.str.starts_with("01"))
        .then(pl.lit("invalid number: fictional 555-01xx number"))
    )


_OUTPUT_DROP = ["_pn_pre_reason", *_RESULT_SCHEMA]


def normalised_phones(values: pl.LazyFrame) -> pl.LazyFrame:
    """Normalise phone values (docs/stages.md §1 "phone values") to E.164 and classify them.

    Adds `e164`, `phone_country_code`, `phone_region`, `national_number`, `area_code`,
    `exchange`, `extension`, `number_type`, `phone_reject_reason`, `phone_no_call_reason` and
    sets `contact_info_type` to 3 (Business With Extension) when an extension is present.

    `phone_reject_reason` is one of: "not a number" (also for spreadsheet values that lost
    digits), "too short", "too long", "invalid length", "invalid country code", or
    "invalid number: ..." naming the NANP rule broken (area code or exchange starting with 0
    or 1, N11 area code or exchange, fictional 555-01xx, area code or exchange not in service).
    `phone_no_call_reason` is `toll_free` or `premium_rate` for valid numbers of those types.
    """
    # Two branches read this frame (distinct keys, and the rows they are joined back to):
    # cache it so the upstream plan runs once.
    keyed = _canonical_text(values).cache()
    keys = ["_pn_plus", "_pn_region_in", "_pn_all"]
    answers = (
        keyed.filter(pl.col("_pn_pre_reason").is_null())
        .select(keys)
        .unique()
        .map_batches(_library_answers, schema=_RESULT_SCHEMA)
    )
    lf = keyed.join(answers, on=keys, how="left", maintain_order="left", nulls_equal=True)
    nsn, cc = pl.col("_pn_nsn"), pl.col("_pn_cc")
    nanp10 = (cc == 1) & (nsn.str.len_chars() == 10)
    invalid = (
        pl.when(pl.col("_pn_length").is_not_null())
        .then(pl.col("_pn_length"))
        .when(nanp10)
        .then(_nanp_reason(nsn, pl.col("_pn_npa_known").fill_null(False)))
        .otherwise(pl.lit("invalid number"))
    )
    reason = pl.coalesce(
        pl.col("_pn_pre_reason"),
        pl.col("_pn_error"),
        pl.when(~pl.col("_pn_valid")).then(invalid),
        pl.when(nanp10).then(_extra_nanp_reason(nsn)),
    )
    parsed = nsn.is_not_null() & pl.col("_pn_pre_reason").is_null()
    lf = lf.with_columns(phone_reject_reason=reason)
    ok = pl.col("phone_reject_reason").is_null()
    ndc = pl.col("_pn_ndc")
    return lf.with_columns(
        e164=pl.when(ok).then(pl.lit("+") + cc.cast(pl.String) + nsn),
        phone_country_code=pl.when(parsed).then(cc),
        phone_region=pl.when(parsed).then(pl.col("_pn_region")),
        national_number=pl.when(parsed).then(nsn),
        area_code=pl.when(parsed & nanp10)
        .then(nsn.str.slice(0, 3))
        .when(parsed & pl.col("_pn_valid") & (ndc > 0))
        .then(nsn.str.slice(0, ndc)),
        exchange=pl.when(parsed & nanp10).then(nsn.str.slice(3, 3)),
        number_type=pl.when(parsed).then(pl.col("_pn_type")),
        extension=pl.when(parsed).then(pl.col("extension")),
        contact_info_type=pl.when(parsed & pl.col("extension").is_not_null())
        .then(pl.lit(int(ContactInfoType.BUSINESS_WITH_EXTENSION), pl.Int64))
        .otherwise(pl.col("contact_info_type").cast(pl.Int64)),
        phone_no_call_reason=pl.when(ok).then(
            pl.col("_pn_type").replace_strict(NO_CALL_TYPES, default=None, return_dtype=pl.String)
        ),
    ).drop(_OUTPUT_DROP)
