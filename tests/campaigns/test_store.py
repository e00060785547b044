"""Campaign store: applying campaigns.yaml to DuckDB, inherited settings, list ids."""

from __future__ import annotations

import textwrap
from pathlib import Path

import duckdb
import pytest

from cxpipeline.campaigns import (
    BUILTIN_DEFAULTS,
    SETTING_KEYS,
    TABLES,
    apply_campaigns,
    effective_settings,
    ensure_contact_list,
    show_settings,
)
from cxpipeline.errors import CampaignError
from cxpipeline.settings import REPO_ROOT

SAMPLE = REPO_ROOT / "data" / "sample" / "campaigns.yaml"

# Every level sets one key the others do not, so each source can be checked separately.
BASE = Path(__file__).with_name("base_campaigns.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "campaigns.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def table_contents(con: duckdb.DuckDBPyConnection) -> dict[str, list[tuple]]:
    return {t: con.execute(f"SELECT * FROM {t} ORDER BY name").fetchall() for t in TABLES}


# --- inheritance --------------------------------------------------------------------------


def test_every_level_is_a_source(con, tmp_path):
    apply_campaigns(con, write(tmp_path, BASE))
    eff = effective_settings(con, "lst")
    expected = {
        "stop_margin_minutes": (10, "list"),
        "hours_mon": ("08:00-18:00", "group"),
        "retry_interval_minutes": (90, "template"),
        "dialing_mode": ("progressive", "dialing_profile:soft"),
        "hours_sat": ("closed", "dialing_profile:soft"),
        "max_attempts": (6, "default_dialing_profile:std"),
        "blackout_dates": ("2026-12-25", "default_dialing_profile:std"),
        "hours_tue": ("09:00-20:00", "builtin"),
        "hours_sun": ("closed", "builtin"),
        "application": ("App2", "session_profile:backup"),
        "queue": ("Q1", "default_session_profile:main"),
        "trunk_group": (None, None),
        "optimization_method": (None, None),
    }
    for key, (value, source) in expected.items():
        assert (eff[key], eff[f"{key}_source"]) == (value, source), key
    assert eff["list_id"] == 1
    assert (eff["campaign_group"], eff["campaign_template"], eff["agent_group"]) == (
        "grp",
        "tpl",
        "AG1",
    )
    assert (eff["dialing_profile"], eff["dialing_profile_source"]) == ("soft", "template")
    assert (eff["session_profile"], eff["session_profile_source"]) == ("backup", "template")


def test_lower_level_overrides_higher_level(con, tmp_path):
    text = BASE.replace(
        "settings: {stop_margin_minutes: 10}",
        "settings: {stop_margin_minutes: 10, hours_mon: closed, dialing_mode: preview, queue: QL}",
    )
    apply_campaigns(con, write(tmp_path, text))
    eff = effective_settings(con, "lst")
    assert (eff["hours_mon"], eff["hours_mon_source"]) == ("closed", "list")
    assert (eff["dialing_mode"], eff["dialing_mode_source"]) == ("preview", "list")
    assert (eff["queue"], eff["queue_source"]) == ("QL", "list")


def test_template_without_profiles_uses_the_defaults(con, tmp_path):
    text = BASE.replace("    dialing_profile: soft\n    session_profile: backup\n", "")
    apply_campaigns(con, write(tmp_path, text))
    eff = effective_settings(con, "lst")
    assert (eff["dialing_profile"], eff["dialing_profile_source"]) == ("std", "default")
    assert (eff["session_profile"], eff["session_profile_source"]) == ("main", "default")
    assert (eff["dialing_mode"], eff["dialing_mode_source"]) == (
        "predictive",
        "default_dialing_profile:std",
    )
    assert (eff["hours_sat"], eff["hours_sat_source"]) == (
        "10:00-16:00",
        "default_dialing_profile:std",
    )
    assert (eff["application"], eff["application_source"]) == (
        "App1",
        "default_session_profile:main",
    )


def test_builtin_defaults_match_the_view(con, tmp_path):
    path = write(
        tmp_path,
        """\
        dialing_profiles: [{name: d, default: true}]
        session_profiles: [{name: s, default: true}]
        campaign_templates: [{name: t}]
        campaign_groups: [{name: g, template: t, agent_group: A}]
        contact_lists: [{name: l, group: g}]
        """,
    )
    apply_campaigns(con, path)
    eff = effective_settings(con, "l")
    for key in SETTING_KEYS:
        if key in BUILTIN_DEFAULTS:
            assert (eff[key], eff[f"{key}_source"]) == (BUILTIN_DEFAULTS[key], "builtin"), key
        else:
            assert (eff[key], eff[f"{key}_source"]) == (None, None), key
    assert eff["hours_sat"] == "09:00-20:00"
    assert eff["hours_sun"] == "closed"


def test_sample_file(con):
    counts = apply_campaigns(con, SAMPLE)
    assert counts == {
        "dialing_profiles": 2,
        "session_profiles": 2,
        "campaign_templates": 1,
        "campaign_groups": 2,
        "contact_lists": 3,
        "created": 10,
        "updated": 0,
        "changed": 10,
    }
    east = effective_settings(con, "east_q4")
    assert (east["hours_sat"], east["hours_sat_source"]) == ("09:00-14:00", "group")
    assert (east["hours_fri"], east["hours_fri_source"]) == (
        "09:00-20:00",
        "dialing_profile:standard",
    )
    assert east["blackout_dates"] == "2026-12-25,2027-01-01"
    retry = effective_settings(con, "east_retry")
    assert (retry["blackout_dates"], retry["blackout_dates_source"]) == (
        "2026-11-26,2026-12-25,2027-01-01",
        "list",
    )
    west = effective_settings(con, "west_q4")
    assert (west["dialing_mode"], west["dialing_mode_source"]) == ("progressive", "group")
    assert (west["hours_sat"], west["hours_sat_source"]) == ("closed", "group")
    assert (west["device_priority"], west["device_priority_source"]) == (
        "mobile,home_phone",
        "list",
    )
    ids = dict(con.execute("SELECT name, list_id FROM contact_lists").fetchall())
    assert ids == {"east_q4": 1, "east_retry": 2, "west_q4": 3}


# --- inheritance of values ----------------------------------------------------------------


def test_empty_blackout_list_overrides_the_profile(con, tmp_path):
    text = BASE.replace("settings: {stop_margin_minutes: 10}", "settings: {blackout_dates: []}")
    apply_campaigns(con, write(tmp_path, text))
    eff = effective_settings(con, "lst")
    assert (eff["blackout_dates"], eff["blackout_dates_source"]) == ("", "list")


# --- structural rules ---------------------------------------------------------------------


def test_group_without_agent_group_is_rejected(con, tmp_path):
    text = BASE.replace("    agent_group: AG1\n", "")
    with pytest.raises(CampaignError) as info:
        apply_campaigns(con, write(tmp_path, text))
    assert "campaign group 'grp'" in str(info.value)
    assert info.value.field == "agent_group"
    assert "missing" in str(info.value)
    blank = BASE.replace("agent_group: AG1", 'agent_group: " "')
    with pytest.raises(CampaignError, match="campaign group 'grp': must not be empty"):
        apply_campaigns(con, write(tmp_path, blank))
    assert table_contents(con) == {t: [] for t in TABLES}


def test_group_without_list_is_rejected(con, tmp_path):
    text = BASE.replace(
        "contact_lists:",
        "  - name: lonely\n    template: tpl\n    agent_group: AG2\ncontact_lists:",
    )
    with pytest.raises(CampaignError, match="campaign group 'lonely': has no contact list"):
        apply_campaigns(con, write(tmp_path, text))
    assert table_contents(con) == {t: [] for t in TABLES}


def test_group_whose_list_is_in_the_warehouse_is_accepted(con, tmp_path):
    apply_campaigns(con, write(tmp_path, BASE))
    changed = write(
        tmp_path,
        """\
        campaign_groups:
          - name: grp
            template: tpl
            agent_group: AG9
        """,
        "group_only.yaml",
    )
    counts = apply_campaigns(con, changed)
    assert counts["updated"] == 1
    assert effective_settings(con, "lst")["agent_group"] == "AG9"


def test_second_default_against_the_warehouse_is_rejected(con, tmp_path):
    apply_campaigns(con, write(tmp_path, BASE))
    extra = write(
        tmp_path,
        "session_profiles:\n  - name: other\n    default: true\n",
        "extra.yaml",
    )
    with pytest.raises(CampaignError, match="two default session profiles.*'main'"):
        apply_campaigns(con, extra)
    # Moving the default in one file is fine.
    moved = write(
        tmp_path,
        "session_profiles:\n  - {name: other, default: true}\n  - {name: main}\n",
        "moved.yaml",
    )
    apply_campaigns(con, moved)
    assert effective_settings(con, "lst")["queue_source"] is None
    defaults = con.execute("SELECT name FROM session_profiles WHERE is_default").fetchall()
    assert defaults == [("other",)]


def test_no_default_is_rejected(con, tmp_path):
    text = BASE.replace(
        "    default: true\n    settings: {application", "    settings: {application"
    )
    with pytest.raises(CampaignError, match="no session profile is the default"):
        apply_campaigns(con, write(tmp_path, text))


@pytest.mark.parametrize(
    ("old", "new", "fragment", "field"),
    [
        (
            "dialing_profile: soft",
            "dialing_profile: nope",
            "campaign template 'tpl': dialing profile 'nope' does not exist",
            "dialing_profile",
        ),
        (
            "session_profile: backup",
            "session_profile: nope",
            "campaign template 'tpl': session profile 'nope' does not exist",
            "session_profile",
        ),
        (
            "template: tpl",
            "template: nope",
            "campaign group 'grp': campaign template 'nope' does not exist",
            "template",
        ),
        (
            "group: grp",
            "group: nope",
            "contact list 'lst': campaign group 'nope' does not exist",
            "group",
        ),
    ],
)
def test_missing_reference_is_rejected(con, tmp_path, old, new, fragment, field):
    text = BASE.replace(old, new)
    path = write(tmp_path, text)
    with pytest.raises(CampaignError) as info:
        apply_campaigns(con, path)
    assert fragment in str(info.value)
    assert info.value.field == field
    assert info.value.row == next(
        i for i, line in enumerate(text.splitlines(), 1) if line.strip() == new
    )
    assert table_contents(con) == {t: [] for t in TABLES}


def test_reference_to_an_object_in_the_warehouse_is_accepted(con, tmp_path):
    apply_campaigns(con, write(tmp_path, BASE))
    path = write(tmp_path, "contact_lists:\n  - {name: lst2, group: grp}\n", "more.yaml")
    apply_campaigns(con, path)
    assert effective_settings(con, "lst2")["hours_mon_source"] == "group"


def test_list_cannot_move_to_another_group(con, tmp_path):
    apply_campaigns(con, write(tmp_path, BASE))
    text = BASE.replace(
        "contact_lists:", "  - name: grp2\n    template: tpl\n    agent_group: AG2\ncontact_lists:"
    ).replace("group: grp\n", "group: grp2\n")
    with pytest.raises(CampaignError, match="already belongs to campaign group 'grp'"):
        apply_campaigns(con, write(tmp_path, text, "moved.yaml"))


# --- idempotence ------------------------------------------------------------------------


def test_apply_twice_changes_nothing(con, tmp_path):
    path = write(tmp_path, BASE)
    first = apply_campaigns(con, path)
    before = table_contents(con)
    second = apply_campaigns(con, path)
    assert first["changed"] == 7
    assert (second["created"], second["updated"], second["changed"]) == (0, 0, 0)
    assert table_contents(con) == before


def test_changed_object_updates_only_its_row(con, tmp_path):
    apply_campaigns(con, write(tmp_path, BASE))
    before = {
        r[0]: r[1:]
        for r in con.execute(
            "SELECT name, created_at, updated_at, list_id FROM contact_lists"
        ).fetchall()
    }
    groups_before = con.execute("SELECT * FROM campaign_groups").fetchall()
    text = BASE.replace(
        "settings: {stop_margin_minutes: 10}", "settings: {stop_margin_minutes: 15}"
    )
    counts = apply_campaigns(con, write(tmp_path, text, "v2.yaml"))
    assert (counts["created"], counts["updated"]) == (0, 1)
    created_at, updated_at, list_id = con.execute(
        "SELECT created_at, updated_at, list_id FROM contact_lists WHERE name = 'lst'"
    ).fetchone()
    assert created_at == before["lst"][0]
    assert updated_at > before["lst"][1]
    assert list_id == before["lst"][2]
    assert con.execute("SELECT * FROM campaign_groups").fetchall() == groups_before
    assert effective_settings(con, "lst")["stop_margin_minutes"] == 15


def test_omitted_setting_becomes_inherited_again(con, tmp_path):
    apply_campaigns(con, write(tmp_path, BASE))
    text = BASE.replace("    settings: {stop_margin_minutes: 10}\n", "")
    apply_campaigns(con, write(tmp_path, text, "v2.yaml"))
    eff = effective_settings(con, "lst")
    assert (eff["stop_margin_minutes"], eff["stop_margin_minutes_source"]) == (5, "builtin")


def test_objects_absent_from_the_file_are_kept(con, tmp_path):
    apply_campaigns(con, SAMPLE)
    apply_campaigns(
        con, write(tmp_path, "contact_lists:\n  - {name: extra, group: collections_west}\n")
    )
    names = [
        r[0] for r in con.execute("SELECT name FROM contact_lists ORDER BY list_id").fetchall()
    ]
    assert names == ["east_q4", "east_retry", "west_q4", "extra"]
    assert con.execute("SELECT count(*) FROM dialing_profiles").fetchone() == (2,)


# --- ensure_contact_list ------------------------------------------------------------------


def test_ensure_contact_list_ids_are_stable(con, tmp_path):
    apply_campaigns(con, SAMPLE)
    assert ensure_contact_list(con, "west_q4", "collections_west") == 3
    assert ensure_contact_list(con, "west_new", "collections_west") == 4
    assert ensure_contact_list(con, "east_new", "collections_east") == 5
    assert ensure_contact_list(con, "west_new", "collections_west") == 4
    # Re-applying the YAML (even after declaring the ingested list) keeps every id.
    apply_campaigns(con, SAMPLE)
    declared = write(tmp_path, "contact_lists:\n  - {name: west_new, group: collections_west}\n")
    counts = apply_campaigns(con, declared)
    assert counts["changed"] == 0
    ids = dict(con.execute("SELECT name, list_id FROM contact_lists").fetchall())
    assert ids == {"east_q4": 1, "east_retry": 2, "west_q4": 3, "west_new": 4, "east_new": 5}
    eff = effective_settings(con, "west_new")
    assert (eff["dialing_mode"], eff["dialing_mode_source"]) == ("progressive", "group")


def test_ensure_contact_list_rejections(con):
    apply_campaigns(con, SAMPLE)
    with pytest.raises(CampaignError, match="campaign group 'nowhere' does not exist"):
        ensure_contact_list(con, "x", "nowhere")
    with pytest.raises(CampaignError, match="belongs to campaign group 'collections_east'"):
        ensure_contact_list(con, "east_q4", "collections_west")
    with pytest.raises(CampaignError, match="not a valid name"):
        ensure_contact_list(con, "../etc", "collections_west")
    assert con.execute("SELECT count(*) FROM contact_lists").fetchone() == (3,)


def test_ensure_contact_list_inside_a_caller_transaction(con):
    apply_campaigns(con, SAMPLE)
    con.execute("BEGIN TRANSACTION")
    assert ensure_contact_list(con, "tx_list", "collections_east") == 4
    con.execute("ROLLBACK")
    assert con.execute("SELECT count(*) FROM contact_lists WHERE name = 'tx_list'").fetchone() == (
        0,
    )


# --- show_settings ------------------------------------------------------------------------


def test_show_settings_one_list(con):
    apply_campaigns(con, SAMPLE)
    rows = show_settings(con, "west_q4")
    assert len(rows) == 5 + len(SETTING_KEYS)
    assert {r["list_name"] for r in rows} == {"west_q4"}
    assert [r["key"] for r in rows[5:]] == list(SETTING_KEYS)
    by_key = {r["key"]: (r["value"], r["source"]) for r in rows}
    assert by_key["campaign_group"] == ("collections_west", "list")
    assert by_key["agent_group"] == ("AG_West", "group")
    assert by_key["dialing_profile"] == ("standard", "template")
    assert by_key["device_priority"] == ("mobile,home_phone", "list")
    assert by_key["hours_sun"] == ("closed", "dialing_profile:standard")
    assert by_key["queue"] == ("Q_Collections", "session_profile:main_site")


def test_show_settings_all_lists_and_unknown_list(con):
    apply_campaigns(con, SAMPLE)
    rows = show_settings(con, None)
    assert len(rows) == 3 * (5 + len(SETTING_KEYS))
    order = list(dict.fromkeys(r["list_name"] for r in rows))
    assert order == ["east_q4", "east_retry", "west_q4"]
    with pytest.raises(CampaignError, match="contact list 'nope' does not exist"):
        show_settings(con, "nope")
    with pytest.raises(CampaignError, match="contact list 'nope' does not exist"):
        effective_settings(con, "nope")


def test_view_has_every_key_and_source(con):
    cols = [d[0] for d in con.execute("SELECT * FROM campaign_settings LIMIT 0").description]
    for key in SETTING_KEYS:
        assert key in cols and f"{key}_source" in cols
