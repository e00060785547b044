"""Scale-out: a local 2-worker Dask cluster gives the single-process output row for row.

The chunks' row-local stages and the partitions' per-chain stages and shaping run on the
workers; the single-process run here takes one partition, the Dask run one per chunk.
"""

from datetime import datetime

import duckdb
import polars as pl
from polars.testing import assert_frame_equal

from cxpipeline import generate
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import setup
from cxpipeline.steps.ingest import ingest
from cxpipeline.steps.scale_out import dask_executor

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")
PATHS = ("source_file", "original_file")


def table(settings: Settings, sql: str) -> pl.DataFrame:
    with duckdb.connect(str(settings.warehouse_path), read_only=True) as con:
        frame = con.sql(sql).pl()
    return frame.drop([c for c in PATHS if c in frame.columns])


def test_dask_workers_give_the_same_list_as_one_process(tmp_path):
    source = generate.write_contact_list(tmp_path / "list.csv", 1_200, 7)
    homes = []
    for name in ("one", "dask"):
        settings = Settings.build(tmp_path / name)
        setup.apply_campaigns(settings, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
        homes.append(settings)
    one, dask = homes
    single = ingest(
        one,
        source,
        list_name="big",
        group="collections_east",
        as_of=AS_OF,
        chunk_rows=250,
        partitions=1,
    )
    with dask_executor(workers=2) as executor:
        spread = ingest(
            dask,
            source,
            list_name="big",
            group="collections_east",
            as_of=AS_OF,
            chunk_rows=250,
            executor=executor,
        )
    assert vars(single) == vars(spread)
    for sql in (
        "SELECT * FROM contact_records ORDER BY record_id",
        "SELECT * FROM rejected_rows ORDER BY run_id, source_row, kind, field, reason",
        "SELECT * FROM window_keys ORDER BY window_key, window_start_utc",
        "SELECT * EXCLUDE (first_seen_at) FROM record_identities ORDER BY record_id",
    ):
        assert_frame_equal(table(one, sql), table(dask, sql))
    # The lake's contacts file as written, row for row (both sorted by record_id).
    lake = [
        pl.read_parquet(s.lake / "contacts" / "list=big" / f"{single.run_id}.parquet").drop(
            PATHS, strict=False
        )
        for s in homes
    ]
    assert lake[0].height > 1_000
    assert_frame_equal(lake[0], lake[1])
