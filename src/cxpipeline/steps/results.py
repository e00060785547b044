"""Call-results step: validate a results file, load new results, update state, DNC and caps.

Statistics are a step of their own (`steps.statistics`): callers run it after this one.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import duckdb
import polars as pl

from cxpipeline import io, schemas, warehouse
from cxpipeline.codes import CallResult
from cxpipeline.errors import CxError, InputError
from cxpipeline.settings import Settings
from cxpipeline.steps.common import as_utc
from cxpipeline.steps.setup import prepare_warehouse
from cxpipeline.transforms import result_batches, results, suppression, windows
from cxpipeline.transforms import suppression_files as supp_files


def load_results(
    settings: Settings, path: Path, *, as_of: datetime | None = None
) -> dict[str, int]:
    """Ingest call results, update record state and attempt caps (same file twice: no-op)."""
    path = Path(path)
    if not path.exists():
        raise InputError("file not found", file=str(path))
    prepare_warehouse(settings)
    table = io.read_table(path, io.ReadOptions())
    try:
        parsed = results.parsed_call_results(table.frame).collect()
    except CxError as exc:
        raise exc.at_file(str(path)) from None
    con = warehouse.connect(settings)
    try:
        records = warehouse.named_frame(con, "records_for_results")
        previous = warehouse.whole_table(con, "call_results")
        joined = results.call_results(
            parsed.lazy(), records.drop("retry_interval_minutes").lazy(), previous=previous.lazy()
        ).collect()
        fresh = result_batches.new_results(joined, previous).with_columns(
            source_file=pl.lit(str(path)), loaded_at=pl.lit(datetime.now(UTC))
        )
        loaded, invalid = schemas.validated(fresh, schemas.CallResultRow)
        with warehouse.transaction(con):
            warehouse.insert(con, "call_results", loaded)
            _update_state(con, records, as_utc(as_of))
    finally:
        con.close()
    rejects = pl.concat(
        [result_batches.result_rejects(table.rejects, parsed, joined), invalid],
        how="vertical_relaxed",
    )
    known = joined.filter(~pl.col("unknown_record")).height
    return {
        "rows_read": table.rows_read,
        "results_loaded": loaded.height,
        "already_loaded": known - fresh.height,
        "rows_rejected": rejects.height,
    }


def _update_state(con: duckdb.DuckDBPyConnection, records: pl.DataFrame, as_of: datetime) -> None:
    """Recompute record state, the Do Not Call list and attempt-cap holds from all results."""
    all_results = warehouse.whole_table(con, "call_results")
    # The retry interval is a list setting: state is computed list by list.
    for (retry,), part in records.group_by(["retry_interval_minutes"]):
        state = results.record_state(
            part.drop("retry_interval_minutes").lazy(),
            all_results.lazy(),
            retry_interval_minutes=int(retry or 60),
        ).collect()
        warehouse.update_record_state(con, state)
    dnc = all_results.filter(pl.col("call_result") == int(CallResult.DO_NOT_CALL)).join(
        records.select("record_id", "contact_info"), on="record_id"
    )
    entries = schemas.checked(
        supp_files.dnc_result_entries(
            dnc.lazy(), suppression.DNC_RESULTS_LIST, datetime.now(UTC)
        ).collect(),
        schemas.SuppressionEntry,
    )
    warehouse.replace_rows(
        con, "suppression_entries", entries, suppression_list=suppression.DNC_RESULTS_LIST
    )
    warehouse.reapply_suppression(con)
    rules_df = warehouse.whole_table(con, "compliance_rules")
    holds = windows.attempt_cap_holds(
        all_results.lazy(), records.lazy(), rules_df.lazy(), as_of
    ).collect()
    warehouse.replace_rows(con, "chain_holds", schemas.checked(holds, schemas.ChainHold))
