"""Setup steps: create the warehouse, load compliance rules and the campaign model."""

from __future__ import annotations

from pathlib import Path

import duckdb

from cxpipeline import campaigns, rules, warehouse
from cxpipeline.settings import Settings


def prepare_warehouse(settings: Settings, rules_file: Path | None = None) -> None:
    """Create missing relations and load the compliance rules (seed plus overrides)."""
    con = warehouse.connect(settings)
    try:
        ensure_rules(con, rules_file)
    finally:
        con.close()


def ensure_rules(con: duckdb.DuckDBPyConnection, rules_file: Path | None = None) -> None:
    """Store the compliance rules where there are none, or `rules_file`'s (seed plus overrides).

    On a writable connection from `warehouse.connect`, which has created missing relations.
    """
    has_rules = warehouse.scalar(con, "SELECT count(*) FROM compliance_rules")
    if rules_file is not None or not has_rules:
        rules.store_rules(con, rules.load_rules(rules_file))


def apply_campaigns(settings: Settings, path: Path) -> dict[str, int]:
    """Load or update the campaign model from YAML (idempotent)."""
    prepare_warehouse(settings)
    con = warehouse.connect(settings)
    try:
        return campaigns.apply_campaigns(con, Path(path))
    finally:
        con.close()
