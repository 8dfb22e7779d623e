"""The synthetic platform: which containers run, with which labels, env, rates and topics.

Built from logadapt_assets/rules/generator.yaml. Everything derived here (container ids, pod
names, replica assignment, group coordinators) is a pure function of the seed and the rules,
so two runs with the same arguments describe the same fleet.
"""

import base64
import hashlib
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import polars as pl
import yaml

from logadapt_assets.generate import app_lines, kafka_lines, postgres_lines
from logadapt_assets.generate.engine import NS, Load, Rng, Template, World

RULES_PATH = Path(__file__).resolve().parents[1] / "rules" / "generator.yaml"
KRAFT_ONLY = {"kafka.kraft_snapshot", "kafka.metadata_roll"}


@cache
def load_rules(path: Path = RULES_PATH) -> dict:
    return yaml.safe_load(path.read_text())


def default_start() -> datetime:
    return datetime.fromisoformat(load_rules()["start"].replace("Z", "+00:00"))


def to_ns(t: datetime) -> int:
    if t.tzinfo is None:
        t = t.replace(tzinfo=UTC)
    return int(t.timestamp()) * NS + t.microsecond * 1000


def digest(*parts: object, n: int = 64) -> str:
    return hashlib.sha256("/".join(str(p) for p in parts).encode()).hexdigest()[:n]


def java_hash(text: str) -> int:
    """Java's String.hashCode (Kafka maps a group to __consumer_offsets with it)."""
    h = 0
    for ch in text:
        h = (31 * h + ord(ch)) & 0xFFFFFFFF
    return h - (1 << 32) if h >= 1 << 31 else h


@dataclass(frozen=True)
class Container:
    name: str
    id: str
    role: str  # kafka | zookeeper | postgres | app | job
    service: str  # logadapt.service
    image: str
    stream: str  # where its software writes by default
    ip: str
    labels: dict[str, str]
    env: dict[str, str]
    cmd: list[str]
    restart_policy: str
    namespace: str  # CRI layout
    pod: str
    pod_uid: str
    cri_name: str
    sources: list[tuple[list[Template], Load]] = field(default_factory=list)
    broker_id: int | None = None


@dataclass
class Platform:
    seed: int
    start_ns: int
    hours: int
    kafka_mode: str
    rules: dict
    containers: dict[str, Container]
    world: World
    partitions: pl.DataFrame  # topic, part, tp, replicas, leader, tid, le, pe, hw, o, b
    coordinators: dict[str, int]  # group -> broker id
    group_partition: dict[str, int]  # group -> __consumer_offsets partition

    @property
    def end_ns(self) -> int:
        return self.start_ns + self.hours * 3600 * NS

    @property
    def brokers(self) -> list[Container]:
        return [c for c in self.containers.values() if c.role == "kafka"]

    @property
    def controller(self) -> int:
        return 1


def build_platform(seed: int, start: datetime, hours: int, kafka_mode: str = "kraft") -> Platform:
    if kafka_mode not in ("kraft", "zookeeper"):
        raise ValueError(f"kafka_mode must be 'kraft' or 'zookeeper', not {kafka_mode!r}")
    rules = load_rules()
    start_ns = to_ns(start)
    kcfg, pcfg = rules["kafka"], rules["postgres"]
    peak = float(rules["diurnal"]["peak_hour"])
    bucket = int(rules["diurnal"]["bucket_minutes"])
    project, env_name = rules["compose_project"], rules["environment"]
    n_brokers = int(kcfg["brokers"])

    names = [f"kafka-{i}" for i in range(1, n_brokers + 1)]
    if kafka_mode == "zookeeper":
        names.append("zookeeper")
    names += ["postgres", *rules["apps"], *rules["jobs"]]
    ips = {name: f"{rules['network_prefix']}{10 + i}" for i, name in enumerate(names)}

    partitions = _partition_table(kcfg, seed)
    coordinators, group_part = {}, {}
    offsets = partitions.filter(pl.col("topic") == "__consumer_offsets")
    for group in kcfg["groups"]:
        p = abs(java_hash(group)) % int(kcfg["internal_topics"]["__consumer_offsets"])
        group_part[group] = p
        coordinators[group] = int(offsets.filter(pl.col("part") == p)["leader"][0])

    def labels(name: str, service: str, cluster: str, image: str) -> dict[str, str]:
        return {
            "com.docker.compose.config-hash": digest("config", name, n=64),
            "com.docker.compose.container-number": "1",
            "com.docker.compose.depends_on": "",
            "com.docker.compose.image": "sha256:" + digest("image", image),
            "com.docker.compose.oneoff": "False",
            "com.docker.compose.project": project,
            "com.docker.compose.project.config_files": f"/srv/{project}/docker-compose.yml",
            "com.docker.compose.project.working_dir": f"/srv/{project}",
            "com.docker.compose.service": name,
            "com.docker.compose.version": "2.29.7",
            "logadapt.cluster": cluster,
            "logadapt.environment": env_name,
            "logadapt.service": service,
        }

    def pod(name: str, kind: str) -> tuple[str, str]:
        if kind == "sts":
            return (name if name.startswith("kafka-") else f"{name}-0"), digest("uid", name, n=32)
        if kind == "job":
            return f"{name}-{digest('pod', seed, name, n=5)}", digest("uid", name, n=32)
        return (
            f"{name}-{digest('rs', name, n=10)}-{digest('pod', seed, name, n=5)}",
            digest("uid", seed, name, n=32),
        )

    def uid(text: str) -> str:
        return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:32]}"

    containers: dict[str, Container] = {}
    group_of = {b: [g for g, c in coordinators.items() if c == b] for b in range(1, n_brokers + 1)}
    for i in range(1, n_brokers + 1):
        name = f"kafka-{i}"
        image = kcfg["kraft_image"] if kafka_mode == "kraft" else kcfg["zk_image"]
        env = {
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            "KAFKA_LOG_DIRS": kcfg["data_dir"],
            "KAFKA_ADVERTISED_LISTENERS": f"PLAINTEXT://{name}:9092",
            "KAFKA_LISTENERS": "PLAINTEXT://:9092,CONTROLLER://:9093"
            if kafka_mode == "kraft"
            else "PLAINTEXT://:9092",
            "KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR": "3",
            "KAFKA_MIN_INSYNC_REPLICAS": "2",
        }
        if kafka_mode == "kraft":
            env |= {
                "KAFKA_NODE_ID": str(i),
                "KAFKA_PROCESS_ROLES": "broker,controller",
                "KAFKA_CONTROLLER_QUORUM_VOTERS": ",".join(
                    f"{b}@kafka-{b}:9093" for b in range(1, n_brokers + 1)
                ),
                "KAFKA_CONTROLLER_LISTENER_NAMES": "CONTROLLER",
                "CLUSTER_ID": kcfg["cluster_id"],
            }
        else:
            env |= {"KAFKA_BROKER_ID": str(i), "KAFKA_ZOOKEEPER_CONNECT": "zookeeper:2181"}
        if i == int(kcfg["request_log_broker"]):
            env["KAFKA_LOG4J_LOGGERS"] = "kafka.request.logger=DEBUG"
        catalog = [
            t for t in kafka_lines.BROKER if kafka_mode == "kraft" or t.key not in KRAFT_ONLY
        ]
        if not group_of[i]:
            catalog = [t for t in catalog if not t.key.startswith("kafka.group_")]
        if i == 1:
            catalog += (
                kafka_lines.CONTROLLER if kafka_mode == "kraft" else kafka_lines.ZK_CONTROLLER
            )
        sources = [(catalog, Load(kcfg["rate_per_hour"], kcfg["amplitude"], peak, bucket))]
        if i == int(kcfg["request_log_broker"]):
            sources.append(
                (
                    kafka_lines.REQUEST_LOG,
                    Load(kcfg["request_log_rate_per_hour"], 0.6, peak, bucket),
                )
            )
        pod_name, pod_uid = pod(name, "sts")
        containers[name] = Container(
            name=name,
            id=digest("container", seed, name),
            role="kafka",
            service="kafka",
            image=image,
            stream="stdout",
            ip=ips[name],
            labels=labels(name, "kafka", kcfg["cluster_label"], image),
            env=env,
            cmd=["/etc/kafka/docker/run"]
            if kafka_mode == "kraft"
            else ["/etc/confluent/docker/run"],
            restart_policy="unless-stopped",
            namespace="data",
            pod=pod_name,
            pod_uid=uid(pod_uid),
            cri_name="kafka",
            sources=sources,
            broker_id=i,
        )
    if kafka_mode == "zookeeper":
        image = kcfg["zookeeper_image"]
        pod_name, pod_uid = pod("zookeeper", "sts")
        zcfg = rules["zookeeper"]
        containers["zookeeper"] = Container(
            name="zookeeper",
            id=digest("container", seed, "zookeeper"),
            role="zookeeper",
            service="zookeeper",
            image=image,
            stream="stdout",
            ip=ips["zookeeper"],
            labels=labels("zookeeper", "zookeeper", kcfg["cluster_label"], image),
            env={
                "ZOOKEEPER_CLIENT_PORT": "2181",
                "ZOOKEEPER_TICK_TIME": "2000",
                "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            },
            cmd=["/etc/confluent/docker/run"],
            restart_policy="unless-stopped",
            namespace="data",
            pod=pod_name,
            pod_uid=uid(pod_uid),
            cri_name="zookeeper",
            sources=[
                (
                    kafka_lines.ZOOKEEPER,
                    Load(zcfg["rate_per_hour"], zcfg["amplitude"], peak, bucket),
                )
            ],
        )
    pod_name, pod_uid = pod("postgres", "sts")
    containers["postgres"] = Container(
        name="postgres",
        id=digest("container", seed, "postgres"),
        role="postgres",
        service="postgres",
        image=pcfg["image"],
        stream="stderr",
        ip=ips["postgres"],
        labels=labels("postgres", "postgres", pcfg["cluster_label"], pcfg["image"]),
        env={
            "POSTGRES_DB": pcfg["database"],
            "POSTGRES_USER": "postgres",
            "POSTGRES_PASSWORD_FILE": "/run/secrets/postgres_password",
            "PGDATA": "/var/lib/postgresql/data",
            "PG_MAJOR": "15",
            "PG_VERSION": "15.8-1.pgdg120+1",
            "LANG": "en_US.utf8",
            "GOSU_VERSION": "1.17",
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin:"
            "/usr/lib/postgresql/15/bin",
        },
        cmd=[
            "postgres",
            "-c",
            "log_connections=on",
            "-c",
            "log_disconnections=on",
            "-c",
            "log_lock_waits=on",
            "-c",
            "log_min_duration_statement=250",
            "-c",
            "log_autovacuum_min_duration=1s",
            "-c",
            "log_temp_files=10MB",
        ],
        restart_policy="unless-stopped",
        namespace="data",
        pod=pod_name,
        pod_uid=uid(pod_uid),
        cri_name="postgres",
        sources=[
            (
                postgres_lines.BACKGROUND,
                Load(pcfg["rate_per_hour"], pcfg["amplitude"], peak, bucket),
            )
        ],
    )
    catalogs = {
        "orders-api": app_lines.ORDERS_API,
        "payments-worker": app_lines.PAYMENTS_WORKER,
        "inventory-svc": app_lines.INVENTORY_SVC,
    }
    for name, acfg in rules["apps"].items():
        pod_name, pod_uid = pod(name, "deploy")
        env = {
            "APP_ENV": env_name,
            "KAFKA_BROKERS": "kafka-1:9092,kafka-2:9092,kafka-3:9092",
            "DATABASE_URL": f"postgres://{name.split('-')[0]}@postgres:5432/"
            f"{pcfg['database']}?sslmode=disable",
            "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
        }
        if acfg["kind"] == "spring":
            env |= {
                "JAVA_TOOL_OPTIONS": "-XX:MaxRAMPercentage=75",
                "SPRING_PROFILES_ACTIVE": env_name,
                "JAVA_HOME": "/opt/java/openjdk",
            }
        containers[name] = Container(
            name=name,
            id=digest("container", seed, name),
            role="app",
            service=name,
            image=acfg["image"],
            stream=acfg["stream"],
            ip=ips[name],
            labels=labels(name, name, rules["app_cluster_label"], acfg["image"]),
            env=env,
            cmd=["/app/" + name] if acfg["kind"] != "spring" else ["java", "-jar", "/app/app.jar"],
            restart_policy="unless-stopped",
            namespace=acfg["namespace"],
            pod=pod_name,
            pod_uid=uid(pod_uid),
            cri_name=name,
            sources=[
                (catalogs[name], Load(acfg["rate_per_hour"], acfg["amplitude"], peak, bucket))
            ],
        )
    for name, jcfg in rules["jobs"].items():
        pod_name, pod_uid = pod(name, "job")
        containers[name] = Container(
            name=name,
            id=digest("container", seed, name),
            role="job",
            service=name,
            image=jcfg["image"],
            stream=jcfg["stream"],
            ip=ips[name],
            labels=labels(name, name, rules["app_cluster_label"], jcfg["image"]),
            env={
                "FLYWAY_URL": f"jdbc:postgresql://postgres:5432/{pcfg['database']}",
                "FLYWAY_USER": "migrator",
                "FLYWAY_CONNECT_RETRIES": "10",
                "PATH": "/flyway:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
            },
            cmd=["migrate"],
            restart_policy="no",
            namespace=jcfg["namespace"],
            pod=pod_name,
            pod_uid=uid(pod_uid),
            cri_name="flyway",
        )

    world = _world(rules, seed, start_ns, containers, ips, partitions, coordinators, group_part)
    return Platform(
        seed,
        start_ns,
        hours,
        kafka_mode,
        rules,
        containers,
        world,
        partitions,
        coordinators,
        group_part,
    )


def _partition_table(kcfg: dict, seed: int) -> pl.DataFrame:
    """Every topic-partition with its replica list (leader first) and plausible offsets."""
    n = int(kcfg["brokers"])
    topics = {**kcfg["topics"], **kcfg["internal_topics"]}
    rows = []
    rf = min(3, n)
    for ti, (topic, count) in enumerate(topics.items()):
        tid = base64.urlsafe_b64encode(bytes.fromhex(digest("topic", topic, n=32))).decode()[:22]
        # Kafka's rack-unaware assignment: a start index, and a follower shift that moves on
        # every n partitions, so leadership and followers spread over the brokers
        shift = ti % max(1, n - 1)
        for p in range(int(count)):
            if p > 0 and p % n == 0:
                shift += 1
            first = (p + ti) % n
            replicas = [first] + [
                (first + 1 + (shift + j) % max(1, n - 1)) % n for j in range(rf - 1)
            ]
            rows.append((topic, p, [r + 1 for r in replicas], tid))
    rng = Rng(seed, "partitions")
    m = len(rows)
    frame = pl.DataFrame(
        {
            "topic": [r[0] for r in rows],
            "part": pl.Series([r[1] for r in rows], dtype=pl.Int64),
            "replicas": pl.Series([r[2] for r in rows], dtype=pl.List(pl.Int64)),
            "tid": [r[3] for r in rows],
        }
    )
    internal = pl.col("topic").str.starts_with("__")
    return frame.with_columns(
        tp=pl.col("topic") + "-" + pl.col("part").cast(pl.String),
        leader=pl.col("replicas").list.first(),
        le=rng.integers(m, 3, 9),
        pe=rng.integers(m, 8, 40),
        o=pl.when(internal)
        .then(rng.integers(m, 1000, 90000))
        .otherwise(rng.integers(m, 900000, 9000000)),
    ).with_columns(
        hw=pl.col("o") - rng.integers(m, 0, 40),
        b=(pl.col("o") - rng.integers(m, 2000, 200000)).clip(lower_bound=0),
    )


def _world(
    rules: dict,
    seed: int,
    start_ns: int,
    containers: dict[str, Container],
    ips: dict[str, str],
    partitions: pl.DataFrame,
    coordinators: dict[str, int],
    group_part: dict[str, int],
) -> World:
    kcfg, pcfg = rules["kafka"], rules["postgres"]
    rng = Rng(seed, "clients")
    clients = sorted(
        {f"10.0.{rng.random.randint(1, 3)}.{rng.random.randint(2, 250)}" for _ in range(80)}
    )
    common = {
        "db": pcfg["database"],
        "hba_line": str(pcfg["hba_line"]),
        "hba_rule": pcfg["hba_rule"],
        "ckpt_pid": "27",
        "data_dir": kcfg["data_dir"],
        "cluster_id": kcfg["cluster_id"],
        "kafka_version": kcfg["version"],
        "commit_id": kcfg["commit_id"],
        "pg_version": pcfg["version_string"],
    }
    common |= {f"ip_{name}": ip for name, ip in ips.items()}
    common |= {
        "ip_orders": ips["orders-api"],
        "ip_payments": ips["payments-worker"],
        "ip_inventory": ips["inventory-svc"],
    }
    macros: dict[str, dict[str, str]] = {}
    members = {g: str(v["members"]) for g, v in kcfg["groups"].items()}
    for c in containers.values():
        m = dict(common, ip=c.ip, name=c.name)
        if c.broker_id is not None:
            others = [
                str(b.broker_id)
                for b in containers.values()
                if b.broker_id is not None and b.broker_id != c.broker_id
            ]
            m["self"] = str(c.broker_id)
            m["peer"] = "«pick:" + "|".join(others) + "@peer»"
            mine = sorted(g for g, b in coordinators.items() if b == c.broker_id)
            if mine:
                m["mygroup"] = mine[0]
                m["mygroup_part"] = str(group_part[mine[0]])
                m["mymembers"] = members[mine[0]]
        macros[c.name] = m
    scopes: dict[str, list[tuple[str, int]]] = {}
    for topic, part in partitions.select("topic", "part").iter_rows():
        scope = {"__consumer_offsets": "offsets", "__transaction_state": "txn"}.get(topic, "data")
        scopes.setdefault(scope, []).append((topic, part))
        scopes.setdefault(topic, []).append((topic, part))
    apps = [c.ip for c in containers.values() if c.role == "app"]
    return World(
        t0_ns=start_ns,
        streams={c.name: c.stream for c in containers.values()},
        macros=macros,
        partitions=scopes,
        groups=sorted(kcfg["groups"]),
        ip_pools={
            "client": clients,
            "apps": apps,
            "ops": ["10.8.0.5", "10.8.0.9"],
            "scanner": ["10.0.9.13", "10.0.9.77", "185.220.101.34"],
        },
    )
