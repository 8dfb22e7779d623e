from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.parsing import assemble
from logadapt_assets.parsing.assemble import Assembler
from logadapt_assets.parsing.generic import PARSER

T0 = datetime(2026, 11, 27, 5, 59, 58, tzinfo=UTC)


def lines(rows: list[tuple[str, float, str]]) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "container_id": ["c1"] * len(rows),
            "stream": [s for s, _, _ in rows],
            "observed_at": [T0 + timedelta(seconds=o) for _, o, _ in rows],
            "line": [text for _, _, text in rows],
            "position": list(range(len(rows))),
        }
    ).with_columns(pl.col("observed_at").cast(pl.Datetime("ns", "UTC")))


def run(batches: list[pl.DataFrame]) -> pl.DataFrame:
    a = Assembler(PARSER.starts_record)
    out = [a.feed(b) for b in batches] + [a.flush()]
    return pl.concat(out, how="vertical_relaxed")


def test_stack_trace_lines_join_their_record_per_stream():
    df = lines(
        [
            ("stdout", 0, "ERROR boom"),
            ("stderr", 0, "other stream"),
            ("stdout", 0, "java.lang.IllegalStateException: x"),
            ("stdout", 0, "\tat a.b.C.d(C.java:1)"),
            ("stdout", 0, "Caused by: java.io.IOException: y"),
            ("stdout", 0, "\t... 3 more"),
            ("stdout", 0, "INFO next"),
        ]
    )
    out = run([df]).sort("position")
    assert out["text"].to_list() == [
        "ERROR boom\njava.lang.IllegalStateException: x\n\tat a.b.C.d(C.java:1)\n"
        "Caused by: java.io.IOException: y\n\t... 3 more",
        "other stream",
        "INFO next",
    ]
    assert out["line_count"].to_list() == [5, 1, 1]
    assert out["position"].to_list() == [0, 1, 6]


def test_record_never_spans_an_hour_boundary():
    out = run([lines([("stdout", 1, "ERROR x"), ("stdout", 3, "\tat late")])])
    assert out["text"].to_list() == ["ERROR x", "\tat late"]


def test_runaway_continuations_are_capped(monkeypatch):
    monkeypatch.setattr(assemble, "MAX_LINES_PER_EVENT", 3)
    out = run([lines([("stdout", 0, "start")] + [("stdout", 0, " c")] * 7)])
    assert out["line_count"].to_list() == [3, 3, 2]


text_line = st.one_of(
    st.sampled_from(["INFO a", "\tat x", "Caused by: e", "  cont", "... 2 more", ""]),
    st.text(max_size=12),
)


@settings(max_examples=150, deadline=None)
@given(
    rows=st.lists(
        st.tuples(
            st.sampled_from(["stdout", "stderr"]), st.floats(min_value=0, max_value=4), text_line
        ),
        max_size=40,
    ),
    cuts=st.lists(st.integers(min_value=0, max_value=40), max_size=4),
)
def test_batching_never_changes_the_records(rows, cuts):
    rows = sorted(rows, key=lambda r: r[1])
    if not rows:
        assert run([]).height == 0
        return
    df = lines(rows)
    whole = run([df])
    bounds = sorted({0, len(rows), *[min(c, len(rows)) for c in cuts]})
    pieces = [df.slice(a, b - a) for a, b in zip(bounds, bounds[1:], strict=False)]
    batched = run(pieces)
    # records of different streams may be emitted in another order; each stream's may not
    assert batched.sort("position").to_dicts() == whole.sort("position").to_dicts()
    for stream in ("stdout", "stderr"):
        assert (
            batched.filter(pl.col("stream") == stream).to_dicts()
            == whole.filter(pl.col("stream") == stream).to_dicts()
        )
    assert whole["line_count"].sum() == len(rows)
