"""Operations statistics: best time to call, daily trend, 30-day abandonment, dialable today.

Computed with the other statistics (steps/statistics.py) and written in the same transaction.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import duckdb
import polars as pl

from cxpipeline import schemas, warehouse
from cxpipeline.rules.model import valid_zone
from cxpipeline.schemas.ops_statistics import OPS_STATISTICS_MODELS
from cxpipeline.transforms import ops_stats

OPS_TABLES = tuple(OPS_STATISTICS_MODELS)
_LIMIT_SETTING = "abandon_rate_limit_percent"


def _abandon_limits(con: duckdb.DuckDBPyConnection) -> pl.LazyFrame:
    """Return the strictest abandonment limit of each group's lists as a fraction (if set)."""
    settings = warehouse.whole_table(con, "campaign_settings")
    if _LIMIT_SETTING not in settings.columns:
        return pl.LazyFrame(schema={"campaign_group": pl.String, "abandon_limit": pl.Float64})
    return (
        settings.lazy()
        .group_by("campaign_group")
        .agg((pl.col(_LIMIT_SETTING).cast(pl.Float64).min() / 100).alias("abandon_limit"))
    )


def known_zones(names: pl.Series) -> frozenset[str]:
    """Return the zone names the pinned tzdata release knows (of `names`), and UTC."""
    # One check per distinct zone name (a handful), not per record.
    zones = names.drop_nulls().unique().to_list()
    return frozenset(z for z in zones if valid_zone(z)) | {"UTC"}


@dataclass(frozen=True)
class OpsInputs:
    """What the operations statistics read from the warehouse, besides records and windows."""

    abandonment_calls: pl.DataFrame
    abandon_limits: pl.DataFrame
    plan_as_of: pl.DataFrame


def ops_queries(groups: tuple[str, ...] | None = None) -> dict[str, dict[str, Any] | None]:
    """Return the named queries (and values) the operations statistics read (`ops_inputs`).

    `groups`: the campaign groups whose 30-day abandonment is counted (None: every group).
    """
    window = {"hours": ops_stats.ABANDON_DAYS * 24, "groups": groups}
    return {"abandonment_calls": window, "plan_as_of": None}


def ops_inputs(con: duckdb.DuckDBPyConnection, frames: dict[str, pl.DataFrame]) -> OpsInputs:
    """Return the 30-day abandonment counts, the groups' limits and the plans' as-ofs.

    `frames` hold the results of `ops_queries` (read with the statistics' other inputs).
    """
    return OpsInputs(
        abandonment_calls=frames["abandonment_calls"],
        abandon_limits=_abandon_limits(con).collect(),
        plan_as_of=frames["plan_as_of"],
    )


def dialable_today_counts(
    windows: pl.DataFrame, records: pl.DataFrame, plan_as_of: pl.DataFrame
) -> pl.LazyFrame:
    """Dialable today's counts of one slice of chains (its windows and records)."""
    return ops_stats.dialable_today(
        windows.lazy(), records.lazy(), plan_as_of.lazy(), known_zones(records["tz_name"])
    )


def ops_tables(
    inputs: OpsInputs, calls: pl.LazyFrame, dialable_today: pl.LazyFrame
) -> dict[str, pl.DataFrame]:
    """Compute and validate every operations statistics table.

    `inputs` come from `ops_inputs`, `calls` are the local-time attempt counts and
    `dialable_today` the slices' counts added up (`dialable_today_counts`).
    """
    tables = {
        "hour_weekday_stats": ops_stats.hour_weekday_stats(calls),
        "daily_stats": ops_stats.daily_stats(calls),
        "abandonment_30d": ops_stats.abandonment_30d(
            inputs.abandonment_calls.lazy(), inputs.abandon_limits.lazy()
        ),
        "dialable_today": ops_stats.dialable_today_from(dialable_today),
    }
    # In one collect: the tables share their inputs and run side by side.
    frames = pl.collect_all(list(tables.values()))
    return {
        name: schemas.checked(frame, OPS_STATISTICS_MODELS[name])
        for name, frame in zip(tables, frames, strict=True)
    }
