"""Generator -> pipeline -> lake, end to end (issues #4 and #7).

A few hours of the synthetic platform with every incident scenario, written as Docker json-file
directories and as CRI files, converted with the real pipeline. The lake must parse the Kafka and
PostgreSQL containers, conserve every line, show every labelled incident with the event types its
label names, and be deterministic.
"""

import json
from datetime import datetime
from pathlib import Path

import polars as pl
import pytest

from bench.eval_anomalies import expected_features, load_labels, resolve_services
from logadapt_assets.catalog import ServiceCatalog
from logadapt_assets.features import compute_features
from logadapt_assets.generate import generate
from logadapt_assets.lake import Lake
from logadapt_assets.pipeline import Converter, ConvertReport
from logadapt_assets.sources.open import open_source

HOURS, SEED, SCALE = 4, 11, 0.1
OK_SHARE = 0.99
# Flyway's CLI prints plain text without timestamp or level: nothing in it is structure, so its
# lines are kept as `unparsed` events (message intact). It is the only such service.
PLAIN_TEXT_SERVICES = {"db-migrate", "flyway"}


def _convert(source: Path, lake: Path, catalog: ServiceCatalog | None = None) -> ConvertReport:
    converter = Converter(Lake(str(lake)), catalog)
    with open_source(str(source)) as src:
        return converter.process_all(src.read(None, None))


def _events(lake: Path) -> pl.DataFrame:
    files = sorted(str(p) for p in (lake / "log_events").glob("service=*/date=*/hour=*/*.parquet"))
    return pl.read_parquet(files, hive_partitioning=True).with_columns(
        pl.col("service").cast(pl.String)
    )


@pytest.fixture(scope="module")
def e2e(tmp_path_factory) -> dict:
    root = tmp_path_factory.mktemp("e2e")
    docker = generate(root / "docker", hours=HOURS, seed=SEED, scale=SCALE)
    cri = generate(root / "cri", hours=HOURS, seed=SEED, scale=SCALE, fmt="cri")
    lake = root / "lake"
    first = _convert(root / "docker" / "containers", lake)
    events = _events(lake)
    files = sorted(p.relative_to(lake) for p in lake.rglob("*.parquet"))
    again = _convert(root / "docker" / "containers", lake)
    # CRI files carry no image: the parser comes from content sniffing (a restarted broker's
    # log starts with its KafkaConfig dump, whose indented lines are no evidence either way)
    cri_report = _convert(root / "cri" / "pods", root / "cri_lake")
    return {
        "labels": json.loads(docker.labels_path.read_text()),
        "labels_path": docker.labels_path,
        "cri_labels": json.loads(cri.labels_path.read_text()),
        "report": first,
        "events": events,
        "files": files,
        "again": again,
        "events_again": _events(lake),
        "files_again": sorted(p.relative_to(lake) for p in lake.rglob("*.parquet")),
        "cri_report": cri_report,
        "cri_events": _events(root / "cri_lake"),
    }


def test_parse_ok_share(e2e):
    report: ConvertReport = e2e["report"]
    for service in ["kafka", "postgres"]:
        assert report.ok_share(service) >= OK_SHARE, (service, report.ok_share(service))
    assert report.ok_share() >= OK_SHARE
    events = e2e["events"]
    assert set(events["service"].unique()) >= {"kafka", "postgres", "orders-api"}
    for (service,), part in events.group_by("service"):
        if service not in PLAIN_TEXT_SERVICES:
            ok = (part["parse_status"] == "ok").mean()
            assert ok >= OK_SHARE, (service, ok)
    plain = events.filter(pl.col("service").is_in(PLAIN_TEXT_SERVICES))
    assert plain.height and (plain["message"].str.len_chars() > 0).all()


def test_every_line_is_conserved(e2e):
    report: ConvertReport = e2e["report"]
    assert report.conservation_violations() == []
    assert sum(report.lines_in.values()) > 10_000
    assert sum(report.quarantined.values()) == 0
    assert e2e["events"]["line_count"].sum() == sum(report.lines_in.values())
    assert e2e["cri_report"].conservation_violations() == []


def _assert_incidents_visible(events: pl.DataFrame, labels: dict) -> None:
    """Each incident: every expected event type inside its window in its affected containers,
    and every affected service shows at least one of them."""
    incidents = labels["incidents"]
    assert sorted({i["scenario"] for i in incidents}) == sorted(labels["dataset"]["scenarios"])
    assert len(incidents) == 6
    for inc in incidents:
        start = datetime.fromisoformat(inc["start"])
        end = datetime.fromisoformat(inc["end"])
        inside = events.filter(
            pl.col("timestamp").is_between(start, end, closed="left")
            & pl.col("service").is_in(inc["affected_services"])
            & pl.col("container_name").is_in(inc["affected_containers"])
            & pl.col("event_type").is_in(inc["expected_event_types"])
        )
        missing = set(inc["expected_event_types"]) - set(inside["event_type"].unique())
        assert not missing, (inc["id"], sorted(missing))
        quiet = set(inc["affected_services"]) - set(inside["service"].unique())
        assert not quiet, (inc["id"], sorted(quiet))


def test_every_incident_is_visible_with_its_event_types(e2e):
    _assert_incidents_visible(e2e["events"], e2e["labels"])


def test_zookeeper_mode_incidents_are_visible(tmp_path):
    """The ZooKeeper-mode platform writes other controller lines; its labels say so."""
    gen = generate(tmp_path / "zk", hours=HOURS, seed=SEED + 1, scale=SCALE, kafka_mode="zookeeper")
    report = _convert(tmp_path / "zk" / "containers", tmp_path / "lake")
    assert report.conservation_violations() == []
    for service in ["kafka", "zookeeper", "postgres"]:
        assert report.ok_share(service) >= OK_SHARE, (service, report.ok_share(service))
    labels = json.loads(gen.labels_path.read_text())
    crash = next(i for i in labels["incidents"] if i["scenario"] == "broker_crash")
    assert "kafka.broker_change" in crash["expected_event_types"]
    assert "kafka.broker_fenced" not in crash["expected_event_types"]
    _assert_incidents_visible(_events(tmp_path / "lake"), labels)


def test_incident_event_types_are_rare_outside_incidents(e2e):
    """The app rules classify the incident lines, not the background: outside every incident
    window (plus a minute of aftermath) they are a small minority of the service's events."""
    events = e2e["events"]
    outside = events
    for inc in e2e["labels"]["incidents"]:
        start = datetime.fromisoformat(inc["start"])
        end = datetime.fromisoformat(inc["end"])
        outside = outside.filter(
            ~pl.col("timestamp").is_between(start, end + (end - start) / 5, closed="left")
        )
    for etype in ["app.commit_failed", "app.consumer_poll_timeout", "app.kafka_produce_retry"]:
        assert outside.filter(pl.col("event_type") == etype).height == 0, etype
    for etype in ["app.db_error", "app.http_5xx", "app.slow_request"]:
        share = (outside["event_type"] == etype).sum() / outside.height
        assert share < 0.01, (etype, share)


def test_event_ids_are_unique(e2e):
    for key in ["events", "events_again", "cri_events"]:
        ids = e2e[key]["event_id"]
        assert ids.null_count() == 0 and ids.n_unique() == ids.len(), key


def test_converting_twice_gives_the_same_lake(e2e):
    assert e2e["files_again"] == e2e["files"]
    first = e2e["events"].sort("event_id")
    second = e2e["events_again"].sort("event_id")
    assert first.equals(second)
    assert e2e["again"].event_types == e2e["report"].event_types


def test_cri_variant_gives_the_same_events(e2e):
    assert e2e["cri_labels"]["incidents"] == e2e["labels"]["incidents"]
    docker, cri = e2e["events"], e2e["cri_events"]
    assert cri.height == docker.height
    assert cri["line_count"].sum() == docker["line_count"].sum()

    def per_type(df: pl.DataFrame) -> dict[str, int]:
        return dict(df.group_by("event_type").len().iter_rows())

    assert per_type(cri) == per_type(docker)

    def per_status(df: pl.DataFrame) -> dict[str, int]:
        return dict(df.group_by("parse_status").len().iter_rows())

    assert per_status(cri) == per_status(docker)
    # the same messages at the same times, whatever runtime captured them
    cols = ["timestamp", "message", "event_type", "severity"]
    assert cri.select(cols).sort(cols).equals(docker.select(cols).sort(cols))


def test_evaluation_reads_the_generator_labels(e2e):
    """bench/eval_anomalies scores against labels.json as written: services, containers and
    event types resolve, and every incident's event types feed some anomaly feature."""
    incidents = load_labels(e2e["labels_path"])
    raw = {i["start"]: i for i in e2e["labels"]["incidents"]}
    assert len(incidents) == len(raw) == 6
    events = e2e["events"]
    start, end = events["timestamp"].min(), events["timestamp"].max()
    features = compute_features(events, start, end)
    resolved, unmatched = resolve_services(incidents, features)
    assert unmatched == []
    for inc, res in zip(incidents, resolved, strict=True):
        label = next(v for v in raw.values() if v["scenario"] == inc.scenario)
        assert set(res.services) == set(label["affected_services"])
        assert set(inc.entities) == set(label["affected_containers"])
        assert set(inc.event_types) == set(label["expected_event_types"])
        assert expected_features(inc.event_types), inc.scenario
