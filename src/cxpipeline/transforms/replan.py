"""Re-planning from stored records: window keys and first-day windows per distinct key."""

from __future__ import annotations

from collections.abc import Mapping

import polars as pl

from cxpipeline.transforms.daily_window import daily_window
from cxpipeline.transforms.horizon import Horizon
from cxpipeline.transforms.window_keys import window_keys


def keyed_combinations(combinations: pl.DataFrame, hours: Mapping[str, object]) -> pl.DataFrame:
    """Add `window_key` and `campaign_hours` to distinct (tz_candidates, states, tz_name) rows.

    The keys come from the list's current campaign hours, so changed hours give new keys.
    """
    frame = combinations.cast(
        {"tz_candidates": pl.List(pl.String), "states": pl.List(pl.String), "tz_name": pl.String}
    )
    return window_keys(frame.lazy(), hours).collect()


def key_daily_windows(
    keyed: pl.DataFrame, window_rows: pl.DataFrame, horizon: Horizon, *, default_zone: str
) -> pl.DataFrame:
    """`window_key`, `tz_name`, `daily_from`, `daily_till` of each distinct pair of `keyed`.

    Records of one key and zone share their first-day window, so it is planned per pair with
    the same transform an ingest applies per record.
    """
    pairs = (
        keyed.select("window_key", "tz_name")
        .unique()
        .with_row_index("record_id")
        .with_columns(pl.col("record_id").cast(pl.Int64))
    )
    daily = daily_window(
        pairs.lazy(), window_rows.lazy(), horizon, default_zone=default_zone
    ).collect()
    return pairs.join(daily, on="record_id", how="inner").select(
        "window_key",
        "tz_name",
        pl.col("daily_from").cast(pl.Int32),
        pl.col("daily_till").cast(pl.Int32),
    )
