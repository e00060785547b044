"""Masking of phone-like text kept in rejects: every digit but the last four hidden."""

from __future__ import annotations

import re

import polars as pl

#: Characters of a rejected row's raw text kept in its reject.
RAW_CHARS = 500

_PHONE_LIKE = re.compile(r"\+?\d[\d ().\-]{5,}\d")


def mask_text(text: str) -> str:
    """Mask the phone-like runs (7+ digits with separators) of a free text to their last 4."""
    return _PHONE_LIKE.sub(lambda m: mask_phone(m.group()), text)


def mask_phone(text: str) -> str:
    """Mask every digit but the last four of a phone-like text (7+ digits); others unchanged."""
    digits = sum(ch.isdigit() for ch in text)
    if digits < 7:
        return text
    keep = 4
    out = []
    for ch in reversed(text):
        if ch.isdigit():
            out.append(ch if keep > 0 else "*")
            keep -= 1
        else:
            out.append(ch)
    return "".join(reversed(out))


def masked_raw(record: list[str], delimiter: str) -> str:
    """Rebuild a rejected row's text, phone-like cells masked to their last 4 digits."""
    return delimiter.join(mask_phone(cell) for cell in record)[:RAW_CHARS]


def masked_rejects(rejects: pl.DataFrame) -> pl.DataFrame:
    """Mask phone-like text in the raw column of (the few) rejected rows."""
    masked = [None if raw is None else mask_text(raw) for raw in rejects["raw"].to_list()]
    return rejects.with_columns(raw=pl.Series(masked, dtype=pl.String))
