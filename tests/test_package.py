"""The package itself: importing it picks the Polars engine, unless the environment did."""

import os
import subprocess
import sys

import pytest

import cxpipeline

ENGINE_OF_A_FRESH_PROCESS = (
    "import os, cxpipeline, polars as pl\n"
    "print(os.environ.get('POLARS_ENGINE_AFFINITY'))\n"
    "print(pl.LazyFrame({'a': [1, 2]}).select(pl.col('a').sum()).collect().item())\n"
)


def _engine_after_import(**env: str) -> str:
    clean = {k: v for k, v in os.environ.items() if k != "POLARS_ENGINE_AFFINITY"}
    done = subprocess.run(
        [sys.executable, "-c", ENGINE_OF_A_FRESH_PROCESS],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    engine, total = done.stdout.split()
    assert total == "3"
    return engine


def test_importing_the_package_sets_the_in_memory_engine():
    assert cxpipeline.POLARS_ENGINE == "in-memory"
    assert _engine_after_import() == "in-memory"


@pytest.mark.parametrize("engine", ["streaming", "auto"])
def test_an_engine_set_in_the_environment_wins(engine):
    assert _engine_after_import(POLARS_ENGINE_AFFINITY=engine) == engine
