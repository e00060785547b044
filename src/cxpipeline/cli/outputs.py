"""Commands that read the warehouse: statistics, reports, exports, ad hoc SQL."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cxpipeline.cli.common import (
    Home,
    app,
    cell,
    err,
    one_line_errors,
    out,
    settings_for,
)
from cxpipeline.errors import CxError


@app.command()
@one_line_errors
def stats(home: Home = None) -> None:
    """Rebuild the statistics tables."""
    from cxpipeline.steps import statistics

    res = statistics.build_statistics(settings_for(home))
    out.print(f"statistics rebuilt: {res['lists']} lists, {res['groups']} groups")


@app.command()
@one_line_errors
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
    for path in reports.write_reports(settings_for(home), out_dir, formats, force=force):
        out.print(f"wrote {path}")


@app.command()
@one_line_errors
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
    path = export_step.export_list(
        settings_for(home), list_name, out_file, fmt, force=force, day=day
    )
    out.print(f"wrote {path}")


@app.command()
@one_line_errors
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
    settings = settings_for(home)
    text = query_step.read_query(query, query_file)
    # The result is read and written in batches: its memory does not grow with its rows.
    with query_step.query_frames(settings, text) as frames:
        shown = query_output.Limited(frames, 50 if limit is None and fmt == "table" else limit)
        if out_file is not None:
            counted = query_output.Counted(shown)
            path = query_step.write_result(settings, counted, fmt, out_file, force=force)
            out.print(f"wrote {path} ({counted.rows:,} rows)")
        elif fmt == "table":
            # A pipe gets the whole table: rich would otherwise cut it at 80 columns.
            wide = out if out.is_terminal else Console(soft_wrap=True, width=1_000_000)
            wide.print(query_output.rich_table(query_output.joined(shown), cell))
        else:
            query_output.write_frames(shown, fmt, query_output.stdout_sink(fmt))
        rest = shown.rest()
    if rest:
        err.print(f"… {rest:,} more rows not shown (use --limit)")
