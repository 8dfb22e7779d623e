"""json-file source: records, metadata, rotation, gzip, time windows and every kind of bad input."""

import json
import tempfile
from datetime import timedelta
from pathlib import Path

import polars as pl
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from logadapt_assets.sources import text as text_module
from logadapt_assets.sources.json_file import JsonFileSource
from logadapt_tests.sources.builders import (
    CID,
    T0,
    container_dir,
    docker_gzip,
    lines_of,
    read_all,
    record,
)

CONFIG = {
    "ID": CID,
    "Name": "/kafka-1",
    "RestartCount": 3,
    "State": {
        "Running": True,
        "Paused": False,
        "Restarting": False,
        "Dead": False,
        "StartedAt": "2026-11-27T19:00:00.123456789Z",
        "FinishedAt": "0001-01-01T00:00:00Z",
    },
    "Config": {
        "Hostname": "kafka-1.example",
        "Image": "apache/kafka:3.9.0",
        "Env": ["KAFKA_NODE_ID=1", "EMPTY=", "WITH_EQ=a=b", "NOVALUE"],
        "Labels": {"logadapt.service": "kafka", "evil": "../../etc"},
    },
}


def test_records_metadata_and_positions(tmp_path):
    d = container_dir(tmp_path, config=CONFIG)
    recs = [
        record("started\n", t=T0),
        record("oops\n", "stderr", T0 + timedelta(microseconds=1)),
        record("tty line\r\n", t=T0 + timedelta(seconds=1), attrs={"tag": "x"}),
    ]
    (d / f"{CID}-json.log").write_bytes(b"".join(recs))
    source = JsonFileSource(d)

    (info,) = source.containers()
    assert info.id == CID and info.name == "kafka-1" and info.image == "apache/kafka:3.9.0"
    assert info.labels == {"logadapt.service": "kafka", "evil": "../../etc"}
    assert info.env == {"KAFKA_NODE_ID": "1", "EMPTY": "", "WITH_EQ": "a=b", "NOVALUE": ""}
    assert info.state == "running" and info.restart_count == 3 and info.host == "kafka-1.example"
    assert info.started_at.isoformat() == "2026-11-27T19:00:00.123456+00:00"
    assert info.finished_at is None

    raw, quarantine = read_all(source)
    assert quarantine.height == 0
    assert raw["line"].to_list() == ["started", "oops", "tty line"]
    assert raw["stream"].to_list() == ["stdout", "stderr", "stdout"]
    assert raw["position"].to_list() == [0, len(recs[0]), len(recs[0]) + len(recs[1])]
    assert raw["source"].unique().to_list() == [str(d / f"{CID}-json.log")]
    assert not raw["partial"].any()
    assert raw["container_id"].unique().to_list() == [CID]


def test_nanosecond_times_in_every_rfc3339nano_width(tmp_path):
    d = container_dir(tmp_path)
    stamps = [
        "2026-11-27T20:00:00Z",
        "2026-11-27T20:00:00.1Z",
        "2026-11-27T20:00:00.12345678Z",
        "2026-11-27T20:00:00.123456789Z",
    ]
    body = b"".join(
        json.dumps({"log": f"{i}\n", "stream": "stdout", "time": s}).encode() + b"\n"
        for i, s in enumerate(stamps)
    )
    (d / f"{CID}-json.log").write_bytes(body)
    raw, _ = read_all(JsonFileSource(d))
    base = 1795809600 * 10**9
    assert raw["observed_at"].cast(pl.Int64).to_list() == [
        base,
        base + 100_000_000,
        base + 123_456_780,
        base + 123_456_789,
    ]


def test_partial_records_of_a_long_line_reassemble(tmp_path):
    d = container_dir(tmp_path)
    text = "".join(chr(ord("a") + i % 26) for i in range(40_000))
    parts = [text[:16384], text[16384:32768], text[32768:] + "\n"]
    body = record("before\n") + b"".join(record(p, t=T0 + timedelta(seconds=1)) for p in parts)
    (d / f"{CID}-json.log").write_bytes(body + record("after\n", t=T0 + timedelta(seconds=2)))
    source = JsonFileSource(d)
    raw, _ = read_all(source)
    assert raw["partial"].to_list() == [False, True, True, False, False]
    lines = lines_of(source)
    assert lines["line"].to_list() == ["before", text, "after"]
    assert lines["observed_at"][1] == T0 + timedelta(seconds=1)
    assert lines["position"][1] == len(record("before\n"))


def test_rotations_are_read_oldest_first_and_lines_span_files(tmp_path):
    d = container_dir(tmp_path)
    log = d / f"{CID}-json.log"
    Path(f"{log}.2").write_bytes(record("one\n", t=T0))
    Path(f"{log}.1").write_bytes(
        record("two\n", t=T0 + timedelta(seconds=1))
        + record("three-a ", t=T0 + timedelta(seconds=2))
    )
    log.write_bytes(
        record("three-b\n", t=T0 + timedelta(seconds=2)) + record("four\n", t=T0 + timedelta(3))
    )
    Path(f"{log}.10").write_bytes(record("zero\n", t=T0 - timedelta(seconds=1)))
    source = JsonFileSource(d)
    raw, _ = read_all(source)
    assert raw["line"].to_list() == ["zero", "one", "two", "three-a ", "three-b", "four"]
    assert raw["source"].to_list()[0].endswith("-json.log.10")
    assert lines_of(source)["line"].to_list() == ["zero", "one", "two", "three-a three-b", "four"]


def test_gzip_rotations_and_a_rotation_being_compressed(tmp_path):
    d = container_dir(tmp_path)
    log = d / f"{CID}-json.log"
    r3, r2 = record("oldest\n", t=T0), record("older\n", t=T0 + timedelta(seconds=1))
    r1 = record("old\n", t=T0 + timedelta(seconds=2))
    Path(f"{log}.3.gz").write_bytes(docker_gzip(r3, T0))
    Path(f"{log}.2.gz").write_bytes(docker_gzip(r2, T0 + timedelta(seconds=1)))
    # Docker is compressing .1: both names hold the same records until .1 is deleted
    Path(f"{log}.1").write_bytes(r1)
    Path(f"{log}.1.gz").write_bytes(docker_gzip(r1, T0 + timedelta(seconds=2)))
    log.write_bytes(record("new\n", t=T0 + timedelta(seconds=3)))
    raw, quarantine = read_all(JsonFileSource(d))
    assert raw["line"].to_list() == ["oldest", "older", "old", "new"]
    assert quarantine.height == 0
    assert raw["source"][0].endswith(".3.gz") and raw["source"][2].endswith(".1")


def test_gzip_header_last_time_skips_a_rotation_before_the_window(tmp_path):
    d = container_dir(tmp_path)
    log = d / f"{CID}-json.log"
    late = T0 + timedelta(hours=2)
    # the header says the file ended an hour before the window: it is not even decompressed
    Path(f"{log}.1.gz").write_bytes(docker_gzip(record("hidden\n", t=late), T0))
    log.write_bytes(record("seen\n", t=late))
    raw, _ = read_all(JsonFileSource(d), since=T0 + timedelta(hours=1))
    assert raw["line"].to_list() == ["seen"]
    raw, _ = read_all(JsonFileSource(d))
    assert raw["line"].to_list() == ["hidden", "seen"]


def test_time_window_is_half_open_to_the_nanosecond(tmp_path):
    d = container_dir(tmp_path)
    times = [T0 + timedelta(microseconds=i) for i in range(5)]
    (d / f"{CID}-json.log").write_bytes(
        b"".join(record(f"{i}\n", t=t) for i, t in enumerate(times))
    )
    raw, _ = read_all(JsonFileSource(d), since=times[1], until=times[3])
    assert raw["line"].to_list() == ["1", "2"]
    naive = times[1].replace(tzinfo=None)  # naive bounds are UTC
    raw, _ = read_all(JsonFileSource(d), since=naive)
    assert raw["line"].to_list() == ["1", "2", "3", "4"]


def test_bad_records_are_quarantined_with_reason_and_bytes(tmp_path):
    d = container_dir(tmp_path)
    good1, good2 = record("a\n", t=T0), record("b\n", t=T0 + timedelta(seconds=5))
    broken = b'{"log":"x\\n","stream":"stdout","time":'
    latin1 = record("caf\xe9\n").replace(b"caf\xc3\xa9", b"caf\xe9")
    no_time = b'{"log":"x\\n","stream":"stdout"}\n'
    bad_time = b'{"log":"x\\n","stream":"stdout","time":"yesterday"}\n'
    not_object = b"[1,2]\n"
    truncated = b'{"log":"cut in the mid'
    body = good1 + broken + b"\n" + latin1 + no_time + bad_time + not_object + good2 + truncated
    path = d / f"{CID}-json.log"
    path.write_bytes(body)
    raw, q = read_all(JsonFileSource(d))
    assert raw["line"].to_list() == ["a", "b"]
    assert q["reason"].to_list() == [
        "invalid_json",
        "invalid_utf8",
        "invalid_record",
        "invalid_record",
        "invalid_record",
        "truncated",
    ]
    assert q["raw"].to_list() == [
        broken,
        latin1[:-1],
        no_time[:-1],
        bad_time[:-1],
        b"[1,2]",
        truncated,
    ]
    assert q["raw_size"].to_list() == [len(r) for r in q["raw"].to_list()]
    assert q["position"][0] == len(good1) and q["position"][-1] == len(body) - len(truncated)
    assert q["source"].unique().to_list() == [str(path)]
    # a record without a time of its own is filed under its predecessor's capture time
    assert q["observed_at"][0] == T0 and q["observed_at"][-1] == T0 + timedelta(seconds=5)
    assert raw.height + q.height == 8  # every record is accounted for


def test_a_record_without_log_is_an_empty_partial_as_docker_reads_it(tmp_path):
    d = container_dir(tmp_path)
    no_log = b'{"stream":"stderr","time":"2026-11-27T20:00:00.5Z"}\n'
    bad = b'{"log":"x\\n","stream":"stdout"}\n'  # without a time it is still no record
    for body in (  # the fast NDJSON path, and record by record next to a broken record
        record("one\n", "stderr") + no_log + record("two\n", "stderr"),
        record("one\n", "stderr") + no_log + bad + record("two\n", "stderr"),
    ):
        path = d / f"{CID}-json.log"
        path.write_bytes(body)
        raw, q = read_all(JsonFileSource(d))
        assert raw["line"].to_list() == ["one", "", "two"]
        assert raw["partial"].to_list() == [False, True, False]
        assert q["reason"].to_list() == ["invalid_record"] * (body.count(bad))
        assert lines_of(JsonFileSource(d))["line"].to_list() == ["one", "two"]


def test_valid_last_line_without_newline_is_kept(tmp_path):
    d = container_dir(tmp_path)
    (d / f"{CID}-json.log").write_bytes(record("a\n") + record("b\n")[:-1])
    raw, q = read_all(JsonFileSource(d))
    assert raw["line"].to_list() == ["a", "b"] and q.height == 0


def test_nul_bytes_are_kept_escaped_or_raw(tmp_path):
    d = container_dir(tmp_path)
    escaped = record("a\x00b\n")  # how Docker writes it: \u0000
    raw_nul = b'{"log":"c\x00d\\n","stream":"stdout","time":"2026-11-27T20:00:00Z"}\n'
    (d / f"{CID}-json.log").write_bytes(escaped + raw_nul)
    raw, q = read_all(JsonFileSource(d))
    assert raw["line"].to_list() == ["a\x00b", "c\x00d"] and q.height == 0


def test_ten_mib_line_is_kept_whole_even_with_small_chunks(tmp_path):
    d = container_dir(tmp_path)
    big = "x" * (10 << 20)
    (d / f"{CID}-json.log").write_bytes(record("a\n") + record(big + "\n") + record("b\n"))
    raw, q = read_all(JsonFileSource(d, chunk_bytes=1 << 20))
    assert q.height == 0
    assert raw["line"].str.len_bytes().to_list() == [1, 10 << 20, 1]
    assert raw["line"][1] == big


def test_small_chunks_give_the_same_result(tmp_path):
    d = container_dir(tmp_path)
    body = b"".join(
        record(f"line {i} " + "y" * (i % 50) + ("\n" if i % 7 else ""), t=T0) for i in range(300)
    )
    body += b"garbage\n" + record("end\n")
    (d / f"{CID}-json.log").write_bytes(body)
    big_raw, big_q = read_all(JsonFileSource(d))
    small_raw, small_q = read_all(JsonFileSource(d, chunk_bytes=97))
    assert big_raw.equals(small_raw) and big_q.equals(small_q)
    assert big_q["reason"].to_list() == ["invalid_json"]


def test_blank_lines_are_not_records(tmp_path):
    d = container_dir(tmp_path)
    (d / f"{CID}-json.log").write_bytes(record("a\n") + b"\n  \r\n" + record("b\n"))
    raw, q = read_all(JsonFileSource(d))
    assert raw["line"].to_list() == ["a", "b"] and q.height == 0
    assert raw["position"][1] == len(record("a\n")) + 5


def test_empty_file_and_empty_root(tmp_path):
    d = container_dir(tmp_path / "containers")
    (d / f"{CID}-json.log").write_bytes(b"")
    source = JsonFileSource(tmp_path / "containers")
    assert [c.id for c in source.containers()] == [CID]
    assert list(source.read()) == []
    (tmp_path / "other").mkdir()
    assert JsonFileSource(tmp_path / "other").containers() == []


def test_containers_root_and_single_file(tmp_path):
    root = tmp_path / "containers"
    other = "b" * 64
    container_dir(root, config=CONFIG)
    (root / CID / f"{CID}-json.log").write_bytes(record("k\n"))
    container_dir(root, other)
    (root / other / f"{other}-json.log").write_bytes(record("o\n"))
    (root / other / f"{other}-json.log.1").write_bytes(record("o-old\n"))
    source = JsonFileSource(root)
    assert sorted(c.id for c in source.containers()) == sorted([CID, other])
    raw, _ = read_all(source)
    assert sorted(raw["line"].to_list()) == ["k", "o", "o-old"]
    single = JsonFileSource(root / other / f"{other}-json.log")
    assert [c.id for c in single.containers()] == [other]
    raw, _ = read_all(single)
    assert raw["line"].to_list() == ["o"]  # an explicit file is read alone


def test_a_rotation_that_vanishes_before_it_is_read_is_skipped_and_noted(tmp_path, monkeypatch):
    d = container_dir(tmp_path)
    log = d / f"{CID}-json.log"
    Path(f"{log}.2").write_bytes(record("two\n"))
    Path(f"{log}.1").write_bytes(record("one\n"))
    log.write_bytes(record("now\n"))
    source = JsonFileSource(d)
    listed = source._list_files

    def list_then_lose(cf):  # the runtime deletes .2 right after we listed it
        files = listed(cf)
        Path(f"{log}.2").unlink()
        return files

    monkeypatch.setattr(source, "_list_files", list_then_lose)
    raw, q = read_all(source)
    assert raw["line"].to_list() == ["one", "now"]
    assert q.height == 0
    assert [(s.reason, s.source) for s in source.skipped] == [("vanished", f"{log}.2")]


def test_rotation_during_the_read_does_not_duplicate_or_lose(tmp_path, monkeypatch):
    d = container_dir(tmp_path)
    log = d / f"{CID}-json.log"
    Path(f"{log}.1").write_bytes(record("one\n"))
    log.write_bytes(record("now\n"))
    source = JsonFileSource(d)
    opened = source._open_all

    def open_then_rotate(cf):  # files are held open, so renames after opening do not matter
        handles = opened(cf)
        Path(f"{log}.1").rename(f"{log}.2")
        log.rename(f"{log}.1")
        log.write_bytes(record("later\n"))
        return handles

    monkeypatch.setattr(source, "_open_all", open_then_rotate)
    raw, _ = read_all(source)
    assert raw["line"].to_list() == ["one", "now"]


def test_corrupt_gzip_keeps_what_was_readable_and_quarantines_the_rest(tmp_path):
    d = container_dir(tmp_path)
    log = d / f"{CID}-json.log"
    body = b"".join(record(f"{i}\n") for i in range(2000))
    gz = docker_gzip(body, T0)
    Path(f"{log}.1.gz").write_bytes(gz[: len(gz) // 2])
    log.write_bytes(record("now\n"))
    raw, q = read_all(JsonFileSource(d, chunk_bytes=4096))
    assert raw["line"][-1] == "now" and raw.height > 1
    assert "corrupt_gzip" in q["reason"].to_list()


record_bytes = st.builds(
    lambda text, stream, nl: record(text + ("\n" if nl else ""), stream),
    st.text(max_size=30),
    st.sampled_from(["stdout", "stderr"]),
    st.booleans(),
)
junk_line = st.binary(max_size=40).map(lambda b: b.replace(b"\n", b"") + b"\n")


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    parts=st.lists(st.one_of(record_bytes, junk_line, st.binary(max_size=20)), max_size=25),
    chunk=st.sampled_from([32, 1 << 20]),
)
def test_arbitrary_bytes_never_raise_and_every_record_is_counted(parts, chunk):
    data = b"".join(parts)
    records = [line for line in data.split(b"\n") if line.strip(b" \t\r")]
    with tempfile.TemporaryDirectory() as tmp:
        d = container_dir(Path(tmp))
        (d / f"{CID}-json.log").write_bytes(data)
        raw, q = read_all(JsonFileSource(d, chunk_bytes=chunk))
    assert raw.height + q.height == len(records)
    if raw.height:
        assert raw["observed_at"].null_count() == 0
        assert raw["position"].is_unique().all()
    if q.height:
        assert q["observed_at"].null_count() == 0


def _hours_file(d, times) -> None:
    (d / f"{CID}-json.log").write_bytes(
        b"".join(record(f"{i} " + "z" * 40 + "\n", t=t) for i, t in enumerate(times))
    )


def test_reading_a_window_seeks_into_a_big_file(tmp_path, monkeypatch):
    monkeypatch.setattr(text_module, "SEEK_MIN_BYTES", 4096)
    d = container_dir(tmp_path)
    times = [T0 + timedelta(seconds=3 * i) for i in range(6000)]  # five hours
    _hours_file(d, times)
    since, until = T0 + timedelta(hours=2), T0 + timedelta(hours=3)
    source = JsonFileSource(d)
    seeks = []
    real_seek = source._seek
    monkeypatch.setattr(source, "_seek", lambda fh, s: seeks.append(real_seek(fh, s)) or seeks[-1])
    raw, _ = read_all(source, since, until)
    expected = [i for i, t in enumerate(times) if since <= t < until]
    assert raw["line"].str.extract(r"^(\d+)").cast(pl.Int64).to_list() == expected
    assert seeks and 0 < seeks[0] < raw["position"][0]  # skipped most of the file
    assert raw["position"][0] - seeks[0] < 64 * 1024


def test_a_clock_step_back_disables_seeking(tmp_path, monkeypatch):
    monkeypatch.setattr(text_module, "SEEK_MIN_BYTES", 4096)
    d = container_dir(tmp_path)
    forward = [T0 + timedelta(hours=5, seconds=i) for i in range(3000)]
    back = [T0 + timedelta(seconds=i) for i in range(3000)]  # clock set back by five hours
    _hours_file(d, forward + back)
    since = T0 + timedelta(minutes=10)
    raw, _ = read_all(JsonFileSource(d), since, T0 + timedelta(minutes=20))
    expected = [3000 + i for i, t in enumerate(back) if since <= t < T0 + timedelta(minutes=20)]
    assert raw["line"].str.extract(r"^(\d+)").cast(pl.Int64).to_list() == expected


def test_links_to_json_files_and_copies_under_other_names(tmp_path):
    """dockershim's /var/log/containers/<pod>_<ns>_<c>-<id>.log links to the json-file."""
    d = container_dir(tmp_path / "docker", config=CONFIG)
    (d / f"{CID}-json.log").write_bytes(record("via link\n"))
    links = tmp_path / "containers"
    links.mkdir()
    (links / f"kafka-0_kafka_broker-{CID}.log").symlink_to(d / f"{CID}-json.log")
    source = JsonFileSource(links)
    (info,) = source.containers()
    assert info.id == CID and info.name == "kafka-1"
    assert read_all(source)[0]["line"].to_list() == ["via link"]
    copy = tmp_path / "kafka-1.log"
    copy.write_bytes(record("copied\n"))
    assert JsonFileSource(copy).containers()[0].id == "kafka-1"


def test_a_container_removed_between_listing_and_reading_is_noted(tmp_path):
    root = tmp_path / "containers"
    d = container_dir(root)
    (d / f"{CID}-json.log").write_bytes(record("x\n"))
    source = JsonFileSource(root)
    discovered = source._discover()

    def removed_meanwhile():
        for f in d.iterdir():
            f.unlink()
        d.rmdir()
        return discovered

    source._discover = removed_meanwhile
    raw, q = read_all(source)
    assert raw.height == 0 and q.height == 0
    assert [s.reason for s in source.skipped] == ["vanished"]
