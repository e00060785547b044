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


def test_the_package_ships_the_calendars_of_the_pinned_release(monkeypatch):
    from cxpipeline.rules import legal_holidays

    assert legal_holidays._packaged() is not None, (
        "stale: run python -m cxpipeline.rules.legal_holidays"
    )
    codes = ["US", "LA", "MA", "PA", "TX", "DC", "PR"]
    seeded = rules.state_holidays(codes, date(2026, 1, 1), date(2028, 12, 31))
    assert seeded.height > 100
    assert seeded.equals(
        legal_holidays.computed_holidays(codes, date(2026, 1, 1), date(2028, 12, 31))
    )
    # Served from the package: the holidays package is not asked.
    monkeypatch.setattr(legal_holidays, "computed_holidays", _never)
    assert rules.state_holidays(["LA"], date(2026, 2, 17), date(2026, 2, 17)).height == 1


def test_years_outside_the_package_and_a_stale_package_ask_the_holidays_package(
    monkeypatch, tmp_path
):
    from cxpipeline.rules import legal_holidays

    last = legal_holidays.SEED_YEARS[-1]
    later = rules.state_holidays(["US"], date(last, 12, 1), date(last + 1, 1, 2))
    assert later["date"].to_list() == [date(last, 12, 25), date(last + 1, 1, 1)]
    monkeypatch.setattr(legal_holidays, "packaged_path", lambda: tmp_path / "absent.parquet")
    legal_holidays._packaged.cache_clear()
    try:
        frame = rules.state_holidays(["PA"], date(2026, 12, 20), date(2027, 1, 5))
        assert frame["date"].to_list() == [date(2026, 12, 25), date(2027, 1, 1)]
    finally:
        legal_holidays._packaged.cache_clear()


def _never(*args):
    raise AssertionError("asked the holidays package although the seed covers the range")
