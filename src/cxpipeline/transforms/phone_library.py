"""The `phonenumbers` calls, once per distinct decisive key and never once per record.

Pass 1 (`parse`) gives country code and national significant number, pass 2 (validity, type,
region, length verdict, NDC length) classifies them; keys come from `phone_prefixes`.
"""

from __future__ import annotations

import contextlib
import gc
from collections.abc import Callable, Iterator
from functools import partial
from typing import Any

import phonenumbers
import polars as pl
from phonenumbers import (
    NumberParseException,
    PhoneNumber,
    PhoneNumberType,
    ValidationResult,
)
from phonenumbers import phonenumberutil as pnu

from cxpipeline.transforms.phone_keys import canonical_keys
from cxpipeline.transforms.phone_prefixes import region_metadata
from cxpipeline.transforms.phone_verdicts import (
    classify_decides,
    decisive_lengths,
    npa_in_service,
    parse_decides,
)

__all__ = ["RESULT_SCHEMA", "add_known", "answer_count", "known_answers", "library_answers"]

#: Columns `library_answers` adds per distinct text (joined back on the first three).
RESULT_SCHEMA = {
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


#: Answers per decisive key, kept across the batches (chunks) of one process: a key's answer
#: is the same for every number in it. Bounded: a full memo starts again empty.
_PARSED: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_CLASSIFIED: dict[tuple[Any, ...], tuple[Any, ...]] = {}
_MEMO_LIMIT = 200_000


def _memoised(
    memo: dict[tuple[Any, ...], tuple[Any, ...]],
    key: tuple[Any, ...],
    compute: Callable[[], tuple[Any, ...]],
) -> tuple[Any, ...]:
    """Return memo[key], computing and storing it first when absent."""
    found = memo.get(key)
    if found is None:
        if len(memo) >= _MEMO_LIMIT:
            memo.clear()
        found = memo[key] = compute()
    return found


def known_answers() -> tuple[dict[tuple[Any, ...], tuple[Any, ...]], ...]:
    """Return copies of this process' answers by key: `parse`'s, then the classification's."""
    return dict(_PARSED), dict(_CLASSIFIED)


def add_known(parsed: dict[tuple[Any, ...], tuple[Any, ...]], classified: dict[Any, Any]) -> None:
    """Add answers a cache kept for this release and code: those keys never reach the library."""
    for memo, found in ((_PARSED, parsed), (_CLASSIFIED, classified)):
        if len(memo) + len(found) <= _MEMO_LIMIT:
            memo.update(found)


def answer_count() -> int:
    """How many answers this process holds (more later means some were asked)."""
    return len(_PARSED) + len(_CLASSIFIED)


def _parse_key(mode: str, scope: str, length: int, head: str, rep: str) -> tuple[Any, ...]:
    """Parse a key's representative: (error, calling code, national number head, copy ok).

    The digits after the key must reappear unchanged at the end of the representative's
    national number (`ok`): then every member's national number is the head plus its own tail.
    """

    def compute() -> tuple[Any, ...]:
        error, cc, nsn = _parse_one(mode, rep, scope)
        tail = rep[len(head) :]
        if nsn is None:
            return error, cc, None, True
        return error, cc, nsn[: len(nsn) - len(tail)], nsn.endswith(tail)

    return _memoised(_PARSED, (mode, scope, length, head), compute)


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
    k = decisive_lengths(
        frame,
        pl.col("_pn_mode") + ":" + pl.col("_pn_scope"),
        "_pn_digits",
        lambda s: parse_decides(*s.split(":", 1)),
    )
    frame = frame.with_columns(_k=k).with_columns(
        _L=digits.str.len_chars(),
        _head=digits.str.slice(0, pl.col("_k")),
        _tail=digits.str.slice(pl.col("_k")),
    )
    key = ["_pn_mode", "_pn_scope", "_L", "_head"]
    reps = frame.group_by(key).agg(pl.col("_pn_digits").min().alias("_rep"))
    # One phonenumbers call per distinct key (its representative), not per record, and not
    # again for a key a previous batch of this process answered.
    answers = [
        _parse_key(m, s, n, h, d)
        for m, s, n, h, d in reps.select("_pn_mode", "_pn_scope", "_L", "_head", "_rep").rows()
    ]
    reps = reps.with_columns(
        _pn_error=pl.Series([a[0] for a in answers], dtype=pl.String),
        _pn_cc=pl.Series([a[1] for a in answers], dtype=pl.Int64),
        _nsn_head=pl.Series([a[2] for a in answers], dtype=pl.String),
        _ok=pl.Series([a[3] for a in answers], dtype=pl.Boolean),
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
    meta = region_metadata(cc, region) if region is not None else None
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
    k = decisive_lengths(
        frame, pl.col("_pn_cc").cast(pl.String), "_pn_nsn", lambda s: classify_decides(int(s))
    )
    frame = frame.with_columns(_k=k).with_columns(
        _L=nsn.str.len_chars(), _head=nsn.str.slice(0, pl.col("_k"))
    )
    key = ["_pn_cc", "_L", "_head"]
    reps = frame.filter(nsn.is_not_null()).group_by(key).agg(nsn.min().alias("_rep"))
    # One phonenumbers call per distinct key (its representative), not per record, and not
    # again for a key a previous batch of this process answered.
    answers = [
        _memoised(_CLASSIFIED, (cc, n, h), partial(_classify_one, cc, rep))
        for cc, n, h, rep in reps.select("_pn_cc", "_L", "_head", "_rep").rows()
    ]
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
    known = [code for code in present if npa_in_service(code)]
    frame = frame.with_columns(_pn_npa_known=nanp10 & npa.is_in(known))
    return frame.drop("_k", "_L", "_head")


@contextlib.contextmanager
def _collection_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector (if it runs) for a burst of allocations.

    Building the automata and the per-key answers allocates tens of thousands of small lists
    and tuples, none of them in cycles; each allocation burst would otherwise trigger full
    collections over every object the process holds (measured: 0.35 s of a 1,000-row ingest
    went to building the NANP automaton, 0.09 s with collection paused).
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            gc.enable()


def library_answers(distinct: pl.DataFrame) -> pl.DataFrame:
    """Canonical keys, then both passes, over the distinct texts of one batch."""
    if distinct.height == 0:
        return pl.DataFrame(schema=RESULT_SCHEMA)
    with _collection_paused():
        return _answers(distinct)


def _answers(distinct: pl.DataFrame) -> pl.DataFrame:
    """Both passes over the distinct texts of one batch (see `library_answers`)."""
    frame = canonical_keys(distinct)
    early = frame.filter(pl.col("_pn_error").is_not_null())
    rest = frame.filter(pl.col("_pn_error").is_null()).drop("_pn_error")
    rest = _classified(_parsed(rest))
    return pl.concat([rest, early], how="diagonal_relaxed").select(
        [pl.col(c).cast(t) for c, t in RESULT_SCHEMA.items()]
    )
