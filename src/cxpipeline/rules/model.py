"""The compliance rule model: rule fields and types, validation, and pure frame helpers.

Nothing here reads files or opens DuckDB, so transforms may import it; loading the seed CSV and
overrides YAML and storing rules live in `cxpipeline.rules.store`.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from datetime import date
from typing import Any, TypeVar

import polars as pl

from cxpipeline import tzdb
from cxpipeline.errors import CxError

#: Columns of a rules frame and of the compliance_rules table, in order.
RULE_SCHEMA = pl.Schema(
    {
        "jurisdiction": pl.String(),
        "purpose": pl.String(),
        "days": pl.String(),
        "start_local": pl.String(),
        "end_local": pl.String(),
        "clock": pl.String(),
        "holiday_ban": pl.Boolean(),
        "max_attempts": pl.Int64(),
        "attempt_window_hours": pl.Int64(),
        "area_code_presumption": pl.Boolean(),
        "effective_from": pl.Date(),
        "effective_to": pl.Date(),
        "confidence": pl.String(),
        "source": pl.String(),
        "origin": pl.String(),
        "origin_row": pl.Int64(),
    }
)

#: Keys a rule may have in the CSV or the overrides YAML (origin and origin_row are ours).
RULE_FIELDS = tuple(k for k in RULE_SCHEMA if k not in {"origin", "origin_row"})
#: Keys every rule must give (after defaults).
REQUIRED_FIELDS = ("jurisdiction", "days", "effective_from")

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CONFIDENCE = frozenset({"confirmed", "secondary", "unconfirmed", "user"})

_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
)
#: 'US' (federal), the codes of states, DC and territories whose rules may apply, and 'CAN'
#: (Canada's national rules: the CRTC Unsolicited Telecommunications Rules).
JURISDICTIONS = frozenset(
    {"US", "DC", "PR", "VI", "GU", "AS", "MP", "CAN"} | set(_STATE_CODES.split())
)
#: Campaign purposes a rule may bind (campaign setting `purpose`); a rule of purpose 'all'
#: binds every campaign.
PURPOSES = ("telemarketing", "collections", "informational")

_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_TRUE = {"yes", "true", "y", "1"}
_FALSE = {"no", "false", "n", "0", ""}

_T = TypeVar("_T")


# --------------------------------------------------------------------------- parsing helpers


def parse_days(text: str) -> list[int]:
    """Return ISO weekdays (Mon=1 … Sun=7) of a day set like 'Mon-Fri', 'Sat' or 'Mon,Wed-Fri'."""
    out: list[int] = []
    for part in str(text).split(","):
        ends = [p.strip().capitalize()[:3] for p in part.split("-")]
        if len(ends) not in (1, 2) or any(e not in WEEKDAY_NAMES for e in ends):
            raise ValueError(f"{text!r} is not a day set like Mon-Sun, Mon-Fri, Sat or Sun")
        first, last = WEEKDAY_NAMES.index(ends[0]) + 1, WEEKDAY_NAMES.index(ends[-1]) + 1
        if last < first:
            raise ValueError(f"day range {part.strip()!r} runs backwards")
        out.extend(range(first, last + 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{text!r} names a day twice")
    return sorted(out)


def parse_clock_time(text: str) -> int:
    """Return minutes after midnight of 'HH:MM' (00:00 … 24:00)."""
    match = _TIME.match(str(text).strip())
    if not match or (match.group(1) == "24" and match.group(2) != "00"):
        raise ValueError(f"{text!r} is not a time HH:MM between 00:00 and 24:00")
    return int(match.group(1)) * 60 + int(match.group(2))


def valid_zone(name: str) -> bool:
    """Whether `name` is an IANA zone of the pinned tzdata release (cxpipeline.tzdb)."""
    return tzdb.is_zone(name)


def _text(value: object) -> str:
    return "" if value is None else str(value).strip()


def _flag(value: object) -> bool:
    if isinstance(value, bool):
        return value
    text = _text(value).lower()
    if text in _TRUE:
        return True
    if text in _FALSE:
        return False
    raise ValueError(f"{value!r} is not yes/no")


def _positive_int(value: object) -> int | None:
    if value is None or _text(value) == "":
        return None
    if isinstance(value, bool):
        raise ValueError(f"{value!r} is not a positive whole number")
    try:
        number = int(_text(value))
    except ValueError:
        raise ValueError(f"{value!r} is not a positive whole number") from None
    if number <= 0:
        raise ValueError(f"{value!r} is not a positive whole number")
    return number


def _iso_date(value: object) -> date | None:
    if isinstance(value, date):
        return value
    text = _text(value)
    if not text:
        return None
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise ValueError(f"{value!r} is not an ISO date YYYY-MM-DD") from None


def _clock_text(value: object) -> str | None:
    # PyYAML reads unquoted 10:00 as the sexagesimal integer 600: refuse rather than guess.
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise ValueError(f'times must be quoted text like "10:00", got the number {value!r}')
    text = _text(value)
    if not text:
        return None
    parse_clock_time(text)
    return text


# --------------------------------------------------------------------------- field checks


class _FieldError(ValueError):
    """A ValueError that knows which rule field it is about."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def _at(field: str, check: Callable[..., _T], *args: Any) -> _T:
    """Run `check(*args)`, naming `field` in any ValueError it raises."""
    try:
        return check(*args)
    except ValueError as exc:
        raise _FieldError(field, str(exc)) from None


def _jurisdiction(value: object) -> str:
    jurisdiction = _text(value).upper()
    if jurisdiction not in JURISDICTIONS:
        raise ValueError(f"{jurisdiction!r} is not 'US', 'CAN' or a US state/territory code")
    return jurisdiction


def _purpose(value: object) -> str:
    purpose = _text(value).lower() or "all"
    if purpose != "all" and purpose not in PURPOSES:
        raise ValueError(f"{purpose!r} is not 'all' or one of {', '.join(PURPOSES)}")
    return purpose


def _day_set(value: object) -> str:
    days = _text(value)
    parse_days(days)
    return days


def _end_local(start: str | None, value: object) -> str | None:
    """Parse the end time and check it against the start: both or neither, end after start."""
    end = _clock_text(value)
    if (start is None) != (end is None):
        raise ValueError("start_local and end_local are both given or both empty (no calls)")
    if start is not None and end is not None:
        if parse_clock_time(start) >= parse_clock_time(end):
            raise ValueError(f"end {end} is not after start {start}")
        if start == "24:00":
            raise ValueError("a window cannot start at 24:00")
    return end


def _clock(value: object) -> str:
    clock = _text(value) or "local"
    if clock != "local" and not valid_zone(clock):
        raise ValueError(f"{clock!r} is neither 'local' nor an IANA time zone")
    return clock


def _window_hours(max_attempts: int | None, value: object) -> int | None:
    window_hours = _positive_int(value)
    if (max_attempts is None) != (window_hours is None):
        raise ValueError("max_attempts and attempt_window_hours go together")
    return window_hours


def _effective_to(effective_from: date | None, value: object) -> date | None:
    effective_to = _iso_date(value)
    if effective_to is not None and effective_from is not None and effective_to <= effective_from:
        raise ValueError("effective_to (first day no longer in force) is not after effective_from")
    return effective_to


def _confidence(value: object) -> str:
    confidence = _text(value) or "user"
    if confidence not in CONFIDENCE:
        raise ValueError(f"{confidence!r} is not one of {', '.join(sorted(CONFIDENCE))}")
    return confidence


def _typed_fields(merged: Mapping[str, Any]) -> dict[str, Any]:
    """Every checked rule field, typed; checked in column order so the first fault is named."""
    get = merged.get
    jurisdiction = _at("jurisdiction", _jurisdiction, merged["jurisdiction"])
    purpose = _at("purpose", _purpose, get("purpose"))
    days = _at("days", _day_set, merged["days"])
    start = _at("start_local", _clock_text, get("start_local"))
    end = _at("end_local", _end_local, start, get("end_local"))
    clock = _at("clock", _clock, get("clock"))
    holiday_ban = _at("holiday_ban", _flag, get("holiday_ban"))
    max_attempts = _at("max_attempts", _positive_int, get("max_attempts"))
    window_hours = _at(
        "attempt_window_hours", _window_hours, max_attempts, get("attempt_window_hours")
    )
    presumption = _at("area_code_presumption", _flag, get("area_code_presumption"))
    effective_from = _at("effective_from", _iso_date, get("effective_from"))
    effective_to = _at("effective_to", _effective_to, effective_from, get("effective_to"))
    confidence = _at("confidence", _confidence, get("confidence"))
    return {
        "jurisdiction": jurisdiction,
        "purpose": purpose,
        "days": days,
        "start_local": start,
        "end_local": end,
        "clock": clock,
        "holiday_ban": holiday_ban,
        "max_attempts": max_attempts,
        "attempt_window_hours": window_hours,
        "area_code_presumption": presumption,
        "effective_from": effective_from,
        "effective_to": effective_to,
        "confidence": confidence,
    }


# --------------------------------------------------------------------------- rules


def validated_rule(
    raw: Mapping[str, Any],
    *,
    origin: str,
    row: int,
    defaults: Mapping[str, Any],
    file: str | None = None,
) -> dict[str, Any]:
    """Check one rule and return it typed; any problem raises CxError naming file, row, field."""
    file = file or origin
    unknown = sorted(set(raw) - set(RULE_FIELDS))
    if unknown:
        raise CxError(
            f"unknown rule field (known: {', '.join(RULE_FIELDS)})",
            file=file,
            row=row,
            field=unknown[0],
        )
    merged = {**defaults, **{k: v for k, v in raw.items() if v is not None}}
    for name in REQUIRED_FIELDS:
        if _text(merged.get(name)) == "":
            raise CxError("is required", file=file, row=row, field=name)
    try:
        typed = _typed_fields(merged)
    except _FieldError as exc:
        raise CxError(str(exc), file=file, row=row, field=exc.field) from None
    return {
        **typed,
        "source": _text(merged.get("source")) or None,
        "origin": origin,
        "origin_row": row,
    }


def check_versions(rows: list[dict[str, Any]]) -> None:
    """Each weekday appears at most once per version (jurisdiction, purpose, effective_from)."""
    seen: dict[tuple[str, str, date, int], dict[str, Any]] = {}
    for rule in rows:
        for day in parse_days(rule["days"]):
            key = (rule["jurisdiction"], rule["purpose"], rule["effective_from"], day)
            if key in seen:
                other = seen[key]
                raise CxError(
                    f"{WEEKDAY_NAMES[day - 1]} of {rule['jurisdiction']} ({rule['purpose']}) from "
                    f"{rule['effective_from']} is already covered by {other['origin']} "
                    f"row {other['origin_row']}",
                    file=rule["origin"],
                    row=rule["origin_row"],
                    field="days",
                )
            seen[key] = rule


# --------------------------------------------------------------------------- rule frames


def with_version_ends(rules: pl.DataFrame) -> pl.DataFrame:
    """Fill effective_to with the start of the next version of its lineage, if that is earlier.

    A lineage is a jurisdiction and purpose; a frame without `purpose` gets 'all'.
    """
    if "purpose" not in rules.columns:
        rules = rules.with_columns(purpose=pl.lit("all"))
    lineage = ["jurisdiction", "purpose"]
    starts = (
        rules.select(*lineage, "effective_from")
        .unique()
        .sort(*lineage, "effective_from")
        .with_columns(_next=pl.col("effective_from").shift(-1).over(lineage))
    )
    return (
        rules.join(starts, on=[*lineage, "effective_from"], how="left")
        .with_columns(effective_to=pl.min_horizontal("effective_to", "_next"))
        .drop("_next")
        .select(rules.columns)
    )


def rule_days(rules: pl.DataFrame) -> pl.DataFrame:
    """Expand rules to one row per weekday: jurisdiction, purpose, weekday (1=Mon), start/end_min.

    ``start_min``/``end_min`` are minutes after midnight in ``clock``; both null = no calls that
    day. Also carries clock, holiday_ban, max_attempts, attempt_window_hours, effective_from and
    effective_to (exclusive, null = open).
    """
    needed = [c for c in RULE_FIELDS if c not in {"area_code_presumption", "confidence", "source"}]
    if "purpose" not in rules.columns:
        rules = rules.with_columns(purpose=pl.lit("all"))
    rules = rules.select(needed).cast({c: RULE_SCHEMA[c] for c in needed})
    day_sets = rules.select("days").unique()
    day_map = day_sets.with_columns(
        weekday=pl.Series([parse_days(d) for d in day_sets["days"]], dtype=pl.List(pl.Int8))
    )
    times = pl.concat([rules["start_local"], rules["end_local"]]).drop_nulls().unique()
    time_map = pl.DataFrame(
        {"_t": times, "_min": [parse_clock_time(t) for t in times]},
        schema={"_t": pl.String, "_min": pl.Int64},
    )
    return (
        rules.join(day_map, on="days", how="left")
        .explode("weekday")
        .join(
            time_map.rename({"_t": "start_local", "_min": "start_min"}),
            on="start_local",
            how="left",
        )
        .join(time_map.rename({"_t": "end_local", "_min": "end_min"}), on="end_local", how="left")
        .select(
            "jurisdiction",
            "purpose",
            "weekday",
            "start_min",
            "end_min",
            "clock",
            "holiday_ban",
            "max_attempts",
            "attempt_window_hours",
            "effective_from",
            "effective_to",
        )
    )
