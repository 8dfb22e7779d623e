"""`dagster dev` from the README's command, driven headless through its GraphQL API."""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from logadapt_assets.lake import Lake
from logadapt_tests.defs.conftest import H0, key

ROOT = Path(__file__).resolve().parents[2]

ASSETS = """{ assetNodes { assetKey { path } partitionDefinition { type } } }"""
LAUNCH = """
mutation($params: ExecutionParams!) { launchRun(executionParams: $params) {
  __typename ... on LaunchRunSuccess { run { runId } }
  ... on PythonError { message } ... on InvalidSubsetError { message }
  ... on RunConfigValidationInvalid { errors { message } } } }"""
STATUS = """query($id: ID!) { runOrError(runId: $id) { ... on Run { status } } }"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def graphql(port: int, query: str, variables: dict | None = None) -> dict:
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}/graphql", data=body, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=30) as resp:
        doc = json.loads(resp.read())
    assert "errors" not in doc, doc
    return doc["data"]


@pytest.mark.slow
def test_ui_lists_hourly_assets_and_runs_a_partition_to_success(history, tmp_path):
    port = free_port()
    home = tmp_path / "dagster_home"
    home.mkdir()
    (home / "dagster.yaml").write_text((ROOT / "dagster.yaml").read_text())
    env = {
        **os.environ,
        "DAGSTER_HOME": str(home),
        "LOGADAPT_LAKE_ROOT": str(tmp_path / "lake"),
        "LOGADAPT_SOURCE": str(history),
    }
    log = open(tmp_path / "dagster-dev.log", "w")  # noqa: SIM115 - closed below
    proc = subprocess.Popen(
        [
            str(Path(sys.executable).parent / "dagster"),
            "dev",
            "-w",
            "workspace.yaml",
            "-h",
            "127.0.0.1",
            "-p",
            str(port),
        ],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180
        nodes = None
        while time.monotonic() < deadline:
            assert proc.poll() is None, (tmp_path / "dagster-dev.log").read_text()[-3000:]
            try:
                nodes = graphql(port, ASSETS)["assetNodes"]
                if nodes:
                    break
            except OSError:
                pass
            time.sleep(1)
        assert nodes, "webserver never listed assets"
        kinds = {n["assetKey"]["path"][-1]: n["partitionDefinition"]["type"] for n in nodes}
        assert kinds["log_events"] == "TIME_WINDOW" and kinds["raw_logs"] == "TIME_WINDOW"

        params = {
            "selector": {
                "repositoryLocationName": "logadapt_assets",
                "repositoryName": "__repository__",
                "jobName": "hourly_logs",
            },
            "executionMetadata": {"tags": [{"key": "dagster/partition", "value": key(H0)}]},
        }
        launched = graphql(port, LAUNCH, {"params": params})["launchRun"]
        assert launched["__typename"] == "LaunchRunSuccess", launched
        run_id = launched["run"]["runId"]
        status = None
        while time.monotonic() < deadline + 240:
            status = graphql(port, STATUS, {"id": run_id})["runOrError"]["status"]
            if status in ("SUCCESS", "FAILURE", "CANCELED"):
                break
            time.sleep(2)
        assert status == "SUCCESS", (tmp_path / "dagster-dev.log").read_text()[-3000:]
        assert Lake(str(tmp_path / "lake")).read("log_events").num_rows == 40
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:  # dagster dev can take long to stop its children
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(timeout=30)
        log.close()
