import re

import duckdb
import polars as pl
import pytest

from cxpipeline import warehouse, warehouse_comments, warehouse_files, warehouse_memory
from cxpipeline.io.snapshot import snapshot_path
from cxpipeline.schemas.catalog import render_markdown
from cxpipeline.settings import REPO_ROOT, Settings

SAMPLE_VALUES: dict[str, object] = {"fractions": [0.5], "chains": [1], "lists": ["x"]}


def test_every_sql_file_is_a_listed_relation():
    files = set(warehouse.sql_files())
    assert files, "sql/ holds no relation files"
    assert files <= set(warehouse.RELATIONS), (
        f"unlisted SQL files: {files - set(warehouse.RELATIONS)}"
    )


def test_every_relation_file_prepares_and_creates_its_relation(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.migrate(con)
    for name in warehouse.sql_files():
        assert warehouse.table_exists(con, name), f"{name}.sql did not create {name}"


def test_every_statement_prepares(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.migrate(con)
    con.execute("CREATE TEMP TABLE _state AS SELECT * FROM contact_records LIMIT 0")
    con.execute("CREATE TEMP TABLE _chains AS SELECT chain_id FROM contact_records LIMIT 0")
    con.execute("CREATE TEMP TABLE _result_records AS SELECT record_id FROM call_results LIMIT 0")
    con.execute("CREATE TEMP TABLE _fresh AS SELECT * FROM call_results LIMIT 0")
    con.execute(
        "CREATE TEMP TABLE _new_entries AS SELECT e164, client_id FROM suppression_entries LIMIT 0"
    )
    con.execute("CREATE TEMP TABLE _file_keys AS SELECT chain_key FROM contact_records LIMIT 0")
    con.execute("CREATE TEMP TABLE _file_numbers AS SELECT e164 FROM suppression_entries LIMIT 0")
    for name in warehouse.statement_files():
        text = warehouse.load_sql_statement(name)
        # Text binds to any scalar; a list parameter needs a list.
        params = {p: SAMPLE_VALUES.get(p, "x") for p in re.findall(r"\$(\w+)", text)}
        # EXPLAIN binds every name without changing anything.
        con.execute("EXPLAIN " + text, params)


def test_migrate_is_idempotent(tmp_path):
    settings = Settings.build(tmp_path)
    con = warehouse.connect(settings)
    con.execute(
        "INSERT INTO ingest_runs (run_id, list_name, source_file, source_sha256, mode, "
        "rows_read, rows_accepted, rows_rejected, records_written, status, started_at) "
        "VALUES ('r', 'l', 'f', 's', 'replace', 1, 1, 0, 1, 'succeeded', now())"
    )
    con.close()
    con = warehouse.connect(settings)
    assert con.execute("SELECT count(*) FROM ingest_runs").fetchone() == (1,)


def test_a_new_process_skips_the_migration_of_a_current_warehouse(tmp_path, monkeypatch):
    settings = Settings.build(tmp_path / "home")
    warehouse.connect(settings).close()
    calls = []
    monkeypatch.setattr(warehouse, "migrate", calls.append)
    snapshot = snapshot_path(settings.warehouse_path)
    published = snapshot.stat().st_ino

    def new_process_connects():
        warehouse._MIGRATED.clear()  # what a new process knows
        warehouse.connect(settings).close()

    new_process_connects()
    assert calls == []
    # Nothing was rewritten, so the readers' snapshot was not copied again.
    assert snapshot.stat().st_ino == published
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("UPDATE warehouse_schema SET schema_key = 'older code'")
    new_process_connects()
    assert len(calls) == 1
    monkeypatch.undo()
    new_process_connects()  # the real migration stores the key again
    with duckdb.connect(str(settings.warehouse_path)) as con:
        con.execute("DROP TABLE chain_holds")  # a relation gone: migrate whatever the key says
    monkeypatch.setattr(warehouse, "migrate", calls.append)
    new_process_connects()
    assert len(calls) == 2


def test_a_writer_seeds_the_rules_where_a_file_has_none_and_keeps_stored_ones(tmp_path):
    from cxpipeline import rules
    from cxpipeline.steps import setup

    settings = Settings.build(tmp_path / "home")
    seed = rules.load_rules()

    def rule_count(con) -> int:
        return int(con.execute("SELECT count(*) FROM compliance_rules").fetchall()[0][0])

    def new_process_connects(*, read_only: bool = False):
        warehouse._MIGRATED.clear()  # what a new process knows
        return warehouse.connect(settings, read_only=read_only)

    with new_process_connects() as con:  # a new file: relations made, the seed stored
        assert rule_count(con) == seed.height
    override = tmp_path / "rules.yaml"
    override.write_text(
        'rules:\n  - jurisdiction: TX\n    days: Mon-Sun\n    start_local: "10:00"\n'
        '    end_local: "20:00"\n    effective_from: 2027-01-01\n'
    )
    setup.prepare_warehouse(settings, rules_file=override)
    with new_process_connects() as con:  # stored rules are never replaced by the seed
        assert rule_count(con) == seed.height + 1
        con.execute("DELETE FROM compliance_rules")  # e.g. a file an older release made
    with new_process_connects(read_only=True) as con:  # a reader never writes
        assert rule_count(con) == 0
    with new_process_connects() as con:  # the first writer of a process seeds them again
        assert rule_count(con) == seed.height
        stored = rules.read_rules(con)
    order = ["jurisdiction", "purpose", "effective_from", "origin_row"]
    assert stored.sort(order).equals(seed.sort(order))


def test_the_schema_key_covers_the_code_its_ddl_expands_from_without_importing_it():
    import json
    import subprocess
    import sys

    script = """
import json, sys
from pathlib import Path
from cxpipeline import warehouse, warehouse_schema
warehouse_schema.schema_key()
imported_for_key = "cxpipeline.campaigns" in sys.modules
before = set(sys.modules)
for name in warehouse.RELATIONS:
    warehouse.load_sql(name)
expanding = sorted(
    str(Path(module.__file__).resolve())
    for name, module in list(sys.modules.items())
    if name.startswith("cxpipeline") and name not in before
)
hashed = {str(path.resolve()) for path in warehouse_schema.key_files()}
print(json.dumps([imported_for_key, expanding, sorted(set(expanding) - hashed)]))
"""
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    imported_for_key, expanding, unhashed = json.loads(done.stdout)
    assert imported_for_key is False  # the key reads files; the campaign model is not imported
    assert any(path.endswith("ddl.py") for path in expanding)  # markers were expanded
    assert unhashed == []  # a change in any code the DDL is made from changes the key


def test_transaction_rolls_back_on_error(tmp_path):
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE t (x INTEGER)")
    with pytest.raises(RuntimeError), warehouse.transaction(con):
        con.execute("INSERT INTO t VALUES (1)")
        raise RuntimeError("boom")
    assert con.execute("SELECT count(*) FROM t").fetchone() == (0,)


def test_identifiers_only_from_allow_list():
    assert warehouse.quote_identifier("list_stats", {"list_stats"}) == '"list_stats"'
    with pytest.raises(ValueError):
        warehouse.quote_identifier("list_stats; DROP TABLE x", {"list_stats"})
    with pytest.raises(ValueError):
        warehouse.load_sql("../etc/passwd")


def test_marker_lines_are_expanded_and_unknown_markers_rejected():
    text = warehouse.load_sql("contact_lists")
    assert "{{setting_columns}}" not in text and "    device_priority " in text
    assert warehouse._expand_markers("SELECT 1") == "SELECT 1"
    with pytest.raises(ValueError, match="unknown SQL marker"):
        warehouse._expand_markers("SELECT\n    {{no_such_marker}}\n")


def test_every_relation_and_column_carries_a_comment():
    con = duckdb.connect()
    warehouse.migrate(con)
    described = warehouse_comments.described_relations(con)
    assert {r.name for r in described} == set(warehouse.RELATIONS)
    missing = [r.name for r in described if not r.comment] + [
        f"{r.name}.{c.name}" for r in described for c in r.columns if not c.comment
    ]
    assert missing == [], "describe these in a model of schemas/catalog.RELATION_MODELS"
    comment = con.execute(
        "SELECT comment FROM duckdb_columns() WHERE table_name = 'rejected_rows' "
        "AND column_name = 'kind'"
    ).fetchone()
    assert comment == ("What was refused.",)


def test_comments_survive_a_second_migration_and_quotes_are_escaped(tmp_path):
    path = str(tmp_path / "w.duckdb")
    for _ in range(2):
        with duckdb.connect(path) as con:
            warehouse.migrate(con)
    with duckdb.connect(path) as con:
        views = dict(con.execute("SELECT view_name, comment FROM duckdb_views()").fetchall())
        tables = dict(con.execute("SELECT table_name, comment FROM duckdb_tables()").fetchall())
    assert views["dialable_now"].startswith("Records that may be dialed at this moment")
    assert tables["contact_records"] == (
        "A calling-list record: the dialer's mandatory fields (docs/domain.md §2), audit columns."
    )


def test_docs_warehouse_md_is_generated_from_the_comments():
    con = duckdb.connect()
    warehouse.migrate(con)
    expected = render_markdown(warehouse_comments.described_relations(con))
    committed = (REPO_ROOT / "docs" / "warehouse.md").read_text(encoding="utf-8")
    assert committed == expected, "docs/warehouse.md is stale: run python scripts/warehouse_docs.py"


def test_the_snapshot_is_copied_again_only_when_the_warehouse_changed(tmp_path):
    settings = Settings.build(tmp_path / "home")
    warehouse.connect(settings).close()  # creates the warehouse and its snapshot
    snapshot = snapshot_path(settings.warehouse_path)
    published = snapshot.stat().st_ino
    warehouse.connect(settings).close()  # a writer that wrote nothing
    assert snapshot.stat().st_ino == published
    con = warehouse.connect(settings)
    con.execute("CREATE TABLE scratch AS SELECT 42 AS answer")
    con.close()
    assert snapshot.stat().st_ino != published
    with warehouse.connect(settings, read_only=True) as reader:
        assert reader.execute("SELECT answer FROM scratch").fetchall() == [(42,)]


def test_a_checkpoint_runs_within_its_bound_and_a_failed_one_leaves_the_commit(
    tmp_path, monkeypatch
):
    settings = Settings.build(tmp_path / "home")
    warehouse.connect(settings).close()
    path = settings.warehouse_path
    seen, real = [], warehouse_memory.checkpoint

    def tiny(con, megabytes):
        # 1 MB: DuckDB cannot pin the blocks a checkpoint needs, a fatal error for its instance
        done = real(con, 1)
        seen.append(done)
        return done

    with duckdb.connect(str(path)) as con:
        limit = "SELECT current_setting('memory_limit')"
        unbounded = con.execute(limit).fetchone()
        con.execute("CREATE TABLE scratch AS SELECT range AS n FROM range(100000)")
        assert warehouse_memory.checkpoint(con, 64) is True
        assert con.execute(limit).fetchone() == unbounded  # the bound held for the block only
    monkeypatch.setattr(warehouse_memory, "checkpoint", tiny)
    con = warehouse.connect(settings)
    con.execute("UPDATE scratch SET n = n + 1")  # updates a checkpoint must fold, ~1 MB and more
    con.close()
    assert seen == [False]
    # the writer's publication folded the WAL in first: the snapshot holds the commit
    assert not path.with_name(path.name + ".wal").exists()
    with warehouse.connect(settings, read_only=True) as reader:
        assert reader.execute("SELECT count(*), max(n) FROM scratch").fetchone() == (100000, 100000)


def test_a_writer_inside_a_step_checkpoints_within_the_bound_when_it_closes(tmp_path, monkeypatch):
    # The last connection's close ends DuckDB's instance, which checkpoints unbounded (1.2 GiB
    # for a statistics step after a 9.4 M-result load): every writer checkpoints first.
    settings = Settings.build(tmp_path / "home")
    warehouse.connect(settings).close()
    asked, real = [], warehouse_memory.checkpoint

    def recorded(con, megabytes):
        asked.append(megabytes)
        return real(con, megabytes)

    monkeypatch.setattr(warehouse_memory, "checkpoint", recorded)
    with warehouse.writing(settings):  # a step's hold: the connection inside is not outermost
        con = warehouse.connect(settings)
        con.execute("CREATE TABLE scratch AS SELECT range AS n FROM range(1000)")
        con.close()
        assert asked == [settings.warehouse_memory_mb]
        assert not settings.warehouse_path.with_name("warehouse.duckdb.wal").exists()


def test_an_option_holds_inside_its_block_only_and_only_listed_names_are_set():
    con = duckdb.connect()
    setting = "SELECT current_setting('preserve_insertion_order')"
    with warehouse.option(con, "preserve_insertion_order", False):
        assert con.execute(setting).fetchone() == (False,)
    assert con.execute(setting).fetchone() == (True,)
    with pytest.raises(ValueError, match="not allowed"), warehouse.option(con, "threads", 1):
        pass


def test_named_frames_return_each_query_by_name_with_its_own_values(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        warehouse.migrate(con)
        con.execute(
            "INSERT INTO contact_lists (list_id, name, campaign_group, created_at, updated_at) "
            "VALUES (1, 'east', 'g1', now(), now()), (2, 'west', 'g2', now(), now())"
        )
        window = {"hours": 24, "groups": None}
        together = warehouse.named_frames(
            con, {"list_groups": None, "abandonment_calls": window, "plan_as_of": None}
        )
        assert list(together) == ["list_groups", "abandonment_calls", "plan_as_of"]
        assert together["list_groups"].sort("list_name").rows() == [
            ("east", "g1", 1),
            ("west", "g2", 2),
        ]
        one_by_one = warehouse.named_frame(con, "abandonment_calls", window)
        assert together["abandonment_calls"].equals(one_by_one)


def test_a_named_frame_keeps_the_columns_asked_for_in_their_order(tmp_path):
    with duckdb.connect(str(tmp_path / "w.duckdb")) as con:
        warehouse.migrate(con)
        con.execute(
            "INSERT INTO contact_lists (list_id, name, campaign_group, created_at, updated_at) "
            "VALUES (1, 'east', 'g1', now(), now()), (2, 'west', 'g2', now(), now())"
        )
        whole = warehouse.named_frame(con, "list_groups")
        some = warehouse.named_frame(con, "list_groups", None, ["list_id", "list_name"])
        assert len(whole.columns) > 2 and some.columns == ["list_id", "list_name"]
        assert some.sort("list_id").rows() == [(1, "east"), (2, "west")]
        with pytest.raises(duckdb.BinderException):  # a name is a column, never SQL
            warehouse.named_frame(con, "list_groups", None, ["list_id; DROP TABLE contact_lists"])


def test_a_staged_query_writes_its_rows_to_an_owner_only_parquet_file(tmp_path):
    import polars as pl

    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    warehouse.migrate(con)
    con.execute(
        "INSERT INTO record_identities VALUES "
        "('east', 'k1', '+12125550142', NULL, 7, 3, 'r1', now()), "
        "('west', 'k2', '+12125550143', 'x9', 8, 4, 'r1', now())"
    )
    target = tmp_path / "staging" / "known.parquet"
    path = warehouse_files.staged_query(con, "list_identities", {"list_name": "west"}, target)
    assert path == target and (path.stat().st_mode & 0o777) == 0o600
    rows = pl.read_parquet(path)
    assert rows.to_dicts() == [
        {
            "chain_key": "k2",
            "e164": "+12125550143",
            "extension": "x9",
            "record_id": 8,
            "chain_id": 4,
        }
    ]
    # No rows: a file with the query's columns and types all the same.
    none = warehouse_files.staged_query(con, "list_identities", {"list_name": "north"}, target)
    assert pl.read_parquet(none).height == 0
    assert pl.read_parquet_schema(none) == rows.schema
    assert [p.name for p in target.parent.iterdir()] == ["known.parquet"]  # no temporary left


def test_files_are_read_as_a_temporary_view_for_a_block_only(tmp_path):
    path = tmp_path / "state.parquet"
    pl.DataFrame({"record_id": [1, 2, 3]}).write_parquet(path)
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    views = "SELECT count(*) FROM duckdb_views() WHERE view_name = '_state' AND NOT temporary"
    with warehouse_files.registered_files(con, "_state", [path, path]):
        assert con.execute("SELECT sum(record_id) FROM _state").fetchall() == [(12,)]
        assert con.execute(views).fetchall() == [(0,)]  # nothing in the warehouse's catalog
    with pytest.raises(duckdb.CatalogException):
        con.execute("SELECT * FROM _state")


def test_insert_reads_several_parquet_files_in_one_statement_keeping_only_table_columns(tmp_path):
    con = duckdb.connect()
    con.execute("CREATE TABLE call_results (record_id BIGINT, result_key VARCHAR)")
    paths = []
    for index in range(3):
        path = tmp_path / f"pass-{index}.parquet"
        # A working column the table does not keep is left out, as for a single file.
        pl.DataFrame(
            {"record_id": [index * 10, index * 10 + 1], "result_key": ["a", "b"], "_work": [1, 2]}
        ).write_parquet(path)
        paths.append(path)
    warehouse.insert(con, "call_results", paths)
    warehouse.insert(con, "call_results", [])
    rows = con.execute("SELECT record_id, result_key FROM call_results ORDER BY 1").fetchall()
    assert rows == [(0, "a"), (1, "b"), (10, "a"), (11, "b"), (20, "a"), (21, "b")]


def test_a_frame_registered_in_a_transaction_is_a_temporary_table_gone_after_its_block(tmp_path):
    # A registered view keeps its Arrow data alive until the COMMIT even once unregistered (a
    # 5M list's results load grew ~3.5 MiB a pass); a temporary table's rows are DuckDB's, to
    # spill within its memory bound. Outside a transaction the frame is read in place.
    con = duckdb.connect(str(tmp_path / "w.duckdb"))
    con.execute("CREATE TABLE t (x BIGINT, s VARCHAR)")
    frame = pl.DataFrame({"x": [1, 2, 3], "s": ["a", None, "c"]})
    kinds = (
        "SELECT 'table' FROM duckdb_tables() WHERE table_name = '_rows_in' AND temporary "
        "UNION ALL SELECT 'view' FROM duckdb_views() WHERE view_name = '_rows_in'"
    )
    with warehouse.transaction(con):
        with warehouse.registered(con, "_rows_in", frame):
            assert con.execute(kinds).fetchall() == [("table",)]
            con.execute("INSERT INTO t SELECT * FROM _rows_in")
        assert con.execute(kinds).fetchall() == []
        with pytest.raises(RuntimeError), warehouse.registered(con, "_rows_in", frame):
            raise RuntimeError("boom")  # the block's failure drops it too
        assert con.execute(kinds).fetchall() == []
    with warehouse.registered(con, "_rows_in", frame):
        assert con.execute(kinds).fetchall() == [("view",)]
        assert con.execute("SELECT * FROM t EXCEPT SELECT * FROM _rows_in").fetchall() == []
    assert con.execute(kinds).fetchall() == []
    assert con.execute("SELECT * FROM t ORDER BY x").fetchall() == [(1, "a"), (2, None), (3, "c")]
    with (
        pytest.raises(ValueError, match="not allowed"),
        warehouse.transaction(con),
        warehouse.registered(con, "x; DROP TABLE t", frame),
    ):
        pass
    assert con.execute("SELECT count(*) FROM t").fetchall() == [(3,)]
