"""Fixtures of the Dagster tests: hours of history in json-file layout."""

from datetime import UTC, datetime, timedelta

import pytest

from logadapt_tests.sources.builders import write_container

H0 = datetime(2026, 11, 20, 10, tzinfo=UTC)
KAFKA = (
    "[{t}] INFO [Partition orders-{p} broker=1] Shrinking ISR from 1,2,3 to 1,2 "
    "(kafka.cluster.Partition)"
)


def key(t: datetime) -> str:
    return t.strftime("%Y-%m-%d-%H:00")


@pytest.fixture
def history(tmp_path):
    """Three hours of two containers in json-file layout, with a stack trace across lines."""
    root = tmp_path / "containers"
    kafka, app = [], []
    for h in range(3):
        for i in range(20):
            t = H0 + timedelta(hours=h, minutes=i * 2, microseconds=i)
            kafka.append(
                (t, "stdout", KAFKA.format(t=t.strftime("%Y-%m-%d %H:%M:%S,%f")[:-3], p=i % 4))
            )
            app.append((t, "stderr", f"{t.isoformat()} ERROR request failed id={i}"))
            app.append((t, "stderr", "\tat com.example.Handler.run(Handler.java:42)"))
    write_container(
        root,
        "a" * 64,
        "kafka-1",
        kafka,
        {"logadapt.service": "kafka"},
        image="apache/kafka:3.9.0",
        env=["KAFKA_NODE_ID=1"],
    )
    write_container(root, "b" * 64, "api", app, {"logadapt.service": "api"})
    return root
