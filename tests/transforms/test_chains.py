import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cxpipeline.transforms import chains
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


@st.composite
def people_rows(draw):
    """A small list: people (some without client id) with one to three numbers each."""
    count = draw(st.integers(2, 8))
    rows = []
    for i in range(count):
        client = None if draw(st.booleans()) and i % 3 == 0 else f"C{i}"
        numbers = draw(st.lists(st.integers(100, 999), min_size=1, max_size=3, unique=True))
        for j, n in enumerate(numbers):
            rows.append((i + 1, j, 1, f"+1212736{n:04d}", client, f"Name{i}", "10001"))
    return rows


@given(rows=people_rows(), data=st.data())
@settings(max_examples=60, deadline=None)
def test_any_row_order_gives_the_same_ids(rows, data):
    # Rows are whole input rows (a person's numbers stay together); shuffle the rows only.
    by_row: dict[int, list] = {}
    for r in rows:
        by_row.setdefault(r[0], []).append(r)
    order = data.draw(st.permutations(sorted(by_row)))
    shuffled = [(new_row, *r[1:]) for new_row, old in enumerate(order, 1) for r in by_row[old]]

    def ids(recs):
        out = chained_records(_records(recs), list_id=2).collect()
        return {
            (c, e): (rid, cid)
            for c, e, rid, cid in out.select("chain_key", "e164", "record_id", "chain_id").rows()
            if c.startswith(("id:", "key:"))  # a row-keyed person is its row: order-bound
        }

    assert ids(rows) == ids(shuffled)


def test_known_identities_keep_their_ids_and_new_ones_come_after():
    first = chained_records(
        _records(
            [
                (1, 0, 1, "+12125550101", "C1", None, None),
                (2, 0, 1, "+12125550102", "C2", None, None),
            ]
        ),
        list_id=1,
    ).collect()
    known = first.select("chain_key", "e164", "record_id", "chain_id")
    # Next file: C2 first, C1 gone, C3 new; C2 keeps its ids, C3 gets ids after C1's too.
    second = chained_records(
        _records(
            [
                (1, 0, 1, "+12125550199", "C3", None, None),
                (2, 0, 1, "+12125550102", "C2", None, None),
            ]
        ),
        list_id=1,
        known=known.lazy(),
    ).collect()
    c2 = second.filter(pl.col("client_id") == "C2")
    c3 = second.filter(pl.col("client_id") == "C3")
    assert c2["record_id"].item() == first.filter(pl.col("client_id") == "C2")["record_id"].item()
    assert c3["record_id"].item() > first["record_id"].max()
    assert c3["chain_id"].item() > first["chain_id"].max()


def test_each_list_has_its_own_id_block_and_a_new_list_starts_at_its_low_end():
    low, high = chains.id_block(4)
    assert (low, high) == (4 * chains.ID_BLOCK, 5 * chains.ID_BLOCK)
    assert chains.id_block(5)[0] == high  # adjacent lists' blocks touch, never overlap
    top = chains.highest_ids(None, None, 4).collect()
    assert top.row(0) == (low, low)


def test_ids_name_the_lists_whose_blocks_hold_them_each_once():
    low, high = chains.id_block(4)
    ids = pl.Series([high - 1, low, 7 * chains.ID_BLOCK + 3, low + 5])
    assert chains.block_owners(ids) == [4, 7]
    assert chains.block_owners(pl.Series([], dtype=pl.Int64)) == []
