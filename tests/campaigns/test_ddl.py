"""SQL made from the one list of setting keys: table columns and the campaign_settings view."""

from __future__ import annotations

from collections.abc import Iterator

import duckdb
import pytest

from cxpipeline import warehouse
from cxpipeline.campaigns import SETTINGS, TABLES, Setting, ddl, model

OBJECT_TABLES = tuple(TABLES.values())


def columns(con: duckdb.DuckDBPyConnection, relation: str) -> dict[str, str]:
    rows = con.execute(
        "SELECT column_name, data_type FROM duckdb_columns() WHERE table_name = $t",
        {"t": relation},
    ).fetchall()
    return dict(rows)


@pytest.fixture
def fresh_sql() -> Iterator[None]:
    """Forget the SQL texts cached before and after the test (they depend on SETTINGS)."""
    warehouse.load_sql.cache_clear()
    yield
    warehouse.load_sql.cache_clear()


def test_every_setting_is_a_column_of_the_tables_of_its_level(con):
    for setting in SETTINGS:
        levels = ["campaign_templates", "campaign_groups", "contact_lists"]
        levels.append(f"{setting.kind}_profiles")
        for table in OBJECT_TABLES:
            present = setting.key in columns(con, table)
            assert present == (table in levels), (setting.key, table)
        assert setting.key in columns(con, "campaign_settings")
        assert f"{setting.key}_source" in columns(con, "campaign_settings")


def test_sql_files_hold_markers_not_setting_columns():
    for name in (*OBJECT_TABLES, "campaign_settings"):
        text = (warehouse.SQL_DIR / f"{name}.sql").read_text(encoding="utf-8")
        assert "{{" in text, name
        assert "device_priority" not in text, name


def test_adding_one_key_to_the_list_adds_it_everywhere(monkeypatch, fresh_sql):
    dialing = Setting("max_call_seconds", model.DIALING, "INTEGER", int | None, 90)
    session = Setting("outbound_label", model.SESSION, "VARCHAR", str | None)
    monkeypatch.setattr(model, "SETTINGS", (*SETTINGS, dialing, session))
    con = duckdb.connect()
    warehouse.migrate(con)
    for table in ("campaign_templates", "campaign_groups", "contact_lists"):
        assert columns(con, table)["max_call_seconds"] == "INTEGER", table
        assert columns(con, table)["outbound_label"] == "VARCHAR", table
    assert "max_call_seconds" in columns(con, "dialing_profiles")
    assert "outbound_label" not in columns(con, "dialing_profiles")
    assert "outbound_label" in columns(con, "session_profiles")
    assert "max_call_seconds" not in columns(con, "session_profiles")
    view = columns(con, "campaign_settings")
    for key in ("max_call_seconds", "outbound_label"):
        assert key in view and f"{key}_source" in view, key

    # Each level overrides the one above; a built-in default applies when no level sets it.
    con.execute(
        "INSERT INTO dialing_profiles (name, is_default, created_at, updated_at) "
        "VALUES ('d', true, now(), now())"
    )
    con.execute(
        "INSERT INTO session_profiles (name, is_default, outbound_label, created_at, updated_at) "
        "VALUES ('s', true, 'S', now(), now())"
    )
    con.execute(
        "INSERT INTO campaign_templates (name, created_at, updated_at) VALUES ('t', now(), now())"
    )
    con.execute(
        "INSERT INTO campaign_groups (name, campaign_template, agent_group, created_at, "
        "updated_at) VALUES ('g', 't', 'A', now(), now())"
    )
    con.execute(
        "INSERT INTO contact_lists (name, campaign_group, created_at, updated_at) "
        "VALUES ('l', 'g', now(), now())"
    )
    row = warehouse.fetch_dicts(con, "SELECT * FROM campaign_settings")[0]
    assert (row["max_call_seconds"], row["max_call_seconds_source"]) == (90, "builtin")
    assert (row["outbound_label"], row["outbound_label_source"]) == (
        "S",
        "default_session_profile:s",
    )
    con.execute("UPDATE contact_lists SET max_call_seconds = 30")
    row = warehouse.fetch_dicts(con, "SELECT * FROM campaign_settings")[0]
    assert (row["max_call_seconds"], row["max_call_seconds_source"]) == (30, "list")


def test_fragments_follow_the_list_order():
    fragments = ddl.sql_fragments()
    keys = [line.split()[0] for line in fragments["setting_columns"].splitlines()]
    assert keys == [s.key for s in SETTINGS]
