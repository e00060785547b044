"""Seeded random streams: SplitMix64 over (seed, stream, row key) as Polars expressions.

A counter-based generator written as Polars integer arithmetic: every value depends only on
(seed, stream, key), so it is vectorised, identical on every machine and Polars version (u64
arithmetic wraps), and needs no numpy.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence
from itertools import accumulate

import polars as pl

_MASK64 = (1 << 64) - 1
_GOLDEN = 0x9E3779B97F4A7C15
_MIX1 = 0xBF58476D1CE4E5B9
_MIX2 = 0x94D049BB133111EB


def mix64(value: int) -> int:
    """SplitMix64 finaliser on a Python int (used for per-stream keys)."""
    z = (value + _GOLDEN) & _MASK64
    z = ((z ^ (z >> 30)) * _MIX1) & _MASK64
    z = ((z ^ (z >> 27)) * _MIX2) & _MASK64
    return z ^ (z >> 31)


def u64(value: int) -> pl.Expr:
    """Return a UInt64 literal."""
    return pl.lit(value, dtype=pl.UInt64)


class Rng:
    """Named random streams over one key column; same seed and key give the same values."""

    def __init__(self, seed: int, key: pl.Expr) -> None:
        self.seed = seed
        self.key = key.cast(pl.UInt64)

    def bits(self, stream: str) -> pl.Expr:
        """Uniform u64 per row for the named stream."""
        offset = mix64((self.seed & _MASK64) * 0x100000001B3 ^ zlib.crc32(stream.encode()))
        z = self.key * u64(_GOLDEN) + u64(offset)
        z = (z ^ (z // u64(1 << 30))) * u64(_MIX1)
        z = (z ^ (z // u64(1 << 27))) * u64(_MIX2)
        return z ^ (z // u64(1 << 31))

    def unit(self, stream: str) -> pl.Expr:
        """Uniform float in [0, 1)."""
        return (self.bits(stream) // u64(1 << 11)).cast(pl.Float64) * (2.0**-53)

    def below(self, stream: str, bound: int | pl.Expr) -> pl.Expr:
        """Uniform integer in [0, bound) as Int64 (bound may be a column)."""
        modulus = u64(bound) if isinstance(bound, int) else bound.cast(pl.UInt64)
        return ((self.bits(stream) // u64(1 << 11)) % modulus).cast(pl.Int64)

    def choice(self, stream: str, weights: Sequence[float]) -> pl.Expr:
        """Index into `weights` drawn with those relative weights (Int64)."""
        total = float(sum(weights))
        cumulative = pl.Series([c / total for c in accumulate(weights)][:-1], dtype=pl.Float64)
        return pl.lit(cumulative).search_sorted(self.unit(stream), side="right").cast(pl.Int64)

    def digits(self, stream: str, width: int) -> pl.Expr:
        """Return a string of `width` random decimal digits (width <= 18)."""
        return (self.bits(stream) % u64(10**width)).cast(pl.String).str.zfill(width)


def pick(values: Sequence[str], index: pl.Expr) -> pl.Expr:
    """Gather from a small constant pool by an index column."""
    return pl.lit(pl.Series(list(values), dtype=pl.String)).gather(index)


def gather_int(values: Sequence[int], index: pl.Expr) -> pl.Expr:
    """Gather from a small constant integer pool by an index column."""
    return pl.lit(pl.Series(list(values), dtype=pl.Int64)).gather(index)
