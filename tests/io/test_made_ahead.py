"""Items made ahead on a worker thread while the caller uses the last one (io.made_ahead)."""

import threading
import time

import pytest

from cxpipeline.io import made_ahead


def test_items_made_ahead_come_in_order_and_the_next_is_made_while_one_is_used():
    made: list[int] = []
    threads: set[str] = set()

    def items():
        for number in range(6):
            threads.add(threading.current_thread().name)
            made.append(number)
            yield number

    taken = []
    for item in made_ahead(items()):
        # While the caller holds this item, the next one is made (on another thread)...
        expected = min(item + 2, 6)
        deadline = time.monotonic() + 10
        while len(made) < expected and time.monotonic() < deadline:
            time.sleep(0.001)
        time.sleep(0.01)
        # ...and no other: two items are held at most.
        assert len(made) == expected
        taken.append(item)
    assert taken == list(range(6))
    assert threading.current_thread().name not in threads


def test_an_error_making_an_item_is_raised_where_it_is_taken():
    def items():
        yield 1
        raise ValueError("bad slice")

    taken = []
    with pytest.raises(ValueError, match="bad slice"):
        for item in made_ahead(items()):
            taken.append(item)
    assert taken == [1]
    assert list(made_ahead([])) == []
