"""Compliance rules as data: the seed CSV plus user overrides, validated, with effective dates."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from datetime import date
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import holidays as holidays_lib
import polars as pl
import yaml

from cxpipeline.errors import CxError

if TYPE_CHECKING:
    import duckdb

SEED_NAME = "us_state_calling_rules.csv"

#: Columns of a rules frame and of the compliance_rules table, in order.
RULE_SCHEMA = pl.Schema(
    {
        "jurisdiction": pl.String(),
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
_REQUIRED = ("jurisdiction", "days", "effective_from")

WEEKDAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
CONFIDENCE = frozenset({"confirmed", "secondary", "unconfirmed", "user"})

_STATE_CODES = (
    "AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV NH "
    "NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY"
)
#: 'US' (federal) and the codes of states, DC and territories whose rules may apply.
JURISDICTIONS = frozenset({"US", "DC", "PR", "VI", "GU", "AS", "MP"} | set(_STATE_CODES.split()))

_TIME = re.compile(r"^([01]\d|2[0-4]):([0-5]\d)$")
_TRUE = {"yes", "true", "y", "1"}
_FALSE = {"no", "false", "n", "0", ""}


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
    """Whether `name` is an IANA zone known to zoneinfo."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return True


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


def _validated_rule(
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
    for name in _REQUIRED:
        if _text(merged.get(name)) == "":
            raise CxError("is required", file=file, row=row, field=name)

    field = ""
    try:
        field = "jurisdiction"
        jurisdiction = _text(merged["jurisdiction"]).upper()
        if jurisdiction not in JURISDICTIONS:
            raise ValueError(f"{jurisdiction!r} is not 'US' or a US state/territory code")
        field = "days"
        days = _text(merged["days"])
        parse_days(days)
        field = "start_local"
        start = _clock_text(merged.get("start_local"))
        field = "end_local"
        end = _clock_text(merged.get("end_local"))
        if (start is None) != (end is None):
            raise ValueError("start_local and end_local are both given or both empty (no calls)")
        if start is not None and end is not None:
            if parse_clock_time(start) >= parse_clock_time(end):
                raise ValueError(f"end {end} is not after start {start}")
            if start == "24:00":
                raise ValueError("a window cannot start at 24:00")
        field = "clock"
        clock = _text(merged.get("clock")) or "local"
        if clock != "local" and not valid_zone(clock):
            raise ValueError(f"{clock!r} is neither 'local' nor an IANA time zone")
        field = "holiday_ban"
        holiday_ban = _flag(merged.get("holiday_ban"))
        field = "max_attempts"
        max_attempts = _positive_int(merged.get("max_attempts"))
        field = "attempt_window_hours"
        window_hours = _positive_int(merged.get("attempt_window_hours"))
        if (max_attempts is None) != (window_hours is None):
            raise ValueError("max_attempts and attempt_window_hours go together")
        field = "area_code_presumption"
        presumption = _flag(merged.get("area_code_presumption"))
        field = "effective_from"
        effective_from = _iso_date(merged.get("effective_from"))
        field = "effective_to"
        effective_to = _iso_date(merged.get("effective_to"))
        if (
            effective_to is not None
            and effective_from is not None
            and (effective_to <= effective_from)
        ):
            raise ValueError(
                "effective_to (first day no longer in force) is not after effective_from"
            )
        field = "confidence"
        confidence = _text(merged.get("confidence")) or "user"
        if confidence not in CONFIDENCE:
            raise ValueError(f"{confidence!r} is not one of {', '.join(sorted(CONFIDENCE))}")
    except ValueError as exc:
        raise CxError(str(exc), file=file, row=row, field=field) from None
    return {
        "jurisdiction": jurisdiction,
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
        "source": _text(merged.get("source")) or None,
        "origin": origin,
        "origin_row": row,
    }


def _check_versions(rows: list[dict[str, Any]]) -> None:
    """Each weekday appears at most once per rule version (jurisdiction, effective_from)."""
    seen: dict[tuple[str, date, int], dict[str, Any]] = {}
    for rule in rows:
        for day in parse_days(rule["days"]):
            key = (rule["jurisdiction"], rule["effective_from"], day)
            if key in seen:
                other = seen[key]
                raise CxError(
                    f"{WEEKDAY_NAMES[day - 1]} of {rule['jurisdiction']} from "
                    f"{rule['effective_from']} is already covered by {other['origin']} "
                    f"row {other['origin_row']}",
                    file=rule["origin"],
                    row=rule["origin_row"],
                    field="days",
                )
            seen[key] = rule


# --------------------------------------------------------------------------- loading


def seed_path() -> Path:
    """Return the path of the packaged seed CSV of US calling rules."""
    return Path(str(files("cxpipeline") / "seeds" / SEED_NAME))


def _read_csv_rules(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in _REQUIRED if c not in (reader.fieldnames or [])]
        if missing:
            raise CxError("missing column", file=str(path), field=missing[0])
        return [
            _validated_rule(
                {k: v for k, v in raw.items() if k is not None},
                origin=f"seed:{path.name}",
                row=n,
                defaults={},
                file=str(path),
            )
            for n, raw in enumerate(reader, start=1)
        ]


def _read_yaml_rules(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        raise CxError("rules file not found", file=str(path))
    try:
        document = yaml.safe_load(path.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise CxError(
            f"not valid YAML ({getattr(exc, 'problem', exc)})",
            file=str(path),
            row=mark.line + 1 if mark is not None else None,
        ) from None
    if document is None:
        return []
    if not isinstance(document, dict) or not isinstance(document.get("rules", []), list):
        raise CxError("expected a mapping with a 'rules:' list", file=str(path), field="rules")
    out = []
    for n, entry in enumerate(document.get("rules") or [], start=1):
        if not isinstance(entry, dict):
            raise CxError("each rule is a mapping of fields", file=str(path), row=n)
        out.append(_validated_rule(entry, origin=str(path), row=n, defaults={"confidence": "user"}))
    return out


def load_rules(overrides_path: Path | None = None) -> pl.DataFrame:
    """Load the seed rules plus optional user overrides into one validated rules frame.

    Rules are grouped in *versions*: all rows of one jurisdiction with the same
    ``effective_from``. The version in force on a date is the one with the latest
    ``effective_from`` on or before it, so a later version supersedes an earlier one;
    ``effective_to`` (exclusive: the first date no longer in force) is filled with the start of
    the next version when not given. A weekday a version does not mention is unrestricted by it.

    Overrides YAML (every rule of one version replaces the seed rows of the same jurisdiction and
    ``effective_from``; a new ``effective_from`` adds a version)::

        rules:
          - jurisdiction: NY            # 'US' (federal) or a state/territory code
            days: Mon-Sat               # Mon-Sun, Mon-Fri, Sat, Sun, Mon,Wed-Fri ...
            start_local: "09:00"        # quoted HH:MM; both empty = no calls on those days
            end_local: "20:00"          # up to "24:00"
            clock: local                # optional: 'local' or a fixed IANA zone (Etc/GMT+6)
            holiday_ban: no             # optional: no calls on the state's legal holidays
            max_attempts: 3             # optional, with attempt_window_hours: calls per chain
            attempt_window_hours: 24
            area_code_presumption: no   # optional
            effective_from: 2027-01-01  # required
            effective_to: 2028-01-01    # optional, exclusive
            confidence: user            # optional: confirmed, secondary, unconfirmed, user
            source: "NY GBL 399-z"      # optional free text
          - jurisdiction: NY
            days: Sun
            effective_from: 2027-01-01  # no times: no calls on Sundays

    Errors name the file, the 1-based rule (CSV data row or YAML list entry) and the field.
    """
    rows = _read_csv_rules(seed_path())
    if overrides_path is not None:
        user = _read_yaml_rules(Path(overrides_path))
        _check_versions(user)
        replaced = {(r["jurisdiction"], r["effective_from"]) for r in user}
        rows = [r for r in rows if (r["jurisdiction"], r["effective_from"]) not in replaced] + user
    _check_versions(rows)
    frame = pl.DataFrame(rows, schema=RULE_SCHEMA, orient="row")
    return with_version_ends(frame).sort("jurisdiction", "effective_from", "origin_row")


def with_version_ends(rules: pl.DataFrame) -> pl.DataFrame:
    """Fill effective_to with the start of the jurisdiction's next version, if that is earlier."""
    starts = (
        rules.select("jurisdiction", "effective_from")
        .unique()
        .sort("jurisdiction", "effective_from")
        .with_columns(_next=pl.col("effective_from").shift(-1).over("jurisdiction"))
    )
    return (
        rules.join(starts, on=["jurisdiction", "effective_from"], how="left")
        .with_columns(effective_to=pl.min_horizontal("effective_to", "_next"))
        .drop("_next")
        .select(rules.columns)
    )


def rule_days(rules: pl.DataFrame) -> pl.DataFrame:
    """Expand rules to one row per weekday: jurisdiction, weekday (1=Mon), start_min, end_min.

    ``start_min``/``end_min`` are minutes after midnight in ``clock``; both null = no calls that
    day. Also carries clock, holiday_ban, max_attempts, attempt_window_hours, effective_from and
    effective_to (exclusive, null = open).
    """
    needed = [c for c in RULE_FIELDS if c not in {"area_code_presumption", "confidence", "source"}]
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


# --------------------------------------------------------------------------- holidays


def state_holidays(jurisdictions: Iterable[str], start: date, end: date) -> pl.DataFrame:
    """Legal holidays from the `holidays` package: jurisdiction, date, holiday_name (start..end).

    'US' gives the federal calendar; a state code gives its calendar (federal plus state days).
    One call per jurisdiction and year range, not per record.
    """
    years = list(range(start.year, end.year + 1))
    rows: list[tuple[str, date, str]] = []
    for code in sorted(set(jurisdictions)):
        subdiv = None if code == "US" else code
        if subdiv is not None and subdiv not in holidays_lib.US.subdivisions:
            continue
        calendar = holidays_lib.country_holidays("US", subdiv=subdiv, years=years)
        rows.extend((code, day, name) for day, name in calendar.items() if start <= day <= end)
    return pl.DataFrame(
        rows,
        schema={"jurisdiction": pl.String, "date": pl.Date, "holiday_name": pl.String},
        orient="row",
    ).sort("jurisdiction", "date")


# --------------------------------------------------------------------------- warehouse


def store_rules(con: duckdb.DuckDBPyConnection, rules_df: pl.DataFrame) -> int:
    """Replace the contents of compliance_rules with `rules_df` in one transaction."""
    # Imported here so transforms that use the pure helpers above never load DuckDB.
    from cxpipeline import warehouse

    frame = rules_df.select(list(RULE_SCHEMA)).cast(RULE_SCHEMA)
    con.execute(warehouse.load_sql("compliance_rules"))
    columns = ", ".join(warehouse.quote_identifier(c, set(RULE_SCHEMA)) for c in RULE_SCHEMA)
    con.register("_rules_in", frame.to_arrow())
    try:
        with warehouse.transaction(con):
            con.execute("DELETE FROM compliance_rules")
            con.execute(
                f"INSERT INTO compliance_rules ({columns}) SELECT {columns} FROM _rules_in"  # noqa: S608
            )
    finally:
        con.unregister("_rules_in")
    return frame.height


def read_rules(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Read compliance_rules back as a rules frame."""
    from cxpipeline import warehouse

    columns = ", ".join(warehouse.quote_identifier(c, set(RULE_SCHEMA)) for c in RULE_SCHEMA)
    frame = con.sql(f"SELECT {columns} FROM compliance_rules").pl()  # noqa: S608
    return frame.cast(RULE_SCHEMA)
