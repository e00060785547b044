"""Loading and storing rules: the seed CSV, user overrides YAML and the compliance_rules table."""

from __future__ import annotations

import csv
from importlib.resources import files
from pathlib import Path
from typing import TYPE_CHECKING, Any

import polars as pl
import yaml

from cxpipeline.errors import CxError
from cxpipeline.rules.model import (
    REQUIRED_FIELDS,
    RULE_SCHEMA,
    check_versions,
    validated_rule,
    with_version_ends,
)

if TYPE_CHECKING:
    import duckdb

SEED_NAME = "us_state_calling_rules.csv"
#: More seed files, read after SEED_NAME: Canada's national (CRTC) telemarketing hours.
MORE_SEEDS = ("canada_calling_rules.csv",)


# --------------------------------------------------------------------------- loading


def seed_path(name: str = SEED_NAME) -> Path:
    """Return the path of a packaged seed CSV of calling rules (default: the US rules)."""
    return Path(str(files("cxpipeline") / "seeds" / name))


def _read_csv_rules(path: Path) -> list[dict[str, Any]]:
    with path.open(newline="", encoding="utf-8") as handle:
        reader = csv.DictReader(handle)
        missing = [c for c in REQUIRED_FIELDS if c not in (reader.fieldnames or [])]
        if missing:
            raise CxError("missing column", file=str(path), field=missing[0])
        return [
            validated_rule(
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
        out.append(validated_rule(entry, origin=str(path), row=n, defaults={"confidence": "user"}))
    return out


def _version(rule: dict[str, Any]) -> tuple[Any, ...]:
    """Return the version a rule belongs to: jurisdiction, purpose and effective_from."""
    return (rule["jurisdiction"], rule["purpose"], rule["effective_from"])


def load_rules(overrides_path: Path | None = None) -> pl.DataFrame:
    """Load the seed rules plus optional user overrides into one validated rules frame.

    Rules are grouped in *versions*: all rows of one jurisdiction and purpose with the same
    ``effective_from``. A rule binds the campaigns of its ``purpose`` (the campaign setting
    `purpose`: telemarketing, collections or informational), or all of them ('all').
    The version in force on a date is the one with the latest
    ``effective_from`` on or before it, so a later version supersedes an earlier one;
    ``effective_to`` (exclusive: the first date no longer in force) is filled with the start of
    the next version when not given. A weekday a version does not mention is unrestricted by it.

    Overrides YAML (every rule of one version replaces the seed rows of the same jurisdiction,
    purpose and ``effective_from``; a new ``effective_from`` adds a version)::

        rules:
          - jurisdiction: NY            # 'US' (federal), 'CAN' (Canada) or a state/territory code
            purpose: all                # optional: all, telemarketing, collections, informational
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
    rows += [r for name in MORE_SEEDS for r in _read_csv_rules(seed_path(name))]
    if overrides_path is not None:
        user = _read_yaml_rules(Path(overrides_path))
        check_versions(user)
        replaced = {_version(r) for r in user}
        rows = [r for r in rows if _version(r) not in replaced] + user
    check_versions(rows)
    frame = pl.DataFrame(rows, schema=RULE_SCHEMA, orient="row")
    return with_version_ends(frame).sort("jurisdiction", "purpose", "effective_from", "origin_row")


# --------------------------------------------------------------------------- warehouse


def store_rules(con: duckdb.DuckDBPyConnection, rules_df: pl.DataFrame) -> int:
    """Replace the contents of compliance_rules with `rules_df` in one transaction."""
    # Imported here so importing the rules package never loads the warehouse layer.
    from cxpipeline import warehouse

    frame = rules_df.select(list(RULE_SCHEMA)).cast(RULE_SCHEMA)
    con.execute(warehouse.load_sql("compliance_rules"))
    columns = ", ".join(warehouse.quote_identifier(c, set(RULE_SCHEMA)) for c in RULE_SCHEMA)
    with warehouse.registered(con, "_rules_in", frame), warehouse.transaction(con):
        con.execute("DELETE FROM compliance_rules")
        con.execute(
            f"INSERT INTO compliance_rules ({columns}) SELECT {columns} FROM _rules_in"  # noqa: S608
        )
    return frame.height


def read_rules(con: duckdb.DuckDBPyConnection) -> pl.DataFrame:
    """Read compliance_rules back as a rules frame."""
    from cxpipeline import warehouse

    columns = ", ".join(warehouse.quote_identifier(c, set(RULE_SCHEMA)) for c in RULE_SCHEMA)
    frame = con.sql(f"SELECT {columns} FROM compliance_rules").pl()  # noqa: S608
    return frame.cast(RULE_SCHEMA)
