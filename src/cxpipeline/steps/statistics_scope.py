"""What a statistics refresh rebuilds: every list, or the lists a step changed and their groups.

A list's statistics rows depend on its own records, results and windows only, and a list
owns a block of chain and record ids (`transforms.chains.id_block`), so the rows of the
lists a results load or an ingest touched are rebuilt by reading those blocks alone: a small
list's load beside a big one does not sum the big one's history again. The group rows are
added up from the list rows (stored ones for the lists left alone); the 30-day abandonment
is rebuilt for the groups the lists belong to, now and at their last refresh.
"""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass

import polars as pl

from cxpipeline.transforms import chains, slices


@dataclass(frozen=True)
class Scope:
    """The lists (None: all) whose rows a refresh rebuilds, their groups and id blocks."""

    lists: tuple[str, ...] | None
    #: Campaign groups whose 30-day abandonment is rebuilt (None: every group).
    groups: tuple[str, ...] | None
    #: Ranges [low, high) of chain ids that hold the lists' records and results.
    blocks: tuple[tuple[int, int], ...]
    #: The list (name, list_id) of each block, in the blocks' order (none when every list).
    block_lists: tuple[tuple[str, int], ...] = ()

    @property
    def every_list(self) -> bool:
        """True when every list's rows are rebuilt (and every table replaced whole)."""
        return self.lists is None

    def keeps(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Return the rows of `frame` that belong to the scope's lists (all when every list)."""
        if self.lists is None:
            return frame
        return frame.filter(pl.col("list_name").is_in(self.lists))

    def others(self, frame: pl.DataFrame) -> pl.DataFrame:
        """Return the rows of `frame` of the lists outside the scope (none when every list)."""
        if self.lists is None:
            return frame.clear()
        return frame.filter(~pl.col("list_name").is_in(self.lists))


#: Every list: one block holding every id.
EVERY_LIST = Scope(lists=None, groups=None, blocks=(slices.id_ranges([])[0],))


def scope_of(lists: Collection[str] | None, known: pl.DataFrame, stored: pl.DataFrame) -> Scope:
    """Return the scope of a refresh of `lists` (None: every list).

    `known` are the contact lists (list_name, campaign_group, list_id) and `stored` the
    list_stats rows a previous refresh wrote. A list without a stored row joins the scope
    (every list has its row, as after a full rebuild); a named list that no longer exists
    has its rows deleted and none rebuilt.
    """
    if lists is None:
        return EVERY_LIST
    names = set(lists) | (set(known["list_name"]) - set(stored["list_name"]))
    ours = known.filter(pl.col("list_name").is_in(names))
    was = stored.filter(pl.col("list_name").is_in(names))
    groups = {*ours["campaign_group"].drop_nulls(), *was["campaign_group"].drop_nulls()}
    owners = sorted(
        (chains.id_block(int(list_id)), (name, int(list_id)))
        for name, list_id in ours.select("list_name", "list_id").iter_rows()
    )
    return Scope(
        lists=tuple(sorted(names)),
        groups=tuple(sorted(groups)),
        blocks=tuple(block for block, _ in owners),
        block_lists=tuple(owner for _, owner in owners),
    )
