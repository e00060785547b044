"""Run digest: what a run rejected by reason and what is dialable in the day ahead (no numbers)."""

from __future__ import annotations

from datetime import datetime, timedelta

from cxpipeline import warehouse
from cxpipeline.settings import Settings
from cxpipeline.steps.common import as_utc


def run_digest(
    settings: Settings, run_ids: list[str], as_of: datetime | None
) -> dict[str, list[dict[str, object]]]:
    """Return the runs' rejects by reason and, per list, the records dialable in the next 24 h."""
    start = as_utc(as_of)
    con = warehouse.connect(settings, read_only=True)
    try:
        rejects = warehouse.fetch_dicts(
            con, warehouse.load_sql_statement("rejects_by_reason"), {"run_ids": run_ids}
        )
        dialable = warehouse.fetch_dicts(
            con,
            warehouse.load_sql_statement("dialable_between"),
            {"start": start, "end": start + timedelta(days=1)},
        )
    finally:
        con.close()
    return {"rejects": rejects, "dialable": dialable}
