"""The kept call counts: added by results loads, dropped by ingests, read by refreshes.

The sample's lists are ingested and their statistics built once (the fixtures of
test_statistics_scope); each test works on a copy.
The kept counts must always equal what sql/ops/calls_by_bucket.sql counts from call_results,
and a refresh that reads them must write what a full rebuild writes.
"""

from datetime import datetime

import duckdb
import polars as pl

from cxpipeline import warehouse
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import call_buckets, results, statistics
from cxpipeline.steps.ingest import ingest
from cxpipeline.transforms.chains import ID_BLOCK

from . import test_statistics_scope as scope_tests
from .test_statistics_scope import assert_as_full_rebuild

# The sample home (its lists ingested, statistics built once) and a copy of it per test.
sample_home = scope_tests.sample_home
home = scope_tests.home

SAMPLE = REPO_ROOT / "data" / "sample"
AS_OF = datetime.fromisoformat("2026-11-16T08:00:00-05:00")
KEY = ["list_name", "tz_name", "bucket", "call_result"]


def list_id(settings: Settings, name: str) -> int:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        (found,) = con.execute(
            "SELECT list_id FROM contact_lists WHERE name = ?", [name]
        ).fetchone()
    return int(found)


def load_results_of(settings: Settings, name: str, tmp_path, *, skip: int = 0) -> list[str]:
    """Load the sample's results of one list (every other one from `skip`); the lists changed."""
    sample = pl.read_csv(SAMPLE / "call_results.csv", infer_schema=False)
    block = pl.col("record_id").cast(pl.Int64) // ID_BLOCK
    part = sample.filter(block == list_id(settings, name)).gather_every(2, offset=skip)
    path = tmp_path / f"results-{name}-{skip}.csv"
    part.write_csv(path)
    return results.lists_changed(results.load_results(settings, path))


def kept_counts(settings: Settings) -> pl.DataFrame:
    """The kept counts summed per key, sorted."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frame = con.sql("SELECT * FROM call_buckets").pl()
    summed = frame.group_by(KEY).agg(pl.col("attempts").sum())
    return summed.sort(KEY, nulls_last=True)


def counted_counts(settings: Settings, names: list[str]) -> pl.DataFrame:
    """What sql/ops/calls_by_bucket.sql counts from call_results for `names`, sorted."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frame = warehouse.named_frame(con, "calls_by_bucket", {"lo": 0, "hi": 2**62})
    frame = frame.filter(pl.col("list_name").is_in(names))
    return frame.select(*KEY, "attempts").sort(KEY, nulls_last=True)


def query_names(noted: list[tuple[str, dict | None]]) -> list[str]:
    """The names of the queries `scope_tests.side_by_side_queries` noted."""
    return [name for name, _ in noted]


def test_a_load_adds_its_counts_and_a_refresh_reads_them(home, tmp_path, monkeypatch):
    changed = load_results_of(home, "east_q4", tmp_path)
    assert changed == ["east_q4"]
    counted = counted_counts(home, ["east_q4"])
    assert counted.height > 0
    # The lists had no results when the statistics were built: complete, so the load added.
    assert kept_counts(home).filter(pl.col("list_name") == "east_q4").equals(counted)
    noted = scope_tests.side_by_side_queries(monkeypatch)
    after = assert_as_full_rebuild(home, changed)
    # The refresh read the kept counts (the full rebuild that followed counted them all).
    assert query_names(noted).count("stored_call_buckets") == 1
    assert query_names(noted).count("calls_by_bucket") == 1
    assert after["hourly_stats"].filter(pl.col("list_name") == "east_q4")["attempts"].sum() > 0


def test_a_second_load_adds_to_the_kept_counts(home, tmp_path):
    load_results_of(home, "east_q4", tmp_path, skip=0)
    statistics.build_statistics(home, ["east_q4"])
    load_results_of(home, "east_q4", tmp_path, skip=1)
    assert kept_counts(home).equals(counted_counts(home, ["east_q4", "west_q4"]))
    assert_as_full_rebuild(home, ["east_q4"])


def test_an_ingest_drops_its_lists_counts_and_the_refresh_counts_again(home, tmp_path, monkeypatch):
    load_results_of(home, "east_q4", tmp_path)
    load_results_of(home, "west_q4", tmp_path)
    statistics.build_statistics(home, ["east_q4", "west_q4"])
    # The file again without its first rows: some records go, their results lose their zone.
    lines = (SAMPLE / "contacts_east_q4.csv").read_text(encoding="utf-8").splitlines()
    path = tmp_path / "contacts_east_q4.csv"
    path.write_text("\n".join([lines[0], *lines[20:]]) + "\n", encoding="utf-8")
    ingest(home, path, list_name="east_q4", group="collections_east", as_of=AS_OF)
    kept = kept_counts(home)
    assert kept.filter(pl.col("list_name") == "east_q4").is_empty()
    assert not kept.filter(pl.col("list_name") == "west_q4").is_empty()
    noted = scope_tests.side_by_side_queries(monkeypatch)
    assert_as_full_rebuild(home, ["east_q4"])
    # The refresh counted again, then the full rebuild.
    assert query_names(noted).count("calls_by_bucket") == 2
    assert kept_counts(home).equals(counted_counts(home, ["east_q4", "west_q4"]))
    gone = counted_counts(home, ["east_q4"]).filter(pl.col("tz_name").is_null())
    assert gone.height > 0  # the removed records' results count without a zone


def test_counts_that_do_not_add_up_are_counted_again(home, tmp_path, monkeypatch):
    load_results_of(home, "east_q4", tmp_path)
    east = list_id(home, "east_q4")
    with duckdb.connect(str(home.warehouse_path)) as con:
        assert call_buckets.kept(con, "east_q4", east).complete
        con.execute(
            "DELETE FROM call_buckets WHERE rowid IN "
            "(SELECT min(rowid) FROM call_buckets WHERE list_name = 'east_q4')"
        )
        assert not call_buckets.kept(con, "east_q4", east).complete
    noted = scope_tests.side_by_side_queries(monkeypatch)
    statistics.build_statistics(home, ["east_q4"])
    assert "stored_call_buckets" not in query_names(noted)
    assert kept_counts(home).equals(counted_counts(home, ["east_q4", "west_q4"]))


def test_kept_rows_beyond_the_ratio_are_written_back_summed(home, tmp_path, monkeypatch):
    load_results_of(home, "east_q4", tmp_path)
    # Each row split into rows of one attempt: the same sums, more rows than keys.
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute(
            "CREATE TEMP TABLE split AS SELECT list_name, tz_name, bucket, call_result, 1 AS "
            "attempts FROM call_buckets, range(attempts)"
        )
        con.execute("DELETE FROM call_buckets")
        con.execute("INSERT INTO call_buckets SELECT * FROM split")
        rows_before = con.execute("SELECT count(*) FROM call_buckets").fetchall()[0][0]
    keys = counted_counts(home, ["east_q4"]).height
    assert rows_before > keys
    monkeypatch.setattr(call_buckets, "COMPACT_RATIO", 1)
    noted = scope_tests.side_by_side_queries(monkeypatch)
    statistics.build_statistics(home, ["east_q4"])
    assert "stored_call_buckets" in query_names(noted)
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        rows = con.execute("SELECT count(*) FROM call_buckets").fetchall()[0][0]
    assert rows == keys
    assert kept_counts(home).equals(counted_counts(home, ["east_q4", "west_q4"]))


def test_a_load_into_a_list_whose_counts_are_incomplete_adds_none(home, tmp_path):
    load_results_of(home, "east_q4", tmp_path, skip=0)
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute("DELETE FROM call_buckets")  # as a warehouse made before the table
    load_results_of(home, "east_q4", tmp_path, skip=1)
    assert kept_counts(home).is_empty()
    statistics.build_statistics(home, ["east_q4"])
    assert kept_counts(home).equals(counted_counts(home, ["east_q4", "west_q4"]))
