"""The phone-number automata, shipped in the package and kept between processes in a cache.

Compiling phonenumbers' patterns into automata (`transforms.phone_prefixes`) took ~1.5 s of an
ingest into a new home (the NANP one reads every pattern of 25 regions); the automata depend
only on the phonenumbers release and on that module's code. So every automaton of the pinned
release ships in `seeds/phone_automata.json.gz` (keyed; `python -m
cxpipeline.reference.phone_automata` rewrites it, a test fails when it is stale), and a release
the seed does not match compiles what it needs once and keeps it under
`<reference>/phone_automata/<key>.json.gz` for every later process. Both are read as text and
decoded one automaton at a time, when a number first needs it. The package's file also holds the
NANP automata's verdicts and area codes (`transforms.phone_verdicts`), so most lists' numbers
need no automaton decoded at all.
"""

from __future__ import annotations

import importlib.resources
from functools import cache
from pathlib import Path
from typing import Any

import phonenumbers
from phonenumbers import phonenumberutil as pnu

from cxpipeline.reference import keyed_json
from cxpipeline.transforms import phone_prefixes, phone_verdicts

_SUBFOLDER = "phone_automata"
PACKAGED_NAME = "phone_automata.json.gz"


@cache
def cache_key() -> str:
    """Return the phonenumbers release plus a hash of the automaton code (what they depend on)."""
    return keyed_json.code_key("phonenumbers", (phone_prefixes, phone_verdicts))


def cache_path(cache_dir: Path) -> Path:
    """Where the automata of the installed phonenumbers and code live under `cache_dir`."""
    return Path(cache_dir) / _SUBFOLDER / f"{cache_key()}.json.gz"


def packaged_path() -> Path:
    """Where the package's automata live (seeds/phone_automata.json.gz)."""
    return Path(str(importlib.resources.files("cxpipeline") / "seeds" / PACKAGED_NAME))


#: The files this process holds the automata of, by modification time: every chunk of an
#: ingest calls `load_automata`, and an unchanged file is not read and parsed again.
_HELD: dict[Path, int] = {}


def load_automata(cache_dir: Path) -> int:
    """Add the packaged and cached automata to this process; return a mark for `save_automata`.

    A missing, stale or unreadable file is no error: the automata are then compiled as needed.
    """
    for path in (packaged_path(), cache_path(cache_dir)):
        stored = keyed_json.read_changed(path, cache_key(), _HELD)
        if stored is not None:
            phone_prefixes.add_stored(_automata_of(stored))
            phone_verdicts.add_verdicts(stored)
    return phone_prefixes.compiled_count()


def save_automata(cache_dir: Path, mark: int) -> None:
    """Write this process' automata to the cache when it compiled some since `mark`."""
    if phone_prefixes.compiled_count() <= mark:
        return
    automata = phone_prefixes.known_automata()
    keyed_json.write_held(cache_path(cache_dir), cache_key(), _content(automata), _HELD)


def every_automaton() -> dict[str, str]:
    """Compile every automaton of the installed phonenumbers, as text by name (~1 s)."""
    for cc in sorted(pnu.COUNTRY_CODE_TO_REGION_CODE):
        phone_prefixes.classify_automaton(cc)
        phone_prefixes.parse_automaton("+", str(cc))
    for region in sorted(phonenumbers.SUPPORTED_REGIONS):
        phone_prefixes.parse_automaton("n", region)
    return phone_prefixes.known_automata()


def write_packaged(path: Path | None = None) -> Path:
    """Compile every automaton, write it with the NANP verdicts where `load_automata` reads it."""
    # Beside the automata, what only the package's file holds: the NANP verdicts.
    content = {**_content(every_automaton()), **phone_verdicts.shipped_verdicts()}
    return keyed_json.write(path or packaged_path(), cache_key(), content)


def _automata_of(stored: dict[str, Any]) -> dict[str, str]:
    """Return the automata texts of a file's content (none when stale or unreadable)."""
    automata = stored.get("automata")
    return automata if isinstance(automata, dict) else {}


def _content(automata: dict[str, str]) -> dict[str, Any]:
    """Return a file's content: the automata texts, names sorted so a rerun is identical."""
    return {"automata": dict(sorted(automata.items()))}


if __name__ == "__main__":
    print(f"wrote {write_packaged()}")
