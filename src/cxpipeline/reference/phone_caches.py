"""The phone-number caches a batch of numbers is normalised with: automata and the answers kept."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from cxpipeline.reference import phone_answers, phone_automata


@contextlib.contextmanager
def held(cache_dir: Path) -> Iterator[None]:
    """Hold the shipped and cached automata and answers; keep what the block learnt.

    Every step that normalises numbers runs it in this block (a step that did not compiled
    the NANP automata from phonenumbers' patterns and asked the library per key again).
    """
    automata = phone_automata.load_automata(cache_dir)
    answers = phone_answers.load_answers(cache_dir)
    yield
    phone_automata.save_automata(cache_dir, automata)
    phone_answers.save_answers(cache_dir, answers)
