"""Tests of transforms/phone_prefixes.py: digit automata over phonenumbers' patterns."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

from cxpipeline.transforms import phone_prefixes
from cxpipeline.transforms.phone_prefixes import parse_automaton

# ------------------------------------------------------------------ decisive-prefix automaton


def test_automaton_prefix_decides_only_when_no_test_is_left():
    auto = phone_prefixes.Automaton([(r"[2-9]\d{9}|3\d{6}", False)])
    assert not auto.decisive("")
    assert auto.decisive("2")  # only "any digit" tests remain: length decides
    assert auto.decisive("1")  # dead for every branch
    auto = phone_prefixes.Automaton([(r"5056(?:[0-35-9]\d|4[468])\d{4}", False)])
    assert not auto.decisive("5056")
    assert not auto.decisive("50564")
    assert auto.decisive("505640") and auto.decisive("50561")


def test_automaton_prefix_patterns_stop_once_matched():
    auto = phone_prefixes.Automaton([("787|939", True)])
    assert not auto.decisive("78")
    assert auto.decisive("787") and auto.decisive("7871")


# ------------------------------------------------------------------ pattern sets and lengths


def test_regions_that_rewrite_numbers_have_no_parse_automaton():
    assert parse_automaton("n", "US") is not None
    assert parse_automaton("+", "44") is not None
    assert parse_automaton("n", "AR") is None  # national_prefix_transform_rule
    assert parse_automaton("r", "US") is None


def test_automaton_built_once_when_two_threads_first_need_it(monkeypatch):
    # A Dask worker runs chunk jobs on threads: two chunks meeting a calling code at once
    # must share one automaton, compiled once (a second compile would also rewrite the cache).
    monkeypatch.setattr(phone_prefixes, "_AUTOMATA", {})
    monkeypatch.setattr(phone_prefixes, "_STORED", {})
    monkeypatch.setattr(phone_prefixes, "_COMPILED", [])
    builds: list[str] = []
    both_waiting = threading.Barrier(2)

    def slow_build() -> phone_prefixes.Automaton:
        builds.append(threading.current_thread().name)
        time.sleep(0.2)  # long enough for the other thread to ask in the meantime
        return phone_prefixes.Automaton([("1", False)])

    def first_use() -> phone_prefixes.Automaton | None:
        both_waiting.wait()
        return phone_prefixes._automaton("classify:test", slow_build)

    with ThreadPoolExecutor(2) as pool:
        got = list(pool.map(lambda _: first_use(), range(2)))
    assert len(builds) == 1
    assert got[0] is got[1] is not None
    assert phone_prefixes.compiled_count() == 1
    assert set(phone_prefixes.known_automata()) == {"classify:test"}
