"""The id step numbers new keys in bounded ranges exactly as one sort of the whole list would."""

from __future__ import annotations

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from polars.testing import assert_frame_equal

from cxpipeline.steps import ingest_ids
from cxpipeline.transforms import chains, partitions
from cxpipeline.transforms.partitions import KEY_HASH

PARTS = 3
KEYS = st.text(alphabet="aZ09:|é€ -", min_size=1, max_size=6).map(lambda s: "id:" + s)


def _stage(folder, name, frame):
    paths = []
    for index in range(PARTS):
        path = folder / name / f"part-{index}.parquet"
        path.parent.mkdir(parents=True, exist_ok=True)
        frame.filter(pl.col("_part") == index).write_parquet(path)
        paths.append(path)
    return paths


def _new_keys(folder, chain_keys, phones):
    # Staged as the per-chain stage stages them: partitioned by chain key, with its hash.
    keys = pl.LazyFrame({"chain_key": sorted(set(chain_keys))})
    chains_df = chains.with_key_hash(partitions.partitioned(keys, "chain_key", PARTS)).collect()
    records = (
        chains_df.join(pl.DataFrame({"e164": phones}), how="cross")
        .with_columns(_ext=pl.lit(None, pl.String))
        .select("chain_key", "e164", "_ext", KEY_HASH, "_part")
    )
    numbers = (
        records.group_by("e164", "_part")
        .agg(chains=pl.len().cast(pl.Int64))
        .with_columns(chains.number_key())
        .sort(chains.NUMBER_KEY)
    )
    return ingest_ids.NewKeys(
        chains=_stage(folder, "chains", chains_df),
        records=_stage(folder, "records", records),
        numbers=_stage(folder, "numbers", numbers),
    )


def _maps(ids: ingest_ids.IdMaps):
    def whole(per_part, key):
        return pl.concat(
            [
                pl.read_parquet(list(files)).with_columns(_part=pl.lit(i))
                for i, files in enumerate(per_part)
            ]
        ).sort(key)

    shared = pl.read_parquet(list(ids.shared)).sort("e164")
    return (
        whole(ids.chain_maps, [KEY_HASH, "chain_key"]),
        whole(ids.record_maps, [KEY_HASH, "chain_key", "e164"]),
        shared,
    )


HIGHEST = pl.LazyFrame({"_max_chain_id": [1000], "_max_record_id": [5000]})


@settings(max_examples=25, deadline=None)
@given(chain_keys=st.lists(KEYS, min_size=1, max_size=40), width=st.integers(1, 3))
def test_ranges_number_like_one_sort_of_the_whole_list(tmp_path_factory, chain_keys, width):
    folder = tmp_path_factory.mktemp("ids")
    new = _new_keys(folder, chain_keys, ["+12125550100", "+12125550101", "+447700900123"][:width])
    one = _maps(ingest_ids.numbered_ids(new, HIGHEST, PARTS, folder / "one"))
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest_ids, "ID_RANGE_RECORDS", 4)
        ranged_ids = ingest_ids.numbered_ids(new, HIGHEST, PARTS, folder / "ranged")
    ranged = _maps(ranged_ids)
    for a, b in zip(one, ranged, strict=True):
        assert_frame_equal(a, b)
    chain_map, record_map, _ = one
    # Key order (the key's hash, then the key), after the highest ids, without gaps.
    assert chain_map["new_chain_id"].to_list() == list(range(1001, 1001 + chain_map.height))
    assert record_map["new_record_id"].to_list() == list(range(5001, 5001 + record_map.height))
    # Each partition (a range of the hash) holds one block of the new ids.
    blocks = record_map.group_by("_part").agg(
        low=pl.col("new_record_id").min(), high=pl.col("new_record_id").max(), n=pl.len()
    )
    assert (blocks["high"] - blocks["low"] + 1 == blocks["n"]).all()
    # Several ranges really ran once there were many more than 4 records.
    if record_map.height > 24:
        assert max(len(files) for files in ranged_ids.record_maps) > 1


def test_shared_numbers_go_by_ranges_of_numbers_even_with_no_new_records(tmp_path):
    # A list's second day: nothing new to number, but every number is counted again; the
    # numbers are split by their own count, not by the (zero) new records.
    numbers = pl.DataFrame(
        {
            "e164": [f"+1212555{n:04d}" for n in range(30)] * 2,
            "_part": [n % PARTS for n in range(60)],
            "chains": [1] * 60,
        },
        schema={"e164": pl.String, "_part": pl.Int32, "chains": pl.Int64},
    ).with_columns(chains.number_key())
    numbers = numbers.sort(chains.NUMBER_KEY)  # as the per-chain stage stages them
    empty = pl.DataFrame(
        schema={
            "chain_key": pl.String,
            "e164": pl.String,
            "_ext": pl.String,
            KEY_HASH: pl.UInt64,
            "_part": pl.Int32,
        }
    )
    new = ingest_ids.NewKeys(
        chains=_stage(tmp_path, "chains", empty.select("chain_key", KEY_HASH, "_part")),
        records=_stage(tmp_path, "records", empty),
        numbers=_stage(tmp_path, "numbers", numbers),
    )
    one = ingest_ids.numbered_ids(new, HIGHEST, PARTS, tmp_path / "one")
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest_ids, "ID_RANGE_RECORDS", 10)
        ranged = ingest_ids.numbered_ids(new, HIGHEST, PARTS, tmp_path / "ranged")
    assert len(one.shared) == 1 and len(ranged.shared) == 6
    assert_frame_equal(_maps(one)[2], _maps(ranged)[2])
    assert _maps(one)[2].height == 30  # each number is in two chains (two partitions)


def test_number_keys_spread_a_list_of_one_area_code_evenly():
    # Ranges of the key are equal ranges of 0 … NUMBER_SPACE-1: a list whose numbers share
    # their leading digits must still fill them alike (the id step's memory is one range).
    numbers = pl.DataFrame({"e164": [f"+1212555{n:04d}" for n in range(1_000)]})
    keys = numbers.select(chains.number_key()).to_series()
    assert keys.is_between(0, chains.NUMBER_SPACE - 1).all()
    per_range = (keys * 10 // chains.NUMBER_SPACE).value_counts()["count"]
    assert per_range.len() == 10 and per_range.min() >= 90 and per_range.max() <= 110


def test_number_counts_not_sorted_by_their_key_are_refused(tmp_path):
    numbers = pl.DataFrame(
        {"e164": [f"+1212555{n:04d}" for n in range(20)], "_part": [0] * 20, "chains": [1] * 20},
        schema={"e164": pl.String, "_part": pl.Int32, "chains": pl.Int64},
    ).with_columns(chains.number_key())
    numbers = numbers.sort(chains.NUMBER_KEY, descending=True)
    empty = pl.DataFrame(
        schema={"chain_key": pl.String, "e164": pl.String, "_ext": pl.String, KEY_HASH: pl.UInt64}
    ).with_columns(_part=pl.lit(0, pl.Int32))
    new = ingest_ids.NewKeys(
        chains=_stage(tmp_path, "chains", empty.select("chain_key", KEY_HASH, "_part")),
        records=_stage(tmp_path, "records", empty),
        numbers=_stage(tmp_path, "numbers", numbers),
    )
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(ingest_ids, "ID_RANGE_RECORDS", 5)
        with pytest.raises(RuntimeError, match="not sorted"):
            ingest_ids.numbered_ids(new, HIGHEST, PARTS, tmp_path / "ranged")
