"""Pandera schemas: every column described, valid frames pass, each schema rejects bad rows."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pandera.polars as pa
import polars as pl
import pytest

from cxpipeline import errors, schemas, spec
from cxpipeline.transforms import mapping

MODELS = [
    schemas.InputRow,
    schemas.CallingListRecord,
    schemas.CallResultRow,
    schemas.ListStatsRow,
    schemas.GroupStatsRow,
    schemas.HourlyStatsRow,
    schemas.ZoneStatsRow,
    schemas.RejectedRow,
    schemas.IngestRun,
    schemas.SuppressionEntry,
    schemas.WindowKeyRow,
    schemas.ChainHold,
]


@pytest.mark.parametrize("model", MODELS, ids=lambda m: m.__name__)
def test_every_column_has_a_description(model: type[pa.DataFrameModel]) -> None:
    columns = model.to_schema().columns
    assert columns
    assert all(column.description for column in columns.values())


def input_rows(**overrides: list[Any]) -> pl.DataFrame:
    """Mapped rows built by the real mapping stage, so the schema checks what it will see."""
    base: dict[str, list[Any]] = {
        "client_id": ["1", "2"],
        "zip": ["10001", "K1A 0B1"],
        "state": ["NY", "ON"],
        "country": [None, "CA"],
        "phone": ["2125550142", "6135550100"],
    }
    base.update(overrides)
    height = len(base["phone"])
    frame = pl.DataFrame(
        {**base, "source_row": list(range(1, height + 1))},
        schema={**dict.fromkeys(base, pl.String), "source_row": pl.Int64},
    ).lazy()
    import_spec = spec.load_spec(None, columns=frame.collect_schema().names())
    return mapping.mapped_rows(frame, import_spec).collect()


def test_valid_input_rows_pass_untouched() -> None:
    rows = input_rows()
    valid, rejects = schemas.validated(rows, schemas.InputRow)
    assert valid.equals(rows)
    assert rejects.is_empty()
    assert rejects.schema == pl.Schema(schemas.REJECT_SCHEMA)


def test_input_row_failures_are_all_reported_per_row_and_field() -> None:
    rows = input_rows(
        client_id=["1", "2", "3", "4"],
        zip=["10001", "ABCDE", "123", "02134"],
        state=["NY", "IL", "MA", "Mass."],
        country=[None, None, "USA", None],
        phone=["2125550142", "3125550177", "", "6175550100"],
    )
    valid, rejects = schemas.validated(rows, schemas.InputRow)
    assert valid["source_row"].to_list() == [1]
    assert sorted(rejects.rows()) == [
        (2, "postal_code", "not a valid postal code (US: 5 digits or ZIP+4)", "ABCDE"),
        (3, "phone", "no phone number", None),
        (3, "postal_code", "not a valid postal code (US: 5 digits or ZIP+4)", "123"),
        (4, "state_code", "not a two-letter state code", "MASS."),
    ]


def test_input_row_text_longer_than_the_dialer_field_is_rejected() -> None:
    rows = input_rows(other1=["x" * 256, "ok"])
    _, rejects = schemas.validated(rows, schemas.InputRow)
    assert rejects.select("source_row", "field").rows() == [(1, "other1")]
    assert "length" in rejects["reason"].item()


def record(**overrides: Any) -> dict[str, Any]:
    base: dict[str, Any] = {
        "record_id": 10_000_000_001,
        "contact_info": "+12125550142",
        "contact_info_type": 1,
        "record_type": 2,
        "record_status": 1,
        "call_result": 28,
        "attempt": 0,
        "dial_sched_time": None,
        "call_time": None,
        "daily_from": 28800,
        "daily_till": 64800,
        "tz_dbid": "EST",
        "campaign_id": None,
        "agent_id": None,
        "chain_id": 10_000_000_001,
        "chain_n": 1,
        "group_id": None,
        "app_id": None,
        "media_ref": None,
        "email_template_id": None,
        "switch_id": None,
        "treatments": None,
        "email_subject": None,
        "list_name": "east_q4",
        "campaign_group": "collections_east",
        "client_id": "C1",
        "tz_name": "America/New_York",
        "tz_candidates": ["America/New_York"],
        "tz_source": "postal_code",
        "state_code": "NY",
        "postal_code": "10001",
        "no_call_reason": None,
        "source_file": "lake/raw/abc/list.csv",
        "source_row": 1,
    }
    base.update(overrides)
    return base


def records(*rows: dict[str, Any]) -> pl.DataFrame:
    return pl.DataFrame(
        list(rows),
        schema_overrides={
            "dial_sched_time": pl.Int64,
            "call_time": pl.Int64,
            "campaign_id": pl.Int64,
            "agent_id": pl.String,
            "group_id": pl.Int64,
            "app_id": pl.Int64,
            "media_ref": pl.Int64,
            "email_template_id": pl.Int64,
            "switch_id": pl.Int64,
            "treatments": pl.String,
            "email_subject": pl.String,
            "no_call_reason": pl.String,
            "tz_candidates": pl.List(pl.String),
        },
    )


def test_valid_records_pass_and_are_coerced_to_the_warehouse_widths() -> None:
    valid, rejects = schemas.validated(records(record()), schemas.CallingListRecord)
    assert rejects.is_empty()
    assert valid.schema["record_type"] == pl.Int32
    assert valid.schema["record_id"] == pl.Int64


@pytest.mark.parametrize(
    ("overrides", "field", "reason"),
    [
        ({"record_type": 8}, "record_type", "out of range 0..7"),
        ({"record_status": 10}, "record_status", "out of range 0..9"),
        ({"call_result": 54}, "call_result", "out of range 0..53"),
        ({"contact_info_type": 11}, "contact_info_type", "out of range 0..10"),
        ({"daily_till": 86401}, "daily_till", "out of range 0..86400"),
        ({"contact_info": "+1" + "2" * 127}, "contact_info", "length outside"),
        ({"agent_id": "a" * 33}, "agent_id", "length outside"),
        ({"chain_n": 0}, "chain_n", "must be >= 1"),
        ({"tz_source": "guess"}, "tz_source", "not an allowed value"),
        ({"record_type": 7}, None, "without a no_call_reason"),
    ],
)
def test_bad_records_are_rejected_with_a_reason(
    overrides: dict[str, Any], field: str | None, reason: str
) -> None:
    good = record(record_id=2, chain_id=2, source_row=2)
    bad = record(**overrides)
    valid, rejects = schemas.validated(records(good, bad), schemas.CallingListRecord)
    assert valid["record_id"].to_list() == [2]
    assert rejects["source_row"].to_list() == [1]
    assert rejects["field"].item() == field
    assert reason in rejects["reason"].item()


def test_duplicate_chain_position_rejects_both_records() -> None:
    first = record(record_id=1, source_row=1)
    second = record(record_id=2, source_row=2)
    valid, rejects = schemas.validated(records(first, second), schemas.CallingListRecord)
    assert valid.is_empty()
    assert sorted(rejects["source_row"].unique()) == [1, 2]


def test_a_missing_column_is_an_error_not_a_reject() -> None:
    with pytest.raises(errors.InputError) as info:
        schemas.validated(records(record()).drop("daily_from"), schemas.CallingListRecord)
    assert "CallingListRecord" in str(info.value)
    assert "daily_from" in str(info.value)


def call_results(**overrides: list[Any]) -> pl.DataFrame:
    base: dict[str, list[Any]] = {
        "list_name": ["east_q4", "east_q4"],
        "record_id": [1, 2],
        "chain_id": [1, 2],
        "call_time_utc": [datetime(2026, 3, 2, 15, 0, tzinfo=UTC)] * 2,
        "call_result": [33, 7],
        "attempt": [1, 1],
        "agent_id": ["a1", None],
        "duration_s": [61.5, None],
        "disposition": ["sale", None],
        "result_key": [11, 12],
    }
    base.update(overrides)
    return pl.DataFrame(base, schema_overrides={"result_key": pl.UInt64})


def test_call_results_pass_and_bad_codes_are_rejected() -> None:
    valid, rejects = schemas.validated(call_results(), schemas.CallResultRow)
    assert valid.height == 2 and rejects.is_empty()
    valid, rejects = schemas.validated(
        call_results(call_result=[33, 99], duration_s=[-1.0, None]), schemas.CallResultRow
    )
    assert valid.is_empty()
    # without a source_row column, rows are numbered from 1
    assert sorted(rejects.select("source_row", "field").rows()) == [
        (1, "duration_s"),
        (2, "call_result"),
    ]


def list_stats(**overrides: Any) -> pl.DataFrame:
    counts = [
        "total_records", "total_chains", "no_call_records", "dialable_records", "attempts",
        "attempted_records", "connects", "answering_machine", "busy", "no_answer", "abandoned",
        "fax", "invalid_number", "do_not_call", "wrong_party", "attempted_dialable_records",
        "right_party_contacts", "chains_finished", "callbacks_pending", "callbacks_due",
        "records_waiting_retry", "records_ready_now",
    ]  # fmt: skip
    row: dict[str, Any] = {
        "talk_time_s": 12.5,
        "abandon_over_limit": False,
        "list_name": "east_q4",
        "campaign_group": "g",
        **dict.fromkeys(counts, 1),
    }
    row.update(connect_rate=0.5, abandon_rate=None, penetration=1.0)
    row.update(overrides)
    return pl.DataFrame([row])


def test_list_stats_rates_and_counts_are_checked() -> None:
    valid, rejects = schemas.validated(list_stats(), schemas.ListStatsRow)
    assert valid.height == 1 and rejects.is_empty()
    _, rejects = schemas.validated(list_stats(connect_rate=1.5), schemas.ListStatsRow)
    assert rejects.select("field", "reason").rows() == [("connect_rate", "out of range 0..1")]
    _, rejects = schemas.validated(list_stats(attempted_records=2), schemas.ListStatsRow)
    assert rejects["reason"].item() == "more attempted records than records"
    _, rejects = schemas.validated(list_stats(talk_time_s=-1.0), schemas.ListStatsRow)
    assert rejects["field"].to_list() == ["talk_time_s"]


def test_a_castable_frame_is_coerced_once_not_column_by_column(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import pandera.engines.polars_engine as engine

    frame = records(record(), record(record_id=2, chain_id=2, source_row=2))
    expected = schemas.CallingListRecord.validate(frame)  # pandera's own coercion
    coerced: list[object] = []
    original = engine.DataType.try_coerce
    monkeypatch.setattr(
        engine.DataType,
        "try_coerce",
        lambda self, data: coerced.append(data) or original(self, data),
    )
    valid, rejects = schemas.validated(frame, schemas.CallingListRecord)
    assert rejects.is_empty()
    assert coerced == []  # one cast of the frame instead
    assert valid.schema == expected.schema
    assert valid.equals(expected)
    assert schemas.checked(frame, schemas.CallingListRecord).equals(expected)


def test_checks_still_run_after_the_single_cast() -> None:
    with pytest.raises(pa.errors.SchemaError, match="record_type"):
        schemas.checked(records(record(record_type=8)), schemas.CallingListRecord)


def test_a_value_of_the_wrong_type_names_its_column() -> None:
    # A frame we build with a value of the wrong type is a bug: an error naming the column at
    # fault (the other columns are cast, so pandera's coercion meets only that one).
    frame = records(record(), record(record_id=2, chain_id=2, source_row=2)).with_columns(
        pl.when(pl.col("source_row") == 2)
        .then(pl.lit("not a number"))
        .otherwise(pl.col("daily_from").cast(pl.String))
        .alias("daily_from")
    )
    with pytest.raises(errors.InputError) as info:
        schemas.validated(frame, schemas.CallingListRecord)
    assert info.value.field == "daily_from"
    assert "String" in str(info.value)
