"""Reports step: the header lines of the report."""

from datetime import UTC, datetime

import polars as pl
import tzdata

from cxpipeline.steps import reports


def test_header_names_as_of_lists_and_tz_release():
    lists = pl.DataFrame({"list_name": ["west", "east"]})
    planned = pl.DataFrame(
        {"list_name": ["east"], "as_of": [datetime(2026, 12, 1, 13, tzinfo=UTC)]}
    )
    assert reports.report_meta(lists, planned) == {
        "Windows planned as of": "2026-12-01 13:00+00:00",
        "Lists (2)": "east, west",
        "Time-zone data": f"IANA tzdata {tzdata.IANA_VERSION}",
    }


def test_header_counts_lists_beyond_the_first_dozen_and_says_when_nothing_is_planned():
    lists = pl.DataFrame({"list_name": [f"l{i:02}" for i in range(15)]})
    meta = reports.report_meta(lists, pl.DataFrame(schema={"list_name": pl.String}))
    assert meta["Lists (15)"].endswith("l11 and 3 more")
    assert meta["Windows planned as of"] == "–"
