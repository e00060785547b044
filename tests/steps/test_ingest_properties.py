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


def _ids_and_windows(home: Settings) -> tuple[dict, dict]:
    with duckdb.connect(str(home.warehouse_path), read_only=True) as con:
        ids = {
            (c, n, e): (r, ch)
            for c, n, e, r, ch in con.execute(
                "SELECT client_id, contact_info, extension, record_id, chain_id "
                "FROM contact_records"
            ).fetchall()
        }
        windows = {}
        for r, s, e, rule in con.execute(
            "SELECT record_id, window_start_utc, window_end_utc, rule FROM dialable_windows"
        ).fetchall():
            windows.setdefault(r, []).append((s, e, rule))
    return ids, {r: sorted(w) for r, w in windows.items()}


@settings(
    max_examples=3, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(customers=st.integers(min_value=5, max_value=120), seed=st.integers(0, 10_000))
def test_any_row_order_gives_the_same_ids_and_windows(tmp_path_factory, customers, seed):
    import polars as pl

    folder = tmp_path_factory.mktemp("perm")
    source = generate.write_contact_list(folder / "list.csv", customers, seed)
    rows = pl.read_csv(source, infer_schema=False)
    # Rows without a client id are keyed by their own row: only rows with one are permuted.
    keyed = rows.filter(pl.col("client_id").is_not_null())
    shuffled = folder / "shuffled.csv"
    keyed.sample(fraction=1.0, shuffle=True, seed=seed).write_csv(shuffled)
    in_order = folder / "in_order.csv"
    keyed.write_csv(in_order)
    found = []
    for name, path in (("a", in_order), ("b", shuffled)):
        home = Settings.build(folder / name)
        setup.apply_campaigns(home, REPO_ROOT / "data" / "sample" / "campaigns.yaml")
        ingest_step.ingest(
            home, path, list_name="perm", group="collections_west", as_of=AS_OF, horizon_days=1
        )
        found.append(_ids_and_windows(home))
    assert found[0] == found[1]
    assert found[0][0]  # the list has records
