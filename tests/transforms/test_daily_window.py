"""Daily window: a record's first-day window in its own zone, as seconds after midnight."""

from datetime import UTC, date, datetime, time

from tests.transforms.frames import window_records

from cxpipeline import rules
from cxpipeline.transforms.daily_window import daily_window, day_window
from cxpipeline.transforms.horizon import Horizon
from cxpipeline.transforms.window_keys import HOUR_KEYS, window_keys
from cxpipeline.transforms.windows import dialable_windows

SEED = rules.load_rules(None)
NY = "America/New_York"
DEFAULT = (time(14), time(20), NY)


# --------------------------------------------------------------------------- daily window


def _daily(rows, as_of, *, hours=None, days=3):
    keyed = window_keys(window_records(rows), hours or {})
    horizon = Horizon(as_of, days)
    wins = dialable_windows(keyed, SEED, horizon, default_window=DEFAULT, stop_margin=5)
    out = daily_window(keyed, wins, horizon).collect()
    return {r: (f, t) for r, f, t in out.iter_rows()}


def test_daily_window_in_the_records_zone():
    got = _daily(
        [
            (1, [NY], ["CT"], NY),  # 09:00-19:55
            (2, ["America/Chicago", NY], [], "America/Chicago"),  # 13:00Z-00:55Z = 08:00-19:55 CDT
            (3, [], [], None),  # default window in New York: 14:00-19:55
            (4, [NY], [], "Asia/Tokyo"),  # 12:00Z-00:55Z = 21:00-09:55 JST: runs past midnight
        ],
        datetime(2026, 7, 1, 4, tzinfo=UTC),
    )
    assert got == {
        1: (9 * 3600, 19 * 3600 + 55 * 60),
        2: (8 * 3600, 19 * 3600 + 55 * 60),
        3: (14 * 3600, 19 * 3600 + 55 * 60),
        4: (21 * 3600, 86400),
    }


def test_daily_window_uses_the_next_day_with_a_window_else_zero():
    closed = {k: "closed" for k in HOUR_KEYS[:7]}
    sunday_closed = {"hours_sun": "closed"}
    as_of = datetime(2026, 7, 5, 4, tzinfo=UTC)  # Sunday 00:00 EDT
    assert _daily([(1, [NY], [], NY)], as_of, hours=sunday_closed) == {1: (8 * 3600, 75300)}
    assert _daily([(1, [NY], [], NY)], as_of, hours=closed) == {1: (0, 0)}


def test_daily_window_takes_the_first_local_day_of_the_record():
    # 03:00Z on 07-01 is still 06-30 in New York, but that day's window is over: use 07-01
    got = _daily([(1, [NY], [], NY)], datetime(2026, 7, 1, 3, tzinfo=UTC), days=2)
    assert got == {1: (8 * 3600, 20 * 3600 + 55 * 60)}


# --------------------------------------------------------------------------- one dialing day


def test_day_window_gives_that_days_hours_holidays_and_closed_days():
    hours = {"hours_mon": "09:00-20:00", "hours_sat": "10:00-16:00", "hours_sun": "closed"}
    keyed = window_keys(window_records([(1, [NY], ["NY"], NY), (2, [NY], ["LA"], NY)]), hours)
    horizon = Horizon(datetime(2026, 12, 19, 12, tzinfo=UTC), 9)
    wins = dialable_windows(keyed, SEED, horizon, default_window=DEFAULT, stop_margin=5)

    def on(day):
        return {r: (f, t) for r, f, t in day_window(keyed, wins, day).collect().iter_rows()}

    assert on(date(2026, 12, 21)) == {1: (9 * 3600, 19 * 3600 + 55 * 60)} | {
        2: (9 * 3600, 19 * 3600 + 55 * 60)
    }
    # Saturday: the campaign's shorter hours; Sunday: closed (0/0, nothing to dial).
    assert on(date(2026, 12, 19))[1] == (10 * 3600, 15 * 3600 + 55 * 60)
    assert on(date(2026, 12, 20)) == {1: (0, 0), 2: (0, 0)}
    # Christmas: Louisiana bans calls on legal holidays; New York does not.
    christmas = on(date(2026, 12, 25))
    assert christmas[2] == (0, 0) and christmas[1] != (0, 0)
