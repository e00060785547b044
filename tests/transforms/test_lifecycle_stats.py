from datetime import UTC, datetime, timedelta

import polars as pl

from cxpipeline.transforms.lifecycle_stats import (
    lifecycle_measures,
    with_group_measures,
    with_list_measures,
)
from cxpipeline.transforms.result_summaries import per_record

AS_OF = datetime(2026, 7, 1, 12, tzinfo=UTC)
NOW = int(AS_OF.timestamp())
#: Each list's as-of, as the statistics step gives it.
AS_OFS = pl.LazyFrame({"list_name": ["L"], "as_of": [AS_OF]})


def _records():
    # chain 1: finished (answer + chain updated); chain 2: a callback due and a retry later;
    # chain 3: one No Call record that was attempted, one ready record.
    rows = [
        (1, 1, 2, 3, None),
        (2, 1, 2, 7, None),
        (3, 2, 6, 1, NOW - 60),
        (4, 2, 3, 1, NOW + 3600),
        (5, 3, 7, 1, None),
        (6, 3, 2, 1, None),
    ]
    return pl.LazyFrame(
        {
            "list_name": ["L"] * len(rows),
            "record_id": [r[0] for r in rows],
            "chain_id": [r[1] for r in rows],
            "record_type": [r[2] for r in rows],
            "record_status": [r[3] for r in rows],
            "dial_sched_time": [r[4] for r in rows],
        }
    )


def _results():
    rows = [(1, 1, 33, 120.0), (1, 1, 33, 30.0), (3, 2, 33, 45.0), (4, 2, 6, 0.0), (5, 3, 51, 5.0)]
    return pl.LazyFrame(
        {
            "list_name": ["L"] * len(rows),
            "record_id": [r[0] for r in rows],
            "chain_id": [r[1] for r in rows],
            "call_result": [r[2] for r in rows],
            "duration_s": [r[3] for r in rows],
            "call_time_utc": [AS_OF] * len(rows),
        }
    )


def _summed():
    """The results summed up per record, as the statistics step reads them."""
    return per_record(_results())


def test_lifecycle_measures_by_hand():
    m = lifecycle_measures(_records(), _summed(), AS_OFS).collect().row(0, named=True)
    assert m["right_party_contacts"] == 2  # chains 1 and 2, chain 1 counted once
    assert m["talk_time_s"] == 195.0  # answers only
    assert m["chains_finished"] == 1
    assert (m["callbacks_pending"], m["callbacks_due"]) == (1, 1)
    assert (m["records_waiting_retry"], m["records_ready_now"]) == (1, 2)  # 4; 3 and 6
    assert m["attempted_dialable_records"] == 3  # 1, 3, 4 (5 is No Call)


def test_each_list_is_measured_at_its_own_as_of():
    # The same records in list M, planned an hour later: the retry of record 4 is due there.
    ids = [pl.lit("M").alias("list_name"), pl.col("record_id") + 100, pl.col("chain_id") + 100]
    both = pl.concat([_records(), _records().with_columns(ids)])
    summed = pl.concat([_summed(), _summed().with_columns(ids)])
    as_ofs = pl.LazyFrame({"list_name": ["L", "M"], "as_of": [AS_OF, AS_OF + timedelta(hours=1)]})
    rows = lifecycle_measures(both, summed, as_ofs).collect().sort("list_name")
    assert rows["records_waiting_retry"].to_list() == [1, 0]
    assert rows["records_ready_now"].to_list() == [2, 3]
    assert rows["callbacks_due"].to_list() == [1, 1]


def test_penetration_uses_one_population_and_the_abandon_flag_uses_the_limit():
    per_list = pl.LazyFrame(
        {
            "list_name": ["L", "M"],
            "campaign_group": ["G", "G"],
            "dialable_records": [5, 0],
            "abandon_rate": [0.04, None],
        }
    )
    measures = lifecycle_measures(_records(), _summed(), AS_OFS)
    limits = pl.LazyFrame({"list_name": ["L", "M"], "abandon_limit": [0.05, 0.03]})
    rows = with_list_measures(per_list, measures, limits).collect().sort("list_name")
    assert rows["penetration"].to_list() == [3 / 5, None]
    assert rows["abandon_over_limit"].to_list() == [False, False]
    assert rows.filter(pl.col("list_name") == "M")["chains_finished"].to_list() == [0]
    group = pl.LazyFrame({"campaign_group": ["G"], "dialable_records": [5], "abandon_rate": [0.04]})
    g = with_group_measures(group, rows.lazy(), limits).collect().row(0, named=True)
    # The strictest list limit (3 %) binds the group.
    assert (g["abandon_over_limit"], g["penetration"], g["talk_time_s"]) == (True, 0.6, 195.0)
