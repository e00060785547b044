"""Ingest commit: DuckDB's memory is bounded, a commit that outgrows the bound still lands, and
record keys are checked."""

from __future__ import annotations

import json
import re
from datetime import datetime

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from tests.steps.memory_limits import current_limit, recorded_limits, shown_limit
from tests.steps.test_ingest_chunks import assert_same_warehouse, home

from cxpipeline import generate, io, warehouse, warehouse_files
from cxpipeline.errors import CxError
from cxpipeline.steps import ingest as ingest_step
from cxpipeline.steps import ingest_commit
from cxpipeline.transforms import chains

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")


def _ingest(settings, source, mode="replace"):
    return ingest_step.ingest(
        settings, source, list_name="east_q4", group="collections_east", as_of=AS_OF, mode=mode
    )


def test_a_commit_that_outgrows_the_memory_bound_runs_again_without_it(tmp_path, monkeypatch):
    source = generate.write_contact_list(tmp_path / "list.csv", 400, seed=3)
    plain = home(tmp_path / "plain", chunk_rows=50_000)
    _ingest(plain, source)
    bounded = home(tmp_path / "bounded", chunk_rows=50_000)
    # After the records went in, the attempt runs out of memory and must roll back.
    limits = recorded_limits(monkeypatch, out_of_memory_at="window_keys")
    summary = _ingest(bounded, source)
    assert summary.status == "succeeded"
    # The first attempt ran within the bound, the second with DuckDB's default.
    first, second = limits.at("window_keys")
    assert first == shown_limit(bounded.warehouse_memory_mb) and second != first
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


def test_the_bound_holds_for_the_statements_and_is_lifted_before_commit(tmp_path, monkeypatch):
    # A COMMIT that runs out of memory invalidates DuckDB's database instance (a fatal error,
    # so no second attempt could follow), as a 5M-row list's did within 512 MB.
    source = generate.write_contact_list(tmp_path / "list.csv", 50, seed=5)
    settings = home(tmp_path / "home", chunk_rows=50_000)
    limits = recorded_limits(monkeypatch)
    assert _ingest(settings, source).status == "succeeded"
    bounded = shown_limit(settings.warehouse_memory_mb)
    during = [limit for _table, limit in limits.inserts]
    at_commit = limits.commits
    assert during and set(during) == {bounded}  # every insert of the commit ran bounded
    assert at_commit and bounded not in at_commit  # no COMMIT did
    # ... and no COMMIT checkpointed (unbounded, DuckDB caches every block it reads): the
    # checkpoints, after the COMMIT and when the writer closes, ran within the bound
    assert limits.thresholds and all(t.endswith("GiB") for t in limits.thresholds)
    assert limits.checkpoints and set(limits.checkpoints) == {settings.warehouse_memory_mb}


@pytest.mark.parametrize("mode", ["replace", "append"])
@pytest.mark.parametrize(
    ("copy", "problem"),
    [
        ("record_id + 1000000 AS record_id", "a chain position"),
        ("chain_n + 100 AS chain_n", "a record id shared by two records"),
        (
            f"record_id + {chains.ID_BLOCK} AS record_id, chain_n + 100 AS chain_n",
            "ids outside the list's id block",
        ),
    ],
)
def test_a_load_that_breaks_the_record_keys_rolls_back(tmp_path, monkeypatch, copy, problem, mode):
    # record_id (unique across the warehouse) and (chain_id, chain_n) (unique) are held by no
    # index; the commit checks them. A load that breaks one (forced here: the list's first
    # record copied into the run with a key changed) leaves nothing behind; an append is
    # checked over the keys it adds against the whole list.
    source = generate.write_contact_list(tmp_path / "list.csv", 60, seed=6)
    more = generate.write_contact_list(tmp_path / "more.csv", 30, seed=8, start_client_id=500)
    settings = home(tmp_path / "home", chunk_rows=50_000)
    loaded = 0
    if mode == "append":
        loaded = _ingest(settings, source).records_written
        source = more
    real_insert = warehouse.insert

    def insert(con, table, data):
        real_insert(con, table, data)
        if table == "contact_records":
            run_id = pl.read_parquet(data).get_column("run_id")[0]
            con.execute(
                f"INSERT INTO contact_records SELECT * REPLACE ({copy}, $run_id AS run_id) "
                "FROM contact_records WHERE chain_n = 1 ORDER BY record_id LIMIT 1",
                {"run_id": run_id},
            )

    monkeypatch.setattr(warehouse, "insert", insert)
    with pytest.raises(CxError, match=re.escape(problem)) as raised:
        _ingest(settings, source, mode=mode)
    assert "(1); nothing was loaded" in str(raised.value)
    con = duckdb.connect(str(settings.warehouse_path), read_only=True)
    try:
        assert con.execute("SELECT count(*) FROM contact_records").fetchone() == (loaded,)
        succeeded = "SELECT count(*) FROM ingest_runs WHERE status = 'succeeded'"
        assert con.execute(succeeded).fetchone() == (int(mode == "append"),)
    finally:
        con.close()
    monkeypatch.setattr(warehouse, "insert", real_insert)
    assert _ingest(settings, source, mode=mode).status == "succeeded"  # sound, it loads


def test_the_lists_context_is_staged_within_the_memory_bound(tmp_path, monkeypatch):
    source = generate.write_contact_list(tmp_path / "list.csv", 50, seed=7)
    settings = home(tmp_path / "home", chunk_rows=50_000)
    real_staged_query = warehouse_files.staged_query
    limits: dict[str, str] = {}

    def staged_query(con, name, params, target):
        limits[name] = current_limit(con)
        return real_staged_query(con, name, params, target)

    monkeypatch.setattr(warehouse_files, "staged_query", staged_query)
    _ingest(settings, source)
    bounded = shown_limit(settings.warehouse_memory_mb)
    assert limits == {"list_identities": bounded, "list_record_ids": bounded}
    limits.clear()
    more = generate.write_contact_list(tmp_path / "more.csv", 5, seed=9, start_client_id=900)
    _ingest(settings, more, mode="append")  # a file far smaller than the list: of its keys
    assert limits == {"list_identities_of_keys": bounded, "existing_records_of_keys": bounded}


def test_registering_a_lists_identities_reads_only_its_own_id_block(tmp_path):
    """A warehouse holding other lists' identities does not make every ingest read them."""
    settings = home(tmp_path / "h", chunk_rows=1_000_000)
    _ingest(settings, generate.write_contact_list(tmp_path / "list.csv", 300, seed=5))
    other = 500_000  # another list's identities, in a block of its own far above
    con = warehouse.connect(settings)
    try:
        con.execute(
            "INSERT INTO record_identities SELECT 'other', 'id:' || i, '+12125550000', NULL, "
            "$base + i, $base + i, 'run', now() FROM range(1, $n + 1) AS t(i)",
            {"base": 90 * chains.ID_BLOCK, "n": other},
        )
        registered = con.execute(
            "SELECT * FROM record_identities WHERE list_name = 'east_q4' ORDER BY record_id"
        ).fetchall()
        first_id = con.execute(
            "SELECT min(record_id) FROM contact_records WHERE list_name = 'east_q4'"
        ).fetchall()[0][0]
        con.execute("DELETE FROM record_identities WHERE list_name = 'east_q4'")
        low = first_id // chains.ID_BLOCK * chains.ID_BLOCK
        profile = tmp_path / "profile.json"
        con.execute("SET enable_profiling = 'json'")
        con.execute(f"SET profiling_output = '{profile}'")
        con.execute(
            warehouse.load_sql_statement("register_identities"),
            {"list_name": "east_q4", "low": low, "high": low + chains.ID_BLOCK},
        )
        con.execute("RESET enable_profiling")
        again = con.execute(
            "SELECT * EXCLUDE (first_seen_at) FROM record_identities "
            "WHERE list_name = 'east_q4' ORDER BY record_id"
        ).fetchall()
    finally:
        con.close()
    assert len(registered) > 300 and again == [row[:-1] for row in registered]
    scans = [s for s in _scans(json.loads(profile.read_text())) if "record_identities" in s[0]]
    # The registry's scan skipped the other list's row groups: at most one group of them.
    assert scans and all(rows < 130_000 for _, rows in scans)


def _scans(node):
    """Yield (table, rows scanned) of every table scan in a DuckDB JSON profile."""
    for child in node.get("operator", []) + node.get("children", []):
        if child.get("type") == "TABLE_SCAN":
            yield child.get("extra_info", {}).get("Table", ""), child.get("rows_scanned", 0)
        yield from _scans(child)


def _part(path, ids):
    frame = pl.DataFrame({"record_id": ids, "name": [f"n{i}" for i in ids]})
    return io.write_staged(frame, path, row_group_size=2)


def test_the_contacts_file_merges_sorted_parts_slice_by_slice(tmp_path, monkeypatch):
    # Interleaved ids, an empty part, slices of 3 records read as row ranges of every part.
    monkeypatch.setattr(ingest_commit, "MERGE_SLICE_RECORDS", 3)
    ids = ([1, 4, 5, 9, 12], [2, 3, 10, 11], [], [6, 7, 8, 13])
    parts = [_part(tmp_path / f"part-{n}.parquet", list(part)) for n, part in enumerate(ids)]
    target = tmp_path / "lake" / "contacts.parquet"
    ingest_commit._write_contacts(parts, target)
    written = pl.read_parquet(target)
    assert written["record_id"].to_list() == list(range(1, 14))
    assert written["name"].to_list() == [f"n{i}" for i in range(1, 14)]
    assert pq.ParquetFile(target).metadata.num_row_groups == 5  # one per slice


def test_a_part_not_sorted_by_record_id_is_refused(tmp_path):
    parts = [_part(tmp_path / "a.parquet", [1, 3]), _part(tmp_path / "b.parquet", [4, 2])]
    with pytest.raises(RuntimeError, match="not sorted by record_id"):
        ingest_commit._write_contacts(parts, tmp_path / "contacts.parquet")
    assert not (tmp_path / "contacts.parquet").exists()
