"""Campaign model: values, names and sections of campaigns.yaml, validated with their lines."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest
import yaml

from cxpipeline.campaigns import (
    BUILTIN_DEFAULTS,
    DIALING_KEYS,
    SESSION_KEYS,
    SETTING_KEYS,
    SETTINGS,
    AllSettings,
    DialingSettings,
    SessionSettings,
    load_campaigns_yaml,
    loader,
)
from cxpipeline.errors import CampaignError
from cxpipeline.settings import REPO_ROOT

# Every level sets one key the others do not, so each source can be checked separately.
BASE = Path(__file__).with_name("base_campaigns.yaml").read_text(encoding="utf-8")


def write(tmp_path: Path, text: str, name: str = "campaigns.yaml") -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


# --- the one list of setting keys -------------------------------------------------------------


def test_key_lists_and_settings_models_come_from_settings():
    assert tuple(s.key for s in SETTINGS) == SETTING_KEYS
    assert DIALING_KEYS + SESSION_KEYS == SETTING_KEYS
    assert tuple(DialingSettings.model_fields) == DIALING_KEYS
    assert tuple(SessionSettings.model_fields) == SESSION_KEYS
    assert set(AllSettings.model_fields) == set(SETTING_KEYS)
    assert {s.key: s.default for s in SETTINGS if s.default is not None} == BUILTIN_DEFAULTS
    assert BUILTIN_DEFAULTS["hours_sun"] == "closed"
    assert "queue" not in BUILTIN_DEFAULTS


# --- value validation and normalisation ---------------------------------------------------


def test_values_are_normalised(tmp_path):
    text = BASE.replace(
        "settings: {stop_margin_minutes: 10}",
        'settings: {hours_tue: "9:00-24:00", blackout_dates: "2027-01-01, 2026-12-25,2027-01-01",'
        ' default_country: gb, device_priority: " Mobile , home_phone"}',
    )
    model = load_campaigns_yaml(write(tmp_path, text))
    settings = model.contact_lists[0].settings
    assert settings.hours_tue == "09:00-24:00"
    assert settings.blackout_dates == "2026-12-25,2027-01-01"
    assert settings.default_country == "GB"
    assert settings.device_priority == "mobile,home_phone"


@pytest.mark.parametrize(
    ("key", "value", "fragment"),
    [
        ("hours_mon", '"25:00-26:00"', "outside 00:00-24:00"),
        ("hours_mon", '"20:00-09:00"', "start must be before end"),
        ("hours_mon", '"10:00-10:00"', "start must be before end"),
        ("hours_mon", '"08:60-09:00"', "outside"),
        ("hours_mon", '"9-17"', "HH:MM-HH:MM"),
        ("hours_mon", "open", "HH:MM-HH:MM"),
        ("blackout_dates", "[2026-13-01]", "not an ISO date"),
        ("blackout_dates", '"2026-12-25, tomorrow"', "not an ISO date"),
        ("dialing_mode", "turbo", "predictive"),
        ("optimization_method", "fastest", "busy_factor"),
        ("max_attempts", "0", "greater than 0"),
        ("retry_interval_minutes", "-5", "greater than 0"),
        ("max_attempts", '"3"', "valid integer"),
        ("optimization_target", "0", "greater than 0"),
        ("stop_margin_minutes", "500", "less than or equal to 240"),
        ("default_country", "USA", "2-letter ISO region"),
        ("default_country", "XX", "2-letter ISO region"),
        ("device_priority", '"mobile,fax"', "unknown device type 'fax'"),
        ("device_priority", '"mobile,mobile"', "twice"),
        ("colour", "red", "unknown key 'colour'"),
    ],
)
def test_bad_list_setting_is_rejected(tmp_path, key, value, fragment):
    text = BASE.replace("settings: {stop_margin_minutes: 10}", f"settings: {{{key}: {value}}}")
    path = write(tmp_path, text)
    with pytest.raises(CampaignError) as info:
        load_campaigns_yaml(path)
    err = info.value
    message = str(err)
    assert fragment in message
    assert "contact list 'lst'" in message
    assert err.file == str(path) and err.field == key
    assert err.row == text.splitlines().index("    settings: {" + f"{key}: {value}" + "}") + 1
    assert "\n" not in message


def test_session_key_on_dialing_profile_is_rejected(tmp_path):
    text = BASE.replace(
        "settings: {dialing_mode: progressive, hours_sat: closed}",
        "settings: {queue: Q9}",
    )
    with pytest.raises(CampaignError, match=r"dialing profile 'soft': unknown key 'queue'"):
        load_campaigns_yaml(write(tmp_path, text))


def test_unknown_object_key_and_section_are_rejected(tmp_path):
    text = BASE.replace("    agent_group: AG1\n", "    agent_group: AG1\n    agent: x\n")
    with pytest.raises(CampaignError, match=r"campaign group 'grp': unknown key 'agent'"):
        load_campaigns_yaml(write(tmp_path, text))
    with pytest.raises(CampaignError, match=r"unknown section 'campaigns'"):
        load_campaigns_yaml(write(tmp_path, BASE + "campaigns: []\n"))


def test_invalid_yaml_and_empty_file_are_one_line_errors(tmp_path):
    with pytest.raises(CampaignError, match="not valid YAML") as info:
        load_campaigns_yaml(write(tmp_path, "dialing_profiles: [\n"))
    assert info.value.row is not None
    with pytest.raises(CampaignError, match="expected a mapping"):
        load_campaigns_yaml(write(tmp_path, ""))
    with pytest.raises(CampaignError, match="cannot read"):
        load_campaigns_yaml(tmp_path / "missing.yaml")


def test_the_file_is_parsed_once_by_libyaml_where_pyyaml_has_it(monkeypatch):
    # Every command that applies campaigns parses the file: the pure-Python parser, twice
    # (lines, then values), took 0.09 s of it; libyaml's once takes 0.006 s.
    if yaml.__with_libyaml__:
        assert issubclass(loader._Loader, yaml.CSafeLoader)
    parses = []
    real = loader._Loader.get_single_node
    monkeypatch.setattr(
        loader._Loader, "get_single_node", lambda self: parses.append(1) or real(self)
    )
    model = load_campaigns_yaml(REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    assert parses == [1] and model.campaign_groups


# --- rules inside one file ------------------------------------------------------------------


def test_two_defaults_in_one_file_are_rejected(tmp_path):
    text = BASE.replace("  - name: soft\n", "  - name: soft\n    default: true\n")
    with pytest.raises(CampaignError, match="two default dialing profiles") as info:
        load_campaigns_yaml(write(tmp_path, text))
    assert "dialing profile 'soft'" in str(info.value)
    assert info.value.field == "default"


def test_duplicate_names_are_rejected(tmp_path):
    text = BASE + "  - name: lst\n    group: grp\n"
    with pytest.raises(CampaignError, match="contact list 'lst': defined twice"):
        load_campaigns_yaml(write(tmp_path, text))
