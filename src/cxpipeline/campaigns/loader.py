"""Reading campaigns.yaml: YAML with line numbers, validated into a `CampaignModel`."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from cxpipeline.campaigns.checks import check_in_file
from cxpipeline.campaigns.model import (
    DIALING_KEYS,
    LABELS,
    OBJECT_MODELS,
    SESSION_KEYS,
    SETTING_KEYS,
    TABLES,
    CampaignModel,
    line_of,
)
from cxpipeline.errors import CampaignError


class _Loader(getattr(yaml, "CSafeLoader", yaml.SafeLoader)):  # type: ignore[misc]
    """Safe loader that keeps dates as text, so a bad date is our located error, not PyYAML's.

    On libyaml's parser where PyYAML has it (its wheels do): ~10x faster than the pure-Python one.
    """


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


def _describe(raw: object, err: Mapping[str, Any]) -> tuple[str, str | None]:
    """Turn one pydantic error into (object + message, field name)."""
    loc = tuple(err["loc"])
    section = loc[0] if loc else None
    label = f"section {section!r}"
    if len(loc) >= 2 and isinstance(loc[1], int) and isinstance(raw, dict):
        items = raw.get(str(section))
        item = items[loc[1]] if isinstance(items, list) and loc[1] < len(items) else None
        name = item.get("name") if isinstance(item, dict) else None
        kind = LABELS.get(str(section), str(section))
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
    if not in_settings:
        model = OBJECT_MODELS.get(section)
        return tuple(model.model_fields) if model is not None else ()
    if section == "dialing_profiles":
        return DIALING_KEYS
    if section == "session_profiles":
        return SESSION_KEYS
    return SETTING_KEYS


def _parsed(text: str) -> tuple[yaml.Node | None, object]:
    """Parse once: the composed node (for line numbers) and the document built from it."""
    loader = _Loader(text)
    try:
        node = loader.get_single_node()
        return node, (loader.construct_document(node) if node is not None else None)
    finally:
        loader.dispose()


def _read(path: Path) -> tuple[dict, dict[tuple, int]]:
    """Parse the file into its raw mapping and the line of every key path."""
    source = str(path)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CampaignError(f"cannot read the file: {exc.strerror}", file=source) from None
    try:
        node, raw = _parsed(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        row = mark.line + 1 if mark is not None else None
        problem = getattr(exc, "problem", None) or str(exc)
        raise CampaignError(f"not valid YAML: {problem}", file=source, row=row) from None
    if not isinstance(raw, dict) or not raw:
        raise CampaignError(
            "expected a mapping with sections " + ", ".join(TABLES), file=source, row=1
        )
    return raw, (_line_index(node) if node is not None else {})


def load_campaigns_yaml(path: Path | str) -> CampaignModel:
    """Read and validate a campaigns.yaml (values, names, defaults inside the file)."""
    path = Path(path)
    source = str(path)
    raw, lines = _read(path)
    try:
        model = CampaignModel.model_validate(raw)
    except ValidationError as exc:
        errors = exc.errors()
        message, field = _describe(raw, errors[0])
        if len(errors) > 1:
            message += f" (and {len(errors) - 1} more problem(s))"
        row = line_of(lines, tuple(str(p) if isinstance(p, str) else p for p in errors[0]["loc"]))
        raise CampaignError(message, file=source, row=row, field=field) from None
    model._source = source
    model._lines = lines
    check_in_file(model)
    return model
