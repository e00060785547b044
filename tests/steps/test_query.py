"""Ad hoc SQL: one SELECT in DuckDB's sandbox; every way out of it is a one-line refusal."""

import json
import stat
from pathlib import Path

import polars as pl
import pytest
from typer.testing import CliRunner

from cxpipeline.cli import app
from cxpipeline.errors import CxError
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import query, setup

runner = CliRunner()


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    settings = Settings.build(tmp_path_factory.mktemp("q") / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def sql(home, *args):
    return runner.invoke(app, ["sql", *args, "--home", str(home.home)], catch_exceptions=False)


HOSTILE = [
    "ATTACH '{tmp}/x.duckdb' AS x (READ_WRITE)",
    "COPY contact_lists TO '{tmp}/out.csv'",
    "COPY (SELECT 1) TO '{lake}/contacts/evil.parquet'",
    "EXPORT DATABASE '{tmp}/exported'",
    "INSTALL httpfs",
    "LOAD httpfs",
    "SET enable_external_access = true",
    "RESET lock_configuration",
    "PRAGMA enable_profiling",
    "SELECT * FROM read_csv('/etc/passwd')",
    "SELECT * FROM read_text('/etc/passwd')",
    "SELECT * FROM read_blob('/etc/passwd')",
    "SELECT * FROM glob('/etc/*')",
    "SELECT * FROM read_parquet('{lake}/**/*.parquet')",
    "SELECT 1; DROP TABLE contact_lists",
    "DROP TABLE contact_lists",
    "DELETE FROM contact_lists",
    "CREATE TABLE evil (x INT)",
    "CALL pragma_version()",
]


@pytest.mark.parametrize("statement", HOSTILE)
def test_every_way_out_of_the_sandbox_is_refused_in_one_line(home, tmp_path, statement):
    text = statement.format(tmp=tmp_path, lake=home.lake)
    result = sql(home, text)
    assert result.exit_code == 1, result.output
    assert len(result.output.strip().splitlines()) == 1
    assert "Traceback" not in result.output
    assert list(tmp_path.iterdir()) == []
    assert not (home.lake / "contacts" / "evil.parquet").exists()
    assert query.run_query(home, "SELECT count(*) AS n FROM contact_lists")["n"][0] > 0


def test_a_non_select_statement_says_sql_is_read_only(home):
    with pytest.raises(CxError, match="read-only.*CREATE"):
        query.run_query(home, "CREATE TABLE evil (x INT)")


NESTED = "SELECT range AS n, [range, 2] AS l, {'a': range, 'b': 'x|y'} AS s FROM range(120)"


def test_machine_formats_return_every_row_and_nested_columns(home):
    csv = sql(home, NESTED, "--format", "csv")
    assert csv.exit_code == 0
    frame = pl.read_csv(csv.stdout.encode())
    assert frame.height == 120
    assert frame["l"][3] == "[3,2]" and json.loads(frame["s"][0]) == {"a": 0, "b": "x|y"}
    rows = json.loads(sql(home, NESTED, "--format", "json").stdout)
    assert len(rows) == 120 and rows[5]["l"] == [5, 2]
    md = sql(home, NESTED, "--format", "markdown", "--limit", "2").stdout.splitlines()
    assert md[0] == "| n | l | s |" and md[2] == '| 0 | [0,2] | {"a":0,"b":"x\\|y"} |'
    assert len(md) == 4


def test_a_table_says_how_many_rows_it_left_out_and_a_pipe_is_never_cut(home):
    wide = "SELECT " + ", ".join(f"'value_{i:02d}' AS column_{i:02d}" for i in range(30))
    result = sql(home, wide + " FROM range(60)")
    assert result.exit_code == 0
    assert "10 more rows not shown" in result.stderr
    assert "column_29" in result.stdout and "value_29" in result.stdout
    assert "…" not in result.stdout


def test_out_writes_owner_only_and_needs_force_to_replace(home, tmp_path):
    target = tmp_path / "q.parquet"
    assert sql(home, NESTED, "--format", "parquet", "--out", str(target)).exit_code == 0
    assert pl.read_parquet(target)["l"].to_list()[1] == [1, 2]
    assert stat.S_IMODE(target.stat().st_mode) == 0o600
    again = sql(home, NESTED, "--format", "parquet", "--out", str(target))
    assert again.exit_code == 1 and "--force" in again.output
    forced = sql(home, "SELECT 1 AS n", "--format", "parquet", "--out", str(target), "--force")
    assert forced.exit_code == 0 and pl.read_parquet(target).height == 1


@pytest.mark.parametrize("where", ["warehouse", "lake", "folder"])
def test_out_never_goes_over_the_pipelines_data_or_a_folder(home, tmp_path, where):
    target = {
        "warehouse": home.warehouse_path,
        "lake": home.lake / "contacts" / "x.csv",
        "folder": tmp_path,
    }[where]
    before = home.warehouse_path.read_bytes()
    result = sql(home, "SELECT 1 AS n", "--format", "csv", "--out", str(target), "--force")
    assert result.exit_code == 1 and len(result.output.strip().splitlines()) == 1
    assert home.warehouse_path.read_bytes() == before
    assert not (home.lake / "contacts" / "x.csv").exists()


def test_query_from_a_file_and_argument_errors(home, tmp_path):
    path = Path(tmp_path / "q.sql")
    path.write_text("SELECT 42 AS answer;\n", encoding="utf-8")
    assert sql(home, "--file", str(path), "--format", "csv").stdout == "answer\n42\n"
    both = sql(home, "SELECT 1", "--file", str(path))
    assert both.exit_code == 1 and "one of them" in both.output
    assert sql(home, "SELECT '\x00'").exit_code == 1
    assert sql(home, "SELECT 1", "--format", "xml").exit_code == 1


#: Rows of every kind a format writes: numbers, text with a pipe and a quote, NULLs, lists.
ROWS = (
    "SELECT range AS n, 'a|\"' || range AS t, CASE WHEN range % 5 = 0 THEN NULL ELSE range END "
    "AS maybe, [range, range + 1] AS l FROM range(200) ORDER BY n"
)


@pytest.mark.parametrize("fmt", ["csv", "json", "markdown", "parquet"])
def test_a_result_written_in_batches_is_the_result_written_at_once(
    home, tmp_path, monkeypatch, fmt
):
    whole = tmp_path / f"whole.{fmt}"
    assert sql(home, ROWS, "--format", fmt, "--out", str(whole)).exit_code == 0
    monkeypatch.setattr(query, "QUERY_BATCH_CELLS", 7)
    batched = tmp_path / f"batched.{fmt}"
    result = sql(home, ROWS, "--format", fmt, "--out", str(batched))
    assert result.exit_code == 0 and "(200 rows)" in result.output
    if fmt == "parquet":
        assert pl.read_parquet(batched).equals(pl.read_parquet(whole))
        assert pl.read_parquet(batched).height == 200
    else:
        assert batched.read_bytes() == whole.read_bytes()
    # A limit cuts across batches, and what it leaves out is counted.
    cut = tmp_path / f"cut.{fmt}"
    limited = sql(home, ROWS, "--format", fmt, "--limit", "10", "--out", str(cut))
    assert limited.exit_code == 0 and "190 more rows not shown" in limited.output
    if fmt == "csv":
        assert pl.read_csv(cut)["n"].to_list() == list(range(10))


def test_a_table_shows_the_first_rows_and_counts_the_rest_in_batches(home, monkeypatch):
    monkeypatch.setattr(query, "QUERY_BATCH_CELLS", 7)
    result = sql(home, ROWS)
    assert result.exit_code == 0
    assert "150 more rows not shown" in result.output and "49" in result.output
    empty = sql(home, "SELECT 1 AS n WHERE false", "--format", "json")
    assert empty.exit_code == 0 and empty.output.strip() == "[]"
    header = sql(home, "SELECT 1 AS n, 'x' AS t WHERE false", "--format", "csv")
    assert header.exit_code == 0 and header.output.strip() == "n,t"
    failing = sql(home, "SELECT CAST('x' || range AS INTEGER) FROM range(20)")
    assert failing.exit_code == 1 and len(failing.output.strip().splitlines()) == 1


def test_a_query_runs_within_the_warehouse_memory_bound(home):
    # A big sort or join spills to disk instead of growing beside the runs that write.
    shown = query.run_query(home, "SELECT current_setting('memory_limit') AS m")["m"][0]
    number, unit = shown.split()
    assert unit == "MiB" and float(number) <= home.warehouse_memory_mb
    result = sql(home, "SET memory_limit = '100GB'")
    assert result.exit_code == 1  # and a query cannot lift it


def test_a_wide_result_comes_in_batches_of_fewer_rows(home, monkeypatch):
    # Memory follows a batch's cells: as many as a narrow batch holds in rows, a wide one
    # holds in fewer rows.
    monkeypatch.setattr(query, "QUERY_BATCH_CELLS", 60)
    narrow = "SELECT range AS a, range AS b FROM range(100)"
    wide = "SELECT range AS a, range AS b, 1 AS c, 2 AS d, 3 AS e, 4 AS f FROM range(100)"
    for text, rows in ((narrow, 30), (wide, 10)):
        with query.query_frames(home, text) as frames:
            heights = [frame.height for frame in frames]
        assert sum(heights) == 100 and max(heights) == rows
    monkeypatch.setattr(query, "QUERY_BATCH_MAX_ROWS", 20)
    with query.query_frames(home, narrow) as frames:
        assert max(frame.height for frame in frames) == 20
