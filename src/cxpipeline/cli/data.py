"""Commands that bring data in: suppression lists, contact lists, call results, plans."""

from __future__ import annotations

import contextlib
from pathlib import Path
from typing import Annotated, Any

import typer

from cxpipeline.cli.common import (
    AsOf,
    Home,
    app,
    one_line_errors,
    out,
    parse_as_of,
    print_ingest,
    settings_for,
)
from cxpipeline.errors import CxError


@app.command()
@one_line_errors
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
    from cxpipeline.steps import statistics, suppression

    settings = settings_for(home)
    result = suppression.load_suppression(
        settings,
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
    statistics.build_statistics(settings, suppression.lists_changed(result))


#: Scale-out options of `ingest` (README "Past one machine").
Workers = Annotated[
    int,
    typer.Option(
        "--workers", min=0, help="Chunks and partitions on a local Dask cluster of N workers."
    ),
]
DaskAddress = Annotated[
    str | None,
    typer.Option("--dask-address", help="Chunks and partitions on this Dask scheduler."),
]
Partitions = Annotated[
    int | None,
    typer.Option(
        "--partitions",
        min=1,
        max=64,
        help="Chain-key partitions for the per-chain stage (default: one per chunk).",
    ),
]


@app.command()
@one_line_errors
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
    workers: Workers = 0,
    dask_address: DaskAddress = None,
    partitions: Partitions = None,
    home: Home = None,
) -> None:
    """Ingest a contact list into a campaign group, plan its windows, refresh statistics."""
    from cxpipeline import io
    from cxpipeline.settings import Settings
    from cxpipeline.steps import statistics
    from cxpipeline.steps.ingest import ingest as ingest_step

    settings = Settings.build(home, chain_key_fallback=_chain_key(chain_key))
    with _executor(dask_address, workers) as executor:
        summary = ingest_step(
            settings,
            file,
            list_name=list_name,
            group=group,
            spec_path=spec,
            as_of=parse_as_of(as_of),
            horizon_days=horizon_days,
            mode=mode,
            read_options=io.ReadOptions(delimiter=delimiter, encoding=encoding, sheet=sheet),
            force=force,
            executor=executor,
            partitions=partitions,
        )
    print_ingest(summary)
    if summary.status == "succeeded":
        statistics.build_statistics(settings, [summary.list_name])


def _chain_key(text: str) -> tuple[str, ...]:
    """Parse --chain-key: a comma list of the allowed customer columns."""
    key = tuple(c.strip() for c in text.split(",") if c.strip())
    allowed = {"last_name", "first_name", "postal_code", "company", "state_code", "other1"}
    if not key or not set(key) <= allowed:
        raise CxError(f"choose from {', '.join(sorted(allowed))}", field="--chain-key")
    return key


def _executor(address: str | None, workers: int) -> contextlib.AbstractContextManager[Any]:
    """Return a Dask executor for --dask-address or --workers N, else none (chunks run here)."""
    if address is None and workers == 0:
        return contextlib.nullcontext(None)
    from cxpipeline.steps.scale_out import dask_executor

    return dask_executor(address, workers or 2)


@app.command()
@one_line_errors
def plan(
    list_names: Annotated[
        list[str] | None, typer.Option("--list", help="Contact list (repeat; default: all).")
    ] = None,
    as_of: AsOf = None,
    horizon_days: Annotated[int | None, typer.Option("--horizon-days", min=1, max=366)] = None,
    home: Home = None,
) -> None:
    """Re-plan the calling windows of stored lists for a new as-of, then their statistics."""
    from cxpipeline.steps import statistics
    from cxpipeline.steps.plan import plan_windows

    settings = settings_for(home)
    planned = plan_windows(
        settings, list_names or None, as_of=parse_as_of(as_of), horizon_days=horizon_days
    )
    # The lists' windows and planning as-of moved: so did their statistics (docs/metrics.md).
    statistics.build_statistics(settings, sorted(planned) if list_names else None)
    for name, counts in planned.items():
        out.print(
            f"{name}: {counts['keys']:,} keys, {counts['windows']:,} windows, "
            f"{counts['records_with_windows']:,} records with windows"
        )


@app.command()
@one_line_errors
def results(file: Path, as_of: AsOf = None, home: Home = None) -> None:
    """Ingest call results, update record state, attempt caps and statistics."""
    from cxpipeline.steps import results as results_step
    from cxpipeline.steps import statistics

    settings = settings_for(home)
    res = results_step.load_results(settings, file, as_of=parse_as_of(as_of))
    statistics.build_statistics(settings, results_step.lists_changed(res))
    out.print(results_step.describe_results(res, file.name))
