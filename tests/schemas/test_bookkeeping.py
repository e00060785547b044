"""Models of the tables a run keeps besides records: valid frames pass, each refuses its bugs."""

from datetime import UTC, datetime

import pandera.errors
import polars as pl
import pytest

from cxpipeline import schemas

NOW = datetime(2026, 12, 1, 13, tzinfo=UTC)


def test_rejected_row_needs_a_known_kind():
    good = pl.DataFrame(
        {
            "run_id": ["r"],
            "list_name": ["l"],
            "source_file": ["f"],
            "source_row": [3],
            "field": ["phone"],
            "reason": ["too short"],
            "raw": ["***0142"],
            "kind": ["phone"],
        }
    )
    assert schemas.checked(good, schemas.RejectedRow).height == 1
    with pytest.raises(pandera.errors.SchemaError):
        schemas.checked(good.with_columns(kind=pl.lit("other")), schemas.RejectedRow)


def ingest_run(**overrides):
    row = {
        "run_id": "r1",
        "list_name": "l",
        "source_file": "f",
        "original_file": "o",
        "source_sha256": "a" * 64,
        "mode": "replace",
        "rows_read": 10,
        "rows_accepted": 8,
        "rows_rejected": 2,
        "records_written": 12,
        "status": "succeeded",
        "started_at": NOW,
        "tz_release": "2026f",
    }
    row.update(overrides)
    return pl.DataFrame([row])


def test_ingest_run_must_reconcile():
    assert schemas.checked(ingest_run(), schemas.IngestRun)["rows_read"].to_list() == [10]
    with pytest.raises(pandera.errors.SchemaError, match="rows_read"):
        schemas.checked(ingest_run(rows_rejected=1), schemas.IngestRun)
    with pytest.raises(pandera.errors.SchemaError):
        schemas.checked(ingest_run(mode="merge"), schemas.IngestRun)
    with pytest.raises(pandera.errors.SchemaError, match="tz_release"):
        schemas.checked(ingest_run(tz_release="system"), schemas.IngestRun)


def test_suppression_entry_needs_a_number_or_a_client():
    entry = pl.DataFrame(
        {
            "suppression_list": ["x", "x"],
            "e164": ["+12127360142", None],
            "client_id": [None, "C1"],
            "expires_at": [None, NOW],
            "source_file": ["f", "f"],
            "added_at": [NOW, NOW],
        },
        schema_overrides={"expires_at": pl.Datetime("us", "UTC")},
    )
    assert schemas.checked(entry, schemas.SuppressionEntry).height == 2
    empty = entry.with_columns(e164=pl.lit(None, pl.String), client_id=pl.lit(None, pl.String))
    with pytest.raises(pandera.errors.SchemaError, match="number or a client id"):
        schemas.checked(empty, schemas.SuppressionEntry)


def test_window_must_end_after_it_starts():
    window = pl.DataFrame(
        {
            "list_name": ["l"],
            "window_key": [7],
            "window_start_utc": [NOW],
            "window_end_utc": [NOW.replace(hour=20)],
            "start_rule": ["federal"],
            "end_rule": ["stop_margin:federal"],
            "rule": ["federal..stop_margin:federal"],
        }
    )
    assert schemas.checked(window, schemas.WindowKeyRow)["window_key"].dtype == pl.UInt64
    backwards = window.with_columns(window_end_utc=pl.lit(NOW.replace(hour=9)))
    with pytest.raises(pandera.errors.SchemaError, match="ends before"):
        schemas.checked(backwards, schemas.WindowKeyRow)


def test_chain_hold_needs_a_time():
    hold = pl.DataFrame(
        {"list_name": ["l"], "chain_id": [5], "hold_until_utc": [None], "rule": ["attempt_cap:FL"]},
        schema_overrides={"hold_until_utc": pl.Datetime("us", "UTC")},
    )
    with pytest.raises(pandera.errors.SchemaError):
        schemas.checked(hold, schemas.ChainHold)


def test_statistics_tables_are_checked_before_writing():
    hourly = pl.DataFrame(
        {"list_name": ["l"], "local_hour": [24], "result_group": ["live"], "attempts": [1]}
    )
    with pytest.raises(pandera.errors.SchemaError):
        schemas.validated_statistics({"hourly_stats": hourly})
    ok = schemas.validated_statistics({"hourly_stats": hourly.with_columns(local_hour=pl.lit(9))})
    assert ok["hourly_stats"]["local_hour"].dtype == pl.Int32
