"""Against the real engine: json-file files and the Engine API give the same lines."""

import subprocess
import time
from pathlib import Path

import polars as pl
import pytest

from logadapt_assets.sources.docker_api import DockerApiSource
from logadapt_assets.sources.json_file import JsonFileSource
from logadapt_assets.sources.open import SourceError, open_source
from logadapt_assets.sources.text import TextSource
from logadapt_tests.sources.builders import lines_of, read_all

pytestmark = pytest.mark.docker

LONG = "seq 1 11000 | tr -d '\\n' | head -c 40000; echo"
KEY = ["stream", "observed_at", "line"]


def expected_long_line() -> str:
    return "".join(str(i) for i in range(1, 11001))[:40000]


def log_dir(container) -> Path:
    container.reload()
    return Path(container.attrs["LogPath"]).parent


def finished(container, restarts: int = 0, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        container.reload()
        state = container.attrs["State"]
        if state["Status"] == "exited" and container.attrs["RestartCount"] >= restarts:
            return
        time.sleep(0.1)
    raise AssertionError(f"container did not finish: {container.attrs['State']}")


def api_lines(name: str, since=None, until=None) -> pl.DataFrame:
    with open_source(f"docker://{name}") as source:
        return lines_of(source, since, until)


def test_stdout_stderr_long_line_and_api_equals_json_file(run_container, tmp_path):
    c = run_container(
        f"echo hello; echo oops >&2; {LONG}; echo bye; echo 'x<&>y'",
        labels={"logadapt.service": "kafka", "evil": "../../etc"},
    )
    finished(c)
    files = JsonFileSource(log_dir(c))
    (info,) = files.containers()
    assert info.id == c.id and info.name == c.name and info.state == "exited"
    assert info.labels == {"logadapt.service": "kafka", "evil": "../../etc"}

    raw, q = read_all(files)
    assert q.height == 0
    long_parts = raw.filter(pl.col("line").str.len_bytes() > 100)
    assert long_parts["partial"].to_list() == [True, True, False]
    assert long_parts["line"].str.len_bytes().to_list() == [16384, 16384, 40000 - 32768]
    assert long_parts["observed_at"].n_unique() == 1  # Docker stamps all parts alike

    from_files = lines_of(files).sort(KEY)
    assert from_files.filter(pl.col("stream") == "stdout")["line"].to_list() == [
        "hello",
        expected_long_line(),
        "bye",
        "x<&>y",
    ]
    assert from_files.filter(pl.col("stream") == "stderr")["line"].to_list() == ["oops"]

    from_api = api_lines(c.name).sort(KEY)
    assert from_api.select(KEY).equals(from_files.select(KEY))
    assert from_api["source"].unique().to_list() == [f"docker://{c.id}"]

    # a window inside the run: both sources cut at the same records
    since = from_files["observed_at"].sort()[2]
    assert (
        api_lines(c.id, since=since)
        .sort(KEY)
        .select(KEY)
        .equals(lines_of(files, since=since).sort(KEY).select(KEY))
    )

    # `docker logs -t` text glues the partial records with timestamps: cut back the same way
    text = subprocess.run(["docker", "logs", "-t", c.id], capture_output=True, check=True)
    dump = tmp_path / "docker-logs.txt"
    dump.write_bytes(text.stdout)
    from_text = lines_of(TextSource(dump, docker_logs=True))
    stdout_files = from_files.filter(pl.col("stream") == "stdout")
    assert from_text.select("observed_at", "line").equals(
        stdout_files.select("observed_at", "line")
    )


def test_restarts_keep_every_line(run_container):
    c = run_container(
        "echo run; echo err >&2; exit 1",
        restart_policy={"Name": "on-failure", "MaximumRetryCount": 2},
    )
    finished(c, restarts=2)
    files = JsonFileSource(log_dir(c))
    assert files.containers()[0].restart_count == 2
    from_files = lines_of(files).sort(KEY)
    assert from_files.filter(pl.col("stream") == "stdout")["line"].to_list() == ["run"] * 3
    assert from_files.filter(pl.col("stream") == "stderr")["line"].to_list() == ["err"] * 3
    assert api_lines(c.name).sort(KEY).select(KEY).equals(from_files.select(KEY))


def test_rotated_and_compressed_json_files_match_the_api(run_container):
    c = run_container(
        'for i in $(seq 1 300); do echo "line $i of the rotation test"; done; echo done >&2',
        log_config={
            "type": "json-file",
            "config": {"max-size": "2k", "max-file": "4", "compress": "true"},
        },
    )
    finished(c)
    directory = log_dir(c)
    deadline = time.monotonic() + 10
    while not list(directory.glob("*-json.log.*.gz")) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert list(directory.glob("*-json.log.*.gz")), "Docker did not compress a rotation"
    from_files = lines_of(JsonFileSource(directory)).sort(KEY)
    stdout = from_files.filter(pl.col("stream") == "stdout")["line"].to_list()
    assert stdout[-1] == "line 300 of the rotation test"
    numbers = [int(line.split()[1]) for line in stdout]
    assert numbers == list(range(numbers[0], 301))  # oldest rotation first, nothing missing
    assert api_lines(c.name).sort(KEY).select(KEY).equals(from_files.select(KEY))


def test_tty_container_through_the_api(run_container):
    c = run_container("echo one; echo two", tty=True)
    finished(c)
    from_files = lines_of(JsonFileSource(log_dir(c))).sort(KEY)
    assert from_files["line"].to_list() == ["one", "two"]
    assert api_lines(c.id).sort(KEY).select(KEY).equals(from_files.select(KEY))


def test_engine_listing_and_unknown_container(run_container, docker_client):
    c = run_container("echo hi")
    finished(c)
    with open_source("docker://") as everything:
        assert isinstance(everything, DockerApiSource)
        assert c.id in {info.id for info in everything.containers()}
    with pytest.raises(SourceError, match="unknown container: logadapt-no-such-container"):
        open_source("docker://logadapt-no-such-container")
