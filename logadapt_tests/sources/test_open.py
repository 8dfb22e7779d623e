"""open_source: format sniffing and the one-line SourceError for unusable specs."""

import gzip
from datetime import timedelta

import pytest

from logadapt_assets.sources.cri import CriSource
from logadapt_assets.sources.json_file import JsonFileSource
from logadapt_assets.sources.open import SourceError, open_source
from logadapt_assets.sources.text import TextSource
from logadapt_tests.sources.builders import CID, T0, container_dir, read_all, record

CRI_LINE = b"2026-11-27T21:00:00.123456789+01:00 stdout F hello\n"
DOCKER_LOGS_LINE = b"2026-11-27T20:00:00.123456789Z hello\n"


def test_json_file_dir_root_and_file(tmp_path):
    d = container_dir(tmp_path / "containers")
    (d / f"{CID}-json.log").write_bytes(record("x\n"))
    for spec in [d, tmp_path / "containers", d / f"{CID}-json.log"]:
        source = open_source(str(spec))
        assert isinstance(source, JsonFileSource)
        assert read_all(source)[0]["line"].to_list() == ["x"]


def test_json_records_under_any_name_and_gzip(tmp_path):
    f = tmp_path / "copied.log"
    f.write_bytes(b"\n" + record("x\n"))
    assert isinstance(open_source(str(f)), JsonFileSource)
    g = tmp_path / "copied.log.gz"
    g.write_bytes(gzip.compress(record("y\n", t=T0 + timedelta(1))))
    assert isinstance(open_source(str(g)), JsonFileSource)


def test_cri_roots_and_files(tmp_path):
    pod = tmp_path / "pods" / "ns_pod_uid" / "app"
    pod.mkdir(parents=True)
    (pod / "0.log").write_bytes(CRI_LINE)
    assert isinstance(open_source(str(tmp_path / "pods")), CriSource)
    assert isinstance(open_source(str(pod / "0.log")), CriSource)
    raw, _ = read_all(open_source(str(tmp_path / "pods")))
    assert raw["line"].to_list() == ["hello"]


def test_docker_logs_plain_and_forced_formats(tmp_path):
    dl = tmp_path / "kafka.log"
    dl.write_bytes(DOCKER_LOGS_LINE)
    plain = tmp_path / "plain.log"
    plain.write_bytes(b"[2026-11-27 20:00:00,123] INFO x\n")
    source = open_source(str(dl))
    assert isinstance(source, TextSource) and source.docker_logs
    source = open_source(str(plain))
    assert isinstance(source, TextSource) and not source.docker_logs
    forced = open_source(str(dl), fmt="plain")
    assert isinstance(forced, TextSource) and not forced.docker_logs
    assert isinstance(open_source(str(plain), fmt="cri"), CriSource)
    empty = tmp_path / "empty.log"
    empty.write_bytes(b"")
    assert list(open_source(str(empty)).read()) == []


@pytest.mark.parametrize(
    ("spec", "fmt", "message"),
    [
        ("/no/such/path", "auto", "no such file or directory: /no/such/path"),
        (".", "syslog", "unknown format 'syslog'"),
    ],
)
def test_unusable_specs_raise_source_error(spec, fmt, message):
    with pytest.raises(SourceError, match=message) as err:
        open_source(spec, fmt)
    assert "\n" not in str(err.value)


def test_unreachable_engine_is_a_source_error(monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    with pytest.raises(SourceError, match="Docker engine unreachable") as err:
        open_source("docker://")
    assert "\n" not in str(err.value)
