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
