"""Forbidden UTC intervals: what each rule instance forbids, plus the cuts outside the horizon.

A local boundary that does not exist or exists twice (daylight saving) is resolved on the safe
side: forbidden intervals start at the earlier and end at the later reading, so a window never
widens.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.transforms.horizon import DAY, DAY_MINUTES, Horizon
from cxpipeline.transforms.local_time import NAIVE, UTC_TS, local_to_utc
from cxpipeline.transforms.rule_instances import PRIO_HORIZON


def forbidden_intervals(instances: pl.LazyFrame) -> pl.LazyFrame:
    """Forbidden UTC intervals [f_start, f_end) of each instance, on the safe side of DST."""
    day0 = pl.col("date").cast(NAIVE)
    day1 = day0 + pl.duration(days=1)
    whole_day = pl.col("start_min").is_null()
    heads = instances.filter(whole_day | (pl.col("start_min") > 0)).select(
        "window_key",
        "zone",
        "label",
        "prio",
        a=day0,
        b=pl.when(whole_day).then(day1).otherwise(day0 + pl.duration(minutes=pl.col("start_min"))),
    )
    tails = instances.filter(~whole_day & (pl.col("end_min") < DAY_MINUTES)).select(
        "window_key",
        "zone",
        "label",
        "prio",
        a=day0 + pl.duration(minutes=pl.col("end_min")),
        b=day1,
    )
    zone = pl.col("zone")
    return (
        pl.concat([heads, tails])
        .with_columns(
            f_start=local_to_utc(pl.col("a"), zone, latest=False, field="tz_candidates"),
            f_end=local_to_utc(pl.col("b"), zone, latest=True, field="tz_candidates"),
        )
        .filter(pl.col("f_end") > pl.col("f_start"))
        .select("window_key", "label", "prio", "f_start", "f_end")
    )


def horizon_sentinels(key_rows: pl.LazyFrame, horizon: Horizon) -> pl.LazyFrame:
    """Per key, the days just outside the horizon's coverage, forbidden and named 'horizon'."""
    # The evaluated dates cover `coverage` in every zone; outside it nothing is known, so it is
    # forbidden too (windows cut there are named 'horizon' and lie outside the horizon anyway).
    cov_start, cov_end = horizon.coverage()
    return pl.concat(
        [
            key_rows.select(
                "window_key",
                label=pl.lit("horizon"),
                prio=pl.lit(PRIO_HORIZON, pl.Int8),
                f_start=pl.lit(a, UTC_TS),
                f_end=pl.lit(b, UTC_TS),
            )
            for a, b in ((cov_start - DAY, cov_start), (cov_end, cov_end + DAY))
        ]
    )
