"""The CLI's shared behaviour: every contract command listed, one-line errors, tables that pipe."""

from tests.cli.cli_runner import run


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
