"""Fuzz: any file given to ingest or results ends in a result or a one-line error, never a
traceback; an ingest reconciles; an error leaves the warehouse as it was."""

from datetime import datetime
from pathlib import Path

import duckdb
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from cxpipeline.errors import CxError
from cxpipeline.settings import REPO_ROOT, InputLimits, Settings
from cxpipeline.steps import results, setup
from cxpipeline.steps.ingest import ingest

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
HEADERS = [
    "client_id",
    "first_name",
    "last_name",
    "home_phone",
    "mobile_phone",
    "postal_code",
    "state_code",
    "phone",
    "notes",
    "source_row",
    "",
]
CELL = st.one_of(
    st.text(max_size=20),
    st.from_regex(r"\(?[2-9]\d{2}\)?[ .-]?\d{3}-?\d{4}( x\d{1,4})?", fullmatch=True),
    st.sampled_from(["", " ", '"', '""', ",", ";", "\t", "\n", "\r\n", "=1+1", "\x00", "é", "∞"]),
    st.text(alphabet="0123456789", min_size=5, max_size=14),
)
TABLES = ("contact_lists", "contact_records", "rejected_rows", "ingest_runs", "call_results")


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    settings = Settings.build(
        tmp_path_factory.mktemp("fuzz") / "home",
        input_limits=InputLimits(max_field_chars=200, max_columns=40),
    )
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def _state(settings: Settings) -> tuple[int, ...]:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        return tuple(con.execute(f"SELECT count(*) FROM {t}").fetchall()[0][0] for t in TABLES)  # noqa: S608


def _file(path: Path, header: list[str], rows: list[list[str]], sep: str, encoding: str) -> Path:
    lines = [sep.join(header), *(sep.join(row) for row in rows)]
    path.write_bytes("\n".join(lines).encode(encoding, errors="replace"))
    return path


FILES = st.tuples(
    st.one_of(
        st.lists(st.sampled_from(HEADERS), min_size=1, max_size=6),
        st.lists(st.sampled_from(HEADERS[:8]), min_size=0, max_size=4, unique=True).map(
            lambda extra: [
                "client_id",
                "home_phone",
                *(h for h in extra if h not in ("client_id", "home_phone")),
            ]
        ),
    ),
    st.lists(st.lists(CELL, min_size=0, max_size=8), min_size=0, max_size=8),
    st.sampled_from([",", ";", "\t", "|"]),
    st.sampled_from(["utf-8", "utf-8", "cp1252", "utf-16"]),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=FILES, name=st.sampled_from(["fuzz", "fuzz", " fuzz", "fuzz\n", "fu zz", ""]))
def test_any_file_is_ingested_or_refused_in_one_line(home, tmp_path_factory, data, name):
    header, rows, sep, encoding = data
    path = _file(tmp_path_factory.mktemp("in") / "list.csv", header, rows, sep, encoding)
    before = _state(home)
    try:
        summary = ingest(home, path, list_name=name, group="collections_east", as_of=AS_OF)
    except CxError as exc:
        event("refused")
        assert "\n" not in exc.one_line().strip()
        assert _state(home) == before
        return
    event(summary.status)
    if summary.status == "succeeded":
        assert summary.rows_read == summary.rows_accepted + summary.rows_rejected


RESULT_CELL = st.one_of(
    CELL,
    st.sampled_from(["2026-11-30T10:00:00-05:00", "2026-11-30 10:00", "Busy", "33", "7", "x"]),
    st.integers(0, 10**12).map(str),
)


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    header=st.one_of(
        st.just(["record_id", "call_time", "call_result"]),
        st.lists(
            st.sampled_from(["record_id", "call_time", "call_result", "agent_id", "x"]),
            min_size=1,
            max_size=5,
        ),
    ),
    rows=st.lists(st.lists(RESULT_CELL, min_size=0, max_size=5), max_size=8),
)
def test_any_results_file_loads_or_is_refused_in_one_line(home, tmp_path_factory, header, rows):
    path = _file(tmp_path_factory.mktemp("res") / "results.csv", header, rows, ",", "utf-8")
    before = _state(home)
    try:
        loaded = results.load_results(home, path, as_of=AS_OF)
    except CxError as exc:
        event("refused")
        assert "\n" not in exc.one_line().strip()
        assert _state(home) == before
        return
    event("loaded")
    assert loaded["rows_read"] == (
        loaded["results_loaded"] + loaded["already_loaded"] + loaded["rows_rejected"]
    )
