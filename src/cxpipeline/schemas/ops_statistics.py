"""Pandera models of the operations statistics: when to call, daily trend, abandonment, today."""

from __future__ import annotations

from typing import Annotated

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig

from cxpipeline.schemas.statistics import count_field, rate_field

_UTC = Annotated[pl.Datetime, "us", "UTC"]


class _Stats(pa.DataFrameModel):
    class Config(BaseConfig):
        """Integer widths are coerced."""

        strict = False
        coerce = True


class HourWeekdayStatsRow(_Stats):
    """Connect rate of a list by local weekday and hour: when to call (table hour_weekday_stats)."""

    list_name: str = pa.Field(description="Contact list.")
    weekday: pl.Int32 = pa.Field(
        in_range={"min_value": 1, "max_value": 7},
        description="Weekday of the called party's local time, 1 Monday … 7 Sunday.",
    )
    local_hour: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 23}, description="Hour of the called party's day."
    )
    attempts: pl.Int64 = count_field("Call attempts.")
    connects: pl.Int64 = count_field("Attempts with result 33 Answer.")
    connect_rate: pl.Float64 = rate_field("connects / attempts.")


class DailyStatsRow(_Stats):
    """A list's calls per local date of the called party: the daily trend (table daily_stats)."""

    list_name: str = pa.Field(description="Contact list.")
    call_date: pl.Date = pa.Field(description="Date of the call in the called party's zone.")
    attempts: pl.Int64 = count_field("Call attempts.")
    connects: pl.Int64 = count_field("Attempts with result 33 Answer.")
    abandoned: pl.Int64 = count_field("Attempts with result 21 Abandoned.")
    connect_rate: pl.Float64 = rate_field("connects / attempts.")
    abandon_rate: pl.Float64 = rate_field("abandoned / (connects + abandoned).")


class Abandonment30dRow(_Stats):
    """A campaign group's abandonment over 30 days against its limit (table abandonment_30d)."""

    campaign_group: str = pa.Field(unique=True, description="Campaign group.")
    lists: pl.Int64 = count_field("Lists of the group with calls in the window.")
    window_start_utc: _UTC = pa.Field(description="Window start (exclusive): end minus 30 days.")
    window_end_utc: _UTC = pa.Field(description="Window end: the group's last call.")
    attempts: pl.Int64 = count_field("Call attempts in the window.")
    connects: pl.Int64 = count_field("Attempts with result 33 Answer in the window.")
    abandoned: pl.Int64 = count_field("Attempts with result 21 Abandoned in the window.")
    abandon_rate: pl.Float64 = rate_field("abandoned / (connects + abandoned) over the window.")
    abandon_limit: pl.Float64 = pa.Field(
        in_range={"min_value": 0, "max_value": 1},
        description="Limit: the strictest abandon_rate_limit_percent of the group's lists / 100.",
    )
    over_limit: bool = pa.Field(description="abandon_rate is above abandon_limit.")


class DialableTodayRow(_Stats):
    """Records a list may dial by record zone and local hour, 24 h from as-of (dialable_today)."""

    list_name: str = pa.Field(description="Contact list.")
    as_of: _UTC = pa.Field(description="Start of the 24 hours: the list's planning as-of.")
    tz_name: str = pa.Field(nullable=True, description="IANA zone of the records (null: none).")
    local_hour: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 23}, description="Hour of the record's local day."
    )
    records: pl.Int64 = count_field("Records with a window in that hour.")


OPS_STATISTICS_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "hour_weekday_stats": HourWeekdayStatsRow,
    "daily_stats": DailyStatsRow,
    "abandonment_30d": Abandonment30dRow,
    "dialable_today": DialableTodayRow,
}
