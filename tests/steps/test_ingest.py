"""Ingest at its edges: list names trimmed, phone-column limit, rejects cut and masked."""

from datetime import datetime

import duckdb
import pytest

from cxpipeline.errors import InputError
from cxpipeline.settings import REPO_ROOT, InputLimits, Settings
from cxpipeline.steps import setup
from cxpipeline.steps.ingest import ingest

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
GROUP = "collections_east"


@pytest.fixture
def home(tmp_path):
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def rows(settings, sql):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return con.execute(sql).fetchall()


def test_a_list_name_with_spaces_or_a_newline_is_the_same_list(home, tmp_path):
    path = tmp_path / "a.csv"
    path.write_text("client_id,last_name,home_phone\nC1,Smith,(212) 736-0142\n")
    for name in ("trim_me", " trim_me", "trim_me\n"):
        ingest(home, path, list_name=name, group=GROUP, as_of=AS_OF)
    assert rows(home, "SELECT name FROM contact_lists WHERE name LIKE '%trim_me%'") == [
        ("trim_me",)
    ]
    with pytest.raises(InputError, match="not a valid name"):
        ingest(home, path, list_name="bad\x00name", group=GROUP, as_of=AS_OF)


def test_more_phone_columns_than_the_limit_is_one_line(tmp_path):
    settings = Settings.build(tmp_path / "home", input_limits=InputLimits(max_phone_columns=2))
    path = tmp_path / "p.csv"
    path.write_text("client_id,home_phone,mobile_phone,business_phone\nC1,2127360142,,\n")
    with pytest.raises(InputError, match="3 phone columns: more than the limit of 2"):
        ingest(settings, path, list_name="l1", group=GROUP, as_of=AS_OF)


def test_every_field_of_a_reject_is_cut_and_masked(home, tmp_path):
    path = tmp_path / "r.csv"
    free = "call 2125550199 " + "y" * 900
    path.write_text(
        "client_id,last_name,home_phone,postal_code\n"
        f"C1,Smith,(212) 736-0142,10001\n"
        f"C2,Jones,not a phone 9175550123,1234567890\n"
        f"C3,Ray,(212) 736-0143,10001,extra 6465550100,{free}\n"
    )
    ingest(home, path, list_name="masked", group=GROUP, as_of=AS_OF)
    stored = rows(home, "SELECT field, reason, raw FROM rejected_rows WHERE list_name = 'masked'")
    assert stored
    for values in stored:
        for value in values:
            text = value or ""
            assert len(text) <= 500
            assert not any(run in text for run in ("2125550199", "9175550123", "6465550100"))
            assert "1234567890" not in text


def test_a_folder_or_a_nul_byte_is_a_one_line_input_error(home, tmp_path):
    with pytest.raises(InputError, match="not a file"):
        ingest(home, tmp_path, list_name="l1", group=GROUP, as_of=AS_OF)
    path = tmp_path / "nul.csv"
    path.write_bytes(b"client_id,last_name,home_phone\nC1,Sm\x00ith,(212) 736-0142\n")
    with pytest.raises(InputError, match="NUL byte") as caught:
        ingest(home, path, list_name="l1", group=GROUP, as_of=AS_OF)
    assert "'last_name'" in caught.value.one_line()
    assert rows(home, "SELECT count(*) FROM contact_lists WHERE name = 'l1'") == [(0,)]
