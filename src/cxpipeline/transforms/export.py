"""The calling list in the dialer's import layout: mandatory fields in order, then user fields."""

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
    *(f"other{i}" for i in range(1, 21)),
)

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


def genesys_calling_list(
    records: pl.LazyFrame,
    abbreviations: pl.LazyFrame,
    *,
    default_zone: str = "America/New_York",
) -> pl.LazyFrame:
    """Return records as the dialer imports them: §2 fields in order, then user fields.

    `abbreviations` maps tz_name → tz_dbid (`reference.abbreviations.zone_abbreviations`).
    `tz_dbid` is the abbreviation of the record's `tz_name` (of `default_zone` when null, the
    zone whose default window such records get; null when the zone is unknown). Missing or null
    fields with a dialer default get that default; other missing fields are written empty.
    Timestamps already given as datetimes become epoch seconds. Raises CxError when
    record_id, contact_info, chain_id or chain_n is missing.
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
    columns.extend(pl.col(name).cast(pl.String) for name in USER_FIELDS if name in schema)
    return frame.select(columns)
