import json
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from logadapt_assets.generate.docker_play import ensure_busybox_image, play_in_docker, play_plan
from logadapt_assets.generate.writers import Runtime, write_docker


@pytest.mark.docker
def test_play_in_docker_crashes_and_restarts_a_broker(docker_client, tmp_path):
    tag = f"logadapt-busybox:gen-{uuid.uuid4().hex[:8]}"
    project = f"lgplay-{uuid.uuid4().hex[:6]}"
    image = ensure_busybox_image(docker_client, tag)
    assert ensure_busybox_image(docker_client, tag) == tag  # second call reuses the image
    since = datetime.now(UTC)
    containers = play_in_docker(
        docker_client, image, hours_compressed_seconds=8, seed=2, project=project
    )
    try:
        by_name = {c.name.removeprefix(project + "-"): c for c in containers}
        assert {"kafka-1", "kafka-2", "kafka-3", "postgres", "orders-api", "db-migrate"} <= set(
            by_name
        )
        plat, lines, runtimes, lifecycle = play_plan(seed=2)
        victim = next(
            e["container"]
            for e in lifecycle
            if e["event"] == "die" and e["container"].startswith("kafka-")
        )
        deadline = time.time() + 45
        while time.time() < deadline:
            for c in containers:
                c.reload()
            logs = by_name[victim].logs(stdout=True, stderr=False).decode()
            if (
                by_name[victim].attrs["RestartCount"] >= 1
                and "Kafka Server started" in logs
                and by_name["db-migrate"].status == "exited"
            ):
                break
            time.sleep(1)
        vic = by_name[victim].attrs
        assert vic["RestartCount"] >= 1 and vic["State"]["Running"]
        assert vic["Config"]["Labels"]["logadapt.service"] == "kafka"
        assert f"KAFKA_NODE_ID={victim.split('-')[1]}" in vic["Config"]["Env"]
        assert "Shutdown broker because all log dirs" in logs and "Kafka Server started" in logs
        mig = by_name["db-migrate"].attrs["State"]
        assert mig["Status"] == "exited" and mig["ExitCode"] == 0
        # the SDK sends whole seconds: ask up to a second ahead (the engine waits for it)
        until = datetime.now(UTC) + timedelta(seconds=1.5)
        events = docker_client.events(
            since=since, until=until, decode=True, filters={"container": by_name[victim].id}
        )
        actions = [e.get("Action") or e.get("status") for e in events]
        assert "die" in actions and actions.count("start") >= 2

        # the engine's own json-file for orders-api equals what write_docker produces
        api = by_name["orders-api"]
        ours_dir = tmp_path / "ours"
        sub = lines.filter(pl.col("container") == "orders-api").drop("container")
        written = write_docker(
            ours_dir,
            plat.containers["orders-api"],
            sub,
            Runtime(0, 0),
            rotate_into=1,
            compress=False,
        )
        ours = [json.loads(x) for x in written.paths[0].read_text().splitlines()]
        real_path = Path(api.attrs["LogPath"])
        while time.time() < deadline:
            real = [json.loads(x) for x in real_path.read_text().splitlines()]
            if len(real) >= len(ours):
                break
            time.sleep(1)
        assert [(r["log"], r["stream"]) for r in real] == [(r["log"], r["stream"]) for r in ours]
        assert any(not r["log"].endswith("\n") for r in real)  # real 16 KiB partials, same cut
        raw_real = real_path.read_bytes().splitlines()
        raw_ours = written.paths[0].read_bytes().splitlines()
        strip = [(line.rsplit(b',"time":', 1)[0]) for line in raw_real]
        assert strip == [line.rsplit(b',"time":', 1)[0] for line in raw_ours]  # same escaping
    finally:
        for c in containers:
            c.remove(force=True)
        docker_client.images.remove(tag, force=True)
