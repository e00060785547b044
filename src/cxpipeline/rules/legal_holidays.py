"""State and federal legal holidays from the `holidays` package, as a frame per jurisdiction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import holidays as holidays_lib
import polars as pl


def state_holidays(jurisdictions: Iterable[str], start: date, end: date) -> pl.DataFrame:
    """Legal holidays from the `holidays` package: jurisdiction, date, holiday_name (start..end).

    'US' gives the federal calendar; a state code gives its calendar (federal plus state days).
    One call per jurisdiction and year range, not per record.
    """
    years = list(range(start.year, end.year + 1))
    rows: list[tuple[str, date, str]] = []
    for code in sorted(set(jurisdictions)):
        subdiv = None if code == "US" else code
        if subdiv is not None and subdiv not in holidays_lib.US.subdivisions:
            continue
        calendar = holidays_lib.country_holidays("US", subdiv=subdiv, years=years)
        rows.extend((code, day, name) for day, name in calendar.items() if start <= day <= end)
    return pl.DataFrame(
        rows,
        schema={"jurisdiction": pl.String, "date": pl.Date, "holiday_name": pl.String},
        orient="row",
    ).sort("jurisdiction", "date")
