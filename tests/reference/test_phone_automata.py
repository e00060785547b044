"""The phone-number automata shipped and cached: a stored automaton answers like a fresh one."""

from __future__ import annotations

import gzip
import itertools
import json

import pytest

from cxpipeline.reference import keyed_json, phone_automata
from cxpipeline.transforms import phone_prefixes
from cxpipeline.transforms.phone_prefixes import Automaton


@pytest.fixture
def new_process(monkeypatch):
    """No automaton known, compiled or stored, and no file read yet, as in a new process."""
    monkeypatch.setattr(phone_prefixes, "_AUTOMATA", {})
    monkeypatch.setattr(phone_prefixes, "_STORED", {})
    monkeypatch.setattr(phone_prefixes, "_COMPILED", [])
    monkeypatch.setattr(phone_automata, "_HELD", {})


@pytest.fixture
def empty_process(new_process, monkeypatch, tmp_path):
    """A new process of an install whose package ships no automata (a newer phonenumbers)."""
    monkeypatch.setattr(phone_automata, "packaged_path", lambda: tmp_path / "absent.json.gz")


def test_an_automaton_rebuilt_from_its_data_decides_every_prefix_alike():
    for built in (
        phone_prefixes._built_classify_automaton(1),
        phone_prefixes._built_classify_automaton(44),
        phone_prefixes._built_parse_automaton("n", "US"),
    ):
        assert built is not None
        copy = Automaton.from_data(built.to_data())
        prefixes = ["".join(p) for n in range(5) for p in itertools.product("0123456789", repeat=n)]
        assert [copy.decisive(p) for p in prefixes] == [built.decisive(p) for p in prefixes]


def test_saved_once_then_loaded_by_the_next_process(tmp_path, empty_process, monkeypatch):
    mark = phone_automata.load_automata(tmp_path)  # no cache yet: no error
    assert mark == 0
    phone_prefixes.classify_automaton(1)
    phone_prefixes.parse_automaton("n", "US")
    phone_prefixes.parse_automaton("n", "AR")  # None: not modelled, kept as such
    assert phone_prefixes.compiled_count() == 3
    phone_automata.save_automata(tmp_path, mark)
    path = phone_automata.cache_path(tmp_path)
    assert path.is_file()
    # The next process: nothing known, then everything from the file, nothing compiled.
    for name, empty in (("_AUTOMATA", {}), ("_STORED", {}), ("_COMPILED", [])):
        monkeypatch.setattr(phone_prefixes, name, empty)
    monkeypatch.setattr(phone_automata, "_HELD", {})
    monkeypatch.setattr(phone_prefixes, "_built_classify_automaton", _never)
    monkeypatch.setattr(phone_prefixes, "_built_parse_automaton", _never)
    assert phone_automata.load_automata(tmp_path) == 0
    assert len(phone_prefixes.known_automata()) == 3
    assert phone_prefixes.classify_automaton(1).decisive("2125")  # type: ignore[union-attr]
    assert phone_prefixes.parse_automaton("n", "AR") is None
    # The next chunk of that process: the unchanged file is not read and parsed again.
    monkeypatch.setattr(keyed_json, "read", _never)
    assert phone_automata.load_automata(tmp_path) == 0
    # Nothing new compiled: the file is not rewritten.
    stamp = path.stat().st_mtime_ns
    phone_automata.save_automata(tmp_path, 0)
    assert path.stat().st_mtime_ns == stamp


def test_the_package_ships_every_automaton_of_the_pinned_release(tmp_path, new_process):
    packaged = keyed_json.read(phone_automata.packaged_path(), phone_automata.cache_key())
    stored = phone_automata._automata_of(packaged)
    assert stored, "stale: run python -m cxpipeline.reference.phone_automata"
    assert {"classify:1", "classify:44", "parse:+:1", "parse:n:US", "parse:n:GB"} <= set(stored)
    for name, build in (
        ("classify:1", lambda: phone_prefixes._built_classify_automaton(1)),
        ("classify:86", lambda: phone_prefixes._built_classify_automaton(86)),
        ("parse:n:US", lambda: phone_prefixes._built_parse_automaton("n", "US")),
        ("parse:+:49", lambda: phone_prefixes._built_parse_automaton("+", "49")),
    ):
        assert stored[name] == phone_prefixes.automaton_text(build()), name
    # A new process with the package's automata compiles none and writes no cache.
    mark = phone_automata.load_automata(tmp_path)
    for cc in (1, 33, 44, 49, 52, 86, 91):
        assert phone_prefixes.classify_automaton(cc) is not None
        phone_prefixes.parse_automaton("+", str(cc))
    phone_prefixes.parse_automaton("n", "CA")
    assert phone_prefixes.compiled_count() == 0
    phone_automata.save_automata(tmp_path, mark)
    assert not phone_automata.cache_path(tmp_path).exists()


def test_normalising_numbers_of_every_kind_compiles_nothing(tmp_path, new_process):
    from tests.transforms.test_phones import run

    # National, "+", 011, a NANP 00, a "+" of no known calling code (re-read whole) and a
    # non-NANP list: a new process with the package's automata compiles none of them.
    phone_automata.load_automata(tmp_path)
    raws = ["212-736-5000", "+44 20 7946 0958", "011 49 30 123456", "0044 20 7946 0958"]
    raws += ["+999 1234567", "020 7946 0958"]
    out = run(raws, ["US", "US", "US", "US", "CA", "GB"])
    assert out.height == len(raws)
    assert phone_prefixes._COMPILED == []


def test_a_file_of_another_key_is_not_used(tmp_path, empty_process):
    path = phone_automata.cache_path(tmp_path)
    path.parent.mkdir(parents=True)
    text = phone_prefixes.automaton_text(phone_prefixes._built_classify_automaton(1))
    stale = {"key": "phonenumbers0-0", "automata": {"classify:1": text}}
    path.write_bytes(gzip.compress(json.dumps(stale).encode()))
    phone_automata.load_automata(tmp_path)
    assert phone_prefixes.known_automata() == {}
    assert phone_prefixes.classify_automaton(1) is not None  # compiled as usual
    assert phone_prefixes.compiled_count() == 1


def test_an_unreadable_cache_is_ignored(tmp_path, empty_process):
    path = phone_automata.cache_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert phone_automata.load_automata(tmp_path) == 0
    assert phone_prefixes.classify_automaton(1) is not None  # built as usual


def _never(*args):
    raise AssertionError("compiled although cached")
