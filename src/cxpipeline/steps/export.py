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
from cxpipeline.transforms.daily_window import WINDOW_INPUTS, day_window

EXPORT_FORMATS = ("genesys", "cxcontact", "parquet", "csv")


#: Cells (records x columns read) an export reads, lays out and writes at a time, in slices of
#: whole chains: bounds its memory whatever the list's size and the columns its format reads
#: (every column: ~58,000 records a slice; the genesys layout's 52: ~77,000).
EXPORT_SLICE_CELLS = 4_000_000

#: DuckDB's memory for an export's reads, in MB (the home's bound if that is lower). Each block
#: is read once, so caching blocks up to a step's bound only grew the export with the list
#: (2M customers: ~140 MiB more than at 500k); a slice's scan needs a few dozen MB.
EXPORT_READ_MB = 128


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
    file is replaced only with `force`; it is written atomically, owner-only. Only the
    columns the format writes are read, one slice of whole chains at a time
    (`EXPORT_SLICE_CELLS`), so memory does not grow with the list.
    """
    con = warehouse.connect(settings, read_only=True)
    try:
        inputs = warehouse.named_frame(con, "input_files")["path"].to_list()
        windows = warehouse.named_frame(con, "list_windows", {"list_name": list_name})
        out = outputs.check_output_file(out, home=settings.home, protected=inputs, force=force)
        columns = _read_columns(con, fmt, with_window=day is not None)
        ranges = _list_slices(con, list_name, max(EXPORT_SLICE_CELLS // len(columns), 1))
        if not ranges:
            raise InputError(f"contact list {list_name!r} has no records", field="--list")
        chosen = _chosen_day(windows, day)

        def write(megabytes: int | None) -> Path:
            with warehouse_memory.memory_bound(con, megabytes):
                frames = (
                    _layout(settings, records, fmt, _day_window(settings, records, windows, chosen))
                    for records in _records(con, list_name, ranges, columns)
                )
                if fmt == "parquet":  # the writer makes its slices ahead itself
                    return io.write_parquet_slices(frames, out)
                safe = (tabular.safe_cells(frame) for frame in frames)
                return io.write_csv_slices(io.made_ahead(safe), out)

        bound = min(EXPORT_READ_MB, settings.warehouse_memory_mb or EXPORT_READ_MB)
        return warehouse_memory.within_memory_bound(bound, write)
    finally:
        con.close()


def _list_slices(
    con: duckdb.DuckDBPyConnection, list_name: str, records: int
) -> list[tuple[int, int]]:
    """Return chain id ranges that cut the list into slices of ~`records` (none: no list)."""
    lists = warehouse.named_frame(con, "list_groups").filter(pl.col("list_name") == list_name)
    if lists.height == 0:
        return []
    low, high = chains.id_block(int(lists["list_id"][0]))
    if not warehouse.named_frame(con, "record_count", {"lo": low, "hi": high})["records"][0]:
        return []
    return chain_slices(con, records, low, high)


def _read_columns(con: duckdb.DuckDBPyConnection, fmt: str, *, with_window: bool) -> list[str]:
    """Return the record columns the layout of `fmt` reads (parquet and csv: every one).

    The dialer layouts write a few dozen of the records' columns: the others are not read.
    `with_window`: the genesys layout with the window of a chosen day.
    """
    stored = warehouse.table_columns(con, "contact_records")
    if fmt == "genesys":
        window = WINDOW_INPUTS if with_window else ()
        wanted: tuple[str, ...] = (*export_tx.GENESYS_INPUTS, *window)
    elif fmt == "cxcontact":
        wanted = cxcontact.CXCONTACT_INPUTS
    else:
        return stored
    return [name for name in dict.fromkeys(wanted) if name in stored]


def _records(
    con: duckdb.DuckDBPyConnection,
    list_name: str,
    ranges: list[tuple[int, int]],
    columns: list[str],
) -> Iterator[pl.DataFrame]:
    """Yield the `columns` of the list's records slice by slice, in chain order."""
    for low, high in ranges:
        params = {"list_name": list_name, "lo": low, "hi": high}
        records = warehouse.named_frame(con, "list_records", params, columns)
        yield records.sort("chain_id", "chain_n")


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
