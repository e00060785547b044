"""The run commands: a manifest run and the inbox."""

from tests.cli.cli_runner import run


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


def test_inbox_plan_option_overrides_what_the_kinds_decide(tmp_path):
    from cxpipeline.settings import REPO_ROOT

    home = str(tmp_path / "home")
    run("campaigns", "apply", str(REPO_ROOT / "data/sample/campaigns.yaml"), "--home", home)
    inbox = tmp_path / "inbox"
    inbox.mkdir()
    as_of = ("--as-of", "2026-12-01T08:00:00-05:00")
    results_only = run("inbox", str(inbox), "--home", home, "--kind", "results", *as_of)
    assert results_only.exit_code == 0, results_only.output
    assert "plan tiny" not in results_only.output and "plan east_q4" not in results_only.output
    told = run("inbox", str(inbox), "--home", home, "--kind", "results", "--plan", *as_of)
    assert told.exit_code == 0 and "plan east_q4" in told.output
    quiet = run("inbox", str(inbox), "--home", home, "--no-plan", *as_of)
    assert quiet.exit_code == 0 and "plan east_q4" not in quiet.output
    every = run("inbox", str(inbox), "--home", home, *as_of)
    assert every.exit_code == 0 and "plan east_q4" in every.output
