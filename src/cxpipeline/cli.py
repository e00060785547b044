"""Typer command line: one small function per command, no business logic."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from datetime import datetime
from importlib import metadata
from pathlib import Path
from typing import Annotated, Any, TypeVar

import typer
from rich.console import Console
from rich.table import Table

from cxpipeline import tzdb
from cxpipeline.errors import CxError, mask_numbers

app = typer.Typer(
    no_args_is_help=True,
    add_completion=False,
    help="Contact lists in, dialer-ready and law-abiding calling lists out.",
)
campaigns_app = typer.Typer(no_args_is_help=True, help="Campaign model: profiles to lists.")
rules_app = typer.Typer(no_args_is_help=True, help="Compliance rules (calling hours by state).")
app.add_typer(campaigns_app, name="campaigns")
app.add_typer(rules_app, name="rules")

out = Console(soft_wrap=True)
err = Console(stderr=True, soft_wrap=True)

Home = Annotated[
    Path | None,
    typer.Option(
        "--home",
        help="Home folder (warehouse.duckdb and lake/). Default: $CXPIPELINE_HOME, else ./data.",
        show_default=False,
    ),
]
AsOf = Annotated[
    str | None,
    typer.Option("--as-of", help="Planning time, ISO 8601 with offset (default: now)."),
]

F = TypeVar("F", bound=Callable[..., Any])


def _one_line_errors(func: F) -> F:
    """Turn user errors (and unexpected ones) into a one-line message and exit code 1."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except CxError as exc:
            err.print(f"[red]error:[/red] {exc.one_line()}", highlight=False, markup=True)
            raise typer.Exit(1) from None
        except (typer.Exit, typer.Abort, KeyboardInterrupt):
            raise
        except Exception as exc:
            if os.environ.get("CXPIPELINE_DEBUG"):
                raise
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            first = mask_numbers(first)  # a library's message may quote a phone number
            err.print(
                f"[red]error:[/red] {type(exc).__name__}: {first} "
                "(set CXPIPELINE_DEBUG=1 for the traceback)",
                highlight=False,
            )
            raise typer.Exit(2) from None

    return wrapper  # type: ignore[return-value]


def _settings(home: Path | None) -> Any:
    """Build the one settings object for this invocation."""
    from cxpipeline.settings import Settings

    return Settings.build(home)


def _parse_as_of(value: str | None) -> datetime | None:
    """Parse --as-of (ISO 8601 with an offset) or return None for now."""
    if value is None:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        raise CxError(f"not an ISO 8601 time: {value!r}", field="--as-of") from None
    if moment.tzinfo is None:
        raise CxError(
            "give the time with an offset, e.g. 2026-12-01T09:00:00-05:00", field="--as-of"
        )
    return moment


def _cell(value: Any) -> str:
    """Display text of one query result cell (floats rounded for reading)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


#: Width of a table printed into a pipe or file (there is no terminal to fit).
PIPE_TABLE_WIDTH = 160


def _print_table(title: str, rows: list[dict[str, Any]]) -> None:
    """Print small result rows as a rich table that never cuts a cell.

    In a terminal, cells wrap (long words fold) to its width; into a pipe or file, to
    PIPE_TABLE_WIDTH columns (or $COLUMNS if wider), so a long value folds instead of being cut.
    """
    table = Table(title=title, show_lines=False)
    if not rows:
        out.print(f"{title}: no rows")
        return
    for col in rows[0]:
        table.add_column(str(col), overflow="fold")
    for row in rows:
        table.add_row(*["" if v is None else str(v) for v in row.values()])
    wide = Console(soft_wrap=True, width=max(out.width, PIPE_TABLE_WIDTH))
    (out if out.is_terminal else wide).print(table)


def _print_ingest(summary: Any) -> None:
    """Print an ingest's reconciliation: every row and phone value accounted for."""
    for line in summary.describe():
        out.print(line)


# --------------------------------------------------------------------------- commands


@campaigns_app.command("apply")
@_one_line_errors
def campaigns_apply(file: Path, home: Home = None) -> None:
    """Load or update profiles, templates, groups and lists from YAML (idempotent)."""
    from cxpipeline.steps import setup

    counts = setup.apply_campaigns(_settings(home), file)
    out.print("campaigns applied: " + ", ".join(f"{k} {v}" for k, v in counts.items()))


@campaigns_app.command("show")
@_one_line_errors
def campaigns_show(
    list_name: Annotated[str | None, typer.Argument()] = None, home: Home = None
) -> None:
    """Show the effective settings of a contact list and where each value came from."""
    from cxpipeline import campaigns, warehouse
    from cxpipeline.steps import setup

    settings = _settings(home)
    setup.prepare_warehouse(settings)
    con = warehouse.connect(settings, read_only=True)
    try:
        rows = campaigns.show_settings(con, list_name)
    finally:
        con.close()
    _print_table(f"effective settings{' of ' + list_name if list_name else ''}", rows)


@rules_app.command("apply")
@_one_line_errors
def rules_apply(file: Path, home: Home = None) -> None:
    """Add or override compliance rules from a YAML file (on top of the seed rules)."""
    from cxpipeline.steps import setup

    setup.prepare_warehouse(_settings(home), rules_file=file)
    out.print(f"compliance rules reloaded with overrides from {file}")


@rules_app.command("show")
@_one_line_errors
def rules_show(home: Home = None) -> None:
    """List the compliance rules in force."""
    from cxpipeline import warehouse
    from cxpipeline.steps import setup

    settings = _settings(home)
    setup.prepare_warehouse(settings)
    con = warehouse.connect(settings, read_only=True)
    try:
        rows = warehouse.fetch_dicts(con, warehouse.load_sql_statement("rules_in_force"))
    finally:
        con.close()
    _print_table("compliance rules", rows)


@app.command()
@_one_line_errors
def suppress(
    file: Path,
    name: Annotated[str, typer.Option("--name", help="Name of the suppression list.")],
    column: Annotated[
        str | None, typer.Option("--column", help="Header of the phone number column.")
    ] = None,
    client_column: Annotated[
        str | None, typer.Option("--client-column", help="Header of the client id column.")
    ] = None,
    expiry_column: Annotated[
        str | None, typer.Option("--expiry-column", help="Header of the expiry column.")
    ] = None,
    expires_after: Annotated[
        str | None,
        typer.Option("--expires-after", help="Entries without an expiry end after e.g. 3y14d."),
    ] = None,
    spec: Annotated[Path | None, typer.Option("--spec", help="Import spec YAML.")] = None,
    home: Home = None,
) -> None:
    """Load a suppression (do-not-call) list of phone numbers and/or client ids.

    Headerless files of one number per line are read as such (docs/inputs/suppression.md).
    """
    from cxpipeline.steps import suppression

    result = suppression.load_suppression(
        _settings(home),
        file,
        name,
        column=column,
        client_column=client_column,
        expiry_column=expiry_column,
        expires_after=expires_after,
        spec=spec,
    )
    out.print(
        f"suppression list {name!r}: {result['entries']:,} entries from {result['rows_read']:,} "
        f"rows; {result['rejected']:,} values refused (rejected_rows, run_id "
        f"'suppression:{name}')\n"
        f"{result['records_suppressed']:,} current records newly suppressed by this load"
    )


@app.command()
@_one_line_errors
def ingest(
    file: Path,
    list_name: Annotated[str, typer.Option("--list", help="Contact list name.")],
    group: Annotated[str, typer.Option("--group", help="Campaign group of the list.")],
    spec: Annotated[Path | None, typer.Option("--spec", help="Import spec YAML.")] = None,
    as_of: AsOf = None,
    horizon_days: Annotated[int, typer.Option("--horizon-days", min=1, max=366)] = 7,
    mode: Annotated[str, typer.Option("--mode", help="replace or append.")] = "replace",
    delimiter: Annotated[str | None, typer.Option("--delimiter", help="Force a delimiter.")] = None,
    encoding: Annotated[str | None, typer.Option("--encoding", help="Force an encoding.")] = None,
    sheet: Annotated[str | None, typer.Option("--sheet", help="Excel sheet name.")] = None,
    chain_key: Annotated[
        str,
        typer.Option(
            "--chain-key",
            help="Columns that identify a customer without client_id (comma list).",
        ),
    ] = "last_name,postal_code",
    force: Annotated[
        bool, typer.Option("--force", help="Replace even when it removes most of the list.")
    ] = False,
    home: Home = None,
) -> None:
    """Ingest a contact list into a campaign group, plan its windows, refresh statistics."""
    from cxpipeline import io
    from cxpipeline.steps import statistics
    from cxpipeline.steps.ingest import ingest as ingest_step

    options = io.ReadOptions(delimiter=delimiter, encoding=encoding, sheet=sheet)
    key = tuple(c.strip() for c in chain_key.split(",") if c.strip())
    allowed = {"last_name", "first_name", "postal_code", "company", "state_code", "other1"}
    if not key or not set(key) <= allowed:
        raise CxError(f"choose from {', '.join(sorted(allowed))}", field="--chain-key")
    from cxpipeline.settings import Settings

    settings = Settings.build(home, chain_key_fallback=key)
    summary = ingest_step(
        settings,
        file,
        list_name=list_name,
        group=group,
        spec_path=spec,
        as_of=_parse_as_of(as_of),
        horizon_days=horizon_days,
        mode=mode,
        read_options=options,
        force=force,
    )
    _print_ingest(summary)
    if summary.status == "succeeded":
        statistics.build_statistics(settings)


@app.command()
@_one_line_errors
def plan(
    list_names: Annotated[
        list[str] | None, typer.Option("--list", help="Contact list (repeat; default: all).")
    ] = None,
    as_of: AsOf = None,
    horizon_days: Annotated[int | None, typer.Option("--horizon-days", min=1, max=366)] = None,
    home: Home = None,
) -> None:
    """Re-plan the calling windows of stored lists for a new as-of, reading no file."""
    from cxpipeline.steps.plan import plan_windows

    planned = plan_windows(
        _settings(home), list_names or None, as_of=_parse_as_of(as_of), horizon_days=horizon_days
    )
    for name, counts in planned.items():
        out.print(
            f"{name}: {counts['keys']:,} keys, {counts['windows']:,} windows, "
            f"{counts['records_with_windows']:,} records with windows"
        )


@app.command()
@_one_line_errors
def results(file: Path, as_of: AsOf = None, home: Home = None) -> None:
    """Ingest call results, update record state, attempt caps and statistics."""
    from cxpipeline.steps import results as results_step
    from cxpipeline.steps import statistics

    settings = _settings(home)
    res = results_step.load_results(settings, file, as_of=_parse_as_of(as_of))
    statistics.build_statistics(settings)
    out.print(results_step.describe_results(res, file.name))


@app.command()
@_one_line_errors
def stats(home: Home = None) -> None:
    """Rebuild the statistics tables."""
    from cxpipeline.steps import statistics

    res = statistics.build_statistics(_settings(home))
    out.print(f"statistics rebuilt: {res['lists']} lists, {res['groups']} groups")


@app.command()
@_one_line_errors
def report(
    out_dir: Annotated[Path, typer.Option("--out", help="Folder for the reports.")],
    fmt: Annotated[
        str, typer.Option("--format", help="Comma list: html,xlsx,csv.")
    ] = "html,xlsx,csv",
    force: Annotated[bool, typer.Option("--force", help="Replace existing reports.")] = False,
    home: Home = None,
) -> None:
    """Export reports (HTML with charts, Excel, CSV)."""
    from cxpipeline.steps import reports

    formats = tuple(f.strip().lower() for f in fmt.split(",") if f.strip())
    unknown = set(formats) - {"html", "xlsx", "csv"}
    if unknown:
        raise CxError(f"unknown format(s): {', '.join(sorted(unknown))}", field="--format")
    for path in reports.write_reports(_settings(home), out_dir, formats, force=force):
        out.print(f"wrote {path}")


@app.command()
@_one_line_errors
def export(
    list_name: Annotated[str, typer.Option("--list", help="Contact list name.")],
    out_file: Annotated[Path, typer.Option("--out", help="Output file.")],
    fmt: Annotated[str, typer.Option("--format", help="genesys|cxcontact|parquet|csv")] = "genesys",
    force: Annotated[bool, typer.Option("--force", help="Replace an existing file.")] = False,
    day: Annotated[str | None, typer.Option("--day", help="Hours of this day, YYYY-MM-DD.")] = None,
    home: Home = None,
) -> None:
    """Write a calling list in the dialer's import format."""
    from cxpipeline.steps import export as export_step

    if fmt not in export_step.EXPORT_FORMATS:
        raise CxError(f"unknown format {fmt!r}", field="--format")
    path = export_step.export_list(_settings(home), list_name, out_file, fmt, force=force, day=day)
    out.print(f"wrote {path}")


@app.command()
@_one_line_errors
def sql(
    query: Annotated[str | None, typer.Argument(help="One SELECT statement.")] = None,
    query_file: Annotated[Path | None, typer.Option("--file", help="Query from a file.")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table|csv|json|parquet|markdown")] = "table",
    limit: Annotated[
        int | None, typer.Option("--limit", min=0, help="Rows at most (table: 50, else all).")
    ] = None,
    out_file: Annotated[Path | None, typer.Option("--out", help="Write to this file.")] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing --out.")] = False,
    home: Home = None,
) -> None:
    """Run one read-only query (sandboxed: no files, no network) and print or write the result."""
    from cxpipeline.io import query_output
    from cxpipeline.steps import query as query_step

    if fmt not in query_output.FORMATS or (fmt == "table" and out_file is not None):
        raise CxError(f"choose one of {', '.join(query_output.FORMATS)}", field="--format")
    settings = _settings(home)
    frame = query_step.run_query(settings, query_step.read_query(query, query_file))
    shown = frame.head(limit if limit is not None else 50 if fmt == "table" else frame.height)
    if out_file is not None:
        path = query_step.write_result(settings, shown, fmt, out_file, force=force)
        out.print(f"wrote {path} ({shown.height:,} rows)")
    elif fmt == "table":
        # A pipe gets the whole table: rich would otherwise cut it at 80 columns.
        wide = out if out.is_terminal else Console(soft_wrap=True, width=1_000_000)
        wide.print(query_output.rich_table(shown, _cell))
    else:
        query_output.write_stdout(query_output.render(shown, fmt))
    if frame.height > shown.height:
        err.print(f"… {frame.height - shown.height:,} more rows not shown (use --limit)")


@app.command()
@_one_line_errors
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
@_one_line_errors
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
        _settings(home),
        load_manifest(manifest),
        as_of=_parse_as_of(as_of),
        horizon_days=horizon_days,
        console=out,
    )
    for path in summary.reports:
        out.print(f"wrote {path}")


@app.command()
@_one_line_errors
def demo(
    home: Home = None,
    as_of: AsOf = None,
    horizon_days: Annotated[int, typer.Option("--horizon-days", min=1, max=366)] = 7,
) -> None:
    """Run the full pipeline on data/sample into the home; print a summary and the report path."""
    from cxpipeline import demo as demo_mod

    settings = _settings(home)
    summary = demo_mod.run_demo(
        settings, as_of=_parse_as_of(as_of), horizon_days=horizon_days, console=out
    )
    out.print(f"[bold green]report:[/bold green] {summary.report_path}")


def _print_version(value: bool) -> None:
    """Print the package version and the IANA release of the zone data, then exit."""
    if value:
        out.print(f"cxpipeline {metadata.version('cxpipeline')} tzdata {tzdb.release()}")
        raise typer.Exit()


@app.callback()
def _root(
    show_version: Annotated[
        bool, typer.Option("--version", callback=_print_version, is_eager=True, help="Versions.")
    ] = False,
) -> None:
    """Contact lists in, dialer-ready and law-abiding calling lists out."""


def main() -> None:
    """Entry point of the `cxpipeline` console script."""
    app(prog_name="cxpipeline")


if __name__ == "__main__":  # pragma: no cover
    main()
