"""Tests of transforms/phone_verdicts.py: decisive prefix lengths, shipped NANP verdicts."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal
from tests.transforms.test_phones import run

from cxpipeline.reference import keyed_json, phone_automata
from cxpipeline.transforms import phone_prefixes, phone_verdicts
from cxpipeline.transforms.phone_verdicts import (
    classify_decides,
    decisive_lengths,
    parse_decides,
)


@pytest.fixture
def new_process(monkeypatch):
    """No automaton, verdict or area code known and no file read yet, as in a new process."""
    monkeypatch.setattr(phone_prefixes, "_AUTOMATA", {})
    monkeypatch.setattr(phone_prefixes, "_STORED", {})
    monkeypatch.setattr(phone_prefixes, "_COMPILED", [])
    monkeypatch.setattr(phone_verdicts, "_VERDICTS", {})
    monkeypatch.setattr(phone_verdicts, "_NPAS", set())
    monkeypatch.setattr(phone_automata, "_HELD", {})


def test_decisive_lengths_per_scope_and_null_without_scope():
    frame = pl.DataFrame(
        {
            "s": ["1", "1", "44", None],
            "d": ["2125550142", "2135550142", "2079460958", "123"],
        }
    )
    k = decisive_lengths(frame, pl.col("s"), "d", lambda s: classify_decides(int(s)))
    assert k.to_list() == [4, 4, 3, None]


def test_scope_without_automaton_is_keyed_by_the_whole_number():
    frame = pl.DataFrame({"s": ["n:AR", "n:US"], "d": ["91123456789", "2125550142"]})
    k = decisive_lengths(frame, pl.col("s"), "d", lambda s: parse_decides(*s.split(":", 1)))
    assert k[0] == 11
    assert k[1] < 10


#: NANP values of every kind: national, with 1 or +1, Canadian, toll free, and each NANP
#: rule's reject (area code or exchange from 0 or 1, N11, unassigned area code, 555-01xx).
NANP_VALUES = [
    "212-736-5000",
    "1 (212) 736-5000",
    "+1 305 555 2142",
    "416-555-2199",
    "1-800-555-2100",
    "012-555-0142",
    "112-555-0142",
    "911-555-0142",
    "212-011-0000",
    "212-111-0000",
    "212-911-0000",
    "999-555-1234",
    "212-555-0123",
    "900-555-1234",
    "21255501",
]
COUNTRIES = ["US", "US", "US", "CA", "US", "US", "US", "US", "US", "US", "US", "US", "US",
             "CA", "US"]  # fmt: skip


def test_nanp_numbers_need_no_automaton_with_the_package_file(tmp_path, new_process, monkeypatch):
    phone_automata.load_automata(tmp_path)
    shipped = run(NANP_VALUES, COUNTRIES)
    # Nothing decoded nor compiled: every prefix's verdict and area code came from the file.
    assert phone_prefixes._AUTOMATA == {}
    assert phone_prefixes.compiled_count() == 0
    # The same answers as the automata and the library give without the verdicts.
    monkeypatch.setattr(phone_verdicts, "_VERDICTS", {})
    monkeypatch.setattr(phone_verdicts, "_NPAS", set())
    assert_frame_equal(run(NANP_VALUES, COUNTRIES), shipped)
    assert "classify:1" in phone_prefixes._AUTOMATA
    reasons = shipped.get_column("phone_reject_reason")
    assert reasons.null_count() == 6
    assert "invalid number: area code not in service" in reasons.to_list()


def test_the_package_ships_the_verdicts_of_the_pinned_release(new_process):
    stored = keyed_json.read(phone_automata.packaged_path(), phone_automata.cache_key())
    assert stored, "stale: run python -m cxpipeline.reference.phone_automata"
    fresh = phone_verdicts.shipped_verdicts()
    assert set(fresh["verdicts"]) == set(phone_verdicts.VERDICT_NAMES)
    assert stored["verdicts"] == fresh["verdicts"]
    assert stored["npas"] == fresh["npas"]
    assert "212" in fresh["npas"] and "999" not in fresh["npas"]


def test_a_prefix_the_file_lacks_is_decided_by_the_automaton(tmp_path, new_process):
    # Verdicts that stop at the empty prefix (a shorter table than shipped): the automaton is
    # decoded at the first prefix they lack, and decides as it always did.
    phone_verdicts.add_verdicts({"verdicts": {"classify:1": {"decisive": [], "undecided": [""]}}})
    phone_automata.load_automata(tmp_path)
    decides = classify_decides(1)
    assert decides is not None
    assert decides("") is False
    assert phone_prefixes._AUTOMATA == {}
    assert decides("2125") is True
    assert decides("21") is False
    assert "classify:1" in phone_prefixes._AUTOMATA


def test_area_codes_in_service_without_the_file_ask_the_library(new_process):
    assert phone_verdicts.npa_in_service("212")
    assert not phone_verdicts.npa_in_service("999")
    phone_verdicts.add_verdicts({"npas": ["999"]})  # a file says otherwise: the file is read
    assert phone_verdicts.npa_in_service("999")
    assert not phone_verdicts.npa_in_service("212")


_DIGIT_STRINGS = st.one_of(
    st.text(alphabet="0123456789", max_size=12),
    st.from_regex(r"\A[2-9][0-9]{9}\Z"),  # NANP-shaped: the deep levels (area code + 1 to 4)
)


@settings(max_examples=60, deadline=None)
@given(rows=st.lists(st.tuples(st.sampled_from(["1", "44", None]), _DIGIT_STRINGS), max_size=40))
def test_the_shipped_tables_give_the_walks_lengths(rows):
    shipped = keyed_json.read(phone_automata.packaged_path(), phone_automata.cache_key())
    phone_verdicts.add_verdicts(shipped)  # this process may not have read the package's file
    assert isinstance(classify_decides(1), phone_verdicts.Shipped)
    frame = pl.DataFrame(rows, schema={"s": pl.String, "d": pl.String}, orient="row")

    def walked(scope: str) -> phone_verdicts.Decides | None:
        automaton = phone_prefixes.classify_automaton(int(scope))
        return None if automaton is None else automaton.decisive

    expected = decisive_lengths(frame, pl.col("s"), "d", walked)
    got = decisive_lengths(frame, pl.col("s"), "d", lambda s: classify_decides(int(s)))
    assert got.to_list() == expected.to_list()
