"""Tests of transforms/treatments.py: local times of day for the actions that dial at one."""

from __future__ import annotations

from datetime import UTC, datetime, time, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from cxpipeline import tzdb
from cxpipeline.transforms.treatments import with_local_at

ZONES = ["America/New_York", "America/Los_Angeles", "Europe/London", "Australia/Lord_Howe"]


def _earliest(naive: datetime, zone: str) -> datetime:
    tz = tzdb.zone(zone)
    readings = (naive.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1))
    return min(readings)


def _expected(call: datetime, zone: str, minute: int, days: int) -> int:
    """The rule, one value at a time with the pinned zone data."""
    tz = tzdb.zone(zone)
    local = datetime.combine(call.astimezone(tz).date(), time()) + timedelta(
        days=days, minutes=minute
    )
    first = _earliest(local, zone)
    exists = first.astimezone(tz).replace(tzinfo=None) == local
    at = int((first if exists else _earliest(local + timedelta(hours=1), zone)).timestamp())
    return at + 86_400 if at <= int(call.timestamp()) else at


_ROWS = st.lists(
    st.tuples(
        # Around the 2026 switches of the four zones (spring and autumn).
        st.datetimes(datetime(2026, 3, 1), datetime(2026, 11, 10)),
        st.sampled_from(ZONES),
        st.integers(0, 1439),
        st.integers(0, 3),
    ),
    min_size=1,
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(rows=_ROWS)
def test_every_row_gets_the_local_time_the_zone_rules_give(rows):
    calls = [c.replace(tzinfo=UTC) for c, _, _, _ in rows]
    frame = pl.DataFrame(
        {
            "call_time_utc": calls,
            "tz_name": [z for _, z, _, _ in rows],
            "at_minute": [m for _, _, m, _ in rows],
            "days": [d for _, _, _, d in rows],
        },
        schema_overrides={"call_time_utc": pl.Datetime("us", "UTC")},
    )
    out = with_local_at(
        frame.lazy(), "at", ("call_time_utc", "at_minute", "days"), ZONES, "America/New_York"
    ).collect()
    assert out.columns == [*frame.columns, "at"]
    expected = [_expected(c, z, m, d) for c, (_, z, m, d) in zip(calls, rows, strict=True)]
    assert out["at"].to_list() == expected


def test_rows_without_a_time_of_day_get_none():
    frame = pl.DataFrame(
        {
            "call_time_utc": [datetime(2026, 7, 1, 12, tzinfo=UTC)] * 2,
            "tz_name": [None, "Europe/London"],
            "at_minute": [None, 540],
            "days": [0, 1],
        }
    )
    out = with_local_at(
        frame.lazy(), "at", ("call_time_utc", "at_minute", "days"), ZONES, "America/New_York"
    ).collect()
    # 09:00 London (BST, UTC+1) on 2 July is 08:00 UTC.
    assert out["at"].to_list() == [None, int(datetime(2026, 7, 2, 8, tzinfo=UTC).timestamp())]
