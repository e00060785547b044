"""Suppression step: load a named do-not-call list and re-apply every list to the records."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from cxpipeline import io, schemas, warehouse
from cxpipeline.errors import CxError, InputError
from cxpipeline.reference import phone_caches
from cxpipeline.rejects import stored_rejects
from cxpipeline.settings import Settings
from cxpipeline.spec import loader as spec_loader
from cxpipeline.spec.model import header_key
from cxpipeline.transforms import phones
from cxpipeline.transforms import suppression_files as files


def load_suppression(
    settings: Settings,
    path: Path,
    name: str,
    *,
    column: str | None = None,
    client_column: str | None = None,
    expiry_column: str | None = None,
    expires_after: str | None = None,
    spec: Path | None = None,
) -> dict[str, object]:
    """Load a named do-not-call list (numbers and/or client ids) and re-apply it to all lists.

    Every refused value goes to rejected_rows (kind `suppression`, run id `suppression:<name>`),
    replacing those of the list's previous load. An import spec gives the read options and maps
    the phone (its first phone column), client_id and expires_at columns; the options win.
    """
    if not name.strip():
        raise CxError("a suppression list needs a name", field="--name")
    offset = _offset(expires_after)
    path = Path(path)
    table, columns = _read(path, spec, (column, client_column, expiry_column))
    rows = files.suppression_rows(table.frame, columns).collect()
    values = files.suppression_phone_values(rows.lazy(), settings.default_country)
    with phone_caches.held(settings.reference_dir):
        normalised = phones.normalised_phones(values).collect()
    entries = files.suppression_entries(
        rows.lazy(),
        normalised.lazy(),
        list_name=name,
        source_file=str(path),
        added_at=datetime.now(UTC),
        expires_after=offset,
    ).collect()
    entries = schemas.checked(entries, schemas.SuppressionEntry)
    refused = files.suppression_rejects(rows.lazy(), normalised.lazy(), columns).collect()
    rejects = _stored_rejects(pl.concat([table.rejects, refused]), name, path)
    con = warehouse.connect(settings)
    try:
        with warehouse.transaction(con):
            warehouse.replace_rows(con, "suppression_entries", entries, suppression_list=name)
            warehouse.replace_rows(con, "rejected_rows", rejects, run_id=f"suppression:{name}")
            affected = warehouse.reapply_suppression(con)
    finally:
        con.close()
    return {
        "entries": entries.height,
        "rows_read": table.rows_read,
        "unusable_rows": table.rows_read - entries.height,
        "invalid_numbers": normalised.filter(pl.col("e164").is_null()).height,
        "rejected": rejects.height,
        "records_suppressed": sum(affected.values()),
        # The lists with newly suppressed records: their statistics are stale now.
        "lists_changed": sorted(affected),
    }


def lists_changed(loaded: dict[str, object]) -> list[str]:
    """Return the lists a suppression load changed (their records newly suppressed)."""
    names = loaded.get("lists_changed", [])
    return [str(name) for name in names] if isinstance(names, list) else []


def _offset(expires_after: str | None) -> str | None:
    """Return the Polars offset of `--expires-after`, or a one-line error naming the option."""
    if expires_after is None:
        return None
    try:
        return files.expiry_offset(expires_after)
    except ValueError as exc:
        raise CxError(str(exc), field="--expires-after") from None


def _headers(table: io.RawTable) -> list[str]:
    """Return the file's own column names."""
    return [c for c in table.frame.collect_schema().names() if c != "source_row"]


def _read(
    path: Path, spec: Path | None, chosen: tuple[str | None, str | None, str | None]
) -> tuple[io.RawTable, files.SuppressionColumns]:
    """Read the file (by the spec, else without a header when its first line is a number)."""
    if spec is not None:
        table = io.read_table(path, spec_loader.read_options(spec))
        return table, _columns(table, path, *_spec_columns(spec, table, path, chosen))
    table = io.read_table(path, io.ReadOptions())
    column, client_column, expiry_column = chosen
    if files.looks_headerless(_headers(table)):
        table = io.read_table(path, io.ReadOptions(has_header=False))
        column = column or _headers(table)[0]
    return table, _columns(table, path, column, client_column, expiry_column)


def _spec_columns(
    spec: Path, table: io.RawTable, path: Path, chosen: tuple[str | None, str | None, str | None]
) -> tuple[str | None, str | None, str | None]:
    """Return the phone, client id and expiry columns an import spec maps (options win)."""
    resolved = spec_loader.load_spec(spec, columns=_headers(table), source=str(path))
    client = next((c for c, f in resolved.fields.items() if f == "client_id"), None)
    users = {header_key(n): c for c, n in resolved.user_fields}
    expiry = next((users[k] for k in map(header_key, files.EXPIRY_HEADERS) if k in users), None)
    phone = resolved.phones[0].column if resolved.phones else None
    column, client_column, expiry_column = chosen
    return column or phone, client_column or client, expiry_column or expiry


def _columns(
    table: io.RawTable,
    path: Path,
    column: str | None,
    client_column: str | None,
    expiry_column: str | None,
) -> files.SuppressionColumns:
    """Find the phone, client id and expiry columns, or a one-line error naming the file."""
    headers = _headers(table)
    try:
        columns = files.suppression_columns(headers, column, client_column, expiry_column)
    except KeyError as exc:
        raise InputError(
            f"no column {exc.args[0]!r} (columns: {', '.join(headers)})", file=str(path)
        ) from None
    if columns.phone is None and columns.client_id is None:
        raise InputError(
            f"no phone or client id column among {', '.join(headers)} "
            "(name it with --column or --client-column)",
            file=str(path),
        )
    return columns


def _stored_rejects(rejects: pl.DataFrame, name: str, path: Path) -> pl.DataFrame:
    """Refused values as rejected_rows stores them: masked, under the list's load id."""
    stored = stored_rejects(
        rejects, run_id=f"suppression:{name}", source_file=str(path), kind="suppression"
    )
    return schemas.checked(stored, schemas.RejectedRow)
