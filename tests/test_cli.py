"""CLI: one-line errors, never a traceback, and the read-only sql command."""

import pytest
from typer.testing import CliRunner

from cxpipeline.cli import app

runner = CliRunner()


def run(*args):
    return runner.invoke(app, list(args), catch_exceptions=False)


def test_help_lists_every_contract_command():
    result = run("--help")
    assert result.exit_code == 0
    for command in (
        "demo",
        "campaigns",
        "suppress",
        "ingest",
        "results",
        "stats",
        "report",
        "export",
        "sql",
    ):
        assert command in result.output


def test_missing_input_file_is_one_line(tmp_path):
    result = run(
        "ingest", str(tmp_path / "nope.csv"), "--list", "l", "--group", "g", "--home", str(tmp_path)
    )
    assert result.exit_code == 1
    message = result.output.strip()
    assert "nope.csv" in message and "Traceback" not in message
    assert len(message.splitlines()) == 1


def test_bad_as_of_names_the_option(tmp_path):
    sample = tmp_path / "x.csv"
    sample.write_text("client_id,phone\n1,2125550142\n")
    result = run(
        "ingest",
        str(sample),
        "--list",
        "l",
        "--group",
        "g",
        "--as-of",
        "tomorrow",
        "--home",
        str(tmp_path),
    )
    assert result.exit_code == 1
    assert "--as-of" in result.output


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


def test_chain_key_option_is_checked(tmp_path):
    sample = tmp_path / "x.csv"
    sample.write_text("client_id,phone\n1,2127360142\n")
    result = run(
        "ingest",
        str(sample),
        "--list",
        "l",
        "--group",
        "g",
        "--chain-key",
        "ssn",
        "--home",
        str(tmp_path),
    )
    assert result.exit_code == 1
    assert "--chain-key" in result.output


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


def test_run_executes_a_manifest_and_prints_what_it_did(tmp_path):
    from cxpipeline.settings import REPO_ROOT

    (tmp_path / "a.csv").write_text(
        "client_id,last_name,home_phone,postal_code,state_code\nC1,Lee,212-736-0142,10001,NY\n",
        encoding="utf-8",
    )
    campaigns = REPO_ROOT / "data" / "sample" / "campaigns.yaml"
    manifest = tmp_path / "run.yaml"
    manifest.write_text(
        f"campaigns: {campaigns}\n"
        "lists:\n  - {file: a.csv, list: tiny, group: collections_east}\n"
        "reports: {dir: out, formats: [csv]}\n",
        encoding="utf-8",
    )
    home = str(tmp_path / "home")
    result = run("run", str(manifest), "--home", home, "--as-of", "2026-12-01T08:00:00-05:00")
    assert result.exit_code == 0, result.output
    assert "tiny" in result.output and "rows read 1 = accepted 1 + rejected 0" in result.output
    assert "list_stats.csv" in result.output
    assert (tmp_path / "home" / "out" / "list_stats.csv").exists()
    bad = tmp_path / "bad.yaml"
    bad.write_text("lists:\n  - {file: a.csv, list: x, group: g, mode: merge}\n", encoding="utf-8")
    result = run("run", str(bad), "--home", home)
    assert result.exit_code == 1 and "lists.0.mode" in result.output
    assert len(result.output.strip().splitlines()) == 1


def test_suppress_prints_refused_values_and_records_suppressed(tmp_path):
    path = tmp_path / "bare.txt"
    path.write_text("2127360142\n123\n")
    result = run("suppress", str(path), "--name", "reg", "--home", str(tmp_path / "h"))
    assert result.exit_code == 0
    assert "1 entries from 2 rows; 1 values refused" in result.output
    assert "0 current records newly suppressed by this load" in result.output
    empty = run("suppress", str(path), "--name", "", "--home", str(tmp_path / "h"))
    assert empty.exit_code == 1 and "--name" in empty.output


def test_piped_tables_never_cut_cell_text(tmp_path):
    from cxpipeline.settings import REPO_ROOT

    home = str(tmp_path / "h")
    run("campaigns", "apply", str(REPO_ROOT / "data" / "sample" / "campaigns.yaml"), "--home", home)
    rules = run("rules", "show", "--home", home)
    assert rules.exit_code == 0
    assert "jurisdiction" in rules.output and "Mon-Sat" in rules.output
    settings = run("campaigns", "show", "east_q4", "--home", home)
    assert "collections_east" in settings.output and "dialing_profile:standard" in settings.output
    assert "…" not in rules.output + settings.output
    # Treatments read as a table of steps, not as a folded JSON cell.
    assert "treatments of east_q4 (from dialing_profile:standard)" in settings.output
    assert "6 busy" in settings.output and "next_in_chain_after" in settings.output
    assert '"call_result"' not in settings.output


def test_inbox_command_files_every_waiting_file(tmp_path):
    from cxpipeline.settings import REPO_ROOT

    home = str(tmp_path / "home")
    run("campaigns", "apply", str(REPO_ROOT / "data/sample/campaigns.yaml"), "--home", home)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    (inbox / "a.csv").write_text(
        "client_id,last_name,home_phone,postal_code,state_code\nC1,Lee,212-736-0142,10001,NY\n",
        encoding="utf-8",
    )
    (inbox / "a.csv.yaml").write_text("list: tiny\ngroup: collections_east\n", encoding="utf-8")
    (inbox / "stray.bin").write_bytes(b"\x00\x01")
    result = run("inbox", str(inbox), "--home", home, "--as-of", "2026-12-01T08:00:00-05:00")
    assert result.exit_code == 0, result.output
    assert "| a.csv | list | processed |" in result.output
    assert "stray.bin" in result.output and "failed" in result.output
    bad = run("inbox", str(inbox), "--home", home, "--kind", "lists")
    assert bad.exit_code == 1 and "--kind" in bad.output


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
