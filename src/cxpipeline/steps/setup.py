"""Setup steps: create the warehouse, load compliance rules and the campaign model."""

from __future__ import annotations

from pathlib import Path

from cxpipeline import campaigns, rules, warehouse
from cxpipeline.settings import Settings


def prepare_warehouse(settings: Settings, rules_file: Path | None = None) -> None:
    """Create missing relations (the seed rules with them); store `rules_file`'s rules if given.

    Steps that write need not call it: their own writable connection does the same
    (`warehouse.connect`). Commands that only read call it before they open the snapshot.
    """
    con = warehouse.connect(settings)
    try:
        if rules_file is not None:
            rules.store_rules(con, rules.load_rules(rules_file))
    finally:
        con.close()


def apply_campaigns(settings: Settings, path: Path) -> dict[str, int]:
    """Load or update the campaign model from YAML (idempotent)."""
    con = warehouse.connect(settings)
    try:
        return campaigns.apply_campaigns(con, Path(path))
    finally:
        con.close()
