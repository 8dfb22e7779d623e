"""Shared fixtures. Docker fixtures use the real local engine and FAIL (never skip) without it."""

import uuid
from collections.abc import Iterator

import pytest

IMAGE = "logadapt-busybox:test"


@pytest.fixture(scope="session")
def docker_client():
    """A client of the real local engine. Missing engine = test error, by design."""
    import docker

    try:
        client = docker.from_env(timeout=60)
        client.ping()
    except Exception as exc:  # noqa: BLE001 - any failure to reach the engine is fatal here
        pytest.fail(f"Docker engine unreachable (run scripts/setup-system): {exc}")
    yield client
    client.close()


@pytest.fixture(scope="session")
def busybox_image(docker_client) -> str:
    """A local image from a rootfs holding the static busybox (no registry needed)."""
    from logadapt_assets.generate.docker_play import ensure_busybox_image

    try:
        return ensure_busybox_image(docker_client, IMAGE)
    except FileNotFoundError as exc:
        pytest.fail(str(exc))


@pytest.fixture
def run_container(docker_client, busybox_image) -> Iterator:
    """Start a busybox container running `script`; removed after the test."""
    started = []

    def start(script: str, labels: dict[str, str] | None = None, name: str | None = None, **kwargs):
        container = docker_client.containers.run(
            busybox_image,
            ["sh", "-c", script],
            name=name or f"logadapt-test-{uuid.uuid4().hex[:8]}",
            labels=labels or {},
            detach=True,
            **kwargs,
        )
        started.append(container)
        return container

    yield start
    for container in started:
        try:
            container.remove(force=True)
        except Exception:  # noqa: BLE001 - already gone
            pass
