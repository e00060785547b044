"""Suppression files: column matching, headerless detection, expiry periods, entries, rejects."""

from datetime import UTC, datetime

import polars as pl
import pytest

from cxpipeline.transforms import suppression_files as files
from cxpipeline.transforms.phones import normalised_phones

ADDED = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)


def test_named_column_wins_and_missing_column_raises():
    cols = files.suppression_columns(["Cell No", "Cust", "Phone Number"], phone="cell_no")
    assert cols.phone == "Cell No"
    assert files.suppression_columns(["Phone Number"]).phone == "Phone Number"
    assert cols.client_id is None
    with pytest.raises(KeyError):
        files.suppression_columns(["Phone Number"], client_id="cust")


def test_headerless_is_detected_from_a_number_in_the_first_line():
    assert files.looks_headerless(["(212) 736-0142"])
    assert files.looks_headerless(["2127360142", "column_2"])
    assert not files.looks_headerless(["phone"])
    assert not files.looks_headerless(["12"])


@pytest.mark.parametrize(
    ("text", "offset"), [("3y14d", "3y14d"), ("6m", "6mo"), ("2w", "2w"), ("90D", "90d")]
)
def test_expiry_periods(text, offset):
    assert files.expiry_offset(text) == offset


@pytest.mark.parametrize("text", ["", "3q", "0d", "y", "14d3y", "-3d"])
def test_bad_expiry_periods_are_refused(text):
    with pytest.raises(ValueError, match="not a period"):
        files.expiry_offset(text)


def _rows() -> pl.LazyFrame:
    return pl.LazyFrame(
        {
            "source_row": [1, 2, 3, 4, 5],
            "raw_phone": ["212 736 0142", "999", "617-353-0100", None, "3127440177"],
            "client_id": [None, "C9", None, None, None],
            "_expiry": [None, None, "tomorrow-ish", None, "2027-01-01"],
        }
    )


def _normalised(rows: pl.LazyFrame) -> pl.LazyFrame:
    return normalised_phones(files.suppression_phone_values(rows, "US"))


def test_entries_refuse_garbage_expiry_and_date_the_rest_by_the_period():
    rows = _rows()
    entries = files.suppression_entries(
        rows,
        _normalised(rows),
        list_name="x",
        source_file="f",
        added_at=ADDED,
        expires_after="3y14d",
    ).collect()
    by = {(r["e164"], r["client_id"]): r["expires_at"] for r in entries.iter_rows(named=True)}
    assert set(by) == {("+12127360142", None), (None, "C9"), ("+13127440177", None)}
    assert by[("+12127360142", None)] == datetime(2029, 12, 15, 12, 0, tzinfo=UTC)
    assert by[("+13127440177", None)] == datetime(2027, 1, 1, tzinfo=UTC)


def test_every_refused_value_has_a_masked_reject_with_its_reason():
    rows = _rows()
    columns = files.SuppressionColumns("Phone", "Client", "Expires")
    rejects = files.suppression_rejects(rows, _normalised(rows), columns).collect()
    assert rejects.rows() == [
        (2, "Phone", "invalid phone number: too short", "999"),
        (3, "Expires", "expiry is not a date or time (row not loaded)", "tomorrow-ish"),
        (4, None, "no phone number or client id", None),
    ]


def test_invalid_long_numbers_are_masked():
    rows = pl.LazyFrame(
        {"source_row": [1], "raw_phone": ["212 0360142"], "client_id": [None], "_expiry": [None]},
        schema={
            "source_row": pl.Int64,
            "raw_phone": pl.String,
            "client_id": pl.String,
            "_expiry": pl.String,
        },
    )
    rejects = files.suppression_rejects(
        rows, _normalised(rows), files.SuppressionColumns("p", None, None)
    ).collect()
    assert rejects["raw"].to_list() == ["212 ***0142"]
    assert rejects["reason"].item().startswith("invalid phone number: invalid number")
