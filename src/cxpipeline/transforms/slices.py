"""Statistics over slices of whole chains: the slices' id ranges and their sums added up.

The statistics of a list are sums and distinct counts over its records, their results and
windows. A chain's records, results and windows all carry its chain id, and a record keeps
its chain for life (the identity registry), so slices cut by chain id hold whole chains:
distinct counts of chains and records add up across slices exactly, and memory follows the
slice, not the warehouse.
"""

from __future__ import annotations

import io
import itertools
from collections.abc import Sequence

import polars as pl

__all__ = ["added_up", "id_ranges", "owned"]

#: The ends of the first and the last slice: the lowest and highest 64-bit values (ids are
#: numbered up from 1, so none reaches the highest, which a range leaves out).
_LOWEST, _HIGHEST = -(2**63), 2**63 - 1


def id_ranges(
    cuts: Sequence[int], low: int = _LOWEST, high: int = _HIGHEST
) -> list[tuple[int, int]]:
    """Return the ranges [low, high) between the cut points, from `low` up to `high`.

    By default open-ended at both ends: with no cut point, one range holding every id. Cut
    points outside (low, high) are left out.
    """
    inside = sorted({cut for cut in cuts if low < cut < high})
    return list(itertools.pairwise([low, *inside, high]))


def added_up(parts: Sequence[pl.DataFrame], keys: Sequence[str]) -> pl.LazyFrame:
    """Add up the slices' partial sums per key: numbers summed, other columns' first value.

    The other columns are attributes of the key (a list's campaign group): the first value
    that is not null, in slice order. Keys keep the order of their first appearance.
    """
    if len(parts) == 1:  # one slice: its sums are the totals
        return parts[0].lazy()
    frame = pl.concat([part.lazy() for part in parts], how="diagonal_relaxed")
    schema = frame.collect_schema()
    values = [name for name in schema.names() if name not in keys]
    return frame.group_by(list(keys), maintain_order=True).agg(
        pl.col(name).sum() if schema[name].is_numeric() else pl.col(name).drop_nulls().first()
        for name in values
    )


def owned(frame: pl.DataFrame) -> pl.DataFrame:
    """Return a copy of a small frame that holds its own memory, not its inputs'.

    Polars' text values may point into the buffers of the frame they were computed from (a
    group-by's key, a `first`): a slice's sums, a few rows, kept the slice's ~90 MB of text
    alive, and ten slices held ten. A round trip through Polars' own serialisation copies
    the values out.
    """
    return pl.DataFrame.deserialize(io.BytesIO(frame.serialize()))
