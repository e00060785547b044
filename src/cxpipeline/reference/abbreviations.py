"""Zone abbreviations as the dialer's file export writes them (tz_name → tz_dbid), one per clock.

A dialer knows a record's clock only by its `tz_dbid`, so one abbreviation never stands for two
clocks: zones sharing a standard abbreviation but not their UTC offsets over the planning years
(Asia/Manila and America/Los_Angeles are both PST; America/Phoenix and America/Denver MST;
America/Regina and America/Chicago CST) are told apart. The clock of the project's table zone
(codes.ZONE_ABBREVIATIONS, e.g. America/Chicago for CST) keeps the plain abbreviation; every
other clock gets it suffixed with its representative zone's city (`CST_REGINA`, `PST_MANILA`).
All of it is computed on the pinned tzdata release (cxpipeline.tzdb). Computing it takes about
two seconds (every zone's offset on every day of CLOCK_YEARS), so the result ships with the
package (`seeds/zone_abbreviations.json`, keyed by the tzdata release and this module's code)
and is computed only when that key does not match; `python -m cxpipeline.reference.abbreviations`
rewrites the file and a test checks it is current.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import json
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import polars as pl

from cxpipeline import tzdb
from cxpipeline.codes import ZONE_ABBREVIATIONS

#: Years over which two zones must keep the same offsets to count as one clock.
CLOCK_YEARS = (2026, 2027)
PACKAGED_NAME = "zone_abbreviations.json"


def _standard_abbreviation(zone: str) -> str:
    """Abbreviation of a zone in standard (winter) time, e.g. 'CET' for Europe/Paris."""
    tz = tzdb.zone(zone)
    # One of mid-January and mid-July is standard time in either hemisphere.
    for month in (1, 7):
        moment = datetime(CLOCK_YEARS[0], month, 15, 12, tzinfo=tz)
        if moment.dst() == timedelta(0):
            return moment.tzname() or zone
    return datetime(CLOCK_YEARS[0], 1, 15, 12, tzinfo=tz).tzname() or zone


def _clock(zone: str) -> tuple[timedelta | None, ...]:
    """Return the UTC offset at noon UTC of every day of CLOCK_YEARS (the clock's signature)."""
    tz = tzdb.zone(zone)
    start = datetime(CLOCK_YEARS[0], 1, 1, 12, tzinfo=UTC)
    days = (datetime(CLOCK_YEARS[-1] + 1, 1, 1, tzinfo=UTC) - start).days + 1
    return tuple((start + timedelta(days=d)).astimezone(tz).utcoffset() for d in range(days))


def _rank(zone: str) -> tuple[int, int, str]:
    """Order zones of one clock: the project's table (in its order), canonical names, links."""
    if zone in ZONE_ABBREVIATIONS:
        return (0, list(ZONE_ABBREVIATIONS).index(zone), zone)
    return (1 if zone in tzdb.canonical_zones() else 2, 0, zone)


def _split_by_clock(abbreviation: str, zones: list[str]) -> dict[str, str]:
    """tz_dbid of each zone sharing `abbreviation`: plain for the main clock, suffixed otherwise."""
    clocks: dict[tuple[timedelta | None, ...], list[str]] = defaultdict(list)
    for zone in zones:
        clocks[_clock(zone)].append(zone)
    groups = sorted(
        (sorted(group, key=_rank) for group in clocks.values()), key=lambda g: _rank(g[0])
    )
    if groups[0][0] not in ZONE_ABBREVIATIONS:
        groups.sort(key=lambda g: (-len(g), _rank(g[0])))
    result = {zone: abbreviation for zone in groups[0]}
    taken = {abbreviation}
    for group in groups[1:]:
        name = f"{abbreviation}_{group[0].rsplit('/', 1)[-1].upper()}"
        if name in taken:
            name = f"{abbreviation}_{group[0].upper().replace('/', '_')}"
        taken.add(name)
        result.update(dict.fromkeys(group, name))
    return result


@cache
def zone_abbreviations() -> pl.DataFrame:
    """tz_name → tz_dbid for every zone of the pinned tz release, one tz_dbid per clock.

    The project's table (codes.ZONE_ABBREVIATIONS) names the abbreviation of its zones; other
    zones get their standard-time abbreviation; zones sharing an abbreviation with a different
    clock get a suffixed one (module docstring). Read from the packaged table when its key is
    current, else computed; once per process.
    """
    packaged = _read_packaged(_packaged_path())
    return packaged if packaged is not None else computed_zone_abbreviations()


def table_key() -> dict[str, str]:
    """Return what the table depends on: the tzdata release and package, this module's code."""
    code = Path(__file__).read_bytes() + repr(list(ZONE_ABBREVIATIONS.items())).encode()
    return {
        "iana_release": tzdb.release(),
        "tzdata": importlib.metadata.version("tzdata"),
        "code_sha256": hashlib.sha256(code).hexdigest(),
    }


def _packaged_path() -> Path:
    """Return the path of the packaged table (seeds/zone_abbreviations.json)."""
    return Path(str(importlib.resources.files("cxpipeline") / "seeds" / PACKAGED_NAME))


def _read_packaged(path: Path) -> pl.DataFrame | None:
    """Return the packaged table if it exists and matches the current key, else None."""
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or stored.get("key") != table_key():
        return None
    table: dict[str, str] = stored["abbreviations"]
    names = sorted(table)
    return pl.DataFrame(
        {"tz_name": names, "tz_dbid": [table[z] for z in names]},
        schema={"tz_name": pl.String, "tz_dbid": pl.String},
    )


def write_packaged(path: Path | None = None) -> Path:
    """Compute the table and write it, with its key, where `zone_abbreviations` reads it."""
    path = path or _packaged_path()
    table = dict(computed_zone_abbreviations().iter_rows())
    text = json.dumps({"key": table_key(), "abbreviations": table}, indent=1, sort_keys=True)
    path.write_text(text + "\n", encoding="utf-8")
    return path


def computed_zone_abbreviations() -> pl.DataFrame:
    """Compute tz_name → tz_dbid on the pinned tz release (about two seconds)."""
    base = {zone: _standard_abbreviation(zone) for zone in sorted(tzdb.zone_names())}
    base.update(ZONE_ABBREVIATIONS)
    by_abbreviation: dict[str, list[str]] = defaultdict(list)
    for zone, abbreviation in base.items():
        by_abbreviation[abbreviation].append(zone)
    abbreviations: dict[str, str] = {}
    for abbreviation, zones in by_abbreviation.items():
        abbreviations.update(_split_by_clock(abbreviation, zones))
    names = sorted(abbreviations)
    return pl.DataFrame(
        {"tz_name": names, "tz_dbid": [abbreviations[z] for z in names]},
        schema={"tz_name": pl.String, "tz_dbid": pl.String},
    )


if __name__ == "__main__":
    print(f"wrote {write_packaged()}")
