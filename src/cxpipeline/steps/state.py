"""Record state from history: the lifecycle of every record, its windows' cut and caps.

Shared by loading call results (every list) and by ingest (the list just written), so a
refreshed file gives a returning person the history of its record ids at once.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any

import duckdb
import polars as pl

from cxpipeline import io, schemas, treatments, warehouse, warehouse_files
from cxpipeline.errors import CxError
from cxpipeline.steps import state_inputs
from cxpipeline.transforms import lifecycle, windows


def treatment_frame(list_settings: pl.DataFrame) -> pl.DataFrame:
    """Build the treatments frame of each list's effective `treatments` JSON (one per list)."""
    rows = [
        {"list_name": row["list_name"]} | step
        for row in list_settings.select("list_name", "treatments").iter_rows(named=True)
        for step in treatments.treatment_rows(row["treatments"])
    ]
    return pl.DataFrame(rows, schema=lifecycle.TREATMENT_SCHEMA)


#: Record-state columns the lifecycle recomputes (written back by update_record_state.sql).
STATE_COLUMNS = (
    "attempt",
    "call_result",
    "call_time",
    "record_status",
    "record_type",
    "dial_sched_time",
    "no_call_reason",
)

#: Records whose staged state one UPDATE writes (a staged refresh): larger UPDATEs hold less
#: of DuckDB's memory than a pass's small ones, and ranges of them less than one for all.
STATE_ROWS_PER_UPDATE = 1_000_000

#: Chains whose state the first pass recomputes; the next passes take as many chains as hold
#: about `STATE_ROWS_PER_PASS` records and results together at the rate of the pass before
#: (within the bounds below): a pass's memory follows the rows it reads, however many a chain
#: has (500k list, 2.7 results per record: ~21,000 chains a pass, rebuilt in 12.6 s within
#: 455 MiB, against 15.4 s in passes of 10,000 chains; 10 per record: ~7,000 chains).
CHAINS_PER_PASS = 10_000
STATE_ROWS_PER_PASS = 150_000
CHAINS_PER_PASS_BOUNDS = (1_000, 100_000)

#: Recomputed chains up to this many are settled by their ids, more by their lists: binding
#: a long id list costs more than reading a list (300,000 ids 1.2 s; a list's 3.7 M records
#: 0.55 s, its 3,851 chains of a results batch 0.08 s).
SETTLE_BY_IDS = 50_000


def refresh_state(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    list_name: str | None = None,
    *,
    defaults: state_inputs.StateDefaults = state_inputs.DEFAULTS,
    chains: pl.Series | None = None,
    staging: Path | None = None,
) -> None:
    """Recompute record state, attempt-cap holds and schedules of some chains, a list or all.

    `chains` (chain ids, e.g. those a results batch touched) limits the work to them: a
    chain's state depends on its own records and results only, so the others stay as they
    are. The lifecycle runs over all results of the chains, a pass of chains at a time
    (`CHAINS_PER_PASS`, then sized by `STATE_ROWS_PER_PASS`); a schedule outside every
    calling window then moves to the start of the next one. Call
    inside the caller's transaction; suppression entries are re-applied in between, to the
    lists recomputed (a caller adding entries applies them to the others). A full
    rebuild notes its inputs key (`state_inputs`); a partial one forgets the notes its inputs
    no longer match, so the next plan rebuilds those lists.

    With a `staging` folder the passes' states are staged there as files and written at the
    end, one UPDATE per STATE_ROWS_PER_UPDATE records: DuckDB holds an UPDATE's values in
    memory until the COMMIT, and few large UPDATEs hold about half of what many small ones
    do (9.3 M records: 467 against 1,012 MiB before the COMMIT).
    """
    params = {"list_name": list_name}
    full = chains is None
    if chains is None:
        chains = warehouse.named_frame(con, "state_chains", params).get_column("chain_id")
        # Holds of chains a refreshed file removed go too, not only those recomputed.
        warehouse.delete_where(con, "chain_holds", **{k: v for k, v in params.items() if v})
    chains = chains.unique().sort()
    settings = warehouse.named_frame(con, "lifecycle_settings", params)
    rules_df = warehouse.whole_table(con, "compliance_rules")
    staged: list[tuple[Path, int]] = []
    start, size = 0, CHAINS_PER_PASS
    while start < chains.len():
        some = chains.slice(start, size).to_frame("chain_id")
        with warehouse.registered(con, "_chains", some):
            state, rows_read = _refresh_chains(con, as_of, some, settings, rules_df, defaults.zone)
        start, size = start + size, _next_pass_chains(size, rows_read)
        if state is None:
            continue
        if staging is None:
            with warehouse.registered(con, "_state", state):
                _write_state(con)
        else:
            path = io.write_staged(state, staging / f"state-{start:012d}.parquet")
            staged.append((path, state.height))
    for batch in _batches(staged, STATE_ROWS_PER_UPDATE):
        with warehouse_files.registered_files(con, "_state", batch):
            _write_state(con)
    _settle_recomputed(con, list_name, None if full else chains)
    if not full:
        state_inputs.forget_changed(con, defaults)
        return
    keys = state_inputs.inputs_keys(con, defaults)
    rebuilt = {name: key for name, key in keys.items() if list_name in (None, name)}
    state_inputs.record_rebuilt(con, rebuilt, as_of)


def _next_pass_chains(chains: int, rows: int) -> int:
    """Chains for the next pass: about `STATE_ROWS_PER_PASS` rows at this pass's rate.

    A pass that read nothing tells no rate: the next one keeps its size.
    """
    if rows == 0:
        return chains
    low, high = CHAINS_PER_PASS_BOUNDS
    wanted = chains * STATE_ROWS_PER_PASS // rows
    return max(low, min(high, wanted))


def plan_state(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    list_name: str,
    *,
    defaults: state_inputs.StateDefaults,
    staging: Path | None = None,
) -> bool:
    """Bring a list's state to a new as-of and its new windows; True when it was rebuilt.

    The lifecycle does not depend on the as-of, and ingest and results loads keep it current,
    so the state is rebuilt from the whole history only when the list's settings, the rules,
    the home's window defaults or the code changed since its last rebuild (`steps.state_inputs`).
    Otherwise only what moves with time is redone: the attempt-cap holds, the suppression
    entries in force and the schedules that now fall outside every window. A rebuild stages
    its state in `staging` (see `refresh_state`).
    """
    current = state_inputs.inputs_keys(con, defaults).get(list_name)
    if current is None or state_inputs.stored_keys(con).get(list_name) != current:
        refresh_state(con, as_of, list_name, defaults=defaults, staging=staging)
        return True
    _list_holds(con, as_of, list_name)
    _settle(con, {"list_name": list_name, "chains": None})
    return False


def _list_holds(con: duckdb.DuckDBPyConnection, as_of: datetime, list_name: str) -> None:
    """Replace a list's attempt-cap holds by those in force at `as_of`, from its recent calls."""
    warehouse.delete_where(con, "chain_holds", list_name=list_name)
    rules = warehouse.whole_table(con, "compliance_rules")
    since = windows.cap_lookback(rules, as_of)
    params = {"list_name": list_name, "since": since, "as_of": as_of}
    calls = warehouse.named_frame(con, "list_cap_calls", params)
    if calls.height == 0:
        return
    records = warehouse.named_frame(con, "list_cap_records", params)
    holds = windows.attempt_cap_holds(calls.lazy(), records.lazy(), rules, as_of).collect()
    warehouse.insert(con, "chain_holds", schemas.checked(holds, schemas.ChainHold))


def _lists_of(con: duckdb.DuckDBPyConnection, chains: pl.Series) -> list[str]:
    """Return the names of the lists holding `chains` (none when there are none)."""
    if chains.is_empty():
        return []
    bounds = {"lo": chains.min(), "hi": chains.max()}
    with warehouse.registered(con, "_chains", chains.to_frame("chain_id")):
        return warehouse.named_frame(con, "lists_of_chains", bounds)["list_name"].to_list()


def _settle_recomputed(
    con: duckdb.DuckDBPyConnection, list_name: str | None, chains: pl.Series | None
) -> None:
    """Settle what a refresh recomputed: a list (None: all), else `chains` by id or by list.

    Only that: the other records' marks and schedules did not move.
    """
    if chains is None:
        _settle(con, {"list_name": list_name, "chains": None})
    elif chains.len() > SETTLE_BY_IDS:
        for name in _lists_of(con, chains):
            _settle(con, {"list_name": name, "chains": None})
    else:
        _settle(con, {"list_name": None, "chains": chains.to_list()})


def _settle(con: duckdb.DuckDBPyConnection, params: dict[str, Any]) -> None:
    """Re-apply the suppression entries, then move schedules into the records' windows.

    Both for the records of `params["list_name"]` (None: every list) and of the chain ids
    `params["chains"]` (None: every chain): the records whose state was not recomputed match
    every entry already (adding entries re-applies them to all) and have settled schedules.
    """
    # The statement itself, not warehouse.reapply_suppression: nobody needs its per-list
    # counts here, and they cost two scans of every list's records per results load.
    con.execute(warehouse.load_sql_statement("reapply_suppression"), {**params, "since": None})
    con.execute(warehouse.load_sql_statement("adjust_sched_to_windows"), params)


def _refresh_chains(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    chains: pl.DataFrame,
    list_settings: pl.DataFrame,
    rules_df: pl.DataFrame,
    default_zone: str,
) -> tuple[pl.DataFrame | None, int]:
    """Recompute the state and holds of the chains registered as `_chains` (`chains`).

    Writes the holds; returns the records' new state (None when the chains have no records)
    and the count of records and results read.
    """
    # Ranges beside the id lists let DuckDB skip the row groups outside them (see the SQL).
    bounds = {"lo": chains["chain_id"].min(), "hi": chains["chain_id"].max()}
    records = warehouse.named_frame(con, "records_of_chains", bounds)
    if records.height == 0:
        return None, 0
    ids = {"first": records["record_id"].min(), "last": records["record_id"].max()}
    all_results = warehouse.named_frame(con, "results_of_chains", bounds | ids)
    _check_result_keys(all_results)
    state = lifecycle.record_lifecycle(
        records.lazy(),
        all_results.lazy(),
        list_settings.drop("treatments").lazy(),
        treatment_frame(list_settings).lazy(),
        default_zone=default_zone,
    ).collect()
    holds = windows.attempt_cap_holds(
        all_results.lazy(), records.lazy(), rules_df.lazy(), as_of
    ).collect()
    con.execute(warehouse.load_sql_statement("delete_chain_holds"))
    warehouse.insert(con, "chain_holds", schemas.checked(holds, schemas.ChainHold))
    return state.select(
        "record_id", *STATE_COLUMNS, "agent_id"
    ), records.height + all_results.height


def _batches(files: list[tuple[Path, int]], rows: int) -> list[list[Path]]:
    """Group files (with their row counts) in order into batches of about `rows` rows."""
    batches: list[list[Path]] = []
    held = 0
    for path, height in files:
        if not batches or (held and held + height > rows):
            batches.append([])
            held = 0
        batches[-1].append(path)
        held += height
    return batches


def _write_state(con: duckdb.DuckDBPyConnection) -> None:
    """Write the recomputed state registered as `_state` back to contact_records."""
    con.execute(warehouse.load_sql_statement("update_record_state"))
    con.execute(warehouse.load_sql_statement("update_record_agents"))


def _check_result_keys(chain_results: pl.DataFrame) -> None:
    """Refuse (roll back) a load that left two results of a chain with one `result_key`.

    The key is a hash of the record, time and result, so a repeat is a repeat within a chain:
    checked here, pass by pass over the results of the touched chains' current records,
    instead of by a unique index on call_results (call_results.sql says why). Loads keep
    only keys their records have not stored; this is the guard.
    """
    repeated = chain_results.get_column("result_key").is_duplicated().sum()
    if repeated:
        raise CxError(
            f"call results: a result_key shared by two results ({repeated:,}); nothing was loaded"
        )
