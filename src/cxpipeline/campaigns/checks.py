"""Rules across the objects of campaigns.yaml: unique names, one default, references."""

from __future__ import annotations

from collections.abc import Mapping

from cxpipeline.campaigns.model import LABELS, TABLES, CampaignModel
from cxpipeline.errors import CampaignError

#: (section, attribute, section it names) of every reference between objects.
_REFERENCES: tuple[tuple[str, str, str], ...] = (
    ("campaign_templates", "dialing_profile", "dialing_profiles"),
    ("campaign_templates", "session_profile", "session_profiles"),
    ("campaign_groups", "template", "campaign_templates"),
    ("contact_lists", "group", "campaign_groups"),
)

#: Existing warehouse rows per section, keyed by object name.
Existing = Mapping[str, Mapping[str, Mapping[str, object]]]


def check_in_file(model: CampaignModel) -> None:
    """Check what one file alone must satisfy: unique names, at most one default per kind."""
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
                f"two default {LABELS[section]}s ({first!r} is already the default)",
            )


def check_against_existing(model: CampaignModel, existing: Existing) -> None:
    """Check references, defaults and non-empty groups on warehouse ∪ file."""
    _check_references(model, existing)
    _check_lists_stay(model, existing)
    for section in ("dialing_profiles", "session_profiles"):
        _check_one_default(model, existing, section)
    _check_groups_have_lists(model, existing)


def _check_references(model: CampaignModel, existing: Existing) -> None:
    names = {s: set(existing[s]) | {o.name for o in getattr(model, s)} for s in TABLES}
    for section, attr, target in _REFERENCES:
        for i, obj in enumerate(getattr(model, section)):
            ref = getattr(obj, attr)
            if ref is not None and ref not in names[target]:
                raise model.error(
                    section,
                    i,
                    attr,
                    f"{LABELS[target]} {ref!r} does not exist (neither in the file "
                    "nor in the warehouse)",
                )


def _check_lists_stay(model: CampaignModel, existing: Existing) -> None:
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


def _check_one_default(model: CampaignModel, existing: Existing, section: str) -> None:
    declared = {p.name: p.default for p in getattr(model, section)}
    merged = {n: bool(r["is_default"]) for n, r in existing[section].items()}
    merged.update(declared)
    defaults = sorted(n for n, d in merged.items() if d)
    label = LABELS[section]
    if len(defaults) > 1:
        new = next(n for n in defaults if declared.get(n))
        old = next(n for n in defaults if n != new)
        i = next(i for i, p in enumerate(getattr(model, section)) if p.name == new)
        raise model.error(
            section,
            i,
            "default",
            f"two default {label}s ({old!r} is the default in the warehouse; "
            f"declare it with default: false to change)",
        )
    if merged and not defaults:
        if getattr(model, section):
            raise model.error(section, 0, "default", f"no {label} is the default")
        raise CampaignError(f"no {label} is the default", file=model._source)


def _check_groups_have_lists(model: CampaignModel, existing: Existing) -> None:
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
