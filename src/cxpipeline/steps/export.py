"""Export step: one contact list in the dialer's import format."""

from __future__ import annotations

from pathlib import Path

from cxpipeline import io, warehouse
from cxpipeline.errors import InputError
from cxpipeline.io import outputs
from cxpipeline.reference import abbreviations
from cxpipeline.reports import tabular
from cxpipeline.settings import Settings
from cxpipeline.transforms import export as export_tx

EXPORT_FORMATS = ("genesys", "parquet", "csv")


def export_list(
    settings: Settings, list_name: str, out: Path, fmt: str = "genesys", *, force: bool = False
) -> Path:
    """Write one contact list in the dialer's import format (genesys CSV, parquet or csv).

    The output is refused over the warehouse, the lake, an ingested input or a folder, and an
    existing file is replaced only with `force`; it is written atomically, owner-only.
    """
    con = warehouse.connect(settings, read_only=True)
    try:
        records = warehouse.named_frame(con, "list_records", {"list_name": list_name})
        inputs = warehouse.named_frame(con, "input_files")["path"].to_list()
    finally:
        con.close()
    out = outputs.check_output_file(out, home=settings.home, protected=inputs, force=force)
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
