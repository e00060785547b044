"""Suppression step: load a named do-not-call list and re-apply every list to the records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from cxpipeline import io, schemas, warehouse
from cxpipeline.errors import InputError
from cxpipeline.settings import Settings
from cxpipeline.steps.setup import prepare_warehouse
from cxpipeline.transforms import phones
from cxpipeline.transforms import suppression_files as files


def load_suppression(settings: Settings, path: Path, name: str) -> dict[str, int]:
    """Load a named do-not-call list (numbers and/or client ids) and re-apply it to all lists."""
    prepare_warehouse(settings)
    path = Path(path)
    table = io.read_table(path, io.ReadOptions())
    columns = files.suppression_columns(table.frame.collect_schema().names())
    if columns.phone is None and columns.client_id is None:
        raise InputError("no 'phone' or 'client_id' column", file=str(path))
    rows = files.suppression_rows(table.frame, columns).collect()
    values = files.suppression_phone_values(rows.lazy(), settings.default_country)
    normalised = phones.normalised_phones(values).collect()
    entries = files.suppression_entries(
        rows.lazy(),
        normalised.lazy(),
        list_name=name,
        source_file=str(path),
        added_at=datetime.now(UTC),
    ).collect()
    entries = schemas.checked(entries, schemas.SuppressionEntry)
    con = warehouse.connect(settings)
    try:
        with warehouse.transaction(con):
            warehouse.replace_rows(con, "suppression_entries", entries, suppression_list=name)
            affected = warehouse.reapply_suppression(con)
    finally:
        con.close()
    return {
        "entries": entries.height,
        "rows_read": table.rows_read,
        "unusable_rows": table.rows_read - entries.height,
        "invalid_numbers": normalised.filter(pl.col("e164").is_null()).height,
        "records_suppressed": affected,
    }
