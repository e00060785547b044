import polars as pl
import pytest

from cxpipeline.transforms.chains import ID_BLOCK, chained_records


def _records(rows):
    cols = [
        "source_row",
        "phone_index",
        "contact_info_type",
        "e164",
        "client_id",
        "last_name",
        "postal_code",
    ]
    return pl.LazyFrame(
        [dict(zip(cols, r, strict=True)) for r in rows],
        schema={
            "source_row": pl.Int64,
            "phone_index": pl.Int64,
            "contact_info_type": pl.Int64,
            "e164": pl.String,
            "client_id": pl.String,
            "last_name": pl.String,
            "postal_code": pl.String,
        },
    )


def test_one_chain_per_customer_in_input_order():
    recs = _records(
        [
            (1, 0, 1, "+12125550101", "C1", "Smith", "10001"),
            (1, 1, 4, "+12125550102", "C1", "Smith", "10001"),
            (2, 0, 1, "+13125550103", "C2", "Jones", "60601"),
        ]
    )
    out = chained_records(recs, list_id=3).collect().sort("record_id")
    assert out["chain_id"].to_list() == [3 * ID_BLOCK + 1, 3 * ID_BLOCK + 1, 3 * ID_BLOCK + 2]
    assert out["chain_n"].to_list() == [1, 2, 1]
    assert out["record_id"].to_list() == [3 * ID_BLOCK + i for i in (1, 2, 3)]


def test_device_priority_puts_mobile_first():
    recs = _records(
        [
            (1, 0, 1, "+12125550101", "C1", None, None),
            (1, 1, 4, "+12125550102", "C1", None, None),
        ]
    )
    out = chained_records(recs, list_id=1, device_priority="mobile,home_phone").collect()
    first = out.filter(pl.col("chain_n") == 1)
    assert first["e164"].item() == "+12125550102"


def test_same_number_twice_in_chain_is_one_record_with_count():
    recs = _records(
        [
            (1, 0, 1, "+12125550101", "C1", None, None),
            (1, 1, 2, "+12125550101", "C1", None, None),
            (5, 0, 1, "+12125550101", "C1", None, None),  # identical row later in the file
        ]
    )
    out = chained_records(recs, list_id=1).collect()
    assert out.height == 1
    assert out["duplicate_count"].item() == 3
    assert out["source_row"].item() == 1


def test_same_number_in_two_customers_is_flagged_not_merged():
    recs = _records(
        [
            (1, 0, 1, "+12125550101", "C1", None, None),
            (2, 0, 1, "+12125550101", "C2", None, None),
            (3, 0, 1, "+12125550199", "C3", None, None),
        ]
    )
    out = chained_records(recs, list_id=1).collect().sort("source_row")
    assert out.height == 3
    assert out["shared_number"].to_list() == [True, True, False]
    assert out["chain_id"].n_unique() == 3


def test_fallback_key_and_rows_without_any_key():
    recs = _records(
        [
            (1, 0, 1, "+12125550101", None, "Smith", "10001"),
            (2, 0, 1, "+12125550102", None, "SMITH", "10001"),
            (3, 0, 1, "+12125550103", None, None, None),
            (4, 0, 1, "+12125550104", None, None, None),
        ]
    )
    out = chained_records(recs, list_id=1).collect().sort("source_row")
    chains = out["chain_id"].to_list()
    assert chains[0] == chains[1]
    assert len({chains[1], chains[2], chains[3]}) == 3


def test_deterministic_and_order_independent_ids():
    rows = [
        (1, 0, 1, "+12125550101", "C1", None, None),
        (2, 0, 1, "+13125550103", "C2", None, None),
        (2, 1, 4, "+13125550104", "C2", None, None),
    ]
    a = chained_records(_records(rows), list_id=2).collect().sort("record_id")
    b = chained_records(_records(list(reversed(rows))), list_id=2).collect().sort("record_id")
    assert a.select("record_id", "chain_id", "chain_n", "e164").equals(
        b.select("record_id", "chain_id", "chain_n", "e164")
    )


def test_append_continues_existing_chains_and_ids():
    first = chained_records(
        _records([(1, 0, 1, "+12125550101", "C1", None, None)]), list_id=1
    ).collect()
    existing = first.select("chain_key", "chain_id", "chain_n", "record_id", "e164").lazy()
    more = _records(
        [
            (1, 0, 1, "+12125550101", "C1", None, None),  # already known: dropped
            (1, 1, 4, "+12125550109", "C1", None, None),  # new number of a known customer
            (2, 0, 1, "+13125550103", "C9", None, None),  # new customer
        ]
    )
    out = chained_records(more, list_id=1, existing=existing).collect().sort("record_id")
    assert out.height == 2
    known = out.filter(pl.col("client_id") == "C1")
    assert known["chain_id"].item() == first["chain_id"].item()
    assert known["chain_n"].item() == 2
    assert out["record_id"].min() > first["record_id"].max()
    assert out.filter(pl.col("client_id") == "C9")["chain_id"].item() > first["chain_id"].item()


@pytest.mark.parametrize("priority", ["input", "mobile,home_phone"])
def test_primary_key_unique(priority):
    rows = [
        (r, i, 1 + (i % 4), f"+1212555{r:02d}{i:02d}", f"C{r % 7}", None, None)
        for r in range(1, 40)
        for i in range(3)
    ]
    out = chained_records(_records(rows), list_id=1, device_priority=priority).collect()
    assert out.select("chain_id", "chain_n").is_unique().all()
    assert out["record_id"].is_unique().all()
