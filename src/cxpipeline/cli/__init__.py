"""Typer command line: one small function per command, no business logic.

The commands live in modules by what they do (model, data, outputs, runs); importing this
package registers them all on `app`.
"""

from cxpipeline.cli import data, model, outputs, runs
from cxpipeline.cli.common import app

__all__ = ["app", "data", "main", "model", "outputs", "runs"]


def main() -> None:
    """Entry point of the `cxpipeline` console script."""
    app(prog_name="cxpipeline")
