"""The package itself: importing it picks the Polars engine and pyarrow's allocator, unless
the environment did."""

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


def _printed_by_a_fresh_process(code: str, variable: str, **env: str) -> list[str]:
    """Run `code` in a new interpreter whose environment lacks `variable` but for `env`."""
    clean = {k: v for k, v in os.environ.items() if k != variable}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.split()


def _engine_after_import(**env: str) -> str:
    engine, total = _printed_by_a_fresh_process(
        ENGINE_OF_A_FRESH_PROCESS, "POLARS_ENGINE_AFFINITY", **env
    )
    assert total == "3"
    return engine


def test_importing_the_package_sets_the_in_memory_engine():
    assert cxpipeline.POLARS_ENGINE == "in-memory"
    assert _engine_after_import() == "in-memory"


@pytest.mark.parametrize("engine", ["streaming", "auto"])
def test_an_engine_set_in_the_environment_wins(engine):
    assert _engine_after_import(POLARS_ENGINE_AFFINITY=engine) == engine


POOL_OF_A_FRESH_PROCESS = (
    "import cxpipeline, pyarrow as pa\nprint(pa.default_memory_pool().backend_name)\n"
)


def _pool_after_import(**env: str) -> str:
    (pool,) = _printed_by_a_fresh_process(
        POOL_OF_A_FRESH_PROCESS, "ARROW_DEFAULT_MEMORY_POOL", **env
    )
    return pool


def test_importing_the_package_gives_pyarrow_the_system_allocator():
    assert cxpipeline.ARROW_MEMORY_POOL == "system"
    assert _pool_after_import() == "system"


def test_an_allocator_set_in_the_environment_wins():
    assert _pool_after_import(ARROW_DEFAULT_MEMORY_POOL="mimalloc") == "mimalloc"
