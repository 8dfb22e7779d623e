"""The performance changes of issue #6 keep results identical: staging, carries, JSON decoding."""

import json
import os

import polars as pl
import pyarrow as pa
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.conform import detach
from logadapt_assets.parsing import structured
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


def test_detach_keeps_values_and_types():
    df = pl.DataFrame(
        {
            "s": ["a" * 40, None],
            "t": pl.Series([1, 2]).cast(pl.Datetime("ns", "UTC")),
            "n": pl.Series([1, None], dtype=pl.Int32),
            "l": [["x"], None],
        }
    )
    big = pl.concat([df] * 1_000)
    tail = detach(big.tail(2))
    assert tail.schema == df.schema and tail.equals(big.tail(2))
    assert detach(df.clear()).schema == df.schema


def _pairs(rows: list[str]) -> tuple[pl.DataFrame, list[int]]:
    batch = pl.DataFrame({"src": rows}).with_row_index(structured.ROW)
    pairs, ok = structured.json_pairs(batch)
    return pairs.sort(structured.ROW, "key"), ok.sort().to_list()


def test_json_decoded_in_slices_equals_one_decode(monkeypatch):
    """Keys that appear late, kinds that differ between slices, a bad row in one slice."""
    rows = []
    for i in range(300):
        doc = {"level": "info", "msg": f"m{i}", "n": i}
        if i % 7 == 0:
            doc["error"] = {"kind": "timeout"} if i % 2 else "timeout"
        if i > 250:
            doc["late"] = 1.0 if i % 2 else 2
        rows.append(json.dumps(doc))
    rows[123] = '{"level": "info", "msg": broken'
    monkeypatch.setattr(structured, "DECODE_ROWS", 1_000)
    whole, whole_ok = _pairs(rows)
    monkeypatch.setattr(structured, "DECODE_ROWS", 64)
    sliced, sliced_ok = _pairs(rows)
    assert sliced.equals(whole) and sliced_ok == whole_ok
    assert sliced_ok == [i for i in range(300) if i != 123]  # the broken row only
    assert set(sliced.filter(pl.col(structured.ROW) == 251)["key"]) >= {"late", "n", "msg"}


def test_template_ids_of_distinct_first_lines_equal_per_row_ids():
    from logadapt_assets import templates

    messages = pl.Series(
        "message",
        [
            "request completed",
            "request completed",
            "Rolled new log segment at offset 12 in 3 ms.",
            "Rolled new log segment at offset 99 in 1 ms.\nsecond line",
            None,
            "",
            "  padded  \r\ntail",
            'duration: 1.5 ms  statement: SELECT * FROM "t" WHERE id = 7',
        ],
    )
    per_row = messages.to_frame().select(
        templates.template_text(pl.col("message")).map_batches(
            templates.template_ids, return_dtype=pl.String
        )
    )
    deduplicated = messages.to_frame().select(templates.template_id(pl.col("message")))
    assert deduplicated.to_series().to_list() == per_row.to_series().to_list()
    ids = deduplicated.to_series().to_list()
    assert ids[0] == ids[1] and ids[2] == ids[3] and ids[4] is None


def _event_frame(rows: list[tuple[str | None, str | None, str | None, str | None]]):
    return pl.DataFrame(
        [
            {
                "component": c,
                "severity": sev,
                "sqlstate": code,
                "message": m,
                "attributes": [{"key": "topic", "value": "t"}],
            }
            for c, sev, code, m in rows
        ],
        schema={
            "component": pl.String,
            "severity": pl.String,
            "sqlstate": pl.String,
            "message": pl.String,
            "attributes": pl.List(pl.Struct({"key": pl.String, "value": pl.String})),
        },
    )


def test_required_literals_are_necessary_for_a_match():
    from logadapt_assets.event_types import required_literals

    cases = {
        "Rolled new log segment": {"Rolled new log segment"},
        "[Dd]isk (?:is )?full": {"isk "},
        r"^\[(?:KafkaServer|BrokerServer)[^\]]*\] x|^started$": {
            "KafkaServer",
            "BrokerServer",
            "started",
        },
        "(?i)password": None,  # case-insensitive: no literal is necessary
        "ab+c": None,  # runs shorter than MIN_LITERAL
        "x(?:ab|cd)y": None,
    }
    for pattern, expected in cases.items():
        found = required_literals(pattern)
        assert found == (None if expected is None else frozenset(expected)), pattern


_FRAGMENTS = [
    "Rolled new log segment",
    "Shrinking ISR from",
    "Expanding ISR from",
    " at offset 12",
    "[Partition orders-3 broker=1] ",
    "[KafkaServer id=1] ",
    "started",
    "starting",
    "Kafka Server started",
    "Preparing to rebalance group",
    "duplicate key value violates unique constraint",
    "deadlock detected",
    'relation "t" does not exist',
    "NotLeaderOrFollowerException",
    'Exception in thread "main" ',
    "\n\tat a.b.C.d(C.java:1)",
    "Disk full",
    "disk is full",
    "Error for partition t-0 at offset 5",
    "checkpoint starting: time",
    "syntax error at or near",
    " ",
    "x",
    "0",
]


@settings(max_examples=150, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from([None, "kafka.log.LocalLog", "kafka.server.ReplicaFetcherThread"]),
            st.sampled_from([None, "INFO", "WARN", "ERROR", "FATAL"]),
            st.sampled_from([None, "23505", "40P01", "57P01"]),
            st.one_of(st.none(), st.lists(st.sampled_from(_FRAGMENTS), max_size=5).map("".join)),
        ),
        min_size=1,
        max_size=30,
    ),
    st.sampled_from(["kafka", "postgres"]),
)
def test_literal_prefilter_classifies_like_every_rule_on_every_row(rows, family):
    from logadapt_assets.event_types import MATCH_CHARS, _chain, classify_expr, rules_for

    rules = rules_for(family)
    frame = _event_frame(rows)
    message = pl.col("message").fill_null("").str.slice(0, MATCH_CHARS)
    fast = frame.select(classify_expr(rules)).to_series().to_list()
    every = frame.select(_chain(rules, message)).to_series().to_list()
    assert fast == every


def _lines(texts: list[str], start_ns: int) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "container_id": ["c1"] * len(texts),
            "stream": ["stdout"] * len(texts),
            "observed_at": pl.Series(range(start_ns, start_ns + len(texts))).cast(
                pl.Datetime("ns", "UTC")
            ),
            "line": texts,
        }
    )


def test_assembler_carries_the_last_record_of_a_batch_with_thousands_of_records():
    """Record numbers times 1,000,000 overflowed UInt32 past 4,295 records in a batch, so a
    record from the middle was carried instead of the open last one."""
    from logadapt_assets.parsing.assemble import Assembler

    starts = lambda line: ~line.str.starts_with(" ")  # noqa: E731
    assembler = Assembler(starts)
    first = assembler.feed(_lines([f"record {i}" for i in range(6_000)], 1_000))
    second = assembler.feed(_lines(["  continued", "record 6000"], 10_000))
    rest = assembler.flush()
    out = pl.concat([first, second, rest])
    assert first["text"].to_list() == [f"record {i}" for i in range(5_999)]
    assert second["text"].to_list() == ["record 5999\n  continued"]
    assert rest["text"].to_list() == ["record 6000"]
    assert out["line_count"].sum() == 6_002 and out.height == 6_001


def test_assembler_joins_multi_line_records_and_caps_runaway_ones(monkeypatch):
    from logadapt_assets.parsing import assemble

    monkeypatch.setattr(assemble, "MAX_LINES_PER_EVENT", 3)
    starts = lambda line: ~line.str.starts_with(" ")  # noqa: E731
    texts = ["a", " 1", "b", " 1", " 2", " 3", " 4", "c"]
    out = assemble.Assembler(starts).feed(_lines(texts, 0))
    assert out["text"].to_list() == ["a\n 1", "b\n 1\n 2", " 3\n 4"]  # c is still open
    assert out["line_count"].to_list() == [2, 3, 2]


def test_event_ids_number_shared_capture_times_across_batches():
    from logadapt_assets.pipeline import Converter, _ContainerState

    times = [1, 2, 2, 2, 3, 3, 4, 5, 5, 5, 5, 6]
    streams = ["stdout", "stdout", "stderr", "stdout", "stdout", "stdout"] * 2
    events = pl.DataFrame(
        {
            "container_id": ["0123456789abcdef"] * 12,
            "stream": streams,
            "observed_at": pl.Series(times).cast(pl.Datetime("ns", "UTC")),
        }
    )

    def ids(cuts: list[int]) -> list[str]:
        state = _ContainerState.__new__(_ContainerState)
        state.id_carry = None
        conv = Converter.__new__(Converter)
        bounds = [0, *cuts, events.height]
        parts = [events.slice(a, b - a) for a, b in zip(bounds, bounds[1:], strict=False)]
        return pl.concat([conv._with_event_ids(state, p) for p in parts])["event_id"].to_list()

    whole = ids([])
    assert whole[:4] == [
        "0123456789ab-stdout-1-0",
        "0123456789ab-stdout-2-0",
        "0123456789ab-stderr-2-0",
        "0123456789ab-stdout-2-1",
    ]
    assert whole[7:11] == [
        "0123456789ab-stdout-5-0",
        "0123456789ab-stderr-5-0",
        "0123456789ab-stdout-5-1",
        "0123456789ab-stdout-5-2",
    ]
    for cuts in ([2], [3, 9], [1, 2, 3, 8, 10], list(range(1, 12))):
        assert ids(cuts) == whole, cuts
