"""Export step: one contact list in the dialer's import format."""

from __future__ import annotations

from pathlib import Path

from cxpipeline import io, warehouse
from cxpipeline.errors import InputError
from cxpipeline.reference import abbreviations
from cxpipeline.reports import tabular
from cxpipeline.settings import Settings
from cxpipeline.transforms import export as export_tx

EXPORT_FORMATS = ("genesys", "parquet", "csv")


def export_list(settings: Settings, list_name: str, out: Path, fmt: str = "genesys") -> Path:
    """Write one contact list in the dialer's import format (genesys CSV, parquet or csv)."""
    con = warehouse.connect(settings, read_only=True)
    try:
        records = warehouse.named_frame(con, "list_records", {"list_name": list_name})
    finally:
        con.close()
    if records.height == 0:
        raise InputError(f"contact list {list_name!r} has no records", field="--list")
    frame = export_tx.genesys_calling_list(
        records.lazy(),
        abbreviations.zone_abbreviations().lazy(),
        default_zone=settings.default_window_zone,
    ).collect()
    out = Path(out)
    if fmt == "parquet":
        return io.write_parquet(frame, out)
    return io.write_csv(tabular.safe_cells(frame), out)
