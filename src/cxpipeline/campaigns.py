"""Campaign model: campaigns.yaml <-> DuckDB, with validation and inherited settings.

Objects (domain.md §1): dialing profiles and session profiles (exactly one default of each
kind), campaign templates (referencing one dialing and one session profile, the defaults when
absent), campaign groups (from a template, with a required agent group and at least one contact
list) and contact lists (in one group). The YAML layout is docs/stages.md §7.

Setting keys (the allow-list `SETTING_KEYS`); templates, groups and lists may set any key,
a profile only the keys of its kind:

* dialing profile keys
  - `dialing_mode`: one of `DIALING_MODES`
  - `optimization_method`: one of `OPTIMIZATION_METHODS` (the dialer's predictive pacing goals)
  - `optimization_target`: positive number (percent for busy factor / overdial rate, seconds
    for waiting / distribution time)
  - `max_attempts`, `retry_interval_minutes`: positive integers
  - `stop_margin_minutes`: integer 0–240 (0 means no margin; why it may be zero: the window
    end is already the last moment a call may start)
  - `hours_mon` … `hours_sun`: `"HH:MM-HH:MM"` (local time of the record, start < end,
    within 00:00–24:00) or `"closed"`
  - `blackout_dates`: ISO dates as a YAML list or a comma-separated string; stored
    comma-separated, sorted and de-duplicated; an empty list means "no blackout dates" and
    still overrides the levels above (an override replaces the whole set, it never adds)
  - `default_country`: ISO 3166 region with phone metadata (e.g. `US`), upper-cased
  - `device_priority`: `input` (the order of the phone columns in the file) or a comma list
    of `codes.ContactInfoType` names in lower case, e.g. `mobile,home_phone`
* session profile keys: `application`, `trunk_group`, `routing_point`, `queue` (text)

Effective value of a list (view `campaign_settings`): list → group → template → the
template's profile → the default profile → built-in default (`BUILTIN_DEFAULTS`: Mon–Sat
09:00-20:00, Sun closed, no blackout dates, stop_margin_minutes 5, dialing_mode predictive,
default_country US, device_priority input, max_attempts 5, retry_interval_minutes 60; the
optimization and session keys have no built-in value and stay NULL). `<key>_source` is one of
`list`, `group`, `template`, `dialing_profile:<name>`, `session_profile:<name>`,
`default_dialing_profile:<name>`, `default_session_profile:<name>`, `builtin`, or NULL when
nothing sets the key.

Applying a file upserts every object it declares (an object's row is replaced by its YAML
declaration; settings it omits become NULL, i.e. inherited). Objects absent from the file are
kept. A contact list never moves to another group, and its `list_id` never changes.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Annotated, Any, Literal

import duckdb
import phonenumbers
import yaml
from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    PrivateAttr,
    ValidationError,
)

from cxpipeline.codes import ContactInfoType
from cxpipeline.errors import CampaignError
from cxpipeline.warehouse import fetch_dicts, quote_identifier, transaction

DIALING_MODES: tuple[str, ...] = (
    "predictive",
    "progressive",
    "preview",
    "power",
    "progressive_gvp",
    "power_gvp",
    "progressive_engaged",
    "power_engaged",
)
OPTIMIZATION_METHODS: tuple[str, ...] = (
    "busy_factor",
    "overdial_rate",
    "average_waiting_time",
    "average_distribution_time",
    "maximum_gain",
)
WEEKDAY_KEYS: tuple[str, ...] = tuple(
    f"hours_{d}" for d in ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
)
DIALING_KEYS: tuple[str, ...] = (
    "dialing_mode",
    "optimization_method",
    "optimization_target",
    "max_attempts",
    "retry_interval_minutes",
    "stop_margin_minutes",
    *WEEKDAY_KEYS,
    "blackout_dates",
    "default_country",
    "device_priority",
)
SESSION_KEYS: tuple[str, ...] = ("application", "trunk_group", "routing_point", "queue")
SETTING_KEYS: tuple[str, ...] = DIALING_KEYS + SESSION_KEYS

#: Values used when no level sets a key; the view campaign_settings repeats them (a test
#: checks both agree).
BUILTIN_DEFAULTS: dict[str, object] = {
    "dialing_mode": "predictive",
    "max_attempts": 5,
    "retry_interval_minutes": 60,
    "stop_margin_minutes": 5,
    **{k: "09:00-20:00" for k in WEEKDAY_KEYS[:6]},
    "hours_sun": "closed",
    "blackout_dates": "",
    "default_country": "US",
    "device_priority": "input",
}

#: The warehouse tables of the model in dependency order, keyed by YAML section.
TABLES: dict[str, str] = {
    "dialing_profiles": "dialing_profiles",
    "session_profiles": "session_profiles",
    "campaign_templates": "campaign_templates",
    "campaign_groups": "campaign_groups",
    "contact_lists": "contact_lists",
}

_LABELS = {
    "dialing_profiles": "dialing profile",
    "session_profiles": "session profile",
    "campaign_templates": "campaign template",
    "campaign_groups": "campaign group",
    "contact_lists": "contact list",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_DEVICE_NAMES = frozenset(t.name.lower() for t in ContactInfoType if t.value != 0)


# --- value validators (raise ValueError; pydantic turns them into located errors) ---------


def _check_name(value: object) -> object:
    if isinstance(value, str) and not _NAME.match(value.strip()):
        raise ValueError(
            f"{value!r} is not a valid name (letters, digits, '_', '-', '.'; at most 64)"
        )
    return value.strip() if isinstance(value, str) else value


def _check_hours(value: object) -> object:
    if value is None or not isinstance(value, str):
        return value
    text = value.strip().lower().replace(" ", "")
    if text == "closed":
        return "closed"
    match = _HOURS.match(text)
    if not match:
        raise ValueError(f"{value!r} is not 'HH:MM-HH:MM' or 'closed'")
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    start, end = h1 * 60 + m1, h2 * 60 + m2
    if m1 > 59 or m2 > 59 or start > 24 * 60 or end > 24 * 60:
        raise ValueError(f"{value!r} is outside 00:00-24:00")
    if start >= end:
        raise ValueError(f"{value!r}: start must be before end")
    return f"{h1:02d}:{m1:02d}-{h2:02d}:{m2:02d}"


def _check_blackout(value: object) -> object:
    if value is None:
        return None
    if isinstance(value, date | str):
        items: list[object] = [value]
    elif isinstance(value, list):
        items = list(value)
    else:
        raise ValueError("must be a list of ISO dates or a comma-separated string")
    days: set[date] = set()
    for item in items:
        if isinstance(item, datetime):
            raise ValueError(f"{item!s} is a timestamp, not a date")
        if isinstance(item, date):
            days.add(item)
            continue
        if not isinstance(item, str):
            raise ValueError(f"{item!r} is not an ISO date")
        for part in item.split(","):
            if part.strip():
                try:
                    days.add(date.fromisoformat(part.strip()))
                except ValueError:
                    raise ValueError(f"{part.strip()!r} is not an ISO date (YYYY-MM-DD)") from None
    return ",".join(d.isoformat() for d in sorted(days))


def _check_country(value: object) -> object:
    if not isinstance(value, str):
        return value
    region = value.strip().upper()
    if len(region) != 2 or region not in phonenumbers.SUPPORTED_REGIONS:
        raise ValueError(f"{value!r} is not a 2-letter ISO region with phone numbering")
    return region


def _check_device_priority(value: object) -> object:
    if not isinstance(value, str):
        return value
    names = [p.strip().lower() for p in value.split(",") if p.strip()]
    if names == ["input"]:
        return "input"
    if not names:
        raise ValueError("is empty (use 'input' or a comma list of device types)")
    unknown = [n for n in names if n not in _DEVICE_NAMES]
    if unknown:
        raise ValueError(
            f"unknown device type {unknown[0]!r} "
            f"(use 'input' or: {', '.join(sorted(_DEVICE_NAMES))})"
        )
    if len(set(names)) != len(names):
        raise ValueError("names a device type twice")
    return ",".join(names)


def _check_text(value: object) -> object:
    if isinstance(value, bool):
        raise ValueError("must be text")
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        if not value.strip():
            raise ValueError("must not be empty")
        return value.strip()
    return value


def _empty_if_none(value: object) -> object:
    return {} if value is None else value


_Name = Annotated[str, BeforeValidator(_check_name)]
_Hours = Annotated[str | None, BeforeValidator(_check_hours)]
_Text = Annotated[str | None, BeforeValidator(_check_text), Field(max_length=255)]
_PosInt = Annotated[int | None, Field(strict=True, gt=0)]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DialingSettings(_Strict):
    """Keys a dialing profile may set (all optional: unset means inherited)."""

    dialing_mode: Literal[DIALING_MODES] | None = None  # type: ignore[valid-type]
    optimization_method: Literal[OPTIMIZATION_METHODS] | None = None  # type: ignore[valid-type]
    optimization_target: Annotated[float | None, Field(strict=True, gt=0, allow_inf_nan=False)] = (
        None
    )
    max_attempts: _PosInt = None
    retry_interval_minutes: _PosInt = None
    stop_margin_minutes: Annotated[int | None, Field(strict=True, ge=0, le=240)] = None
    hours_mon: _Hours = None
    hours_tue: _Hours = None
    hours_wed: _Hours = None
    hours_thu: _Hours = None
    hours_fri: _Hours = None
    hours_sat: _Hours = None
    hours_sun: _Hours = None
    blackout_dates: Annotated[str | None, BeforeValidator(_check_blackout)] = None
    default_country: Annotated[str | None, BeforeValidator(_check_country)] = None
    device_priority: Annotated[str | None, BeforeValidator(_check_device_priority)] = None


class SessionSettings(_Strict):
    """Keys a session profile may set (all optional)."""

    application: _Text = None
    trunk_group: _Text = None
    routing_point: _Text = None
    queue: _Text = None


class AllSettings(DialingSettings, SessionSettings):
    """Keys a template, group or list may override: every setting key."""


class DialingProfile(_Strict):
    """A dialing profile: dialing mode, pacing, hours, retries."""

    name: _Name
    default: bool = Field(False, strict=True)
    settings: Annotated[DialingSettings, BeforeValidator(_empty_if_none)] = DialingSettings()


class SessionProfile(_Strict):
    """A session profile: the dialer's wiring (application, trunks, queue)."""

    name: _Name
    default: bool = Field(False, strict=True)
    settings: Annotated[SessionSettings, BeforeValidator(_empty_if_none)] = SessionSettings()


class CampaignTemplate(_Strict):
    """A campaign template: its profiles (defaults when absent) and overrides."""

    name: _Name
    dialing_profile: _Name | None = None
    session_profile: _Name | None = None
    settings: Annotated[AllSettings, BeforeValidator(_empty_if_none)] = AllSettings()


class CampaignGroup(_Strict):
    """A campaign group: made from a template, worked by one agent group."""

    name: _Name
    template: _Name
    agent_group: Annotated[str, BeforeValidator(_check_text), Field(max_length=255)]
    settings: Annotated[AllSettings, BeforeValidator(_empty_if_none)] = AllSettings()


class ContactList(_Strict):
    """A contact list of one campaign group, with optional overrides."""

    name: _Name
    group: _Name
    settings: Annotated[AllSettings, BeforeValidator(_empty_if_none)] = AllSettings()


class CampaignModel(_Strict):
    """Every object of one campaigns.yaml, validated."""

    dialing_profiles: list[DialingProfile] = []
    session_profiles: list[SessionProfile] = []
    campaign_templates: list[CampaignTemplate] = []
    campaign_groups: list[CampaignGroup] = []
    contact_lists: list[ContactList] = []
    _source: str = PrivateAttr("")
    _lines: dict[tuple[str | int, ...], int] = PrivateAttr(default_factory=dict)

    def error(self, section: str, index: int, field: str | None, message: str) -> CampaignError:
        """Build the one-line error for an object of this file (with its YAML line)."""
        obj = getattr(self, section)[index]
        path: tuple[str | int, ...] = (section, index)
        if field in SETTING_KEYS:
            path += ("settings", field)
        elif field:
            path += (field,)
        return CampaignError(
            f"{_LABELS[section]} {obj.name!r}: {message}",
            file=self._source,
            row=_line_of(self._lines, path),
            field=field,
        )


# --- YAML loading ----------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """Safe loader that keeps dates as text, so a bad date is our located error, not PyYAML's."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def _line_index(node: yaml.Node, path: tuple[str | int, ...] = ()) -> dict[tuple, int]:
    """Map every key path of a composed YAML document to its 1-based line."""
    lines: dict[tuple, int] = {path: node.start_mark.line + 1}
    if isinstance(node, yaml.MappingNode):
        for key, value in node.value:
            child = (*path, str(key.value))
            lines.update(_line_index(value, child))
            lines[child] = key.start_mark.line + 1
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            lines.update(_line_index(item, (*path, i)))
    return lines


def _line_of(lines: Mapping[tuple, int], path: tuple) -> int | None:
    """Line of the deepest known prefix of a path (the object when the field is missing)."""
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


def _describe(raw: object, err: Mapping[str, Any]) -> tuple[str, str | None]:
    """Turn one pydantic error into (object + message, field name)."""
    loc = tuple(err["loc"])
    section = loc[0] if loc else None
    label = f"section {section!r}"
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(raw, dict):
        items = raw.get(str(section))
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        name = item.get("name") if isinstance(item, dict) else None
        kind = _LABELS.get(str(section), str(section))
        label = f"{kind} {name!r}" if name is not None else f"{kind} #{loc[1] + 1}"
    field = next((str(p) for p in reversed(loc[2:]) if isinstance(p, str)), None)
    kind_of = err["type"]
    if kind_of == "extra_forbidden":
        if len(loc) == 1:
            return f"unknown section {section!r} (allowed: {', '.join(TABLES)})", None
        allowed = _allowed_keys(str(section), "settings" in loc[2:-1])
        return f"{label}: unknown key {field!r} (allowed: {', '.join(allowed)})", field
    if kind_of == "missing":
        return f"{label}: required field {field!r} is missing", field
    msg = str(err["msg"]).removeprefix("Value error, ")
    return f"{label}: {msg}", field


def _allowed_keys(section: str, in_settings: bool) -> tuple[str, ...]:
    models: dict[str, type[BaseModel]] = {
        "dialing_profiles": DialingProfile,
        "session_profiles": SessionProfile,
        "campaign_templates": CampaignTemplate,
        "campaign_groups": CampaignGroup,
        "contact_lists": ContactList,
    }
    if not in_settings:
        return tuple(models[section].model_fields) if section in models else ()
    if section == "dialing_profiles":
        return DIALING_KEYS
    if section == "session_profiles":
        return SESSION_KEYS
    return SETTING_KEYS


def load_campaigns_yaml(path: Path | str) -> CampaignModel:
    """Read and validate a campaigns.yaml (values, names, defaults inside the file)."""
    path = Path(path)
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CampaignError(f"cannot read the file: {exc.strerror}", file=source) from None
    try:
        node = yaml.compose(text, Loader=_Loader)
        raw = yaml.load(text, Loader=_Loader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CampaignError(f"not valid YAML: {problem}", file=source, row=row) from None
    if not isinstance(raw, dict) or not raw:
        raise CampaignError(
            "expected a mapping with sections " + ", ".join(TABLES), file=source, row=1
        )
    lines = _line_index(node) if node is not None else {}
    try:
        model = CampaignModel.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        message, field = _describe(raw, errors[0])
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more problem(s))"
        row = _line_of(lines, tuple(str(p) if isinstance(p, str) else p for p in errors[0]["loc"]))
        raise CampaignError(message, file=source, row=row, field=field) from None
    model._source = source
    model._lines = lines
    for section in TABLES:
        seen: dict[str, int] = {}
        for i, obj in enumerate(getattr(model, section)):
            if obj.name in seen:
                raise model.error(
                    section, i, "name", f"defined twice (first as #{seen[obj.name] + 1})"
                )
            seen[obj.name] = i
    for section in ("dialing_profiles", "session_profiles"):
        defaults = [i for i, p in enumerate(getattr(model, section)) if p.default]
        if len(defaults) > 1:
            first = getattr(model, section)[defaults[0]].name
            raise model.error(
                section,
                defaults[1],
                "default",
                f"two default {_LABELS[section]}s ({first!r} is already the default)",
            )
    return model


# --- warehouse -------------------------------------------------------------------------------

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


def _check_against_warehouse(
    model: CampaignModel, existing: Mapping[str, Mapping[str, dict[str, object]]]
) -> None:
    """Check references, defaults and non-empty groups on warehouse ∪ file."""
    names = {s: set(existing[s]) | {o.name for o in getattr(model, s)} for s in TABLES}
    refs: list[tuple[str, str, str]] = [
        ("campaign_templates", "dialing_profile", "dialing_profiles"),
        ("campaign_templates", "session_profile", "session_profiles"),
        ("campaign_groups", "template", "campaign_templates"),
        ("contact_lists", "group", "campaign_groups"),
    ]
    for section, attr, target in refs:
        for i, obj in enumerate(getattr(model, section)):
            ref = getattr(obj, attr)
            if ref is not None and ref not in names[target]:
                raise model.error(
                    section,
                    i,
                    attr,
                    f"{_LABELS[target]} {ref!r} does not exist (neither in the file "
                    "nor in the warehouse)",
                )
    for i, lst in enumerate(model.contact_lists):
        before = existing["contact_lists"].get(lst.name)
        if before is not None and before["campaign_group"] != lst.group:
            raise model.error(
                "contact_lists",
                i,
                "group",
                f"already belongs to campaign group {before['campaign_group']!r}; "
                "a list cannot move to another group",
            )
    for section in ("dialing_profiles", "session_profiles"):
        declared = {p.name: p.default for p in getattr(model, section)}
        merged = {n: bool(r["is_default"]) for n, r in existing[section].items()}
        merged.update(declared)
        defaults = sorted(n for n, d in merged.items() if d)
        if len(defaults) > 1:
            new = next(n for n in defaults if declared.get(n))
            old = next(n for n in defaults if n != new)
            i = next(i for i, p in enumerate(getattr(model, section)) if p.name == new)
            raise model.error(
                section,
                i,
                "default",
                f"two default {_LABELS[section]}s ({old!r} is the default in the warehouse; "
                f"declare it with default: false to change)",
            )
        if merged and not defaults:
            label = _LABELS[section]
            where = getattr(model, section)
            if where:
                raise model.error(section, 0, "default", f"no {label} is the default")
            raise CampaignError(f"no {label} is the default", file=model._source)
    listed = {r["campaign_group"] for r in existing["contact_lists"].values()}
    listed |= {lst.group for lst in model.contact_lists}
    for i, group in enumerate(model.campaign_groups):
        if group.name not in listed:
            raise model.error(
                "campaign_groups",
                i,
                None,
                f"has no contact list (declare at least one list with group: {group.name})",
            )


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
        _check_against_warehouse(model, existing)
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
        _check_name(list_name)
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
