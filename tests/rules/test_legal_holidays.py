"""Legal holiday calendars per jurisdiction from the `holidays` package."""

from datetime import date

import polars as pl

from cxpipeline import rules

# --------------------------------------------------------------------------- holidays


def test_state_holidays_per_state_and_range():
    frame = rules.state_holidays(["LA", "US", "ZZ"], date(2026, 2, 1), date(2026, 2, 28))
    la = dict(frame.filter(pl.col("jurisdiction") == "LA").select("date", "holiday_name").rows())
    assert la[date(2026, 2, 17)] == "Mardi Gras"
    assert date(2026, 2, 16) in la
    us = frame.filter(pl.col("jurisdiction") == "US")["date"].to_list()
    assert date(2026, 2, 17) not in us and date(2026, 2, 16) in us
    assert set(frame["jurisdiction"]) == {"LA", "US"}  # unknown codes are skipped
    assert frame["date"].min() >= date(2026, 2, 1) and frame["date"].max() <= date(2026, 2, 28)


def test_state_holidays_span_years():
    frame = rules.state_holidays(["PA"], date(2026, 12, 20), date(2027, 1, 5))
    assert frame["date"].to_list() == [date(2026, 12, 25), date(2027, 1, 1)]
