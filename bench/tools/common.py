"""What every baseline extracts, and how: one regex table, composed the same way by each engine.

The baselines do what a data engineer would write in an afternoon: one row per json-file line
(no multi-line assembly, no per-format parser choice), the core columns pulled out with
regexes that cover Kafka log4j, PostgreSQL stderr, Spring Boot and JSON app lines, service and
container name from each container's config.v2.json, and hive partitions from the capture time.
A column is the first non-empty group 1 of its patterns, cast as listed. The patterns use only
syntax that RE2 (DuckDB), Rust regex (Polars), java.util.regex (Spark) and Python `re` read
the same way: no look-around, no back-references.
"""

import argparse
import json
from pathlib import Path

# column -> (patterns tried in order, cast: str | int | float | upper)
COLUMNS: dict[str, tuple[list[str], str]] = {
    "severity": (
        [
            r'"level":"([A-Za-z]+)"',
            r"\b(TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|PANIC|LOG)\b",
        ],
        "upper",
    ),
    "component": (
        [
            r'"(?:caller|logger)":"([^"]+)"',
            r"\(([A-Za-z0-9_.$]+)\)\s*$",
            r"\] ([A-Za-z0-9_.$]+)\s+: ",
        ],
        "str",
    ),
    "message": (
        [
            r'"msg":"((?:[^"\\]|\\.)*)"',
            r"(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|FATAL|PANIC|LOG):?\s+(.*)$",
            r"^(.*)$",
        ],
        "str",
    ),
    "broker_id": ([r"\bbroker[=.]?(?:id=)?(\d+)"], "int"),
    "topic": (
        [r'"topic":"([^"]+)"', r"(?:partition=|Partition |topic=)([A-Za-z0-9._-]+)-\d+\b"],
        "str",
    ),
    "partition": (
        [r'"partition":(\d+)', r"(?:partition=|Partition |topic=)[A-Za-z0-9._-]+-(\d+)\b"],
        "int",
    ),
    "error_class": (
        [r"\b((?:[a-z][A-Za-z0-9_$]*\.)+[A-Z][A-Za-z0-9_$]*(?:Exception|Error))\b"],
        "str",
    ),
    "pid": ([r"\[(\d+)\] [A-Z]+[0-9]?:", r"\s(\d+) --- "], "int"),
    "sqlstate": ([r"SQLSTATE[ =:]+([0-9A-Z]{5})\b", r'"sqlstate":"([0-9A-Z]{5})"'], "str"),
    "duration_ms": (
        [r"duration: ([0-9.]+) ms", r'"(?:duration|latency)_ms":([0-9.]+)'],
        "float",
    ),
}
# the event's own time when the line starts with one (seconds precision, naive = UTC)
LEADING_TIME = r"^\[?(\d{4}-\d\d-\d\d[ T]\d\d:\d\d:\d\d)"
OUTPUT_COLUMNS = [
    "timestamp",
    "observed_at",
    "severity",
    "component",
    "message",
    "container",
    "stream",
    *[c for c in COLUMNS if c not in ("severity", "component", "message")],
]
PARTITIONS = ["service", "date", "hour"]


def log_files(roots: list[str]) -> list[Path]:
    """Every json-file log (current, rotated, gzip'd rotated) under the containers roots."""
    return sorted(f for r in roots for f in Path(r).rglob("*-json.log*") if f.is_file())


def container_map(roots: list[str]) -> dict[str, tuple[str, str]]:
    """container id -> (service, container name), from each config.v2.json."""
    out = {}
    for r in roots:
        for cfg in Path(r).glob("*/config.v2.json"):
            doc = json.loads(cfg.read_text())
            labels = (doc.get("Config") or {}).get("Labels") or {}
            name = (doc.get("Name") or "").lstrip("/")
            service = (
                labels.get("logadapt.service") or labels.get("com.docker.compose.service") or name
            )
            out[doc.get("ID") or cfg.parent.name] = (service, name)
    return out


def args() -> argparse.Namespace:
    p = argparse.ArgumentParser()
    p.add_argument("roots", nargs="+", help="json-file containers roots")
    p.add_argument("--out", required=True)
    return p.parse_args()


def local_spark(app: str, conf: dict[str, str]):
    """A `local[2]` SparkSession in UTC without the UI, quiet, with `conf` on top."""
    from pyspark.sql import SparkSession

    builder = (
        SparkSession.builder.master("local[2]")
        .appName(app)
        .config("spark.ui.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
    )
    for key, value in conf.items():
        builder = builder.config(key, value)
    spark = builder.getOrCreate()
    spark.sparkContext.setLogLevel("ERROR")
    return spark
