"""Small inline frames the transform tests share."""

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


def call_results(rows):
    """rows: (list_name, record_id, call_result, call_time_utc as an aware datetime)."""
    return pl.LazyFrame(
        {
            "list_name": [r[0] for r in rows],
            "record_id": [r[1] for r in rows],
            "call_result": [r[2] for r in rows],
            "call_time_utc": [r[3] for r in rows],
        },
        schema={
            "list_name": pl.String,
            "record_id": pl.Int64,
            "call_result": pl.Int32,
            "call_time_utc": pl.Datetime("us", "UTC"),
        },
    )
