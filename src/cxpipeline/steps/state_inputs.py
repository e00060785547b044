"""The key of what a list's record state depends on besides its records and results.

The lifecycle is a function of a chain's records and results, the list's effective settings
(limits, treatments, calling hours), the compliance rules, the default zone, the zone data
and its own code. Ingest and results loads keep the state current as records and results
arrive; what else changes it is keyed here, so a morning plan rebuilds the state only when one
of those inputs changed since the last full rebuild (`state_inputs` table).
"""

from __future__ import annotations

import hashlib
import importlib.metadata
import json
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import codes, schemas, treatments, tzdb, warehouse
from cxpipeline.settings import Settings
from cxpipeline.transforms import lifecycle, local_time
from cxpipeline.transforms import treatments as treatment_steps


@dataclass(frozen=True)
class StateDefaults:
    """The home's settings a list's state and windows depend on besides its campaign settings."""

    zone: str = "America/New_York"  # the default window's zone, for zoneless records
    window: tuple[str, ...] = ()  # default window start and end, stop margin (as text)

    @classmethod
    def of(cls, settings: Settings) -> StateDefaults:
        """Those of a home's settings."""
        window = (settings.default_window_start, settings.default_window_end)
        return cls(
            settings.default_window_zone, (*map(str, window), str(settings.stop_margin_minutes))
        )


#: For callers without a home's settings (tests): the default zone of `Settings`.
DEFAULTS = StateDefaults()


@cache
def _code_key() -> str:
    """sha256 of the modules the stored state is computed by (an upgrade rebuilds it once)."""
    digest = hashlib.sha256()
    modules = (codes, treatments, lifecycle, treatment_steps, local_time)
    for path in (*(Path(str(m.__file__)) for m in modules), Path(__file__).with_name("state.py")):
        digest.update(path.read_bytes())
    return digest.hexdigest()


def inputs_keys(con: duckdb.DuckDBPyConnection, defaults: StateDefaults) -> dict[str, str]:
    """Return the inputs key of every contact list, by name."""
    rules = warehouse.whole_table(con, "compliance_rules")
    versions = (tzdb.release(), importlib.metadata.version("holidays"))
    common = hashlib.sha256()
    for part in (_code_key(), *versions, repr(defaults), *sorted(_json_rows(rules))):
        common.update(part.encode())
        common.update(b"\n")
    keys = {}
    for row in warehouse.whole_table(con, "campaign_settings").iter_rows(named=True):
        text = json.dumps(row, sort_keys=True, default=str)
        keys[str(row["list_name"])] = hashlib.sha256(common.digest() + text.encode()).hexdigest()
    return keys


def _json_rows(frame: pl.DataFrame) -> list[str]:
    """Each row of a frame as JSON text: an order-free fingerprint of its content."""
    return [json.dumps(row, sort_keys=True, default=str) for row in frame.iter_rows(named=True)]


def stored_keys(con: duckdb.DuckDBPyConnection) -> dict[str, str]:
    """Return the key each list's state was last rebuilt from, by name."""
    stored = warehouse.whole_table(con, "state_inputs")
    return dict(zip(stored["list_name"].to_list(), stored["inputs_key"].to_list(), strict=True))


def record_rebuilt(con: duckdb.DuckDBPyConnection, keys: dict[str, str], as_of: datetime) -> None:
    """Note that the state of these lists was just rebuilt in full from these inputs."""
    for name in keys:
        warehouse.delete_where(con, "state_inputs", list_name=name)
    rows = pl.DataFrame(
        {"list_name": list(keys), "inputs_key": list(keys.values())},
        schema={"list_name": pl.String, "inputs_key": pl.String},
    ).with_columns(rebuilt_at=pl.lit(as_of).dt.convert_time_zone("UTC"))
    warehouse.insert(con, "state_inputs", schemas.checked(rows, schemas.StateInputs))


def forget_changed(con: duckdb.DuckDBPyConnection, defaults: StateDefaults) -> None:
    """Forget the rebuild of every list whose inputs changed since it (a part was redone).

    A partial refresh (a results load) computes the chains it touches from today's inputs:
    when those differ from the list's last full rebuild, its state is mixed until the next
    rebuild, even if the inputs later change back, so the next plan must rebuild it.
    """
    current = inputs_keys(con, defaults)
    for name, key in stored_keys(con).items():
        if current.get(name) != key:
            warehouse.delete_where(con, "state_inputs", list_name=name)
