"""Operations statistics models: each refuses what cannot be true."""

from datetime import UTC, date, datetime

import polars as pl
import pytest
from pandera.errors import SchemaError, SchemaErrors

from cxpipeline.schemas import ops_statistics as ops

T = datetime(2026, 12, 1, tzinfo=UTC)
GOOD = {
    ops.HourWeekdayStatsRow: {
        "list_name": ["a"],
        "weekday": [1],
        "local_hour": [9],
        "attempts": [2],
        "connects": [1],
        "connect_rate": [0.5],
    },
    ops.DailyStatsRow: {
        "list_name": ["a"],
        "call_date": [date(2026, 12, 1)],
        "attempts": [2],
        "connects": [1],
        "abandoned": [1],
        "connect_rate": [0.5],
        "abandon_rate": [0.5],
    },
    ops.Abandonment30dRow: {
        "campaign_group": ["g"],
        "lists": [1],
        "window_start_utc": [T],
        "window_end_utc": [T],
        "attempts": [3],
        "connects": [2],
        "abandoned": [1],
        "abandon_rate": [1 / 3],
        "abandon_limit": [0.03],
        "over_limit": [True],
    },
    ops.DialableTodayRow: {
        "list_name": ["a"],
        "as_of": [T],
        "tz_name": [None],
        "local_hour": [23],
        "records": [4],
    },
}
BAD = {
    ops.HourWeekdayStatsRow: {"weekday": [0]},
    ops.DailyStatsRow: {"abandon_rate": [1.5]},
    ops.Abandonment30dRow: {"abandon_limit": [3.0]},
    ops.DialableTodayRow: {"local_hour": [24]},
}


@pytest.mark.parametrize("model", list(GOOD))
def test_a_good_row_passes_and_an_impossible_value_fails(model):
    good = pl.DataFrame(GOOD[model])
    model.validate(good)
    with pytest.raises((SchemaError, SchemaErrors)):
        model.validate(good.with_columns(pl.DataFrame(BAD[model])))
