from __future__ import annotations

from pathlib import Path

import polars as pl

from cxpipeline.generate.contact_files import write_contact_list
from cxpipeline.generate.customers import synthetic_customers


def test_write_contact_list_is_deterministic_and_chunked(tmp_path: Path) -> None:
    a = write_contact_list(tmp_path / "a.csv", 2500, seed=9, chunk_rows=1000)
    b = write_contact_list(tmp_path / "b.csv", 2500, seed=9, chunk_rows=1000)
    assert a.read_bytes() == b.read_bytes()
    written = pl.read_csv(a, infer_schema=False)
    expected = pl.concat(
        [
            synthetic_customers(1000, 9, start_client_id=1).collect(),
            synthetic_customers(1000, 9, start_client_id=1001).collect(),
            synthetic_customers(500, 9, start_client_id=2001).collect(),
        ]
    )
    assert written.equals(expected)
    parquet = write_contact_list(
        tmp_path / "a.parquet", 2500, seed=9, chunk_rows=1000, fmt="parquet"
    )
    assert pl.read_parquet(parquet).equals(expected)
