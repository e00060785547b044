"""Campaign model: the setting keys, their validation and the objects of campaigns.yaml.

Objects (docs/domain.md §1): dialing profiles and session profiles (exactly one default of each
kind), campaign templates (referencing one dialing and one session profile, the defaults when
absent), campaign groups (from a template, with a required agent group and at least one contact
list) and contact lists (in one group). The YAML layout is docs/stages.md §7.

Setting keys: `SETTINGS` is the one list; every other list of keys, the settings models, the
setting columns of the tables and the `campaign_settings` view are made from it (`ddl.py`), so
adding a key is one line there. Templates, groups and lists may set any key, a profile only the
keys of its kind:

* dialing profile keys
  - `dialing_mode`: one of `DIALING_MODES`
  - `optimization_method`: one of `OPTIMIZATION_METHODS` (the dialer's predictive pacing goals)
  - `optimization_target`: positive number (percent for busy factor / overdial rate, seconds
    for waiting / distribution time)
  - `max_attempts`, `retry_interval_minutes`, `cycles`: positive integers
  - `treatments`: a list of treatment steps (`cxpipeline.treatments`), stored as JSON; the
    built-in default is `treatments.DEFAULT_TREATMENTS`
  - `abandon_rate_limit_percent`: number in (0, 100] (the abandon-rate flag of statistics)
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
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import TYPE_CHECKING, Annotated, Any, Literal

import phonenumbers
from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, PrivateAttr, create_model

from cxpipeline.codes import ContactInfoType
from cxpipeline.errors import CampaignError
from cxpipeline.rules.model import PURPOSES
from cxpipeline.treatments import DEFAULT_TREATMENTS, check_treatments

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

#: The warehouse tables of the model in dependency order, keyed by YAML section.
TABLES: dict[str, str] = {
    "dialing_profiles": "dialing_profiles",
    "session_profiles": "session_profiles",
    "campaign_templates": "campaign_templates",
    "campaign_groups": "campaign_groups",
    "contact_lists": "contact_lists",
}

LABELS: dict[str, str] = {
    "dialing_profiles": "dialing profile",
    "session_profiles": "session profile",
    "campaign_templates": "campaign template",
    "campaign_groups": "campaign group",
    "contact_lists": "contact list",
}
_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.\-]{0,63}$")
_HOURS = re.compile(r"^(\d{1,2}):(\d{2})-(\d{1,2}):(\d{2})$")
_KEY = re.compile(r"^[a-z][a-z0-9_]*$")
_DEVICE_NAMES = frozenset(t.name.lower() for t in ContactInfoType if t.value != 0)


# --- value validators (raise ValueError; pydantic turns them into located errors) ---------


def check_name(value: object) -> object:
    """Check an object name (letters, digits, '_', '-', '.'; at most 64) and strip it."""
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


_Name = Annotated[str, BeforeValidator(check_name)]
_Hours = Annotated[str | None, BeforeValidator(_check_hours)]
_Text = Annotated[str | None, BeforeValidator(_check_text), Field(max_length=255)]
_PosInt = Annotated[int | None, Field(strict=True, gt=0)]
_Mode = Literal[DIALING_MODES] | None  # type: ignore[valid-type]
_Method = Literal[OPTIMIZATION_METHODS] | None  # type: ignore[valid-type]
_Target = Annotated[float | None, Field(strict=True, gt=0, allow_inf_nan=False)]
_Margin = Annotated[int | None, Field(strict=True, ge=0, le=240)]
_Blackout = Annotated[str | None, BeforeValidator(_check_blackout)]
_Country = Annotated[str | None, BeforeValidator(_check_country)]
_Devices = Annotated[str | None, BeforeValidator(_check_device_priority)]
_Treatments = Annotated[str | None, BeforeValidator(check_treatments)]
_Percent = Annotated[float | None, Field(strict=True, gt=0, le=100, allow_inf_nan=False)]
_BUILTIN_TREATMENTS = str(check_treatments(DEFAULT_TREATMENTS))


# --- the one list of setting keys ----------------------------------------------------------

DIALING: Literal["dialing"] = "dialing"
SESSION: Literal["session"] = "session"


@dataclass(frozen=True)
class Setting:
    """One setting key: its profile kind, column type, YAML type and built-in default."""

    key: str
    kind: Literal["dialing", "session"]
    sql_type: str  # type of its column in every object table
    annotation: Any  # pydantic type of its YAML value (None allowed: unset = inherited)
    default: str | int | None = None  # built-in value; None: the key stays NULL

    def __post_init__(self) -> None:
        """Keys become SQL identifiers, so only plain lower-case names are allowed."""
        if not _KEY.match(self.key) or not _KEY.match(self.sql_type.lower()):
            raise ValueError(f"not a setting key or SQL type: {self.key!r} {self.sql_type!r}")


#: Every setting key, in column order. Adding a setting is adding one line here.
SETTINGS: tuple[Setting, ...] = (
    Setting("dialing_mode", DIALING, "VARCHAR", _Mode, "predictive"),
    Setting("optimization_method", DIALING, "VARCHAR", _Method),
    Setting("optimization_target", DIALING, "DOUBLE", _Target),
    Setting("max_attempts", DIALING, "INTEGER", _PosInt, 5),
    Setting("retry_interval_minutes", DIALING, "INTEGER", _PosInt, 60),
    Setting("stop_margin_minutes", DIALING, "INTEGER", _Margin, 5),
    *(Setting(k, DIALING, "VARCHAR", _Hours, "09:00-20:00") for k in WEEKDAY_KEYS[:6]),
    Setting("hours_sun", DIALING, "VARCHAR", _Hours, "closed"),
    Setting("blackout_dates", DIALING, "VARCHAR", _Blackout, ""),
    Setting("default_country", DIALING, "VARCHAR", _Country, "US"),
    Setting("device_priority", DIALING, "VARCHAR", _Devices, "input"),
    Setting("cycles", DIALING, "INTEGER", _PosInt, 1),
    Setting("treatments", DIALING, "VARCHAR", _Treatments, _BUILTIN_TREATMENTS),
    Setting("abandon_rate_limit_percent", DIALING, "DOUBLE", _Percent, 3),
    Setting("purpose", DIALING, "VARCHAR", Literal[PURPOSES] | None, "telemarketing"),
    Setting("application", SESSION, "VARCHAR", _Text),
    Setting("trunk_group", SESSION, "VARCHAR", _Text),
    Setting("routing_point", SESSION, "VARCHAR", _Text),
    Setting("queue", SESSION, "VARCHAR", _Text),
)

DIALING_KEYS: tuple[str, ...] = tuple(s.key for s in SETTINGS if s.kind == DIALING)
SESSION_KEYS: tuple[str, ...] = tuple(s.key for s in SETTINGS if s.kind == SESSION)
SETTING_KEYS: tuple[str, ...] = DIALING_KEYS + SESSION_KEYS

#: Values used when no level sets a key (the view campaign_settings is generated from them).
BUILTIN_DEFAULTS: dict[str, object] = {s.key: s.default for s in SETTINGS if s.default is not None}


# --- objects --------------------------------------------------------------------------------


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


def _settings_model(name: str, doc: str, kind: str) -> type[_Strict]:
    """Build a settings model: one optional field per key of a kind (unset means inherited)."""
    fields: dict[str, Any] = {s.key: (s.annotation, None) for s in SETTINGS if s.kind == kind}
    return create_model(name, __base__=_Strict, __doc__=doc, __module__=__name__, **fields)


if TYPE_CHECKING:
    # The settings models are built from SETTINGS at import; mypy sees their common base.
    DialingSettings = _Strict
    SessionSettings = _Strict
    AllSettings = _Strict
else:
    DialingSettings = _settings_model(
        "DialingSettings",
        "Keys a dialing profile may set (all optional: unset means inherited).",
        DIALING,
    )
    SessionSettings = _settings_model(
        "SessionSettings", "Keys a session profile may set (all optional).", SESSION
    )
    AllSettings = create_model(
        "AllSettings",
        __base__=(DialingSettings, SessionSettings),
        __doc__="Keys a template, group or list may override: every setting key.",
        __module__=__name__,
    )


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


#: The object model of each YAML section.
OBJECT_MODELS: dict[str, type[_Strict]] = {
    "dialing_profiles": DialingProfile,
    "session_profiles": SessionProfile,
    "campaign_templates": CampaignTemplate,
    "campaign_groups": CampaignGroup,
    "contact_lists": ContactList,
}


def line_of(lines: Mapping[tuple, int], path: tuple) -> int | None:
    """Line of the deepest known prefix of a path (the object when the field is missing)."""
    for n in range(len(path), 0, -1):
        if path[:n] in lines:
            return lines[path[:n]]
    return None


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
            f"{LABELS[section]} {obj.name!r}: {message}",
            file=self._source,
            row=line_of(self._lines, path),
            field=field,
        )
