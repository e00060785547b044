"""Partitions by chain key: one partition or several give the same list, row for row."""

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cxpipeline import generate
from cxpipeline.errors import InputError
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest_commit, ingest_ids, ingest_partitions, setup
from cxpipeline.steps.ingest import ingest
from cxpipeline.transforms.partitions import partitioned

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
#: Lineage columns name files under each home; everything else must match exactly.
PATHS = ("source_file", "original_file")
TABLES = (
    "SELECT * FROM contact_records ORDER BY record_id",
    "SELECT * FROM rejected_rows ORDER BY run_id, source_row, kind, field, reason",
    "SELECT * FROM window_keys ORDER BY window_key, window_start_utc",
    "SELECT * EXCLUDE (first_seen_at) FROM record_identities ORDER BY record_id",
    "SELECT * EXCLUDE (started_at, finished_at) FROM ingest_runs ORDER BY run_id",
)


class Recording:
    """An executor that runs the jobs here and counts them by function."""

    def __init__(self) -> None:
        self.jobs: dict[str, int] = {}

    def map(self, fn, *iterables):
        items = list(zip(*iterables, strict=True))
        self.jobs[fn.__name__] = self.jobs.get(fn.__name__, 0) + len(items)
        return (fn(*item) for item in items)


def table(settings: Settings, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frame = con.sql(sql).pl()
    return frame.drop([c for c in PATHS if c in frame.columns])


def contacts(settings: Settings) -> list[pl.DataFrame]:
    """The run's contacts files in the lake, in run order, as written (not re-sorted)."""
    files = sorted((settings.lake / "contacts" / "list=big").glob("*.parquet"))
    runs = table(settings, "SELECT run_id FROM ingest_runs ORDER BY started_at")["run_id"]
    by_run = {f.stem: f for f in files}
    return [pl.read_parquet(by_run[run]).drop(PATHS, strict=False) for run in runs]


@pytest.fixture(scope="module")
def files(tmp_path_factory) -> tuple[Path, Path]:
    folder = tmp_path_factory.mktemp("lists")
    first = generate.write_contact_list(folder / "first.csv", 900, seed=21)
    # Some of the second file's customers are already in the first (append continues them).
    second = generate.write_contact_list(folder / "second.csv", 300, seed=22, start_client_id=801)
    return first, second


def test_partitions_change_nothing_row_for_row(tmp_path, files, monkeypatch):
    first, second = files
    # Small slices: the partitions' records are merged into the sorted contacts file in many.
    monkeypatch.setattr(ingest_commit, "MERGE_SLICE_RECORDS", 97)
    homes, summaries, executor = [], [], Recording()
    # One partition; four; one shaped in slices of 113 records (a partition larger than a
    # slice) with its new ids numbered in ranges of about 200 records.
    cases = (("one", 1, 50_000, 10**6), ("four", 4, 50_000, 10**6), ("sliced", 1, 113, 200))
    for name, partitions, shape_slice, id_range in cases:
        monkeypatch.setattr(ingest_partitions, "SHAPE_SLICE_RECORDS", shape_slice)
        monkeypatch.setattr(ingest_ids, "ID_RANGE_RECORDS", id_range)
        settings = Settings.build(tmp_path / name)
        setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
        for path, mode in ((first, "replace"), (second, "append")):
            done = ingest(
                settings,
                path,
                list_name="big",
                group="collections_east",
                as_of=AS_OF,
                mode=mode,
                chunk_rows=300,
                partitions=partitions,
                executor=executor if partitions == 4 else None,
            )
            summaries.append(vars(done))
        homes.append(settings)
    assert summaries[:2] == summaries[2:4] == summaries[4:]
    assert summaries[0]["records_written"] > 1_000 and summaries[1]["records_added"] > 0
    one, four, sliced = homes
    for other in (four, sliced):
        for sql in TABLES:
            assert_frame_equal(table(one, sql), table(other, sql))
        # The lake's contacts files too, in their written order (sorted by record_id).
        for a, b in zip(contacts(one), contacts(other), strict=True):
            assert a["record_id"].is_sorted()
            assert_frame_equal(a, b)
    # Each partition's new ids of a run are one block, in partition order (ids follow the
    # key's hash, partitions are its ranges): the merge meets one or two parts per slice.
    records = table(four, "SELECT record_id, chain_key, run_id FROM contact_records")
    blocks = (
        partitioned(records.lazy(), "chain_key", 4)
        .group_by("run_id", "_part")
        .agg(low=pl.col("record_id").min(), high=pl.col("record_id").max(), n=pl.len())
        .sort("run_id", "low")
        .collect()
    )
    for run in blocks.partition_by("run_id"):
        assert run["_part"].is_sorted() and (run["high"] - run["low"] + 1 == run["n"]).all()
        assert (run["low"].shift(-1) > run["high"]).all(ignore_nulls=True)
    # Four partitions really ran (per-chain and shaping jobs, two ingests), and the staging
    # area is gone afterwards.
    assert executor.jobs["chained_part"] == executor.jobs["shaped_part"] == 2 * 4
    assert not (four.lake / "staging").exists() or not any((four.lake / "staging").iterdir())


def test_partitions_must_be_positive(tmp_path, files):
    settings = Settings.build(tmp_path / "h")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    with pytest.raises(InputError):
        ingest(
            settings, files[0], list_name="big", group="collections_east", as_of=AS_OF, partitions=0
        )


def test_an_append_of_records_the_list_has_already_adds_nothing(tmp_path, files):
    # Several partitions, and none of the file's records is new: every part is empty.
    first, _ = files
    settings = Settings.build(tmp_path / "home")
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    runs = [
        ingest(
            settings,
            first,
            list_name="big",
            group="collections_east",
            as_of=AS_OF,
            mode=mode,
            chunk_rows=300,
            partitions=4,
        )
        for mode in ("replace", "append")
    ]
    assert runs[1].status == "succeeded"
    assert runs[1].records_added == 0 and runs[1].records_kept == runs[0].records_written
    records = table(settings, "SELECT count(*) AS n FROM contact_records")["n"].item()
    assert records == runs[0].records_written
