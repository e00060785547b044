"""Scale-out: run the jobs of an ingest on a Dask cluster (an address, or a local one).

The row-local stages of each chunk, and the per-chain stage and the shaping of each partition
(by chain key), run on the workers and write their Parquet parts under the run's staging
folder, so workers must see the home's files (one machine, or a shared file system). Planning
(per distinct key), numbering the new ids (over the new keys, in key order) and the warehouse
commit stay in the calling process: the embedded DuckDB store takes one writer at a time.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator

from cxpipeline.steps.ingest_chunks import Executor


@contextlib.contextmanager
def dask_executor(address: str | None = None, workers: int = 2) -> Iterator[Executor]:
    """Yield an executor on the Dask scheduler at `address`, or on a local cluster of workers."""
    from distributed import Client, LocalCluster

    cluster = None
    if address is None:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True, dashboard_address=None
        )
    client = Client(address or cluster)
    try:
        yield client.get_executor()
    finally:
        client.close()
        if cluster is not None:
            cluster.close()
