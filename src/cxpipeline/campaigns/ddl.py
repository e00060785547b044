"""SQL made from the one list of setting keys: the tables' setting columns and the view's.

`sql/*.sql` files of the campaign objects hold markers (a line `{{setting_columns}}`, ...) that
`warehouse.load_sql` replaces with `sql_fragments()[marker]`, so a key added to
`model.SETTINGS` appears in every object table and in `campaign_settings` with its `_source`.
Pure text: no DuckDB here.
"""

from __future__ import annotations

from collections.abc import Iterable

from cxpipeline.campaigns import model
from cxpipeline.campaigns.model import DIALING, SESSION, Setting

#: Table alias of each level in campaign_settings, most specific first.
_LEVELS: tuple[tuple[str, str], ...] = (("l", "list"), ("g", "group"), ("t", "template"))
#: (the template's profile, the default profile) aliases of each kind.
_PROFILES: dict[str, tuple[str, str]] = {DIALING: ("dp", "ddp"), SESSION: ("sp", "dsp")}


def _literal(value: str | int | None) -> str:
    """Write a built-in default as an SQL literal."""
    if value is None:
        return "NULL"
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    return str(int(value))


def _columns(settings: Iterable[Setting]) -> str:
    """Column definitions (each ending in a comma: the timestamps always follow)."""
    return "\n".join(f"    {s.key:<23} {s.sql_type}," for s in settings)


def _effective(setting: Setting) -> str:
    """Select the effective value of one key and its `<key>_source` (two SELECT-list items)."""
    key = setting.key
    profile, default = _PROFILES[setting.kind]
    aliases = [alias for alias, _ in _LEVELS] + [profile, default]
    values = [f"{alias}.{key}" for alias in aliases]
    if setting.default is not None:
        values.append(_literal(setting.default))
    whens = [f"WHEN {alias}.{key} IS NOT NULL THEN '{source}'" for alias, source in _LEVELS]
    kind = setting.kind
    whens.append(f"WHEN {profile}.{key} IS NOT NULL THEN '{kind}_profile:' || {profile}.name")
    whens.append(
        f"WHEN {default}.{key} IS NOT NULL THEN 'default_{kind}_profile:' || {default}.name"
    )
    builtin = "'builtin'" if setting.default is not None else "NULL"
    cases = "\n         ".join(whens)
    return (
        f"    COALESCE({', '.join(values)}) AS {key},\n"
        f"    CASE {cases}\n"
        f"         ELSE {builtin} END AS {key}_source"
    )


def sql_fragments() -> dict[str, str]:
    """Return the SQL text of every marker, made from `model.SETTINGS` as it is now."""
    settings = model.SETTINGS  # read at call time, so a test may add a key
    return {
        "setting_columns": _columns(settings),
        "dialing_setting_columns": _columns(s for s in settings if s.kind == DIALING),
        "session_setting_columns": _columns(s for s in settings if s.kind == SESSION),
        "effective_settings": ",\n".join(_effective(s) for s in settings),
    }
