"""Call results file: type its raw text columns and name the first bad field of each row."""

from __future__ import annotations

from datetime import UTC, datetime

import polars as pl

from cxpipeline.codes import result_group_table
from cxpipeline.errors import InputError

__all__ = ["OPTIONAL_COLUMNS", "REQUIRED_COLUMNS", "parsed_call_results"]

REQUIRED_COLUMNS: tuple[str, ...] = ("record_id", "call_time", "call_result")
OPTIONAL_COLUMNS: tuple[str, ...] = ("attempt", "agent_id", "duration_s", "disposition")
# A callback the agent set: when (ISO 8601 with offset, or epoch s) and for whom.
OPTIONAL_COLUMNS += ("callback_time", "callback_type")
_CALLBACK_TYPES = ("personal", "campaign")

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


def _text_columns(raw: pl.LazyFrame) -> pl.LazyFrame:
    """`source_row` and every known column as trimmed text `_<name>`; optional ones may be absent.

    Raises InputError when a required column is missing from the file.
    """
    names = raw.collect_schema().names()
    missing = [c for c in REQUIRED_COLUMNS if c not in names]
    if missing:
        raise InputError(f"call results lack required column(s): {', '.join(missing)}")
    absent = [pl.lit(None, pl.String).alias(c) for c in OPTIONAL_COLUMNS if c not in names]
    if "source_row" not in names:
        absent.append(pl.int_range(1, pl.len() + 1, dtype=pl.Int64).alias("source_row"))
    return raw.with_columns(absent).select(
        pl.col("source_row").cast(pl.Int64),
        *[_blank_to_null(c).alias(f"_{c}") for c in (*REQUIRED_COLUMNS, *OPTIONAL_COLUMNS)],
    )


def _typed(text: pl.LazyFrame) -> pl.LazyFrame:
    """Typed columns (null where the text does not parse), and the result as a code or a name."""
    return text.with_columns(
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
        callback_time_utc=_parsed_time(pl.col("_callback_time")),
        callback_type=pl.col("_callback_type").str.to_lowercase(),
    )


def _with_result_codes(typed: pl.LazyFrame) -> pl.LazyFrame:
    """Add `call_result` and `result_group` (null when the code or name is unknown)."""
    lookup = _result_lookup()
    # Codes and names are both resolved by joins against the one code table.
    by_code = lookup.select(
        pl.col("_code").alias("_code_given"),
        pl.col("_code").alias("_by_code"),
        pl.col("result_group").alias("_group_by_code"),
    )
    by_name = lookup.select(
        "_name", pl.col("_code").alias("_by_name"), pl.col("result_group").alias("_group_by_name")
    )
    return (
        typed.join(by_code, on="_code_given", how="left", maintain_order="left")
        .join(by_name, on="_name", how="left", maintain_order="left")
        .with_columns(
            call_result=pl.coalesce("_by_code", "_by_name"),
            result_group=pl.coalesce("_group_by_code", "_group_by_name"),
        )
    )


def _checks() -> list[tuple[str, pl.Expr, pl.Expr]]:
    """(field, failed, reason) of every row check, in the order they are reported."""
    t = pl.col("call_time_utc")
    return [
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
        (
            "callback_time",
            pl.col("_callback_time").is_not_null() & pl.col("callback_time_utc").is_null(),
            pl.lit("callback_time is neither ISO 8601 with a UTC offset nor epoch seconds: ")
            + pl.col("_callback_time"),
        ),
        (
            "callback_type",
            pl.col("callback_type").is_not_null() & ~pl.col("callback_type").is_in(_CALLBACK_TYPES),
            pl.lit("callback_type is not personal or campaign: ") + pl.col("_callback_type"),
        ),
    ]


def _first_failure() -> tuple[pl.Expr, pl.Expr]:
    """Field and reason of the first failing check (both null when every check passes)."""
    field: pl.Expr = pl.lit(None, pl.String)
    reason: pl.Expr = pl.lit(None, pl.String)
    # Fold from the last check to the first so the first failing check wins.
    for name, failed, why in reversed(_checks()):
        field = pl.when(failed.fill_null(False)).then(pl.lit(name)).otherwise(field)
        reason = pl.when(failed.fill_null(False)).then(why).otherwise(reason)
    return field, reason


def parsed_call_results(raw: pl.LazyFrame) -> pl.LazyFrame:
    """Type the raw text columns of a call results file and name the first bad field per row.

    Output: `source_row`, `record_id`, `call_time_utc` (ts), `call_result` (int, accepted as a
    code or a name of docs/domain.md §3.3, case, space and underscore insensitive), `result_group`,
    `attempt`, `agent_id`, `duration_s` (float seconds), `disposition`, `callback_time_utc`,
    `callback_type` (`personal` / `campaign`), and `parse_error_field` /
    `parse_error` (both null when the row is fine). Raises InputError when a required column is
    missing from the file.
    """
    joined = _with_result_codes(_typed(_text_columns(raw)))
    field, reason = _first_failure()
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
        "callback_time_utc",
        "callback_type",
        field.alias("parse_error_field"),
        reason.alias("parse_error"),
    )
