"""The CX Contact list import: one row per customer, its devices in chain order (contract §6).

Columns: ClientID, FirstName, LastName, Company, Device1…Device10 (E.164, an extension written
`;ext=NNN` so it travels with its number), `tz` (IANA), c_postal_code, c_country_code_iso,
c_state_code, c_tz_input (the zone the input named, if it did), Other1…Other20. A CX Contact
row has one zone for all its devices, so a customer whose numbers lie in different zones gets
one row per zone, and one with more than ten devices continues on another row (same
ClientID); no device is ever dropped or put on the wrong clock. No Call records (record_type
7) are not devices to dial and are left out.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.transforms.export import explicit_zone
from cxpipeline.transforms.group_order import run_position

#: Devices per CX Contact row.
MAX_DEVICES = 10

#: Columns of the CX Contact import, in order.
CXCONTACT_COLUMNS: tuple[str, ...] = (
    "ClientID",
    "FirstName",
    "LastName",
    "Company",
    *(f"Device{i}" for i in range(1, MAX_DEVICES + 1)),
    "tz",
    "c_postal_code",
    "c_country_code_iso",
    "c_state_code",
    "c_tz_input",
    *(f"Other{i}" for i in range(1, 21)),
)

_CUSTOMER_FIELDS = {
    "ClientID": "client_id",
    "FirstName": "first_name",
    "LastName": "last_name",
    "Company": "company",
    "c_postal_code": "postal_code",
    "c_country_code_iso": "country_code_iso",
    "c_state_code": "state_code",
    "c_tz_input": "_tz_input",
    **{f"Other{i}": f"other{i}" for i in range(1, 21)},
}

#: The record columns `cxcontact_list` reads: an export reads only these from the warehouse.
CXCONTACT_INPUTS: tuple[str, ...] = (
    "chain_id",
    "chain_n",
    "contact_info",
    "extension",
    "record_type",
    "tz_name",
    "tz_source",
    *(source for source in _CUSTOMER_FIELDS.values() if source != "_tz_input"),
)

_NO_CALL = 7


def device_text(number: pl.Expr, extension: pl.Expr) -> pl.Expr:
    """Return the number with its extension as `;ext=NNN` (RFC 3966), which ingest reads back."""
    ext = extension.cast(pl.String).str.strip_chars()
    return pl.when(ext.is_not_null() & (ext != "")).then(number + ";ext=" + ext).otherwise(number)


def _present(records: pl.LazyFrame) -> pl.LazyFrame:
    """Add every optional column the layout reads that the records lack, as nulls."""
    records = records.with_columns(explicit_zone(records.collect_schema()).alias("_tz_input"))
    names = set(records.collect_schema().names())
    wanted = [*_CUSTOMER_FIELDS.values(), "extension", "tz_name", "record_type"]
    return records.with_columns(pl.lit(None, pl.String).alias(c) for c in wanted if c not in names)


def cxcontact_list(records: pl.LazyFrame, *, default_zone: str) -> pl.LazyFrame:
    """Return one CX Contact row per customer and zone (and per ten devices), in chain order.

    `records` carry chain_id, chain_n, contact_info and the user fields; a record without
    tz_name is in `default_zone` (the zone of its default window).
    """
    devices = (
        _present(records)
        .filter(pl.col("record_type").cast(pl.Int64).fill_null(2) != _NO_CALL)
        .with_columns(
            _zone=pl.col("tz_name").fill_null(default_zone),
            _device=device_text(pl.col("contact_info"), pl.col("extension")),
        )
        # Each customer's devices of one zone next to each other, in dial order: positions and
        # first devices come from the runs (window expressions hashed every key: slower).
        .sort("chain_id", "_zone", "chain_n")
        .with_columns(_position=run_position(["chain_id", "_zone"]))
        .with_columns(
            _row=(pl.col("_position") - 1) // MAX_DEVICES,
            _first=pl.when(pl.col("_position") == 1).then(pl.col("chain_n")).forward_fill(),
        )
    )
    grouped = devices.group_by("chain_id", "_zone", "_row", maintain_order=True).agg(
        pl.col("_first").first(),
        pl.col("_device"),
        *(
            pl.col(source).cast(pl.String).first().alias(name)
            for name, source in _CUSTOMER_FIELDS.items()
        ),
    )
    return grouped.sort("chain_id", "_first", "_row").select(
        *(pl.col(name) for name in ("ClientID", "FirstName", "LastName", "Company")),
        *(
            pl.col("_device").list.get(i, null_on_oob=True).alias(f"Device{i + 1}")
            for i in range(MAX_DEVICES)
        ),
        pl.col("_zone").alias("tz"),
        *(pl.col(name) for name in CXCONTACT_COLUMNS[15:]),
    )
