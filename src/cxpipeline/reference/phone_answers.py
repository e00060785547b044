"""phonenumbers' answers per decisive key, kept between processes in the home's reference cache.

`transforms.phone_library` asks the library once per decisive key and remembers the answer for
the rest of the process; a new process (every CLI command, every flow run) asked again: ~1,200
keys and 0.15-0.3 s for a 1,000-row US list on the 2-core machine, most of a small ingest's
phone work. An answer depends only on the phonenumbers release and on the code that makes and
answers the keys, so the answers are kept under `<reference>/phone_answers/<key>.json.gz`
(read when a process first normalises numbers, rewritten when it learnt new ones).
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

from cxpipeline.reference import keyed_json
from cxpipeline.transforms import phone_keys, phone_library, phone_prefixes, phone_verdicts

_SUBFOLDER = "phone_answers"


@cache
def cache_key() -> str:
    """Return the phonenumbers release plus a hash of the code that makes and answers the keys."""
    modules = (phone_keys, phone_prefixes, phone_verdicts, phone_library)
    return keyed_json.code_key("phonenumbers", modules)


def cache_path(cache_dir: Path) -> Path:
    """Where the answers of the installed phonenumbers and code live under `cache_dir`."""
    return Path(cache_dir) / _SUBFOLDER / f"{cache_key()}.json.gz"


#: The file this process holds the answers of, by modification time: every chunk of an ingest
#: calls `load_answers`, and an unchanged file is not read again.
_HELD: dict[Path, int] = {}


#: Answers a cache may keep that its file holds, as far as this process knows (read or wrote).
_WRITTEN: dict[Path, int] = {}
#: The process' answer count when it last found nothing to write: unchanged, nothing to do.
_CHECKED: dict[Path, int] = {}


def load_answers(cache_dir: Path) -> None:
    """Add the cached answers to this process (a file unchanged since it was read is not).

    A missing, stale or unreadable file is no error: the library is then asked as before.
    """
    path = cache_path(cache_dir)
    stored = keyed_json.read_changed(path, cache_key(), _HELD)
    if stored is not None:
        parsed, classified = _answers_of(stored)
        phone_library.add_known(parsed, classified)
        _WRITTEN[path] = len(parsed) + len(classified)


def save_answers(cache_dir: Path, *, throttled: bool = False) -> None:
    """Write this process' answers to the cache when it learnt some the file may keep.

    Answers never kept (`HIDDEN_DIGITS`) do not count: a list with such numbers would
    otherwise rewrite the same file at every run. `throttled` (one chunk of many): only when
    they are a quarter more than the file holds, so a list of fifty chunks rewrites the file
    a few times rather than fifty; the caller saves the rest, unthrottled, at the end.
    """
    path = cache_path(cache_dir)
    count = phone_library.answer_count()
    if _CHECKED.get(path) == count:
        return  # nothing asked since the last look (most chunks of a list in a warm home)
    rows = _kept_rows()
    held = _WRITTEN.get(path, 0)
    learnt = len(rows) - held
    if learnt <= 0:
        _CHECKED[path] = count
    if learnt <= 0 or (throttled and learnt * 4 < held):
        return
    # Sorted by key, (mode, scope, length, head) and (calling code, length, head), so the same
    # answers give the same bytes.
    content = {
        "parsed": sorted((row for kind, row in rows if kind == "p"), key=lambda row: row[:4]),
        "classified": sorted((row for kind, row in rows if kind == "c"), key=lambda row: row[:3]),
    }
    keyed_json.write_held(path, cache_key(), content, _HELD)
    _WRITTEN[path] = len(rows)


#: Digits of a number a kept key never holds: a key is a number's length and first digits,
#: and those decided by fewer than all but these (a whole number, in the few plans keyed by
#: it) are not kept, so the cache holds no customer's number.
HIDDEN_DIGITS = 4


def _kept_rows() -> list[tuple[str, list[Any]]]:
    """Return the answers of this process a cache may keep: each its kind and one flat row.

    A key holds the number's length (after the mode and scope, or the calling code) and then
    its head; a head that leaves fewer than `HIDDEN_DIGITS` digits hidden is not kept.
    """
    parsed, classified = phone_library.known_answers()
    rows: list[tuple[str, list[Any]]] = []
    for kind, answers, length_at in (("p", parsed, 2), ("c", classified, 1)):
        rows.extend(
            (kind, [*key, *answer])
            for key, answer in answers.items()
            if len(key[length_at + 1]) <= key[length_at] - HIDDEN_DIGITS
        )
    return rows


def _answers_of(stored: dict[str, Any]) -> tuple[dict[tuple[Any, ...], tuple[Any, ...]], ...]:
    """Return the parse and classification answers of a file's content (none if it was stale)."""
    # Keys have four fields (mode, scope, length, head) and three (calling code, length, head).
    return (
        {tuple(row[:4]): tuple(row[4:]) for row in stored.get("parsed", [])},
        {tuple(row[:3]): tuple(row[3:]) for row in stored.get("classified", [])},
    )
