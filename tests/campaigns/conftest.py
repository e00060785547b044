"""Fixtures of the campaign tests: a fresh in-memory warehouse."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from cxpipeline.warehouse import migrate


@pytest.fixture
def con() -> Iterator[duckdb.DuckDBPyConnection]:
    """An in-memory warehouse with every relation created."""
    connection = duckdb.connect()
    migrate(connection)
    yield connection
    connection.close()
