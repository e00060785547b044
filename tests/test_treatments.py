"""Treatments as data: steps checked into canonical JSON, refused with located messages."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

import pytest

from cxpipeline.campaigns import BUILTIN_DEFAULTS, load_campaigns_yaml
from cxpipeline.errors import CampaignError
from cxpipeline.treatments import DEFAULT_TREATMENTS, check_treatments, readable_steps

BASE = (Path(__file__).parent / "campaigns" / "base_campaigns.yaml").read_text(encoding="utf-8")


def test_steps_are_stored_canonical_with_codes_and_defaults():
    text = check_treatments(
        [
            {"call_result": "No Answer", "sequence": 2, "action": "next_in_chain"},
            {"call_result": 6, "sequence": 1, "action": "retry_at", "time": "9:05", "days": 1},
        ]
    )
    steps = json.loads(str(text))
    assert [(s["call_result"], s["sequence"]) for s in steps] == [(6, 1), (7, 2)]
    assert steps[0]["time"] == "09:05" and steps[0]["attempts"] == 1
    assert steps[1]["increment_minutes"] == 0


def test_builtin_default_covers_the_usual_results():
    codes = {s["call_result"] for s in json.loads(str(BUILTIN_DEFAULTS["treatments"]))}
    # busy, no answer, machine, fax, abandoned, dropped, SIT, wrong party, agent callback error
    assert {6, 7, 9, 17, 21, 26, 11, 12, 40, 47} <= codes
    assert len(DEFAULT_TREATMENTS) == len(json.loads(str(BUILTIN_DEFAULTS["treatments"])))


@pytest.mark.parametrize(
    ("step", "fragment"),
    [
        ({"call_result": "bussy", "sequence": 1, "action": "retry_in"}, "unknown call_result"),
        ({"call_result": "answer", "sequence": 1, "action": "retry_in"}, "fixed outcome"),
        ({"call_result": "busy", "sequence": 1, "action": "redial"}, "action 'redial'"),
        ({"call_result": "busy", "sequence": 1, "action": "retry_in"}, "needs interval_minutes"),
        ({"call_result": "busy", "sequence": 1, "action": "retry_at", "time": "25:00"}, "HH:MM"),
        ({"call_result": "busy", "action": "next_in_chain"}, "sequence is required"),
        ({"call_result": "busy", "sequence": 1, "action": "next_in_chain", "x": 1}, "key 'x'"),
    ],
)
def test_bad_step_is_refused_with_its_number(step, fragment):
    with pytest.raises(ValueError, match=fragment) as info:
        check_treatments([{"call_result": 7, "sequence": 1, "action": "no_treatment"}, step])
    assert "treatment #2" in str(info.value)


def test_bad_treatments_in_campaigns_yaml_name_file_line_and_field(tmp_path):
    bad = "settings: {treatments: [{call_result: busy, sequence: 1, action: retry_in}]}"
    text = BASE.replace("settings: {stop_margin_minutes: 10}", bad)
    path = tmp_path / "campaigns.yaml"
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    with pytest.raises(CampaignError) as info:
        load_campaigns_yaml(path)
    err = info.value
    assert "needs interval_minutes" in str(err) and "\n" not in str(err)
    assert err.field == "treatments"
    assert err.row == text.splitlines().index("    " + bad) + 1


def test_a_list_overrides_the_whole_treatments_list_and_show_names_the_source(tmp_path):
    import duckdb

    from cxpipeline.campaigns.store import apply_campaigns, effective_settings
    from cxpipeline.warehouse import migrate

    text = BASE.replace(
        "settings: {stop_margin_minutes: 10}",
        "settings: {treatments: [{call_result: fax, sequence: 1, action: cancel_record}]}",
    )
    path = tmp_path / "campaigns.yaml"
    path.write_text(text, encoding="utf-8")
    con = duckdb.connect()
    migrate(con)
    apply_campaigns(con, path)
    got = effective_settings(con, "lst")
    assert got["treatments_source"] == "list"
    assert [s["call_result"] for s in json.loads(str(got["treatments"]))] == [17]
    assert (got["cycles"], got["cycles_source"]) == (1, "builtin")


def test_readable_steps_name_results_and_leave_unset_fields_blank():
    stored = json.dumps(
        [
            {
                "call_result": 9,
                "sequence": 1,
                "action": "retry_at",
                "interval_minutes": None,
                "increment_minutes": 0,
                "attempts": 1,
                "time": "10:00",
                "days": 1,
            },
            {
                "call_result": 6,
                "sequence": 1,
                "action": "retry_in",
                "interval_minutes": 30,
                "increment_minutes": 5,
                "attempts": 3,
                "time": None,
                "days": 0,
            },
        ]
    )
    rows = readable_steps(stored)
    assert [r["call_result"] for r in rows] == ["9 answering_machine", "6 busy"]
    assert (rows[0]["at"], rows[0]["days"], rows[0]["increment_min"]) == ("10:00", 1, None)
    assert (rows[1]["interval_min"], rows[1]["increment_min"], rows[1]["days"]) == (30, 5, None)
    assert readable_steps(None) == []
