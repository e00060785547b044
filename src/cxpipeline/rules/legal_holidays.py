"""State and federal legal holidays from the `holidays` package, as a frame per jurisdiction.

The first calendar a process asks the package for costs ~0.25 s (it imports its US entity
modules), a good part of a small ingest or plan. So the calendars of the pinned `holidays`
release, federal and every US subdivision, for SEED_YEARS ship in the package
(`seeds/us_holidays/<key>.parquet`, keyed by the release and this module's code; `python -m
cxpipeline.rules.legal_holidays` rewrites them, a test fails when they are stale). Years
outside the seed, or another release, ask the package as before.
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import importlib.resources
import shutil
from collections.abc import Iterable
from datetime import date
from functools import cache
from pathlib import Path

import polars as pl

#: The years whose calendars ship in the package.
SEED_YEARS = range(2020, 2046)
_SUBFOLDER = "us_holidays"
_SCHEMA = {"jurisdiction": pl.String, "date": pl.Date, "holiday_name": pl.String}


def state_holidays(jurisdictions: Iterable[str], start: date, end: date) -> pl.DataFrame:
    """Legal holidays from the `holidays` package: jurisdiction, date, holiday_name (start..end).

    'US' gives the federal calendar; a state code gives its calendar (federal plus state days).
    One call per jurisdiction and year range, not per record.
    """
    wanted = sorted(set(jurisdictions))
    seeded = _packaged() if start.year in SEED_YEARS and end.year in SEED_YEARS else None
    if seeded is None:
        return computed_holidays(wanted, start, end)
    return seeded.filter(
        pl.col("jurisdiction").is_in(wanted), pl.col("date").is_between(start, end)
    ).sort("jurisdiction", "date")


def computed_holidays(jurisdictions: Iterable[str], start: date, end: date) -> pl.DataFrame:
    """Ask the `holidays` package for the calendars (what the packaged seed holds)."""
    # Imported here: a process served by the seed never pays for the package's modules.
    import holidays as holidays_lib

    years = list(range(start.year, end.year + 1))
    rows: list[tuple[str, date, str]] = []
    for code in sorted(set(jurisdictions)):
        subdiv = None if code == "US" else code
        if subdiv is not None and subdiv not in holidays_lib.US.subdivisions:
            continue
        calendar = holidays_lib.country_holidays("US", subdiv=subdiv, years=years)
        rows.extend((code, day, name) for day, name in calendar.items() if start <= day <= end)
    return pl.DataFrame(rows, schema=_SCHEMA, orient="row").sort("jurisdiction", "date")


@cache
def cache_key() -> str:
    """Return the holidays release plus a hash of this module's code (what the seed holds)."""
    code = Path(__file__).read_bytes()
    digest = hashlib.sha256(code).hexdigest()[:16]
    return f"holidays{importlib.metadata.version('holidays')}-{digest}"


def packaged_path() -> Path:
    """Where the package's calendars of the installed release live (may be absent)."""
    seeds = importlib.resources.files("cxpipeline") / "seeds"
    return Path(str(seeds)) / _SUBFOLDER / f"{cache_key()}.parquet"


@cache
def _packaged() -> pl.DataFrame | None:
    """Return the packaged calendars (read once per process); None when stale or missing."""
    try:
        return pl.read_parquet(packaged_path())
    except (OSError, pl.exceptions.PolarsError):
        return None


def write_packaged() -> Path:
    """Compute every calendar of SEED_YEARS into the package, dropping other keys' files."""
    import holidays as holidays_lib

    target = packaged_path()
    for old in target.parent.glob("*.parquet"):
        if old != target:
            old.unlink()
    target.parent.mkdir(parents=True, exist_ok=True)
    codes = ["US", *sorted(holidays_lib.US.subdivisions)]
    frame = computed_holidays(codes, date(SEED_YEARS[0], 1, 1), date(SEED_YEARS[-1], 12, 31))
    tmp = target.with_suffix(".tmp")
    frame.write_parquet(tmp, compression="zstd", statistics=False)
    shutil.move(tmp, target)
    return target


if __name__ == "__main__":
    print(f"wrote {write_packaged()}")
