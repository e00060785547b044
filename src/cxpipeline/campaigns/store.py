"""Campaign objects in DuckDB: apply campaigns.yaml, create contact lists, read settings."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import duckdb

from cxpipeline.campaigns.checks import check_against_existing
from cxpipeline.campaigns.loader import load_campaigns_yaml
from cxpipeline.campaigns.model import (
    DIALING_KEYS,
    SESSION_KEYS,
    SETTING_KEYS,
    TABLES,
    CampaignGroup,
    CampaignTemplate,
    ContactList,
    DialingProfile,
    SessionProfile,
    check_name,
)
from cxpipeline.errors import CampaignError
from cxpipeline.warehouse import fetch_dicts, quote_identifier, transaction

_STRUCTURE: dict[str, tuple[str, ...]] = {
    "dialing_profiles": ("name", "is_default", *DIALING_KEYS),
    "session_profiles": ("name", "is_default", *SESSION_KEYS),
    "campaign_templates": ("name", "dialing_profile", "session_profile", *SETTING_KEYS),
    "campaign_groups": ("name", "campaign_template", "agent_group", *SETTING_KEYS),
    "contact_lists": ("name", "campaign_group", *SETTING_KEYS),
}
_COLUMNS = frozenset(
    {c for cols in _STRUCTURE.values() for c in cols} | {"created_at", "updated_at", "list_id"}
)
_TABLE_NAMES = frozenset(TABLES.values())


_Object = DialingProfile | SessionProfile | CampaignTemplate | CampaignGroup | ContactList


def _row_of(section: str, obj: _Object) -> dict[str, object]:
    """Return the table row (minus timestamps and list_id) that an object declares."""
    row: dict[str, object] = {"name": obj.name}
    if isinstance(obj, DialingProfile | SessionProfile):
        row["is_default"] = obj.default
    elif isinstance(obj, CampaignTemplate):
        row["dialing_profile"] = obj.dialing_profile
        row["session_profile"] = obj.session_profile
    elif isinstance(obj, CampaignGroup):
        row["campaign_template"] = obj.template
        row["agent_group"] = obj.agent_group
    else:
        row["campaign_group"] = obj.group
    values = obj.settings.model_dump()
    row.update({k: values[k] for k in _STRUCTURE[section] if k in SETTING_KEYS})
    return row


def _existing(con: duckdb.DuckDBPyConnection, section: str) -> dict[str, dict[str, object]]:
    table = quote_identifier(TABLES[section], _TABLE_NAMES)
    cols = ", ".join(quote_identifier(c, _COLUMNS) for c in _STRUCTURE[section])
    rows = fetch_dicts(con, f"SELECT {cols} FROM {table}")  # names are allow-listed
    return {str(r["name"]): r for r in rows}


def apply_campaigns(con: duckdb.DuckDBPyConnection, path: Path) -> dict[str, int]:
    """Upsert every object of a campaigns.yaml in one transaction; return counts.

    The result has the number of objects per section plus `created`, `updated` and
    `changed` (= created + updated). An unchanged object is not written at all, so applying
    the same file twice changes nothing, not even `updated_at`. Objects absent from the file
    are kept; contact lists keep their `list_id`.
    """
    model = load_campaigns_yaml(path)
    now = datetime.now(UTC)
    counts = {section: len(getattr(model, section)) for section in TABLES}
    created = updated = 0
    with transaction(con):
        existing = {section: _existing(con, section) for section in TABLES}
        check_against_existing(model, existing)
        for section in TABLES:
            for obj in getattr(model, section):
                row = _row_of(section, obj)
                before = existing[section].get(str(row["name"]))
                if before is None:
                    _insert(con, section, row, now)
                    created += 1
                elif any(before[k] != v for k, v in row.items()):
                    _update(con, section, row, now)
                    updated += 1
    return {**counts, "created": created, "updated": updated, "changed": created + updated}


def _insert(
    con: duckdb.DuckDBPyConnection, section: str, row: Mapping[str, object], now: datetime
) -> None:
    # list_id is left to its column default (a sequence), so ids follow creation order.
    params = {**row, "created_at": now, "updated_at": now}
    table = quote_identifier(TABLES[section], _TABLE_NAMES)
    cols = ", ".join(quote_identifier(c, _COLUMNS) for c in params)
    values = ", ".join(f"${c}" for c in params)
    con.execute(f"INSERT INTO {table} ({cols}) VALUES ({values})", params)


def _update(
    con: duckdb.DuckDBPyConnection, section: str, row: Mapping[str, object], now: datetime
) -> None:
    table = quote_identifier(TABLES[section], _TABLE_NAMES)
    sets = ", ".join(f"{quote_identifier(c, _COLUMNS)} = ${c}" for c in row if c != "name")
    con.execute(
        f"UPDATE {table} SET {sets}, updated_at = $updated_at WHERE name = $name",
        {**row, "updated_at": now},
    )


def ensure_contact_list(con: duckdb.DuckDBPyConnection, list_name: str, group_name: str) -> int:
    """Return the list's list_id, creating the list (no overrides) in the group if new.

    One INSERT statement, so it is atomic on its own and may also run inside the caller's
    transaction.
    """
    try:
        check_name(list_name)
    except ValueError as exc:
        raise CampaignError(f"contact list: {exc}", field="list") from None
    found = fetch_dicts(
        con,
        "SELECT list_id, campaign_group FROM contact_lists WHERE name = $name",
        {"name": list_name},
    )
    if found:
        if found[0]["campaign_group"] != group_name:
            raise CampaignError(
                f"contact list {list_name!r} belongs to campaign group "
                f"{found[0]['campaign_group']!r}, not {group_name!r}",
                field="group",
            )
        return int(found[0]["list_id"])
    known = con.execute(
        "SELECT count(*) FROM campaign_groups WHERE name = $name", {"name": group_name}
    ).fetchone()
    if not known or not known[0]:
        raise CampaignError(
            f"campaign group {group_name!r} does not exist (apply campaigns.yaml first)",
            field="group",
        )
    now = datetime.now(UTC)
    row = con.execute(
        "INSERT INTO contact_lists (name, campaign_group, created_at, updated_at) "
        "VALUES ($name, $group, $now, $now) RETURNING list_id",
        {"name": list_name, "group": group_name, "now": now},
    ).fetchone()
    assert row is not None  # an INSERT ... RETURNING of one row returns it
    return int(row[0])


def effective_settings(con: duckdb.DuckDBPyConnection, list_name: str) -> dict[str, object]:
    """Effective settings of one list: every key, `<key>_source` and its hierarchy."""
    rows = fetch_dicts(
        con, "SELECT * FROM campaign_settings WHERE list_name = $name", {"name": list_name}
    )
    if not rows:
        raise CampaignError(f"contact list {list_name!r} does not exist", field="list")
    return rows[0]


#: Rows of show_settings before the setting keys: the list's place in the hierarchy.
_HIERARCHY: tuple[tuple[str, Callable[[Mapping[str, Any]], object]], ...] = (
    ("campaign_group", lambda r: "list"),
    ("campaign_template", lambda r: "group"),
    ("agent_group", lambda r: "group"),
    ("dialing_profile", lambda r: r["dialing_profile_source"]),
    ("session_profile", lambda r: r["session_profile_source"]),
)


def show_settings(
    con: duckdb.DuckDBPyConnection, list_name: str | None = None
) -> list[dict[str, object]]:
    """Rows (list_name, key, value, source) for one list, or all lists when None."""
    if list_name is not None:
        lists: Iterable[dict[str, Any]] = [effective_settings(con, list_name)]
    else:
        lists = fetch_dicts(con, "SELECT * FROM campaign_settings ORDER BY list_name")
    out: list[dict[str, object]] = []
    for r in lists:
        for key, source in _HIERARCHY:
            out.append(
                {"list_name": r["list_name"], "key": key, "value": r[key], "source": source(r)}
            )
        for key in SETTING_KEYS:
            out.append(
                {
                    "list_name": r["list_name"],
                    "key": key,
                    "value": r[key],
                    "source": r[f"{key}_source"],
                }
            )
    return out
