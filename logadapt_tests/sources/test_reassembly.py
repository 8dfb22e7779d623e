"""Reassembler: partial records joined per container+stream, across batches, flushed at the end."""

from datetime import timedelta

import polars as pl
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.reassembly import OUTPUT_SCHEMA, Reassembler
from logadapt_assets.sources.base import RAW_SCHEMA
from logadapt_tests.sources.builders import T0


def records(rows: list[tuple]) -> pa.Table:
    """(container, stream, second, line, partial) -> RAW_SCHEMA table, positions in order."""
    return pa.Table.from_pylist(
        [
            {
                "container_id": c,
                "stream": s,
                "observed_at": T0 + timedelta(seconds=sec),
                "line": line,
                "partial": partial,
                "source": f"/logs/{c}",
                "position": i,
            }
            for i, (c, s, sec, line, partial) in enumerate(rows)
        ],
        schema=RAW_SCHEMA,
    )


def test_interleaved_containers_and_streams():
    r = Reassembler()
    out = r.feed(
        records(
            [
                ("a", "stdout", 0, "a1-", True),
                ("b", "stdout", 1, "b-whole", False),
                ("a", "stderr", 2, "a-err", False),
                ("a", "stdout", 3, "a2-", True),
                ("a", "stdout", 4, "a3", False),
                ("b", "stdout", 5, "b2", False),
            ]
        )
    )
    assert out.schema == pl.Schema(OUTPUT_SCHEMA)
    assert out.select("container_id", "stream", "line", "position").rows() == [
        ("a", "stdout", "a1-a2-a3", 0),
        ("b", "stdout", "b-whole", 1),
        ("a", "stderr", "a-err", 2),
        ("b", "stdout", "b2", 5),
    ]
    assert out["observed_at"][0] == T0  # the first part's capture time
    assert r.flush().height == 0
    assert (r.records_in, r.lines_out) == (6, 4)


def test_open_tail_is_carried_across_batches_and_flushed():
    r = Reassembler()
    first = r.feed(records([("a", "stdout", 0, "x", False), ("a", "stdout", 1, "p1-", True)]))
    assert first["line"].to_list() == ["x"]
    second = r.feed(
        pl.from_arrow(records([("a", "stdout", 1, "p2-", True), ("b", "stdout", 2, "y", False)]))
    )
    assert second["line"].to_list() == ["y"]
    third = r.feed(records([("a", "stdout", 1, "p3", False), ("a", "stdout", 3, "open", True)]))
    assert third.select("line", "observed_at").rows() == [("p1-p2-p3", T0 + timedelta(seconds=1))]
    flushed = r.flush()
    assert flushed["line"].to_list() == ["open"]  # the runtime stopped mid-line
    assert r.flush().height == 0


def test_empty_input():
    r = Reassembler()
    assert r.feed(RAW_SCHEMA.empty_table()).height == 0
    assert r.flush().schema == pl.Schema(OUTPUT_SCHEMA)


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["a", "b"]), st.sampled_from(["stdout", "stderr"]), st.booleans()
        ),
        max_size=40,
    ),
    st.lists(st.integers(min_value=0, max_value=40), max_size=4),
)
def test_batching_never_changes_the_lines(spec, cuts):
    rows = [(c, s, i, f"{i}{'-' if p else '.'}", p) for i, (c, s, p) in enumerate(spec)]
    table = records(rows)
    whole = Reassembler()
    expected = pl.concat([whole.feed(table), whole.flush()])
    pieces = Reassembler()
    bounds = sorted({0, len(rows), *[min(c, len(rows)) for c in cuts]})
    got = [pieces.feed(table.slice(a, b - a)) for a, b in zip(bounds, bounds[1:], strict=False)]
    got = pl.concat([*got, pieces.flush()])
    key = ["position"]
    assert got.sort(key).equals(expected.sort(key))
    # every record is in exactly one line, and lines of one container+stream keep their order
    assert got["line"].str.count_matches(r"\d+[-.]").sum() == len(rows)
    for _key, group in expected.group_by(["container_id", "stream"]):
        assert group["position"].is_sorted()


def test_an_open_line_carried_to_the_next_batch_does_not_pin_the_batch():
    """The carried tail is a copy: a string view would keep the whole batch's text alive
    (megabytes per container) until the line closes or the run ends."""
    r = Reassembler()
    body = [("a", "stdout", i, "x" * 400 + str(i), False) for i in range(20_000)]
    r.feed(records([*body, ("a", "stdout", 20_000, "open-", True)]))
    held = r._tail.to_arrow(compat_level=pl.CompatLevel.newest())["line"]
    tail_bytes = sum(b.size for chunk in held.chunks for b in chunk.buffers() if b is not None)
    assert tail_bytes < 10_000, tail_bytes  # a view of the batch holds its ~8 MB of text
    out = r.feed(records([("a", "stdout", 20_001, "end", False)]))
    assert out["line"].to_list() == ["open-end"]
