"""Property: any generated contact list reconciles exactly through the whole ingest."""

from datetime import datetime

import duckdb
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cxpipeline import generate
from cxpipeline.settings import REPO_ROOT, Settings
from cxpipeline.steps import ingest as ingest_step
from cxpipeline.steps import setup

AS_OF = datetime.fromisoformat("2026-12-01T08:00:00-05:00")


@settings(
    max_examples=6, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(customers=st.integers(min_value=1, max_value=300), seed=st.integers(0, 10_000))
def test_any_generated_list_reconciles(tmp_path_factory, customers, seed):
    home = Settings.build(tmp_path_factory.mktemp("prop"))
    setup.apply_campaigns(home, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
    source = home.home / "list.csv"
    generate.write_contact_list(source, customers, seed)
    summary = ingest_step.ingest(
        home, source, list_name="prop", group="collections_west", as_of=AS_OF, horizon_days=1
    )
    assert summary.rows_read == summary.rows_accepted + summary.rows_rejected
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        (in_records, records, ids, positions) = con.execute(
            "SELECT coalesce(sum(duplicate_count), 0), count(*), count(DISTINCT record_id), "
            "count(DISTINCT (chain_id, chain_n)) FROM contact_records"
        ).fetchall()[0]
        (value_rejects, row_rejects) = con.execute(
            "SELECT count(*) FILTER (kind IN ('phone', 'record')), "
            "count(DISTINCT source_row) FILTER (kind = 'row') FROM rejected_rows"
        ).fetchall()[0]
        runs = con.execute("SELECT rows_read, rows_accepted, rows_rejected FROM ingest_runs")
        run = runs.fetchall()[0]
    assert run == (summary.rows_read, summary.rows_accepted, summary.rows_rejected)
    assert row_rejects == summary.rows_rejected
    assert in_records + value_rejects == summary.phone_values
    assert records == ids == positions == summary.records_written
