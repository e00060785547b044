"""The phone-number automata kept between processes in the home's reference cache.

Compiling phonenumbers' patterns into automata (`transforms.phone_prefixes`) takes a noticeable
part of a small ingest (the NANP one reads every pattern of 25 regions); the automata depend
only on the phonenumbers release and on that module's code, so they are written once, as
JSON, under `<reference>/phone_automata/<key>.json` and read by every later process.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from functools import cache
from pathlib import Path

from cxpipeline import io
from cxpipeline.transforms import phone_prefixes
from cxpipeline.transforms.phone_prefixes import Automaton

_SUBFOLDER = "phone_automata"


@cache
def cache_key() -> str:
    """Name of the cache file: the phonenumbers release plus a hash of the automaton code."""
    code = Path(phone_prefixes.__file__).read_bytes()
    digest = hashlib.sha256(code).hexdigest()[:16]
    return f"phonenumbers{importlib.metadata.version('phonenumbers')}-{digest}"


def cache_path(cache_dir: Path) -> Path:
    """Where the automata of the installed phonenumbers and code live under `cache_dir`."""
    return Path(cache_dir) / _SUBFOLDER / f"{cache_key()}.json"


#: The cache files this process holds the automata of, by modification time: every chunk of
#: an ingest calls `load_automata`, and an unchanged file is not read and parsed again.
_HELD: dict[Path, int] = {}


def load_automata(cache_dir: Path) -> int:
    """Add the cached automata to this process; return how many the process now has.

    A missing or unreadable cache is no error: the automata are then built as needed.
    """
    path = cache_path(cache_dir)
    try:
        stamp = path.stat().st_mtime_ns
        stored = {} if _HELD.get(path) == stamp else json.loads(path.read_text(encoding="utf-8"))
        _HELD[path] = stamp
    except (OSError, ValueError):
        stored = {}
    phone_prefixes.add_automata(
        {name: None if data is None else Automaton.from_data(data) for name, data in stored.items()}
    )
    return len(phone_prefixes.known_automata())


def save_automata(cache_dir: Path, known_before: int) -> None:
    """Write this process' automata to the cache when it built some since `load_automata`."""
    known = phone_prefixes.known_automata()
    if len(known) <= known_before:
        return
    data = {name: None if a is None else a.to_data() for name, a in sorted(known.items())}
    path = io.write_text(json.dumps(data, separators=(",", ":")), cache_path(cache_dir))
    _HELD[path] = path.stat().st_mtime_ns  # what it holds is what this process has
