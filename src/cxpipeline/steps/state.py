"""Record state from history: the lifecycle of every record, its windows' cut and caps.

Shared by loading call results (every list) and by ingest (the list just written), so a
refreshed file gives a returning person the history of its record ids at once.
"""

from __future__ import annotations

from datetime import datetime

import duckdb
import polars as pl

from cxpipeline import schemas, treatments, warehouse
from cxpipeline.transforms import lifecycle, windows


def treatment_frame(list_settings: pl.DataFrame) -> pl.DataFrame:
    """Build the treatments frame of each list's effective `treatments` JSON (one per list)."""
    rows = [
        {"list_name": row["list_name"]} | step
        for row in list_settings.select("list_name", "treatments").iter_rows(named=True)
        for step in treatments.treatment_rows(row["treatments"])
    ]
    return pl.DataFrame(rows, schema=lifecycle.TREATMENT_SCHEMA)


#: Chains whose state one pass recomputes: bounds memory however many results a list has.
CHAINS_PER_PASS = 10_000


def refresh_state(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    list_name: str | None = None,
    *,
    default_zone: str = "America/New_York",
    chains: pl.Series | None = None,
) -> None:
    """Recompute record state, attempt-cap holds and schedules of some chains, a list or all.

    `chains` (chain ids, e.g. those a results batch touched) limits the work to them: a
    chain's state depends on its own records and results only, so the others stay as they
    are. The lifecycle runs over all results of the chains, `CHAINS_PER_PASS` at a time; a
    schedule outside every calling window then moves to the start of the next one. Call
    inside the caller's transaction; suppression entries are re-applied in between.
    """
    params = {"list_name": list_name}
    if chains is None:
        chains = warehouse.named_frame(con, "state_chains", params).get_column("chain_id")
        # Holds of chains a refreshed file removed go too, not only those recomputed.
        warehouse.delete_where(
            con, "chain_holds", **({"list_name": list_name} if list_name else {})
        )
    chains = chains.unique().sort()
    settings = warehouse.named_frame(con, "lifecycle_settings", params)
    rules_df = warehouse.whole_table(con, "compliance_rules")
    for start in range(0, chains.len(), CHAINS_PER_PASS):
        some = chains.slice(start, CHAINS_PER_PASS).to_frame("chain_id")
        con.register("_chains", some.to_arrow())
        try:
            _refresh_chains(con, as_of, settings, rules_df, default_zone)
        finally:
            con.unregister("_chains")
    warehouse.reapply_suppression(con)
    con.execute(warehouse.load_sql_statement("adjust_sched_to_windows"), params)


def _refresh_chains(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    list_settings: pl.DataFrame,
    rules_df: pl.DataFrame,
    default_zone: str,
) -> None:
    """Recompute the state and holds of the chains registered as `_chains`."""
    records = warehouse.named_frame(con, "records_of_chains")
    if records.height == 0:
        return
    all_results = warehouse.named_frame(con, "results_of_chains")
    state = lifecycle.record_lifecycle(
        records.lazy(),
        all_results.lazy(),
        list_settings.drop("treatments").lazy(),
        treatment_frame(list_settings).lazy(),
        default_zone=default_zone,
    ).collect()
    warehouse.update_record_state(con, state)
    _write(con, "update_record_agents", state.select("record_id", "agent_id"))
    holds = windows.attempt_cap_holds(
        all_results.lazy(), records.lazy(), rules_df.lazy(), as_of
    ).collect()
    con.execute(warehouse.load_sql_statement("delete_chain_holds"))
    warehouse.insert(con, "chain_holds", schemas.checked(holds, schemas.ChainHold))


def _write(con: duckdb.DuckDBPyConnection, statement: str, data: pl.DataFrame) -> None:
    """Run a named statement over a frame registered as `_state`."""
    con.register("_state", data.to_arrow())
    try:
        con.execute(warehouse.load_sql_statement(statement))
    finally:
        con.unregister("_state")
