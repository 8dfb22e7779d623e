"""Text sources: `docker logs -t` output (with glued 16 KiB records) and plain log files."""

import os
from datetime import UTC, datetime, timedelta

import polars as pl

from logadapt_assets.sources.text import TextSource
from logadapt_tests.sources.builders import T0, lines_of, read_all


def ts(t: datetime) -> str:
    """`docker logs -t` prints RFC3339Nano with a fixed nine-digit fraction."""
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def test_docker_logs_lines(tmp_path):
    f = tmp_path / "kafka-1.log"
    f.write_text(f"{ts(T0)} [2026-11-27 20:00:00,123] INFO hi\n{ts(T0 + timedelta(seconds=1))} \n")
    source = TextSource(f, docker_logs=True)
    (info,) = source.containers()
    assert info.id == "kafka-1" and info.name == "kafka-1"
    raw, q = read_all(source)
    assert q.height == 0
    assert raw["line"].to_list() == ["[2026-11-27 20:00:00,123] INFO hi", ""]
    assert raw["observed_at"].to_list() == [T0, T0 + timedelta(seconds=1)]
    assert raw["stream"].unique().to_list() == ["stdout"]
    assert raw["position"].to_list() == [0, len(ts(T0)) + 35]


def test_docker_logs_long_line_is_cut_back_into_its_records(tmp_path):
    """`docker logs -t` prints a 40,000-character line as TS part1TS part2TS rest."""
    text = "".join(chr(ord("a") + i % 26) for i in range(40_000))
    stamp = ts(T0 + timedelta(seconds=1))
    glued = f"{stamp} {text[:16384]}{stamp} {text[16384:32768]}{stamp} {text[32768:]}\n"
    f = tmp_path / "c.log"
    f.write_text(f"{ts(T0)} before\n{glued}{ts(T0 + timedelta(seconds=2))} after\n")
    source = TextSource(f, docker_logs=True)
    raw, _ = read_all(source)
    assert raw["partial"].to_list() == [False, True, True, False, False]
    assert raw["line"].str.len_chars().to_list() == [6, 16384, 16384, 40_000 - 32768, 5]
    first = len(ts(T0)) + 8
    assert raw["position"].to_list()[1:4] == [
        first,
        first + len(stamp) + 1 + 16384,
        first + 2 * (len(stamp) + 1 + 16384),
    ]
    lines = lines_of(source)
    assert lines["line"].to_list() == ["before", text, "after"]


def test_docker_logs_cut_inside_a_multibyte_character(tmp_path):
    """Docker cuts at 16 KiB of bytes; the halves of a cut character become U+FFFD each."""
    stamp = ts(T0)
    head = "x" * 16383 + "\ufffd"  # 16383 bytes + the first byte of a 2-byte char, replaced
    glued = f"{stamp} {head}{stamp} \ufffdtail\n"
    f = tmp_path / "c.log"
    f.write_text(glued)
    raw, _ = read_all(TextSource(f, docker_logs=True))
    assert raw["line"].to_list() == [head, "\ufffdtail"]
    assert raw["partial"].to_list() == [True, False]


def test_plain_file_times_from_lines_continuations_and_mtime(tmp_path):
    f = tmp_path / "server.log"
    f.write_text(
        "banner without a time\n"
        "[2026-11-27 20:00:00,123] ERROR boom (kafka.server.KafkaApis)\n"
        "java.lang.IllegalStateException: x\n"
        "\tat kafka.Foo.bar(Foo.scala:1)\n"
        "2026-11-27 21:00:00.5 UTC [42] LOG:  checkpoint starting\n"
        "2026-11-27T22:00:00+01:00 offset line\r\n"
    )
    raw, q = read_all(TextSource(f, docker_logs=False))
    at = T0 + timedelta(milliseconds=123)
    assert raw["observed_at"].to_list() == [
        at,
        at,
        at,
        at,
        T0 + timedelta(hours=1, milliseconds=500),
        T0 + timedelta(hours=1),
    ]
    assert raw["line"][-1] == "2026-11-27T22:00:00+01:00 offset line"
    assert raw["position"].is_sorted() and q.height == 0


def test_plain_file_without_times_uses_mtime_and_keeps_order(tmp_path):
    f = tmp_path / "app.txt"
    f.write_bytes(b"one\ntwo\nbad \xff byte\nthree")  # no final newline: still a line
    mtime = datetime(2026, 11, 27, 12, 0, tzinfo=UTC)
    os.utime(f, (mtime.timestamp(), mtime.timestamp()))
    raw, q = read_all(TextSource(f, docker_logs=False))
    assert raw["line"].to_list() == ["one", "two", "three"]
    assert raw["observed_at"].unique().to_list() == [mtime]
    assert raw["position"].to_list() == [0, 4, 19]
    assert q.select("reason", "raw", "position").rows() == [("invalid_utf8", b"bad \xff byte", 8)]
    assert q["observed_at"].to_list() == [mtime]


def test_a_directory_of_text_files_is_one_container_per_file(tmp_path):
    (tmp_path / "a.log").write_text("x\n")
    (tmp_path / "b.log").write_text("y\n")
    source = TextSource(tmp_path, docker_logs=False)
    assert [c.id for c in source.containers()] == ["a", "b"]
    raw, _ = read_all(source)
    assert raw.select("container_id", "line").rows() == [("a", "x"), ("b", "y")]
    assert raw["observed_at"].dtype == pl.Datetime("ns", "UTC")
