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


def refresh_state(
    con: duckdb.DuckDBPyConnection,
    as_of: datetime,
    list_name: str | None = None,
    *,
    default_zone: str = "America/New_York",
) -> None:
    """Recompute record state, attempt-cap holds and schedules of one list (or all).

    The lifecycle runs over all results; a schedule outside every calling window then moves
    to the start of the next one. Call inside the caller's transaction; suppression entries
    are re-applied in between.
    """
    params = {"list_name": list_name}
    records = warehouse.named_frame(con, "records_for_results", params)
    all_results = warehouse.whole_table(con, "call_results")
    list_settings = warehouse.named_frame(con, "lifecycle_settings", params)
    state = lifecycle.record_lifecycle(
        records.lazy(),
        all_results.lazy(),
        list_settings.drop("treatments").lazy(),
        treatment_frame(list_settings).lazy(),
        default_zone=default_zone,
    ).collect()
    warehouse.update_record_state(con, state)
    _write(con, "update_record_agents", state.select("record_id", "agent_id"))
    warehouse.reapply_suppression(con)
    rules_df = warehouse.whole_table(con, "compliance_rules")
    holds = windows.attempt_cap_holds(
        all_results.lazy(), records.lazy(), rules_df.lazy(), as_of
    ).collect()
    holds = schemas.checked(holds, schemas.ChainHold)
    if list_name is None:
        warehouse.replace_rows(con, "chain_holds", holds)
    else:
        warehouse.replace_rows(con, "chain_holds", holds, list_name=list_name)
    con.execute(warehouse.load_sql_statement("adjust_sched_to_windows"), params)


def _write(con: duckdb.DuckDBPyConnection, statement: str, data: pl.DataFrame) -> None:
    """Run a named statement over a frame registered as `_state`."""
    con.register("_state", data.to_arrow())
    try:
        con.execute(warehouse.load_sql_statement(statement))
    finally:
        con.unregister("_state")
