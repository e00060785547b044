"""Delimiters of text inputs: a forced one checked, or one sniffed from a sample."""

from __future__ import annotations

import csv

from cxpipeline.errors import InputError

#: Delimiters the sniffer chooses from (any single character may be forced).
DELIMITERS = (",", ";", "|", "\t")
_DELIMITER_NAMES = {"tab": "\t", "\\t": "\t", "comma": ",", "semicolon": ";", "pipe": "|"}


def choose_delimiter(forced: str | None, sample: str) -> str:
    """Return the forced delimiter (names like 'tab' allowed) or sniff one from a sample."""
    if forced:
        delimiter = _DELIMITER_NAMES.get(forced.lower(), forced)
        if len(delimiter) != 1 or delimiter in '\r\n"':
            raise InputError(f"bad delimiter {forced!r}: give one character, e.g. ';' or 'tab'")
        return delimiter
    return sniff_delimiter(sample)


def sniff_delimiter(sample: str) -> str:
    """Pick the delimiter giving the most consistent field count (> 1) over a text sample.

    A candidate scores by the share of sample rows having as many fields as the header, then by
    that field count; quotes are honoured, so commas inside quoted names do not count. A file
    where no candidate splits the header is a single-column file and reads with ','.
    """
    lines = sample.splitlines(keepends=True)
    if len(lines) > 1 and not sample.endswith(("\n", "\r")):
        lines = lines[:-1]  # the last line of a sample may be cut mid-row
    text = "".join(lines[:200])
    best: tuple[float, int, str] = (0.0, 1, ",")
    for candidate in DELIMITERS:
        try:
            rows = [r for r in csv.reader(text.splitlines(), delimiter=candidate) if r]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        share = sum(len(r) == width for r in rows) / len(rows)
        if (share, width) > best[:2]:
            best = (share, width, candidate)
    return best[2]
