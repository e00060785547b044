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
`parse` would build an invalid +1 number): the text after the 00 is read as `parse` reads
"+" and that text (`phone_text`), in any script's digits the text steps read. Excel
renderings ("2.125550142E+09", "2125550142.0") are turned back into digits first; a
scientific-notation value with fewer mantissa digits than its exponent has lost digits and is
rejected rather than guessed.

Layout: `phone_text` mirrors the text steps, `phone_keys` finds the canonical keys,
`phone_prefixes` derives the automata from the metadata, `phone_verdicts` the decisive prefixes
(shipped for NANP), `phone_library` makes the calls; this module joins the answers back and
writes the reasons.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import ContactInfoType
from cxpipeline.transforms.phone_library import RESULT_SCHEMA, library_answers
from cxpipeline.transforms.phone_text import canonical_text

__all__ = [
    "GEOGRAPHIC_TYPES",
    "NO_CALL_TYPES",
    "normalised_phones",
]

#: Number types whose area code says where the subscriber is (time zones use these).
GEOGRAPHIC_TYPES: frozenset[str] = frozenset({"FIXED_LINE", "FIXED_LINE_OR_MOBILE", "MOBILE"})

#: Number types that make the record No Call, with the reason written to the record.
NO_CALL_TYPES: dict[str, str] = {"TOLL_FREE": "toll_free", "PREMIUM_RATE": "premium_rate"}


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


def _reject_reason(nsn: pl.Expr, nanp10: pl.Expr) -> pl.Expr:
    """Return the first reason that applies: text, `parse`, validity, then NANP rules on top."""
    invalid = (
        pl.when(pl.col("_pn_length").is_not_null())
        .then(pl.col("_pn_length"))
        .when(nanp10)
        .then(_nanp_reason(nsn, pl.col("_pn_npa_known").fill_null(False)))
        .otherwise(pl.lit("invalid number"))
    )
    return pl.coalesce(
        pl.col("_pn_pre_reason"),
        pl.col("_pn_error"),
        pl.when(~pl.col("_pn_valid")).then(invalid),
        pl.when(nanp10).then(_extra_nanp_reason(nsn)),
    )


_OUTPUT_DROP = ["_pn_pre_reason", *RESULT_SCHEMA]


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
    keyed = canonical_text(values).cache()
    keys = ["_pn_plus", "_pn_region_in", "_pn_all"]
    answers = (
        keyed.filter(pl.col("_pn_pre_reason").is_null())
        .select(keys)
        .unique()
        .map_batches(library_answers, schema=RESULT_SCHEMA)
    )
    lf = keyed.join(answers, on=keys, how="left", maintain_order="left", nulls_equal=True)
    nsn, cc = pl.col("_pn_nsn"), pl.col("_pn_cc")
    nanp10 = (cc == 1) & (nsn.str.len_chars() == 10)
    parsed = nsn.is_not_null() & pl.col("_pn_pre_reason").is_null()
    lf = lf.with_columns(phone_reject_reason=_reject_reason(nsn, nanp10))
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
