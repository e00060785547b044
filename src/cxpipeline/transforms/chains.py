"""Chains: one customer's numbers as one chain, in dial order, with warehouse-unique ids."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cxpipeline.codes import ContactInfoType

#: record_id = list_id * ID_BLOCK + ordinal: every list owns a disjoint block of ids.
ID_BLOCK = 10**10

#: Identity columns of records a list already has or had (append and the identity registry).
_IDENTITY_SCHEMA = {
    "chain_key": pl.String,
    "chain_id": pl.Int64,
    "chain_n": pl.Int32,
    "record_id": pl.Int64,
    "e164": pl.String,
    "extension": pl.String,
}
#: A record's identity inside its list: the person, the number and its extension.
IDENTITY = ["chain_key", "e164", "_ext"]


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
    known: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Assign chain_id, chain_n and record_id; collapse a number repeated within a chain.

    `records` holds one row per valid phone value (source_row, phone_index, contact_info_type,
    e164, client_id, optional extension and the fallback columns). See `chain_ids` for
    `existing` and `known`. Adds: chain_key, chain_id, chain_n, record_id, duplicate_count,
    shared_number.
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
        known=known,
    )
    attributes = records.drop("source_row", "phone_index", "e164", "extension", strict=False)
    return ids.join(attributes, on="_row", how="inner").sort("record_id").drop("_row")


# Deliberate repetition: chain_ids takes the same keyword arguments as chained_records.
def chain_ids(
    records: pl.LazyFrame,
    *,
    list_id: int,
    fallback_key: Sequence[str] = ("last_name", "postal_code"),
    device_priority: str = "input",
    existing: pl.LazyFrame | None = None,
    known: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Return the ids of `chained_records` alone, from a narrow frame of the whole list.

    Identity (docs/contract.md, a list's life): a record is a person (chain_key) + number +
    extension in a list. `known` holds every identity the list ever had (the registry: chain_key,
    e164, extension, record_id, chain_id): a known person keeps its chain_id and a known number
    its record_id, whatever the row order, and a removed record's id is never handed out again.
    New chains and records get the next ids of the list's block (list_id * ID_BLOCK + n), in
    the order of their keys, so any permutation of the rows gives the same ids.
    `existing` (append mode) holds the list's current records: a number a person already has
    in the list is dropped as a duplicate and new numbers of a known chain continue its chain_n.
    Returns one row per record kept: `_row`, source_row, phone_index, e164, extension,
    chain_key, duplicate_count, chain_id, chain_n, record_id, shared_number.
    """
    existing = _identities(existing)
    known = pl.concat([_identities(known), existing], how="diagonal_relaxed")
    collapsed = _collapsed(records, fallback_key, device_priority, existing)
    identified = _identified(collapsed, known, list_id)
    return _with_shared_flag(_numbered(identified, existing), existing)


def _identities(frame: pl.LazyFrame | None) -> pl.LazyFrame:
    """Return an identity frame, the extension folded to text ('' for none); empty if None."""
    frame = pl.LazyFrame(schema=_IDENTITY_SCHEMA) if frame is None else frame
    if "extension" not in frame.collect_schema().names():
        frame = frame.with_columns(extension=pl.lit(None, pl.String))
    return frame.with_columns(_ext=pl.col("extension").fill_null(""))


def _collapsed(
    records: pl.LazyFrame,
    fallback_key: Sequence[str],
    device_priority: str,
    existing: pl.LazyFrame,
) -> pl.LazyFrame:
    """Key and rank the records; keep one per identity, none the list already has."""
    if "extension" not in records.collect_schema().names():
        records = records.with_columns(extension=pl.lit(None, pl.String))
    keyed = records.select(
        "_row",
        "source_row",
        "phone_index",
        "e164",
        "extension",
        chain_key=chain_keys(records, fallback_key),
        _rank=device_rank(device_priority),
        _ext=pl.col("extension").fill_null(""),
    )
    # One record per identity: the first in dial order wins, the rest are counted.
    collapsed = (
        keyed.sort(["chain_key", "_rank", "source_row", "phone_index"])
        .with_columns(duplicate_count=pl.len().over(IDENTITY).cast(pl.Int32))
        .unique(subset=IDENTITY, keep="first", maintain_order=True)
    )
    return collapsed.join(existing.select(IDENTITY).unique(), on=IDENTITY, how="anti")


def _identified(collapsed: pl.LazyFrame, known: pl.LazyFrame, list_id: int) -> pl.LazyFrame:
    """Add chain_id and record_id: known people and numbers keep theirs, new ones get the next."""
    base = list_id * ID_BLOCK
    highest = known.select(
        pl.col("chain_id").max().fill_null(base).alias("_max_chain_id"),
        pl.col("record_id").max().fill_null(base).alias("_max_record_id"),
    )
    known_chains = known.group_by("chain_key").agg(pl.col("chain_id").min().alias("_known_chain"))
    new_chains = (
        collapsed.select("chain_key")
        .unique()
        .join(known_chains, on="chain_key", how="anti")
        .sort("chain_key")
        .with_row_index("_chain_ordinal", offset=1)
        .join(highest, how="cross")
        .select(
            "chain_key", (pl.col("_max_chain_id") + pl.col("_chain_ordinal")).alias("_new_chain")
        )
    )
    known_records = known.group_by(IDENTITY).agg(pl.col("record_id").min().alias("_known_record"))
    with_known = collapsed.join(known_records, on=IDENTITY, how="left")
    new_records = (
        with_known.filter(pl.col("_known_record").is_null())
        .select(IDENTITY)
        .sort(IDENTITY)
        .with_row_index("_ordinal", offset=1)
        .join(highest, how="cross")
        .select(*IDENTITY, (pl.col("_max_record_id") + pl.col("_ordinal")).alias("_new_record"))
    )
    return (
        with_known.join(known_chains, on="chain_key", how="left")
        .join(new_chains, on="chain_key", how="left")
        .join(new_records, on=IDENTITY, how="left")
        .with_columns(
            chain_id=pl.coalesce("_known_chain", "_new_chain").cast(pl.Int64),
            record_id=pl.coalesce("_known_record", "_new_record").cast(pl.Int64),
        )
        .drop("_known_chain", "_new_chain", "_known_record", "_new_record")
    )


def _numbered(identified: pl.LazyFrame, existing: pl.LazyFrame) -> pl.LazyFrame:
    """Add chain_n in dial order; new numbers of a chain already in the list come after."""
    known_max_n = existing.group_by("chain_id").agg(pl.col("chain_n").max().alias("_known_max_n"))
    return (
        identified.join(known_max_n, on="chain_id", how="left")
        .sort(["chain_id", "_rank", "source_row", "phone_index"])
        .with_columns(
            chain_n=(
                pl.int_range(1, pl.len() + 1).over("chain_id") + pl.col("_known_max_n").fill_null(0)
            ).cast(pl.Int32)
        )
        .drop("_known_max_n")
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
        .drop("_rank", "_ext")
    )
