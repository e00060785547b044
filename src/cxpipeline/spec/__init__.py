"""The import spec: how a client's file maps onto the contact-list fields (YAML, `--spec`).

`model` holds the resolved spec, the YAML structure and the checks of its values (pure);
`loader` reads a spec file and resolves it against a data file's columns. Every public name is
re-exported here, so `from cxpipeline import spec; spec.load_spec(...)` keeps working.
"""

from cxpipeline.spec.loader import load_spec, read_options
from cxpipeline.spec.model import (
    ALIASES,
    CANONICAL_FIELDS,
    PHONE_FIELDS,
    RESERVED,
    Condition,
    ImportSpec,
    PhoneColumn,
    RuleSet,
    header_key,
    recognised_field,
)

__all__ = [
    "ALIASES",
    "CANONICAL_FIELDS",
    "PHONE_FIELDS",
    "RESERVED",
    "Condition",
    "ImportSpec",
    "PhoneColumn",
    "RuleSet",
    "header_key",
    "load_spec",
    "read_options",
    "recognised_field",
]
