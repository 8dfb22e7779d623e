"""The container-state sensor against the real engine."""

import json

import dagster as dg
import pytest

from logadapt_assets.definitions import build_definitions
from logadapt_assets.defs.resources import LogSourceResource


def tick(defs, instance, source: str, cursor: str | None):
    sensor = defs.resolve_sensor_def("container_state_sensor")
    ctx = dg.build_sensor_context(
        instance=instance,
        cursor=cursor,
        definitions=defs,
        resources={"log_source": LogSourceResource(spec=source)},
    )
    return sensor.evaluate_tick(ctx)


@pytest.mark.docker
def test_sensor_requests_the_hour_when_a_container_dies(run_container, tmp_path):
    container = run_container("echo up; sleep 600", labels={"logadapt.service": "sensor-test"})
    source = f"docker://{container.name}"
    defs = build_definitions("2026-11-01-00:00", str(tmp_path / "lake"), source)
    with dg.instance_for_test() as instance:
        first = tick(defs, instance, source, None)
        assert not first.run_requests and "Baseline of 1 containers" in first.skip_message
        baseline = json.loads(first.cursor)
        assert baseline["containers"][container.id]["status"] == "running"

        quiet = tick(defs, instance, source, first.cursor)
        assert not quiet.run_requests and "No container state change" in quiet.skip_message
        assert quiet.cursor == first.cursor

        container.kill()
        container.wait(timeout=30)
        died = tick(defs, instance, source, quiet.cursor)
        assert len(died.run_requests) == 1
        request = died.run_requests[0]
        assert request.run_key.startswith(f"{container.id[:12]}:die:")
        assert request.tags["logadapt/trigger"] == f"{container.name}:die"
        finished = json.loads(died.cursor)["containers"][container.id]
        assert finished["status"] == "exited"
        assert request.partition_key == finished["finished_at"][:13].replace("T", "-") + ":00"

        after = tick(defs, instance, source, died.cursor)
        assert not after.run_requests


def test_sensor_skips_clearly_when_the_engine_is_unreachable(tmp_path, monkeypatch):
    monkeypatch.setenv("DOCKER_HOST", "unix:///nonexistent/docker.sock")
    defs = build_definitions("2026-11-01-00:00", str(tmp_path / "lake"), "docker://")
    with dg.instance_for_test() as instance:
        result = tick(defs, instance, "docker://", None)
    assert not result.run_requests
    assert "Docker engine unreachable" in result.skip_message
