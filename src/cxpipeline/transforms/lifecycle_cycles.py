"""Each call result's action and cycle: the lifecycle's classification (`transforms.lifecycle`).

A result's action follows from its code, its treatment step (by its occurrence in its cycle)
and the list's settings; a chain's cycle ends when each of its records is done in it, and the
results after that end belong to the next cycle.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import RESULT_GROUPS, CallResult, RecordType, ResultGroup
from cxpipeline.transforms.group_order import ordinal_within
from cxpipeline.transforms.treatments import RETRY_ACTIONS

__all__ = ["FINAL_RESULTS", "MOVE_ON", "classify", "cycle_end", "resolve_cycles"]

#: Actions that finish the record for this cycle and hand the chain to its next record.
#: `finish` is a result whose treatment steps are used up: done for this cycle, next at once.
MOVE_ON = ["next_in_chain", "next_in_chain_after", "next_in_chain_at", "finish"]

#: Results that finish the record itself for good, whatever its treatment says about the chain:
#: the number is wrong or dead (invalid-number group incl. 53, 40 Wrong Party) or cancelled.
FINAL_RESULTS: frozenset[int] = frozenset(
    {int(CallResult.WRONG_PARTY), int(CallResult.CANCEL_RECORD)}
    | {int(c) for c in RESULT_GROUPS[ResultGroup.INVALID_NUMBER]}
)
_NO_CONTACT = sorted(int(c) for c in RESULT_GROUPS[ResultGroup.NO_CONTACT])


def _matched_steps(frame: pl.LazyFrame, steps: pl.LazyFrame) -> pl.LazyFrame:
    """Per result (`_i`): the treatment step its occurrence in its cycle falls in, if any."""
    between = (pl.col("_occ") >= pl.col("_first_n")) & (pl.col("_occ") <= pl.col("_last_n"))
    matched = (
        frame.select("_i", "_occ", "list_name", "call_result")
        .join(steps, on=["list_name", "call_result"], how="inner")
        .filter(between)
        .select(
            "_i",
            "action",
            "interval_minutes",
            "increment_minutes",
            "at_minute",
            "days",
            (pl.col("_occ") - pl.col("_first_n")).alias("_k"),
        )
    )
    return matched


def _action() -> pl.Expr:
    """Choose a result's action: fixed outcomes first, then its treatment step, then defaults."""
    result = pl.col("call_result")
    callback = pl.col("callback_time_utc").is_not_null() & (result != int(CallResult.DO_NOT_CALL))
    default_retry = result.is_in(_NO_CONTACT) & pl.col("retry_interval_minutes").is_not_null()
    return (
        pl.when(callback)
        .then(pl.lit("callback"))
        .when(result == int(CallResult.DO_NOT_CALL))
        .then(pl.lit("dnc"))
        .when(result == int(CallResult.ANSWER))
        .then(pl.lit("update_chain"))
        .when(result == int(CallResult.CANCEL_RECORD))
        .then(pl.lit("cancel_record"))
        .when(pl.col("action").is_not_null())
        .then(pl.col("action"))
        .when(pl.col("_treated").fill_null(False) | result.is_in(sorted(FINAL_RESULTS)))
        .then(pl.lit("finish"))
        .when(default_retry)
        .then(pl.lit("retry_in"))
        .otherwise(pl.lit("no_treatment"))
    )


def classify(frame: pl.LazyFrame, steps: pl.LazyFrame) -> pl.LazyFrame:
    """Give each result its action, `_permanent` (finished for good) and `_moves_on` flags."""
    # Ranked on `_i`, not on row position: joins do not keep row order.
    frame = ordinal_within(frame, ["record_id", "call_result", "_cycle"], "_i", "_occ")
    matched = _matched_steps(frame, steps)
    treated = steps.select("list_name", "call_result").unique().with_columns(_treated=True)
    result = pl.col("call_result")
    default_retry = result.is_in(_NO_CONTACT) & pl.col("retry_interval_minutes").is_not_null()
    exhausted = pl.col("_n_all") >= pl.col("max_attempts")
    frame = (
        frame.drop(
            "action",
            "interval_minutes",
            "increment_minutes",
            "at_minute",
            "days",
            "_k",
            "_treated",
            strict=False,
        )
        .join(matched, on="_i", how="left")
        .join(treated, on=["list_name", "call_result"], how="left")
        .with_columns(
            interval_minutes=pl.when(pl.col("action").is_null() & default_retry)
            .then(pl.col("retry_interval_minutes"))
            .otherwise(pl.col("interval_minutes")),
            _k=pl.col("_k").fill_null(0),
        )
        .with_columns(action=_action())
        .with_columns(
            action=pl.when(pl.col("action").is_in([*RETRY_ACTIONS, "no_treatment"]) & exhausted)
            .then(pl.lit("exhausted"))
            .otherwise(pl.col("action"))
        )
        .with_columns(
            _permanent=result.is_in(sorted(FINAL_RESULTS))
            | pl.col("action").is_in(["exhausted", "cancel_record"]),
            _moves_on=pl.col("action").is_in(MOVE_ON),
        )
    )
    return frame


def cycle_end(classified: pl.LazyFrame, chains: pl.LazyFrame, cycle: pl.LazyFrame) -> pl.LazyFrame:
    """Per chain: `_end`, the epoch s its cycle `_c` was completed (null while still open).

    A cycle is complete when every record of the chain is done in it: moved on from in that
    cycle, or finished for good (a final result earlier, or No Call from the start).
    """
    done = (
        classified.join(cycle, on="chain_id")
        .filter(
            ((pl.col("_cycle") == pl.col("_c")) & (pl.col("_moves_on") | pl.col("_permanent")))
            | ((pl.col("_cycle") < pl.col("_c")) & pl.col("_permanent"))
        )
        .group_by("chain_id", "record_id")
        .agg(_done=pl.when(pl.col("_cycle") < pl.col("_c")).then(-1).otherwise(pl.col("_t")).min())
    )
    no_call = chains.filter(pl.col("_input_type") == int(RecordType.NO_CALL)).select(
        "chain_id", "record_id", _done=pl.lit(-1, pl.Int64)
    )
    counted = (
        pl.concat([done, no_call]).group_by("chain_id", "record_id").agg(pl.col("_done").min())
    )
    sizes = chains.group_by("chain_id").agg(_size=pl.len())
    return (
        counted.group_by("chain_id")
        .agg(_n_done=pl.len(), _end=pl.col("_done").max())
        .join(sizes, on="chain_id")
        .select("chain_id", _end=pl.when(pl.col("_n_done") == pl.col("_size")).then(pl.col("_end")))
    )


def resolve_cycles(
    frame: pl.LazyFrame, steps: pl.LazyFrame, chains: pl.LazyFrame, max_cycles: int
) -> pl.LazyFrame:
    """Classify every result, moving results after a completed cycle into the next one.

    A result's class depends on its own record's results only (their cycles, counts and
    order), so after each move only the records with a moved result are classified again.
    """
    classified = classify(frame, steps).collect()
    names = classified.columns
    for c in range(1, max_cycles):
        cycle = chains.select("chain_id").unique().with_columns(_c=pl.lit(c, pl.Int64))
        end = cycle_end(classified.lazy(), chains, cycle)
        later = (pl.col("_cycle") == c) & (pl.col("_t") > pl.col("_end"))
        moved = (
            classified.lazy()
            .join(end, on="chain_id", how="left")
            .with_columns(
                _next=pl.when(later & (pl.col("cycles").fill_null(1) > c))
                .then(c + 1)
                .otherwise(pl.col("_cycle"))
            )
            .drop("_end")
            .collect()
        )
        changed = moved.filter(pl.col("_next") != pl.col("_cycle")).select("record_id").unique()
        if changed.height == 0:
            break  # no result moved: the later cycles stay empty too
        again = moved.join(changed, on="record_id", how="semi")
        again = again.with_columns(_cycle=pl.col("_next")).drop("_next")
        classified = pl.concat(
            [
                moved.join(changed, on="record_id", how="anti").drop("_next"),
                classify(again.lazy(), steps).select(names).collect(),
            ]
        )
    return classified.lazy()
