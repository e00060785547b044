"""Export formats of the sample: golden files, --day, and every format round-trips on re-ingest."""

import os
from datetime import datetime
from pathlib import Path

import duckdb
import polars as pl
import pytest
from typer.testing import CliRunner

from cxpipeline import tzdb
from cxpipeline.cli import app
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import setup
from cxpipeline.steps.export import export_list
from cxpipeline.steps.ingest import ingest
from cxpipeline.steps.suppression import load_suppression

SAMPLE = REPO_ROOT / "data" / "sample"
SPECS = REPO_ROOT / "docs" / "export_specs"
GOLDEN = Path(__file__).resolve().parents[1] / "golden"
AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
FORMATS = ("genesys", "cxcontact", "csv")

#: What a re-ingest must reproduce of every record, keyed by person and number.
COMPARED = (
    "chain_n, contact_info, extension, contact_info_type = 3 AS has_extension, first_name, "
    "last_name, company, postal_code, state_code, country_code_iso, tz_name, tz_candidates, "
    "tz_source, states, window_key, daily_from, daily_till, record_type, no_call_reason, "
    "other1, other2, other3"
)


@pytest.fixture(scope="module")
def home(tmp_path_factory):
    settings = Settings.build(tmp_path_factory.mktemp("formats") / "home")
    setup.apply_campaigns(settings, SAMPLE / "campaigns.yaml")
    load_suppression(settings, SAMPLE / "suppression_dnc.csv", "client_dnc")
    source = SAMPLE / "contacts_east_retry.csv"
    ingest(settings, source, list_name="retry", group="collections_east", as_of=AS_OF)
    return settings


def _exported(settings, fmt, folder):
    return export_list(settings, "retry", folder / f"retry_{fmt}.csv", fmt)


def _records(settings, list_name):
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        query = f"SELECT client_id, {COMPARED} FROM contact_records WHERE list_name = $l"  # noqa: S608
        return sorted(con.execute(query, {"l": list_name}).fetchall(), key=repr)


def _chain_ranks(rows):
    """Replace chain_n by the record's rank in its chain (the order, not the numbers)."""
    ranked = []
    for row in sorted(rows, key=lambda r: (r[0], r[1])):
        rank = 1 if not ranked or ranked[-1][0] != row[0] else ranked[-1][1] + 1
        ranked.append((row[0], rank, *row[2:]))
    return sorted(ranked, key=repr)


@pytest.mark.parametrize("fmt", FORMATS)
def test_golden_export_of_the_sample(home, tmp_path, fmt):
    text = _exported(home, fmt, tmp_path).read_text(encoding="utf-8")
    # The csv's audit columns name the raw copy under the (temporary) home.
    text = text.replace(str(home.home), "<home>")
    golden = GOLDEN / f"export_retry_{fmt}.csv"
    if os.environ.get("CXPIPELINE_UPDATE_GOLDEN"):
        golden.write_text(text, encoding="utf-8")
    assert text == golden.read_text(encoding="utf-8")


@pytest.mark.parametrize("fmt", FORMATS)
def test_re_ingesting_an_export_with_the_documented_spec_reproduces_the_records(
    home, tmp_path, fmt
):
    path = _exported(home, fmt, tmp_path)
    again = f"again_{fmt}"
    spec = SPECS / f"{fmt}.yaml"
    ingest(home, path, list_name=again, group="collections_east", spec_path=spec, as_of=AS_OF)
    original, copy = _records(home, "retry"), _records(home, again)
    if fmt == "cxcontact":  # a CX Contact row carries only devices to dial, in chain order
        record_type = COMPARED.split(", ").index("record_type") + 1
        original, copy = (
            _chain_ranks([r for r in original if r[record_type] != 7]),
            _chain_ranks(copy),
        )
    assert copy == original
    assert any(r[3] is not None for r in original)  # extensions were in the test


def test_export_day_writes_that_days_hours_and_refuses_an_unplanned_day(home, tmp_path):
    base = ["export", "--list", "retry", "--home", str(home.home)]
    days = {}
    for day in ("2026-12-05", "2026-12-06", "2026-12-07"):  # Saturday, Sunday, Monday
        out = tmp_path / f"{day}.csv"
        result = CliRunner().invoke(app, [*base, "--out", str(out), "--day", day])
        assert result.exit_code == 0, result.output
        days[day] = pl.read_csv(out, infer_schema=False).filter(pl.col("record_type") != "7")
    saturday = set(days["2026-12-05"].select("daily_from", "daily_till").rows())
    sunday = set(days["2026-12-06"].select("daily_from", "daily_till").rows())
    monday = set(days["2026-12-07"].select("daily_from", "daily_till").rows())
    assert sunday == {("0", "0")}  # the campaign is closed on Sundays
    assert saturday != monday and ("0", "0") not in monday
    for bad, message in (("2027-06-01", "no windows are planned"), ("1 Dec", "YYYY-MM-DD")):
        result = CliRunner().invoke(app, [*base, "--out", str(tmp_path / "x.csv"), "--day", bad])
        assert result.exit_code == 1 and message in result.output
        assert len(result.output.strip().splitlines()) == 1


def test_the_ingest_records_the_zone_data_release(home):
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        releases = con.execute("SELECT DISTINCT tz_release FROM ingest_runs").fetchall()
    assert releases == [(tzdb.release(),)]


@pytest.mark.parametrize("fmt", [*FORMATS, "parquet"])
def test_an_export_in_slices_of_chains_is_the_export_in_one(home, tmp_path, monkeypatch, fmt):
    from cxpipeline.steps import export

    whole = export_list(home, "retry", tmp_path / f"whole.{fmt}", fmt, day="2026-12-05")
    monkeypatch.setattr(export, "EXPORT_SLICE_CELLS", 37 * 70)  # slices of 37 to 70 records
    sliced = export_list(home, "retry", tmp_path / f"sliced.{fmt}", fmt, day="2026-12-05")
    if fmt == "parquet":
        import pyarrow.parquet as pq

        first, second = pl.read_parquet(whole), pl.read_parquet(sliced)
        assert first.height > 37 * 5 and first.equals(second)
        assert pq.ParquetFile(sliced).num_row_groups > 5  # written slice by slice
        return
    text = whole.read_text(encoding="utf-8")
    assert text.count("\n") > 37 * 5 and sliced.read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    ("fmt", "day"), [("genesys", None), ("genesys", "2026-12-05"), ("cxcontact", None)]
)
def test_a_dialer_layout_reads_only_the_columns_it_writes(home, tmp_path, monkeypatch, fmt, day):
    from cxpipeline import warehouse
    from cxpipeline.steps import export

    read: list[list[str]] = []
    narrow_columns = export._read_columns
    monkeypatch.setattr(
        export, "_read_columns", lambda *a, **k: read.append(narrow_columns(*a, **k)) or read[-1]
    )
    narrow = export_list(home, "retry", tmp_path / "narrow.csv", fmt, day=day)

    def every_column(con, *_, **__):
        return warehouse.table_columns(con, "contact_records")

    monkeypatch.setattr(export, "_read_columns", every_column)
    wide = export_list(home, "retry", tmp_path / "wide.csv", fmt, day=day)
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        stored = warehouse.table_columns(con, "contact_records")
    assert len(read) == 1 and set(read[0]) < set(stored) and len(read[0]) < len(stored) * 0.8
    assert narrow.read_text(encoding="utf-8") == wide.read_text(encoding="utf-8")


@pytest.fixture
def read_bounds(monkeypatch):
    """The DuckDB memory bounds an export's reads ran within, in order."""
    from cxpipeline import warehouse_memory

    bounds: list[int | None] = []
    real = warehouse_memory.memory_bound

    def recorded(con, megabytes):
        bounds.append(megabytes)
        return real(con, megabytes)

    monkeypatch.setattr(warehouse_memory, "memory_bound", recorded)
    return bounds


def test_an_export_reads_within_a_small_duckdb_bound(home, tmp_path, read_bounds):
    from cxpipeline.steps import export

    export_list(home, "retry", tmp_path / "bounded.csv", "genesys")
    small = home.model_copy(update={"warehouse_memory_mb": 64})
    export_list(small, "retry", tmp_path / "smaller.csv", "genesys")
    # Each block is read once: a cache up to the step's bound (512 MB) would grow with the list.
    assert read_bounds == [export.EXPORT_READ_MB, 64] and export.EXPORT_READ_MB < 512


def test_an_export_whose_reads_outgrow_the_small_bound_runs_again_unbounded(
    home, tmp_path, monkeypatch, read_bounds
):
    from cxpipeline.steps import export

    monkeypatch.setattr(export, "EXPORT_READ_MB", 512)
    expected = export_list(home, "retry", tmp_path / "expected.csv", "genesys")
    # 1 MB cannot hold the blocks of one slice's scan: DuckDB refuses, the export runs again.
    monkeypatch.setattr(export, "EXPORT_READ_MB", 1)
    again = export_list(home, "retry", tmp_path / "again.csv", "genesys")
    assert read_bounds == [512, 1, None]
    assert again.read_bytes() == expected.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["again.csv", "expected.csv"]
