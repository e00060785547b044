"""Window keys: canonical campaign hours and the stable key records that share windows share."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import date

import polars as pl

from cxpipeline.errors import CxError
from cxpipeline.rules.model import PURPOSES, parse_clock_time

#: Effective settings of a list read by `window_keys` (docs/stages.md §7 setting keys).
DAY_KEYS = (
    "hours_mon",
    "hours_tue",
    "hours_wed",
    "hours_thu",
    "hours_fri",
    "hours_sat",
    "hours_sun",
)
HOUR_KEYS = (*DAY_KEYS, "blackout_dates", "purpose")


def _campaign_day(value: object, key: str) -> str:
    text = "" if value is None else str(value).strip()
    if text == "":
        # No campaign restriction configured: the law still bounds the day.
        return "00:00-24:00"
    if text.lower() == "closed":
        return "closed"
    parts = text.split("-")
    try:
        if len(parts) != 2:
            raise ValueError
        start, end = (parse_clock_time(p) for p in parts)
    except ValueError:
        raise CxError(f'{text!r} is not "HH:MM-HH:MM" or "closed"', field=key) from None
    if start >= end:
        raise CxError(f"{text!r}: the end is not after the start", field=key)
    return f"{start // 60:02d}:{start % 60:02d}-{end // 60:02d}:{end % 60:02d}"


def _blackout_dates(value: object) -> list[date]:
    if value is None:
        return []
    items = value if isinstance(value, list | tuple | set) else str(value).split(",")
    out: set[date] = set()
    for item in items:
        if isinstance(item, date):
            out.add(item)
            continue
        text = str(item).strip()
        if not text:
            continue
        try:
            out.add(date.fromisoformat(text))
        except ValueError:
            raise CxError(
                f"{text!r} is not an ISO date YYYY-MM-DD", field="blackout_dates"
            ) from None
    return sorted(out)


def campaign_hours_spec(hours: Mapping[str, object]) -> str:
    """Canonical text of a list's campaign hours, e.g. 'mon=09:00-20:00 … sun=closed blackout='.

    A missing or empty day means the campaign does not restrict that day (the law still does).
    A campaign `purpose` (telemarketing, collections, informational) ends the text as
    'purpose=…': the rules bound to other purposes then do not apply; without one, all do.
    """
    days = [f"{key[-3:]}={_campaign_day(hours.get(key), key)}" for key in DAY_KEYS]
    blackout = ",".join(d.isoformat() for d in _blackout_dates(hours.get("blackout_dates")))
    purpose = str(hours.get("purpose") or "").strip().lower()
    if purpose and purpose not in PURPOSES:
        raise CxError(f"{purpose!r} is not one of {', '.join(PURPOSES)}", field="purpose")
    return " ".join([*days, f"blackout={blackout}", *([f"purpose={purpose}"] if purpose else [])])


def _stable_hash(texts: pl.Series) -> pl.Series:
    """64-bit BLAKE2b of each distinct text: stable across runs and library versions."""
    distinct = texts.unique().drop_nulls()
    digests = [
        int.from_bytes(hashlib.blake2b(t.encode(), digest_size=8).digest(), "big") for t in distinct
    ]
    return texts.replace_strict(
        distinct, pl.Series(digests, dtype=pl.UInt64), default=None, return_dtype=pl.UInt64
    )


def window_keys(records: pl.LazyFrame, hours: Mapping[str, object]) -> pl.LazyFrame:
    """Add `campaign_hours` (canonical text) and `window_key` (u64) to records.

    The key hashes the sorted distinct `tz_candidates`, the sorted distinct `states` and the
    campaign hours, so records that must share windows share a key.
    """
    spec = campaign_hours_spec(hours)
    zones_text = pl.col("tz_candidates").list.unique().list.sort().list.join(",").fill_null("")
    states_text = pl.col("states").list.unique().list.sort().list.join(",").fill_null("")
    key_text = pl.concat_str([zones_text, states_text, pl.lit(spec)], separator="|")
    pair = ["tz_candidates", "states"]
    # Keyed once per distinct (zones, states) pair, a few hundred in any list, then joined
    # back: the list operations per record cost ten times the join.
    keyed = (
        records.select(pair)
        .unique()
        .with_columns(window_key=key_text.map_batches(_stable_hash, return_dtype=pl.UInt64))
    )
    return records.with_columns(campaign_hours=pl.lit(spec)).join(
        keyed, on=pair, how="left", nulls_equal=True, maintain_order="left"
    )
