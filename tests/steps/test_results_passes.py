"""A results load split into passes (of records, then of chains) ends as a load in one pass."""

from datetime import datetime

import duckdb
import polars as pl
import pyarrow.parquet as pq
import pytest
from tests.steps.memory_limits import recorded_limits, shown_limit

from cxpipeline.io import parquet
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest, plan, results, setup, state
from cxpipeline.transforms import results as typing
from cxpipeline.transforms import suppression

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
SAMPLE = REPO_ROOT / "data" / "sample"
TABLES = {
    "call_results": (
        "SELECT * EXCLUDE (loaded_at, source_file) FROM call_results ORDER BY result_key"
    ),
    "contact_records": "SELECT * EXCLUDE (source_file) FROM contact_records ORDER BY record_id",
    "chain_holds": "SELECT * FROM chain_holds ORDER BY ALL",
    "rejected_rows": "SELECT * EXCLUDE (source_file) FROM rejected_rows ORDER BY ALL",
    "suppression_entries": (
        "SELECT * EXCLUDE (added_at, expires_at) FROM suppression_entries ORDER BY ALL"
    ),
}


def _loaded(home, monkeypatch, results_per_pass, chains_per_pass, results_file=None):
    """Ingest the sample's east list, load the sample results; return summary and tables."""
    monkeypatch.setattr(results, "RESULTS_PER_PASS", results_per_pass)
    monkeypatch.setattr(state, "CHAINS_PER_PASS", chains_per_pass)
    # The passes after the first are sized by the results read: small ones, of any size.
    monkeypatch.setattr(state, "STATE_ROWS_PER_PASS", 4 * chains_per_pass)
    monkeypatch.setattr(state, "CHAINS_PER_PASS_BOUNDS", (chains_per_pass // 4, chains_per_pass))
    settings = Settings.build(home)
    setup.apply_campaigns(settings, SAMPLE / "campaigns.yaml")
    source = SAMPLE / "contacts_east_q4.csv"
    ingest.ingest(settings, source, list_name="east_q4", group="collections_east", as_of=AS_OF)
    given = (results_file or _results_file)(home)
    summary = results.load_results(settings, given, as_of=AS_OF)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        tables = {name: con.execute(sql).fetchall() for name, sql in TABLES.items()}
    return summary, tables


def _results_file(home):
    """The sample results without attempt numbers, latest first, 60 rows given twice.

    The loader then numbers attempts over each record's whole history and drops repeats:
    both must come out the same however the rows are split into passes.
    """
    rows = pl.read_csv(SAMPLE / "call_results.csv", infer_schema=False).drop("attempt")
    rows = pl.concat([rows.reverse(), rows.head(60)])
    path = home / "results.csv"
    rows.write_csv(path)
    return path


def _results_parquet(home):
    """The same rows as `_results_file`, as Parquet in one row group (as some writers do)."""
    path = home / "results.parquet"
    pl.read_csv(_results_file(home), infer_schema=False).write_parquet(path, row_group_size=10**6)
    assert pq.ParquetFile(path).metadata.num_row_groups == 1
    return path


@pytest.fixture(scope="module")
def one_pass(tmp_path_factory):
    with pytest.MonkeyPatch.context() as monkeypatch:
        return _loaded(tmp_path_factory.mktemp("one"), monkeypatch, 10**9, 10**9)


def test_many_passes_store_the_same_results_state_holds_rejects_and_dnc(
    one_pass, tmp_path, monkeypatch
):
    summary, tables = _loaded(tmp_path, monkeypatch, 400, 150)
    expected_summary, expected = one_pass
    assert summary["results_loaded"] > 400 and summary["rows_rejected"] > 0
    assert summary["already_loaded"] > 0  # the repeated rows that name a known record
    assert {k: v for k, v in summary.items()} == expected_summary
    for name, rows in expected.items():
        assert tables[name] == rows, name
    assert expected["call_results"] and expected["suppression_entries"]


def test_passes_beyond_the_pass_files_store_the_same_and_each_file_holds_its_passes(
    one_pass, tmp_path, monkeypatch
):
    """The typed rows are dealt once into the passes' files (Arrow IPC): a pass reads its own."""
    monkeypatch.setattr(results, "PASS_FILES", 3)
    monkeypatch.setattr(results, "DEAL_ROWS", 500)  # dealt a slab at a time
    dealt = []
    real = results._pass_files

    def spying(parsed, passes):
        files = real(parsed, passes)
        dealt.append((passes, [pl.read_ipc(path) for path in files]))
        return files

    monkeypatch.setattr(results, "_pass_files", spying)
    summary, tables = _loaded(tmp_path, monkeypatch, 100, 150)
    expected_summary, expected = one_pass
    assert summary == expected_summary
    for name, rows in expected.items():
        assert tables[name] == rows, name
    [(passes, files)] = dealt
    assert passes > 3 and len(files) == 3
    for index, rows in enumerate(files):
        ids = rows.get_column("record_id").cast(pl.Int64, strict=False).fill_null(0)
        assert rows.height and (rows["_pass"] % 3 == index).all()
        assert (((ids % passes) + passes) % passes == rows["_pass"]).all()
    assert sum(rows.height for rows in files) == summary["rows_read"]
    assert not list(tmp_path.rglob("pass-*.arrow"))  # removed with the staging


def test_a_parquet_file_typed_in_batches_stores_what_its_csv_stores(
    one_pass, tmp_path, monkeypatch
):
    """A Parquet file is typed batch by batch (bounded memory whatever its row groups)."""
    typed = []
    parsed = typing.parsed_call_results

    def counting(raw):
        typed.append(raw)
        return parsed(raw)

    monkeypatch.setattr(parquet, "BATCH_ROWS", 100)
    monkeypatch.setattr(typing, "parsed_call_results", counting)
    summary, tables = _loaded(tmp_path, monkeypatch, 10**9, 10**9, _results_parquet)
    expected_summary, expected = one_pass
    rows = summary["rows_read"]
    assert rows > 300 and len(typed) == -(-rows // 100)  # one typing per batch of 100 rows
    assert {k: v for k, v in summary.items() if k != "run_id"} == {
        k: v for k, v in expected_summary.items() if k != "run_id"
    }
    for name, stored in expected.items():
        assert _load_named(tables[name]) == _load_named(stored), name


def _load_named(rows):
    """Rows with the load's run id (named after the file's bytes) as one placeholder."""
    return [tuple("load" if str(v).startswith("results-") else v for v in row) for row in rows]


def test_a_pass_reads_its_rows_in_file_order_whatever_order_they_were_staged_in(
    tmp_path, monkeypatch
):
    # The typed rows are staged in any order (Polars streams them unordered, in bounded
    # memory); each pass puts them back in file order, so what a load stores, and in which
    # order, does not depend on how the staging went.
    physical = "SELECT source_row, field, reason FROM rejected_rows WHERE run_id LIKE 'results-%'"

    def stored(home):
        with duckdb.connect(str(Settings.build(home).warehouse_path), read_only=True) as con:
            return con.execute(physical).fetchall()

    _loaded(tmp_path / "as_read", monkeypatch, 10**9, 10**9)
    real = results._staged_parse

    def reversed_staging(table, path, target):
        staged = real(table, path, target)
        pl.read_parquet(staged).sort("source_row", descending=True).write_parquet(staged)
        return staged

    monkeypatch.setattr(results, "_staged_parse", reversed_staging)
    _loaded(tmp_path / "reversed", monkeypatch, 10**9, 10**9)
    rows = stored(tmp_path / "as_read")
    assert len(rows) > 1 and [r[0] for r in rows] == sorted(r[0] for r in rows)
    assert stored(tmp_path / "reversed") == rows


def test_each_pass_reads_the_owners_of_its_own_records_only(tmp_path, monkeypatch):
    """A load every few minutes must not read every record of the warehouse per pass."""
    from cxpipeline import warehouse

    owners_read = []
    named_frame = warehouse.named_frame

    def spying(con, name, params=None):
        frame = named_frame(con, name, params)
        if name == "owners_of_records":
            owners_read.append(frame)
        return frame

    monkeypatch.setattr(warehouse, "named_frame", spying)
    summary, tables = _loaded(tmp_path, monkeypatch, 400, 150)
    named = pl.read_csv(_results_file(tmp_path), infer_schema=False)
    named_ids = set(named["record_id"].cast(pl.Int64, strict=False).drop_nulls().to_list())
    assert len(owners_read) > 1  # one read per pass
    read_ids = [set(frame["record_id"].to_list()) for frame in owners_read]
    assert all(ids <= named_ids for ids in read_ids)
    assert sum(len(ids) for ids in read_ids) == len(set().union(*read_ids))  # no id twice
    stored = {row[0] for row in tables["contact_records"]}  # record_id: the first column
    assert set().union(*read_ids) == named_ids & stored
    assert len(stored) > len(max(read_ids, key=len))


def test_a_load_stores_its_results_in_record_id_order(tmp_path, monkeypatch):
    """Clustered by record, a state pass reads only its records' row groups (the file: latest
    first, in no record order)."""
    _loaded(tmp_path, monkeypatch, 10**9, 10**9)
    with duckdb.connect(str(Settings.build(tmp_path).warehouse_path), read_only=True) as con:
        sql = "SELECT record_id FROM call_results ORDER BY rowid"
        stored = [r[0] for r in con.execute(sql).fetchall()]
    given = pl.read_csv(_results_file(tmp_path), infer_schema=False)["record_id"].to_list()
    assert len(stored) > 400 and given != sorted(given)
    assert stored == sorted(stored)


def test_the_same_results_again_in_many_passes_add_nothing(tmp_path, monkeypatch):
    """Each pass finds every stored result of its records, the range's last one included."""
    first, tables = _loaded(tmp_path, monkeypatch, 400, 150)
    again = pl.read_csv(_results_file(tmp_path), infer_schema=False).reverse()
    path = tmp_path / "again.csv"
    again.write_csv(path)
    settings = Settings.build(tmp_path)
    second = results.load_results(settings, path, as_of=AS_OF)
    assert second["results_loaded"] == 0
    assert second["already_loaded"] == first["results_loaded"] + first["already_loaded"]
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute(TABLES["call_results"]).fetchall() == tables["call_results"]


def test_a_load_is_bounded_runs_again_unbounded_when_it_must_and_commits_unbounded(
    one_pass, tmp_path, monkeypatch
):
    # DuckDB's memory is bounded for a load's statements (an 8.5 M-result load into a 5M-row
    # list grew to 4.1 GiB without it); a load that runs out within the bound rolls back and
    # runs again without it, to the same end.
    limits = recorded_limits(monkeypatch, out_of_memory_at="call_results")
    summary, tables = _loaded(tmp_path, monkeypatch, 10**9, 10**9)
    expected_summary, expected = one_pass
    assert summary == expected_summary
    for name, rows in expected.items():
        assert tables[name] == rows, name
    bounded = shown_limit(results.load_bound(Settings.build(tmp_path)))
    first, second = limits.at("call_results")
    assert first == bounded and second != bounded  # the second attempt: unbounded
    assert limits.commits and bounded not in limits.commits
    # the load's COMMIT (the last) does not checkpoint: its checkpoint follows, unbounded as
    # the second attempt's statements; the writer's, as it closes, within the bound again
    assert limits.thresholds[-1] != "16.0 MiB"
    assert limits.checkpoints[-2:] == [None, Settings.build(tmp_path).warehouse_memory_mb]


def test_a_load_of_many_passes_that_runs_out_within_the_bound_runs_again_to_the_same_end(
    one_pass, tmp_path, monkeypatch
):
    # The second attempt deals nothing again: it reads the passes' files the first one read
    # (dealt before the attempts; an attempt that dealt them found its staged file gone).
    monkeypatch.setattr(results, "PASS_FILES", 3)
    limits = recorded_limits(monkeypatch, out_of_memory_at="call_results")
    summary, tables = _loaded(tmp_path, monkeypatch, 100, 150)
    expected_summary, expected = one_pass
    assert summary == expected_summary
    for name, rows in expected.items():
        assert tables[name] == rows, name
    assert len(limits.at("call_results")) == 2


def test_a_load_s_passes_write_nothing_until_its_transaction(tmp_path, monkeypatch):
    # The passes only read (under the write lock) and stage what they find: kept open across
    # them, the transaction held what their statements used until its COMMIT (~2 MiB a pass,
    # 1.6 GiB for the 5M list's 93.6 M results).
    from cxpipeline import warehouse

    seen = []
    check = results._check_pass

    def spying(con, *args):
        seen.append(id(con) in warehouse._IN_TRANSACTION)
        before = _counts(con)
        check(con, *args)
        assert _counts(con) == before  # nothing stored by the pass itself

    monkeypatch.setattr(results, "_check_pass", spying)
    summary, tables = _loaded(tmp_path, monkeypatch, 400, 150)
    assert len(seen) > 1 and not any(seen)
    assert summary["results_loaded"] > 400 and tables["suppression_entries"]


def _counts(con):
    """Rows of the tables a results load writes."""
    sql = "SELECT (SELECT count(*) FROM {})"
    return [con.execute(sql.format(name)).fetchall() for name in TABLES]


def test_one_person_s_do_not_call_results_in_two_passes_make_one_entry(tmp_path, monkeypatch):
    # The same number and client id in two lists: its records' Do Not Call results fall in
    # two passes, each finding the entry not held yet; the load stores it once.
    settings = Settings.build(tmp_path)
    setup.apply_campaigns(settings, SAMPLE / "campaigns.yaml")
    person = "client_id,first_name,last_name,home_phone,postal_code,state_code\n"
    person += "S1,Sam,Shared,(212) 736-0142,10001,NY\n"
    for name, group in (("left", "collections_east"), ("right", "collections_west")):
        path = tmp_path / f"{name}.csv"
        path.write_text(person, encoding="utf-8")
        ingest.ingest(settings, path, list_name=name, group=group, as_of=AS_OF)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        sql = "SELECT record_id FROM contact_records ORDER BY list_name"
        left, right = (row[0] for row in con.execute(sql).fetchall())
    # One pass a row: enough rows (answered calls of `left` besides) that the two fall apart.
    extra = next(k for k in range(8) if left % (2 + k) != right % (2 + k))
    rows = [f"{left},2026-11-30T09:00:00-05:00,51", f"{right},2026-11-30T09:01:00-05:00,51"]
    rows += [f"{left},2026-11-2{k}T09:00:00-05:00,33" for k in range(extra)]
    path = tmp_path / "results.csv"
    path.write_text("record_id,call_time,call_result\n" + "\n".join(rows) + "\n", "utf-8")
    found = []
    entries = results._dnc_entries

    def spying(*args):
        new = entries(*args)
        found.append(new.height)
        return new

    monkeypatch.setattr(results, "RESULTS_PER_PASS", 1)
    monkeypatch.setattr(results, "_dnc_entries", spying)
    loaded = results.load_results(settings, path, as_of=AS_OF)
    assert loaded["results_loaded"] == len(rows) and found.count(1) == 2  # in two passes
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        stored = con.execute(
            "SELECT e164, client_id FROM suppression_entries WHERE suppression_list = $name",
            {"name": suppression.DNC_RESULTS_LIST},
        ).fetchall()
    assert stored == [("+12127360142", "S1")]


def test_a_load_commits_within_the_bound_and_without_it_when_that_commit_fails(
    one_pass, tmp_path, monkeypatch
):
    # Lifted, a load's COMMIT kept every block it read cached (a day's results for the 5M
    # list: 2.2 GiB); within the bound it is not. Its ingest's COMMIT, which registers new
    # identities in a unique index, runs without the bound.
    limits = recorded_limits(monkeypatch)
    _loaded(tmp_path / "a", monkeypatch, 10**9, 10**9)
    megabytes = results.load_bound(Settings.build(tmp_path / "a"))
    bounded = shown_limit(megabytes)
    assert len(limits.commits) == 2 and limits.commits[0] != bounded  # the ingest's
    assert limits.commits[-1] == bounded  # the load's
    # A load whose COMMIT fails within the bound (rolled back, as DuckDB's failed COMMIT
    # is) runs again without it, to the same end.
    limits = recorded_limits(monkeypatch, commit_fails_within=megabytes)
    summary, tables = _loaded(tmp_path / "b", monkeypatch, 10**9, 10**9)
    expected_summary, expected = one_pass
    assert summary == expected_summary
    for name, rows in expected.items():
        assert tables[name] == rows, name
    assert limits.commits[1:] == [bounded, limits.commits[0]]  # failed within, then without
    assert limits.at("call_results") == [bounded, limits.commits[0]]


def test_a_load_bounds_duckdb_below_the_home_unless_the_home_asks_less_or_no_bound(tmp_path):
    # Polars' working set of the passes sits beside DuckDB's: the 5M list's day of results
    # peaked at 1,202 MiB within 512 MB, 995 MiB within 256 (docs/performance.md).
    home = Settings.build(tmp_path)
    assert results.load_bound(home) == results.RESULTS_LOAD_MB < home.warehouse_memory_mb
    assert results.load_bound(home.model_copy(update={"warehouse_memory_mb": 128})) == 128
    assert results.load_bound(home.model_copy(update={"warehouse_memory_mb": None})) is None


def test_a_load_that_repeats_a_result_key_rolls_back(tmp_path, monkeypatch):
    # result_key is held by no index (call_results.sql); the state refresh checks the touched
    # chains' results. A load forced to store one of its results twice leaves nothing behind.
    from cxpipeline import warehouse
    from cxpipeline.errors import CxError

    real_insert = warehouse.insert

    def insert(con, table, data):
        real_insert(con, table, data)
        if table == "call_results":
            con.execute("INSERT INTO call_results SELECT * FROM call_results LIMIT 1")

    monkeypatch.setattr(warehouse, "insert", insert)
    with pytest.raises(CxError, match=r"result_key shared by two results \(2\); nothing was"):
        _loaded(tmp_path, monkeypatch, 10**9, 10**9)
    settings = Settings.build(tmp_path)
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM call_results").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM suppression_entries").fetchone() == (0,)
    monkeypatch.setattr(warehouse, "insert", real_insert)
    loaded = results.load_results(settings, _results_file(tmp_path), as_of=AS_OF)
    assert loaded["results_loaded"] > 400  # the same file loads when sound


def test_a_load_writes_the_state_of_all_its_passes_with_one_update(tmp_path, monkeypatch):
    # DuckDB holds an UPDATE's values in memory until the COMMIT, about half as much for one
    # UPDATE of many records as for many small ones: a load stages each pass's state and
    # writes them at the end; without a staging folder a refresh writes pass by pass.
    writes = []
    real_write = state._write_state

    def write_state(con):
        writes.append(con.execute("SELECT count(*) FROM _state").fetchone()[0])
        real_write(con)

    monkeypatch.setattr(state, "_write_state", write_state)
    _loaded(tmp_path, monkeypatch, 400, 150)
    assert len(writes) == 1 and writes[0] > 150  # every pass of the load's chains at once
    loaded = writes.pop()
    with duckdb.connect(str(Settings.build(tmp_path).warehouse_path)) as con:
        state.refresh_state(con, AS_OF, "east_q4")  # no staging folder
    assert len(writes) > 1 and sum(writes) == loaded  # pass by pass, the same records
    writes.clear()
    settings = Settings.build(tmp_path)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("DELETE FROM state_inputs")  # as a change of settings or code does
    plan.plan_windows(settings, ["east_q4"], as_of=AS_OF, horizon_days=None)
    assert writes == [loaded]  # a plan's rebuild stages its state too
    # In UPDATEs of about STATE_ROWS_PER_UPDATE records (whole passes each).
    writes.clear()
    monkeypatch.setattr(state, "STATE_ROWS_PER_UPDATE", loaded // 3)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("DELETE FROM state_inputs")
    plan.plan_windows(settings, ["east_q4"], as_of=AS_OF, horizon_days=None)
    assert len(writes) >= 3 and sum(writes) == loaded
    assert all(count <= loaded // 3 for count in writes)


def test_state_passes_after_the_first_hold_about_the_rows_asked_for(tmp_path, monkeypatch):
    # Chains hold more or fewer results from list to list: the first pass takes
    # CHAINS_PER_PASS chains, the next as many as hold STATE_ROWS_PER_PASS records and
    # results at the rate of the pass before, within the bounds.
    passes = []
    refresh = state._refresh_chains

    def counting(con, as_of, chains, *args):
        found, rows_read = refresh(con, as_of, chains, *args)
        passes.append((chains.height, rows_read))
        assert found is not None and rows_read > found.height  # records and their results
        return found, rows_read

    monkeypatch.setattr(state, "_refresh_chains", counting)
    _loaded(tmp_path, monkeypatch, 10**9, 40)
    monkeypatch.setattr(state, "STATE_ROWS_PER_PASS", 300)
    monkeypatch.setattr(state, "CHAINS_PER_PASS_BOUNDS", (5, 10**6))
    passes.clear()
    settings = Settings.build(tmp_path)
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("DELETE FROM state_inputs")  # the next plan rebuilds the state
    plan.plan_windows(settings, ["east_q4"], as_of=AS_OF, horizon_days=None)
    assert len(passes) > 3 and passes[0][0] == 40
    # Each pass but the last (what chains are left) is as large as the one before asked.
    for (chains, rows_read), (following, _) in zip(passes, passes[1:-1], strict=False):
        assert following == max(5, chains * 300 // rows_read)
    assert len({chains for chains, _ in passes[:-1]}) > 1


def test_a_pass_that_read_nothing_leaves_the_next_pass_its_size(monkeypatch):
    monkeypatch.setattr(state, "STATE_ROWS_PER_PASS", 1_000)
    monkeypatch.setattr(state, "CHAINS_PER_PASS_BOUNDS", (10, 500))
    assert state._next_pass_chains(40, 0) == 40
    assert state._next_pass_chains(40, 100) == 400
    assert state._next_pass_chains(40, 10_000) == 10  # the lower bound
    assert state._next_pass_chains(400, 100) == 500  # the upper bound
