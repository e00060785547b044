"""Steps on small inline files: suppression, append, atomic replace, results, export."""

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest

from cxpipeline import warehouse
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import export, results, setup, statistics, suppression
from cxpipeline.steps import ingest as ingest_step

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
LIST_A = """client_id,first_name,last_name,home_phone,mobile_phone,postal_code,state_code
C1,Ann,Smith,(212) 736-0142,917-736-0101,10001,NY
C2,Bob,=HYPERLINK("x"),617.353.0100,,02134,MA
C3,Cara,Lee,,312 744 0177,60601,IL
"""
LIST_B = """client_id,first_name,last_name,home_phone,mobile_phone,postal_code,state_code
C1,Ann,Smith,(212) 736-0142,646-736-0199,10001,NY
C4,Dan,Ray,305-373-0101,,33130,FL
"""


@pytest.fixture
def home(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def query(settings, sql, params=None):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def ingest(settings, path, **kw):
    return ingest_step.ingest(
        settings, path, list_name="l1", group="collections_east", as_of=AS_OF, **kw
    )


def test_suppression_loaded_later_is_applied_to_existing_records(home, tmp_path):
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    supp = write(tmp_path, "dnc.csv", "phone,client_id,expires_at\n9177360101,,\n,C3,\n")
    result = suppression.load_suppression(home, supp, "state_dnc")
    assert result["entries"] == 2
    assert result["lists_changed"] == ["l1"]  # the list whose records it newly suppressed
    again = suppression.load_suppression(home, supp, "state_dnc")
    assert again["lists_changed"] == [] and again["records_suppressed"] == 0
    rows = dict(query(home, "SELECT contact_info, no_call_reason FROM contact_records"))
    assert rows["+19177360101"] == "suppressed:state_dnc"
    assert rows["+13127440177"] == "suppressed:state_dnc"
    assert rows["+12127360142"] is None
    assert query(
        home,
        "SELECT count(*) FROM dialable_windows d JOIN contact_records r "
        "USING (record_id) WHERE r.record_type = 7",
    ) == [(0,)]


def test_suppression_at_ingest(home, tmp_path):
    suppression.load_suppression(home, write(tmp_path, "d.csv", "phone\n(617) 353-0100\n"), "x")
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    assert query(
        home,
        "SELECT record_type, no_call_reason FROM contact_records "
        "WHERE contact_info = '+16173530100'",
    ) == [(7, "suppressed:x")]


def test_append_deduplicates_against_the_list(home, tmp_path):
    first = ingest(home, write(tmp_path, "a.csv", LIST_A))
    before = dict(query(home, "SELECT contact_info, record_id FROM contact_records"))
    second = ingest(home, write(tmp_path, "b.csv", LIST_B), mode="append")
    assert second.status == "succeeded"
    after = dict(query(home, "SELECT contact_info, record_id FROM contact_records"))
    # Known number of a known client: not added again; existing ids unchanged.
    assert len(after) == len(before) + 2
    assert all(after[k] == v for k, v in before.items())
    chains = dict(query(home, "SELECT contact_info, chain_id FROM contact_records"))
    assert chains["+16467360199"] == chains["+12127360142"]  # C1's new number joins C1's chain
    assert first.run_id != second.run_id


def test_same_file_twice_changes_nothing(home, tmp_path):
    path = write(tmp_path, "a.csv", LIST_A)
    ingest(home, path)
    snapshot = query(home, "SELECT * FROM contact_records ORDER BY record_id")
    again = ingest(home, path)
    assert again.status == "unchanged"
    assert query(home, "SELECT * FROM contact_records ORDER BY record_id") == snapshot
    assert query(home, "SELECT count(*) FROM ingest_runs") == [(1,)]


def test_failed_replace_leaves_previous_state(home, tmp_path, monkeypatch):
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    snapshot = query(home, "SELECT record_id, contact_info FROM contact_records ORDER BY 1")
    real_insert = warehouse.insert

    def failing_insert(con, table, frame):
        if table == "rejected_rows":
            raise RuntimeError("disk full")
        real_insert(con, table, frame)

    monkeypatch.setattr(warehouse, "insert", failing_insert)
    with pytest.raises(RuntimeError):
        ingest(home, write(tmp_path, "b.csv", LIST_B), force=True)
    assert query(home, "SELECT record_id, contact_info FROM contact_records ORDER BY 1") == snapshot
    assert query(home, "SELECT count(*) FROM ingest_runs") == [(1,)]


def test_results_twice_and_export(home, tmp_path):
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    ids = dict(query(home, "SELECT contact_info, record_id FROM contact_records"))
    rid = ids["+12127360142"]
    calls = write(
        tmp_path,
        "r.csv",
        "record_id,call_time,call_result\n"
        f"{rid},2026-11-30T10:00:00-05:00,Busy\n"
        f"{rid},2026-11-30T11:00:00-05:00,33\n"
        "12345,2026-11-30T11:00:00-05:00,33\n",
    )
    first = results.load_results(home, calls, as_of=AS_OF)
    assert first["results_loaded"] == 2 and first["rows_rejected"] == 1
    second = results.load_results(home, calls, as_of=AS_OF)
    assert second["results_loaded"] == 0
    assert query(
        home,
        "SELECT attempt, call_result, record_status FROM contact_records WHERE record_id = $r",
        {"r": rid},
    ) == [(2, 33, 3)]
    # Loading results leaves statistics alone; the statistics step rebuilds them.
    assert query(home, "SELECT attempts FROM list_stats WHERE list_name = 'l1'") == []
    statistics.build_statistics(home)
    assert query(home, "SELECT attempts, connects FROM list_stats WHERE list_name = 'l1'") == [
        (2, 1)
    ]
    out = export.export_list(home, "l1", tmp_path / "out.csv")
    exported = pl.read_csv(out, infer_schema=False)
    assert exported.columns[:3] == ["record_id", "contact_info", "contact_info_type"]
    assert '\'=HYPERLINK("x")' in exported["last_name"].to_list()
    assert set(exported["contact_info"].to_list()) >= {"+12127360142"}


def test_warehouse_has_no_whole_numbers_in_rejects(home, tmp_path):
    bad = LIST_A + "C9,Eve,Bad,212-736-01,,10001,NY\n"
    ingest(home, write(tmp_path, "a.csv", bad))
    raws = [r[0] for r in query(home, "SELECT raw FROM rejected_rows WHERE kind = 'phone'")]
    assert raws and all("212736" not in (r or "").replace("-", "") for r in raws)


def test_list_in_unknown_group_is_a_clear_error(home, tmp_path):
    from cxpipeline.errors import CxError

    with pytest.raises(CxError, match="nope"):
        ingest_step.ingest(home, write(tmp_path, "a.csv", LIST_A), list_name="l9", group="nope")
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        assert warehouse.scalar(con, "SELECT count(*) FROM contact_records") == 0


def test_append_flags_a_number_now_shared_on_both_chains(home, tmp_path):
    ingest(home, write(tmp_path, "a.csv", LIST_A))
    # A new customer with C1's home number: both chains must carry the flag.
    more = (
        "client_id,first_name,last_name,home_phone,postal_code,state_code\n"
        "C7,Gil,Fox,212-736-0142,10001,NY\n"
    )
    ingest(home, write(tmp_path, "c.csv", more), mode="append")
    flags = query(
        home,
        "SELECT client_id, shared_number FROM contact_records "
        "WHERE contact_info = '+12127360142' ORDER BY client_id",
    )
    assert flags == [("C1", True), ("C7", True)]
    others = query(
        home,
        "SELECT count(*) FROM contact_records WHERE shared_number AND "
        "contact_info <> '+12127360142'",
    )
    assert others == [(0,)]
