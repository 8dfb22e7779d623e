"""prefetch: a generator run one step ahead in a thread keeps order, errors and early stops."""

import threading
import time

import pytest

from logadapt_assets.sources.text import prefetch


def test_order_and_values_are_kept():
    assert list(prefetch(iter(range(1000)))) == list(range(1000))


def test_an_error_reaches_the_consumer_after_the_items_before_it():
    def items():
        yield 1
        yield 2
        raise ValueError("disk on fire")

    got = []
    with pytest.raises(ValueError, match="disk on fire"):
        for item in prefetch(items()):
            got.append(item)
    assert got == [1, 2]


def test_stopping_early_stops_the_worker_and_closes_the_generator():
    produced = []
    closed = threading.Event()

    def items():
        try:
            for i in range(10_000):
                produced.append(i)
                yield i
        finally:
            closed.set()

    stream = prefetch(items())
    assert next(stream) == 0
    stream.close()
    assert closed.wait(5)
    count = len(produced)
    time.sleep(0.2)
    assert len(produced) == count <= 3  # one step ahead, not the whole input
    assert not any(t.name == "logadapt-prefetch" and t.is_alive() for t in threading.enumerate())
