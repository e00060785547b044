"""All file reading and writing: inputs read as text columns, outputs written atomically.

The package is that one module split by concern; import it as `from cxpipeline import io` and
use the names below (`io.read_table`, `io.write_parquet`, ...).
"""

from __future__ import annotations

from cxpipeline.io.delimiters import DELIMITERS, sniff_delimiter
from cxpipeline.io.formats import EXCEL_SUFFIXES, PARQUET_SUFFIXES, TEXT_SUFFIXES
from cxpipeline.io.lake import copy_raw, file_sha256
from cxpipeline.io.masking import mask_phone, mask_text
from cxpipeline.io.parquet import read_parquet
from cxpipeline.io.progress_bar import progress
from cxpipeline.io.reading import read_table
from cxpipeline.io.table import RawTable, ReadOptions
from cxpipeline.io.writers import (
    STAGING_COMPRESSION,
    atomic_path,
    made_ahead,
    write_bytes,
    write_csv,
    write_csv_slices,
    write_ipc_buckets,
    write_parquet,
    write_parquet_slices,
    write_staged,
    write_text,
)

__all__ = [
    "DELIMITERS",
    "EXCEL_SUFFIXES",
    "PARQUET_SUFFIXES",
    "STAGING_COMPRESSION",
    "TEXT_SUFFIXES",
    "RawTable",
    "ReadOptions",
    "atomic_path",
    "copy_raw",
    "file_sha256",
    "made_ahead",
    "mask_phone",
    "mask_text",
    "progress",
    "read_parquet",
    "read_table",
    "sniff_delimiter",
    "write_bytes",
    "write_csv",
    "write_csv_slices",
    "write_ipc_buckets",
    "write_parquet",
    "write_parquet_slices",
    "write_staged",
    "write_text",
]
