"""Statistics of the record lifecycle: contacts, talk time, chains finished, callbacks, waits.

Each measure is defined once in docs/metrics.md. Added to list_stats and group_stats next to
the measures of `stats` (whose names are kept); `penetration` is recomputed here on one
population: attempted dialable records ÷ dialable records (No Call records in neither).
"""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import RecordStatus, RecordType

#: Additive measures this module adds, in column order; group_stats sums exactly these.
LIFECYCLE_COUNT_COLUMNS: tuple[str, ...] = (
    "attempted_dialable_records",
    "right_party_contacts",
    "talk_time_s",
    "chains_finished",
    "callbacks_pending",
    "callbacks_due",
    "records_waiting_retry",
    "records_ready_now",
)

_CALLBACK_TYPES = [int(RecordType.PERSONAL_CALLBACK), int(RecordType.CAMPAIGN_CALLBACK)]
_DONE = [int(RecordStatus.UPDATED), int(RecordStatus.CANCELLED), int(RecordStatus.CHAIN_UPDATED)]


def lifecycle_measures(
    records: pl.LazyFrame, summed: pl.LazyFrame, as_of: pl.LazyFrame
) -> pl.LazyFrame:
    """Per list: the lifecycle measures of docs/metrics.md, each list as of its own as-of.

    `summed` are the results summed up per record (`result_summaries.per_record`); `as_of`
    gives each list's as-of (list_name, as_of: a UTC datetime).
    """
    return lifecycle_from(
        lifecycle_record_sums(records, summed, as_of), lifecycle_result_sums(summed)
    )


def lifecycle_record_sums(
    records: pl.LazyFrame, summed: pl.LazyFrame, as_of: pl.LazyFrame
) -> pl.LazyFrame:
    """Per list: the measures counted over its records (additive over chain slices).

    Each list is measured at its own as-of (`as_of`: list_name, as_of), so its rows depend
    on nothing of another list's (a refresh of some lists leaves the others' rows right).
    """
    # Schedules are epoch seconds: the as-of is compared as one too.
    now = pl.col("_as_of")
    at = as_of.select("list_name", _as_of=pl.col("as_of").dt.epoch("s"))
    no_call = pl.col("record_type") == int(RecordType.NO_CALL)
    done = no_call | pl.col("record_status").is_in(_DONE)
    working = ~done
    sched = pl.col("dial_sched_time")
    callback = working & pl.col("record_type").is_in(_CALLBACK_TYPES)
    # One row per record already (summed up per record): no unique needed before the join.
    attempted = summed.select("record_id", _attempted=pl.lit(True))
    return (
        records.join(attempted, on="record_id", how="left")
        .join(at, on="list_name", how="left")
        .group_by("list_name")
        .agg(
            attempted_dialable_records=(~no_call & pl.col("_attempted").fill_null(False)).sum(),
            callbacks_pending=callback.sum(),
            callbacks_due=(callback & (sched <= now)).sum(),
            records_waiting_retry=(working & (sched > now)).sum(),
            records_ready_now=(working & (sched.is_null() | (sched <= now))).sum(),
            # A chain is finished when none of its records is still working (a chain lies
            # in one list): its chains less those with a working record, without a group-by
            # per chain.
            chains_finished=pl.col("chain_id").n_unique()
            - pl.col("chain_id").filter(working).n_unique(),
        )
    )


def lifecycle_result_sums(summed: pl.LazyFrame) -> pl.LazyFrame:
    """Per list: right-party contacts (chains with a connect) and talk time, from the sums."""
    return summed.group_by("list_name").agg(
        right_party_contacts=pl.col("chain_id").filter(pl.col("connects") > 0).n_unique(),
        talk_time_s=pl.col("answer_talk_s").sum().cast(pl.Float64),
    )


def lifecycle_from(record_sums: pl.LazyFrame, result_sums: pl.LazyFrame) -> pl.LazyFrame:
    """`lifecycle_measures` from its two (added-up) sums: the lists of the records."""
    return record_sums.join(result_sums, on="list_name", how="left")


def _filled(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Fill missing measures with zero (a list without results or records)."""
    return frame.with_columns(
        pl.col(c).fill_null(0).cast(pl.Float64 if c == "talk_time_s" else pl.Int64)
        for c in LIFECYCLE_COUNT_COLUMNS
    )


def _derived(limit: pl.Expr) -> list[pl.Expr]:
    """Penetration on the dialable population and the abandon-rate flag against `limit`."""
    dialable = pl.col("dialable_records")
    return [
        pl.when(dialable > 0)
        .then(pl.col("attempted_dialable_records") / dialable)
        .otherwise(None)
        .alias("penetration"),
        (pl.col("abandon_rate").fill_null(0) > limit).alias("abandon_over_limit"),
    ]


def with_list_measures(
    per_list: pl.LazyFrame, measures: pl.LazyFrame, limits: pl.LazyFrame
) -> pl.LazyFrame:
    """Add the lifecycle measures to list_stats rows; `limits`: list_name, abandon_limit (0-1)."""
    return (
        _filled(per_list.join(measures, on="list_name", how="left"))
        .join(limits, on="list_name", how="left")
        .with_columns(_derived(pl.col("abandon_limit").fill_null(0.03)))
        .drop("abandon_limit")
    )


def with_group_measures(
    group_stats: pl.LazyFrame, per_list: pl.LazyFrame, limits: pl.LazyFrame
) -> pl.LazyFrame:
    """Add the lifecycle measures (summed) to group_stats rows; the strictest list limit binds."""
    sums = (
        per_list.join(limits, on="list_name", how="left")
        .group_by("campaign_group")
        .agg(
            *[pl.col(c).sum() for c in LIFECYCLE_COUNT_COLUMNS],
            _limit=pl.col("abandon_limit").min(),
        )
    )
    return (
        _filled(group_stats.join(sums, on="campaign_group", how="left", nulls_equal=True))
        .with_columns(_derived(pl.col("_limit").fill_null(0.03)))
        .drop("_limit")
    )
