"""Call results: key and attach parsed results to records, and derive record state.

Parsing the raw file lives in `result_parsing`; its public names are re-exported here.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import (
    RESULT_GROUPS,
    CallResult,
    RecordStatus,
    RecordType,
    ResultGroup,
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

#: Results that finish the record itself for this pass (record_status 3 Updated).
FINAL_RESULTS: frozenset[int] = frozenset(
    {int(CallResult.ANSWER)}
    | {int(c) for c in RESULT_GROUPS[ResultGroup.FINAL_NEGATIVE]}
    | {int(c) for c in RESULT_GROUPS[ResultGroup.INVALID_NUMBER]}
)

#: Outcomes about the customer, not the number, so they finish the whole chain (docs/domain.md §4).
#: Invalid-number results (SIT, 53 Wrong Number) only finish their own record: the customer's
#: other numbers are still worth dialing.
CHAIN_FINAL_RESULTS: frozenset[int] = frozenset(
    {int(CallResult.ANSWER)} | {int(c) for c in RESULT_GROUPS[ResultGroup.FINAL_NEGATIVE]}
)

#: No-contact results that schedule a retry after the list's retry interval.
RETRYABLE_RESULTS: frozenset[int] = frozenset(int(c) for c in RESULT_GROUPS[ResultGroup.NO_CONTACT])

DNC_REASON = "do_not_call_result"


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
        .with_columns(_running=(pl.int_range(pl.len(), dtype=pl.Int64) + 1).over("record_id"))
        .select("result_key", "_running")
    )


def call_results(
    parsed: pl.LazyFrame, records: pl.LazyFrame, *, previous: pl.LazyFrame | None = None
) -> pl.LazyFrame:
    """Attach parsed results to their records, key them and number the attempts.

    Rows of `parsed` with a `parse_error` are left out (the caller rejects them from `parsed`).
    Output: `list_name`, `record_id`, `chain_id`, `call_time_utc`, `call_result`, `attempt`,
    `agent_id`, `duration_s`, `disposition`, `result_key`, `unknown_record` (record_id not in
    `records`: reject), `duplicate_result` (same result_key as an earlier row of this batch:
    already loaded), `source_row`. `attempt` is the given one, else the running count per
    record by call time over this batch plus `previous` (results already stored: `record_id`,
    `call_time_utc`, `result_key`), so reloading a file numbers its rows the same way.
    """
    names = parsed.collect_schema().names()
    ok = parsed.filter(pl.col("parse_error").is_null()) if "parse_error" in names else parsed
    if "source_row" not in names:
        ok = ok.with_columns(source_row=pl.int_range(1, pl.len() + 1, dtype=pl.Int64))
    ok = ok.with_columns(
        pl.col("record_id").cast(pl.Int64),
        pl.col("call_time_utc").dt.convert_time_zone("UTC"),
        pl.col("call_result").cast(pl.Int64),
    )
    keyed = with_result_key(ok).with_columns(
        duplicate_result=pl.col("source_row").rank("ordinal").over("result_key") > 1
    )
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
            "result_key",
            pl.col("list_name").is_null().alias("unknown_record"),
            "duplicate_result",
            "source_row",
        )
    )


# Columns record_state writes, with the value a record without them starts from.
_STATE_DEFAULTS = {
    "attempt": pl.lit(0, pl.Int64),
    "call_result": pl.lit(int(CallResult.UNKNOWN), pl.Int64),
    "call_time": pl.lit(None, pl.Int64),
    "dial_sched_time": pl.lit(None, pl.Int64),
    "record_type": pl.lit(int(RecordType.GENERAL), pl.Int64),
    "record_status": pl.lit(int(RecordStatus.READY), pl.Int64),
    "no_call_reason": pl.lit(None, pl.String),
}


def _with_outcomes(base: pl.LazyFrame, results: pl.LazyFrame) -> pl.LazyFrame:
    """Join each record's result summary and its chain's outcome (finished, Do Not Call)."""
    order = ["call_time_utc", "result_key"]
    per_record = results.group_by("record_id").agg(
        _n=pl.len().cast(pl.Int64),
        _last_result=pl.col("call_result").sort_by(order).last().cast(pl.Int64),
        _last_time=pl.col("call_time_utc").sort_by(order).last(),
        _dnc=(pl.col("call_result") == int(CallResult.DO_NOT_CALL)).any(),
    )
    last = pl.col("_last_result")
    has_results = pl.col("_n").is_not_null()
    own_final = has_results & last.is_in(sorted(FINAL_RESULTS))
    return base.join(per_record, on="record_id", how="left", maintain_order="left").with_columns(
        _own_final=own_final,
        _chain_done=last.is_in(sorted(CHAIN_FINAL_RESULTS)).fill_null(False).any().over("chain_id"),
        _chain_dnc=pl.col("_dnc").fill_null(False).any().over("chain_id"),
        _last_epoch=pl.col("_last_time").dt.epoch("s"),
    )


def _status() -> pl.Expr:
    """Record status: own final result, else chain finished, else Ready once results exist."""
    return (
        pl.when(pl.col("_own_final"))
        .then(pl.lit(int(RecordStatus.UPDATED)))
        .when(pl.col("_chain_done"))
        .then(pl.lit(int(RecordStatus.CHAIN_UPDATED)))
        .when(pl.col("_n").is_not_null())
        .then(pl.lit(int(RecordStatus.READY)))
        .otherwise(pl.col("record_status"))
    )


def _schedule(retry_interval_minutes: int) -> pl.Expr:
    """Next dial time: after the retry interval for a no-contact result, unscheduled if done."""
    has_results = pl.col("_n").is_not_null()
    dnc = pl.col("_chain_dnc")
    retry = (
        has_results
        & ~pl.col("_own_final")
        & ~pl.col("_chain_done")
        & ~dnc
        & pl.col("_last_result").is_in(sorted(RETRYABLE_RESULTS))
    )
    return (
        pl.when(retry)
        .then(pl.col("_last_epoch") + retry_interval_minutes * 60)
        .when(has_results | pl.col("_chain_done") | dnc)
        .then(pl.lit(None, pl.Int64))
        .otherwise(pl.col("dial_sched_time"))
    )


def record_state(
    records: pl.LazyFrame, results: pl.LazyFrame, *, retry_interval_minutes: int
) -> pl.LazyFrame:
    """Return the records with their state recomputed from all their results (docs/domain.md §4).

    Per record with results: `attempt` = number of results, `call_result` / `call_time` (epoch s)
    = the last by call time, `record_status` 3 Updated when that result is final (33, 40, 51, 52
    and the invalid-number group incl. 53) else 1 Ready, `dial_sched_time` = last call plus
    `retry_interval_minutes` for a no-contact result (else null). A last result of 33, 40, 51 or
    52 finishes the chain: its other records become 7 Chain Updated (unscheduled). Any 51 Do Not
    Call makes every record of the chain record_type 7 No Call with no_call_reason
    'do_not_call_result' (an earlier reason is kept). Records without results in an unfinished
    chain are returned unchanged; results of unknown records are ignored.
    """
    if retry_interval_minutes < 0:
        raise ValueError("retry_interval_minutes must not be negative")
    names = records.collect_schema().names()
    base = records.with_columns(
        [expr.alias(name) for name, expr in _STATE_DEFAULTS.items() if name not in names]
    )
    state = _with_outcomes(base, results)
    last = pl.col("_last_result")
    has_results = pl.col("_n").is_not_null()
    dnc = pl.col("_chain_dnc")
    dtypes = base.collect_schema()
    return state.with_columns(
        attempt=pl.when(has_results).then(pl.col("_n")).otherwise(pl.col("attempt")),
        call_result=pl.when(has_results).then(last).otherwise(pl.col("call_result")),
        call_time=pl.when(has_results).then(pl.col("_last_epoch")).otherwise(pl.col("call_time")),
        record_status=_status(),
        record_type=pl.when(dnc)
        .then(pl.lit(int(RecordType.NO_CALL)))
        .otherwise(pl.col("record_type")),
        no_call_reason=pl.when(dnc)
        .then(pl.coalesce(pl.col("no_call_reason"), pl.lit(DNC_REASON)))
        .otherwise(pl.col("no_call_reason")),
        dial_sched_time=_schedule(retry_interval_minutes),
    ).select(
        # Keep the records' own column order and types so the frame writes back unchanged.
        [
            pl.col(c).cast(dtypes[c])
            if c in _STATE_DEFAULTS and dtypes[c] != pl.Null
            else pl.col(c)
            for c in dtypes.names()
        ]
    )
