"""Plan step: re-plan the calling windows of stored lists from the warehouse, reading no file.

Windows belong to window keys, and a list has few of them: the distinct keys are read with SQL,
planned with the transform an ingest uses, and written back with set-based statements, so a
list of a million records re-plans in seconds.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import partial
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import campaigns, warehouse, warehouse_memory
from cxpipeline.errors import CxError
from cxpipeline.settings import Settings
from cxpipeline.steps import housekeeping
from cxpipeline.steps.common import as_utc, int_setting
from cxpipeline.steps.state import plan_state
from cxpipeline.steps.state_inputs import StateDefaults
from cxpipeline.transforms import replan, windows


@dataclass(frozen=True)
class _ListPlan:
    """What one list's re-plan writes: new record keys, key windows, first-day windows."""

    list_name: str
    keys: pl.DataFrame
    window_rows: pl.DataFrame
    daily: pl.DataFrame


def plan_windows(
    settings: Settings,
    list_names: Sequence[str] | None,
    *,
    as_of: datetime | None,
    horizon_days: int | None,
) -> dict[str, dict[str, int]]:
    """Re-plan the windows of the named lists (all when None) for a new as-of and horizon.

    Returns per list the keys planned, the windows written and the records with windows.
    """
    as_of_utc = as_utc(as_of)
    horizon = windows.Horizon(as_of=as_of_utc, days=horizon_days or settings.horizon_days)
    con = warehouse.connect(settings)
    try:
        names = _chosen_lists(con, list_names)
        rules = warehouse.whole_table(con, "compliance_rules")
        plans = [_list_plan(settings, con, name, rules, horizon) for name in names]
        # A rebuilt state is staged, then written with one UPDATE per list (steps.state).
        with housekeeping.staging_folder(settings, "plan") as staging:
            state = (StateDefaults.of(settings), staging)
            write = partial(_write_all, con, plans, as_of_utc, state)
            warehouse_memory.within_memory_bound(settings.warehouse_memory_mb, write)
        return {plan.list_name: _counts(con, plan) for plan in plans}
    finally:
        con.close()


def _chosen_lists(con: duckdb.DuckDBPyConnection, list_names: Sequence[str] | None) -> list[str]:
    """Return the lists to plan, in the order given (all lists by name when none are given)."""
    known = warehouse.named_frame(con, "contact_list_names").get_column("name").to_list()
    if list_names is None:
        return known
    for name in list_names:
        if name not in known:
            raise CxError(f"unknown contact list {name!r}", field="--list")
    return list(dict.fromkeys(list_names))


def _list_plan(
    settings: Settings,
    con: duckdb.DuckDBPyConnection,
    list_name: str,
    rules: pl.DataFrame,
    horizon: windows.Horizon,
) -> _ListPlan:
    """Plan one list over its distinct keys, from its records and its current settings."""
    effective = campaigns.effective_settings(con, list_name)
    combinations = warehouse.named_frame(con, "plan_record_combinations", {"list_name": list_name})
    keyed = replan.keyed_combinations(
        combinations, {k: effective.get(k) for k in windows.HOUR_KEYS}
    )
    window_rows = windows.dialable_windows(
        keyed.lazy(),
        rules.lazy(),
        horizon,
        default_window=(
            settings.default_window_start,
            settings.default_window_end,
            settings.default_window_zone,
        ),
        stop_margin=int_setting(effective, "stop_margin_minutes", settings.stop_margin_minutes),
    ).collect()
    daily = replan.key_daily_windows(
        keyed, window_rows, horizon, default_zone=settings.default_window_zone
    )
    keys = keyed.select("tz_candidates", "states", "window_key").unique(
        subset=["tz_candidates", "states"], keep="any"
    )
    return _ListPlan(list_name, keys, window_rows, daily)


def _write_all(
    con: duckdb.DuckDBPyConnection,
    plans: list[_ListPlan],
    as_of_utc: datetime,
    state: tuple[StateDefaults, Path],
    megabytes: int | None,
) -> None:
    """Write every list's plan in one transaction, DuckDB's memory bounded to `megabytes`.

    Bounded, the joins that move schedules into the new windows spill instead of growing
    with the list's records (the 5M list with 93.6 M results: 1.27 GiB unbounded).
    """
    with warehouse_memory.bounded_transaction(con, megabytes, bound_commit=True):
        for plan in plans:
            _write(con, plan, as_of_utc, state)


def _write(
    con: duckdb.DuckDBPyConnection,
    plan: _ListPlan,
    as_of_utc: datetime,
    state: tuple[StateDefaults, Path],
) -> None:
    """Replace the list's key windows and refresh its records' keys and first-day windows.

    `state` is the home's state defaults and the staging folder of a rebuilt state.
    """
    defaults, staging = state
    params = {"list_name": plan.list_name}
    _update(con, "plan_update_window_keys", plan.keys, params)
    _update(con, "plan_update_daily_window", plan.daily, params)
    rows = plan.window_rows.with_columns(list_name=pl.lit(plan.list_name), as_of=pl.lit(as_of_utc))
    warehouse.replace_rows(con, "window_keys", rows, list_name=plan.list_name)
    # Caps and schedules again (a schedule moves to the start of a new window), and the
    # whole state when what it was built from changed.
    plan_state(con, as_of_utc, plan.list_name, defaults=defaults, staging=staging / plan.list_name)


def _update(
    con: duckdb.DuckDBPyConnection, name: str, state: pl.DataFrame, params: dict[str, str]
) -> None:
    """Run a named UPDATE that reads per-key values registered as `_state`."""
    if state.height == 0:
        return
    with warehouse.registered(con, "_state", state):
        con.execute(warehouse.load_sql_statement(name), params)


def _counts(con: duckdb.DuckDBPyConnection, plan: _ListPlan) -> dict[str, int]:
    """Keys planned, windows written and records with windows of one list."""
    with_windows = warehouse.scalar(
        con,
        warehouse.load_sql_statement("plan_records_with_windows"),
        {"list_name": plan.list_name},
    )
    return {
        "keys": plan.keys.get_column("window_key").n_unique(),
        "windows": plan.window_rows.height,
        "records_with_windows": int(with_windows or 0),
    }
