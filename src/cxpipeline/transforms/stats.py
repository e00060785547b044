"""Dashboard statistics per list, campaign group, local hour and zone (docs/domain.md §6)."""

from __future__ import annotations

import polars as pl

from cxpipeline.codes import (
    RESULT_GROUPS,
    RecordStatus,
    RecordType,
    ResultGroup,
    result_group_table,
)

#: Attempts counted per result code (docs/contract.md §4): column → codes.
RESULT_COUNTS: dict[str, tuple[int, ...]] = {
    "connects": (33,),
    "answering_machine": (9,),
    "busy": (6,),
    "no_answer": (7,),
    "abandoned": (21,),
    "fax": (17,),
    "invalid_number": tuple(sorted(int(c) for c in RESULT_GROUPS[ResultGroup.INVALID_NUMBER])),
    "do_not_call": (51,),
    "wrong_party": (40,),
}

#: Additive measures of list_stats, in column order; group_stats sums exactly these.
COUNT_COLUMNS: tuple[str, ...] = (
    "total_records",
    "total_chains",
    "no_call_records",
    "dialable_records",
    "attempts",
    "attempted_records",
    "connected_records",
    *RESULT_COUNTS,
    "records_finished",
    "records_remaining",
)

RATE_COLUMNS: tuple[str, ...] = ("connect_rate", "abandon_rate", "sit_rate", "penetration")

LIST_STATS_COLUMNS: tuple[str, ...] = ("list_name", "campaign_group", *COUNT_COLUMNS, *RATE_COLUMNS)
GROUP_STATS_COLUMNS: tuple[str, ...] = ("campaign_group", "lists", *COUNT_COLUMNS, *RATE_COLUMNS)
HOURLY_STATS_COLUMNS: tuple[str, ...] = ("list_name", "local_hour", "result_group", "attempts")
ZONE_STATS_COLUMNS: tuple[str, ...] = (
    "list_name",
    "tz_name",
    "total_records",
    "dialable_records",
    "attempts",
    "attempted_records",
    "connects",
    "connect_rate",
    "penetration",
)

_FINISHED = (int(RecordStatus.UPDATED), int(RecordStatus.CHAIN_UPDATED))
_NO_CALL = int(RecordType.NO_CALL)


def _ratio(numerator: str, denominator: pl.Expr) -> pl.Expr:
    """Divide a column by a denominator (Float64), null when the denominator is zero."""
    return pl.when(denominator > 0).then(pl.col(numerator) / denominator).otherwise(None)


def _rates() -> list[pl.Expr]:
    """Return the rate columns, always recomputed from counts (never averaged)."""
    return [
        _ratio("connects", pl.col("attempts")).alias("connect_rate"),
        _ratio("abandoned", pl.col("connects") + pl.col("abandoned")).alias("abandon_rate"),
        _ratio("invalid_number", pl.col("attempts")).alias("sit_rate"),
        _ratio("attempted_records", pl.col("dialable_records")).alias("penetration"),
    ]


def list_record_sums(records: pl.LazyFrame) -> pl.LazyFrame:
    """Per list: the additive counts of its records (`list_stats`' half read from records).

    Additive over slices of whole chains (`transforms.slices.added_up`): chains are counted
    distinct, and a chain lies in one slice.
    """
    no_call = pl.col("record_type") == _NO_CALL
    return records.group_by("list_name").agg(
        pl.col("campaign_group").drop_nulls().first(),
        pl.len().alias("total_records"),
        pl.col("chain_id").n_unique().alias("total_chains"),
        no_call.sum().alias("no_call_records"),
        (~no_call & pl.col("record_status").is_in(_FINISHED)).sum().alias("records_finished"),
    )


def list_result_sums(per_record: pl.LazyFrame) -> pl.LazyFrame:
    """Per list: attempts, attempted and connected records (additive over chain slices)."""
    return per_record.group_by("list_name").agg(
        pl.col("attempts").sum().alias("attempts"),
        pl.col("record_id").n_unique().alias("attempted_records"),
        pl.col("record_id").filter(pl.col("connects") > 0).n_unique().alias("connected_records"),
    )


def list_stats(
    records: pl.LazyFrame, per_record: pl.LazyFrame, per_code: pl.LazyFrame
) -> pl.LazyFrame:
    """One row per contact list of `records` with the measures of docs/contract.md §4.

    `per_record` and `per_code` are the list's results summed up per record and counted per
    result code (`transforms.result_summaries`). Counts of results count attempts, not
    records; `connected_records` counts distinct records with a connect. `records_finished`
    are dialable records whose status is 3 Updated or 7 Chain Updated; `records_remaining` =
    dialable − finished. Rates: connect_rate = connects ÷ attempts, abandon_rate = abandoned ÷
    (connects + abandoned), sit_rate = invalid_number ÷ attempts, penetration =
    attempted_records ÷ dialable_records; each is null when its denominator is zero. A list
    without results gets zero counts.
    """
    return list_stats_from(list_record_sums(records), list_result_sums(per_record), per_code)


def list_stats_from(
    record_sums: pl.LazyFrame, result_sums: pl.LazyFrame, per_code: pl.LazyFrame
) -> pl.LazyFrame:
    """`list_stats` from its two sums (`list_record_sums`, `list_result_sums`) and `per_code`."""
    code, attempts = pl.col("call_result"), pl.col("attempts")
    per_result = per_code.group_by("list_name").agg(
        attempts.filter(code.is_in(list(codes))).sum().alias(name)
        for name, codes in RESULT_COUNTS.items()
    )
    counts = [c for c in COUNT_COLUMNS if c not in ("dialable_records", "records_remaining")]
    return (
        record_sums.join(result_sums, on="list_name", how="left")
        .join(per_result, on="list_name", how="left")
        .with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .with_columns(dialable_records=pl.col("total_records") - pl.col("no_call_records"))
        .with_columns(records_remaining=pl.col("dialable_records") - pl.col("records_finished"))
        .with_columns(_rates())
        .select(LIST_STATS_COLUMNS)
        .sort("list_name")
    )


def every_list(per_list: pl.LazyFrame, lists: pl.LazyFrame) -> pl.LazyFrame:
    """Add a row for every list without records: zero counts, rates left null."""
    counts = [c for c, t in per_list.collect_schema().items() if t.is_integer()]
    missing = lists.join(per_list.select("list_name"), on="list_name", how="anti")
    return pl.concat([per_list, missing], how="diagonal_relaxed").with_columns(
        pl.col(counts).fill_null(0)
    )


def group_stats(list_stats: pl.LazyFrame) -> pl.LazyFrame:
    """One row per campaign group: list_stats counts summed, rates recomputed from the sums.

    Rates are null when their denominator is zero, as in list_stats.
    """
    return (
        list_stats.group_by("campaign_group")
        .agg(pl.len().cast(pl.Int64).alias("lists"), *[pl.col(c).sum() for c in COUNT_COLUMNS])
        .with_columns(pl.col(c).cast(pl.Int64) for c in COUNT_COLUMNS)
        .with_columns(_rates())
        .select(GROUP_STATS_COLUMNS)
        .sort("campaign_group")
    )


def _result_groups() -> pl.LazyFrame:
    """call_result → result_group lookup."""
    rows = result_group_table()
    return pl.LazyFrame(
        {"call_result": [r[0] for r in rows], "result_group": [r[2] for r in rows]},
        schema={"call_result": pl.Int64, "result_group": pl.String},
    )


def hourly_stats(calls: pl.LazyFrame) -> pl.LazyFrame:
    """Count attempts per list × local hour of the call × result group.

    `calls` are `transforms.local_calls.local_calls` counts: the local hour is that of the
    call in the record's tz_name (UTC when the zone is null or unknown), so it follows
    daylight saving on the date of each call.
    """
    return (
        calls.join(_result_groups(), on="call_result", how="left")
        .with_columns(pl.col("result_group").fill_null(ResultGroup.OTHER.value))
        .group_by(
            "list_name",
            pl.col("local_time").dt.hour().cast(pl.Int32).alias("local_hour"),
            "result_group",
        )
        .agg(pl.col("attempts").sum().cast(pl.Int64))
        .select(HOURLY_STATS_COLUMNS)
        .sort("list_name", "local_hour", "result_group")
    )


def zone_stats(records: pl.LazyFrame, per_record: pl.LazyFrame) -> pl.LazyFrame:
    """Count records, attempts and connects per list × tz_name (a null zone is its own row).

    `per_record` are the results summed up per record (`result_summaries.per_record`).

    connect_rate = connects ÷ attempts and penetration = attempted dialable records ÷
    dialable_records (one population, docs/metrics.md), null when the denominator is zero.
    """
    return zone_stats_from(zone_sums(records, per_record))


#: The keys of zone_stats (and of `zone_sums`).
ZONE_KEYS = ("list_name", "tz_name")


def zone_sums(records: pl.LazyFrame, per_record: pl.LazyFrame) -> pl.LazyFrame:
    """Per list × zone: the additive counts `zone_stats` derives its rates from.

    Additive over slices of whole chains: a record and its results lie in its chain's slice.
    """
    # One join of the records to their sums and one group-by: a record without results has
    # null sums (not attempted), a sum without its record (the record was removed) counts in
    # no zone. Records are unique by id (the warehouse's primary key).
    counted = per_record.select("record_id", _attempts="attempts", _connects="connects")
    dialable = pl.col("record_type") != _NO_CALL
    attempted = pl.col("_attempts").is_not_null()
    return (
        records.select("record_id", *ZONE_KEYS, "record_type")
        .join(counted, on="record_id", how="left")
        .group_by(ZONE_KEYS)
        .agg(
            pl.len().alias("total_records"),
            dialable.sum().alias("dialable_records"),
            pl.col("_attempts").sum().alias("attempts"),
            attempted.sum().alias("attempted_records"),
            pl.col("_connects").sum().alias("connects"),
            _attempted_dialable=(attempted & dialable).sum(),
        )
    )


def zone_stats_from(sums: pl.LazyFrame) -> pl.LazyFrame:
    """`zone_stats` from its (added-up) `zone_sums`."""
    counts = ["total_records", "dialable_records", "attempts", "attempted_records", "connects"]
    counts.append("_attempted_dialable")
    return (
        sums.with_columns(pl.col(c).fill_null(0).cast(pl.Int64) for c in counts)
        .with_columns(
            _ratio("connects", pl.col("attempts")).alias("connect_rate"),
            _ratio("_attempted_dialable", pl.col("dialable_records")).alias("penetration"),
        )
        .select(ZONE_STATS_COLUMNS)
        .sort("list_name", "tz_name", nulls_last=True)
    )


#: Hours before a list's latest call whose finished records set its completion speed.
COMPLETION_WINDOW_HOURS = 24


def completion_estimates(
    records: pl.LazyFrame, per_record: pl.LazyFrame, *, window_hours: int = COMPLETION_WINDOW_HOURS
) -> pl.LazyFrame:
    """Estimated time to complete per list: remaining records ÷ recent completion speed.

    A finished record (status 3 Updated or 7 Chain Updated, not No Call) finished at the last
    call of its chain. Recent speed = records finished in the `window_hours` before the list's
    latest call, per hour. `est_hours_to_complete` is null when nothing finished recently
    (no speed to extrapolate from) and 0 when nothing remains. `per_record` are the results
    summed up per record (`result_summaries.per_record`).
    """
    latest = per_record.group_by("list_name").agg(pl.col("last_call_utc").max().alias("_latest"))
    sums = completion_sums(records, per_record, latest, window_hours=window_hours)
    return completion_from(sums, window_hours=window_hours)


def completion_sums(
    records: pl.LazyFrame,
    per_record: pl.LazyFrame,
    latest: pl.LazyFrame,
    *,
    window_hours: int = COMPLETION_WINDOW_HOURS,
) -> pl.LazyFrame:
    """Per list: records remaining and records finished in the `window_hours` before `latest`.

    `latest` is each list's latest call (list_name, _latest) over all its results, so the
    sums are additive over slices of whole chains.
    """
    # A chain's last call is recent when any of its records' last calls is: the recent
    # chains, found without a group-by over every chain.
    recent = (
        per_record.join(latest, on="list_name", how="left")
        .filter(pl.col("last_call_utc") > pl.col("_latest") - pl.duration(hours=window_hours))
        .select("chain_id")
        .unique()
    )
    dialable = ~(pl.col("record_type") == _NO_CALL)
    finished = dialable & pl.col("record_status").is_in(_FINISHED)
    remaining = records.group_by("list_name").agg((dialable & ~finished).sum().alias("_remaining"))
    # Chain ids are unique across lists: keyed by the id alone (an integer key, ~2x faster).
    recently_finished = (
        records.filter(finished)
        .join(recent, on="chain_id", how="semi")
        .group_by("list_name")
        .agg(pl.len().alias("finished_last_24h"))
    )
    return remaining.join(recently_finished, on="list_name", how="left").with_columns(
        pl.col("finished_last_24h").fill_null(0)
    )


def completion_from(
    sums: pl.LazyFrame, *, window_hours: int = COMPLETION_WINDOW_HOURS
) -> pl.LazyFrame:
    """`completion_estimates` from its (added-up) `completion_sums`."""
    speed = pl.col("finished_last_24h") / window_hours
    return sums.select(
        "list_name",
        pl.col("finished_last_24h").cast(pl.Int64),
        speed.alias("completion_per_hour"),
        pl.when(pl.col("_remaining") == 0)
        .then(0.0)
        .when(speed > 0)
        .then(pl.col("_remaining") / speed)
        .otherwise(None)
        .alias("est_hours_to_complete"),
    )
