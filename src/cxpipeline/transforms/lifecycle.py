"""Record lifecycle: the state a dialer leaves records and chains in after all their results.

One pure state machine (docs/contract.md §5, docs/domain.md §4) over the records, every call
result they ever had, the list's settings and its treatments. It recomputes from the whole
history each time, so results loaded in any split (one file or many, any order) give the same
end state. Treatment steps, callbacks, chain moves, cycles, `max_attempts` and Do Not Call are
resolved with frame operations; the only loop is over cycles (a chain's cycle depends on when
the previous one ended), never over rows.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import CallResult, RecordStatus, RecordType
from cxpipeline.transforms.group_order import ordinal_within
from cxpipeline.transforms.lifecycle_cycles import (
    FINAL_RESULTS,
    MOVE_ON,
    cycle_end,
    resolve_cycles,
)
from cxpipeline.transforms.treatments import (
    ACTIONS,
    RETRY_ACTIONS,
    TREATMENT_SCHEMA,
    treatment_steps,
    with_local_at,
)

__all__ = ["ACTIONS", "DNC_REASON", "FINAL_RESULTS", "TREATMENT_SCHEMA", "record_lifecycle"]

DNC_REASON = "do_not_call_result"

# Columns the lifecycle writes, with the value a record without them starts from.
_STATE_DEFAULTS = {
    "attempt": pl.lit(0, pl.Int64),
    "call_result": pl.lit(int(CallResult.UNKNOWN), pl.Int64),
    "call_time": pl.lit(None, pl.Int64),
    "dial_sched_time": pl.lit(None, pl.Int64),
    "record_type": pl.lit(int(RecordType.GENERAL), pl.Int64),
    "record_status": pl.lit(int(RecordStatus.READY), pl.Int64),
    "no_call_reason": pl.lit(None, pl.String),
    "agent_id": pl.lit(None, pl.String),
    "chain_n": pl.lit(1, pl.Int64),
    "tz_name": pl.lit(None, pl.String),
}
_CHAIN_COLS = ["list_name", "record_id", "chain_id", "chain_n", "tz_name", "record_type"]


def _history(records: pl.LazyFrame, results: pl.LazyFrame, settings: pl.LazyFrame) -> pl.LazyFrame:
    """Results of known records in chain order, with their record's chain and list settings."""
    names = results.collect_schema().names()
    extra = [
        pl.lit(None, pl.Datetime("us", "UTC")).alias("callback_time_utc"),
        pl.lit(None, pl.String).alias("callback_type"),
        pl.lit(None, pl.String).alias("agent_id"),
    ]
    res = results.with_columns([e for e in extra if e.meta.output_name() not in names])
    owners = records.select(_CHAIN_COLS).rename({"record_type": "_input_type"})
    return (
        res.select(
            pl.col("record_id").cast(pl.Int64),
            pl.col("call_time_utc").dt.convert_time_zone("UTC"),
            pl.col("call_result").cast(pl.Int64),
            pl.col("result_key").cast(pl.UInt64),
            pl.col("callback_time_utc").dt.convert_time_zone("UTC"),
            pl.col("callback_type").cast(pl.String).str.to_lowercase(),
            pl.col("agent_id").cast(pl.String).alias("_agent"),
        )
        .join(owners, on="record_id", how="inner")
        .join(settings, on="list_name", how="left")
        .sort("chain_id", "call_time_utc", "result_key")
        .with_columns(
            _i=pl.int_range(pl.len(), dtype=pl.Int64),
            _t=pl.col("call_time_utc").dt.epoch("s"),
            _cycle=pl.lit(1, pl.Int64),
        )
        .pipe(ordinal_within, ["record_id"], "_i", "_n_all")
    )


def _schedules(frame: pl.LazyFrame, zones: list[str], default_zone: str) -> pl.LazyFrame:
    """Add `_sched` (the record's own next dial) and `_handoff` (the next record's)."""
    action = pl.col("action")
    after = pl.col("_t") + 60 * pl.col("interval_minutes").fill_null(0)
    increment = 60 * pl.col("increment_minutes").fill_null(0) * pl.col("_k")
    frame = with_local_at(frame, "_at", ("call_time_utc", "at_minute", "days"), zones, default_zone)
    at = pl.col("_at")
    return frame.with_columns(
        _sched=pl.when(action == "retry_in")
        .then(after + increment)
        .when(action == "retry_at")
        .then(at)
        .when(action == "callback")
        .then(pl.col("callback_time_utc").dt.epoch("s")),
        _handoff=pl.when(action == "next_in_chain_after")
        .then(after)
        .when(action == "next_in_chain_at")
        .then(at),
    ).drop("_at")


def _chain_state(
    classified: pl.LazyFrame, chains: pl.LazyFrame, settings: pl.LazyFrame
) -> pl.LazyFrame:
    """Per chain: current cycle `_cur`, finished (`_chain_done`), Do Not Call, wrap hand-off."""
    last = classified.group_by("chain_id").agg(
        _c=pl.col("_cycle").max(),
        _chain_dnc=(pl.col("call_result") == int(CallResult.DO_NOT_CALL)).any(),
        _wrap_h=pl.col("_handoff").sort_by("_i").last(),
        _wrap_t=pl.col("_t").max(),
    )
    ends = cycle_end(classified, chains, last.select("chain_id", "_c"))
    done = (
        classified.group_by("record_id")
        .agg(pl.col("chain_id").first(), _a=pl.col("action").sort_by("_i").last())
        .group_by("chain_id")
        .agg(_chain_done=(pl.col("_a") == "update_chain").any())
    )
    cycles = chains.select("chain_id", "list_name").unique("chain_id").join(settings, "list_name")
    wrapped = pl.col("_end").is_not_null() & (pl.col("cycles").fill_null(1) > pl.col("_c"))
    return (
        last.join(ends, on="chain_id", how="left")
        .join(done, on="chain_id", how="left")
        .join(cycles.select("chain_id", "cycles"), on="chain_id", how="left")
        .select(
            "chain_id",
            "_chain_dnc",
            "_chain_done",
            _cur=pl.col("_c") + wrapped.cast(pl.Int64),
            # The hand-off of the event that completed the cycle starts the next one.
            _wrap_h=pl.when(wrapped).then(pl.col("_wrap_h")),
            _wrapped=wrapped,
        )
    )


def _handoffs(
    classified: pl.LazyFrame, chains: pl.LazyFrame, state: pl.LazyFrame, per_record: pl.LazyFrame
) -> pl.LazyFrame:
    """Per workable record: `_h`, the schedule handed to it by the record moved on from before it.

    A record is handed the chain by the latest done event (in the chain's current cycle) on a
    record between the workable record before it and itself; a wrapped chain hands its first
    workable record the hand-off of the event that completed the cycle.
    """
    workable = (
        chains.join(per_record.select("record_id", "_perm"), on="record_id", how="left")
        .filter(~pl.col("_perm").fill_null(False) & (pl.col("_input_type") != 7))
        .sort("chain_id", "chain_n")
        .select(
            "chain_id",
            "record_id",
            "chain_n",
            _from=pl.col("chain_n").shift(1).over("chain_id").fill_null(0),
        )
    )
    events = (
        classified.join(state.select("chain_id", "_cur"), on="chain_id")
        .filter((pl.col("_cycle") == pl.col("_cur")) & (pl.col("_moves_on") | pl.col("_permanent")))
        .select("chain_id", pl.col("chain_n").alias("_n"), "_i", "_handoff")
    )
    wraps = state.filter(pl.col("_wrapped")).select(
        "chain_id",
        _n=pl.lit(0, pl.Int64),
        _i=pl.lit(2**62, pl.Int64),
        _handoff=pl.col("_wrap_h"),
    )
    both = pl.concat([events.cast({"_n": pl.Int64}), wraps], how="vertical_relaxed")
    return (
        workable.join(both, on="chain_id")
        .filter((pl.col("_n") >= pl.col("_from")) & (pl.col("_n") < pl.col("chain_n")))
        .group_by("record_id")
        .agg(_h=pl.col("_handoff").sort_by("_i").last())
    )


def _per_record(classified: pl.LazyFrame) -> pl.LazyFrame:
    """Per record with results: count, last result, its action, cycle and schedule."""

    def last(name: str) -> pl.Expr:
        return pl.col(name).sort_by("_i").last()

    return classified.group_by("record_id").agg(
        _n=pl.len().cast(pl.Int64),
        _last_result=last("call_result"),
        _last_t=last("_t"),
        _last_action=last("action"),
        _last_cycle=last("_cycle"),
        _last_sched=last("_sched"),
        _cb_type=last("callback_type"),
        _cb_agent=last("_agent"),
        _perm=pl.col("_permanent").any(),
        _cancel=(pl.col("action") == "cancel_record").any(),
        _dnc=(pl.col("call_result") == int(CallResult.DO_NOT_CALL)).any(),
    )


def _status() -> pl.Expr:
    """Record status from the joined per-record and per-chain state."""
    has, chain_has = pl.col("_n").is_not_null(), pl.col("_cur").is_not_null()
    own_final = (
        pl.when(pl.col("_cancel"))
        .then(int(RecordStatus.CANCELLED))
        .otherwise(int(RecordStatus.UPDATED))
    )
    in_cur = has & (pl.col("_last_cycle") == pl.col("_cur"))
    return (
        pl.when(pl.col("_chain_dnc").fill_null(False))
        .then(
            pl.when(pl.col("_dnc") | pl.col("_perm"))
            .then(own_final)
            .otherwise(int(RecordStatus.CHAIN_UPDATED))
        )
        .when(pl.col("_last_action") == "callback")
        .then(int(RecordStatus.READY))
        .when(pl.col("_perm").fill_null(False))
        .then(own_final)
        .when(pl.col("_chain_done").fill_null(False))
        .then(
            pl.when(pl.col("_last_action") == "update_chain")
            .then(int(RecordStatus.UPDATED))
            .otherwise(int(RecordStatus.CHAIN_UPDATED))
        )
        .when(in_cur & pl.col("_last_action").is_in(MOVE_ON))
        .then(int(RecordStatus.UPDATED))
        .when(chain_has)
        .then(int(RecordStatus.READY))
        .otherwise(pl.col("record_status"))
    )


def _type_and_schedule() -> dict[str, pl.Expr]:
    """Record type, dial_sched_time, agent_id and no_call_reason from the joined state."""
    has, chain_has = pl.col("_n").is_not_null(), pl.col("_cur").is_not_null()
    dnc = pl.col("_chain_dnc").fill_null(False)
    callback = pl.col("_last_action") == "callback"
    closed = pl.col("_perm").fill_null(False) | pl.col("_chain_done").fill_null(False)
    in_cur = has & (pl.col("_last_cycle") == pl.col("_cur"))
    retry = in_cur & pl.col("_last_action").is_in(RETRY_ACTIONS) & ~closed
    personal = pl.col("_cb_type") == "personal"
    return {
        "record_type": pl.when(dnc | (pl.col("record_type") == int(RecordType.NO_CALL)))
        .then(int(RecordType.NO_CALL))
        .when(callback)
        .then(
            pl.when(personal)
            .then(int(RecordType.PERSONAL_CALLBACK))
            .otherwise(int(RecordType.CAMPAIGN_CALLBACK))
        )
        .when(retry)
        .then(int(RecordType.CAMPAIGN_RESCHEDULED))
        .when(chain_has)
        .then(int(RecordType.GENERAL))
        .otherwise(pl.col("record_type")),
        # A No Call record is never scheduled, whatever its own results say.
        "dial_sched_time": pl.when(
            dnc
            | (pl.col("record_type") == int(RecordType.NO_CALL))
            | (closed & ~callback.fill_null(False))
        )
        .then(None)
        .when(callback | retry)
        .then(pl.col("_last_sched"))
        .when(in_cur)
        .then(None)
        .when(chain_has)
        .then(pl.col("_h"))
        .otherwise(pl.col("dial_sched_time")),
        "agent_id": pl.when(callback & personal & ~dnc)
        .then(pl.coalesce(pl.col("_cb_agent"), pl.col("agent_id")))
        .otherwise(pl.col("agent_id")),
        "no_call_reason": pl.when(dnc)
        .then(pl.coalesce(pl.col("no_call_reason"), pl.lit(DNC_REASON)))
        .otherwise(pl.col("no_call_reason")),
    }


def _zones(records: pl.LazyFrame, default_zone: str) -> list[str]:
    """Distinct zones of the records (plus the default), for per-zone local-time expressions."""
    found = records.select(pl.col("tz_name").drop_nulls().unique()).collect().to_series()
    return sorted({default_zone, *found.to_list()})


def _list_settings(settings: pl.LazyFrame) -> pl.LazyFrame:
    """Select the settings the lifecycle reads, one row per list."""
    return settings.select(
        "list_name",
        pl.col("max_attempts").cast(pl.Int64),
        pl.col("cycles").cast(pl.Int64),
        pl.col("retry_interval_minutes").cast(pl.Int64),
    ).unique("list_name")


def record_lifecycle(
    records: pl.LazyFrame,
    results: pl.LazyFrame,
    settings: pl.LazyFrame,
    treatments: pl.LazyFrame,
    *,
    default_zone: str = "America/New_York",
) -> pl.LazyFrame:
    """Return the records with their state recomputed from all their results.

    `records`: record_id, list_name, chain_id, chain_n, tz_name and the state columns;
    `results`: record_id, call_time_utc, call_result, result_key, optional callback_time_utc,
    callback_type (`personal` / `campaign`) and agent_id; `settings`: list_name,
    max_attempts, cycles, retry_interval_minutes (the retry of an untreated no-contact result);
    `treatments`: `TREATMENT_SCHEMA`. Writes attempt, call_result, call_time (epoch s),
    record_type, record_status, dial_sched_time (epoch s, before any window adjustment),
    agent_id and no_call_reason; records of chains without results come back unchanged.
    """
    names = records.collect_schema().names()
    base = records.with_columns(
        [expr.alias(n) for n, expr in _STATE_DEFAULTS.items() if n not in names]
    )
    settings = _list_settings(settings)
    chains = base.select(_CHAIN_COLS).rename({"record_type": "_input_type"})
    chains = chains.with_columns(pl.col("chain_n").cast(pl.Int64))
    max_cycles = settings.select(pl.col("cycles").fill_null(1).max()).collect().item()
    zones = _zones(base, default_zone)
    steps = treatment_steps(treatments.cast(TREATMENT_SCHEMA))  # type: ignore[arg-type]
    history = _history(base, results, settings)
    classified = resolve_cycles(history, steps, chains, min(int(max_cycles or 1), 50))
    classified = _schedules(classified, zones, default_zone).collect().lazy()
    per_record = _per_record(classified)
    state = _chain_state(classified, chains, settings)
    hand = _handoffs(classified, chains, state, per_record)
    dtypes = base.collect_schema()
    joined = (
        base.join(per_record, on="record_id", how="left", maintain_order="left")
        .join(state, on="chain_id", how="left", maintain_order="left")
        .join(hand, on="record_id", how="left", maintain_order="left")
    )
    has = pl.col("_n").is_not_null()
    return joined.with_columns(
        attempt=pl.when(has).then(pl.col("_n")).otherwise(pl.col("attempt")),
        call_result=pl.when(has).then(pl.col("_last_result")).otherwise(pl.col("call_result")),
        call_time=pl.when(has).then(pl.col("_last_t")).otherwise(pl.col("call_time")),
        record_status=_status(),
        **_type_and_schedule(),
    ).select(
        # Keep the records' own column order and types so the frame writes back unchanged.
        [
            pl.col(c).cast(dtypes[c])
            if c in _STATE_DEFAULTS and dtypes[c] != pl.Null
            else pl.col(c)
            for c in names
        ]
    )
