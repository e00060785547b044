"""Operations charts: which appear, what they show, and the abandonment warning."""

from datetime import UTC, date, datetime

import polars as pl

from cxpipeline.reports import ops_charts

T = datetime(2026, 11, 21, tzinfo=UTC)


def _abandonment(over: bool):
    return pl.DataFrame(
        {
            "campaign_group": ["<b>east</b>"],
            "lists": [2],
            "window_start_utc": [T],
            "window_end_utc": [T],
            "attempts": [2302],
            "connects": [451],
            "abandoned": [64],
            "abandon_rate": [64 / 515],
            "abandon_limit": [0.03],
            "over_limit": [over],
        }
    )


def test_no_tables_no_charts():
    assert ops_charts.ops_figures({}) == []
    empty = pl.DataFrame(schema={"weekday": pl.Int32})
    assert ops_charts.best_time_figure(empty) is None


def test_warning_names_the_group_its_rate_and_its_limit():
    [warning] = ops_charts.abandonment_warnings(_abandonment(True))
    assert warning == (
        "Campaign group <b>east</b>: 12.4% of live-answered calls abandoned over the 30 days to "
        "2026-11-21, above its limit of 3.0% (64 abandoned of 515)."
    )
    assert ops_charts.abandonment_warnings(_abandonment(False)) == []


def test_best_time_heatmap_holds_the_connect_rate_per_weekday_and_hour():
    cells = pl.DataFrame(
        {
            "list_name": ["a", "b"],
            "weekday": [2, 2],
            "local_hour": [9, 9],
            "attempts": [3, 1],
            "connects": [1, 1],
            "connect_rate": [1 / 3, 1.0],
        }
    )
    fig = ops_charts.best_time_figure(cells)
    assert fig is not None
    z = fig.data[0].z
    assert z[1][9] == 0.5 and z[0][9] is None and len(z) == 7 and len(z[0]) == 24


def test_daily_trend_sums_lists_per_date():
    daily = pl.DataFrame(
        {
            "list_name": ["a", "b"],
            "call_date": [date(2026, 11, 16)] * 2,
            "attempts": [5, 7],
            "connects": [1, 2],
            "abandoned": [0, 1],
        }
    )
    fig = ops_charts.daily_trend_figure(daily)
    assert fig is not None
    assert [trace.y for trace in fig.data] == [(12,), (3,), (1,)]


def test_abandonment_bar_is_red_over_the_limit_and_labels_are_escaped():
    fig = ops_charts.abandonment_figure(_abandonment(True))
    assert fig is not None
    assert fig.data[0].marker.color == ("#c0392b",)
    assert fig.data[0].x == ("&lt;b&gt;east&lt;/b&gt;",)


def test_dialable_today_keeps_the_largest_zones_and_sums_the_rest():
    rows = [(f"Zone/{i}", 9, 100 - i) for i in range(ops_charts.MAX_ZONES + 2)]
    frame = pl.DataFrame(rows, schema=["tz_name", "local_hour", "records"], orient="row")
    fig = ops_charts.dialable_today_figure(frame.with_columns(list_name=pl.lit("a")))
    assert fig is not None
    names = [trace.name for trace in fig.data]
    assert names[-1] == "other zones" and len(names) == ops_charts.MAX_ZONES + 1
    assert fig.data[-1].y == (sum(r[2] for r in rows[ops_charts.MAX_ZONES :]),)
