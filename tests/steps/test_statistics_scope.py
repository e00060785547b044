"""A refresh of the lists a step changed writes what a full rebuild writes, for every table.

The sample's lists are ingested and their statistics built; then results arrive one list at a
time, a Do Not Call result suppresses a person in another list, a list is ingested into
another group: after each, the lists the step names are refreshed, and every statistics
table is compared with a full rebuild of the same warehouse.
"""

import shutil
from datetime import datetime

import duckdb
import polars as pl
import pytest

from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ops_statistics, results, setup, statistics
from cxpipeline.steps.ingest import ingest
from cxpipeline.steps.statistics_scope import scope_of
from cxpipeline.transforms.chains import ID_BLOCK

SAMPLE = REPO_ROOT / "data" / "sample"
AS_OF = datetime.fromisoformat("2026-11-16T08:00:00-05:00")
TABLES = (*statistics.STATISTICS_TABLES, *ops_statistics.OPS_TABLES)
HEADER = "client_id,first_name,last_name,home_phone,postal_code,state_code\n"
#: Columns a list_stats row is matched on before and after a load (what a load moves).
MOVES = ["list_name", "attempts", "no_call_records"]


def tables(settings: Settings) -> dict[str, pl.DataFrame]:
    """Every statistics table, rows sorted, floats rounded (sums may add in another order)."""
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frames = {name: con.sql(f"SELECT * FROM {name}").pl() for name in TABLES}  # noqa: S608
    return {
        name: frame.with_columns(pl.col(pl.Float64).round(9)).sort(frame.columns, nulls_last=True)
        for name, frame in frames.items()
    }


def assert_as_full_rebuild(settings: Settings, lists: list[str]) -> dict[str, pl.DataFrame]:
    """Refresh `lists`, then check a full rebuild changes nothing; return the tables."""
    statistics.build_statistics(settings, lists)
    refreshed = tables(settings)
    statistics.build_statistics(settings)
    rebuilt = tables(settings)
    for name in TABLES:
        assert refreshed[name].equals(rebuilt[name]), name
    return rebuilt


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory):
    """The sample's lists ingested and their statistics built, once for the module."""
    settings = Settings.build(tmp_path_factory.mktemp("sample") / "home")
    setup.apply_campaigns(settings, SAMPLE / "campaigns.yaml")
    for name, group in (
        ("east_q4", "collections_east"),
        ("east_retry", "collections_east"),
        ("west_q4", "collections_west"),
    ):
        path = SAMPLE / f"contacts_{name}.csv"
        ingest(settings, path, list_name=name, group=group, as_of=AS_OF)
    statistics.build_statistics(settings)
    return settings.home


@pytest.fixture
def home(sample_home, tmp_path):
    """A copy of the sample home of its own for each test."""
    shutil.copytree(sample_home, tmp_path / "home")
    return Settings.build(tmp_path / "home")


def list_ids(settings: Settings) -> dict[str, int]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return dict(con.execute("SELECT name, list_id FROM contact_lists").fetchall())


def test_results_list_by_list_refresh_what_a_full_rebuild_writes(home, tmp_path):
    sample = pl.read_csv(SAMPLE / "call_results.csv", infer_schema=False)
    block = pl.col("record_id").cast(pl.Int64) // ID_BLOCK
    for name, list_id in sorted(list_ids(home).items()):
        part = sample.filter(block == list_id)
        if part.height == 0:
            continue
        path = tmp_path / f"results-{name}.csv"
        part.write_csv(path)
        loaded = results.load_results(home, path)
        assert name in results.lists_changed(loaded)
        before = tables(home)
        after = assert_as_full_rebuild(home, results.lists_changed(loaded))
        # The load moved this list's row, and only the lists it names.
        moved = before["list_stats"].join(after["list_stats"], how="anti", on=MOVES)
        assert set(moved["list_name"]) <= set(results.lists_changed(loaded))


def test_a_do_not_call_result_refreshes_the_other_list_it_suppressed(home, tmp_path):
    # The same person (number and client id) in two lists of different groups.
    person = "S1,Sam,Shared,(212) 736-0142,10001,NY\n"
    for name, group in (("left", "collections_east"), ("right", "collections_west")):
        path = tmp_path / f"{name}.csv"
        path.write_text(HEADER + person, encoding="utf-8")
        ingest(home, path, list_name=name, group=group, as_of=AS_OF)
        statistics.build_statistics(home, [name])
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        (record_id,) = con.execute(
            "SELECT record_id FROM contact_records WHERE list_name = 'left'"
        ).fetchone()
    path = tmp_path / "dnc.csv"
    path.write_text(
        f"record_id,call_time,call_result,attempt\n{record_id},2026-11-16T09:00:00-05:00,51,1\n",
        encoding="utf-8",
    )
    loaded = results.load_results(home, path)
    assert results.lists_changed(loaded) == ["left", "right"]
    after = assert_as_full_rebuild(home, results.lists_changed(loaded))
    no_call = dict(after["list_stats"].select("list_name", "no_call_records").iter_rows())
    assert no_call["right"] == 1


def test_a_refreshed_file_refreshes_its_list_and_its_group(home, tmp_path):
    # east_retry's file again with every fourth row left out: its group's sums move.
    lines = (SAMPLE / "contacts_east_retry.csv").read_text(encoding="utf-8").splitlines()
    kept = [line for index, line in enumerate(lines) if index % 4 != 1]
    path = tmp_path / "contacts_east_retry.csv"
    path.write_text("\n".join(kept) + "\n", encoding="utf-8")
    before = tables(home)
    ingest(home, path, list_name="east_retry", group="collections_east", as_of=AS_OF)
    after = assert_as_full_rebuild(home, ["east_retry"])
    group = pl.col("campaign_group") == "collections_east"
    assert not before["group_stats"].filter(group).equals(after["group_stats"].filter(group))
    west = pl.col("campaign_group") == "collections_west"
    assert before["group_stats"].filter(west).equals(after["group_stats"].filter(west))


def test_a_new_list_and_a_list_without_a_row_join_the_refresh(home, tmp_path):
    path = tmp_path / "new.csv"
    path.write_text(HEADER + "N1,Nia,New,617.353.0100,02134,MA\n", encoding="utf-8")
    ingest(home, path, list_name="new", group="collections_east", as_of=AS_OF)
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute("DELETE FROM list_stats WHERE list_name = 'west_q4'")
    after = assert_as_full_rebuild(home, ["new"])
    assert {"new", "west_q4"} <= set(after["list_stats"]["list_name"])


def test_a_list_that_no_longer_exists_has_its_rows_deleted_and_none_rebuilt():
    known = pl.DataFrame(
        {"list_name": ["a", "b"], "campaign_group": ["g", None], "list_id": [1, 2]}
    )
    stored = pl.DataFrame({"list_name": ["a", "b", "gone"], "campaign_group": ["g", None, "h"]})
    scope = scope_of(["b", "gone"], known, stored)
    assert scope.lists == ("b", "gone")
    assert scope.groups == ("h",)  # b has no group; gone's group at its last refresh
    assert scope.blocks == ((2 * ID_BLOCK, 3 * ID_BLOCK),)
    assert scope.block_lists == (("b", 2),)  # each block's list, for its kept call counts
    assert scope_of(None, known, stored).lists is None


def side_by_side_queries(monkeypatch) -> list[tuple[str, dict | None]]:
    """Note each named query the statistics run side by side, with its bound values."""
    from cxpipeline import warehouse

    noted: list[tuple[str, dict | None]] = []
    named = warehouse.named_frames

    def noting(con, queries):
        noted.extend(queries.items())
        return named(con, queries)

    monkeypatch.setattr(warehouse, "named_frames", noting)
    return noted


def test_a_refresh_of_some_lists_reads_only_their_blocks(home, monkeypatch):
    """The slice and block queries of a refresh of one list stay inside its id block."""
    noted = side_by_side_queries(monkeypatch)
    statistics.build_statistics(home, ["east_retry"])
    bounds = [(p["lo"], p["hi"]) for _, p in noted if p and "lo" in p]
    low = list_ids(home)["east_retry"] * ID_BLOCK
    assert bounds
    assert all(low <= lo < hi <= low + ID_BLOCK for lo, hi in bounds)


def test_a_refresh_of_no_list_writes_nothing_unless_a_row_is_missing(home):
    """A step that changed no list refreshes none; a list without its row still gets it."""
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute("UPDATE list_stats SET attempts = 999 WHERE list_name = 'east_q4'")
    assert statistics.build_statistics(home, []) == {"lists": 0, "groups": 0, "hourly_rows": 0}
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        kept = con.execute("SELECT attempts FROM list_stats WHERE list_name = 'east_q4'").fetchall()
    assert kept == [(999,)]
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute("DELETE FROM list_stats WHERE list_name = 'west_q4'")
    assert statistics.build_statistics(home, [])["lists"] == 1
    assert_as_full_rebuild(home, ["east_q4"])
