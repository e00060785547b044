"""Compliance rules as data: the seed CSV plus user overrides, validated, with effective dates.

`model` is the pure rule model (fields, validation, frame helpers) and `legal_holidays` the
holiday calendars; both are safe for transforms. `store` reads the seed CSV and overrides YAML
and writes the compliance_rules table; its names are loaded on first use, so importing the
model never loads YAML or the warehouse.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from cxpipeline.rules.legal_holidays import state_holidays
from cxpipeline.rules.model import (
    CONFIDENCE,
    JURISDICTIONS,
    REQUIRED_FIELDS,
    RULE_FIELDS,
    RULE_SCHEMA,
    WEEKDAY_NAMES,
    check_versions,
    parse_clock_time,
    parse_days,
    rule_days,
    valid_zone,
    validated_rule,
    with_version_ends,
)

if TYPE_CHECKING:
    from cxpipeline.rules.store import SEED_NAME, load_rules, read_rules, seed_path, store_rules

_STORE_NAMES = frozenset({"SEED_NAME", "load_rules", "read_rules", "seed_path", "store_rules"})


def __getattr__(name: str) -> Any:
    """Resolve a store name on first use (PEP 562), keeping the store out of model imports."""
    if name in _STORE_NAMES:
        return getattr(importlib.import_module("cxpipeline.rules.store"), name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = [
    "CONFIDENCE",
    "JURISDICTIONS",
    "REQUIRED_FIELDS",
    "RULE_FIELDS",
    "RULE_SCHEMA",
    "SEED_NAME",
    "WEEKDAY_NAMES",
    "check_versions",
    "load_rules",
    "parse_clock_time",
    "parse_days",
    "read_rules",
    "rule_days",
    "seed_path",
    "state_holidays",
    "store_rules",
    "valid_zone",
    "validated_rule",
    "with_version_ends",
]
