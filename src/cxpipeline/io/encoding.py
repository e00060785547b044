"""Encodings of text inputs: detection (BOM, strict UTF-8, a Western guess) and transcoding."""

from __future__ import annotations

import codecs
import contextlib
import os
import re
import tempfile
from collections.abc import Iterator
from pathlib import Path

from charset_normalizer import from_bytes

from cxpipeline.errors import InputError

#: Characters (or bytes) of a file's start looked at to sniff its encoding and delimiter.
SNIFF_CHARS = 1 << 16
_BLOCK = 1 << 20
#: Western single-byte encodings charset-normalizer may choose from: left unrestricted it
#: reads 'Muñoz' in cp1252 as Central European cp1250 ('Muńoz').
_WESTERN_ENCODINGS = ["cp1252", "iso8859_15", "latin_1", "mac_roman", "cp850"]


@contextlib.contextmanager
def utf8_source(path: Path, forced: str | None) -> Iterator[tuple[Path, str]]:
    """Yield a UTF-8 path for a text file (a transcoded temp copy if needed) and its encoding.

    Detection: a BOM first, then strict UTF-8 over the whole file (a streaming decode costs far
    less than parsing), then charset-normalizer on a sample around the first bad byte, limited to
    Western encodings, falling back to cp1252 and finally latin-1 (which decodes any byte).
    """
    with path.open("rb") as handle:
        head = handle.read(4096)
    bom = _bom_encoding(head) or _utf16_without_bom(head)
    if forced:
        encoding = _forced_encoding(path, forced, bom)
    elif bom:
        encoding = bom
    elif (bad := _first_undecodable(path, "utf-8")) is None:
        encoding = "utf-8"
    elif _has_utf8_sequences(path):
        # Decoding all of it as cp1252 would turn every UTF-8 'é' into 'Ã©' without a word.
        raise InputError(
            f"mixed encodings: UTF-8 text and bytes that are not UTF-8 (line "
            f"{_line_of(path, bad)}); save the file in one encoding or give --encoding",
            file=str(path),
        )
    else:
        encoding = _guess_encoding(path)
    if encoding in ("utf-8", "utf-8-sig"):
        # polars strips a UTF-8 BOM itself; the csv pre-scan opens with utf-8-sig
        yield path, encoding
        return
    with _transcoded(path, encoding) as tmp:
        yield tmp, encoding


def _forced_encoding(path: Path, forced: str, bom: str | None) -> str:
    """Check a forced encoding: known, and decoding the whole file; return its codec name."""
    name = str(path)
    try:
        encoding = codecs.lookup(forced).name
    except LookupError:
        raise InputError(f"unknown encoding {forced!r}", file=name) from None
    if encoding == "utf-8" and bom == "utf-8-sig":
        encoding = "utf-8-sig"
    try:
        bad = _first_undecodable(path, encoding)
    except UnicodeError as exc:  # e.g. UTF-16 without a BOM: the codec refuses to start
        raise InputError(f"not readable as {forced!r}: {exc}", file=name) from None
    if bad is not None:
        raise InputError(
            f"undecodable bytes at line {_line_of(path, bad)} (byte {bad}) for encoding {forced!r}",
            file=name,
        )
    return encoding


@contextlib.contextmanager
def _transcoded(path: Path, encoding: str) -> Iterator[Path]:
    """Yield a temporary UTF-8 copy of a text file in another encoding; delete it on leaving."""
    fd, tmp_name = tempfile.mkstemp(prefix="cxpipeline-", suffix=".utf8.txt")
    tmp = Path(tmp_name)
    try:
        with (
            os.fdopen(fd, "w", encoding="utf-8", newline="") as out,
            path.open(encoding=encoding, newline="", errors="strict") as src,
        ):
            try:
                for block in iter(lambda: src.read(_BLOCK), ""):
                    out.write(block)
            except UnicodeDecodeError:
                raise InputError(
                    f"undecodable bytes for encoding {encoding!r}", file=str(path)
                ) from None
        yield tmp
    finally:
        tmp.unlink(missing_ok=True)


def _bom_encoding(head: bytes) -> str | None:
    """Return the encoding a byte-order mark announces, if any (UTF-32 before UTF-16)."""
    for bom, encoding in (
        (codecs.BOM_UTF8, "utf-8-sig"),
        (codecs.BOM_UTF32_LE, "utf-32"),
        (codecs.BOM_UTF32_BE, "utf-32"),
        (codecs.BOM_UTF16_LE, "utf-16"),
        (codecs.BOM_UTF16_BE, "utf-16"),
    ):
        if head.startswith(bom):
            return encoding
    return None


def _utf16_without_bom(head: bytes) -> str | None:
    """Recognise UTF-16 text without a BOM: Latin text puts a NUL in every other byte."""
    pairs = len(head) // 2
    if pairs < 4:
        return None
    even, odd = head[0 : 2 * pairs : 2].count(0), head[1 : 2 * pairs : 2].count(0)
    if odd > 0.8 * pairs and even < 0.1 * pairs:
        return "utf-16-le"
    if even > 0.8 * pairs and odd < 0.1 * pairs:
        return "utf-16-be"
    return None


def _first_undecodable(path: Path, encoding: str) -> int | None:
    """Byte offset of the first byte that does not decode, or None; streams the file."""
    decoder = codecs.getincrementaldecoder(encoding)("strict")
    offset = 0
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            pending = len(decoder.getstate()[0])
            try:
                decoder.decode(block)
            except UnicodeDecodeError as exc:
                return offset - pending + exc.start
            offset += len(block)
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError as exc:
            return offset - len(decoder.getstate()[0]) + exc.start
    return None


def _line_of(path: Path, offset: int) -> int:
    """1-based physical line number holding a byte offset."""
    lines = 1
    with path.open("rb") as handle:
        remaining = offset
        while remaining > 0:
            block = handle.read(min(_BLOCK, remaining))
            if not block:
                break
            lines += block.count(b"\n")
            remaining -= len(block)
    return lines


_UTF8_SEQUENCE = re.compile(
    rb"[\xC2-\xDF][\x80-\xBF]|[\xE0-\xEF][\x80-\xBF]{2}|[\xF0-\xF4][\x80-\xBF]{3}"
)


def _has_utf8_sequences(path: Path) -> bool:
    """Whether the file holds well-formed UTF-8 multi-byte characters (streamed by blocks)."""
    tail = b""
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(_BLOCK), b""):
            if _UTF8_SEQUENCE.search(tail + block):
                return True
            tail = block[-3:]
    return False


def _guess_encoding(path: Path) -> str:
    """Guess a non-UTF-8 encoding from the file's start and the bytes around its first non-UTF-8."""
    bad = _first_undecodable(path, "utf-8") or 0
    with path.open("rb") as handle:
        sample = handle.read(SNIFF_CHARS)
        handle.seek(max(0, bad - SNIFF_CHARS // 2))
        sample += b"\n" + handle.read(SNIFF_CHARS)
    best = from_bytes(sample, cp_isolation=_WESTERN_ENCODINGS).best()
    for candidate in ([codecs.lookup(best.encoding).name] if best else []) + ["cp1252"]:
        if _first_undecodable(path, candidate) is None:
            return candidate
    return "iso8859-1"
