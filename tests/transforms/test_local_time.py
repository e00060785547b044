"""Local time ↔ UTC on the pinned tzdata release; windows of every reference zone, 2026–27."""

from datetime import UTC, date, datetime, time, timedelta

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxpipeline import rules, tzdb
from cxpipeline.errors import CxError
from cxpipeline.reference.zones import zone_lookups
from cxpipeline.transforms.local_time import NAIVE, UTC_TS, local_to_utc, utc_to_local
from cxpipeline.transforms.windows import Horizon, campaign_hours_spec, dialable_windows

NY = "America/New_York"


def _to_utc(naive, zones, *, latest):
    frame = pl.DataFrame({"t": naive, "z": zones}, schema={"t": NAIVE, "z": pl.String})
    return frame.select(
        local_to_utc(pl.col("t"), pl.col("z"), latest=latest, field="z").alias("t")
    )["t"]


def test_gap_and_overlap_resolve_per_latest():
    gap = datetime(2026, 3, 8, 2, 30)  # does not exist in New York
    overlap = datetime(2026, 11, 1, 1, 30)  # exists twice
    early = _to_utc([gap, overlap, None], [NY, NY, NY], latest=False).to_list()
    late = _to_utc([gap, overlap, None], [NY, NY, NY], latest=True).to_list()
    assert early[:2] == [
        datetime(2026, 3, 8, 6, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 5, 30, tzinfo=UTC),
    ]
    assert late[:2] == [
        datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
        datetime(2026, 11, 1, 6, 30, tzinfo=UTC),
    ]
    assert early[2] is None and late[2] is None


def test_utc_to_local_per_row_zone_and_unknown_zone():
    instants = pl.DataFrame(
        {"t": [datetime(2026, 7, 1, 12, tzinfo=UTC)] * 2, "z": [NY, "Asia/Manila"]},
        schema={"t": UTC_TS, "z": pl.String},
    )
    local = instants.select(utc_to_local(pl.col("t"), pl.col("z"), field="z").alias("t"))[
        "t"
    ].to_list()
    assert local == [datetime(2026, 7, 1, 8), datetime(2026, 7, 1, 20)]
    with pytest.raises(CxError, match="unknown time zone"):
        _to_utc([datetime(2026, 1, 1)], ["Mars/Olympus"], latest=True)


def _reference_zones() -> list[str]:
    """Every zone the reference lookups can give a record (ZIP, area code, prefix, country)."""
    lookups = zone_lookups()
    lists = [
        lookups.zip_zones["zip_tz"].to_list(),
        lookups.area_code_zones["ac_zones"].explode().to_list(),
        lookups.prefix_zones["prefix_zone_list"].explode().to_list(),
        lookups.ca_postal_zones["ca_zones"].explode().to_list(),
        lookups.country_zones["country_zone_list"].explode().to_list(),
    ]
    return sorted({z for values in lists for z in values if z and tzdb.is_zone(z)})


def _expected(zones: list[str], first: date, last: date) -> set[tuple]:
    """The federal 08:00–21:00 window of each local day, computed with zoneinfo alone."""
    expected = set()
    for zone in zones:
        tz = tzdb.zone(zone)
        day = first
        while day <= last:
            # Safe side across DST: a start takes the later reading, an end the earlier one.
            start = max(
                datetime.combine(day, time(8), tzinfo=tz).replace(fold=f).astimezone(UTC)
                for f in (0, 1)
            )
            end = min(
                datetime.combine(day, time(21), tzinfo=tz).replace(fold=f).astimezone(UTC)
                for f in (0, 1)
            )
            expected.add((zone, start, end))
            day += timedelta(days=1)
    return expected


def _windows_of(zones: list[str], first: date, last: date) -> pl.DataFrame:
    """The product's federal windows of each zone over a horizon covering first..last."""
    keys = pl.LazyFrame(
        {
            "window_key": list(range(len(zones))),
            "tz_candidates": [[z] for z in zones],
            "states": [[] for _ in zones],
            "campaign_hours": [campaign_hours_spec({})] * len(zones),
        },
        schema={
            "window_key": pl.UInt64,
            "tz_candidates": pl.List(pl.String),
            "states": pl.List(pl.String),
            "campaign_hours": pl.String,
        },
    )
    federal = rules.load_rules(None).filter(pl.col("jurisdiction") == "US")
    # Two days either side: every zone's local day first..last lies inside the horizon.
    start = datetime.combine(first - timedelta(days=2), time(0), tzinfo=UTC)
    horizon = Horizon(start, days=(last - first).days + 5)
    windows = dialable_windows(
        keys, federal, horizon, default_window=(time(14), time(20), NY), stop_margin=0
    ).collect()
    zone_of = pl.DataFrame({"window_key": list(range(len(zones))), "zone": zones}).cast(
        {"window_key": pl.UInt64}
    )
    return windows.join(zone_of, on="window_key").select(
        "zone", "window_start_utc", "window_end_utc"
    )


@pytest.mark.parametrize("year", [2026, 2027])
def test_windows_of_every_reference_zone_equal_zoneinfo_over_2026_and_2027(year):
    zones = _reference_zones()
    # The zones whose rules the pinned release changed are among them.
    assert {"America/Vancouver", "America/Edmonton", "America/Winnipeg"} <= set(zones)
    expected: set[tuple] = set()
    actual: set[tuple] = set()
    # A quarter at a time: the same windows as one long horizon, in a third of the time (the
    # (zone, day) offsets of a quarter fit the converter's cache; a year's do not).
    for month in (1, 4, 7, 10):
        first = date(year, month, 1)
        last = date(year + month // 10, (month + 3) % 12 or 12, 1) - timedelta(days=1)
        quarter = _expected(zones, first, last)
        starts = {(z, s) for z, s, _ in quarter}
        # Windows whose local day lies in the quarter: the ones starting where a day's
        # window starts.
        got = _windows_of(zones, first, last)
        actual |= {row for row in got.iter_rows() if (row[0], row[1]) in starts}
        expected |= quarter
    assert len(expected) == len(zones) * 365
    assert actual == expected
    starts = {(z, s) for z, s, _ in expected}
    vancouver = tzdb.zone("America/Vancouver")
    if year == 2026 and tzdb.release() >= "2026f":  # BC stays on UTC-7 from November 2026
        assert ("America/Vancouver", datetime(2026, 11, 16, 15, tzinfo=UTC)) in starts
        assert datetime(2026, 11, 16, 15, tzinfo=UTC).astimezone(vancouver).hour == 8


_ODD_ZONES = [
    NY,
    "Australia/Lord_Howe",  # 30-minute DST
    "America/St_Johns",  # -03:30
    "Europe/Dublin",  # negative DST in tzdata
    "Pacific/Apia",  # skipped 2011-12-30 whole
    "Asia/Kathmandu",
    "UTC",
]
_MOMENTS = st.datetimes(min_value=datetime(2011, 1, 1), max_value=datetime(2028, 12, 31))


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(st.tuples(_MOMENTS, st.sampled_from(_ODD_ZONES)), min_size=1, max_size=30),
    near=st.booleans(),
)
def test_per_day_offsets_agree_with_zoneinfo_value_by_value(values, near):
    # Pull half the examples onto DST days, where the per-day shortcut must step aside.
    if near:
        values = [
            (datetime(v.year, 3 if v.month < 7 else 11, 1 + v.day % 7, v.hour), z)
            for v, z in values
        ]
    naive = [v.replace(microsecond=0) for v, _ in values]
    zones = [z for _, z in values]
    for latest in (False, True):
        expected = []
        for n, z in zip(naive, zones, strict=True):
            tz = tzdb.zone(z)
            readings = [n.replace(tzinfo=tz, fold=f).astimezone(UTC) for f in (0, 1)]
            expected.append(max(readings) if latest else min(readings))
        assert _to_utc(naive, zones, latest=latest).to_list() == expected
    instants = [n.replace(tzinfo=UTC) for n in naive]
    frame = pl.DataFrame({"t": instants, "z": zones}, schema={"t": UTC_TS, "z": pl.String})
    local = frame.select(utc_to_local(pl.col("t"), pl.col("z"), field="z").alias("t"))[
        "t"
    ].to_list()
    expected = [
        i.astimezone(tzdb.zone(z)).replace(tzinfo=None)
        for i, z in zip(instants, zones, strict=True)
    ]
    assert local == expected


@settings(max_examples=60, deadline=None)
@given(
    values=st.lists(
        st.tuples(st.none() | _MOMENTS, st.none() | st.sampled_from(_ODD_ZONES)), max_size=30
    )
)
def test_rows_without_a_time_or_a_zone_stay_null_and_the_others_convert(values):
    # Only rows with both are converted; they must land back on their own rows.
    naive = [None if v is None else v.replace(microsecond=0) for v, _ in values]
    zones = [z for _, z in values]
    # The earlier of the two readings (fold 0 and 1), as latest=False asks.
    expected = [
        None
        if n is None or z is None
        else min(n.replace(tzinfo=tzdb.zone(z), fold=f).astimezone(UTC) for f in (0, 1))
        for n, z in zip(naive, zones, strict=True)
    ]
    assert _to_utc(naive, zones, latest=False).to_list() == expected
    instants = [None if n is None else n.replace(tzinfo=UTC) for n in naive]
    frame = pl.DataFrame({"t": instants, "z": zones}, schema={"t": UTC_TS, "z": pl.String})
    local = frame.select(utc_to_local(pl.col("t"), pl.col("z"), field="z").alias("t"))["t"]
    assert local.to_list() == [
        None if i is None or z is None else i.astimezone(tzdb.zone(z)).replace(tzinfo=None)
        for i, z in zip(instants, zones, strict=True)
    ]


def _switch_days(zone: str) -> list[datetime]:
    """UTC days (naive midnights) of 2011-2028 at whose start and end `zone`'s offsets differ."""
    tz = tzdb.zone(zone)
    days = [datetime(2011, 1, 1) + timedelta(days=k) for k in range(18 * 365 + 5)]
    offsets = [d.replace(tzinfo=UTC).astimezone(tz).utcoffset() for d in days]
    return [d for d, a, b in zip(days, offsets, offsets[1:], strict=False) if a != b]


_SWITCHES = [(day, zone) for zone in _ODD_ZONES for day in _switch_days(zone)]


@settings(max_examples=80, deadline=None)
@given(
    picks=st.lists(
        st.tuples(
            st.sampled_from(_SWITCHES),
            st.integers(0, 86_399),
            st.integers(0, 999_999),
            st.sampled_from([timedelta(0), timedelta(microseconds=-1), timedelta(seconds=-1)]),
        ),
        min_size=1,
        max_size=40,
    )
)
def test_utc_days_with_a_switch_convert_on_either_side_of_it(picks):
    # A UTC day with a DST switch shifts its instants before and after the switch apart, to
    # the microsecond; the instants are pulled onto whole minutes (where the switches fall)
    # and a microsecond or a second before them, as well as anywhere in the day.
    instants, zones = [], []
    for (day, zone), second, micro, nudge in picks:
        moment = day + timedelta(seconds=second)
        if micro % 2:
            moment = moment.replace(second=0) + nudge
        else:
            moment += timedelta(microseconds=micro)
        instants.append(moment.replace(tzinfo=UTC))
        zones.append(zone)
    frame = pl.DataFrame({"t": instants, "z": zones}, schema={"t": UTC_TS, "z": pl.String})
    local = frame.select(utc_to_local(pl.col("t"), pl.col("z"), field="z"))
    local = local.to_series().to_list()
    assert local == [
        i.astimezone(tzdb.zone(z)).replace(tzinfo=None)
        for i, z in zip(instants, zones, strict=True)
    ]


def test_a_switch_day_is_split_without_converting_value_by_value(monkeypatch):
    # New York's 2026 autumn switch: 06:00 UTC on 1 November. Every instant of the day is
    # shifted by the offset on its side, none converted one by one.
    import cxpipeline.transforms.local_time as local_time

    def refuse(*_args):
        raise AssertionError("converted one by one")

    monkeypatch.setattr(local_time, "_to_local", refuse)
    day = datetime(2026, 11, 1, tzinfo=UTC)
    instants = [day + timedelta(minutes=m) for m in range(0, 1440, 7)] + [
        day + timedelta(hours=6) - timedelta(microseconds=1),
        day + timedelta(hours=6),
    ]
    frame = pl.DataFrame({"t": instants}, schema={"t": UTC_TS}).with_columns(z=pl.lit(NY))
    local = frame.select(utc_to_local(pl.col("t"), pl.col("z"), field="z"))
    local = local.to_series().to_list()
    tz = tzdb.zone(NY)
    assert local == [i.astimezone(tz).replace(tzinfo=None) for i in instants]
    assert local[-2:] == [datetime(2026, 11, 1, 1, 59, 59, 999_999), datetime(2026, 11, 1, 1)]
