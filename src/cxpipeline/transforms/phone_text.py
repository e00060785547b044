"""Polars mirror of the text steps of `phonenumbers.parse`, using the library's own patterns.

Finds the number in the text, cuts the extension, undoes Excel's float rendering, maps vanity
letters and other scripts' digits to ASCII digits, and gives the reasons a text never reaches
the library ("not a number", "too long").
"""

from __future__ import annotations

import re

import polars as pl
from phonenumbers import phonenumberutil as pnu

__all__ = ["NSN_MIN", "canonical_text"]

# The library's own patterns, so the Polars mirror of `parse` accepts and cuts the same text.
_EXTN_PATTERN = "(?i)" + pnu._EXTN_PATTERN.pattern
_VIABLE_PATTERN = (
    "(?i)^(?:" + pnu._VALID_PHONE_NUMBER + "(?:" + pnu._EXTN_PATTERNS_FOR_PARSING + ")?)$"
)
_START_PATTERN = r"(?s)([+＋\d].*)"
_UNWANTED_END = pnu._UNWANTED_END_CHAR_PATTERN.pattern
_SECOND_NUMBER = r"(?s)[\\/] *x.*"
_MAX_INPUT = 250
#: Shortest national significant number `parse` accepts.
NSN_MIN = 2

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
    return ((text.str.len_chars() >= NSN_MIN) & text.str.contains(_VIABLE_PATTERN)).fill_null(False)


def canonical_text(values: pl.LazyFrame) -> pl.LazyFrame:
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
