"""Dialable windows: rules ∩ campaign hours across zones, DST-safe, and the warehouse views."""

import functools
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import duckdb
import holidays as holidays_lib
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from tests.transforms.frames import window_records

from cxpipeline import rules, warehouse
from cxpipeline.errors import CxError
from cxpipeline.transforms import attempt_caps, horizon
from cxpipeline.transforms import daily_window as daily_window_module
from cxpipeline.transforms import window_keys as window_keys_module
from cxpipeline.transforms import windows as windows_module
from cxpipeline.transforms.windows import (
    HOUR_KEYS,
    Horizon,
    dialable_windows,
    window_keys,
)

SEED = rules.load_rules(None)
NY = "America/New_York"
DEFAULT = (time(14), time(20), NY)
US_ZONES = [
    NY,
    "America/Chicago",
    "America/Denver",
    "America/Phoenix",
    "America/Los_Angeles",
    "America/Anchorage",
    "Pacific/Honolulu",
]


def _local(day, hh, mm, zone):
    return datetime.combine(day, time(hh, mm), tzinfo=ZoneInfo(zone)).astimezone(UTC)


def plan(zones, states, as_of, *, days=1, hours=None, margin=0, rule_frame=SEED, holidays=None):
    keyed = window_keys(
        window_records([(1, zones, states, zones[0] if zones else None)]), hours or {}
    )
    out = dialable_windows(
        keyed,
        rule_frame,
        Horizon(as_of, days),
        default_window=DEFAULT,
        stop_margin=margin,
        holidays=holidays,
    ).collect()
    return [
        (r["window_start_utc"], r["window_end_utc"], r["start_rule"], r["end_rule"])
        for r in out.iter_rows(named=True)
    ]


def _open_federal(frame=SEED):
    """The seed with the federal floor lifted, to see campaign/state boundaries on their own."""
    return frame.with_columns(
        start_local=pl.when(pl.col("jurisdiction") == "US")
        .then(pl.lit("00:00"))
        .otherwise("start_local"),
        end_local=pl.when(pl.col("jurisdiction") == "US")
        .then(pl.lit("24:00"))
        .otherwise("end_local"),
    )


# --------------------------------------------------------------------------- explicit cases


@pytest.mark.parametrize("zone", US_ZONES)
@pytest.mark.parametrize("day", [date(2026, 3, 8), date(2026, 11, 1)])
def test_federal_window_on_dst_days_in_every_us_zone(zone, day):
    start_of_day = datetime.combine(day, time(0), tzinfo=ZoneInfo(zone))
    got = plan([zone], [], start_of_day)
    assert got == [(_local(day, 8, 0, zone), _local(day, 21, 0, zone), "federal", "federal")]
    # 08:00-21:00 is far from the 02:00 switch: thirteen real hours on both days
    assert got[0][1] - got[0][0] == timedelta(hours=13)


def test_spring_forward_gap_never_widens_a_window():
    # 02:30 does not exist on 2026-03-08 in New York: the later reading (07:30Z = 03:30 EDT)
    rule_frame = _open_federal()
    as_of = datetime(2026, 3, 8, 5, tzinfo=UTC)  # 00:00 EST
    hours = {k: "closed" for k in HOUR_KEYS[:7]} | {"hours_sun": "02:30-05:00"}
    got = plan([NY], [], as_of, hours=hours, rule_frame=rule_frame)
    assert got == [
        (
            datetime(2026, 3, 8, 7, 30, tzinfo=UTC),
            datetime(2026, 3, 8, 9, 0, tzinfo=UTC),
            "campaign",
            "campaign",
        )
    ]
    # an end inside the gap takes the earlier reading (06:30Z = 01:30 EST)
    hours["hours_sun"] = "01:00-02:30"
    got = plan([NY], [], as_of, hours=hours, rule_frame=rule_frame)
    assert [(s, e) for s, e, *_ in got] == [
        (datetime(2026, 3, 8, 6, 0, tzinfo=UTC), datetime(2026, 3, 8, 6, 30, tzinfo=UTC))
    ]


def test_fall_back_overlap_never_widens_a_window():
    rule_frame = _open_federal()
    as_of = datetime(2026, 11, 1, 4, tzinfo=UTC)  # 00:00 EDT
    hours = {k: "closed" for k in HOUR_KEYS[:7]} | {"hours_sun": "01:30-05:00"}
    got = plan([NY], [], as_of, hours=hours, rule_frame=rule_frame)
    # 01:30 happens twice; the start takes the second one (01:30 EST = 06:30Z)
    assert [(s, e) for s, e, *_ in got] == [
        (datetime(2026, 11, 1, 6, 30, tzinfo=UTC), datetime(2026, 11, 1, 10, 0, tzinfo=UTC))
    ]
    hours["hours_sun"] = "00:30-01:30"
    got = plan([NY], [], as_of, hours=hours, rule_frame=rule_frame)
    # the end takes the first 01:30 (EDT = 05:30Z)
    assert [(s, e) for s, e, *_ in got] == [
        (datetime(2026, 11, 1, 4, 30, tzinfo=UTC), datetime(2026, 11, 1, 5, 30, tzinfo=UTC))
    ]


def test_arizona_has_no_dst_and_intersects_with_denver():
    for day in (date(2026, 3, 8), date(2026, 7, 1)):
        got = plan(["America/Phoenix"], ["AZ"], datetime.combine(day, time(7), tzinfo=UTC))
        assert [(s, e) for s, e, *_ in got] == [
            (
                datetime.combine(day, time(15), tzinfo=UTC),
                datetime.combine(day, time(4), tzinfo=UTC) + timedelta(days=1),
            )
        ]
    # summer: Denver (MDT, UTC-6) and Phoenix (MST, UTC-7) differ by an hour
    got = plan(["America/Denver", "America/Phoenix"], [], datetime(2026, 7, 1, 7, tzinfo=UTC))
    assert [(s, e) for s, e, *_ in got] == [
        (datetime(2026, 7, 1, 15, tzinfo=UTC), datetime(2026, 7, 2, 3, tzinfo=UTC))
    ]


def test_newfoundland_half_hour_zone():
    # A Canadian zone: Canada's CRTC hours (weekdays from 09:00) bound the start, the US
    # federal rule (to 21:00) the end.
    zone = "America/St_Johns"
    summer = plan([zone], [], datetime(2026, 7, 1, 4, tzinfo=UTC))
    assert [(s, e) for s, e, *_ in summer] == [
        (datetime(2026, 7, 1, 11, 30, tzinfo=UTC), datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    ]
    winter = plan([zone], [], datetime(2026, 1, 14, 4, tzinfo=UTC))
    assert [(s, e) for s, e, *_ in winter] == [
        (datetime(2026, 1, 14, 12, 30, tzinfo=UTC), datetime(2026, 1, 15, 0, 30, tzinfo=UTC))
    ]
    assert {r for *_, r, _ in summer} == {"national:CAN"}


def test_canadian_telemarketing_hours_bind_their_purpose_only():
    zone = "America/Toronto"
    saturday = datetime(2026, 12, 5, 12, tzinfo=UTC)

    def hours(purpose):
        rows = plan([zone], [], saturday, hours={"purpose": purpose})
        return [
            (s.astimezone(ZoneInfo(zone)).time(), e.astimezone(ZoneInfo(zone)).time(), r, q)
            for s, e, r, q in rows[:1]
        ]

    # Weekends 10:00-18:00 in the called party's time for telemarketing (CRTC) ...
    assert hours("telemarketing") == [(time(10), time(18), "national:CAN", "national:CAN")]
    # ... while a collections campaign keeps the federal 08:00-21:00 (Regulation F).
    assert hours("collections") == [(time(8), time(21), "federal", "federal")]


def test_mississippi_keeps_central_standard_time_in_summer():
    chicago = "America/Chicago"
    # Wed 2026-07-01: 08:00-20:00 CST = 14:00-02:00Z = 09:00-21:00 CDT
    got = plan([chicago], ["MS"], datetime(2026, 7, 1, 5, tzinfo=UTC))
    assert got == [
        (
            datetime(2026, 7, 1, 14, tzinfo=UTC),
            datetime(2026, 7, 2, 2, tzinfo=UTC),
            "state:MS",
            "state:MS",  # ties with federal 21:00 CDT; the state is named
        )
    ]
    # in winter CST is the local clock
    got = plan([chicago], ["MS"], datetime(2026, 1, 14, 6, tzinfo=UTC))
    assert [(s, e) for s, e, *_ in got] == [
        (datetime(2026, 1, 14, 14, tzinfo=UTC), datetime(2026, 1, 15, 2, tzinfo=UTC))
    ]
    # no Sunday calls
    assert plan([chicago], ["MS"], datetime(2026, 7, 5, 5, tzinfo=UTC)) == []


def test_louisiana_sunday_and_holidays():
    chicago = "America/Chicago"
    assert plan([chicago], ["LA"], datetime(2026, 7, 5, 5, tzinfo=UTC)) == []  # Sunday
    # Mon 2026-02-16 Washington's Birthday and Tue 02-17 Mardi Gras are LA holidays
    got = plan([chicago], ["LA"], datetime(2026, 2, 16, 6, tzinfo=UTC), days=3)
    assert [(s, e) for s, e, *_ in got] == [
        (datetime(2026, 2, 18, 14, tzinfo=UTC), datetime(2026, 2, 19, 2, tzinfo=UTC))
    ]
    # without the holiday ban only the hours apply on those days
    no_ban = SEED.with_columns(holiday_ban=pl.lit(False))
    got = plan([chicago], ["LA"], datetime(2026, 2, 16, 6, tzinfo=UTC), days=3, rule_frame=no_ban)
    assert len(got) == 3


def test_holiday_is_named_when_it_bounds_a_window():
    # lift every hour limit so the day boundaries of the holiday itself bound the windows
    open_la = _open_federal().with_columns(
        start_local=pl.when(pl.col("jurisdiction") == "LA")
        .then(pl.lit("00:00"))
        .otherwise("start_local"),
        end_local=pl.when(pl.col("jurisdiction") == "LA")
        .then(pl.lit("24:00"))
        .otherwise("end_local"),
    )
    got = plan(
        ["America/Chicago"],
        ["LA"],
        datetime(2026, 2, 17, 6, tzinfo=UTC),
        days=2,
        rule_frame=open_la,
    )
    # Tue 02-17 (Mardi Gras) is banned from 00:00 to 24:00 CST; from Wed nothing limits the
    # window, so it runs to the end of the evaluated span, which is named as such
    assert len(got) == 1
    start, _, start_rule, end_rule = got[0]
    assert (start, start_rule, end_rule) == (
        datetime(2026, 2, 18, 6, tzinfo=UTC),
        "holiday:LA",
        "horizon",
    )


def test_texas_sunday_noon():
    got = plan(["America/Chicago"], ["TX"], datetime(2026, 7, 5, 5, tzinfo=UTC))  # Sun
    assert got == [
        (
            datetime(2026, 7, 5, 17, tzinfo=UTC),
            datetime(2026, 7, 6, 2, tzinfo=UTC),
            "state:TX",
            "state:TX",
        )
    ]


def test_connecticut_area_code_with_new_york_zip():
    got = plan([NY], ["CT", "NY"], datetime(2026, 7, 1, 4, tzinfo=UTC))
    assert got == [
        (
            datetime(2026, 7, 1, 13, tzinfo=UTC),
            datetime(2026, 7, 2, 0, tzinfo=UTC),
            "state:CT",
            "state:CT",
        )
    ]


def test_candidate_zones_are_intersected_and_named():
    got = plan(["America/Chicago", NY], [], datetime(2026, 7, 1, 4, tzinfo=UTC))
    # start: 08:00 CDT (13:00Z) is later than 08:00 EDT; end: 21:00 EDT (01:00Z) is earlier
    assert got == [
        (
            datetime(2026, 7, 1, 13, tzinfo=UTC),
            datetime(2026, 7, 2, 1, tzinfo=UTC),
            "federal",
            "federal",
        )
    ]


def test_record_without_zone_gets_the_default_window():
    got = plan([], [], datetime(2026, 7, 1, 4, tzinfo=UTC))
    assert got == [
        (
            datetime(2026, 7, 1, 18, tzinfo=UTC),
            datetime(2026, 7, 2, 0, tzinfo=UTC),
            "default_window",
            "default_window",
        )
    ]


def test_campaign_hours_blackout_and_stop_margin():
    hours = {
        "hours_mon": "09:00-20:00",
        "hours_tue": "09:00-20:00",
        "hours_wed": "09:00-20:00",
        "hours_thu": "09:00-20:00",
        "hours_fri": "09:00-20:00",
        "hours_sat": "10:00-16:00",
        "hours_sun": "closed",
        "blackout_dates": "2026-07-02, 2026-12-25",
    }
    # Wed 07-01 .. Sun 07-05 in New York
    got = plan([NY], [], datetime(2026, 7, 1, 4, tzinfo=UTC), days=5, hours=hours, margin=5)
    assert got == [
        (
            datetime(2026, 7, 1, 13, tzinfo=UTC),
            datetime(2026, 7, 1, 23, 55, tzinfo=UTC),
            "campaign",
            "stop_margin:campaign",
        ),
        # Thu 07-02 blacked out
        (
            datetime(2026, 7, 3, 13, tzinfo=UTC),
            datetime(2026, 7, 3, 23, 55, tzinfo=UTC),
            "campaign",
            "stop_margin:campaign",
        ),
        (
            datetime(2026, 7, 4, 14, tzinfo=UTC),
            datetime(2026, 7, 4, 19, 55, tzinfo=UTC),
            "campaign",
            "stop_margin:campaign",
        ),
        # Sun closed
    ]


def test_windows_are_the_same_on_either_polars_engine():
    """The package collects in memory (cxpipeline.POLARS_ENGINE); streaming must agree.

    The in-memory engine once failed here: a one-row Series literal broadcast only when
    streaming (ShapeError on any plan of more than one window key).
    """
    rows = [(i, [zone], ["TX"] if i % 2 else [], zone) for i, zone in enumerate(US_ZONES, 1)]
    keyed = window_keys(window_records(rows), {})
    answers = {}
    for engine in ("in-memory", "streaming"):
        with pl.Config(engine_affinity=engine):
            answers[engine] = (
                dialable_windows(
                    keyed,
                    SEED,
                    Horizon(datetime(2026, 3, 7, 12, tzinfo=UTC), 3),
                    default_window=DEFAULT,
                    stop_margin=0,
                )
                .collect()
                .sort(pl.all())
            )
    assert answers["in-memory"].height >= 3 * len(US_ZONES)
    assert answers["in-memory"].equals(answers["streaming"])


def test_rule_version_change_inside_the_horizon():
    later = pl.DataFrame(
        [
            {
                **SEED.filter(pl.col("jurisdiction") == "TX").row(0, named=True),
                "days": "Mon-Sun",
                "start_local": "10:00",
                "end_local": "20:00",
                "effective_from": date(2026, 7, 3),
                "origin_row": 99,
            }
        ],
        schema=rules.RULE_SCHEMA,
    )
    frame = rules.with_version_ends(pl.concat([SEED, later]))
    got = plan(
        ["America/Chicago"], ["TX"], datetime(2026, 7, 2, 5, tzinfo=UTC), days=2, rule_frame=frame
    )
    assert [(s.hour, e.hour) for s, e, *_ in got] == [(14, 2), (15, 1)]


def test_windows_only_overlap_the_horizon():
    as_of = datetime(2026, 7, 1, 16, tzinfo=UTC)  # 12:00 EDT, inside Wednesday's window
    got = plan([NY], [], as_of, days=2)
    assert got[0][0] == datetime(2026, 7, 1, 12, tzinfo=UTC)  # not cut at as_of
    assert all(e > as_of and s < as_of + timedelta(days=2) for s, e, *_ in got)
    assert len(got) == 3


# --------------------------------------------------------------------------- validation


def test_horizon_and_margin_validation():
    with pytest.raises(CxError):
        Horizon(datetime(2026, 7, 1), 7)
    with pytest.raises(CxError):
        Horizon(datetime(2026, 7, 1, tzinfo=UTC), 0)
    with pytest.raises(CxError):
        plan([NY], [], datetime(2026, 7, 1, tzinfo=UTC), margin=-1)


def test_unknown_zone_is_a_user_error():
    with pytest.raises(CxError) as info:
        plan(["Mars/Olympus"], [], datetime(2026, 7, 1, tzinfo=UTC))
    assert "Mars/Olympus" in info.value.message


def test_windows_re_exports_its_parts():
    # callers use `windows.<name>` for all of these; they must stay the same objects
    assert windows_module.window_keys is window_keys_module.window_keys
    assert windows_module.HOUR_KEYS is window_keys_module.HOUR_KEYS
    assert windows_module.Horizon is horizon.Horizon
    assert windows_module.daily_window is daily_window_module.daily_window
    assert windows_module.attempt_cap_holds is attempt_caps.attempt_cap_holds


# --------------------------------------------------------------------------- warehouse views


def _warehouse():
    con = duckdb.connect()
    con.execute(
        "CREATE TABLE contact_records (list_name VARCHAR, record_id BIGINT, chain_id BIGINT, "
        "record_type INTEGER, window_key UBIGINT, record_status INTEGER DEFAULT 1, "
        "dial_sched_time BIGINT)"
    )
    for name in ("window_keys", "chain_holds", "dialable_windows", "dialable_now"):
        con.execute(warehouse.load_sql(name))
    return con


def _insert(con, table, frame):
    con.register("_f", frame.to_arrow())
    con.execute(f"INSERT INTO {table} BY NAME SELECT * FROM _f")
    con.unregister("_f")


def test_dialable_windows_view_joins_keys_clips_holds_and_skips_no_call():
    con = _warehouse()
    records = window_records([(1, [NY], ["FL"], NY), (2, [NY], ["FL"], NY), (3, [NY], ["FL"], NY)])
    keyed = window_keys(records, {}).collect()
    horizon = Horizon(datetime(2026, 7, 1, 4, tzinfo=UTC), 2)
    wins = dialable_windows(keyed.lazy(), SEED, horizon, default_window=DEFAULT, stop_margin=0)
    _insert(con, "window_keys", wins.collect().with_columns(list_name=pl.lit("l")))
    _insert(
        con,
        "contact_records",
        keyed.select("list_name", "record_id", "chain_id", "window_key").with_columns(
            record_type=pl.Series([2, 2, 7])
        ),
    )
    # chain 2 held until 15:00Z on 07-01 (inside the first window: clipped) ...
    _insert(
        con,
        "chain_holds",
        pl.DataFrame(
            {
                "list_name": ["l"],
                "chain_id": [2],
                "hold_until_utc": [datetime(2026, 7, 1, 15, tzinfo=UTC)],
                "rule": ["attempt_cap:FL"],
            }
        ),
    )
    rows = con.execute(
        "SELECT record_id, window_start_utc, window_end_utc, rule FROM dialable_windows "
        "ORDER BY record_id, window_start_utc"
    ).fetchall()
    by_record = {}
    for rid, s, e, rule in rows:
        by_record.setdefault(rid, []).append((s.astimezone(UTC), e.astimezone(UTC), rule))
    assert 3 not in by_record  # No Call
    assert by_record[1] == [
        (
            datetime(2026, 7, 1, 12, tzinfo=UTC),
            datetime(2026, 7, 2, 0, tzinfo=UTC),
            "state:FL..state:FL",
        ),
        (
            datetime(2026, 7, 2, 12, tzinfo=UTC),
            datetime(2026, 7, 3, 0, tzinfo=UTC),
            "state:FL..state:FL",
        ),
    ]
    assert by_record[2][0] == (
        datetime(2026, 7, 1, 15, tzinfo=UTC),
        datetime(2026, 7, 2, 0, tzinfo=UTC),
        "attempt_cap:FL..state:FL",
    )
    assert by_record[2][1] == by_record[1][1]
    # ... a hold past the first window drops it
    con.execute("UPDATE chain_holds SET hold_until_utc = TIMESTAMPTZ '2026-07-02 00:00:00+00'")
    starts = con.execute(
        "SELECT window_start_utc FROM dialable_windows WHERE record_id = 2"
    ).fetchall()
    assert [s.astimezone(UTC) for (s,) in starts] == [datetime(2026, 7, 2, 12, tzinfo=UTC)]


def test_dialable_now_and_the_readme_query():
    con = _warehouse()
    now = datetime.now(UTC)
    tomorrow_1030 = datetime.combine(
        now.astimezone(ZoneInfo(NY)).date() + timedelta(days=1), time(10, 30), tzinfo=ZoneInfo(NY)
    ).astimezone(UTC)
    windows = pl.DataFrame(
        {
            "list_name": ["l", "l", "l"],
            "window_key": [1, 2, 3],
            "window_start_utc": [
                now - timedelta(hours=1),
                now + timedelta(hours=1),
                tomorrow_1030 - timedelta(minutes=1),
            ],
            "window_end_utc": [
                now + timedelta(hours=1),
                now + timedelta(hours=2),
                tomorrow_1030 + timedelta(minutes=1),
            ],
            "start_rule": ["federal"] * 3,
            "end_rule": ["federal"] * 3,
            "rule": ["federal..federal"] * 3,
        },
        schema_overrides={"window_key": pl.UInt64},
    )
    _insert(con, "window_keys", windows)
    _insert(
        con,
        "contact_records",
        pl.DataFrame(
            {
                "list_name": ["l"] * 3,
                "record_id": [1, 2, 3],
                "chain_id": [1, 2, 3],
                "record_type": [2, 2, 2],
                "window_key": [1, 2, 3],
            },
            schema_overrides={"window_key": pl.UInt64},
        ),
    )
    assert con.execute("SELECT record_id FROM dialable_now").fetchall() == [(1,)]
    readme_query = """
        WITH t AS (
            SELECT timezone('America/New_York',
                            CAST(timezone('America/New_York', now()) AS DATE) + 1
                            + TIME '10:30') AS moment
        )
        SELECT list_name, record_id, chain_id, window_start_utc, window_end_utc, rule
        FROM dialable_windows, t
        WHERE window_start_utc <= t.moment AND t.moment < window_end_utc
        ORDER BY list_name, record_id
    """
    assert [r[1] for r in con.execute(readme_query).fetchall()] == [3]


# --------------------------------------------------------------------------- properties


ZONES = [*US_ZONES, "America/St_Johns", "America/Puerto_Rico"]
# The seed rules the property re-checks, written out by hand: weekday (1=Mon) -> (from, till)
# in minutes, None = no calls; clock; holiday ban.
DAILY = {d: (480, 1200) for d in range(1, 8)}
REFERENCE = {
    "FL": (DAILY, "local", False),
    "OK": (DAILY, "local", False),
    "MD": (DAILY, "local", False),
    "WA": (DAILY, "local", False),
    "CT": ({d: (540, 1200) for d in range(1, 8)}, "local", False),
    "MS": ({**{d: (480, 1200) for d in range(1, 7)}, 7: None}, "Etc/GMT+6", False),
    "LA": ({**{d: (480, 1200) for d in range(1, 7)}, 7: None}, "local", True),
    "AL": ({**{d: (480, 1200) for d in range(1, 7)}, 7: None}, "local", True),
    "RI": ({**{d: (540, 1080) for d in range(1, 6)}, 6: (600, 1020), 7: None}, "local", True),
    "TX": ({**{d: (540, 1260) for d in range(1, 7)}, 7: (720, 1260)}, "local", False),
    "KY": ({d: (600, 1260) for d in range(1, 8)}, "local", False),
    "PA": ({d: (480, 1260) for d in range(1, 8)}, "local", True),
    "NY": ({}, "local", False),
    "CA": ({}, "local", False),
}


@functools.cache
def _holiday_dates(state, year):
    return frozenset(holidays_lib.country_holidays("US", subdiv=state, years=year))


def _minute_of_day(t):
    return t.hour * 60 + t.minute + t.second / 60 + t.microsecond / 60e6


def _allowed(moment, zones, states, campaign, blackout):
    """Independent re-check of one instant with zoneinfo and the `holidays` package."""
    places = zones or [NY]
    if not zones:
        local = moment.astimezone(ZoneInfo(NY))
        if not 14 * 60 <= _minute_of_day(local) < 20 * 60:
            return False
    for zone in places:
        local = moment.astimezone(ZoneInfo(zone))
        minute = _minute_of_day(local)
        if not 8 * 60 <= minute < 21 * 60:
            return False
        day_hours = campaign[local.isoweekday()]
        if day_hours == "closed" or (day_hours and not day_hours[0] <= minute < day_hours[1]):
            return False
        if local.date() in blackout:
            return False
    for state in states:
        table, clock, ban = REFERENCE[state]
        for zone in places if clock == "local" else [clock]:
            local = moment.astimezone(ZoneInfo(zone))
            if ban and local.date() in _holiday_dates(state, local.year):
                return False
            if local.isoweekday() in table:
                span = table[local.isoweekday()]
                if span is None or not span[0] <= _minute_of_day(local) < span[1]:
                    return False
    if "America/St_Johns" in places:  # a Canadian zone: the CRTC hours hold in every zone
        for zone in places:
            local = moment.astimezone(ZoneInfo(zone))
            span = (540, 1290) if local.isoweekday() <= 5 else (600, 1080)
            if not span[0] <= _minute_of_day(local) < span[1]:
                return False
    return True


@st.composite
def scenarios(draw):
    zones = draw(st.lists(st.sampled_from(ZONES), max_size=3, unique=True))
    states = draw(st.lists(st.sampled_from(sorted(REFERENCE)), max_size=3, unique=True))
    campaign = {}
    for day in range(1, 8):
        kind = draw(st.sampled_from(["open", "closed", "hours", "hours"]))
        if kind == "hours":
            # quarter hours between 05:00 and 23:45: away from every DST switch of these zones
            start = draw(st.integers(20, 90)) * 15
            end = draw(st.integers(start // 15 + 1, 95)) * 15
            campaign[day] = (start, end)
        else:
            campaign[day] = None if kind == "open" else "closed"
    base = draw(
        st.sampled_from(
            [
                date(2026, 3, 7),
                date(2026, 10, 31),
                date(2026, 2, 15),
                date(2026, 7, 3),
                date(2026, 11, 25),
                date(2026, 12, 24),
            ]
        )
    )
    as_of = datetime.combine(base, time(0), tzinfo=UTC) + timedelta(
        minutes=draw(st.integers(0, 24 * 60 - 1))
    )
    days = draw(st.integers(1, 3))
    blackout = set(
        draw(st.lists(st.sampled_from([base + timedelta(days=n) for n in range(4)]), max_size=1))
    )
    margin = draw(st.sampled_from([0, 5, 15]))
    return zones, states, campaign, as_of, days, blackout, margin


def _hours_setting(campaign, blackout):
    names = HOUR_KEYS[:7]
    out = {}
    for day, value in campaign.items():
        if value == "closed":
            out[names[day - 1]] = "closed"
        elif value is not None:
            out[names[day - 1]] = (
                f"{value[0] // 60:02d}:{value[0] % 60:02d}-{value[1] // 60:02d}:{value[1] % 60:02d}"
            )
    out["blackout_dates"] = ",".join(d.isoformat() for d in sorted(blackout))
    return out


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(scenarios(), st.randoms(use_true_random=False))
def test_every_window_is_exactly_the_allowed_time(scenario, rnd):
    zones, states, campaign, as_of, days, blackout, margin = scenario
    got = plan(
        zones, states, as_of, days=days, hours=_hours_setting(campaign, blackout), margin=margin
    )
    end = as_of + timedelta(days=days)
    step = timedelta(microseconds=1)
    for start, stop, *_ in got:
        assert stop > as_of and start < end and stop > start
        # soundness: every sampled instant of a window, and the margin after its last one
        # (a whole number of microseconds: a float product could round up onto `stop`)
        inner = start + step * rnd.randrange((stop - start) // step)
        for moment in (start, stop - step, inner):
            assert _allowed(moment, zones, states, campaign, blackout), (moment, start, stop)
        assert _allowed(stop + timedelta(minutes=margin) - step, zones, states, campaign, blackout)
    for a, b in zip(got, got[1:], strict=False):
        assert a[1] < b[0]  # disjoint and ordered
    # completeness: an instant is in a window iff it and the next `margin` minutes are allowed
    for _ in range(60):
        moment = as_of + timedelta(minutes=rnd.randrange(days * 24 * 60))
        expected = all(
            _allowed(moment + timedelta(minutes=m), zones, states, campaign, blackout)
            for m in range(margin + 1)
        )
        inside = any(s <= moment < e for s, e, *_ in got)
        assert inside == expected, (moment, got)
