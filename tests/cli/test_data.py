"""The data commands: ingest, results, plan and suppress."""

import pytest
from tests.cli.cli_runner import run


@pytest.mark.parametrize(("option", "value"), [("--as-of", "tomorrow"), ("--chain-key", "ssn")])
def test_a_bad_ingest_option_is_named(tmp_path, option, value):
    sample = tmp_path / "x.csv"
    sample.write_text("client_id,phone\n1,2127360142\n")
    result = run(
        "ingest", str(sample), "--list", "l", "--group", "g", option, value, "--home", str(tmp_path)
    )
    assert result.exit_code == 1
    assert option in result.output


def test_ingest_prints_the_reconciliation(tmp_path):
    from cxpipeline.settings import REPO_ROOT

    home = str(tmp_path / "h")
    run("campaigns", "apply", str(REPO_ROOT / "data/sample/campaigns.yaml"), "--home", home)
    data = tmp_path / "x.csv"
    data.write_text(
        "last_name,postal_code,phone,phone2\nSmith,10001,2127360142,bad\nSmith,10001,9177360101,\n"
    )
    result = run(
        "ingest",
        str(data),
        "--list",
        "new_list",
        "--group",
        "collections_east",
        "--home",
        home,
        "--as-of",
        "2026-12-01T08:00:00-05:00",
    )
    assert result.exit_code == 0, result.output
    assert "rows read 2 = accepted 2 + rejected 0 ✓" in result.output
    assert "rejected values 1" in result.output
    # the same file with the same options (as-of included) is a no-op; another as-of is not
    same = ("ingest", str(data), "--list", "new_list", "--group", "collections_east")
    again = run(*same, "--home", home, "--as-of", "2026-12-01T08:00:00-05:00")
    assert "nothing changed" in again.output
    later = run(*same, "--home", home, "--as-of", "2026-12-02T08:00:00-05:00")
    assert "kept 2, added 0, removed 0" in later.output


def test_results_file_without_required_columns_names_the_file(tmp_path):
    bad = tmp_path / "results.csv"
    bad.write_text("foo,bar\n1,2\n")
    run("campaigns", "show", "--home", str(tmp_path))
    result = run("results", str(bad), "--home", str(tmp_path))
    assert result.exit_code == 1
    assert "results.csv" in result.output and "record_id" in result.output


def test_plan_replans_stored_lists_one_line_each(tmp_path):
    home = str(tmp_path)
    assert run("campaigns", "apply", "data/sample/campaigns.yaml", "--home", home).exit_code == 0
    data = tmp_path / "l.csv"
    data.write_text("last_name,postal_code,phone\nSmith,10001,2127360142\n")
    ingest = ("ingest", str(data), "--group", "collections_east", "--home", home)
    assert run(*ingest, "--list", "east_q4", "--as-of", "2026-12-01T08:00:00-05:00").exit_code == 0
    assert "plan" in run("--help").output
    result = run(
        "plan", "--list", "east_q4", "--as-of", "2026-12-09T08:00:00-05:00", "--home", home
    )
    assert result.exit_code == 0, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("east_q4: 1 keys")
    assert "1 records with windows" in lines[0]
    every = run("plan", "--as-of", "2026-12-09T08:00:00-05:00", "--home", home)
    assert every.exit_code == 0 and len(every.output.strip().splitlines()) >= 2


def test_plan_unknown_list_is_one_line(tmp_path):
    run("campaigns", "apply", "data/sample/campaigns.yaml", "--home", str(tmp_path))
    result = run("plan", "--list", "nope", "--home", str(tmp_path))
    assert result.exit_code == 1
    message = result.output.strip()
    assert len(message.splitlines()) == 1 and "nope" in message and "--list" in message


def test_suppress_prints_refused_values_and_records_suppressed(tmp_path):
    path = tmp_path / "bare.txt"
    path.write_text("2127360142\n123\n")
    result = run("suppress", str(path), "--name", "reg", "--home", str(tmp_path / "h"))
    assert result.exit_code == 0
    assert "1 entries from 2 rows; 1 values refused" in result.output
    assert "0 current records newly suppressed by this load" in result.output
    empty = run("suppress", str(path), "--name", "", "--home", str(tmp_path / "h"))
    assert empty.exit_code == 1 and "--name" in empty.output


def test_ingest_partitions_option_gives_the_same_records(tmp_path):
    from cxpipeline.settings import REPO_ROOT

    sample = REPO_ROOT / "data" / "sample"
    query = "select * exclude (run_id, source_file) from contact_records order by record_id"
    outputs = []
    for partitions in ("1", "5"):
        home = str(tmp_path / partitions)
        run("campaigns", "apply", str(sample / "campaigns.yaml"), "--home", home)
        result = run(
            "ingest",
            str(sample / "contacts_east_q4.csv"),
            "--list",
            "east_q4",
            "--group",
            "collections_east",
            "--partitions",
            partitions,
            "--home",
            home,
            "--as-of",
            "2026-12-01T08:00:00-05:00",
        )
        assert result.exit_code == 0, result.output
        outputs.append(run("sql", query, "--format", "csv", "--home", home).output)
    assert outputs[0] == outputs[1] and outputs[0].count("\n") > 1000
    bad = run("ingest", str(sample / "contacts_east_q4.csv"), "--list", "x", "--partitions", "0")
    assert bad.exit_code != 0 and "--partitions" in bad.output


HEADER = "client_id,last_name,postal_code,phone\n"


def two_lists(tmp_path, one: str, two: str) -> str:
    """Return a home holding lists one and two (their rows given), ingested by the CLI."""
    from cxpipeline.settings import REPO_ROOT

    home = str(tmp_path / "h")
    run("campaigns", "apply", str(REPO_ROOT / "data/sample/campaigns.yaml"), "--home", home)
    for name, rows in (("one", one), ("two", two)):
        data = tmp_path / f"{name}.csv"
        data.write_text(HEADER + rows)
        args = ("--group", "collections_east", "--as-of", "2026-12-01T08:00:00-05:00")
        assert run("ingest", str(data), "--list", name, *args, "--home", home).exit_code == 0
    return home


def test_ingest_and_results_refresh_only_the_statistics_of_the_lists_they_change(tmp_path):
    import duckdb

    home = two_lists(tmp_path, "A1,Smith,10001,2127360142\n", "B1,Jones,02134,6173530100\n")
    warehouse = str(tmp_path / "h" / "warehouse.duckdb")
    with duckdb.connect(warehouse) as con:
        # A mark on list one's row: a full rebuild would overwrite it, a refresh of two not.
        con.execute("UPDATE list_stats SET attempts = 999 WHERE list_name = 'one'")
        (record_id,) = con.execute(
            "SELECT record_id FROM contact_records WHERE list_name = 'two'"
        ).fetchone()
    results = tmp_path / "results.csv"
    results.write_text(
        f"record_id,call_time,call_result,attempt\n{record_id},2026-12-01T09:00:00-05:00,7,1\n"
    )
    assert run("results", str(results), "--home", home).exit_code == 0
    data = tmp_path / "two.csv"
    data.write_text(HEADER + "B1,Jones,02134,6173530100\nB2,Ray,33130,3053730101\n")
    args = ("--group", "collections_east", "--as-of", "2026-12-01T08:00:00-05:00")
    assert run("ingest", str(data), "--list", "two", *args, "--home", home).exit_code == 0
    with duckdb.connect(warehouse, read_only=True) as con:
        rows = dict(con.execute("SELECT list_name, attempts FROM list_stats").fetchall())
        group = con.execute(
            "SELECT attempts FROM group_stats WHERE campaign_group = 'collections_east'"
        ).fetchone()
    assert rows["one"] == 999 and rows["two"] == 1
    assert group == (999 + 1,)  # the group adds up its lists' rows as they stand
    assert run("stats", "--home", home).exit_code == 0
    with duckdb.connect(warehouse, read_only=True) as con:
        assert con.execute(
            "SELECT attempts FROM list_stats WHERE list_name = 'one'"
        ).fetchone() == (0,)


def _statistics(home: str) -> dict[str, list[tuple]]:
    import duckdb

    with duckdb.connect(f"{home}/warehouse.duckdb", read_only=True) as con:
        return {
            table: con.execute(f"SELECT * FROM {table} ORDER BY ALL").fetchall()  # noqa: S608
            for table in ("list_stats", "group_stats", "zone_stats", "dialable_today")
        }


def test_plan_and_suppress_refresh_the_statistics_they_move(tmp_path):
    one = "A1,Smith,10001,2127360142\nA2,Ray,33130,3053730101\n"
    home = two_lists(tmp_path, one, "B1,Jones,02134,6173530100\n")
    before = _statistics(home)
    # A plan a week on: the list's windows and its statistics' as-of move with it.
    later = ("--as-of", "2026-12-08T08:00:00-05:00")
    assert run("plan", "--list", "one", *later, "--home", home).exit_code == 0
    planned = _statistics(home)
    assert planned["dialable_today"] != before["dialable_today"]
    assert run("stats", "--home", home).exit_code == 0
    assert _statistics(home) == planned  # what a full rebuild writes
    # A suppression list that reaches list two: its No Call count moves without `stats`.
    dnc = tmp_path / "dnc.csv"
    dnc.write_text("phone\n6173530100\n")
    assert run("suppress", str(dnc), "--name", "reg", "--home", home).exit_code == 0
    suppressed = _statistics(home)
    no_call = {row[0]: row for row in suppressed["list_stats"]}
    assert suppressed["list_stats"] != planned["list_stats"]
    assert run("stats", "--home", home).exit_code == 0
    assert _statistics(home) == suppressed
    assert no_call["two"] != {row[0]: row for row in planned["list_stats"]}["two"]
