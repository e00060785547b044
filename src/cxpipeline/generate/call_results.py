"""Synthetic call results (docs/contract.md §3) of ingested records: the dialer's side."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

import polars as pl

from cxpipeline import tzdb
from cxpipeline.codes import CallResult
from cxpipeline.generate.streams import Rng, pick, u64

_R = CallResult
#: (result, weight in %): the mix of a collections campaign's attempts.
RESULT_MIX: tuple[tuple[CallResult, float], ...] = (
    (_R.NO_ANSWER, 35.0),
    (_R.BUSY, 10.0),
    (_R.ANSWERING_MACHINE, 20.0),
    (_R.ANSWER, 20.0),
    (_R.SIT_DETECTED, 1.5),
    (_R.SIT_INVALID_NUM, 1.5),
    (_R.SIT_VACANT, 1.0),
    (_R.SIT_REORDER, 1.0),
    (_R.ABANDONED, 3.0),
    (_R.FAX_DETECTED, 1.0),
    (_R.WRONG_PARTY, 2.0),
    (_R.DO_NOT_CALL, 1.0),
    (_R.DROPPED, 1.0),
    (_R.SILENCE, 0.5),
    (_R.ALL_TRUNKS_BUSY, 0.5),
    (_R.WRONG_NUMBER, 0.5),
    (_R.GENERAL_ERROR, 0.5),
)
# Results after which a real dialer stops calling that number, and those that finish the
# whole chain (docs/domain.md §4: a final outcome updates the chain; Do Not Call stops it).
_FINAL_RESULTS = (33, 40, 51, 53, 8, 11, 12, 16, 17)
_CHAIN_FINAL_RESULTS = (33, 40, 51)
_AGENT_RESULTS = (33, 40, 51)
_DISPOSITIONS = (
    "Promise to Pay",
    "Payment Taken",
    "Callback Requested",
    "Refused to Pay",
    "Dispute",
    "Already Paid",
)
_NO_ZONE_WINDOW = "America/New_York"  # zoneless records: the conservative default window


def _offset_table(zones: Sequence[str], first_day: date, days: int) -> pl.DataFrame:
    """UTC offset at local noon of each zone and day (DST changes happen before 09:00)."""
    rows: list[tuple[str, int, int, str]] = []
    for zone in zones:
        info = tzdb.zone(zone)
        for d in range(days):
            noon = datetime.combine(first_day + timedelta(days=d), datetime.min.time()).replace(
                hour=12, tzinfo=info
            )
            delta = noon.utcoffset() or timedelta(0)
            seconds = int(delta.total_seconds())
            sign = "-" if seconds < 0 else "+"
            hh, mm = divmod(abs(seconds) // 60, 60)
            rows.append((zone, d, seconds, f"{sign}{hh:02d}:{mm:02d}"))
    return pl.DataFrame(
        rows,
        schema={"_zone": pl.String, "_day": pl.Int64, "_off_s": pl.Int64, "_off": pl.String},
        orient="row",
    )


def _attempt_draws(per_attempt: Rng, has_zone: pl.Expr, days: int) -> dict[str, pl.Expr]:
    """Random draws of each attempt: local day and second, result, agent, duration, ..."""
    code_of = [int(r) for r, _ in RESULT_MIX]
    code = pl.lit(pl.Series(code_of, dtype=pl.Int64)).gather(
        per_attempt.choice("result", [w for _, w in RESULT_MIX])
    )
    return {
        "_zone": pl.when(has_zone).then(pl.col("tz_name")).otherwise(pl.lit(_NO_ZONE_WINDOW)),
        "_has_zone": has_zone,
        "_day": per_attempt.below("day", days),
        "_sec": pl.when(has_zone)
        .then(9 * 3600 + per_attempt.below("second", 11 * 3600))
        .otherwise(14 * 3600 + per_attempt.below("second", 6 * 3600)),
        "_code": code,
        "_u_label": per_attempt.unit("label"),
        "_agent": 1 + per_attempt.below("agent", 40),
        "_d1": per_attempt.below("duration", 600),
        "_d2": per_attempt.below("duration2", 300),
        "_disp": per_attempt.below("disposition", len(_DISPOSITIONS)),
        "_u_vm": per_attempt.unit("voicemail"),
    }


def _attempts(
    records: pl.LazyFrame, zones: list[str], *, start: datetime, days: int, seed: int
) -> pl.LazyFrame:
    """Draw attempts for ~70% of the records, timed in their zone, cut after final outcomes."""
    offsets = _offset_table(zones, start.date(), days)
    per_record = Rng(seed, pl.col("record_id"))
    # A distinct stream key per attempt; u64 arithmetic wraps, so any record_id is fine.
    attempt_key = pl.col("record_id").cast(pl.UInt64) * u64(8) + pl.col("_k").cast(pl.UInt64)
    per_attempt = Rng(seed, attempt_key)
    has_zone = pl.col("tz_name").is_in(zones)
    local = pl.lit(datetime.combine(start.date(), datetime.min.time())) + pl.duration(
        days=pl.col("_day"), seconds=pl.col("_sec")
    )
    timed = (
        records.select("record_id", "chain_id", "tz_name")
        .filter(per_record.unit("attempted") < 0.7)
        .with_columns(_k=pl.int_ranges(0, 1 + per_record.choice("attempts", (45, 30, 15, 10))))
        .explode("_k")
        .with_columns(**_attempt_draws(per_attempt, has_zone, days))
        .join(offsets.lazy(), on=["_zone", "_day"], how="left")
        .with_columns(_local=local)
        .with_columns(_utc=pl.col("_local") - pl.duration(seconds=pl.col("_off_s")))
    )
    return _stop_after_final_outcomes(timed)


def _stop_after_final_outcomes(timed: pl.LazyFrame) -> pl.LazyFrame:
    """Count each record's attempts; drop those after a final result of the record or chain."""
    return (
        timed.sort("record_id", "_utc", "_k")
        .with_columns(
            attempt=pl.int_range(1, pl.len() + 1).over("record_id"),
            _final=pl.col("_code").is_in(_FINAL_RESULTS).cast(pl.Int64),
        )
        .with_columns(
            _chain_done=pl.when(pl.col("_code").is_in(_CHAIN_FINAL_RESULTS))
            .then(pl.col("_utc"))
            .min()
            .over("chain_id")
        )
        .filter(
            ((pl.col("_final").cum_sum() - pl.col("_final")).over("record_id") == 0)
            & ((pl.col("_utc") <= pl.col("_chain_done")) | pl.col("_chain_done").is_null())
        )
    )


def _duration(c: pl.Expr) -> pl.Expr:
    """Call length in seconds, typical of each result (a connect lasts longest)."""
    return (
        pl.when(c == 33)
        .then(30 + pl.col("_d1") + pl.col("_d2"))
        .when(c.is_in([40, 51]))
        .then(10 + pl.col("_d1") % 80)
        .when(c == 9)
        .then(15 + pl.col("_d1") % 30)
        .when(c == 7)
        .then(20 + pl.col("_d1") % 20)
        .when(c == 21)
        .then(2 + pl.col("_d1") % 28)
        .when(c == 17)
        .then(3 + pl.col("_d1") % 8)
        .otherwise(pl.col("_d1") % 6)
    )


def _disposition(c: pl.Expr) -> pl.Expr:
    """Give the agent's disposition of a connect, wrong party, DNC or some voicemails."""
    return (
        pl.when(c == 33)
        .then(pick(_DISPOSITIONS, pl.col("_disp")))
        .when(c == 40)
        .then(pl.lit("Wrong Party"))
        .when(c == 51)
        .then(pl.lit("Do Not Call Request"))
        .when((c == 9) & (pl.col("_u_vm") < 0.4))
        .then(pl.lit("Left Voicemail"))
    )


def _result_columns() -> list[pl.Expr]:
    """Build the call-result file's columns of each attempt."""
    c = pl.col("_code")
    labels = {int(r): r.label for r in CallResult}
    call_time = (
        pl.when(pl.col("_has_zone"))
        .then(pl.concat_str([pl.col("_local").dt.strftime("%Y-%m-%dT%H:%M:%S"), pl.col("_off")]))
        .otherwise(pl.col("_utc").dt.strftime("%Y-%m-%dT%H:%M:%SZ"))
    )
    return [
        pl.col("record_id"),
        call_time.alias("call_time"),
        pl.when(pl.col("_u_label") < 0.1)
        .then(c.replace_strict(labels, return_dtype=pl.String))
        .otherwise(c.cast(pl.String))
        .alias("call_result"),
        pl.col("attempt").cast(pl.Int64),
        pl.when(c.is_in(_AGENT_RESULTS))
        .then(pl.concat_str([pl.lit("agent_"), pl.col("_agent").cast(pl.String).str.zfill(3)]))
        .alias("agent_id"),
        _duration(c).cast(pl.Int64).alias("duration_s"),
        _disposition(c).alias("disposition"),
    ]


def synthetic_call_results(
    records: pl.LazyFrame, *, start: datetime, days: int, seed: int
) -> pl.LazyFrame:
    """Call results (docs/contract.md §3) for ~70% of the records, 1-4 attempts each, over `days`.

    `records` needs record_id (int), chain_id, contact_info and tz_name (IANA or null). Calls
    fall between 09:00 and 20:00 local time of the record's zone and are written with its
    offset; zoneless records are called 14:00-20:00 New York time and written in UTC ('Z').
    Results follow RESULT_MIX; no attempt of a record follows its final result (connect, DNC,
    wrong party, invalid, fax), no attempt of a chain follows a connect, wrong party or DNC;
    ~10% of results are written by name. Sorted by call time.
    """
    if days < 1:
        raise ValueError(f"days must be >= 1, got {days}")
    known = tzdb.zone_names()
    present = records.select(pl.col("tz_name").unique()).collect().to_series().to_list()
    zones = sorted({z for z in present if isinstance(z, str) and z in known} | {_NO_ZONE_WINDOW})
    return (
        _attempts(records, zones, start=start, days=days, seed=seed)
        .sort("_utc", "record_id", "attempt")
        .select(_result_columns())
    )
