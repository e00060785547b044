"""Chunked ingest: the chunk size bounds memory and changes no result (ids included)."""

from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from cxpipeline import generate
from cxpipeline.errors import InputError
from cxpipeline.io import parquet
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest as ingest_step
from cxpipeline.steps import ingest_passes, setup, suppression

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
#: Lineage columns name files under each home; everything else must match exactly.
PATH_COLUMNS = ("source_file", "original_file")
SUMMARY_FIELDS = (
    "run_id",
    "status",
    "rows_read",
    "rows_accepted",
    "rows_rejected",
    "duplicate_rows",
    "phone_values",
    "phones_rejected",
    "records_written",
    "no_call_records",
)


@pytest.fixture(scope="module")
def lists(tmp_path_factory) -> tuple[Path, Path, Path]:
    folder = tmp_path_factory.mktemp("lists")
    generated = generate.write_contact_list(folder / "generated.csv", 3_000, seed=11)
    # The first rows again at the end: exact duplicates that are chunks apart.
    rows = pl.read_csv(generated, infer_schema=False)
    first = folder / "first.csv"
    pl.concat([rows, rows.head(10)]).write_csv(first)
    # A second list for append mode: some of its customers are already in the first.
    second = generate.write_contact_list(folder / "second.csv", 800, seed=12, start_client_id=2_601)
    dnc = folder / "dnc.csv"
    numbers = (
        pl.read_csv(first, infer_schema=False)
        .select(pl.col("mobile_phone").drop_nulls().head(40))
        .get_column("mobile_phone")
    )
    dnc.write_text("phone\n" + "\n".join(numbers) + "\n", encoding="utf-8")
    return first, second, dnc


def home(root: Path, *, chunk_rows: int) -> Settings:
    settings = Settings.build(root, ingest_chunk_rows=chunk_rows)
    setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    return settings


def table(settings: Settings, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frame = con.sql(sql).pl()
    return frame.drop([c for c in PATH_COLUMNS if c in frame.columns])


def summary_of(summary: ingest_step.IngestSummary) -> dict[str, object]:
    return {name: getattr(summary, name) for name in SUMMARY_FIELDS}


def assert_same_warehouse(one: Settings, many: Settings) -> None:
    assert_frame_equal(
        table(one, "SELECT * FROM contact_records ORDER BY record_id"),
        table(many, "SELECT * FROM contact_records ORDER BY record_id"),
    )
    order = "ORDER BY run_id, source_row, kind, field, reason"
    assert_frame_equal(
        table(one, f"SELECT * FROM rejected_rows {order}"),  # noqa: S608 - constant
        table(many, f"SELECT * FROM rejected_rows {order}"),  # noqa: S608 - constant
    )
    counts = (
        "SELECT run_id, list_name, mode, rows_read, rows_accepted, rows_rejected, "
        "duplicate_rows, phone_values, phones_rejected, records_written, status "
        "FROM ingest_runs ORDER BY run_id"
    )
    assert_frame_equal(table(one, counts), table(many, counts))
    # The windows and the rules that bound them (ties between rules are broken by name).
    keys = (
        "SELECT list_name, window_key, window_start_utc, window_end_utc, rule, as_of "
        "FROM window_keys "
        "ORDER BY list_name, window_key, window_start_utc"
    )
    assert_frame_equal(table(one, keys), table(many, keys))


def test_chunk_size_changes_no_result(tmp_path, lists):
    first, second, dnc = lists
    one = home(tmp_path / "one", chunk_rows=1_000_000)
    many = home(tmp_path / "many", chunk_rows=500)
    summaries = []
    for settings in (one, many):
        suppression.load_suppression(settings, dnc, "state_dnc")
        done = ingest_step.ingest(
            settings, first, list_name="big", group="collections_east", as_of=AS_OF
        )
        summaries.append(summary_of(done))
    assert summaries[0] == summaries[1]
    assert summaries[0]["duplicate_rows"] >= 10  # some exact duplicates are chunks apart
    assert summaries[0]["phones_rejected"] > 0
    assert_same_warehouse(one, many)
    # More than one chunk really ran, and the staging area is gone afterwards.
    assert summaries[1]["rows_read"] > 4 * 500
    assert not (many.lake / "staging").exists() or not any((many.lake / "staging").iterdir())
    contacts = list((many.lake / "contacts" / "list=big").glob("*.parquet"))
    assert len(contacts) == 1 and contacts[0].is_file()
    assert pl.read_parquet(contacts[0]).height == summaries[1]["records_written"]


def test_chunk_size_changes_no_result_in_append_mode(tmp_path, lists):
    first, second, _dnc = lists
    one = home(tmp_path / "one", chunk_rows=1_000_000)
    many = home(tmp_path / "many", chunk_rows=300)
    summaries = []
    for settings in (one, many):
        for path, mode in ((first, "replace"), (second, "append")):
            done = ingest_step.ingest(
                settings, path, list_name="big", group="collections_east", as_of=AS_OF, mode=mode
            )
            summaries.append(summary_of(done))
    assert summaries[:2] == summaries[2:]
    assert_same_warehouse(one, many)


def test_chunk_rows_argument_overrides_the_setting(tmp_path, lists):
    first, _second, _dnc = lists
    one = home(tmp_path / "one", chunk_rows=1_000_000)
    many = home(tmp_path / "many", chunk_rows=1_000_000)
    a = ingest_step.ingest(one, first, list_name="big", group="collections_east", as_of=AS_OF)
    b = ingest_step.ingest(
        many, first, list_name="big", group="collections_east", as_of=AS_OF, chunk_rows=1_000
    )
    assert summary_of(a) == summary_of(b)
    assert_same_warehouse(one, many)


def test_chunk_rows_must_be_positive(tmp_path, lists):
    first, _second, _dnc = lists
    settings = home(tmp_path / "h", chunk_rows=1_000)
    with pytest.raises(InputError):
        ingest_step.ingest(
            settings, first, list_name="big", group="collections_east", as_of=AS_OF, chunk_rows=-1
        )


def ingest_in_two_homes(tmp_path, monkeypatch, knob, runs, *, chunk_rows):
    """Run the same ingests into two homes, `knob` = (name in ingest_passes, value, value).

    Asserts the two warehouses are the same; returns each run's summary and record counts.
    """
    name, *values = knob
    homes, summaries = [], []
    for index, value in enumerate(values):
        settings = home(tmp_path / f"home{index}", chunk_rows=chunk_rows)
        homes.append(settings)
        monkeypatch.setattr(ingest_passes, name, value)
        for path, mode, as_of in runs:
            done = ingest_step.ingest(
                settings, path, list_name="big", group="collections_east", as_of=as_of, mode=mode
            )
            counts = (done.records_kept, done.records_added, done.records_removed)
            summaries.append((summary_of(done), counts))
    assert_same_warehouse(*homes)
    return summaries


def context_splits(monkeypatch) -> list[tuple[int, str, int]]:
    """Record each split of a list's context: (partitions, first partition's file name, rows)."""
    splits: list[tuple[int, str, int]] = []
    real_stage_by_part = ingest_passes.stage_by_part

    def stage_by_part(frame, partitions, target, *, every):
        splits.append((partitions, target(0).name, frame.height))
        return real_stage_by_part(frame, partitions, target, every=every)

    monkeypatch.setattr(ingest_passes, "stage_by_part", stage_by_part)
    return splits


def test_the_lists_context_split_in_slices_changes_no_result(tmp_path, lists, monkeypatch):
    # A list's identities (and, in an append, its records) are staged from the warehouse and
    # split into partitions a slice of rows at a time; the slice size changes nothing.
    first, second, _dnc = lists
    runs = (
        (first, "replace", AS_OF),
        (second, "append", AS_OF),
        (first, "replace", datetime.fromisoformat("2026-12-02T08:00:00-05:00")),
    )
    splits = context_splits(monkeypatch)
    summaries = ingest_in_two_homes(
        tmp_path, monkeypatch, ("CONTEXT_SLICE_ROWS", 1_000_000, 500), runs, chunk_rows=1_000
    )
    assert summaries[:3] == summaries[3:]
    assert summaries[2][1][0] > 5_000  # the day-two replace kept the records it knew
    # Each home split its context four times (the append's identities and records); the
    # sliced home's identities of ~6,000 rows took slices of 500.
    slices = [name for _partitions, name, _rows in splits]
    assert slices.count("slice-0000.parquet") == 8
    assert "slice-0009.parquet" in slices


def test_a_small_file_into_a_big_list_reads_only_the_context_of_its_customers(
    tmp_path, lists, monkeypatch
):
    # An append of a file far smaller than its list splits the identities and records of the
    # file's own customers and numbers only, not the list's: same warehouse, same lake file.
    first, second, _dnc = lists
    # A customer new to the list whose number an existing customer (not in the file) has:
    # the number is still in two chains.
    rows = pl.read_csv(second, infer_schema=False).head(60)
    taken = pl.read_csv(first, infer_schema=False).row(5, named=True)
    newcomer = rows.head(1).with_columns(
        client_id=pl.lit("C09999999"),
        home_phone=pl.lit(None, pl.String),
        business_phone=pl.lit(None, pl.String),
        mobile_phone=pl.lit(taken["mobile_phone"] or taken["home_phone"]),
        phone4=pl.lit(None, pl.String),
    )
    small = tmp_path / "small.csv"
    pl.concat([rows, newcomer]).write_csv(small)
    splits = context_splits(monkeypatch)
    runs = ((first, "replace", AS_OF), (small, "append", AS_OF))
    summaries = ingest_in_two_homes(
        tmp_path, monkeypatch, ("CONTEXT_ROWS_PER_RECORD", 10**9, 2), runs, chunk_rows=1_000_000
    )
    assert summaries[:2] == summaries[2:]
    lakes = [
        pl.read_parquet(tmp_path / name / "lake" / "contacts" / "list=big" / "*.parquet")
        .drop(PATH_COLUMNS, strict=False)
        .sort("record_id")
        for name in ("home0", "home1")
    ]
    assert_frame_equal(*lakes)
    shared = lakes[1].filter(pl.col("client_id") == "C09999999").get_column("shared_number")
    assert shared.to_list() == [True]
    # Each home split the first list's (empty) identities, then the append's identities and
    # records: the list's ~5,600 whole in the first home, in the second only those of the
    # file's 61 customers and of their numbers.
    rows_split = [rows for _partitions, _name, rows in splits]
    assert rows_split[0] == 0 and rows_split[1] > 5_000 and rows_split[2] > 5_000
    assert rows_split[3] == 0 and 0 < rows_split[4] < 300 and 0 < rows_split[5] < 300


class _Elsewhere:
    """An executor that is not this process's: its chunk jobs carry slices of the scan."""

    def map(self, fn, *iterables):
        return map(fn, *iterables)


def test_a_parquet_list_is_chunked_in_batches_here_with_the_same_result(
    tmp_path, lists, monkeypatch
):
    """In one row group a slice of the scan decodes the whole group: chunks read batches."""
    first, _, dnc = lists
    source = tmp_path / "first.parquet"
    pl.read_csv(first, infer_schema=False).write_parquet(source, row_group_size=10**6)
    read = []
    real = parquet.text_batches

    def counted(path, rows=None):
        for batch in real(path, rows):
            read.append(batch.height)
            yield batch

    monkeypatch.setattr(parquet, "text_batches", counted)
    homes = {}
    for name, executor in (("here", None), ("elsewhere", _Elsewhere())):
        settings = homes[name] = home(tmp_path / name, chunk_rows=500)
        suppression.load_suppression(settings, dnc, "state_dnc")
        before = len(read)
        ingest_step.ingest(
            settings,
            source,
            list_name="big",
            group="collections_east",
            as_of=AS_OF,
            executor=executor,
        )
        homes[name + " batches"] = read[before:]
    rows = pl.read_parquet(source).height
    # Both checked field lengths in batches; only here were the chunks batches (<= 500 rows).
    assert homes["elsewhere batches"] == [rows]
    assert homes["here batches"][0] == rows and sum(homes["here batches"][1:]) == rows
    assert max(homes["here batches"][1:]) <= 500 and len(homes["here batches"]) > 5
    assert_same_warehouse(homes["here"], homes["elsewhere"])
