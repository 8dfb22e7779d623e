import subprocess
import sys
import textwrap
import time
from datetime import UTC, datetime

import duckdb
import polars as pl
import pyarrow as pa
import pyarrow.dataset as ds
import pyarrow.parquet as pq
import pytest

from logadapt_assets.lake import PART_FILE, TMP_PREFIX, Lake, PartitionKey, sanitize
from logadapt_assets.schema import load_contract

CONTRACT = load_contract("raw_log")


def raw_table(n: int, hour: int = 5, text: str = "line") -> pa.Table:
    base = datetime(2026, 11, 27, hour, tzinfo=UTC)
    return pa.table(
        {
            "container_id": ["c" * 64] * n,
            "stream": ["stdout"] * n,
            "observed_at": pa.array(
                [int(base.timestamp() * 1e9) + (n - i) * 1000 for i in range(n)],
                pa.timestamp("ns", "UTC"),
            ),
            "line": [f"{text} {i}" for i in range(n)],
            "source": ["f"] * n,
            "position": list(range(n)),
        },
        schema=CONTRACT.arrow,
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("kafka", "kafka"),
        ("../../etc", "etc"),
        ("a/b\\c", "a_b_c"),
        ("", "_unknown"),
        ("..", "_unknown"),
        ("svc name!", "svc_name"),
    ],
)
def test_sanitize_keeps_values_inside_the_lake(value, expected):
    assert sanitize(value) == expected


def test_partition_key_of_label_cannot_escape(tmp_path):
    lake = Lake(str(tmp_path / "lake"))
    key = PartitionKey.of("../../etc", datetime(2026, 11, 27, 5, tzinfo=UTC))
    written = lake.write_partition("raw_logs", CONTRACT, key, raw_table(3))
    assert written.path.startswith(str(tmp_path / "lake" / "raw_logs" / "service=etc"))
    assert not (tmp_path / "etc").exists()


def test_written_file_is_sorted_compressed_and_carries_the_contract(tmp_path):
    lake = Lake(str(tmp_path))
    key = PartitionKey.of("kafka", datetime(2026, 11, 27, 5, tzinfo=UTC))
    written = lake.write_partition("raw_logs", CONTRACT, key, raw_table(1000))
    pf = pq.ParquetFile(written.path)
    assert pf.schema_arrow.remove_metadata() == CONTRACT.arrow.remove_metadata()
    meta = pf.schema_arrow.metadata
    assert meta[b"logadapt.schema.name"] == b"raw_log"
    assert meta[b"logadapt.schema.version"] == b"1.0"
    col = pf.metadata.row_group(0).column(2)
    assert col.compression == "ZSTD" and col.statistics.has_min_max
    observed = pf.read().column("observed_at").to_pylist()
    assert observed == sorted(observed)
    assert written.key.path() == "service=kafka/date=2026-11-27/hour=05"


def test_rewrite_replaces_the_partition_without_duplicates(tmp_path):
    lake = Lake(str(tmp_path))
    key = PartitionKey.of("kafka", datetime(2026, 11, 27, 5, tzinfo=UTC))
    lake.write_partition("raw_logs", CONTRACT, key, raw_table(10, text="old"))
    lake.write_partition("raw_logs", CONTRACT, key, raw_table(7, text="new"))
    table = lake.read("raw_logs")
    assert table.num_rows == 7
    assert all(t.startswith("new") for t in table.column("line").to_pylist())
    assert lake.partitions("raw_logs") == [key]


def test_lake_reads_back_with_hive_partitioning_in_pyarrow_polars_and_duckdb(tmp_path):
    lake = Lake(str(tmp_path))
    for svc, hour, n in [("kafka", 5, 4), ("kafka", 6, 3), ("postgres", 5, 2)]:
        key = PartitionKey.of(svc, datetime(2026, 11, 27, hour, tzinfo=UTC))
        lake.write_partition("raw_logs", CONTRACT, key, raw_table(n, hour))
    root = tmp_path / "raw_logs"
    dataset = ds.dataset(root, format="parquet", partitioning="hive")
    by_service = dataset.to_table().group_by("service").aggregate([("line", "count")])
    assert dict(zip(*by_service.to_pydict().values(), strict=True)) == {"kafka": 7, "postgres": 2}

    df = pl.scan_parquet(str(root / "**/*.parquet"), hive_partitioning=True).collect()
    assert df.filter(pl.col("service") == "kafka").height == 7
    assert sorted(df["hour"].unique().cast(pl.Int64).to_list()) == [5, 6]

    count = duckdb.sql(
        f"select count(*) from read_parquet('{root}/**/*.parquet', hive_partitioning=true) "
        "where service='kafka' and hour=5"
    ).fetchall()[0][0]
    assert count == 4


def test_writer_killed_mid_write_leaves_previous_partition_intact(tmp_path):
    """A real SIGKILL of a process that is writing a large replacement of the partition."""
    lake = Lake(str(tmp_path))
    key = PartitionKey.of("kafka", datetime(2026, 11, 27, 5, tzinfo=UTC))
    lake.write_partition("raw_logs", CONTRACT, key, raw_table(50, text="old"))
    directory = tmp_path / "raw_logs" / key.path()
    script = textwrap.dedent(f"""
        import sys
        sys.path.insert(0, {str(sys.path[0])!r})
        from datetime import UTC, datetime
        import pyarrow as pa
        from logadapt_assets.lake import Lake, PartitionKey
        from logadapt_assets.schema import load_contract
        from logadapt_tests.test_lake import raw_table
        big = pa.concat_tables([raw_table(200_000, text="new" + "x" * 200)] * 15)
        print("writing", flush=True)
        Lake({str(tmp_path)!r}).write_partition(
            "raw_logs", load_contract("raw_log"),
            PartitionKey.of("kafka", datetime(2026, 11, 27, 5, tzinfo=UTC)), big)
    """)
    proc = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        cwd=str(__import__("pathlib").Path(__file__).parents[1]),
    )
    assert proc.stdout.readline().strip() == b"writing"
    deadline = time.monotonic() + 60
    while not any(p.name.startswith(TMP_PREFIX) for p in directory.iterdir()):
        assert time.monotonic() < deadline and proc.poll() is None, "writer never started"
        time.sleep(0.01)
    proc.kill()
    proc.wait()
    proc.stdout.close()
    # the reader sees exactly the old partition, and no half-written file
    assert [p.name for p in directory.glob("*.parquet")] == [PART_FILE]
    table = lake.read("raw_logs")
    assert table.num_rows == 50
    assert ds.dataset(tmp_path / "raw_logs", partitioning="hive").count_rows() == 50
    # the next write cleans the left-over temporary
    lake.write_partition("raw_logs", CONTRACT, key, raw_table(5, text="again"))
    assert sorted(p.name for p in directory.iterdir()) == [PART_FILE]


def event_table(n: int) -> pa.Table:
    """log_event rows with the columns the writer encodes specially (ids, durations, times)."""
    contract = load_contract("log_event")
    base = int(datetime(2026, 11, 27, 5, tzinfo=UTC).timestamp() * 1e9)
    values = {
        "event_id": [f"abc-stdout-{base + i * 997}-0" for i in range(n)],
        "timestamp": [(base + (n - i) * 1000) // 1000 for i in range(n)],
        "observed_at": [base + (n - i) * 1000 + 7 for i in range(n)],
        "container_id": ["c" * 64] * n,
        "stream": ["stdout"] * n,
        "message": [f"request {i} done" for i in range(n)],
        "line_count": [1] * n,
        "event_type": ["app.http_request"] * n,
        "parser": ["structured"] * n,
        "parse_status": ["ok"] * n,
        "request_id": [None if i % 5 == 0 else f"{i * 7919:032x}" for i in range(n)],
        "trace_id": [None if i % 3 else f"{i * 104729:032x}" for i in range(n)],
        "duration_ms": [None if i % 4 == 0 else i * 1.25 + 0.001 for i in range(n)],
        "attributes": [[("path", f"/v1/orders/{i}"), ("status", "200")] for i in range(n)],
    }
    return pa.table(
        {f.name: pa.array(values.get(f.name, [None] * n), f.type) for f in contract.arrow},
        schema=contract.arrow,
    )


def test_log_events_encodings_read_back_in_pyarrow_polars_and_duckdb(tmp_path):
    """The per-column encodings are the ones measured to pay, and every reader decodes them."""
    contract = load_contract("log_event")
    lake = Lake(str(tmp_path))
    key = PartitionKey.of("orders-api", datetime(2026, 11, 27, 5, tzinfo=UTC))
    table = event_table(3000)
    written = lake.write_partition("log_events", contract, key, table)
    meta = pq.ParquetFile(written.path).metadata.row_group(0)
    chunks = {meta.column(i).path_in_schema: meta.column(i) for i in range(meta.num_columns)}
    for name in ("request_id", "trace_id"):
        assert "DELTA_LENGTH_BYTE_ARRAY" in chunks[name].encodings
        assert not chunks[name].has_dictionary_page
    assert "DELTA_BYTE_ARRAY" in chunks["event_id"].encodings
    assert "DELTA_BINARY_PACKED" in chunks["observed_at"].encodings
    assert not chunks["duration_ms"].has_dictionary_page
    assert chunks["severity"].has_dictionary_page

    expected = table.sort_by("timestamp")
    assert pq.read_table(written.path).equals(expected.replace_schema_metadata(contract.metadata))
    cols = ["event_id", "request_id", "trace_id", "duration_ms"]
    df = pl.read_parquet(written.path, columns=cols)
    assert df.equals(pl.from_arrow(expected.select(cols)))
    rows = duckdb.sql(
        f"select {', '.join(cols)}, epoch_ns(observed_at) from read_parquet('{written.path}')"
    ).fetchall()
    want = zip(
        *(expected.column(c).to_pylist() for c in cols),
        pa.compute.cast(expected.column("observed_at"), pa.int64()).to_pylist(),
        strict=True,
    )
    assert rows == list(want)
