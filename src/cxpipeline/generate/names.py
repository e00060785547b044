"""Pools of first names, last names and companies the customers draw from."""

from __future__ import annotations

import functools

_ACCENTED_FIRST = ("Zoë", "José", "Renée", "François", "Søren", "Inés", "Björn", "Chloé", "Noël")
_ACCENTED_LAST = ("Muñoz", "Peña", "Núñez", "Gómez", "Müller", "Lefèvre", "O'Brien", "Dvořák")


@functools.lru_cache(maxsize=4)
def name_pools(seed: int) -> tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]:
    """First names, last names and companies, built once per seed with Faker."""
    from faker import Faker

    # Mostly US names, with the Hispanic, French-Canadian and German names US lists really hold.
    fake = Faker(["en_US", "es_MX", "fr_CA", "de_DE"])
    fake.seed_instance(seed)
    locales = ["en_US"] * 14 + ["es_MX"] * 3 + ["fr_CA", "de_DE"]
    firsts = [fake[locales[i % len(locales)]].first_name() for i in range(2000)]
    lasts = [fake[locales[i % len(locales)]].last_name() for i in range(2000)]
    companies = [fake["en_US"].company() for _ in range(500)]
    # Fixed accented and apostrophe names so every pool tests Unicode and quoting paths.
    firsts[: len(_ACCENTED_FIRST)] = _ACCENTED_FIRST
    lasts[: len(_ACCENTED_LAST)] = _ACCENTED_LAST
    return tuple(firsts), tuple(lasts), tuple(companies)
