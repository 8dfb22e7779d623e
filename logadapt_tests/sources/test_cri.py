"""CRI source: P/F records, kubelet path conventions, rotation, offsets and bad lines."""

import gzip
import os
from datetime import timedelta
from pathlib import Path

import polars as pl

from logadapt_assets.sources.cri import CriSource
from logadapt_tests.sources.builders import T0, lines_of, read_all

ID = "c0ffee" + "1" * 58


def cri(t, stream: str, tag: str, text: str) -> bytes:
    ts = t if isinstance(t, str) else t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "123Z"
    return f"{ts} {stream} {tag} {text}\n".encode()


def pods_layout(root: Path, restart: int = 0) -> Path:
    """/var/log/pods/<ns>_<pod>_<uid>/<container>/<restart>.log + its /var/log/containers link."""
    pod_dir = root / "pods" / "kafka_kafka-0_5a1e2b3c-0000-4000-8000-000000000001" / "broker"
    pod_dir.mkdir(parents=True, exist_ok=True)
    log = pod_dir / f"{restart}.log"
    links = root / "containers"
    links.mkdir(exist_ok=True)
    (links / f"kafka-0_kafka_broker-{ID}.log").symlink_to(log)
    return log


def test_partial_records_join_per_stream(tmp_path):
    log = tmp_path / "app.log"
    log.write_bytes(
        cri(T0, "stdout", "P", "first ")
        + cri(T0 + timedelta(milliseconds=1), "stderr", "F", "an error")
        + cri(T0 + timedelta(milliseconds=2), "stdout", "P", "second ")
        + cri(T0 + timedelta(milliseconds=3), "stdout", "F", "third")
        + cri(T0 + timedelta(milliseconds=4), "stdout", "F", "")
    )
    source = CriSource(log)
    raw, q = read_all(source)
    assert q.height == 0
    assert raw["partial"].to_list() == [True, False, True, False, False]
    lines = lines_of(source)
    assert lines.select("stream", "line").rows() == [
        ("stdout", "first second third"),
        ("stderr", "an error"),
        ("stdout", ""),
    ]
    assert lines["observed_at"].cast(pl.Int64)[0] == int(T0.timestamp()) * 10**9 + 123
    assert lines["position"].to_list()[:2] == [0, len(cri(T0, "stdout", "P", "first "))]


def test_kubelet_paths_give_ids_names_and_labels(tmp_path):
    log = pods_layout(tmp_path)
    log.write_bytes(cri(T0, "stdout", "F", "hello"))
    orphan = log.parent.parent / "sidecar"
    orphan.mkdir()
    (orphan / "2.log").write_bytes(cri(T0, "stdout", "F", "side"))
    by_links = CriSource(tmp_path / "containers").containers()
    by_pods = CriSource(tmp_path / "pods").containers()
    everything = CriSource(tmp_path).containers()

    (linked,) = by_links
    assert linked.id == ID and linked.name == "broker" and linked.host == "kafka-0"
    assert linked.labels["io.kubernetes.pod.namespace"] == "kafka"
    assert linked.labels["io.kubernetes.pod.uid"] == "5a1e2b3c-0000-4000-8000-000000000001"
    assert {c.id for c in by_pods} == {c.id for c in everything}  # no duplicates via the link
    assert ID in {c.id for c in by_pods}
    side = next(c for c in by_pods if c.name == "sidecar")
    assert side.restart_count == 2 and len(side.id) == 64
    assert (
        side.id
        == next(c for c in CriSource(tmp_path / "pods").containers() if c.name == "sidecar").id
    )


def test_rotations_oldest_first_gzip_and_twins(tmp_path):
    log = pods_layout(tmp_path)
    older = cri(T0, "stdout", "F", "a")
    (log.parent / "0.log.20261127-190000.gz").write_bytes(gzip.compress(older))
    mid = cri(T0 + timedelta(seconds=1), "stdout", "P", "b1 ")
    (log.parent / "0.log.20261127-200000").write_bytes(mid)
    (log.parent / "0.log.20261127-200000.gz").write_bytes(gzip.compress(mid))  # being compressed
    (log.parent / "0.log.20261127-200000.gz.tmp").write_bytes(b"junk")
    log.write_bytes(cri(T0 + timedelta(seconds=2), "stdout", "F", "b2"))
    source = CriSource(tmp_path / "containers")
    raw, q = read_all(source)
    assert raw["line"].to_list() == ["a", "b1 ", "b2"] and q.height == 0
    assert lines_of(source)["line"].to_list() == ["a", "b1 b2"]


def test_timestamps_with_offsets_are_converted_to_utc(tmp_path):
    log = tmp_path / "x.log"
    log.write_bytes(
        cri("2026-11-27T21:00:00.5+01:00", "stdout", "F", "cet")
        + cri("2026-11-27T15:00:00-05:00", "stdout", "F", "est")
    )
    raw, _ = read_all(CriSource(log))
    assert raw["observed_at"].to_list() == [
        T0 + timedelta(milliseconds=500),
        T0,
    ]


def test_bad_lines_are_quarantined(tmp_path):
    log = tmp_path / "x.log"
    body = (
        cri(T0, "stdout", "F", "ok")
        + b"not a cri line\n"
        + cri(T0, "stdin", "F", "bad stream")
        + cri(T0, "stdout", "X", "bad tag")
        + cri(T0, "stdout", "F", "caf\xe9").replace("é".encode(), b"\xe9")
        + cri(T0, "stdout", "F", "cut short")[:-4]
    )
    log.write_bytes(body)
    raw, q = read_all(CriSource(log))
    assert raw["line"].to_list() == ["ok"]
    assert q["reason"].to_list() == [
        "invalid_format",
        "invalid_format",
        "invalid_format",
        "invalid_utf8",
        "truncated",
    ]
    assert q["raw"][0] == b"not a cri line"
    assert q["observed_at"].null_count() == 0


def test_a_line_belongs_to_the_window_of_its_first_part(tmp_path):
    log = tmp_path / "x.log"
    hour = T0 + timedelta(hours=1)
    log.write_bytes(
        cri(hour - timedelta(milliseconds=1), "stdout", "P", "straddles ")
        + cri(hour + timedelta(milliseconds=1), "stdout", "F", "the hour")
        + cri(hour + timedelta(milliseconds=2), "stdout", "F", "next hour")
    )
    first = lines_of(CriSource(log, chunk_bytes=40), since=T0, until=hour)
    second = lines_of(CriSource(log, chunk_bytes=40), since=hour, until=hour + timedelta(hours=1))
    assert first["line"].to_list() == ["straddles the hour"]
    assert second["line"].to_list() == ["next hour"]


def test_symlinked_single_file(tmp_path):
    log = pods_layout(tmp_path)
    log.write_bytes(cri(T0, "stderr", "F", "x"))
    link = next((tmp_path / "containers").iterdir())
    source = CriSource(link)
    assert source.containers()[0].id == ID
    raw, _ = read_all(source)
    assert raw.select("container_id", "stream", "line").rows() == [(ID, "stderr", "x")]
    assert os.path.islink(link)
    assert raw["observed_at"].dtype == pl.Datetime("ns", "UTC")
