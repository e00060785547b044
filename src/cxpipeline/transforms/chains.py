"""Chains: one customer's numbers as one chain, in dial order, with warehouse-unique ids."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cxpipeline.codes import ContactInfoType

#: record_id = list_id * ID_BLOCK + ordinal: every list owns a disjoint block of ids.
ID_BLOCK = 10**10

# What `existing` holds when a list is loaded for the first time: no records yet.
_NO_EXISTING = {
    "chain_key": pl.String,
    "chain_id": pl.Int64,
    "chain_n": pl.Int32,
    "record_id": pl.Int64,
    "e164": pl.String,
}


def device_rank(device_priority: str) -> pl.Expr:
    """Rank of a record's device type under a priority like 'mobile,home_phone' (else input).

    Types not named rank after the named ones, keeping input order among themselves.
    """
    if device_priority.strip().lower() in {"", "input"}:
        return pl.lit(0, dtype=pl.Int32)
    names = [n.strip().upper() for n in device_priority.split(",") if n.strip()]
    codes = [int(ContactInfoType[n]) for n in names]
    ranks = pl.DataFrame(
        {"contact_info_type": codes, "rank": list(range(len(codes)))},
        schema={"contact_info_type": pl.Int64, "rank": pl.Int32},
    )
    return (
        pl.col("contact_info_type")
        .cast(pl.Int64)
        .replace_strict(
            ranks["contact_info_type"], ranks["rank"], default=len(codes), return_dtype=pl.Int32
        )
    )


def chain_keys(rows: pl.LazyFrame, fallback_key: Sequence[str]) -> pl.Expr:
    """Build the customer key: client id, else the fallback columns, else the input row.

    A row with neither a client id nor any fallback value is its own customer: merging such
    rows would join strangers into one chain.
    """
    fallback = pl.concat_str(
        [pl.col(c).fill_null("").str.to_lowercase() for c in fallback_key], separator="|"
    )
    has_fallback = pl.any_horizontal([pl.col(c).is_not_null() for c in fallback_key])
    return (
        pl.when(pl.col("client_id").is_not_null())
        .then(pl.lit("id:") + pl.col("client_id"))
        .when(has_fallback)
        .then(pl.lit("key:") + fallback)
        .otherwise(pl.lit("row:") + pl.col("source_row").cast(pl.String))
    )


def chained_records(
    records: pl.LazyFrame,
    *,
    list_id: int,
    fallback_key: Sequence[str] = ("last_name", "postal_code"),
    device_priority: str = "input",
    existing: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Assign chain_id, chain_n and record_id; collapse a number repeated within a chain.

    `records` holds one row per valid phone value (source_row, phone_index, contact_info_type,
    e164, client_id and the fallback columns). `existing` (append mode) holds the list's
    current records (chain_key, chain_id, chain_n, record_id, e164): a known customer keeps
    its chain and a number it already has is dropped as a duplicate; new ids continue after
    the highest existing ones, so ids never change for records already dialed.
    Adds: chain_key, chain_id, chain_n, record_id, duplicate_count, shared_number.
    """
    # Ids are worked out on a narrow frame (a row id and the keys); the wide record
    # attributes are joined back once at the end, so sorting never moves them around.
    records = records.with_row_index("_row")
    ids = chain_ids(
        records,
        list_id=list_id,
        fallback_key=fallback_key,
        device_priority=device_priority,
        existing=existing,
    )
    attributes = records.drop("source_row", "phone_index", "e164")
    return ids.join(attributes, on="_row", how="inner").sort("record_id").drop("_row")


# Deliberate repetition: chain_ids takes the same keyword arguments as chained_records.
def chain_ids(
    records: pl.LazyFrame,
    *,
    list_id: int,
    fallback_key: Sequence[str] = ("last_name", "postal_code"),
    device_priority: str = "input",
    existing: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Return the ids of `chained_records` alone, from a narrow frame of the whole list.

    `records` has a unique row id `_row` plus the columns `chained_records` reads
    (source_row, phone_index, contact_info_type, e164, client_id, the fallback columns).
    Returns one row per record kept (a number repeated within a chain is collapsed into the
    first in dial order): `_row`, source_row, phone_index, e164, chain_key, duplicate_count,
    chain_id, chain_n, record_id, shared_number. The ids depend only on the values, never on
    the order of the rows, so callers may stage the list in chunks and join the ids back.
    """
    if existing is None:
        existing = pl.LazyFrame(schema=_NO_EXISTING)
    collapsed = _collapsed(records, fallback_key, device_priority, existing)
    chained = _numbered(collapsed, existing, list_id)
    return _with_shared_flag(chained, existing)


def _collapsed(
    records: pl.LazyFrame,
    fallback_key: Sequence[str],
    device_priority: str,
    existing: pl.LazyFrame,
) -> pl.LazyFrame:
    """Key and rank the records; keep one per (customer, number), none the list already has."""
    keyed = records.select(
        "_row",
        "source_row",
        "phone_index",
        "e164",
        chain_key=chain_keys(records, fallback_key),
        _rank=device_rank(device_priority),
    )
    # One record per (customer, number): the first in dial order wins, the rest are counted.
    collapsed = (
        keyed.sort(["chain_key", "_rank", "source_row", "phone_index"])
        .with_columns(duplicate_count=pl.len().over(["chain_key", "e164"]).cast(pl.Int32))
        .unique(subset=["chain_key", "e164"], keep="first", maintain_order=True)
    )
    known_numbers = existing.select("chain_key", "e164").unique()
    return collapsed.join(known_numbers, on=["chain_key", "e164"], how="anti")


def _numbered(collapsed: pl.LazyFrame, existing: pl.LazyFrame, list_id: int) -> pl.LazyFrame:
    """Add chain_id, chain_n and record_id: known chains keep theirs, new ids continue after."""
    known_chains = existing.group_by("chain_key").agg(
        pl.col("chain_id").first().alias("_known_chain_id"),
        pl.col("chain_n").max().alias("_known_max_n"),
    )
    base = existing.select(
        pl.col("chain_id").max().fill_null(list_id * ID_BLOCK).alias("_max_chain_id"),
        pl.col("record_id").max().fill_null(list_id * ID_BLOCK).alias("_max_record_id"),
    )
    first_seen = collapsed.group_by("chain_key").agg(pl.col("source_row").min().alias("_first"))
    new_chains = (
        first_seen.join(known_chains, on="chain_key", how="anti")
        .sort(["_first", "chain_key"])
        .with_row_index("_chain_ordinal", offset=1)
        .join(base, how="cross")
        .select("chain_key", (pl.col("_max_chain_id") + pl.col("_chain_ordinal")).alias("_new_id"))
    )
    return (
        collapsed.join(known_chains, on="chain_key", how="left")
        .join(new_chains, on="chain_key", how="left")
        .with_columns(
            chain_id=pl.coalesce("_known_chain_id", "_new_id").cast(pl.Int64),
        )
        .sort(["chain_id", "_rank", "source_row", "phone_index"])
        .with_columns(
            chain_n=(
                pl.int_range(1, pl.len() + 1).over("chain_id") + pl.col("_known_max_n").fill_null(0)
            ).cast(pl.Int32)
        )
        .join(base, how="cross")
        .with_row_index("_ordinal", offset=1)
        .with_columns(record_id=(pl.col("_max_record_id") + pl.col("_ordinal")).cast(pl.Int64))
    )


def _with_shared_flag(chained: pl.LazyFrame, existing: pl.LazyFrame) -> pl.LazyFrame:
    """Add shared_number (the number is in more than one chain of the list); drop work columns."""
    all_numbers = pl.concat(
        [chained.select("chain_id", "e164"), existing.select("chain_id", "e164")]
    ).unique()
    shared = (
        all_numbers.group_by("e164")
        .agg(pl.len().alias("_chains"))
        .filter(pl.col("_chains") > 1)
        .select("e164", pl.lit(True).alias("shared_number"))
    )
    return (
        chained.join(shared, on="e164", how="left")
        .with_columns(pl.col("shared_number").fill_null(False))
        .drop(
            "_rank",
            "_known_chain_id",
            "_known_max_n",
            "_new_id",
            "_ordinal",
            "_max_chain_id",
            "_max_record_id",
        )
    )
