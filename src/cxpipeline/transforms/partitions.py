"""Partitions of a list by chain key: ranges of a stable hash, so no chain spans two partitions.

A partition is a range of the 32-bit hash (not the hash modulo the count), and new ids are
numbered in hash order (`chains.new_ids`), so on a list's first day each partition's new ids
are one block: the commit's merge of the partitions into one file sorted by id then meets one
or two parts per slice instead of every part.

`Expr.hash` is documented as stable only within one Polars version, and the parts of one list
may be split on different machines (Dask workers); so the partition comes from a hash defined
here with plain text and integer operations whose results do not depend on the version,
process or machine: the same key lands in the same partition everywhere.
"""

from __future__ import annotations

import polars as pl

#: The hash's values are 0 ... HASH_SPACE - 1.
HASH_SPACE = 2**32
#: The column `chains.new_ids` orders new keys by (the chain key's stable hash).
KEY_HASH = "_key_hash"
#: A prime below 2**31: every term and the sum stay far from 64-bit overflow.
_PRIME = 2_147_483_647
#: Hex digits per slice (7 bytes, 56 bits), slices taken from the start and from the end.
_SLICE = 14
_HEAD_SLICES = 8
_TAIL_SLICES = 2


def with_stable_hash(frame: pl.LazyFrame, key: str, name: str = "_hash") -> pl.LazyFrame:
    """Add `name`, a 32-bit hash of the text column `key`: the same in every process and version.

    The key's UTF-8 bytes as hex are cut into slices of 7 bytes: the first eight and the last
    two (they overlap for a short key). h = (length + sum of slice_i * c_i) mod (2**31 - 1),
    with c_i = (i * 2654435761 + 97) mod (2**31 - 1); then the murmur3 finaliser (fmix32)
    spreads the bits. Bytes 57 to len-15 of a key longer than 70 bytes are not looked at:
    keys that differ only there share a partition (harmless: only balance depends on it).
    """
    text = pl.col(key).fill_null("")
    hexed = pl.col("_hex")
    slices = [hexed.str.slice(i * _SLICE, _SLICE) for i in range(_HEAD_SLICES)] + [
        hexed.str.slice(-(j + 1) * _SLICE, _SLICE) for j in range(_TAIL_SLICES)
    ]
    terms = [
        (part.str.to_integer(base=16, strict=False).fill_null(0).cast(pl.UInt64) % _PRIME)
        * ((i * 2_654_435_761 + 97) % _PRIME)
        % _PRIME
        for i, part in enumerate(slices)
    ]
    h = pl.col(name)
    # One step per with_columns: an expression that used h twice would compute it twice.
    return (
        frame.with_columns(_hex=text.str.encode("hex"))
        .with_columns(
            ((pl.sum_horizontal(terms) + text.str.len_bytes().cast(pl.UInt64)) % _PRIME).alias(name)
        )
        .drop("_hex")
        .with_columns(h.xor(h // 2**16))
        .with_columns((h * 0x85EBCA6B) % 2**32)
        .with_columns(h.xor(h // 2**13))
        .with_columns((h * 0xC2B2AE35) % 2**32)
        .with_columns(h.xor(h // 2**16))
    )


def partitioned(frame: pl.LazyFrame, key: str, partitions: int) -> pl.LazyFrame:
    """Add `_part`, the partition (0 … partitions-1) of each row's `key`: its hash's range.

    Rows of one key share a partition, whatever process, machine or chunk computes it; the
    partition of hash h is floor(h * partitions / HASH_SPACE) (`hash_range` inverts it).
    """
    return with_stable_hash(frame, key, "_part").with_columns(
        part_of_hash(pl.col("_part"), partitions)
    )


def part_of_hash(hashed: pl.Expr, partitions: int) -> pl.Expr:
    """Return the partition (Int32, 0 … partitions-1) of a `with_stable_hash` value."""
    if partitions < 1:
        raise ValueError(f"partitions must be at least 1, not {partitions}")
    return (hashed * partitions // HASH_SPACE).cast(pl.Int32)


def hash_range(index: int, partitions: int) -> tuple[int, int]:
    """Return the hashes [low, high) that `partitioned` puts in partition `index`."""
    # h is in partition p when p * SPACE <= h * P < (p + 1) * SPACE, i.e. h >= ceil(p * SPACE / P).
    return -(-index * HASH_SPACE // partitions), -(-(index + 1) * HASH_SPACE // partitions)
