"""Commands of the campaign model and the compliance rules."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxpipeline.cli.common import (
    Home,
    campaigns_app,
    one_line_errors,
    out,
    print_table,
    rules_app,
    settings_for,
)


@campaigns_app.command("apply")
@one_line_errors
def campaigns_apply(file: Path, home: Home = None) -> None:
    """Load or update profiles, templates, groups and lists from YAML (idempotent)."""
    from cxpipeline.steps import setup

    counts = setup.apply_campaigns(settings_for(home), file)
    out.print("campaigns applied: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@campaigns_app.command("show")
@one_line_errors
def campaigns_show(
    list_name: Annotated[str | None, typer.Argument()] = None, home: Home = None
) -> None:
    """Show the effective settings of a contact list and where each value came from."""
    from cxpipeline import campaigns, treatments, warehouse
    from cxpipeline.steps import setup

    settings = settings_for(home)
    setup.prepare_warehouse(settings)
    con = warehouse.connect(settings, read_only=True)
    try:
        rows = campaigns.show_settings(con, list_name)
    finally:
        con.close()
    stored = {r["list_name"]: r["value"] for r in rows if r["key"] == "treatments"}
    # Treatments are a table of their own: one JSON cell would fold into an unreadable block.
    steps = [r for r in rows if r["key"] == "treatments"]
    for row in steps:
        row["value"] = f"{len(treatments.readable_steps(row['value']))} steps, listed below"
    print_table(f"effective settings{' of ' + list_name if list_name else ''}", rows)
    for row in steps:
        title = f"treatments of {row['list_name']} (from {row['source']})"
        print_table(title, treatments.readable_steps(stored[row["list_name"]]))


@rules_app.command("apply")
@one_line_errors
def rules_apply(file: Path, home: Home = None) -> None:
    """Add or override compliance rules from a YAML file (on top of the seed rules)."""
    from cxpipeline.steps import setup

    setup.prepare_warehouse(settings_for(home), rules_file=file)
    out.print(f"compliance rules reloaded with overrides from {file}")


@rules_app.command("show")
@one_line_errors
def rules_show(home: Home = None) -> None:
    """List the compliance rules in force."""
    from cxpipeline import warehouse
    from cxpipeline.steps import setup

    settings = settings_for(home)
    setup.prepare_warehouse(settings)
    con = warehouse.connect(settings, read_only=True)
    try:
        rows = warehouse.fetch_dicts(con, warehouse.load_sql_statement("rules_in_force"))
    finally:
        con.close()
    print_table("compliance rules", rows)
