"""Attempt-cap holds: chains that reached a state's cap on calls within a rolling window."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import polars as pl

from cxpipeline.errors import CxError
from cxpipeline.rules.model import with_version_ends
from cxpipeline.transforms.local_time import UTC_TS


def _caps_in_force(rules: pl.LazyFrame | pl.DataFrame, day: date) -> pl.DataFrame:
    """Per jurisdiction with a cap in force on `day`: the strictest max_attempts, longest window."""
    rules_df = with_version_ends(rules.collect() if isinstance(rules, pl.LazyFrame) else rules)
    return (
        rules_df.filter(
            pl.col("max_attempts").is_not_null()
            & (pl.col("effective_from") <= day)
            & (pl.col("effective_to").is_null() | (pl.lit(day) < pl.col("effective_to")))
        )
        .group_by("jurisdiction")
        .agg(
            pl.col("max_attempts").min().cast(pl.Int64),
            pl.col("attempt_window_hours").max().cast(pl.Int64),
        )
    )


def _latest_hold(capped_calls: pl.LazyFrame) -> pl.LazyFrame:
    """Per chain, the latest hold among its caps: list_name, chain_id, hold_until_utc, rule."""
    group = ["list_name", "chain_id", "jurisdiction"]
    return (
        capped_calls.with_columns(
            _rank=pl.col("call_time_utc")
            .rank("ordinal", descending=True)
            .over(group)
            .cast(pl.Int64)
        )
        .filter(pl.col("_rank") == pl.col("max_attempts"))
        .select(
            "list_name",
            "chain_id",
            hold_until_utc=pl.col("call_time_utc")
            + pl.duration(hours=pl.col("attempt_window_hours")),
            rule="attempt_cap:" + pl.col("jurisdiction"),
        )
        .sort(
            ["list_name", "chain_id", "hold_until_utc", "rule"],
            descending=[False, False, True, False],
        )
        .group_by("list_name", "chain_id", maintain_order=True)
        .first()
    )


def _lookback(caps: pl.DataFrame, moment: datetime) -> datetime:
    """Start of the longest cap window ending at `moment` (`moment` itself when no cap)."""
    longest = caps.get_column("attempt_window_hours").max()
    return moment - timedelta(hours=int(longest)) if isinstance(longest, int) else moment


def cap_lookback(rules: pl.LazyFrame | pl.DataFrame, as_of: datetime) -> datetime:
    """Return the time after which a call can count towards a cap in force on `as_of`.

    A caller reads only the calls after it (up to `as_of`) for `attempt_cap_holds`; with no
    cap in force it is `as_of`, so no call is needed.
    """
    moment = _moment(as_of)
    return _lookback(_caps_in_force(rules, moment.date()), moment)


def _moment(as_of: datetime) -> datetime:
    """`as_of` in UTC; a naive time is refused."""
    if as_of.tzinfo is None:
        raise CxError("needs a UTC offset", field="as_of")
    return as_of.astimezone(UTC)


def attempt_cap_holds(
    call_results: pl.LazyFrame,
    records: pl.LazyFrame,
    rules: pl.LazyFrame | pl.DataFrame,
    as_of: datetime,
) -> pl.LazyFrame:
    """Chains at an attempt cap: list_name, chain_id, hold_until_utc, rule ('attempt_cap:FL').

    A chain is capped when any of its records' `states` has a rule with `max_attempts` in force
    on `as_of`; its calls (all numbers) at or before `as_of` within the rolling window count.
    At the cap, the hold lasts until the oldest call that keeps it there leaves the window; with
    several caps the latest hold wins.
    """
    moment = _moment(as_of)
    caps = _caps_in_force(rules, moment.date())
    chain_caps = (
        records.select("list_name", "chain_id", jurisdiction=pl.col("states"))
        .explode("jurisdiction")
        .join(caps.lazy(), on="jurisdiction")
        .unique()
    )
    # Only calls inside the longest window can count: the rest never reach the join.
    since = _lookback(caps, moment)
    calls = call_results.select(
        "list_name", "chain_id", pl.col("call_time_utc").cast(UTC_TS)
    ).filter(pl.col("call_time_utc").is_between(since, moment, closed="right"))
    in_window = chain_caps.join(calls, on=["list_name", "chain_id"]).filter(
        pl.col("call_time_utc")
        > pl.lit(moment, UTC_TS) - pl.duration(hours=pl.col("attempt_window_hours"))
    )
    return _latest_hold(in_window)
