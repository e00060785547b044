"""phonenumbers' answers per key kept between processes: the same results, no library calls."""

from __future__ import annotations

import gzip
import json

import pytest
from tests.transforms.test_phones import run

from cxpipeline.reference import phone_answers, phone_automata, phone_caches
from cxpipeline.transforms import phone_library

RAWS = ["212-736-5000", "(917) 736-0101", "+44 20 7946 0958", "011 49 30 123456"]
RAWS += ["020 7946 0958", "212-555-0123", "800-555-0100", "1-900-555-0199"]
COUNTRIES = ["US"] * 4 + ["GB"] + ["US"] * 3


def _forget(monkeypatch) -> None:
    """No answer known and no cache file read or written yet, as in a new process."""
    monkeypatch.setattr(phone_library, "_PARSED", {})
    monkeypatch.setattr(phone_library, "_CLASSIFIED", {})
    monkeypatch.setattr(phone_answers, "_HELD", {})
    monkeypatch.setattr(phone_answers, "_WRITTEN", {})
    monkeypatch.setattr(phone_answers, "_CHECKED", {})


@pytest.fixture
def new_process(monkeypatch, tmp_path):
    """A new process (the package's automata read)."""
    _forget(monkeypatch)
    phone_automata.load_automata(tmp_path)


def _asked(monkeypatch) -> list[str]:
    """Count the library's calls per key from here on."""
    calls: list[str] = []
    parse_one, classify_one = phone_library._parse_one, phone_library._classify_one
    monkeypatch.setattr(phone_library, "_parse_one", lambda *a: calls.append("p") or parse_one(*a))
    monkeypatch.setattr(
        phone_library, "_classify_one", lambda *a: calls.append("c") or classify_one(*a)
    )
    return calls


def test_a_new_process_answers_from_the_cache_alike_and_asks_nothing(
    tmp_path, new_process, monkeypatch
):
    phone_answers.load_answers(tmp_path)
    first = run(RAWS, COUNTRIES)
    phone_answers.save_answers(tmp_path)
    path = phone_answers.cache_path(tmp_path)
    assert path.is_file()
    # The next process: nothing known, then every answer from the file.
    _forget(monkeypatch)
    phone_answers.load_answers(tmp_path)
    held = len(phone_library._PARSED) + len(phone_library._CLASSIFIED)
    assert phone_answers._WRITTEN[path] == held > 0
    calls = _asked(monkeypatch)
    assert run(RAWS, COUNTRIES).equals(first)
    assert calls == []
    # Nothing learnt: the file is not rewritten.
    stamp = path.stat().st_mtime_ns
    phone_answers.save_answers(tmp_path)
    assert path.stat().st_mtime_ns == stamp
    # A number of a new key is asked, and the file then holds it too.
    run(["+33 1 42 68 53 00"], "US")
    assert calls
    phone_answers.save_answers(tmp_path)
    assert path.stat().st_mtime_ns != stamp


def test_a_file_of_another_key_or_unreadable_is_not_used(tmp_path, new_process, monkeypatch):
    phone_answers.load_answers(tmp_path)
    run(RAWS, COUNTRIES)
    phone_answers.save_answers(tmp_path)
    path = phone_answers.cache_path(tmp_path)
    stored = json.loads(gzip.decompress(path.read_bytes()))
    for text in (
        gzip.compress(json.dumps({**stored, "key": "phonenumbers0-0"}).encode()),
        b"{not json",
    ):
        path.write_bytes(text)
        _forget(monkeypatch)
        phone_answers.load_answers(tmp_path)
        assert phone_library.known_answers() == ({}, {})
        calls = _asked(monkeypatch)
        assert run(RAWS, COUNTRIES).height == len(RAWS)  # asked as usual
        assert calls


def test_the_cache_never_holds_a_numbers_last_digits(tmp_path, new_process):
    phone_answers.load_answers(tmp_path)
    # A "+" of no known calling code is keyed by its whole number (no automaton decides it).
    run([*RAWS, "+999 1234567", "+54 11 4321 8765"], [*COUNTRIES, "US", "US"])
    phone_answers.save_answers(tmp_path)
    stored = json.loads(gzip.decompress(phone_answers.cache_path(tmp_path).read_bytes()))
    heads = [(row[2], row[3]) for row in stored["parsed"]]
    heads += [(row[1], row[2]) for row in stored["classified"]]
    assert heads and all(
        len(head) <= length - phone_answers.HIDDEN_DIGITS for length, head in heads
    )
    assert not any("1234567".startswith(head) and head for _, head in heads if len(head) > 3)


def test_answers_never_kept_do_not_rewrite_the_file(tmp_path, new_process, monkeypatch):
    values, countries = [*RAWS, "+999 1234567"], [*COUNTRIES, "US"]
    phone_answers.load_answers(tmp_path)
    run(values, countries)
    phone_answers.save_answers(tmp_path)
    path = phone_answers.cache_path(tmp_path)
    stamp = path.stat().st_mtime_ns
    # The next process meets the same numbers: the whole-number key is asked again (it is
    # never kept) but nothing the file may keep is new, so the file stays as it was.
    _forget(monkeypatch)
    phone_answers.load_answers(tmp_path)
    calls = _asked(monkeypatch)
    run(values, countries)
    assert calls
    phone_answers.save_answers(tmp_path)
    assert path.stat().st_mtime_ns == stamp


def test_chunks_of_a_list_rewrite_the_file_when_their_answers_add_up(tmp_path, new_process):
    path = phone_answers.cache_path(tmp_path)
    # The first chunk learns everything the file lacks: written, however few.
    with phone_caches.held(tmp_path, throttled=True):
        run(RAWS, COUNTRIES)
    held = phone_answers._WRITTEN[path]
    assert path.is_file() and held > 0
    stamp = path.stat().st_mtime_ns
    # A chunk that learns less than a quarter more waits: the file is not rewritten.
    with phone_caches.held(tmp_path, throttled=True):
        run(["+33 1 42 68 53 00"], "US")
    assert path.stat().st_mtime_ns == stamp
    # The end of the pass keeps the rest.
    phone_caches.keep(tmp_path)
    assert path.stat().st_mtime_ns != stamp
    assert phone_answers._WRITTEN[path] > held
    stored = json.loads(gzip.decompress(path.read_bytes()))
    assert len(stored["parsed"]) + len(stored["classified"]) == phone_answers._WRITTEN[path]
    # Many new answers at once are written by the chunk itself.
    stamp = path.stat().st_mtime_ns
    with phone_caches.held(tmp_path, throttled=True):
        run([f"+44 20 7946 0{n:03d}" for n in range(0, 1000, 7)], "US")
        run([f"{npa}-736-5000" for npa in range(201, 990, 3)], "US")
    assert path.stat().st_mtime_ns != stamp
