"""CX Contact layout: one row per customer, devices in chain order, one zone per row."""

import random

import polars as pl
from hypothesis import example, given, settings
from hypothesis import strategies as st

from cxpipeline.transforms.cxcontact import CXCONTACT_COLUMNS, MAX_DEVICES, cxcontact_list

NY, LA = "America/New_York", "America/Los_Angeles"


def _records(rows):
    """rows: (chain_id, chain_n, number, extension, tz_name, record_type)."""
    return pl.LazyFrame(
        {
            "chain_id": [r[0] for r in rows],
            "chain_n": [r[1] for r in rows],
            "contact_info": [r[2] for r in rows],
            "extension": [r[3] for r in rows],
            "tz_name": [r[4] for r in rows],
            "record_type": [r[5] for r in rows],
            "client_id": [f"C{r[0]}" for r in rows],
            "last_name": ["Doe"] * len(rows),
            "postal_code": ["10001"] * len(rows),
            "other1": ["acc"] * len(rows),
        }
    )


def test_devices_in_chain_order_with_extensions_and_the_customer_fields():
    out = cxcontact_list(
        _records(
            [
                (1, 2, "+12125550102", "204", NY, 2),
                (1, 1, "+12125550101", None, NY, 2),
                (2, 1, "+13105550101", None, None, 2),
            ]
        ),
        default_zone="America/Chicago",
    ).collect()
    assert tuple(out.columns) == CXCONTACT_COLUMNS
    assert out["ClientID"].to_list() == ["C1", "C2"]
    assert out.row(0, named=True)["Device1"] == "+12125550101"
    assert out.row(0, named=True)["Device2"] == "+12125550102;ext=204"
    assert out["Device3"].to_list() == [None, None]
    # A record without a zone is in the default zone, the zone of its default window.
    assert out["tz"].to_list() == [NY, "America/Chicago"]
    assert out["c_postal_code"].to_list() == ["10001", "10001"]
    assert out["Other1"].to_list() == ["acc", "acc"]


def test_no_device_is_put_on_another_clock_dropped_or_dialed_when_no_call():
    rows = [(1, 1, "+12125550101", None, NY, 2), (1, 2, "+13105550101", None, LA, 2)]
    rows += [(1, 3, "+12125550199", None, NY, 7)]  # No Call: not a device to dial
    rows += [(2, n, f"+1212555{n:04d}", None, NY, 2) for n in range(1, MAX_DEVICES + 3)]
    out = cxcontact_list(_records(rows), default_zone=NY).collect()
    assert out.select("ClientID", "tz").rows() == [("C1", NY), ("C1", LA), ("C2", NY), ("C2", NY)]
    devices = out.select(pl.concat_list(pl.col("^Device.*$")).alias("d")).explode("d")["d"]
    assert devices.drop_nulls().len() == 2 + MAX_DEVICES + 2
    assert "+12125550199" not in devices.to_list()
    overflow = out.filter(pl.col("ClientID") == "C2")
    assert overflow["Device10"].to_list() == ["+12125550010", None]
    assert overflow["Device1"].to_list() == ["+12125550001", "+12125550011"]
    assert overflow["Device2"].to_list() == ["+12125550002", "+12125550012"]


def _by_windows(records: pl.LazyFrame, default_zone: str) -> pl.DataFrame:
    """The layout's rows and devices as window expressions give them (the reference)."""
    devices = (
        records.filter(pl.col("record_type").fill_null(2) != 7)
        .with_columns(_zone=pl.col("tz_name").fill_null(default_zone))
        .sort("chain_id", "chain_n")
        .with_columns(
            _row=pl.int_range(pl.len()).over("chain_id", "_zone") // MAX_DEVICES,
            _first=pl.col("chain_n").min().over("chain_id", "_zone"),
        )
    )
    return (
        devices.group_by("chain_id", "_zone", "_row", maintain_order=True)
        .agg(pl.col("_first").first(), pl.col("contact_info"))
        .sort("chain_id", "_first", "_row")
        .select(
            pl.col("_zone").alias("tz"),
            *(
                pl.col("contact_info").list.get(i, null_on_oob=True).alias(f"Device{i + 1}")
                for i in range(MAX_DEVICES)
            ),
        )
        .collect()
    )


@settings(max_examples=80, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.integers(1, 3),
            st.sampled_from([NY, LA, None, "Europe/London"]),
            st.sampled_from([2, 2, 2, 7, None]),
        ),
        max_size=90,
    ),
    st.randoms(use_true_random=False),
)
# More than ten devices of each of two zones, the zones alternating in dial order.
@example([(1, NY if n % 2 else LA, 2) for n in range(25)], random.Random(0))
def test_rows_and_devices_are_those_of_window_expressions(rows, rng):
    # Any chains, zones, No Call records, more than ten devices a zone, rows in any order.
    numbered = [
        (chain, n, f"+1212555{n:04d}", None, zone, kind)
        for n, (chain, zone, kind) in enumerate(rows)
    ]
    rng.shuffle(numbered)
    records = _records(numbered)
    out = cxcontact_list(records, default_zone=NY).collect()
    expected = _by_windows(records, NY)
    assert out.select(expected.columns).equals(expected)
    devices = out.select(pl.concat_list(f"Device{i + 1}" for i in range(MAX_DEVICES)))
    dialable = sum(1 for _, _, _, _, _, kind in numbered if kind != 7)
    assert devices.to_series().list.drop_nulls().list.len().sum() == dialable
