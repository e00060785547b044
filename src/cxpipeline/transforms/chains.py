"""Chains: one customer's numbers as one chain, in dial order, with warehouse-unique ids."""

from __future__ import annotations

from collections.abc import Sequence

import polars as pl

from cxpipeline.codes import ContactInfoType
from cxpipeline.transforms.group_order import run_position
from cxpipeline.transforms.partitions import KEY_HASH, with_stable_hash

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
#: The column a partition's number counts are sorted by (`number_key`), and its values' bound.
NUMBER_KEY = "_number_key"
NUMBER_SPACE = 2**32
#: A record's identity inside its list: the person, the number and its extension.
IDENTITY = ["chain_key", "e164", "_ext"]
#: What `chain_ids` returns, one row per record kept.
_ID_COLUMNS = (
    "_row",
    "source_row",
    "phone_index",
    "e164",
    "extension",
    "chain_key",
    "duplicate_count",
    "chain_id",
    "chain_n",
    "record_id",
    "shared_number",
)


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

    The same stages as a partitioned ingest, on one partition: `per_chain` (any set of whole
    chains), `new_ids` (the whole list's new keys, in key order), `shared_numbers`, `with_ids`.
    """
    chained = per_chain(
        records,
        fallback_key=fallback_key,
        device_priority=device_priority,
        existing=existing,
        known=known,
    )
    chain_map, record_map = new_ids(
        new_chain_keys(chained), new_identities(chained), highest_ids(known, existing, list_id)
    )
    shared = shared_numbers(number_chains(chained, existing))
    return with_ids(chained, chain_map, record_map, shared)


def per_chain(
    records: pl.LazyFrame,
    *,
    fallback_key: Sequence[str] = ("last_name", "postal_code"),
    device_priority: str = "input",
    existing: pl.LazyFrame | None = None,
    known: pl.LazyFrame | None = None,
) -> pl.LazyFrame:
    """Key, collapse repeated numbers, look up known ids, number chain_n (the per-chain stage).

    Needs whole chains only (and the `existing` / `known` rows of the same chain keys), so it
    runs on each partition of a list split by chain key. New chains and records get no id here
    (`known_chain_id` / `known_record_id` stay null): `new_ids` numbers them over the list.
    """
    existing = _identities(existing)
    known = pl.concat([_identities(known), existing], how="diagonal_relaxed")
    collapsed = _collapsed(records, fallback_key, device_priority, existing)
    known_chains = known.group_by("chain_key").agg(pl.col("chain_id").min().alias("known_chain_id"))
    known_records = known.group_by(IDENTITY).agg(pl.col("record_id").min().alias("known_record_id"))
    identified = collapsed.join(known_records, on=IDENTITY, how="left").join(
        known_chains, on="chain_key", how="left"
    )
    return _numbered(identified, existing)


def new_chain_keys(chained: pl.LazyFrame) -> pl.LazyFrame:
    """Return the distinct chain keys of `per_chain` output that have no chain id yet.

    With their `KEY_HASH` when the records carried it (a partitioned ingest stages it).
    """
    return (
        chained.filter(pl.col("known_chain_id").is_null())
        .select("chain_key", *key_hash_columns(chained))
        .unique()
    )


def new_identities(chained: pl.LazyFrame) -> pl.LazyFrame:
    """Return the identities of `per_chain` output that have no record id yet (and KEY_HASH)."""
    return chained.filter(pl.col("known_record_id").is_null()).select(
        *IDENTITY, *key_hash_columns(chained)
    )


def key_hash_columns(frame: pl.LazyFrame) -> list[str]:
    """Return [KEY_HASH] if the frame has that column, else []: it is carried where it is.

    A partitioned ingest's chunks stage it with the records (`steps.ingest_chunks`).
    """
    return [KEY_HASH] if KEY_HASH in frame.collect_schema().names() else []


def id_block(list_id: int) -> tuple[int, int]:
    """Return the list's block of chain and record ids, [low, high): no other list's ids."""
    return list_id * ID_BLOCK, (list_id + 1) * ID_BLOCK


def block_owners(ids: pl.Series) -> list[int]:
    """Return the ids of the lists whose blocks hold `ids` (chain or record ids), each once."""
    return sorted(int(list_id) for list_id in (ids // ID_BLOCK).unique().to_list())


def highest_ids(
    known: pl.LazyFrame | None, existing: pl.LazyFrame | None, list_id: int
) -> pl.LazyFrame:
    """Return the list's highest chain and record ids ever handed out (its block's base if none)."""
    base, _end = id_block(list_id)
    ids = pl.concat([_identities(known), _identities(existing)], how="diagonal_relaxed")
    return ids.select(
        pl.col("chain_id").max().fill_null(base).cast(pl.Int64).alias("_max_chain_id"),
        pl.col("record_id").max().fill_null(base).cast(pl.Int64).alias("_max_record_id"),
    )


def new_ids(
    chain_keys: pl.LazyFrame, identities: pl.LazyFrame, highest: pl.LazyFrame
) -> tuple[pl.LazyFrame, pl.LazyFrame]:
    """Give new chains and records the ids after `highest`, in key order: (chain, record map).

    Key order, (the chain key's stable hash, the key), makes the ids independent of row order
    and of how the list was partitioned, and gives each partition (a range of that hash) one
    block of the new ids; give the new keys of the whole list (extra columns are kept).
    `KEY_HASH` is computed where the keys lack it.
    """
    chain_map = (
        with_key_hash(chain_keys)
        .sort([KEY_HASH, "chain_key"])
        .with_row_index("_ordinal", offset=1)
        .join(highest, how="cross")
        .with_columns(new_chain_id=pl.col("_max_chain_id") + pl.col("_ordinal"))
        .drop("_ordinal", "_max_chain_id", "_max_record_id")
    )
    record_map = (
        with_key_hash(identities)
        .sort([KEY_HASH, *IDENTITY])
        .with_row_index("_ordinal", offset=1)
        .join(highest, how="cross")
        .with_columns(new_record_id=pl.col("_max_record_id") + pl.col("_ordinal"))
        .drop("_ordinal", "_max_chain_id", "_max_record_id")
    )
    return chain_map, record_map


def with_key_hash(keys: pl.LazyFrame) -> pl.LazyFrame:
    """Add `KEY_HASH`, the stable hash of `chain_key` (the partition's), unless it is there."""
    if KEY_HASH in keys.collect_schema().names():
        return keys
    return with_stable_hash(keys, "chain_key", KEY_HASH)


def number_chains(chained: pl.LazyFrame, existing: pl.LazyFrame | None) -> pl.LazyFrame:
    """Count the chains each number is in (new and existing records of the same chains).

    Over whole chains, so the counts of disjoint partitions add up (`shared_numbers`). Sorted
    by `NUMBER_KEY`, so the numbers of any range of keys are one row range of the counts.
    """
    existing = _identities(existing)
    return (
        pl.concat([chained.select("chain_key", "e164"), existing.select("chain_key", "e164")])
        .unique()
        .group_by("e164")
        .agg(pl.len().cast(pl.Int64).alias("chains"))
        .with_columns(number_key())
        .sort(NUMBER_KEY)
    )


def number_key() -> pl.Expr:
    """Return `NUMBER_KEY` of `e164`, 0 … NUMBER_SPACE-1: a multiplicative hash of its tail.

    Its last nine digits as an integer, times Knuth's constant, modulo 2**32: plain text and
    integer operations (the same in every process, machine and Polars version), whose high
    bits (which equal ranges of the key split by) are spread by every digit, so the ranges
    hold about as many numbers whatever area codes a list has.
    """
    tail = pl.col("e164").str.slice(-9).cast(pl.Int64, strict=False).fill_null(0)
    return (tail * 2_654_435_761 % NUMBER_SPACE).alias(NUMBER_KEY)


def shared_numbers(counts: pl.LazyFrame) -> pl.LazyFrame:
    """Return the numbers in more than one chain, from `number_chains` of any partitions."""
    return (
        counts.group_by("e164")
        .agg(pl.col("chains").sum())
        .filter(pl.col("chains") > 1)
        .select("e164", pl.lit(True).alias("shared_number"))
    )


def with_ids(
    chained: pl.LazyFrame,
    chain_map: pl.LazyFrame,
    record_map: pl.LazyFrame,
    shared: pl.LazyFrame,
) -> pl.LazyFrame:
    """Give `per_chain` output its chain_id, record_id and shared_number; drop work columns."""
    return (
        chained.join(chain_map.select("chain_key", "new_chain_id"), on="chain_key", how="left")
        .join(record_map.select(*IDENTITY, "new_record_id"), on=IDENTITY, how="left")
        .join(shared, on="e164", how="left")
        .with_columns(
            chain_id=pl.coalesce("known_chain_id", "new_chain_id").cast(pl.Int64),
            record_id=pl.coalesce("known_record_id", "new_record_id").cast(pl.Int64),
            shared_number=pl.col("shared_number").fill_null(False),
        )
        .select(*_ID_COLUMNS)
    )


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
        *key_hash_columns(records),
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


def _numbered(identified: pl.LazyFrame, existing: pl.LazyFrame) -> pl.LazyFrame:
    """Add chain_n in dial order; new numbers of a chain already in the list come after."""
    known_max_n = existing.group_by("chain_key").agg(pl.col("chain_n").max().alias("_known_max_n"))
    return (
        identified.join(known_max_n, on="chain_key", how="left")
        .sort(["chain_key", "_rank", "source_row", "phone_index"])
        .with_columns(
            # Sorted by chain key first: a chain's rows are one run.
            chain_n=(run_position(["chain_key"]) + pl.col("_known_max_n").fill_null(0)).cast(
                pl.Int32
            )
        )
        .drop("_known_max_n")
    )
