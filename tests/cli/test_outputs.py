"""The output commands: the read-only sql, report formats."""

import pytest
from tests.cli.cli_runner import run


def test_sql_without_warehouse_is_a_clear_error(tmp_path):
    result = run("sql", "SELECT 1", "--home", str(tmp_path / "empty"))
    assert result.exit_code == 1
    assert "no warehouse yet" in result.output


def test_sql_is_read_only(tmp_path):
    run("campaigns", "show", "--home", str(tmp_path))  # creates the warehouse
    result = run("sql", "CREATE TABLE evil (x INT)", "--home", str(tmp_path))
    assert result.exit_code == 1
    assert "read-only" in result.output.lower() or "read only" in result.output.lower()
    ok = run("sql", "SELECT count(*) AS n FROM compliance_rules", "--home", str(tmp_path))
    assert ok.exit_code == 0


@pytest.mark.parametrize("fmt", ["pdf", "html,doc"])
def test_unknown_report_format_rejected(tmp_path, fmt):
    result = run("report", "--out", str(tmp_path / "r"), "--format", fmt, "--home", str(tmp_path))
    assert result.exit_code == 1
    assert "--format" in result.output


def test_sql_into_a_reader_that_stops_early_ends_quietly(tmp_path):
    import subprocess
    import sys

    home = str(tmp_path)
    run("campaigns", "show", "--home", home)  # creates the warehouse
    query = "SELECT * FROM range(3000000)"
    command = [sys.executable, "-m", "cxpipeline.cli", "sql", query, "--format", "csv"]
    reader = subprocess.Popen(
        [*command, "--home", home], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    assert reader.stdout is not None and reader.stdout.readline() == b"range\n"
    reader.stdout.close()  # as `| head -1` does
    _, stderr = reader.communicate(timeout=120)
    assert stderr == b"" and reader.returncode == 1
