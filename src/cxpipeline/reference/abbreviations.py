"""Zone abbreviations as the dialer's file export writes them (tz_name → tz_dbid)."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from functools import cache

import polars as pl

from cxpipeline.codes import ZONE_ABBREVIATIONS


def _standard_abbreviation(zone: str) -> str:
    """Abbreviation of a zone in standard (winter) time, e.g. 'CET' for Europe/Paris."""
    tz = zoneinfo.ZoneInfo(zone)
    # One of mid-January and mid-July is standard time in either hemisphere.
    for month in (1, 7):
        moment = datetime(2025, month, 15, 12, tzinfo=tz)
        if moment.dst() == timedelta(0):
            return moment.tzname() or zone
    return datetime(2025, 1, 15, 12, tzinfo=tz).tzname() or zone


@cache
def zone_abbreviations() -> pl.DataFrame:
    """tz_name → tz_dbid for every zone of the tz database, computed once per process.

    The project's table (codes.ZONE_ABBREVIATIONS) wins; other zones get their standard-time
    abbreviation from zoneinfo.
    """
    zones = sorted(zoneinfo.available_timezones())
    abbreviations = {zone: _standard_abbreviation(zone) for zone in zones}
    abbreviations.update(ZONE_ABBREVIATIONS)
    return pl.DataFrame(
        {"tz_name": list(abbreviations), "tz_dbid": list(abbreviations.values())},
        schema={"tz_name": pl.String, "tz_dbid": pl.String},
    )
