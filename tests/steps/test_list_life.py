"""A list's life (docs/contract.md §5): day 1 ingest, results with Do Not Call, day 2 refreshed
file with rows inserted, removed and reordered, day 3 append, re-plan on day 9.

The expected state of every person is written out by hand below; the ids are compared with
day 1's, never with hard-coded numbers.
"""

from datetime import datetime
from pathlib import Path

import duckdb
import pytest

from cxpipeline.errors import CxError, InputError
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import results, setup
from cxpipeline.steps.ingest import ingest
from cxpipeline.steps.plan import plan_windows

HEADER = "client_id,first_name,last_name,home_phone,mobile_phone,postal_code,state_code\n"
P1 = "P1,Ann,Smith,(212) 736-0142,917-736-0101,10001,NY\n"
P2 = "P2,Bob,Jones,617.353.0100,,02134,MA\n"
P3 = "P3,Cara,Lee,,312 744 0177,60601,IL\n"
P4 = "P4,Dan,Ray,305-373-0101,,33130,FL\n"
P5 = "P5,Eve,New,646-736-0199,,10001,NY\n"
P6 = "P6,Gil,Fox,718-522-0142,,11201,NY\n"
NUMBERS = {
    ("P1", "+12127360142"): "P1 home",
    ("P1", "+19177360101"): "P1 mobile",
    ("P2", "+16173530100"): "P2",
    ("P3", "+13127440177"): "P3",
    ("P4", "+13053730101"): "P4",
    ("P5", "+16467360199"): "P5",
    ("P6", "+17185220142"): "P6",
}
DAY = {n: datetime.fromisoformat(f"2026-12-{n:02d}T08:00:00-05:00") for n in (1, 2, 3, 9)}


def write(folder: Path, name: str, text: str) -> Path:
    path = folder / name
    path.write_text(text, encoding="utf-8")
    return path


def rows(settings: Settings, sql: str, params: dict | None = None) -> list[tuple]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql, params or {}).fetchall()


def people(settings: Settings) -> dict[str, dict]:
    """Per person and number: id, type, attempts, last result and number of windows."""
    found = rows(
        settings,
        "SELECT r.client_id, r.contact_info, r.record_id, r.record_type, r.attempt, "
        "r.call_result, (SELECT count(*) FROM dialable_windows d "
        "                WHERE d.record_id = r.record_id) AS windows "
        "FROM contact_records r WHERE list_name = 'life'",
    )
    return {
        NUMBERS[(c, n)]: {"id": i, "type": t, "attempt": a, "result": res, "windows": w}
        for c, n, i, t, a, res, w in found
    }


@pytest.fixture
def home(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def day(settings, folder, n, text, mode="replace", **kw):
    path = write(folder, f"day{n}-{mode}.csv", HEADER + text)
    return ingest(
        settings, path, list_name="life", group="collections_east", as_of=DAY[n], mode=mode, **kw
    )


def test_a_list_stays_right_from_day_one_to_day_nine(home, tmp_path):
    # Day 1: four people, five numbers.
    first = day(home, tmp_path, 1, P1 + P2 + P3 + P4)
    assert (first.records_kept, first.records_added, first.records_removed) == (0, 5, 0)
    d1 = people(home)
    ids = {who: state["id"] for who, state in d1.items()}
    assert len(set(ids.values())) == 5

    # Results of day 1: P2 asks never to be called again, P1's home is busy, P3 answers.
    calls = write(
        tmp_path,
        "results-day1.csv",
        "record_id,call_time,call_result\n"
        f"{ids['P2']},2026-12-01T10:00:00-05:00,51\n"
        f"{ids['P1 home']},2026-12-01T10:05:00-05:00,Busy\n"
        f"{ids['P3']},2026-12-01T10:10:00-05:00,33\n",
    )
    loaded = results.load_results(home, calls, as_of=DAY[1])
    assert loaded["results_loaded"] == 3 and loaded["loaded_per_list"] == {"life": 3}
    dnc = rows(
        home,
        "SELECT e164, client_id FROM suppression_entries "
        "WHERE suppression_list = 'do_not_call_results'",
    )
    assert dnc == [("+16173530100", "P2")]

    # Day 2: a new person at the top, P4 moved up, P2 and P3 gone.
    second = day(home, tmp_path, 2, P5 + P4 + P1)
    assert (second.records_kept, second.records_added, second.records_removed) == (3, 1, 2)
    d2 = people(home)
    assert set(d2) == {"P5", "P4", "P1 home", "P1 mobile"}
    for who in ("P4", "P1 home", "P1 mobile"):
        assert d2[who]["id"] == ids[who], who  # identity follows the person, not the row
    assert d2["P5"]["id"] > max(ids.values())  # a new id, never one handed out before
    # History follows the id: P1's busy call, not P5 who took row 1.
    assert (d2["P1 home"]["attempt"], d2["P1 home"]["result"]) == (1, 6)
    assert (d2["P5"]["attempt"], d2["P5"]["type"]) == (0, 2) and d2["P5"]["windows"] > 0
    # The removed keep their history; their windows go with them.
    assert rows(home, "SELECT count(*) FROM call_results WHERE record_id = $r", {"r": ids["P3"]})
    assert rows(
        home,
        "SELECT count(*) FROM dialable_windows WHERE record_id IN ($a, $b)",
        {"a": ids["P2"], "b": ids["P3"]},
    ) == [(0,)]

    # Day 3: append P2 again (same number), a new P6, and P1's known home number.
    third = day(
        home, tmp_path, 3, P2 + P6 + "P1,Ann,Smith,(212) 736-0142,,10001,NY\n", mode="append"
    )
    assert (third.records_added, third.records_removed) == (2, 0)
    d3 = people(home)
    assert d3["P2"]["id"] == ids["P2"]  # the same person and number get the same id back
    assert (d3["P2"]["type"], d3["P2"]["windows"]) == (7, 0)  # and stay Do Not Call
    assert d3["P6"]["id"] > d2["P5"]["id"]
    for who in ("P5", "P4", "P1 home", "P1 mobile"):  # append keeps every existing window
        assert d3[who]["windows"] == d2[who]["windows"] > 0, who

    # Day 9: the windows planned on day 1-3 have run out; plan re-plans them from the warehouse.
    plan_windows(home, ["life"], as_of=DAY[9], horizon_days=2)
    d9 = people(home)
    assert {who for who, s in d9.items() if s["windows"]} == {
        "P1 home",
        "P1 mobile",
        "P4",
        "P5",
        "P6",
    }
    starts = rows(
        home,
        "SELECT min(window_end_utc), max(window_start_utc) FROM dialable_windows "
        "WHERE list_name = 'life'",
    )[0]
    assert starts[0] > DAY[9] and starts[1] < datetime.fromisoformat("2026-12-11T08:00:00-05:00")


def test_replace_a_then_b_then_a_restores_a(home, tmp_path):
    day(home, tmp_path, 1, P1 + P2 + P3)
    a = people(home)
    day(home, tmp_path, 2, P4 + P5 + P6, force=True)
    assert set(people(home)) == {"P4", "P5", "P6"}
    back = day(home, tmp_path, 3, P1 + P2 + P3, force=True)
    assert back.status == "succeeded" and back.records_added == 4
    assert {w: s["id"] for w, s in people(home).items()} == {w: s["id"] for w, s in a.items()}


def test_a_replace_that_removes_most_of_the_list_needs_force(home, tmp_path):
    day(home, tmp_path, 1, P1 + P2 + P3 + P4)
    with pytest.raises(InputError, match="would remove 5 of the 5 records.*--force"):
        day(home, tmp_path, 2, P5)
    assert set(people(home)) == {"P1 home", "P1 mobile", "P2", "P3", "P4"}  # nothing written
    forced = day(home, tmp_path, 2, P5, force=True)
    assert (forced.records_removed, forced.records_added) == (5, 1)


def test_rerun_is_a_no_op_only_with_the_same_options(home, tmp_path):
    day(home, tmp_path, 1, P1 + P2)
    assert day(home, tmp_path, 1, P1 + P2).status == "unchanged"
    replanned = day(home, tmp_path, 2, P1 + P2)  # another as-of changes the output
    assert replanned.status == "succeeded" and replanned.records_kept == 3
    with pytest.raises(CxError, match="belongs to campaign group 'collections_east'"):
        ingest(
            home,
            write(tmp_path, "x.csv", HEADER + P1 + P2),
            list_name="life",
            group="collections_west",
            as_of=DAY[2],
        )


def test_results_reconcile_and_refused_rows_are_kept_masked(home, tmp_path):
    day(home, tmp_path, 1, P1 + P2)
    rid = people(home)["P2"]["id"]
    calls = write(
        tmp_path,
        "r.csv",
        "record_id,call_time,call_result\n"
        f"{rid},2026-12-01T10:00:00-05:00,Busy\n"
        f"{rid},2026-12-01T10:00:00-05:00,Busy\n"
        "98765432101,2026-12-01T10:00:00-05:00,Busy\n"
        f"{rid},yesterday,Busy\n",
    )
    first = results.load_results(home, calls, as_of=DAY[1])
    assert (
        first["rows_read"],
        first["results_loaded"],
        first["already_loaded"],
        first["rows_rejected"],
        first["unknown_records"],
    ) == (4, 1, 1, 2, 1)
    stored = rows(home, "SELECT field, raw FROM rejected_rows WHERE kind = 'result' ORDER BY 1")
    assert len(stored) == 2 and all("98765432101" not in (raw or "") for _, raw in stored)
    again = results.load_results(home, calls, as_of=DAY[1])
    assert (again["results_loaded"], again["already_loaded"]) == (0, 2)
    assert rows(home, "SELECT count(*) FROM rejected_rows WHERE kind = 'result'") == [(2,)]
    empty = results.load_results(
        home, write(tmp_path, "e.csv", "record_id,call_time,call_result\n")
    )
    assert (empty["rows_read"], empty["results_loaded"], empty["rows_rejected"]) == (0, 0, 0)


def test_a_number_asked_twice_not_to_be_called_is_held_once(home, tmp_path):
    """A later Do Not Call of a held number adds nothing; a new person's adds one entry."""
    day(home, tmp_path, 1, P1 + P2 + P3 + P4)
    ids = {who: state["id"] for who, state in people(home).items()}
    dnc_sql = (
        "SELECT e164, client_id FROM suppression_entries "
        "WHERE suppression_list = 'do_not_call_results' ORDER BY e164"
    )
    first = write(
        tmp_path,
        "results-1.csv",
        f"record_id,call_time,call_result\n{ids['P2']},2026-12-01T10:00:00-05:00,51\n",
    )
    results.load_results(home, first, as_of=DAY[1])
    assert rows(home, dnc_sql) == [("+16173530100", "P2")]
    again = write(
        tmp_path,
        "results-2.csv",
        "record_id,call_time,call_result\n"
        f"{ids['P2']},2026-12-01T16:00:00-05:00,51\n"
        f"{ids['P4']},2026-12-01T16:05:00-05:00,51\n",
    )
    assert results.load_results(home, again, as_of=DAY[1])["results_loaded"] == 2
    assert rows(home, dnc_sql) == [("+13053730101", "P4"), ("+16173530100", "P2")]
