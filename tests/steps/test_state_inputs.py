"""A plan rebuilds a list's state only when its inputs changed, and agrees with a rebuild."""

from __future__ import annotations

import shutil
from dataclasses import replace
from datetime import datetime, time, timedelta
from pathlib import Path

import duckdb
import polars as pl
import pytest

from cxpipeline import generate, warehouse
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest, results, setup
from cxpipeline.steps.plan import plan_windows
from cxpipeline.steps.state import plan_state, refresh_state
from cxpipeline.steps.state_inputs import StateDefaults

DAY_1 = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
LIST = "east_q4"
STATE = "SELECT * FROM contact_records ORDER BY record_id"
HOLDS = "SELECT * FROM chain_holds ORDER BY ALL"


def _home(path: Path) -> Settings:
    settings = Settings.build(path)
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def _rows(settings: Settings, sql: str) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def _load_day(settings: Settings, folder: Path, day: int) -> None:
    """Load a day of synthetic call results for every record of the list, as of that evening."""
    records = pl.DataFrame(
        _rows(settings, "SELECT record_id, chain_id, contact_info, tz_name FROM contact_records"),
        schema=["record_id", "chain_id", "contact_info", "tz_name"],
        orient="row",
    )
    start = DAY_1 + timedelta(days=day - 1)
    calls = generate.synthetic_call_results(records.lazy(), start=start, days=1, seed=day)
    path = folder / f"results_{day}.csv"
    calls.collect().drop("attempt").write_csv(path)
    results.load_results(settings, path, as_of=start + timedelta(hours=14))


def _plan(settings: Settings, day: int, *, rebuild: bool) -> None:
    """Plan the list on the morning of `day`; `rebuild` forgets the last rebuild first."""
    if rebuild:
        with duckdb.connect(str(settings.warehouse_path)) as con:
            con.execute("DELETE FROM state_inputs")
    plan_windows(settings, [LIST], as_of=DAY_1 + timedelta(days=day - 1), horizon_days=2)


@pytest.fixture(scope="module")
def lived(tmp_path_factory) -> tuple[Settings, Path]:
    """A home whose list was ingested on day 1 and got a day of call results."""
    folder = tmp_path_factory.mktemp("lived")
    settings = _home(folder / "home")
    source = folder / "list.csv"
    generate.write_contact_list(source, 600, 7)
    ingest.ingest(settings, source, list_name=LIST, group="collections_east", as_of=DAY_1)
    _load_day(settings, folder, 1)
    return settings, folder


def test_a_plan_that_keeps_the_state_equals_one_that_rebuilds_it(lived, tmp_path):
    settings, folder = lived
    kept = _home(tmp_path / "kept")
    rebuilt = _home(tmp_path / "rebuilt")
    for home in (kept, rebuilt):
        shutil.copy(settings.warehouse_path, home.warehouse_path)
    first_rebuild = _rows(kept, "SELECT rebuilt_at FROM state_inputs")
    for day in (2, 3):
        for home in (kept, rebuilt):
            _plan(home, day, rebuild=home is rebuilt)
        assert _rows(kept, STATE) == _rows(rebuilt, STATE)
        assert _rows(kept, HOLDS) == _rows(rebuilt, HOLDS)
        for home in (kept, rebuilt):
            _load_day(home, folder, day)
    # The kept home never rebuilt (its mark is the ingest's); the comparison saw real state.
    assert _rows(kept, "SELECT rebuilt_at FROM state_inputs") == first_rebuild
    assert _rows(kept, "SELECT count(*) FROM chain_holds")[0][0] > 0
    assert _rows(kept, "SELECT count(*) FROM contact_records WHERE dial_sched_time > 0")[0][0] > 0


def _copy(settings: Settings, tmp_path: Path) -> duckdb.DuckDBPyConnection:
    """A writable copy of the lived warehouse."""
    path = tmp_path / "copy.duckdb"
    shutil.copy(settings.warehouse_path, path)
    return duckdb.connect(str(path))


AS_OF = DAY_1 + timedelta(days=1)
SET_MAX_ATTEMPTS = "UPDATE contact_lists SET max_attempts = $n WHERE name = $l"


def test_only_a_changed_input_makes_a_plan_rebuild(lived, tmp_path):
    settings, _ = lived
    con = _copy(settings, tmp_path)
    home = StateDefaults.of(settings)
    assert not plan_state(con, AS_OF, LIST, defaults=home)
    chicago = replace(home, zone="America/Chicago")
    assert plan_state(con, AS_OF, LIST, defaults=chicago)
    assert not plan_state(con, AS_OF, LIST, defaults=chicago)
    wider = StateDefaults.of(settings.model_copy(update={"default_window_start": time(9)}))
    assert plan_state(con, AS_OF, LIST, defaults=wider)
    con.execute(SET_MAX_ATTEMPTS, {"n": 2, "l": LIST})
    assert plan_state(con, AS_OF, LIST, defaults=wider)
    con.execute("UPDATE compliance_rules SET max_attempts = 2 WHERE jurisdiction = 'FL'")
    assert plan_state(con, AS_OF, LIST, defaults=wider)
    assert not plan_state(con, AS_OF, LIST, defaults=wider)


def test_a_results_load_under_other_settings_makes_the_next_plan_rebuild(lived, tmp_path):
    settings, _ = lived
    con = _copy(settings, tmp_path)
    home = StateDefaults.of(settings)
    some = pl.Series([r[0] for r in con.execute("SELECT chain_id FROM call_results").fetchall()])
    con.execute(SET_MAX_ATTEMPTS, {"n": 1, "l": LIST})
    # A load recomputes the chains it touches with max_attempts 1 ...
    refresh_state(con, AS_OF, defaults=home, chains=some.head(5))
    con.execute(SET_MAX_ATTEMPTS, {"n": None, "l": LIST})
    # ... so with the settings back as they were, the state is still mixed: rebuild.
    assert plan_state(con, AS_OF, LIST, defaults=home)


def test_a_results_load_under_the_same_settings_keeps_the_mark(lived, tmp_path):
    settings, _ = lived
    con = _copy(settings, tmp_path)
    home = StateDefaults.of(settings)
    some = pl.Series([r[0] for r in con.execute("SELECT chain_id FROM call_results").fetchall()])
    refresh_state(con, AS_OF, defaults=home, chains=some.head(5))
    assert not plan_state(con, AS_OF, LIST, defaults=home)
    assert warehouse.whole_table(con, "state_inputs").height == 1
