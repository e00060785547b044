"""The phone-number automata cache: a stored automaton answers like a freshly built one."""

from __future__ import annotations

import itertools

import pytest

from cxpipeline.reference import phone_automata
from cxpipeline.transforms import phone_prefixes
from cxpipeline.transforms.phone_prefixes import Automaton


@pytest.fixture
def empty_process(monkeypatch):
    """No automaton known and no cache file read yet, as in a new process."""
    monkeypatch.setattr(phone_prefixes, "_AUTOMATA", {})
    monkeypatch.setattr(phone_automata, "_HELD", {})


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
    assert phone_automata.load_automata(tmp_path) == 0  # no cache yet: no error
    before = 0
    phone_prefixes.classify_automaton(1)
    phone_prefixes.parse_automaton("n", "US")
    phone_prefixes.parse_automaton("n", "AR")  # None: not modelled, kept as such
    phone_automata.save_automata(tmp_path, before)
    path = phone_automata.cache_path(tmp_path)
    assert path.is_file()
    # The next process: nothing known, then everything from the file, nothing compiled.
    monkeypatch.setattr(phone_prefixes, "_AUTOMATA", {})
    monkeypatch.setattr(phone_automata, "_HELD", {})
    monkeypatch.setattr(phone_prefixes, "_built_classify_automaton", _never)
    monkeypatch.setattr(phone_prefixes, "_built_parse_automaton", _never)
    assert phone_automata.load_automata(tmp_path) == 3
    assert phone_prefixes.classify_automaton(1).decisive("2125")  # type: ignore[union-attr]
    assert phone_prefixes.parse_automaton("n", "AR") is None
    # The next chunk of that process: the unchanged file is not read and parsed again.
    monkeypatch.setattr(Automaton, "from_data", _never)
    assert phone_automata.load_automata(tmp_path) == 3
    # Nothing new built: the file is not rewritten.
    stamp = path.stat().st_mtime_ns
    phone_automata.save_automata(tmp_path, 3)
    assert path.stat().st_mtime_ns == stamp


def test_an_unreadable_cache_is_ignored(tmp_path, empty_process):
    path = phone_automata.cache_path(tmp_path)
    path.parent.mkdir(parents=True)
    path.write_text("{not json", encoding="utf-8")
    assert phone_automata.load_automata(tmp_path) == 0
    assert phone_prefixes.classify_automaton(1) is not None  # built as usual


def _never(*args):
    raise AssertionError("compiled although cached")
