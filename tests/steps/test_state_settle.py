"""A results load settles the chains it recomputed: what settling their whole lists would do.

Settling re-applies the suppression entries and moves schedules into the records' windows.
A load recomputes the state of the chains its results touch; the other records keep theirs,
so settling only the recomputed chains (by id) must leave the warehouse as settling every
record of their lists does.
"""

import shutil
from datetime import datetime

import duckdb
import polars as pl
import pytest

from cxpipeline import warehouse
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import results, setup, state, suppression
from cxpipeline.steps.ingest import ingest

SAMPLE = REPO_ROOT / "data" / "sample"
AS_OF = datetime.fromisoformat("2026-11-16T08:00:00-05:00")


@pytest.fixture(scope="module")
def sample_home(tmp_path_factory):
    """The sample's lists ingested with its suppression list in force, once for the module."""
    settings = Settings.build(tmp_path_factory.mktemp("settle") / "home")
    setup.apply_campaigns(settings, SAMPLE / "campaigns.yaml")
    suppression.load_suppression(settings, SAMPLE / "suppression_dnc.csv", "client_dnc")
    for name, group in (("east_q4", "collections_east"), ("west_q4", "collections_west")):
        ingest(settings, SAMPLE / f"contacts_{name}.csv", list_name=name, group=group, as_of=AS_OF)
    return settings.home


def loaded(sample_home, folder) -> pl.DataFrame:
    """Load the sample's results into a copy of the home; return every record's state."""
    shutil.copytree(sample_home, folder)
    settings = Settings.build(folder)
    results.load_results(settings, SAMPLE / "call_results.csv", as_of=AS_OF)
    return records(settings)


def records(settings: Settings) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.sql(
            "SELECT record_id, record_type, record_status, no_call_reason, dial_sched_time "
            "FROM contact_records ORDER BY record_id"
        ).pl()


def test_settling_the_recomputed_chains_equals_settling_their_lists(
    sample_home, tmp_path, monkeypatch
):
    by_ids = loaded(sample_home, tmp_path / "ids")
    monkeypatch.setattr(state, "SETTLE_BY_IDS", 0)  # every load settles its chains' lists
    by_lists = loaded(sample_home, tmp_path / "lists")
    assert by_ids.equals(by_lists)
    # The settle matters here: without it, records end up otherwise.
    monkeypatch.setattr(state, "_settle", lambda con, params: None)
    unsettled = loaded(sample_home, tmp_path / "none")
    assert not unsettled.equals(by_ids)


def test_after_a_load_a_settle_of_every_record_changes_nothing(sample_home, tmp_path):
    before = loaded(sample_home, tmp_path / "home")
    settings = Settings.build(tmp_path / "home")
    con = warehouse.connect(settings)
    try:
        state._settle(con, {"list_name": None, "chains": None})
    finally:
        con.close()
    assert records(settings).equals(before)
