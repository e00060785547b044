"""Commands that run many steps: a manifest, the inbox, the demo, the generator."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from cxpipeline.cli.common import (
    AsOf,
    Home,
    app,
    one_line_errors,
    out,
    parse_as_of,
    settings_for,
)
from cxpipeline.errors import CxError


@app.command()
@one_line_errors
def generate(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the generated files.")],
    customers: Annotated[int, typer.Option("--customers", min=1)] = 2000,
    seed: Annotated[int, typer.Option("--seed")] = 42,
) -> None:
    """Generate synthetic contact lists and a suppression list (seeded)."""
    from cxpipeline import generate as gen

    for name, path in gen.generate_sample(out_dir, customers=customers, seed=seed).items():
        out.print(f"{name}: {path}")


@app.command()
@one_line_errors
def run(
    manifest: Annotated[Path, typer.Argument(help="Run manifest YAML (see docs/manifest.md).")],
    home: Home = None,
    as_of: AsOf = None,
    horizon_days: Annotated[
        int | None, typer.Option("--horizon-days", min=1, max=366, help="Default: manifest's.")
    ] = None,
) -> None:
    """Run every step a manifest names: campaigns, suppression, lists, results, reports."""
    from cxpipeline.manifest import load_manifest
    from cxpipeline.orchestration import run_manifest

    summary = run_manifest(
        settings_for(home),
        load_manifest(manifest),
        as_of=parse_as_of(as_of),
        horizon_days=horizon_days,
        console=out,
    )
    for path in summary.reports:
        out.print(f"wrote {path}")


@app.command()
@one_line_errors
def demo(
    home: Home = None,
    as_of: AsOf = None,
    horizon_days: Annotated[int, typer.Option("--horizon-days", min=1, max=366)] = 7,
) -> None:
    """Run the full pipeline on data/sample into the home; print a summary and the report path."""
    from cxpipeline import demo as demo_mod

    settings = settings_for(home)
    summary = demo_mod.run_demo(
        settings, as_of=parse_as_of(as_of), horizon_days=horizon_days, console=out
    )
    out.print(f"[bold green]report:[/bold green] {summary.report_path}")


@app.command()
@one_line_errors
def inbox(
    folder: Annotated[Path, typer.Argument(help="Inbox folder (rules in FOLDER/inbox.yaml).")],
    home: Home = None,
    rules: Annotated[
        Path | None, typer.Option("--rules", help="Inbox rules YAML (docs/inbox.md).")
    ] = None,
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only files of this kind: list, results, suppression."),
    ] = None,
    as_of: AsOf = None,
    plan: Annotated[
        bool | None,
        typer.Option(
            "--plan/--no-plan",
            help="Re-plan every list after the files (default: unless only results are taken).",
        ),
    ] = None,
) -> None:
    """Process the files waiting in an inbox exactly once, then file them away."""
    from cxpipeline.inbox import inbox_markdown, run_inbox

    kinds = tuple(kind) if kind else None
    if kinds and not set(kinds) <= {"list", "results", "suppression"}:
        raise CxError("choose list, results or suppression", field="--kind")
    summary = run_inbox(
        settings_for(home),
        folder,
        rules_path=rules,
        kinds=kinds,  # type: ignore[arg-type]
        as_of=parse_as_of(as_of),
        console=out,
        plan=plan,
    )
    out.print(inbox_markdown(summary), markup=False, highlight=False)
