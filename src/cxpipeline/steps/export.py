"""Export step: one contact list in the dialer's import format."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import io, warehouse, warehouse_memory
from cxpipeline.errors import InputError
from cxpipeline.io import outputs
from cxpipeline.reference import abbreviations
from cxpipeline.reports import tabular
from cxpipeline.settings import Settings
from cxpipeline.steps.common import chain_slices
from cxpipeline.transforms import chains, cxcontact
from cxpipeline.transforms import export as export_tx
from cxpipeline.transforms.daily_window import day_window

EXPORT_FORMATS = ("genesys", "cxcontact", "parquet", "csv")


#: Records an export reads, lays out and writes at a time (whole chains): bounds its memory.
EXPORT_SLICE_RECORDS = 100_000


def export_list(
    settings: Settings,
    list_name: str,
    out: Path,
    fmt: str = "genesys",
    *,
    force: bool = False,
    day: date | str | None = None,
) -> Path:
    """Write one contact list in a dialer's import format (docs/contract.md §6).

    `genesys` (CSV, one row per record), `cxcontact` (CSV, one row per customer), `csv` (every
    audit column, lists flattened) or `parquet` (every column). `day` writes, in `genesys`,
    the daily window of that local dialing day instead of the first planned day. The output
    is refused over the warehouse, the lake, an ingested input or a folder, and an existing
    file is replaced only with `force`; it is written atomically, owner-only. The records
    are read, laid out and written one slice of whole chains at a time
    (`EXPORT_SLICE_RECORDS`), so memory does not grow with the list.
    """
    con = warehouse.connect(settings, read_only=True)
    try:
        inputs = warehouse.named_frame(con, "input_files")["path"].to_list()
        windows = warehouse.named_frame(con, "list_windows", {"list_name": list_name})
        ranges = _list_slices(con, list_name)
        out = outputs.check_output_file(out, home=settings.home, protected=inputs, force=force)
        if not ranges:
            raise InputError(f"contact list {list_name!r} has no records", field="--list")
        chosen = _chosen_day(windows, day)
        # DuckDB's cache of the blocks it read is bounded as a step's is, and freed at close.
        with warehouse_memory.memory_bound(con, settings.warehouse_memory_mb):
            frames = (
                _layout(settings, records, fmt, _day_window(settings, records, windows, chosen))
                for records in _records(con, list_name, ranges)
            )
            if fmt == "parquet":
                return io.write_parquet_slices(frames, out)
            return io.write_csv_slices((tabular.safe_cells(f) for f in frames), out)
    finally:
        con.close()


def _list_slices(con: duckdb.DuckDBPyConnection, list_name: str) -> list[tuple[int, int]]:
    """Return the chain id ranges that cut the list into slices (none: no such list)."""
    lists = warehouse.named_frame(con, "list_groups").filter(pl.col("list_name") == list_name)
    if lists.height == 0:
        return []
    low, high = chains.id_block(int(lists["list_id"][0]))
    if not warehouse.named_frame(con, "record_count", {"lo": low, "hi": high})["records"][0]:
        return []
    return chain_slices(con, EXPORT_SLICE_RECORDS, low, high)


def _records(
    con: duckdb.DuckDBPyConnection, list_name: str, ranges: list[tuple[int, int]]
) -> Iterator[pl.DataFrame]:
    """Yield the list's records slice by slice, in chain order."""
    for low, high in ranges:
        params = {"list_name": list_name, "lo": low, "hi": high}
        yield warehouse.named_frame(con, "list_records", params).sort("chain_id", "chain_n")


def _chosen_day(windows: pl.DataFrame, day: date | str | None) -> date | None:
    """Return the local day asked for, refused when no window is planned near it."""
    if day is None:
        return None
    if isinstance(day, str):
        try:
            day = date.fromisoformat(day)
        except ValueError:
            raise InputError(f"not a date YYYY-MM-DD: {day!r}", field="--day") from None
    planned = windows["window_start_utc"].dt.date()
    if windows.height == 0 or not (
        planned.min() - timedelta(days=1) <= day <= planned.max() + timedelta(days=1)  # type: ignore[operator]
    ):
        raise InputError(
            f"no windows are planned for {day.isoformat()}; run `cxpipeline plan` with an "
            "--as-of and --horizon-days that cover it",
            field="--day",
        )
    return day


def _day_window(
    settings: Settings, records: pl.DataFrame, windows: pl.DataFrame, day: date | None
) -> pl.LazyFrame | None:
    """Return the records' window on local date `day` (None without a day)."""
    if day is None:
        return None
    return day_window(
        records.lazy(), windows.lazy(), day, default_zone=settings.default_window_zone
    )


def _layout(
    settings: Settings, records: pl.DataFrame, fmt: str, window: pl.LazyFrame | None
) -> pl.DataFrame:
    """Return the records in the layout of `fmt`."""
    zone = settings.default_window_zone
    if fmt == "cxcontact":
        return cxcontact.cxcontact_list(records.lazy(), default_zone=zone).collect()
    if fmt == "csv":
        return export_tx.audit_columns(records.lazy()).collect()
    if fmt == "parquet":
        return records
    return export_tx.genesys_calling_list(
        records.lazy(),
        abbreviations.zone_abbreviations().lazy(),
        default_zone=zone,
        day_window=window,
    ).collect()
