"""Partitions by chain key: no chain spans two, the hash is stable, ids do not depend on them."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from cxpipeline.transforms import chains
from cxpipeline.transforms.partitions import HASH_SPACE, hash_range, partitioned, with_stable_hash

FALLBACK = ("last_name", "postal_code")
SCHEMA = {
    "source_row": pl.Int64,
    "phone_index": pl.Int64,
    "contact_info_type": pl.Int64,
    "e164": pl.String,
    "extension": pl.String,
    "client_id": pl.String,
    "last_name": pl.String,
    "postal_code": pl.String,
}


def records(rows) -> pl.LazyFrame:
    return pl.LazyFrame([dict(zip(SCHEMA, r, strict=True)) for r in rows], schema=SCHEMA)


@st.composite
def list_rows(draw):
    """Input rows of a list: people by client id, by name + ZIP, or neither; shared numbers."""
    rows = []
    for row in range(1, draw(st.integers(1, 30)) + 1):
        kind = draw(st.sampled_from(["id", "key", "none"]))
        client = f"C{draw(st.integers(0, 6))}" if kind == "id" else None
        name = (
            draw(st.sampled_from(["Smith", "smith", "Núñez", "O'Hara"])) if kind == "key" else None
        )
        numbers = draw(st.lists(st.integers(0, 12), min_size=1, max_size=3))
        for index, n in enumerate(numbers):
            ext = draw(st.sampled_from([None, None, "12"]))
            rows.append(
                (
                    row,
                    index,
                    1 + index,
                    f"+1212555{n:04d}",
                    ext,
                    client,
                    name,
                    "02139" if name else None,
                )
            )
    return rows


@given(rows=list_rows(), count=st.integers(1, 7), cut=st.integers(1, 40))
@settings(max_examples=60, deadline=None)
def test_partitioning_never_splits_a_chain(rows, count, cut):
    frame = records(rows).with_columns(chain_key=chains.chain_keys(records(rows), FALLBACK))
    whole = partitioned(frame, "chain_key", count).collect()
    assert whole["_part"].is_between(0, count - 1).all()
    assert (whole.group_by("chain_key").agg(pl.col("_part").n_unique())["_part"] == 1).all()
    # A partition is a range of the hash, and hash_range gives it back.
    hashed = with_stable_hash(whole.lazy(), "chain_key").collect()
    for (index,), rows_of_part in hashed.group_by("_part"):
        low, high = hash_range(index, count)
        assert rows_of_part["_hash"].is_between(low, high, closed="left").all()
    bounds = [hash_range(index, count) for index in range(count)]
    assert bounds[0][0] == 0 and bounds[-1][1] == HASH_SPACE
    assert all(a[1] == b[0] for a, b in zip(bounds, bounds[1:], strict=False))
    # Chunks of the rows, partitioned on their own (as chunk jobs do), agree with the whole.
    chunks = [
        partitioned(frame.slice(offset, cut), "chain_key", count).collect()
        for offset in range(0, len(rows), cut)
    ]
    assert_frame_equal(pl.concat(chunks), whole)


def test_hash_is_pinned():
    # Plain text and integer arithmetic: these values hold in every process and Polars version.
    keys = pl.LazyFrame({"k": ["id:C0000000", "id:C0000001", "key:smith|02139", "row:17", None]})
    assert with_stable_hash(keys, "k").collect()["_hash"].to_list() == [
        1800456574,
        2364338540,
        1065853170,
        3407906686,
        0,
    ]


def test_partitions_must_be_positive():
    with pytest.raises(ValueError):
        partitioned(pl.LazyFrame({"k": ["a"]}), "k", 0)


def numbered(rows) -> pl.LazyFrame:
    return records(rows).with_row_index("_row").with_columns(pl.col("_row").cast(pl.Int64))


def partitioned_chain_ids(rows, count, *, known=None, existing=None) -> pl.DataFrame:
    """chain_ids the way a partitioned ingest works them out: per partition, ids once."""
    frame = numbered(rows)
    keyed = partitioned(frame.with_columns(k=chains.chain_keys(frame, FALLBACK)), "k", count)

    def part_of(identities, index):
        if identities is None:
            return None
        return partitioned(identities, "chain_key", count).filter(pl.col("_part") == index)

    parts = [
        chains.per_chain(
            keyed.filter(pl.col("_part") == index).drop("k", "_part"),
            fallback_key=FALLBACK,
            existing=part_of(existing, index),
            known=part_of(known, index),
        ).collect()
        for index in range(count)
    ]
    chain_map, record_map = chains.new_ids(
        pl.concat([chains.new_chain_keys(p.lazy()) for p in parts]),
        pl.concat([chains.new_identities(p.lazy()) for p in parts]),
        chains.highest_ids(known, existing, 3),
    )
    shared = chains.shared_numbers(
        pl.concat(
            [chains.number_chains(p.lazy(), part_of(existing, i)) for i, p in enumerate(parts)]
        )
    )
    ids = [chains.with_ids(p.lazy(), chain_map, record_map, shared) for p in parts]
    return pl.concat(ids).collect().sort("_row")


@given(rows=list_rows(), more=list_rows(), count=st.integers(2, 6))
@settings(max_examples=40, deadline=None)
def test_ids_do_not_depend_on_the_partitions(rows, more, count):
    whole = (
        chains.chain_ids(numbered(rows), list_id=3, fallback_key=FALLBACK).collect().sort("_row")
    )
    assert_frame_equal(partitioned_chain_ids(rows, count), whole)
    # A second file against the first as registry (replace) and as current records (append).
    known = whole.select("chain_key", "e164", "extension", "record_id", "chain_id").lazy()
    existing = whole.select("chain_key", "chain_id", "chain_n", "record_id", "e164", "extension")
    for kwargs in ({"known": known}, {"known": known, "existing": existing.lazy()}):
        expected = chains.chain_ids(numbered(more), list_id=3, fallback_key=FALLBACK, **kwargs)
        assert_frame_equal(
            partitioned_chain_ids(more, count, **kwargs), expected.collect().sort("_row")
        )
