"""Tests of steps/ingest_state.py: staging a frame split by partition."""

from __future__ import annotations

from pathlib import Path

import polars as pl

from cxpipeline.steps.ingest_state import stage_by_part


def test_stage_by_part_keeps_row_order_and_writes_empty_parts_only_when_asked(tmp_path: Path):
    frame = pl.DataFrame({"record_id": [5, 1, 4, 2], "_part": [2, 0, 2, 0]})

    def target(index: int) -> Path:
        return tmp_path / f"part-{index}.parquet"

    every = stage_by_part(frame, 3, target, every=True)
    assert list(every) == [0, 1, 2]
    assert pl.read_parquet(every[0])["record_id"].to_list() == [1, 2]
    assert pl.read_parquet(every[2])["record_id"].to_list() == [5, 4]
    empty = pl.read_parquet(every[1])
    assert empty.height == 0 and empty.columns == ["record_id"]

    some = stage_by_part(frame, 3, lambda i: tmp_path / "some" / f"{i}.parquet", every=False)
    assert list(some) == [0, 2]
