"""Record state from history: attempts, last result, status, Do Not Call and attempt caps.

Shared by loading call results (every list) and by ingest (the list just written), so a
refreshed file gives a returning person the history of its record ids at once.
"""

from __future__ import annotations

from datetime import datetime

import duckdb

from cxpipeline import schemas, warehouse
from cxpipeline.transforms import results, windows


def refresh_state(
    con: duckdb.DuckDBPyConnection, as_of: datetime, list_name: str | None = None
) -> None:
    """Recompute record state and attempt-cap holds of one list (or all) from all results.

    Call inside the caller's transaction; suppression entries are re-applied afterwards.
    """
    records = warehouse.named_frame(con, "records_for_results", {"list_name": list_name})
    all_results = warehouse.whole_table(con, "call_results")
    # The retry interval is a list setting: state is computed per interval.
    for (retry,), part in records.group_by(["retry_interval_minutes"]):
        state = results.record_state(
            part.drop("retry_interval_minutes").lazy(),
            all_results.lazy(),
            retry_interval_minutes=int(retry or 60),
        ).collect()
        warehouse.update_record_state(con, state)
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
