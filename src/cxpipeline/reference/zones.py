"""Zone lookups for `transforms.zones.record_zones`: built from packaged data, cached as Parquet.

Building them takes about two seconds (the ZIP database, phonenumbers' geocoder), so the frames
for the pinned versions ship in the package (seeds/zones/<key>/, written by
`python -m cxpipeline.reference.zones`); for other versions, with a cache folder they are
written once per set of inputs they depend on (package versions and seed CSV hashes) and read
back on later runs. Within a process they are built or read once.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
import shutil
import tempfile
from dataclasses import fields
from functools import cache
from pathlib import Path

import polars as pl

from cxpipeline.reference import zone_sources as sources
from cxpipeline.transforms.zones import ZoneLookups

__all__ = [
    "ZoneLookups",
    "build_zone_lookups",
    "cache_key",
    "clear_memo",
    "packaged_dir",
    "write_packaged",
    "zone_lookups",
]

#: Bump when the layout or meaning of the cached frames changes without a dependency changing.
CACHE_FORMAT = 1
_PACKAGES = ("zipcodes", "phonenumbers", "tzdata")
_SUBFOLDER = "zones"
_KEY_FILE = "key.json"
_TUPLE_FIELDS = ("us_states", "presumption_states")
_FRAME_FIELDS = tuple(f.name for f in fields(ZoneLookups) if f.name not in _TUPLE_FIELDS)

_memo: dict[Path | None, ZoneLookups] = {}


def build_zone_lookups() -> ZoneLookups:
    """Build the zone and state lookups (zipcodes, phonenumbers, tzdata, seed CSVs)."""
    zips = sources.zip_rows()
    return ZoneLookups(
        zip_zones=sources.zip_frame(zips),
        area_code_zones=sources.area_code_zones(zips),
        prefix_zones=sources.prefix_zones(),
        ca_postal_zones=sources.ca_postal_zones(),
        zone_names=sources.zone_names(),
        country_zones=sources.country_zones(),
        us_states=tuple(sorted({r["zip_state"] for r in zips if r["zip_state"]})),
        presumption_states=sources.presumption_states(),
    )


@cache
def _versions() -> dict[str, str]:
    # Once per process: each metadata lookup scans the installed distributions (~0.05 s).
    return {p: importlib.metadata.version(p) for p in _PACKAGES}


def dependencies() -> dict[str, object]:
    """Describe what the lookups depend on: package versions, seed CSV and code hashes."""
    seeds = {
        name: hashlib.sha256((sources.SEEDS / name).read_bytes()).hexdigest()
        for name in (sources.EXTRA_CSV, sources.RULES_CSV)
    }
    # The two tables live in code, not in a seed file: hash them so an edit rebuilds too.
    tables = repr((sources.CANADIAN_POSTAL_ZONES, sorted(sources.ZONE_ABBREVIATIONS_IN.items())))
    return {
        "format": CACHE_FORMAT,
        "packages": _versions(),
        "seeds": seeds,
        "code_tables": hashlib.sha256(tables.encode()).hexdigest(),
    }


def cache_key() -> str:
    """Name of the cache subfolder: readable package versions plus a hash of every input."""
    versions = "-".join(f"{p}{v}" for p, v in _versions().items())
    digest = hashlib.sha256(json.dumps(dependencies(), sort_keys=True).encode()).hexdigest()[:16]
    return f"{versions}-{digest}"


def zone_lookups(cache_dir: Path | None = None) -> ZoneLookups:
    """Zone lookups, built once per process; with `cache_dir`, read from or written to disk."""
    folder = None if cache_dir is None else Path(cache_dir) / _SUBFOLDER / cache_key()
    found = _memo.get(folder)
    if found is None:
        if folder is not None and folder.is_dir():
            found = _read(folder)
        elif packaged_dir().is_dir():
            found = _read(packaged_dir())
        else:
            found = _memo.get(None) or build_zone_lookups()
            _memo.setdefault(None, found)
            if folder is not None:
                _write(folder, found)
        _memo[folder] = found
    return found


def packaged_dir() -> Path:
    """Folder of the lookups shipped in the package for the installed versions (may be absent)."""
    return Path(str(sources.SEEDS)) / _SUBFOLDER / cache_key()


def write_packaged() -> Path:
    """Build the lookups into the package's seeds/zones/<key>/, dropping other keys' copies."""
    target = packaged_dir()
    for old in target.parent.glob("*"):
        if old.is_dir() and old != target:
            shutil.rmtree(old)
    if not target.is_dir():
        _write(target, build_zone_lookups())
    return target


def clear_memo() -> None:
    """Forget the lookups held in this process (tests; a long-lived process after an upgrade)."""
    _memo.clear()


def _read(folder: Path) -> ZoneLookups:
    def frame(name: str) -> pl.DataFrame:
        return pl.read_parquet(folder / f"{name}.parquet")

    def values(name: str) -> tuple[str, ...]:
        return tuple(frame(name).get_column("value").to_list())

    return ZoneLookups(
        zip_zones=frame("zip_zones"),
        area_code_zones=frame("area_code_zones"),
        prefix_zones=frame("prefix_zones"),
        ca_postal_zones=frame("ca_postal_zones"),
        zone_names=frame("zone_names"),
        country_zones=frame("country_zones"),
        us_states=values("us_states"),
        presumption_states=values("presumption_states"),
    )


def _write(folder: Path, lookups: ZoneLookups) -> None:
    """Write every frame into a temporary sibling folder, then rename it into place."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".tmp-", dir=folder.parent))
    try:
        for name in _FRAME_FIELDS:
            getattr(lookups, name).write_parquet(tmp / f"{name}.parquet")
        for name in _TUPLE_FIELDS:
            values = list(getattr(lookups, name))
            pl.DataFrame({"value": values}, schema={"value": pl.String}).write_parquet(
                tmp / f"{name}.parquet"
            )
        (tmp / _KEY_FILE).write_text(json.dumps(dependencies(), indent=2, sort_keys=True))
        try:
            tmp.rename(folder)
        except OSError:
            # Another process renamed its complete copy into place first: keep that one.
            if not folder.is_dir():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    print(write_packaged())
