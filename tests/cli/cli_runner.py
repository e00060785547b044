"""Invoke the CLI in-process, exceptions not caught: a traceback fails the test."""

from typer.testing import CliRunner

from cxpipeline.cli import app

runner = CliRunner()


def run(*args):
    """Run `cxpipeline ARGS...` and return Typer's result (output, exit code)."""
    return runner.invoke(app, list(args), catch_exceptions=False)
