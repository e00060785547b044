"""Export step: one contact list in the dialer's import format."""

from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

import polars as pl

from cxpipeline import io, warehouse
from cxpipeline.errors import InputError
from cxpipeline.io import outputs
from cxpipeline.reference import abbreviations
from cxpipeline.reports import tabular
from cxpipeline.settings import Settings
from cxpipeline.transforms import cxcontact
from cxpipeline.transforms import export as export_tx
from cxpipeline.transforms.daily_window import day_window

EXPORT_FORMATS = ("genesys", "cxcontact", "parquet", "csv")


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
    file is replaced only with `force`; it is written atomically, owner-only.
    """
    con = warehouse.connect(settings, read_only=True)
    try:
        records = warehouse.named_frame(con, "list_records", {"list_name": list_name})
        inputs = warehouse.named_frame(con, "input_files")["path"].to_list()
        windows = warehouse.named_frame(con, "list_windows", {"list_name": list_name})
    finally:
        con.close()
    out = outputs.check_output_file(out, home=settings.home, protected=inputs, force=force)
    if records.height == 0:
        raise InputError(f"contact list {list_name!r} has no records", field="--list")
    frame = _layout(settings, records, fmt, _day_window(settings, records, windows, day))
    out = Path(out)
    if fmt == "parquet":
        return io.write_parquet(frame, out)
    return io.write_csv(tabular.safe_cells(frame), out)


def _day_window(
    settings: Settings, records: pl.DataFrame, windows: pl.DataFrame, day: date | str | None
) -> pl.LazyFrame | None:
    """Return the records' window on local date `day` (None without a day); refuse unplanned."""
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
