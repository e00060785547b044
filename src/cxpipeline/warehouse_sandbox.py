"""The connection of ad hoc SQL: the readers' snapshot, sandboxed, read-only, bounded."""

from __future__ import annotations

from typing import Any

import duckdb

from cxpipeline.io import snapshot
from cxpipeline.settings import Settings
from cxpipeline.warehouse import reader_path

#: DuckDB options of an ad hoc query: read only this database, change nothing, load nothing.
SANDBOX_CONFIG: dict[str, Any] = {
    "enable_external_access": False,
    "allow_community_extensions": False,
    "allow_unsigned_extensions": False,
    "autoinstall_known_extensions": False,
    "autoload_known_extensions": False,
    "lock_configuration": True,
}


def connect_sandboxed(settings: Settings) -> duckdb.DuckDBPyConnection:
    """Open the readers' snapshot for ad hoc SQL: no files, no network, no extensions, no SET.

    DuckDB's memory is bounded as a step's is (`Settings.warehouse_memory_mb`): a query's big
    sort or join spills to disk instead of growing with the list (a 3.7 M-record list sorted
    by name: 3.2 GiB unbounded, 0.95 GiB within 512 MB), beside the runs that write.
    """
    published = reader_path(settings)
    megabytes = settings.warehouse_memory_mb
    config = SANDBOX_CONFIG | ({"memory_limit": f"{megabytes}MB"} if megabytes else {})
    with snapshot.opening(settings.warehouse_path):
        return duckdb.connect(str(published), read_only=True, config=config)
