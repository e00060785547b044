"""Suppression step: files as they come (any header, no header), per-list expiry, rejects."""

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import pytest

from cxpipeline import warehouse
from cxpipeline.errors import CxError, InputError
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest as ingest_step
from cxpipeline.steps import setup, suppression

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
LIST = """client_id,first_name,last_name,home_phone,mobile_phone,postal_code,state_code
C1,Ann,Smith,(212) 736-0142,917-736-0101,10001,NY
C3,Cara,Lee,,312 744 0177,60601,IL
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


def query(settings, sql):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_headerless_file_of_bare_numbers_suppresses_current_records(home, tmp_path):
    ingest_step.ingest(
        home, write(tmp_path, "a.csv", LIST), list_name="l1", group="collections_east", as_of=AS_OF
    )
    bare = write(tmp_path, "registry.txt", "(212) 736-0142\n3127440177\n12345\n")
    result = suppression.load_suppression(home, bare, "registry", expires_after="3y14d")
    assert (result["entries"], result["rows_read"], result["rejected"]) == (2, 3, 1)
    assert result["records_suppressed"] == 2
    expiries = query(home, "SELECT DISTINCT expires_at - added_at FROM suppression_entries")
    assert len(expiries) == 1 and expiries[0][0].days >= 3 * 365 + 14
    assert query(home, "SELECT source_row, field, reason, kind FROM rejected_rows") == [
        (3, "column_1", "invalid phone number: too short", "suppression")
    ]


def test_a_load_in_a_new_process_compiles_no_automaton(home, tmp_path, monkeypatch):
    from cxpipeline.reference import phone_automata
    from cxpipeline.transforms import phone_prefixes

    # A new process: no automaton known, compiled or read from a file yet.
    for name, empty in (("_AUTOMATA", {}), ("_STORED", {}), ("_COMPILED", [])):
        monkeypatch.setattr(phone_prefixes, name, empty)
    monkeypatch.setattr(phone_automata, "_HELD", {})
    path = write(tmp_path, "dnc.csv", "phone\n(212) 736-0142\n+44 20 7946 0958\n")
    suppression.load_suppression(home, path, "dnc")
    assert query(home, "SELECT count(*) FROM suppression_entries") == [(2,)]
    assert phone_prefixes.compiled_count() == 0  # the package's automata were read, not built


def test_any_header_through_column_and_garbage_expiry_is_refused(home, tmp_path):
    text = "Cell No;Valid Until\n2127360142;2027-01-01\n9177360101;soon\n"
    path = write(tmp_path, "optout.csv", text)
    with pytest.raises(InputError, match="--column"):
        suppression.load_suppression(home, path, "optout")
    suppression.load_suppression(
        home, path, "optout", column="cell no", expiry_column="valid until"
    )
    assert query(home, "SELECT e164, expires_at FROM suppression_entries") == [
        ("+12127360142", datetime(2027, 1, 1, tzinfo=UTC))
    ]
    assert query(home, "SELECT source_row, field, raw FROM rejected_rows") == [
        (2, "Valid Until", "soon")
    ]


def test_reload_replaces_the_lists_rejects_and_masks_numbers(home, tmp_path):
    suppression.load_suppression(home, write(tmp_path, "d.csv", "phone\n212 0360142\n"), "d")
    assert query(home, "SELECT run_id, raw FROM rejected_rows") == [
        ("suppression:d", "212 ***0142")
    ]
    suppression.load_suppression(home, write(tmp_path, "e.csv", "phone\n2127360142\n"), "d")
    assert query(home, "SELECT count(*) FROM rejected_rows") == [(0,)]


@pytest.mark.parametrize("name", ["", "  "])
def test_a_list_needs_a_name(home, tmp_path, name):
    with pytest.raises(CxError, match="needs a name"):
        suppression.load_suppression(home, write(tmp_path, "d.csv", "phone\n2127360142\n"), name)


def test_unknown_named_column_lists_the_headers(home, tmp_path):
    path = write(tmp_path, "d.csv", "Tel,Cust\n2127360142,C1\n")
    with pytest.raises(InputError, match=r"no column 'phone' \(columns: Tel, Cust\)"):
        suppression.load_suppression(home, path, "d", column="phone")


def test_common_phone_headers_need_no_option(home, tmp_path):
    path = write(tmp_path, "d.csv", "Phone Number\n2127360142\n")
    assert suppression.load_suppression(home, path, "d")["entries"] == 1


def test_an_import_spec_gives_read_options_and_columns(home, tmp_path):
    spec = write(
        tmp_path,
        "spec.yaml",
        "read: {delimiter: '|'}\n"
        "columns: {Tel: mobile_phone, Cust: client_id, Until: expires_at}\n",
    )
    path = write(tmp_path, "d.txt", "Tel|Cust|Until\n2127360142|C1|2027-01-01\n|C2|never\n")
    result = suppression.load_suppression(home, path, "d", spec=spec)
    assert (result["entries"], result["rejected"]) == (1, 1)
    assert query(home, "SELECT e164, client_id, expires_at FROM suppression_entries") == [
        ("+12127360142", "C1", datetime(2027, 1, 1, tzinfo=UTC))
    ]
    assert query(home, "SELECT field, raw FROM rejected_rows") == [("Until", "never")]


def test_reapplying_names_the_number_list_first_then_the_client_list(home, tmp_path):
    ingest_step.ingest(
        home, write(tmp_path, "a.csv", LIST), list_name="l1", group="collections_east", as_of=AS_OF
    )
    # "a_clients" sorts before "z_numbers": a number match must still name its own list.
    clients = write(tmp_path, "c.csv", "client_id,expires_at\nC1,\nC3,2020-01-01\n")
    suppression.load_suppression(home, clients, "a_clients", client_column="client_id")
    numbers = write(tmp_path, "n.csv", "phone\n917-736-0101\n")
    suppression.load_suppression(home, numbers, "z_numbers")
    with duckdb.connect(str(home.warehouse_path)) as con:
        con.execute("UPDATE contact_records SET record_type = 2, no_call_reason = NULL")
        assert warehouse.reapply_suppression(con) == {"l1": 2}
        rows = con.execute(
            "SELECT client_id, contact_info, record_type, no_call_reason FROM contact_records "
            "ORDER BY contact_info"
        ).fetchall()
    assert rows == [
        ("C1", "+12127360142", 7, "suppressed:a_clients"),
        ("C3", "+13127440177", 2, None),  # its entry expired in 2020
        ("C1", "+19177360101", 7, "suppressed:z_numbers"),
    ]


def test_a_lists_ingest_reapplies_entries_to_its_own_records_and_new_entries_reach_all(
    home, tmp_path
):
    """Recomputing one list's state settles that list; adding entries settles every list."""
    for name in ("l1", "l2"):
        source = write(tmp_path, f"{name}.csv", LIST)
        ingest_step.ingest(home, source, list_name=name, group="collections_east", as_of=AS_OF)
    con = warehouse.connect(home)
    try:  # an entry no step has applied yet (as in a warehouse of an older release)
        con.execute(
            "INSERT INTO suppression_entries (suppression_list, e164, source_file, added_at) "
            "VALUES ('registry', '+13127440177', 'x', now())"
        )
    finally:
        con.close()
    no_call = (
        "SELECT list_name, count(*) FILTER (WHERE record_type = 7) FROM contact_records "
        "GROUP BY list_name ORDER BY list_name"
    )
    assert query(home, no_call) == [("l1", 0), ("l2", 0)]
    refreshed = write(tmp_path, "l2.csv", LIST + "C4,Dan,Roe,,646 555 0199,10001,NY\n")
    ingest_step.ingest(home, refreshed, list_name="l2", group="collections_east", as_of=AS_OF)
    assert query(home, no_call) == [("l1", 0), ("l2", 1)]
    suppression.load_suppression(home, write(tmp_path, "more.csv", "phone\n2127360142\n"), "more")
    assert query(home, no_call) == [("l1", 2), ("l2", 2)]
