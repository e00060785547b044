"""The planning horizon and the default window of records without a zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import NamedTuple

from cxpipeline.errors import CxError

DAY = timedelta(days=1)
#: Minutes in a day: an end of 00:00 means the end of the day.
DAY_MINUTES = 24 * 60


def minutes(value: time) -> int:
    """Minutes after midnight of a clock time (seconds ignored)."""
    return value.hour * 60 + value.minute


@dataclass(frozen=True)
class Horizon:
    """The planning horizon: windows overlapping [as_of, as_of + days) are planned."""

    as_of: datetime
    days: int = 7

    def __post_init__(self) -> None:
        if self.as_of.tzinfo is None or self.as_of.utcoffset() is None:
            raise CxError("needs a UTC offset, e.g. 2026-03-08T09:00:00-05:00", field="as_of")
        if self.days < 1:
            raise CxError("must be at least 1", field="horizon_days")

    @property
    def start(self) -> datetime:
        """First instant of the horizon, in UTC."""
        return self.as_of.astimezone(UTC)

    @property
    def end(self) -> datetime:
        """End of the horizon (exclusive), in UTC."""
        return self.start + timedelta(days=self.days)

    def evaluation_dates(self) -> list[date]:
        """Local dates to evaluate: two spare days each side cover every zone's offset."""
        first = self.start.date() - timedelta(days=2)
        return [first + timedelta(days=n) for n in range(self.days + 5)]

    def coverage(self) -> tuple[datetime, datetime]:
        """UTC span fully covered by the evaluation dates in every zone (±14 h offsets)."""
        midnight = datetime.combine(self.start.date(), time(0), tzinfo=UTC)
        return midnight - DAY, midnight + timedelta(days=self.days + 2)


class DefaultWindow(NamedTuple):
    """The window of a record without any zone: start and end local times in `zone`."""

    start: time = time(14, 0)
    end: time = time(20, 0)
    zone: str = "America/New_York"
