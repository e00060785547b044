from datetime import UTC, datetime

import polars as pl

from cxpipeline.transforms.suppression import SUPPRESSION_SCHEMA, suppressed_records

AS_OF = datetime(2026, 11, 26, 12, tzinfo=UTC)


def _records():
    return pl.LazyFrame(
        {
            "record_id": [1, 2, 3, 4],
            "e164": ["+12125550101", "+12125550102", "+18005550103", "+12125550104"],
            "client_id": ["C1", "C2", "C3", "C4"],
            "phone_no_call_reason": [None, None, "toll_free", None],
            "record_type": [2, 2, 2, 2],
        }
    )


def _entries(rows):
    return pl.LazyFrame(rows, schema=SUPPRESSION_SCHEMA, orient="row")


def test_number_client_and_toll_free_become_no_call():
    entries = _entries(
        [
            ("dnc_b", "+12125550101", None, None),
            ("dnc_a", "+12125550101", None, None),
            ("vip", None, "C2", None),
        ]
    )
    out = suppressed_records(_records(), entries, AS_OF).collect().sort("record_id")
    assert out["record_type"].to_list() == [7, 7, 7, 2]
    assert out["no_call_reason"].to_list() == [
        "suppressed:dnc_a",
        "suppressed:vip",
        "toll_free",
        None,
    ]


def test_expired_entries_do_not_suppress():
    entries = _entries(
        [
            ("old", "+12125550104", None, datetime(2026, 1, 1, tzinfo=UTC)),
            ("future", "+12125550102", None, datetime(2027, 1, 1, tzinfo=UTC)),
        ]
    )
    out = suppressed_records(_records(), entries, AS_OF).collect().sort("record_id")
    assert out["no_call_reason"].to_list()[1] == "suppressed:future"
    assert out["record_type"].to_list()[3] == 2
