"""The performance changes of issue #6 keep results identical: staging, carries, JSON decoding."""

import os

import pyarrow as pa

from logadapt_assets.staging import StagingArea


def _table(start: int, n: int, text: str = "x") -> pa.Table:
    return pa.table(
        {
            "i": pa.array(range(start, start + n), pa.int64()),
            "s": pa.array([f"{text}{k}" for k in range(start, start + n)], pa.string()),
        }
    )


def test_staging_returns_tables_in_the_order_added_across_spills():
    with StagingArea(budget_bytes=2_000) as area:
        for start in range(0, 5_000, 500):
            area.add("a", _table(start, 500))
            area.add("b", _table(start, 10, "b"))
        assert area.memory_bytes <= 2_000  # the budget counts the compressed bytes it holds
        a = area.take("a")
        b = area.take("b")
        assert area.take("a") is None
    assert a.column("i").to_pylist() == list(range(5_000))
    assert b.num_rows == 100 and b.column("s").to_pylist()[:2] == ["b0", "b1"]


def test_staging_spills_past_its_budget_and_cleans_up():
    area = StagingArea(budget_bytes=1)
    area.add(("log_events", 1), _table(0, 1_000))
    spill_dir = area._dir
    assert spill_dir is not None and area.memory_bytes == 0
    assert dict(area.drain())[("log_events", 1)].num_rows == 1_000
    area.close()

    assert not os.path.exists(spill_dir)


def test_staging_concatenates_differing_schemas_permissively():
    area = StagingArea()
    area.add("k", pa.table({"a": pa.array([1], pa.int32())}))
    area.add("k", pa.table({"a": pa.array([2], pa.int64()), "b": ["x"]}))
    out = area.take("k")
    assert out.column("a").to_pylist() == [1, 2] and out.column("b").to_pylist() == [None, "x"]
