"""Call results: key and attach parsed results to records, and derive record state.

Parsing the raw file lives in `result_parsing`; its public names are re-exported here.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import (
    RESULT_GROUPS,
    CallResult,
    ResultGroup,
)
from cxpipeline.transforms.group_order import ordinal_within, run_position
from cxpipeline.transforms.lifecycle import (
    DNC_REASON,
    FINAL_RESULTS,
    TREATMENT_SCHEMA,
    record_lifecycle,
)
from cxpipeline.transforms.result_parsing import (
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    parsed_call_results,
)

__all__ = [
    "CHAIN_FINAL_RESULTS",
    "DNC_REASON",
    "FINAL_RESULTS",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "RETRYABLE_RESULTS",
    "TS",
    "call_results",
    "parsed_call_results",
    "record_state",
    "with_result_key",
]

#: Type of `call_time_utc` in every results frame.
TS = pl.Datetime("us", "UTC")

#: Outcomes about the customer, not the number, so they finish the whole chain (docs/domain.md §4).
CHAIN_FINAL_RESULTS: frozenset[int] = frozenset({int(CallResult.ANSWER)})

#: No-contact results that an untreated list retries after its retry interval.
RETRYABLE_RESULTS: frozenset[int] = frozenset(int(c) for c in RESULT_GROUPS[ResultGroup.NO_CONTACT])


_GOLDEN = 0x9E3779B97F4A7C15
_MIX = (0xBF58476D1CE4E5B9, 0x94D049BB133111EB)


def _mix_steps(name: str) -> list[pl.Expr]:
    """Splitmix64 finaliser of a u64 column, as successive with_columns steps.

    Steps rather than one nested expression: each step uses its input three times, so nesting
    them would grow the plan exponentially.
    """
    h = pl.col(name)
    return [
        (h.xor(h // (1 << 30)) * pl.lit(_MIX[0], pl.UInt64)).alias(name),
        (h.xor(h // (1 << 27)) * pl.lit(_MIX[1], pl.UInt64)).alias(name),
        h.xor(h // (1 << 31)).alias(name),
    ]


def _as_u64(expr: pl.Expr) -> pl.Expr:
    """Reinterpret an Int64 as its two's complement u64 (so negative values still hash)."""
    return expr.cast(pl.Int64).reinterpret(signed=False)


def with_result_key(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Add `result_key`: a u64 hash of record_id, call_time_utc and call_result.

    Wrapping u64 arithmetic (splitmix64) rather than `Expr.hash`, whose values may change
    between Polars versions: the key is stored in the warehouse and must come out the same when
    the same file is loaded again after an upgrade.
    """
    key = "result_key"
    parts = [
        _as_u64(pl.col("call_time_utc").dt.epoch("us")),
        _as_u64(pl.col("call_result")),
    ]
    frame = frame.with_columns(
        (_as_u64(pl.col("record_id")) + pl.lit(_GOLDEN, pl.UInt64)).alias(key)
    )
    for step in _mix_steps(key):
        frame = frame.with_columns(step)
    for part in parts:
        frame = frame.with_columns(pl.col(key).xor(part))
        for step in _mix_steps(key):
            frame = frame.with_columns(step)
    return frame


def _running_attempts(keyed: pl.LazyFrame, previous: pl.LazyFrame | None) -> pl.LazyFrame:
    """`result_key` and `_running`: the result's count per record by call time, stored ones too."""
    seen = keyed.filter(~pl.col("duplicate_result")).select(
        "record_id", "call_time_utc", "result_key"
    )
    if previous is not None:
        seen = pl.concat(
            [
                previous.select(
                    pl.col("record_id").cast(pl.Int64),
                    # The warehouse hands back Etc/UTC: same instants, but concat wants one dtype.
                    pl.col("call_time_utc").dt.convert_time_zone("UTC"),
                    pl.col("result_key").cast(pl.UInt64),
                ),
                seen,
            ]
        ).unique(subset="result_key")
    return (
        seen.sort("record_id", "call_time_utc", "result_key")
        .with_columns(_running=run_position(["record_id"]))
        .select("result_key", "_running")
    )


def call_results(
    parsed: pl.LazyFrame, records: pl.LazyFrame, *, previous: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """Attach parsed results to their records, key them and number the attempts.

    Rows of `parsed` with a `parse_error` are left out (the caller rejects them from `parsed`).
    Output: `list_name`, `record_id`, `chain_id`, `call_time_utc`, `call_result`, `attempt`,
    `agent_id`, `duration_s`, `disposition`, `callback_time_utc`, `callback_type`,
    `result_key`, `unknown_record` (record_id not in
    `records`: reject), `duplicate_result` (same result_key as an earlier row of this batch:
    already loaded), `source_row`. `attempt` is the given one, else the running count per
    record by call time over this batch plus `previous` (results already stored: `record_id`,
    `call_time_utc`, `result_key`), so reloading a file numbers its rows the same way.
    """
    names = parsed.collect_schema().names()
    ok = parsed.filter(pl.col("parse_error").is_null()) if "parse_error" in names else parsed
    if "source_row" not in names:
        ok = ok.with_columns(source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    for name, dtype in (("callback_time_utc", TS), ("callback_type", pl.String)):
        if name not in names:
            ok = ok.with_columns(pl.lit(None, dtype).alias(name))
    ok = ok.with_columns(
        pl.col("record_id").cast(pl.Int64),
        pl.col("call_time_utc").dt.convert_time_zone("UTC"),
        pl.col("call_result").cast(pl.Int64),
    )
    keyed = ordinal_within(with_result_key(ok), ["result_key"], "source_row", "_seen")
    keyed = keyed.with_columns(duplicate_result=pl.col("_seen") > 1).drop("_seen")
    running = _running_attempts(keyed, previous)
    owners = records.select("record_id", "list_name", pl.col("chain_id").cast(pl.Int64)).unique(
        subset="record_id"
    )
    return (
        keyed.join(running, on="result_key", how="left", maintain_order="left")
        .join(owners, on="record_id", how="left", maintain_order="left")
        .select(
            "list_name",
            pl.col("record_id").cast(pl.Int64),
            "chain_id",
            pl.col("call_time_utc").cast(TS),
            pl.col("call_result").cast(pl.Int64),
            pl.coalesce(pl.col("attempt"), pl.col("_running")).cast(pl.Int64).alias("attempt"),
            pl.col("agent_id").cast(pl.String),
            pl.col("duration_s").cast(pl.Float64),
            pl.col("disposition").cast(pl.String),
            pl.col("callback_time_utc").cast(TS),
            pl.col("callback_type").cast(pl.String),
            "result_key",
            pl.col("list_name").is_null().alias("unknown_record"),
            "duplicate_result",
            "source_row",
        )
    )


def record_state(
    records: pl.LazyFrame, results: pl.LazyFrame, *, retry_interval_minutes: int
) -> pl.LazyFrame:
    """Return the records' state from all their results with no treatments (docs/domain.md §4).

    The lifecycle of `lifecycle.record_lifecycle` with one retry interval for no-contact
    results, no `max_attempts` and one cycle: a shorthand for lists without treatments.
    """
    if retry_interval_minutes < 0:
        raise ValueError("retry_interval_minutes must not be negative")
    lists = records.select("list_name").unique()
    settings = lists.with_columns(
        max_attempts=pl.lit(None, pl.Int64),
        cycles=pl.lit(1, pl.Int64),
        retry_interval_minutes=pl.lit(retry_interval_minutes, pl.Int64),
    )
    treatments = pl.LazyFrame(schema=TREATMENT_SCHEMA)
    return record_lifecycle(records, results, settings, treatments)
