"""Small inline frames the window tests share."""

import polars as pl


def window_records(rows):
    """rows: (record_id, tz_candidates, states, tz_name)."""
    return pl.LazyFrame(
        {
            "list_name": ["l"] * len(rows),
            "record_id": [r[0] for r in rows],
            "chain_id": [r[0] for r in rows],
            "tz_candidates": [r[1] for r in rows],
            "states": [r[2] for r in rows],
            "tz_name": [r[3] for r in rows],
        },
        schema={
            "list_name": pl.String,
            "record_id": pl.Int64,
            "chain_id": pl.Int64,
            "tz_candidates": pl.List(pl.String),
            "states": pl.List(pl.String),
            "tz_name": pl.String,
        },
    )
