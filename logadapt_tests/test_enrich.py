"""enrich(): context columns, redaction before templates, event types, and throughput."""

import random
import resource
from datetime import UTC, datetime

import polars as pl

from logadapt_assets.catalog import ServiceContext
from logadapt_assets.enrich import enrich
from logadapt_assets.parsing.base import ATTRIBUTES_DTYPE, PARSED_SCHEMA, ParseOptions, conform
from logadapt_assets.templates import template_text

CID = "9b1e" * 16
OBSERVED = datetime(2024, 5, 7, 10, 55, 53, tzinfo=UTC)

KAFKA_ROWS = [
    # (component, severity, broker_id, message, attributes)
    (
        "kafka.cluster.Partition",
        "INFO",
        None,
        "[Partition orders-3 broker=1] Shrinking ISR from 1,2,3 to 1,3. Leader: (highWatermark: "
        "150, endOffset: 150). Out of sync replicas: (brokerId: 2, endOffset: 132, "
        "lastCaughtUpTimeMs: 1710152621882).",
        [{"key": "Partition", "value": "orders-3"}],
    ),
    (
        "kafka.log.LocalLog",
        "INFO",
        7,
        "[LocalLog partition=ingest-3, dir=/bitnami/kafka/data] Rolled new log segment at offset "
        "184233903 in 0 ms.",
        [],
    ),
    (
        "org.apache.kafka.common.network.Selector",
        "INFO",
        None,
        "[SocketServer listenerType=BROKER, nodeId=1] Failed authentication with /172.20.0.4 "
        "(channelId=172.20.0.2:9097-172.20.0.4:33076-4-3) (Authentication failed during "
        "authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512)",
        [],
    ),
    (
        "org.apache.kafka.common.security.authenticator.AbstractLogin",
        "INFO",
        None,
        "sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="admin" password="admin-secret";',
        [{"key": "sasl.password", "value": "admin-secret"}, {"key": "thread", "value": "main"}],
    ),
    (
        "org.apache.kafka.common.security.authenticator.AbstractLogin",
        "INFO",
        None,
        "sasl.jaas.config = org.apache.kafka.common.security.plain.PlainLoginModule required "
        'username="admin" password="other-secret-value";',
        [],
    ),
    ("kafka.network.Acceptor", "INFO", None, "Awaiting socket connections on 0.0.0.0:9092.", []),
]


def _events(rows: list[tuple], parser: str | None = "kafka") -> pl.DataFrame:
    """Parsed events as the pipeline hands them to enrich()."""
    comp, sev, broker, msg, attrs = zip(*rows, strict=True) if rows else ([],) * 5
    parsed = pl.DataFrame(
        {
            "component": list(comp),
            "severity_text": list(sev),
            "broker_id": list(broker),
            "message": list(msg),
            "attributes": list(attrs),
            "parse_status": ["ok"] * len(rows),
        },
        schema_overrides={"broker_id": pl.Int32, "attributes": ATTRIBUTES_DTYPE},
    )
    frame = conform(parsed)
    extra = [
        pl.lit(CID).alias("container_id"),
        pl.lit("stdout").alias("stream"),
        pl.lit(OBSERVED).cast(pl.Datetime("ns", "UTC")).alias("observed_at"),
        pl.lit(1, dtype=pl.Int32).alias("line_count"),
        pl.col("severity_text").alias("severity"),
        pl.lit(9, dtype=pl.Int8).alias("severity_number"),
    ]
    if parser is not None:
        extra.append(pl.lit(parser).alias("parser"))
    return frame.with_columns(extra)


def _ctx(parser: str = "kafka") -> ServiceContext:
    return ServiceContext(
        service="kafka",
        environment="prod",
        cluster_id="orders-kafka",
        host="worker-7",
        container_id=CID,
        container_name="kafka-1",
        image="apache/kafka:3.7.0",
        parser=parser,
        options=ParseOptions(),
        broker_id=1,
    )


def test_enrich_adds_context_event_type_and_template():
    events = _events(KAFKA_ROWS)
    out, redactions = enrich(events, _ctx())
    assert out.height == events.height
    for name in PARSED_SCHEMA:
        assert name in out.columns
    assert out.select(
        "service", "environment", "cluster_id", "host", "container_name", "image"
    ).unique().rows() == [
        ("kafka", "prod", "orders-kafka", "worker-7", "kafka-1", "apache/kafka:3.7.0")
    ]
    assert out["broker_id"].to_list() == [1, 7, 1, 1, 1, 1]  # filled only where null
    assert out["event_type"].to_list() == [
        "kafka.isr_shrink",
        "kafka.segment_roll",
        "kafka.auth_failure",
        "other",
        "other",
        "other",
    ]
    assert out["template_id"].null_count() == 0
    assert out.schema["template_id"] == pl.String and out.schema["event_type"] == pl.String
    # 2 JAAS passwords in messages + 1 secret attribute
    assert redactions == 3
    # untouched columns keep their values and order
    for name in ("component", "severity", "container_id", "observed_at", "line_count"):
        assert out[name].equals(events[name])


def test_redaction_happens_before_templates():
    out, _ = enrich(_events(KAFKA_ROWS), _ctx())
    messages = out["message"].to_list()
    assert "admin-secret" not in "".join(messages) and "other-secret-value" not in messages[4]
    assert 'password="[REDACTED]"' in messages[3]
    # the two JAAS lines differ only by their secret: one template
    assert out["template_id"][3] == out["template_id"][4]
    texts = out.select(template_text(pl.col("message")))["message"].to_list()
    assert all("secret" not in t for t in texts)
    attrs = out["attributes"][3].to_list()
    assert {"key": "sasl.password", "value": "[REDACTED]"} in attrs
    assert {"key": "thread", "value": "main"} in attrs


def test_parser_column_missing_or_mixed():
    no_parser = _events(KAFKA_ROWS[:2], parser=None)
    out, _ = enrich(no_parser, _ctx())
    assert out["parser"].to_list() == ["kafka", "kafka"]
    assert out["event_type"].to_list() == ["kafka.isr_shrink", "kafka.segment_roll"]
    pg = _events(
        [("postgres", "INFO", None, "checkpoint starting: time", [])] * 2, parser="postgres"
    )
    mixed = pl.concat([_events(KAFKA_ROWS[:1]), pg, _events(KAFKA_ROWS[1:2])])
    out, _ = enrich(mixed, _ctx())
    assert out["event_type"].to_list() == [
        "kafka.isr_shrink",
        "postgres.checkpoint_start",
        "postgres.checkpoint_start",
        "kafka.segment_roll",
    ]


def test_empty_frame():
    out, redactions = enrich(_events(KAFKA_ROWS).clear(), _ctx())
    assert out.height == 0 and redactions == 0
    assert {"event_type", "template_id", "service"} <= set(out.columns)


def _bulk(n: int) -> pl.DataFrame:
    rnd = random.Random(11)
    rows = []
    for i in range(n):
        comp, sev, broker, msg, attrs = KAFKA_ROWS[rnd.randrange(len(KAFKA_ROWS))]
        rows.append((comp, sev, broker, msg.replace("184233903", str(i)), attrs))
    return _events(rows)


def test_throughput_floor():
    """A regression guard measured in CPU time (the machine is shared): >= 25k rows/CPU-s."""
    events = _bulk(50_000)
    enrich(events.head(100), _ctx())  # compile regexes once

    def cpu() -> float:
        usage = resource.getrusage(resource.RUSAGE_SELF)
        return usage.ru_utime + usage.ru_stime

    start = cpu()
    out, _ = enrich(events, _ctx())
    spent = cpu() - start
    assert out.height == events.height
    assert events.height / spent > 25_000, f"{events.height / spent:,.0f} rows per CPU second"
