"""The calling list in the dialer's import layouts: genesys (one row per record) and audit csv.

`genesys`: the mandatory fields of docs/domain.md §2 in order, then user fields, among them
the IANA zone beside the abbreviation (`tz_name`: a tz_dbid names one clock, the zone name
settles it), the country and the extension of the number. `audit_columns`: every column of the
records with lists flattened. The CX Contact layout is in `transforms.cxcontact`.
"""

from __future__ import annotations

import polars as pl

from cxpipeline.errors import CxError

#: The dialer's mandatory fields in the documented order (docs/domain.md §2).
MANDATORY_FIELDS: tuple[str, ...] = (
    "record_id",
    "contact_info",
    "contact_info_type",
    "record_type",
    "record_status",
    "call_result",
    "attempt",
    "dial_sched_time",
    "call_time",
    "daily_from",
    "daily_till",
    "tz_dbid",
    "campaign_id",
    "agent_id",
    "chain_id",
    "chain_n",
    "group_id",
    "app_id",
    "treatments",
    "media_ref",
    "email_subject",
    "email_template_id",
    "switch_id",
)

#: User fields written after the mandatory ones when the records carry them.
USER_FIELDS: tuple[str, ...] = (
    "client_id",
    "first_name",
    "last_name",
    "company",
    "postal_code",
    "state_code",
    "country_code_iso",
    "tz_name",  # always written: the IANA zone of tz_dbid
    "tz_input",  # the zone the input gave explicitly (re-ingest reproduces the record)
    "extension",
    *(f"other{i}" for i in range(1, 21)),
)

#: The record columns `genesys_calling_list` reads: an export reads only these from the
#: warehouse (tz_dbid comes from tz_name, tz_input from tz_source and tz_name).
GENESYS_INPUTS: tuple[str, ...] = (
    *(name for name in MANDATORY_FIELDS if name != "tz_dbid"),
    *(name for name in USER_FIELDS if name != "tz_input"),
    "tz_source",
)

#: Separator of list values in a flattened (csv) cell.
LIST_SEPARATOR = "|"

#: Fields without which a record cannot be dialed at all.
REQUIRED_FIELDS: tuple[str, ...] = ("record_id", "contact_info", "chain_id", "chain_n")

_STRING_FIELDS = frozenset({"contact_info", "tz_dbid", "agent_id", "treatments", "email_subject"})

#: Defaults the dialer assumes for a missing or empty value (docs/domain.md §2).
DEFAULTS: dict[str, int] = {
    "contact_info_type": 1,
    "record_type": 2,
    "record_status": 1,
    "call_result": 28,
    "attempt": 0,
    "daily_from": 28800,
    "daily_till": 64800,
}

_EPOCH_FIELDS = ("dial_sched_time", "call_time")


def _with_day_window(frame: pl.LazyFrame, day_window: pl.LazyFrame) -> pl.LazyFrame:
    """Replace daily_from / daily_till with those of `day_window` (record_id keyed)."""
    return frame.drop("daily_from", "daily_till", strict=False).join(
        day_window.select("record_id", "daily_from", "daily_till"),
        on="record_id",
        how="left",
        maintain_order="left",
    )


def genesys_calling_list(
    records: pl.LazyFrame,
    abbreviations: pl.LazyFrame,
    *,
    default_zone: str = "America/New_York",
    day_window: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Return records as the dialer imports them: §2 fields in order, then user fields.

    `abbreviations` maps tz_name → tz_dbid (`reference.abbreviations.zone_abbreviations`, one
    tz_dbid per clock). `tz_dbid` is the abbreviation of the record's `tz_name` (of
    `default_zone` when null, the zone whose default window such records get; null when the
    zone is unknown); the user field `tz_name` is that zone's IANA name. `day_window`
    (record_id, daily_from, daily_till) replaces the stored first-day window, e.g. with the
    hours of one dialing day. Missing or null fields with a dialer default get that default;
    other missing fields are written empty. Timestamps already given as datetimes become epoch
    seconds. Raises CxError when record_id, contact_info, chain_id or chain_n is missing.
    """
    schema = records.collect_schema()
    missing = [c for c in REQUIRED_FIELDS if c not in schema]
    if missing:
        raise CxError(f"records lack mandatory field(s) for export: {', '.join(missing)}")
    frame = records
    if "tz_name" in schema:
        frame = frame.with_columns(pl.col("tz_name").fill_null(default_zone).alias("_zone"))
    else:
        frame = frame.with_columns(pl.lit(default_zone).alias("_zone"))
    frame = frame.drop("tz_dbid", strict=False).join(
        abbreviations.rename({"tz_name": "_zone"}),
        on="_zone",
        how="left",
        maintain_order="left",
    )
    if day_window is not None:
        frame = _with_day_window(frame, day_window)
        schema = frame.collect_schema()
    columns: list[pl.Expr] = []
    for name in MANDATORY_FIELDS:
        if name == "tz_dbid":
            columns.append(pl.col("tz_dbid"))
            continue
        dtype: type[pl.DataType] = pl.String if name in _STRING_FIELDS else pl.Int64
        if name not in schema:
            value = pl.lit(DEFAULTS.get(name), dtype)
        elif name in _EPOCH_FIELDS and isinstance(schema[name], pl.Datetime):
            value = pl.col(name).dt.epoch("s")
        else:
            value = pl.col(name).cast(dtype)
        if name in DEFAULTS:
            value = value.fill_null(DEFAULTS[name])
        columns.append(value.alias(name))
    for name in USER_FIELDS:
        if name == "tz_name":
            columns.append(pl.col("_zone").alias("tz_name"))
        elif name == "tz_input":
            columns.append(explicit_zone(schema).alias("tz_input"))
        elif name in schema:
            columns.append(pl.col(name).cast(pl.String))
    return frame.select(columns)


def explicit_zone(schema: pl.Schema) -> pl.Expr:
    """Return the record's zone when its input named it (tz_source 'explicit'), else null."""
    if "tz_source" not in schema or "tz_name" not in schema:
        return pl.lit(None, pl.String)
    return pl.when(pl.col("tz_source") == "explicit").then(pl.col("tz_name").cast(pl.String))


#: Audit columns renamed in the csv export: ingest adds columns of these names to every row, so
#: a file that carries them could not be read back.
AUDIT_RENAMES = {"source_row": "record_source_row", "user_fields": "record_user_fields"}


def audit_columns(records: pl.LazyFrame) -> pl.LazyFrame:
    """Return every column of the records, lists joined with LIST_SEPARATOR, plus tz_input.

    `source_row` and `user_fields` are written as AUDIT_RENAMES names them.
    """
    schema = records.collect_schema()
    renames = {old: new for old, new in AUDIT_RENAMES.items() if old in schema}
    return (
        records.rename(renames)
        .with_columns(explicit_zone(schema).alias("tz_input"))
        .with_columns(
            pl.col(name).cast(pl.List(pl.String)).list.join(LIST_SEPARATOR)
            for name, dtype in schema.items()
            if isinstance(dtype, pl.List)
        )
    )
