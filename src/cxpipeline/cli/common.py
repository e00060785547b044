"""The command line's shared parts: the Typer apps, options, consoles and one-line errors."""

from __future__ import annotations

import functools
import os
import sys
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


def one_line_errors(func: F) -> F:
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
            if _reader_left(exc):
                # `cxpipeline sql ... | head`: the reader has what it wanted. Quietly, as the
                # Python docs advise: stdout to devnull so the exit's flush cannot fail again.
                os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
                raise typer.Exit(1) from None
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


def _reader_left(exc: Exception) -> bool:
    """Whether `exc` says the process reading our output closed its end (a broken pipe)."""
    # Python raises BrokenPipeError; Polars' writers an OSError that only says it in words.
    return isinstance(exc, BrokenPipeError) or (
        isinstance(exc, OSError) and "Broken pipe" in str(exc)
    )


def settings_for(home: Path | None) -> Any:
    """Build the one settings object for this invocation."""
    from cxpipeline.settings import Settings

    return Settings.build(home)


def parse_as_of(value: str | None) -> datetime | None:
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


def cell(value: Any) -> str:
    """Display text of one query result cell (floats rounded for reading)."""
    if value is None:
        return ""
    if isinstance(value, float):
        return f"{value:,.4f}".rstrip("0").rstrip(".")
    return str(value)


#: Width of a table printed into a pipe or file (there is no terminal to fit).
PIPE_TABLE_WIDTH = 160


def print_table(title: str, rows: list[dict[str, Any]]) -> None:
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


def print_ingest(summary: Any) -> None:
    """Print an ingest's reconciliation: every row and phone value accounted for."""
    for line in summary.describe():
        out.print(line)


# --------------------------------------------------------------------------- commands


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
