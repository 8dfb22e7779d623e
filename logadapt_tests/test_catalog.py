"""Service catalog: context from labels/env/catalog and the parser choice chain."""

import pytest

from logadapt_assets.catalog import (
    ServiceCatalog,
    ServiceContext,
    image_repository,
    parser_for_image,
    sniff_parser,
)
from logadapt_assets.sources.base import ContainerInfo

CID = "4f9d2c1b7a3e" + "0" * 52


def _container(**kwargs) -> ContainerInfo:
    return ContainerInfo(id=kwargs.pop("id", CID), **kwargs)


@pytest.mark.parametrize(
    ("image", "repo", "parser"),
    [
        ("apache/kafka:3.7.0", "apache/kafka", "kafka"),
        ("apache/kafka-native:3.8.0", "apache/kafka-native", "kafka"),
        ("confluentinc/cp-kafka:7.6.1", "confluentinc/cp-kafka", "kafka"),
        ("confluentinc/cp-server:7.6.1", "confluentinc/cp-server", "kafka"),
        ("docker.io/bitnami/kafka:3.7@sha256:" + "ab" * 32, "bitnami/kafka", "kafka"),
        ("quay.io/strimzi/kafka:0.40.0-kafka-3.7.0", "strimzi/kafka", "kafka"),
        ("registry.example.com:5000/mirror/bitnami/kafka:3.6", "mirror/bitnami/kafka", "kafka"),
        ("postgres:16-alpine", "postgres", "postgres"),
        ("docker.io/library/postgres:15.6", "postgres", "postgres"),
        ("postgres@sha256:" + "cd" * 32, "postgres", "postgres"),
        ("bitnami/postgresql:16.2.0-debian-12-r8", "bitnami/postgresql", "postgres"),
        ("postgis/postgis:16-3.4", "postgis/postgis", "postgres"),
        ("timescale/timescaledb:latest-pg16", "timescale/timescaledb", "postgres"),
        ("timescale/timescaledb-ha:pg16", "timescale/timescaledb-ha", "postgres"),
        (
            "registry.developers.crunchydata.com/crunchydata/crunchy-postgres:ubi8-16.2-0",
            "crunchydata/crunchy-postgres",
            "postgres",
        ),
        ("localhost:5000/postgres:16", "postgres", "postgres"),
        (
            "prometheuscommunity/postgres-exporter:v0.15.0",
            "prometheuscommunity/postgres-exporter",
            None,
        ),  # fmt: skip
        # ZooKeeper's own layout and the Confluent platform services: the kafka parser
        ("zookeeper:3.9.2", "zookeeper", "kafka"),
        ("docker.io/library/zookeeper:3.8", "zookeeper", "kafka"),
        ("bitnami/zookeeper:3.9.3-debian-12-r1", "bitnami/zookeeper", "kafka"),
        ("confluentinc/cp-ksqldb-server:7.6.1", "confluentinc/cp-ksqldb-server", "kafka"),
        ("confluentinc/ksqldb-server:0.29.0", "confluentinc/ksqldb-server", "kafka"),
        ("confluentinc/cp-server-connect:7.6.1", "confluentinc/cp-server-connect", "kafka"),
        ("confluentinc/cp-kafka-rest:7.6.1", "confluentinc/cp-kafka-rest", "kafka"),
        ("zookeeper-exporter:latest", "zookeeper-exporter", None),
        ("provectuslabs/kafka-ui:latest", "provectuslabs/kafka-ui", None),
        ("nginx:1.25", "nginx", None),
        ("sha256:" + "ef" * 32, None, None),
        ("", None, None),
        (None, None, None),
    ],
)
def test_image_repository_and_parser(image, repo, parser):
    assert image_repository(image) == repo
    assert parser_for_image(image) == parser


KAFKA_LINES = [
    "[2024-05-07 10:55:53,434] INFO [ProducerStateManager partition=ingest-3] Wrote producer "
    "snapshot at offset 184233903 with 0 producer ids in 2 ms. (kafka.log.ProducerStateManager)",
    "[2024-05-07 10:55:53,432] INFO [LocalLog partition=ingest-3, dir=/bitnami/kafka/data] Rolled "
    "new log segment at offset 184233903 in 0 ms. (kafka.log.LocalLog)",
    "\tat kafka.server.ReplicaManager.appendRecords(ReplicaManager.scala:123)",
]
STRIMZI_LINES = [
    "2020-09-22 11:18:33,122 INFO [SocketServer brokerId=0] Failed authentication with "
    "/10.130.2.58 (Unexpected Kafka request of type METADATA during SASL handshake.) "
    "(org.apache.kafka.common.network.Selector) [data-plane-kafka-network-thread-0-ListenerName("
    "PLAIN-9092)-SASL_PLAINTEXT-3]",
]
PG_LINES = [
    "2024-03-11 10:23:41.882 UTC [1] LOG:  starting PostgreSQL 16.2 (Debian 16.2-1.pgdg120+2) on "
    "x86_64-pc-linux-gnu",
    '2024-03-11 10:23:41.890 UTC [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432',
    '2024-03-11 10:23:41.999 UTC [64] ERROR:  relation "x" does not exist at character 15',
    "2024-03-11 10:23:41.999 UTC [64] STATEMENT:  select * from x;",
]
PG_CUSTOM_PREFIX = ["app@shop 172.18.0.5(51234) 4242 LOG:  duration: 1.2 ms  statement: select 1"]
JSON_LINES = ['{"level":"info","ts":"2024-05-07T10:55:53Z","msg":"ok"}'] * 3
LOGFMT_LINES = ['level=info ts=2024-05-07T10:55:53Z caller=main.go:42 msg="flushed" n=3'] * 3
ZOOKEEPER_LINES = [
    "2024-05-07 10:55:53,434 [myid:2] - INFO  [main:o.a.z.s.q.QuorumPeerConfig@177] - Reading "
    "configuration from: /conf/zoo.cfg",
    "2024-05-07 10:55:53,501 [myid:] - WARN  [main:QuorumPeerMain@139] - Either no config or no "
    "quorum defined in config, running in standalone mode",
    "2024-05-07 10:55:53,612 - INFO  [PurgeTask:o.a.z.s.DatadirCleanupManager$PurgeTask@139] - "
    "Purge task started.",
]
CONNECT_LINES = [
    "[2024-05-07 10:55:53,434] INFO [jdbc-sink|task-2] Attempting to open connection #1 to "
    "PostgreSql (io.confluent.connect.jdbc.util.CachedConnectionProvider:79)",
    "[2024-05-07 10:55:53,440] INFO Started KafkaBasedLog for topic connect-status "
    "(org.apache.kafka.connect.util.KafkaBasedLog:311)",
    "[2024-05-07 10:55:53,512] INFO ksqlDB API server listening on http://0.0.0.0:8088 "
    "(io.confluent.ksql.rest.server.KsqlRestApplication:390)",
]


@pytest.mark.parametrize(
    ("sample", "parser"),
    [
        (KAFKA_LINES, "kafka"),
        (STRIMZI_LINES, "kafka"),
        (ZOOKEEPER_LINES, "kafka"),
        (CONNECT_LINES, "kafka"),
        (PG_LINES, "postgres"),
        (PG_CUSTOM_PREFIX, "postgres"),
        (["PostgreSQL init process complete; ready for start up."], "postgres"),
        (JSON_LINES, "structured"),
        (LOGFMT_LINES, "structured"),
        (["hello world", "another plain line"], None),
        (["", "   "], None),
        ([], None),
        (None, None),
        # one JSON line among many plain ones is not enough
        (JSON_LINES[:1] + ["plain text"] * 9, None),
    ],
)
def test_sniff_parser(sample, parser):
    assert sniff_parser(sample) == parser


def test_service_name_fallback_chain():
    catalog = ServiceCatalog.load(None)
    labels = {
        "logadapt.service": "orders-db",
        "com.docker.compose.service": "db",
        "io.kubernetes.container.name": "postgres",
    }
    assert catalog.context_for(_container(name="/x", labels=labels)).service == "orders-db"
    del labels["logadapt.service"]
    assert catalog.context_for(_container(name="/x", labels=labels)).service == "db"
    del labels["com.docker.compose.service"]
    assert catalog.context_for(_container(name="/x", labels=labels)).service == "postgres"
    assert catalog.context_for(_container(name="/shop-db-1")).service == "shop-db-1"
    assert catalog.context_for(_container()).service == CID[:12]


def test_untrusted_service_label_is_kept_as_given():
    ctx = ServiceCatalog.load(None).context_for(
        _container(labels={"logadapt.service": "../../etc"})
    )
    assert ctx.service == "../../etc"


def test_context_from_labels_and_env_without_catalog():
    ctx = ServiceCatalog.load(None).context_for(
        _container(
            name="/kafka-2",
            image="confluentinc/cp-kafka:7.6.1",
            labels={"com.docker.compose.service": "kafka", "logadapt.environment": "staging"},
            env={
                "KAFKA_NODE_ID": "2",
                "CLUSTER_ID": "MkU3OEVBNTcwNTJENDM2Qk",
                "TZ": "Europe/Berlin",
            },
            host="worker-7",
        )
    )
    assert ctx == ServiceContext(
        service="kafka",
        environment="staging",
        cluster_id="MkU3OEVBNTcwNTJENDM2Qk",
        host="worker-7",
        container_id=CID,
        container_name="kafka-2",
        image="confluentinc/cp-kafka:7.6.1",
        parser="kafka",
        options=ctx.options,
        broker_id=2,
    )
    assert ctx.options.timezone == "Europe/Berlin"
    assert ctx.options.postgres_log_line_prefix is None


@pytest.mark.parametrize(
    ("env", "broker_id"),
    [
        ({"KAFKA_BROKER_ID": "1"}, 1),
        ({"KAFKA_NODE_ID": "3"}, 3),
        ({"KAFKA_CFG_NODE_ID": " 4 "}, 4),
        ({"KAFKA_CFG_BROKER_ID": "5"}, 5),
        ({"KAFKA_BROKER_ID": "-1"}, -1),
        ({"KAFKA_BROKER_ID": "one"}, None),
        ({}, None),
    ],
)
def test_broker_id_from_env(env, broker_id):
    assert ServiceCatalog.load(None).context_for(_container(env=env)).broker_id == broker_id


CATALOG_YAML = """
defaults:
  environment: prod
  timezone: UTC
  options: {source: catalog}
services:
  kafka:
    parser: kafka
    cluster_id: orders-kafka
    timezone: Europe/Berlin
  "pg-*":
    parser: postgres
    cluster: orders-pg
    log_line_prefix: "%m [%p] %q%u@%d "
    options: {dialect: pg15}
  pg-reporting:
    environment: analytics
    parser: postgres
  legacy-app:
    parser: structured
    host: vm-legacy-01
"""


@pytest.fixture
def catalog(tmp_path) -> ServiceCatalog:
    path = tmp_path / "catalog.yaml"
    path.write_text(CATALOG_YAML)
    return ServiceCatalog.load(path)


def test_catalog_entry_sets_context_parser_and_options(catalog):
    ctx = catalog.context_for(
        _container(name="/pg-orders-1", image="myorg/custom-db:1", labels={}, env={})
    )
    assert ctx.service == "pg-orders-1"
    assert ctx.parser == "postgres"
    assert ctx.environment == "prod"
    assert ctx.cluster_id == "orders-pg"
    assert ctx.options.postgres_log_line_prefix == "%m [%p] %q%u@%d "
    assert ctx.options.timezone == "UTC"
    assert ctx.options.extra == {"source": "catalog", "dialect": "pg15"}


def test_exact_catalog_entry_beats_glob(catalog):
    ctx = catalog.context_for(_container(name="/pg-reporting"))
    assert ctx.environment == "analytics"
    assert ctx.cluster_id is None  # the glob entry does not apply
    assert ctx.options.postgres_log_line_prefix is None


def test_precedence_label_then_catalog_then_env(catalog):
    container = _container(
        name="/kafka-1",
        image="nginx:1",
        labels={"com.docker.compose.service": "kafka"},
        env={"CLUSTER_ID": "random-kraft-id", "ENVIRONMENT": "dev", "TZ": "Asia/Tokyo"},
    )
    ctx = catalog.context_for(container)
    assert ctx.cluster_id == "orders-kafka"  # catalog beats env
    assert ctx.environment == "prod"
    assert ctx.options.timezone == "Europe/Berlin"
    assert ctx.parser == "kafka"  # catalog beats the image
    labelled = _container(
        name="/kafka-1",
        labels={
            "com.docker.compose.service": "kafka",
            "logadapt.cluster": "from-label",
            "logadapt.environment": "qa",
            "logadapt.parser": "generic",
            "logadapt.timezone": "America/New_York",
        },
        env={"CLUSTER_ID": "random-kraft-id"},
    )
    ctx = catalog.context_for(labelled)
    assert (ctx.cluster_id, ctx.environment, ctx.parser) == ("from-label", "qa", "generic")
    assert ctx.options.timezone == "America/New_York"


def test_parser_chain_without_catalog():
    catalog = ServiceCatalog.load(None)
    # unknown parser label is ignored, image decides
    ctx = catalog.context_for(_container(image="postgres:16", labels={"logadapt.parser": "nope"}))
    assert ctx.parser == "postgres"
    # image unknown: the sample decides
    ctx = catalog.context_for(_container(image="myorg/broker:1"), sample=KAFKA_LINES)
    assert ctx.parser == "kafka"
    # nothing known
    ctx = catalog.context_for(_container(image="myorg/app:1"), sample=["hello"])
    assert ctx.parser == "generic"
    # the image beats the sample
    ctx = catalog.context_for(_container(image="bitnami/kafka:3.7"), sample=JSON_LINES)
    assert ctx.parser == "kafka"


def test_env_and_otel_environment_and_bad_timezone():
    catalog = ServiceCatalog.load(None)
    ctx = catalog.context_for(_container(env={"APP_ENV": "production", "TZ": ":/etc/localtime"}))
    assert ctx.environment == "production"
    assert ctx.options.timezone == "UTC"  # junk TZ is ignored
    ctx = catalog.context_for(
        _container(env={"OTEL_RESOURCE_ATTRIBUTES": "service.name=x,deployment.environment=eu1"})
    )
    assert ctx.environment == "eu1"
    ctx = catalog.context_for(_container(env={"TZ": ":Europe/Paris"}))
    assert ctx.options.timezone == "Europe/Paris"


def test_catalog_list_form_and_host(tmp_path):
    path = tmp_path / "c.yaml"
    path.write_text("services:\n  - name: legacy-app\n    parser: structured\n    host: vm-1\n")
    ctx = ServiceCatalog.load(path).context_for(_container(name="/legacy-app"))
    assert (ctx.parser, ctx.host) == ("structured", "vm-1")
    ctx = ServiceCatalog.load(path).context_for(_container(name="/legacy-app", host="node-3"))
    assert ctx.host == "node-3"


@pytest.mark.parametrize(
    "text",
    [
        "services:\n  kafka:\n    parser: avro\n",
        "services:\n  kafka:\n    timezone: Mars/Olympus\n",
        "services:\n  kafka:\n    colour: blue\n",
        "services:\n  - parser: kafka\n",
        "- just\n- a list\n",
    ],
)
def test_bad_catalog_is_rejected(tmp_path, text):
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ValueError):
        ServiceCatalog.load(path)


def test_empty_catalog_file(tmp_path):
    path = tmp_path / "empty.yaml"
    path.write_text("")
    ctx = ServiceCatalog.load(path).context_for(_container(name="/x", image="postgres:16"))
    assert ctx.parser == "postgres" and ctx.environment is None


def test_sniffing_ignores_continuation_lines_of_a_config_dump():
    """A restarted broker's log starts with `KafkaConfig values:` and hundreds of indented
    lines; only lines that can start a record are evidence."""
    sample = ["[2026-11-01 00:00:00,000] INFO KafkaConfig values: (kafka.server.KafkaConfig)"]
    sample += [f"\tsome.setting.{i} = {i}" for i in range(150)]
    sample += [
        "[2026-11-01 00:00:01,000] INFO [KafkaRaftServer nodeId=1] Starting "
        "(kafka.server.KafkaRaftServer)"
    ]
    assert sniff_parser(sample) == "kafka"
