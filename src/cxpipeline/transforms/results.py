"""Call results: parse the raw file, key and attach them to records, and derive record state."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from cxpipeline.codes import (
    RESULT_GROUPS,
    CallResult,
    RecordStatus,
    RecordType,
    ResultGroup,
    result_group_table,
)
from cxpipeline.errors import InputError

TS = pl.Datetime("us", "UTC")

REQUIRED_COLUMNS: tuple[str, ...] = ("record_id", "call_time", "call_result")
OPTIONAL_COLUMNS: tuple[str, ...] = ("attempt", "agent_id", "duration_s", "disposition")

#: Results that finish the record itself for this pass (record_status 3 Updated).
FINAL_RESULTS: frozenset[int] = frozenset(
    {int(CallResult.ANSWER)}
    | {int(c) for c in RESULT_GROUPS[ResultGroup.FINAL_NEGATIVE]}
    | {int(c) for c in RESULT_GROUPS[ResultGroup.INVALID_NUMBER]}
)

#: Outcomes about the customer, not the number, so they finish the whole chain (domain.md §4).
#: Invalid-number results (SIT, 53 Wrong Number) only finish their own record: the customer's
#: other numbers are still worth dialing.
CHAIN_FINAL_RESULTS: frozenset[int] = frozenset(
    {int(CallResult.ANSWER)} | {int(c) for c in RESULT_GROUPS[ResultGroup.FINAL_NEGATIVE]}
)

#: No-contact results that schedule a retry after the list's retry interval.
RETRYABLE_RESULTS: frozenset[int] = frozenset(int(c) for c in RESULT_GROUPS[ResultGroup.NO_CONTACT])

DNC_REASON = "do_not_call_result"

# Call times outside this range are data errors (a date without separators, or epoch ms).
_EARLIEST = datetime(2000, 1, 1, tzinfo=UTC)
_LATEST = datetime(2100, 1, 1, tzinfo=UTC)


def _name_key(expr: pl.Expr) -> pl.Expr:
    """Fold a result name: 'Answering Machine', 'answering_machine', 'ANSWERING-MACHINE' meet."""
    return expr.str.to_lowercase().str.replace_all(r"[^a-z0-9]", "")


def _result_lookup() -> pl.LazyFrame:
    """Code, folded name and group of every call result, for joining."""
    rows = result_group_table()
    return pl.LazyFrame(
        {
            "_code": [r[0] for r in rows],
            "_label": [r[1] for r in rows],
            "result_group": [r[2] for r in rows],
        },
        schema={"_code": pl.Int64, "_label": pl.String, "result_group": pl.String},
    ).with_columns(_name=_name_key(pl.col("_label")))


def _blank_to_null(name: str) -> pl.Expr:
    """Trimmed text of a column with empty cells as null."""
    text = pl.col(name).cast(pl.String).str.strip_chars()
    return pl.when(text == "").then(None).otherwise(text)


def _parsed_time(text: pl.Expr) -> pl.Expr:
    """ISO 8601 with an offset (or Z), or epoch seconds, as a UTC timestamp; null if neither."""
    iso = text.str.replace(r"[zZ]$", "+00:00").str.replace(" ", "T")
    with_seconds = iso.str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%z", strict=False, time_unit="us", time_zone="UTC"
    )
    minutes_only = iso.str.to_datetime(
        "%Y-%m-%dT%H:%M%z", strict=False, time_unit="us", time_zone="UTC"
    )
    is_epoch = text.str.contains(r"^[0-9]+(\.[0-9]+)?$")
    epoch_us = (
        (text.cast(pl.Float64, strict=False) * 1_000_000).round().cast(pl.Int64, strict=False)
    )
    epoch = pl.from_epoch(epoch_us, time_unit="us").dt.replace_time_zone("UTC")
    return pl.when(is_epoch).then(epoch).otherwise(pl.coalesce(with_seconds, minutes_only))


def parsed_call_results(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Type the raw text columns of a call results file and name the first bad field per row.

    Output: `source_row`, `record_id`, `call_time_utc` (ts), `call_result` (int, accepted as a
    code or a name of domain.md §3.3, case, space and underscore insensitive), `result_group`,
    `attempt`, `agent_id`, `duration_s` (float seconds), `disposition`, and `parse_error_field` /
    `parse_error` (both null when the row is fine). Raises InputError when a required column is
    missing from the file.
    """
    names = raw.collect_schema().names()
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InputError(f"call results lack required column(s): {', '.join(missing)}")
    absent = [pl.lit(None, pl.String).alias(c) for c in OPTIONAL_COLUMNS if c not in names]
    if "source_row" not in names:
        absent.append(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row"))

    lookup = _result_lookup()
    text = raw.with_columns(absent).select(
        pl.col("source_row").cast(pl.Int64),
        *[_blank_to_null(c).alias(f"_{c}") for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)],
    )
    typed = text.with_columns(
        record_id=pl.when(pl.col("_record_id").str.contains(r"^[0-9]+$")).then(
            pl.col("_record_id").cast(pl.Int64, strict=False)
        ),
        call_time_utc=_parsed_time(pl.col("_call_time")),
        _code_given=pl.when(pl.col("_call_result").str.contains(r"^[0-9]+$")).then(
            pl.col("_call_result").cast(pl.Int64, strict=False)
        ),
        _name=pl.when(~pl.col("_call_result").str.contains(r"^[0-9]+$")).then(
            _name_key(pl.col("_call_result"))
        ),
        attempt=pl.when(pl.col("_attempt").str.contains(r"^[0-9]+$")).then(
            pl.col("_attempt").cast(pl.Int64, strict=False)
        ),
        duration_s=pl.col("_duration_s").cast(pl.Float64, strict=False),
        agent_id=pl.col("_agent_id"),
        disposition=pl.col("_disposition"),
    )
    # Codes and names are both resolved by joins against the one code table.
    by_code = lookup.select(
        pl.col("_code").alias("_code_given"),
        pl.col("_code").alias("_by_code"),
        pl.col("result_group").alias("_group_by_code"),
    )
    by_name = lookup.select(
        "_name", pl.col("_code").alias("_by_name"), pl.col("result_group").alias("_group_by_name")
    )
    joined = (
        typed.join(by_code, on="_code_given", how="left", maintain_order="left")
        .join(by_name, on="_name", how="left", maintain_order="left")
        .with_columns(
            call_result=pl.coalesce("_by_code", "_by_name"),
            result_group=pl.coalesce("_group_by_code", "_group_by_name"),
        )
    )
    t = pl.col("call_time_utc")
    checks: list[tuple[str, pl.Expr, pl.Expr]] = [
        ("record_id", pl.col("_record_id").is_null(), pl.lit("missing record_id")),
        (
            "record_id",
            pl.col("record_id").is_null(),
            pl.lit("record_id is not a whole number: ") + pl.col("_record_id"),
        ),
        ("call_time", pl.col("_call_time").is_null(), pl.lit("missing call_time")),
        (
            "call_time",
            t.is_null(),
            pl.lit("call_time is neither ISO 8601 with a UTC offset nor epoch seconds: ")
            + pl.col("_call_time"),
        ),
        (
            "call_time",
            (t < _EARLIEST) | (t >= _LATEST),
            pl.lit("call_time out of range 2000-2099 (epoch seconds expected): ")
            + pl.col("_call_time"),
        ),
        ("call_result", pl.col("_call_result").is_null(), pl.lit("missing call_result")),
        (
            "call_result",
            pl.col("call_result").is_null(),
            pl.lit("unknown call_result: ") + pl.col("_call_result"),
        ),
        (
            "attempt",
            pl.col("_attempt").is_not_null()
            & (pl.col("attempt").is_null() | (pl.col("attempt") < 1)),
            pl.lit("attempt is not a positive whole number: ") + pl.col("_attempt"),
        ),
        (
            "duration_s",
            pl.col("_duration_s").is_not_null()
            & (
                pl.col("duration_s").is_null()
                | pl.col("duration_s").is_nan()
                | (pl.col("duration_s") < 0)
            ),
            pl.lit("duration_s is not a non-negative number: ") + pl.col("_duration_s"),
        ),
    ]
    field: pl.Expr = pl.lit(None, pl.String)
    reason: pl.Expr = pl.lit(None, pl.String)
    # Fold from the last check to the first so the first failing check wins.
    for name, failed, why in reversed(checks):
        field = pl.when(failed.fill_null(False)).then(pl.lit(name)).otherwise(field)
        reason = pl.when(failed.fill_null(False)).then(why).otherwise(reason)
    return joined.select(
        "source_row",
        "record_id",
        "call_time_utc",
        "call_result",
        "result_group",
        "attempt",
        "agent_id",
        "duration_s",
        "disposition",
        field.alias("parse_error_field"),
        reason.alias("parse_error"),
    )


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
    running = (
        seen.sort("record_id", "call_time_utc", "result_key")
        .with_columns(_running=(pl.int_range(pl.len(), dtype=pl.Int64) + 1).over("record_id"))
        .select("result_key", "_running")
    )
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


def record_state(
    records: pl.LazyFrame, results: pl.LazyFrame, *, retry_interval_minutes: int
) -> pl.LazyFrame:
    """Return the records with their state recomputed from all their results (domain.md §4).

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
    defaults = {
        "attempt": pl.lit(0, pl.Int64),
        "call_result": pl.lit(int(CallResult.UNKNOWN), pl.Int64),
        "call_time": pl.lit(None, pl.Int64),
        "dial_sched_time": pl.lit(None, pl.Int64),
        "record_type": pl.lit(int(RecordType.GENERAL), pl.Int64),
        "record_status": pl.lit(int(RecordStatus.READY), pl.Int64),
        "no_call_reason": pl.lit(None, pl.String),
    }
    base = records.with_columns(
        [expr.alias(name) for name, expr in defaults.items() if name not in names]
    )
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
    state = base.join(per_record, on="record_id", how="left", maintain_order="left").with_columns(
        _own_final=own_final,
        _chain_done=last.is_in(sorted(CHAIN_FINAL_RESULTS)).fill_null(False).any().over("chain_id"),
        _chain_dnc=pl.col("_dnc").fill_null(False).any().over("chain_id"),
        _last_epoch=pl.col("_last_time").dt.epoch("s"),
    )
    status = (
        pl.when(pl.col("_own_final"))
        .then(pl.lit(int(RecordStatus.UPDATED)))
        .when(pl.col("_chain_done"))
        .then(pl.lit(int(RecordStatus.CHAIN_UPDATED)))
        .when(has_results)
        .then(pl.lit(int(RecordStatus.READY)))
        .otherwise(pl.col("record_status"))
    )
    dnc = pl.col("_chain_dnc")
    retry = (
        has_results
        & ~pl.col("_own_final")
        & ~pl.col("_chain_done")
        & ~dnc
        & last.is_in(sorted(RETRYABLE_RESULTS))
    )
    sched = (
        pl.when(retry)
        .then(pl.col("_last_epoch") + retry_interval_minutes * 60)
        .when(has_results | pl.col("_chain_done") | dnc)
        .then(pl.lit(None, pl.Int64))
        .otherwise(pl.col("dial_sched_time"))
    )
    dtypes = base.collect_schema()
    return state.with_columns(
        attempt=pl.when(has_results).then(pl.col("_n")).otherwise(pl.col("attempt")),
        call_result=pl.when(has_results).then(last).otherwise(pl.col("call_result")),
        call_time=pl.when(has_results).then(pl.col("_last_epoch")).otherwise(pl.col("call_time")),
        record_status=status,
        record_type=pl.when(dnc)
        .then(pl.lit(int(RecordType.NO_CALL)))
        .otherwise(pl.col("record_type")),
        no_call_reason=pl.when(dnc)
        .then(pl.coalesce(pl.col("no_call_reason"), pl.lit(DNC_REASON)))
        .otherwise(pl.col("no_call_reason")),
        dial_sched_time=sched,
    ).select(
        # Keep the records' own column order and types so the frame writes back unchanged.
        [
            pl.col(c).cast(dtypes[c]) if c in defaults and dtypes[c] != pl.Null else pl.col(c)
            for c in dtypes.names()
        ]
    )
