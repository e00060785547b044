"""Suite-wide fixtures: a new warehouse starts as a copy of one migrated file per worker.

The suite makes several hundred homes, and migrating each new warehouse file (every relation's
DDL and ~500 `COMMENT ON` statements, one catalog change each) cost ~0.6 s of it. The copy is
the file `warehouse.migrate` made once per worker with the seed rules stored, taken under the
home's write lock as `warehouse.connect` would create it; `tests/test_warehouse.py` and
`tests/campaigns` migrate files themselves, so the migration keeps its own tests.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import duckdb
import pytest

from cxpipeline import rules, warehouse
from cxpipeline.io import home_lock


@pytest.fixture(scope="session", autouse=True)
def new_warehouses_copy_a_migrated_one(tmp_path_factory) -> Iterator[Path]:
    template = tmp_path_factory.mktemp("migrated") / "warehouse.duckdb"
    with duckdb.connect(str(template)) as con:
        warehouse.migrate(con)
        # What a writer's first connection stores in a new file (warehouse._seed_rules).
        rules.store_rules(con, rules.load_rules())
    real_connect = warehouse.connect

    def connect(settings, *, read_only: bool = False):
        path = settings.warehouse_path
        if not path.exists():
            settings.home.mkdir(parents=True, exist_ok=True)
            with home_lock.home_lock(settings.home, settings.write_lock_timeout_seconds):
                if not path.exists():
                    shutil.copyfile(template, path)
        return real_connect(settings, read_only=read_only)

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(warehouse, "connect", connect)
        yield template
