"""Ingest commit: DuckDB's memory is bounded, and a commit that outgrows the bound still lands."""

from __future__ import annotations

import math
from datetime import datetime

import duckdb
import pytest
from tests.steps.test_ingest_chunks import assert_same_warehouse, home

from cxpipeline import generate, warehouse
from cxpipeline.steps import ingest as ingest_step

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")


def _ingest(settings, source):
    return ingest_step.ingest(
        settings, source, list_name="east_q4", group="collections_east", as_of=AS_OF
    )


def test_a_commit_that_outgrows_the_memory_bound_runs_again_without_it(tmp_path, monkeypatch):
    source = generate.write_contact_list(tmp_path / "list.csv", 400, seed=3)
    plain = home(tmp_path / "plain", chunk_rows=50_000)
    _ingest(plain, source)
    bounded = home(tmp_path / "bounded", chunk_rows=50_000)
    real_insert = warehouse.insert
    limits: list[str] = []

    def insert(con, table, data):
        if table == "window_keys":
            limits.append(con.execute("SELECT current_setting('memory_limit')").fetchone()[0])
            if len(limits) == 1:  # after the records went in: the attempt must roll back
                raise duckdb.OutOfMemoryException("could not allocate block (test)")
        return real_insert(con, table, data)

    monkeypatch.setattr(warehouse, "insert", insert)
    summary = _ingest(bounded, source)
    assert summary.status == "succeeded"
    # The first attempt ran within the bound, the second with DuckDB's default.
    assert len(limits) == 2
    assert limits[0] != limits[1]
    mib = bounded.warehouse_memory_mb * 10**6 / 2**20  # DuckDB shows MiB cut to one decimal
    assert limits[0] == f"{math.floor(mib * 10) / 10:.1f} MiB"
    # Nothing of the failed attempt remains: the warehouse is the plain ingest's.
    assert_same_warehouse(plain, bounded)


def test_an_unbounded_commit_that_fails_is_not_tried_again(tmp_path, monkeypatch):
    source = generate.write_contact_list(tmp_path / "list.csv", 50, seed=4)
    settings = home(tmp_path / "home", chunk_rows=50_000).model_copy(
        update={"warehouse_memory_mb": None}
    )
    attempts = []

    def insert(con, table, data):
        if table == "window_keys":
            attempts.append(table)
            raise duckdb.OutOfMemoryException("could not allocate block (test)")
        return real_insert(con, table, data)

    real_insert = warehouse.insert
    monkeypatch.setattr(warehouse, "insert", insert)
    with pytest.raises(duckdb.OutOfMemoryException):
        _ingest(settings, source)
    assert attempts == ["window_keys"]
