"""Pandera models of the statistics tables (list, group, hourly, zone)."""

from __future__ import annotations

from typing import Any

import pandera.polars as pa
import polars as pl
from pandera.api.polars.model_config import BaseConfig

from cxpipeline.schemas.validation import model_validate


def count_field(description: str) -> Any:
    """Return a non-negative count column with its description."""
    return pa.Field(ge=0, description=description)


def rate_field(description: str) -> Any:
    """Return a nullable 0..1 rate column with its description."""
    return pa.Field(
        nullable=True, in_range={"min_value": 0, "max_value": 1}, description=description
    )


class _Measures(pa.DataFrameModel):
    """The dashboard measures a list and a group share (docs/contract.md §4, docs/domain.md §6)."""

    total_records: pl.Int64 = count_field("Records in the list.")
    total_chains: pl.Int64 = count_field("Chains (customers) in the list.")
    no_call_records: pl.Int64 = count_field("Records of type No Call.")
    dialable_records: pl.Int64 = count_field("Records that may be dialed.")
    attempts: pl.Int64 = count_field("Call attempts.")
    attempted_records: pl.Int64 = count_field("Records with at least one attempt.")
    connects: pl.Int64 = count_field("Attempts with result 33 Answer.")
    answering_machine: pl.Int64 = count_field("Attempts with result 9.")
    busy: pl.Int64 = count_field("Attempts with result 6.")
    no_answer: pl.Int64 = count_field("Attempts with result 7.")
    abandoned: pl.Int64 = count_field("Attempts with result 21.")
    fax: pl.Int64 = count_field("Attempts with result 17.")
    invalid_number: pl.Int64 = count_field("Attempts with result 8, 11-16 or 53.")
    do_not_call: pl.Int64 = count_field("Attempts with result 51.")
    wrong_party: pl.Int64 = count_field("Attempts with result 40.")
    connect_rate: pl.Float64 = rate_field("connects / attempts.")
    abandon_rate: pl.Float64 = rate_field("abandoned / (connects + abandoned).")
    penetration: pl.Float64 = rate_field("attempted_dialable_records / dialable_records.")
    # Lifecycle measures (transforms/lifecycle_stats.py), each defined in docs/metrics.md.
    attempted_dialable_records: pl.Int64 = count_field(
        "Dialable records with at least one attempt."
    )
    right_party_contacts: pl.Int64 = count_field("Customers (chains) reached: a 33 Answer.")
    talk_time_s: pl.Float64 = pa.Field(ge=0, description="Seconds of 33 Answer calls.")
    chains_finished: pl.Int64 = count_field("Chains with every record finished or No Call.")
    callbacks_pending: pl.Int64 = count_field("Records waiting on a callback (type 5 or 6).")
    callbacks_due: pl.Int64 = count_field("Callbacks whose time has come at the as-of.")
    records_waiting_retry: pl.Int64 = count_field("Workable records scheduled after the as-of.")
    records_ready_now: pl.Int64 = count_field("Workable records with no schedule or one passed.")
    abandon_over_limit: bool = pa.Field(
        description="abandon_rate above abandon_rate_limit_percent (strictest list of a group)."
    )

    class Config(BaseConfig):
        """Extra measures are allowed; integer widths are coerced."""

        strict = False
        coerce = True

    @pa.dataframe_check(error="more attempted records than records")
    def _attempted(cls, data: pa.PolarsData) -> pl.LazyFrame:
        return data.lazyframe.select(pl.col("attempted_records") <= pl.col("total_records"))


class ListStatsRow(_Measures):
    """One contact list's dashboard measures (table list_stats)."""

    list_name: str = pa.Field(unique=True, description="Contact list.")
    campaign_group: str = pa.Field(nullable=True, description="Campaign group of the list.")


class GroupStatsRow(_Measures):
    """One campaign group's measures: the sums over its lists (table group_stats)."""

    campaign_group: str = pa.Field(nullable=True, description="Campaign group.")
    lists: pl.Int64 = count_field("Contact lists in the group.")


class HourlyStatsRow(pa.DataFrameModel):
    """Attempts of a list by local hour of the call and result group (table hourly_stats)."""

    list_name: str = pa.Field(description="Contact list.")
    local_hour: pl.Int32 = pa.Field(
        in_range={"min_value": 0, "max_value": 23}, description="Hour of the called party's day."
    )
    result_group: str = pa.Field(description="Result group of the calls (codes.ResultGroup).")
    attempts: pl.Int64 = count_field("Call attempts.")

    class Config(BaseConfig):
        """Integer widths are coerced."""

        strict = False
        coerce = True


class ZoneStatsRow(pa.DataFrameModel):
    """A list's records and calls by time zone of the record (table zone_stats)."""

    # Deliberate repetition: a few measures of _Measures, with the zone's own descriptions.

    list_name: str = pa.Field(description="Contact list.")
    tz_name: str = pa.Field(nullable=True, description="IANA zone of the records (null: none).")
    total_records: pl.Int64 = count_field("Records in the zone.")
    dialable_records: pl.Int64 = count_field("Records that may be dialed.")
    attempts: pl.Int64 = count_field("Call attempts.")
    attempted_records: pl.Int64 = count_field("Records with at least one attempt.")
    connects: pl.Int64 = count_field("Attempts with result 33 Answer.")
    connect_rate: pl.Float64 = rate_field("connects / attempts.")
    penetration: pl.Float64 = rate_field("Attempted dialable records / dialable_records.")

    class Config(BaseConfig):
        """Integer widths are coerced."""

        strict = False
        coerce = True


class CallBucketRow(pa.DataFrameModel):
    """Call attempts of a list per zone, 15-minute UTC bucket and result (table call_buckets)."""

    list_name: str = pa.Field(description="Contact list of the calls.")
    tz_name: str = pa.Field(
        nullable=True, description="Zone of the called record; null when the record is gone."
    )
    bucket: pl.Int64 = pa.Field(
        description="15-minute UTC bucket of the call: epoch microseconds // 900,000,000."
    )
    call_result: pl.Int64 = pa.Field(description="Call result code (docs/domain.md §3.3).")
    attempts: pl.Int64 = pa.Field(
        ge=1, description="Call attempts (rows sharing a key add up: a results load adds rows)."
    )

    class Config(BaseConfig):
        """Integer widths are coerced."""

        strict = True
        coerce = True


STATISTICS_MODELS: dict[str, type[pa.DataFrameModel]] = {
    "list_stats": ListStatsRow,
    "group_stats": GroupStatsRow,
    "hourly_stats": HourlyStatsRow,
    "zone_stats": ZoneStatsRow,
}


def validated_statistics(tables: dict[str, pl.DataFrame]) -> dict[str, pl.DataFrame]:
    """Validate every statistics table before it is written; a failure is a bug, so it raises."""
    return {name: model_validate(frame, STATISTICS_MODELS[name]) for name, frame in tables.items()}
