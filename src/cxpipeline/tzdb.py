"""The one zone database: IANA rules from the pinned `tzdata` package, never the machine's.

`zoneinfo.ZoneInfo(name)` prefers the system's tz files (whatever release the machine has) and
Polars and DuckDB ship their own; a calling window must not depend on which of them answers.
Every local↔UTC conversion that decides a window, a schedule, a local hour or an export value
goes through `zone()`, built from the package's files, so one release (`release()`) governs.
"""

from __future__ import annotations

import importlib.resources
import zoneinfo
from functools import cache

import tzdata


def release() -> str:
    """Return the IANA release of the pinned tzdata package (e.g. '2026f')."""
    return str(tzdata.IANA_VERSION)


@cache
def zone_names() -> frozenset[str]:
    """Return every zone name the tzdata package holds."""
    listing = importlib.resources.files("tzdata").joinpath("zones").read_text(encoding="utf-8")
    return frozenset(line.strip() for line in listing.splitlines() if line.strip())


@cache
def zone(name: str) -> zoneinfo.ZoneInfo:
    """Return the zone `name` built from the tzdata package; KeyError when it has no such zone."""
    if name not in zone_names():
        raise KeyError(name)
    path = importlib.resources.files("tzdata").joinpath("zoneinfo", *name.split("/"))
    with path.open("rb") as handle:
        return zoneinfo.ZoneInfo.from_file(handle, key=name)


def is_zone(name: object) -> bool:
    """Whether `name` is a zone of the tzdata package."""
    return isinstance(name, str) and name in zone_names()


@cache
def canonical_zones() -> frozenset[str]:
    """Return the zones zone1970.tab lists (one canonical name per clock region, no links)."""
    text = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone1970.tab").read_text()
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return frozenset(parts[2] for parts in rows if len(parts) >= 3)


@cache
def country_zones(country: str) -> tuple[str, ...]:
    """Return the zones zone.tab gives a country (ISO 3166 code, e.g. 'CA'), sorted."""
    text = importlib.resources.files("tzdata").joinpath("zoneinfo", "zone.tab").read_text()
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return tuple(sorted({parts[2] for parts in rows if len(parts) >= 3 and parts[0] == country}))
