from datetime import UTC, datetime

import polars as pl
import pytest

from cxpipeline.errors import InputError
from cxpipeline.transforms import result_parsing, results
from cxpipeline.transforms.result_parsing import parsed_call_results

TS = pl.Datetime("us", "UTC")


def _raw(rows, extra=None):
    cols = {"record_id": [], "call_time": [], "call_result": [], "source_row": []}
    for i, (rid, when, result) in enumerate(rows, start=1):
        cols["record_id"].append(rid)
        cols["call_time"].append(when)
        cols["call_result"].append(result)
        cols["source_row"].append(str(i))
    cols.update(extra or {})
    return pl.LazyFrame(cols, schema={k: pl.String for k in cols})


def _at(hour, minute=0, day=9):
    return datetime(2025, 3, day, hour, minute, tzinfo=UTC)


# --------------------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text", ["Answering Machine", "answering_machine", "9", " ANSWERING-machine ", "009"]
)
def test_result_names_and_codes_parse_to_the_code(text):
    out = parsed_call_results(_raw([("1", "1741533300", text)])).collect()
    assert out["call_result"].to_list() == [9]
    assert out["result_group"].to_list() == ["machine"]
    assert out["parse_error"].to_list() == [None]


@pytest.mark.parametrize(
    ("text", "code"), [("SIT Invalid Num", 11), ("Converse-On", 30), ("do not call", 51)]
)
def test_multi_word_names_with_hyphens_and_acronyms(text, code):
    out = parsed_call_results(_raw([("1", "1741533300", text)])).collect()
    assert out["call_result"].item() == code


@pytest.mark.parametrize("text", ["Answering Machin", "54", "9x", "-1"])
def test_unknown_result_names_and_codes_are_rejected_with_the_field(text):
    out = parsed_call_results(_raw([("1", "1741533300", text)])).collect()
    assert out["parse_error_field"].item() == "call_result"
    assert text in out["parse_error"].item()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-09T10:15:00-05:00", _at(15, 15)),
        ("2025-03-09T15:15:00Z", _at(15, 15)),
        ("2025-03-09 16:15:00.5+01:00", datetime(2025, 3, 9, 15, 15, 0, 500000, tzinfo=UTC)),
        ("2025-03-09T10:15-05:00", _at(15, 15)),
        ("1741533300", _at(15, 15)),
    ],
)
def test_call_time_iso_with_offset_or_epoch_seconds(text, expected):
    out = parsed_call_results(_raw([("1", text, "7")])).collect()
    assert out.schema["call_time_utc"] == TS
    assert out["call_time_utc"].item() == expected
    assert out["parse_error"].item() is None


@pytest.mark.parametrize(
    "text", ["2025-03-09T10:15:00", "yesterday", "1741533300000", "20250309", ""]
)
def test_call_time_without_offset_garbage_or_epoch_millis_is_rejected(text):
    out = parsed_call_results(_raw([("1", text, "7")])).collect()
    assert out["parse_error_field"].item() == "call_time"


def test_first_bad_field_wins_and_optional_fields_are_checked():
    raw = _raw(
        [("x", "nope", "bogus"), ("1", "1741533300", "7"), ("2", "1741533300", "7")],
        extra={"attempt": ["1", "0", "2"], "duration_s": ["5", "3", "-4"]},
    )
    out = parsed_call_results(raw).collect().sort("source_row")
    assert out["parse_error_field"].to_list() == ["record_id", "attempt", "duration_s"]


def test_optional_columns_are_typed_and_blank_is_null():
    raw = _raw(
        [("1", "1741533300", "33"), ("2", "1741533300", "33")],
        extra={
            "attempt": ["3", ""],
            "agent_id": [" A7 ", ""],
            "duration_s": ["12.5", " "],
            "disposition": ["sale", None],
        },
    )
    out = parsed_call_results(raw).collect().sort("source_row")
    assert out["attempt"].to_list() == [3, None]
    assert out["agent_id"].to_list() == ["A7", None]
    assert out["duration_s"].to_list() == [12.5, None]
    assert out["disposition"].to_list() == ["sale", None]
    assert out["parse_error"].to_list() == [None, None]


def test_missing_required_column_is_an_input_error():
    raw = pl.LazyFrame({"record_id": ["1"], "call_result": ["7"]})
    with pytest.raises(InputError, match="call_time"):
        parsed_call_results(raw)


def test_parsing_names_stay_importable_from_results():
    assert results.parsed_call_results is result_parsing.parsed_call_results
    assert results.REQUIRED_COLUMNS == ("record_id", "call_time", "call_result")


def test_callback_time_and_type_are_parsed_and_bad_ones_name_their_field():
    rows = [("1", "1741530000", "33")] * 4
    extra = {
        "callback_time": ["2025-03-10T09:30:00-04:00", "tomorrow", "1741600000", ""],
        "callback_type": ["Personal", "campaign", "boss", ""],
    }
    out = parsed_call_results(_raw(rows, extra)).collect()
    assert out["callback_time_utc"][0] == datetime(2025, 3, 10, 13, 30, tzinfo=UTC)
    assert out["callback_type"][0] == "personal"
    assert out["parse_error_field"].to_list() == [None, "callback_time", "callback_type", None]
    assert out["callback_time_utc"][3] is None
