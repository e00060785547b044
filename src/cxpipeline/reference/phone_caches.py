"""The phone-number caches a batch of numbers is normalised with: automata and the answers kept."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from pathlib import Path

from cxpipeline.reference import phone_answers, phone_automata


@contextlib.contextmanager
def held(cache_dir: Path, *, throttled: bool = False) -> Iterator[None]:
    """Hold the shipped and cached automata and answers; keep what the block learnt.

    Every step that normalises numbers runs it in this block (a step that did not compiled
    the NANP automata from phonenumbers' patterns and asked the library per key again).
    `throttled`: the block is one chunk of many, whose answers are kept when they add up
    (`phone_answers.save_answers`); the chunks' caller then calls `keep`.
    """
    automata = phone_automata.load_automata(cache_dir)
    phone_answers.load_answers(cache_dir)
    yield
    phone_automata.save_automata(cache_dir, automata)
    phone_answers.save_answers(cache_dir, throttled=throttled)


def keep(cache_dir: Path) -> None:
    """Keep the answers this process learnt that throttled blocks left unsaved."""
    phone_answers.save_answers(cache_dir)
