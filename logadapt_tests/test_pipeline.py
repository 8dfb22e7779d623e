"""The whole chain through `Converter` and `logadapt convert`: accounting, idempotence, windows,
bad input, and the engine API and json-file paths giving the same events."""

import json
from datetime import UTC, datetime, timedelta

import polars as pl
import pytest

from logadapt_assets.cli import main
from logadapt_assets.lake import Lake
from logadapt_assets.pipeline import LOG_EVENTS, QUARANTINE, Converter, run_stage
from logadapt_assets.quality import conservation_report
from logadapt_assets.sources.open import open_source
from logadapt_tests.sources.builders import container_dir, record

T0 = datetime(2026, 11, 27, 9, 58, tzinfo=UTC)
CONFIG = {
    "Name": "/kafka-1",
    "Config": {
        "Image": "apache/kafka:3.9.0",
        "Labels": {"logadapt.service": "kafka"},
        "Env": ["KAFKA_NODE_ID=1"],
    },
    "State": {"Running": True, "Status": "running"},
    "RestartCount": 0,
}


def kafka_line(t: datetime, text: str) -> str:
    return f"[{t:%Y-%m-%d %H:%M:%S},{t.microsecond // 1000:03d}] {text}\n"


def write_log(root, records: list[bytes]) -> None:
    d = container_dir(root, config=CONFIG)
    (d / f"{d.name}-json.log").write_bytes(b"".join(records))


def sample(root) -> int:
    """Four minutes across an hour boundary: a stack trace, stderr, a 40 KiB line split in three
    partial records, a secret, and two broken records. Returns the physical lines written."""
    recs = []
    for i in range(8):
        t = T0 + timedelta(seconds=30 * i)
        recs.append(
            record(kafka_line(t, "INFO [KafkaServer id=1] started (kafka.server.KafkaServer)"), t=t)
        )
    t = T0 + timedelta(seconds=5)
    recs.append(
        record(
            kafka_line(
                t,
                "ERROR [ReplicaFetcher replicaId=1, leaderId=2, "
                "fetcherId=0] Error for partition orders-3 at offset 9 "
                "(kafka.server.ReplicaFetcherThread)",
            ),
            t=t,
        )
    )
    recs.append(record("org.apache.kafka.common.errors.NotLeaderOrFollowerException: x\n", t=t))
    recs.append(record("\tat kafka.server.ReplicaFetcherThread.process(X.scala:1)\n", t=t))
    recs.append(
        record('sasl.jaas.config = PlainLoginModule required password="hunter2";\n', "stderr", t=t)
    )
    big = kafka_line(t, "INFO " + "B" * 40_000 + " (kafka.log.LogCleaner)")
    for part in (big[:16384], big[16384:32768]):
        recs.append(record(part, t=t))
    recs.append(record(big[32768:], t=t))
    recs.append(b'{"log":"broken json\n')  # invalid JSON (a quarantined record)
    recs.append(b'{"log":"\xff\xfe bad utf8\\n","stream":"stdout","time":"2026-11-27T09:58:06Z"}\n')
    write_log(root, recs)
    return 8 + 3 + 1 + 1  # lines after joining partials


def test_conversion_accounts_for_every_record_and_redacts(tmp_path):
    lines = sample(tmp_path / "containers")
    with open_source(str(tmp_path / "containers")) as source:
        report = Converter(Lake(str(tmp_path / "lake"))).process_all(source.read())
    assert report.conservation_violations() == []
    assert sum(report.lines_in.values()) == lines
    assert sum(report.event_lines.values()) == lines
    assert sum(report.quarantine_reasons.values()) == 2
    assert set(report.quarantine_reasons) <= {"invalid_json", "invalid_utf8", "truncated"}
    assert report.redactions >= 1
    events = pl.from_arrow(Lake(str(tmp_path / "lake")).read(LOG_EVENTS))
    assert set(events["hour"]) == {"09", "10"}  # partitioned by capture hour
    assert not events["message"].str.contains("hunter2").any()
    fetcher = events.filter(pl.col("message").str.contains("Error for partition"))
    assert fetcher["line_count"].to_list() == [3]
    assert fetcher["topic"].to_list() == ["orders"] and fetcher["partition"].to_list() == [3]
    assert fetcher["error_class"].to_list() == [
        "org.apache.kafka.common.errors.NotLeaderOrFollowerException"
    ]
    assert events.filter(pl.col("message").str.contains("B" * 100))[
        "message"
    ].str.len_chars().to_list() == [40_000]
    assert set(events["service"]) == {"kafka"} and set(events["broker_id"]) == {1}
    quarantine = Lake(str(tmp_path / "lake")).read(QUARANTINE)
    assert quarantine.num_rows == 2


def test_converting_twice_gives_the_same_lake(tmp_path):
    sample(tmp_path / "containers")
    lake = str(tmp_path / "lake")
    args = ["convert", str(tmp_path / "containers"), "--lake", lake, "--quiet"]
    assert main(args) == 0
    first = pl.from_arrow(Lake(lake).read(LOG_EVENTS)).sort("event_id")
    assert main(args) == 0
    second = pl.from_arrow(Lake(lake).read(LOG_EVENTS)).sort("event_id")
    assert first.equals(second)
    assert second["event_id"].n_unique() == second.height


def test_a_window_rerun_replaces_exactly_its_hours(tmp_path):
    sample(tmp_path / "containers")
    lake = Lake(str(tmp_path / "lake"))
    with open_source(str(tmp_path / "containers")) as source:
        Converter(lake).process_all(source.read())
    before = pl.from_arrow(lake.read(LOG_EVENTS))
    ten = datetime(2026, 11, 27, 10, tzinfo=UTC)
    with open_source(str(tmp_path / "containers")) as source:
        report = Converter(lake, since=ten, until=ten + timedelta(hours=1)).process_all(
            source.read(ten, ten + timedelta(hours=1))
        )
    assert {w.key.hour for w in report.written} == {"10"}
    after = pl.from_arrow(lake.read(LOG_EVENTS))
    assert after.sort("event_id").equals(before.sort("event_id"))


def test_staged_run_equals_one_pass(tmp_path):
    """raw_logs -> parsed -> enriched -> log_events through the lake = the one-pass CLI."""
    sample(tmp_path / "containers")
    one = Lake(str(tmp_path / "one"))
    staged = Lake(str(tmp_path / "staged"))
    since, until = datetime(2026, 11, 27, 9, tzinfo=UTC), datetime(2026, 11, 27, 11, tzinfo=UTC)
    with open_source(str(tmp_path / "containers")) as source:
        Converter(one, since=since, until=until).process_all(source.read(since, until))
    with open_source(str(tmp_path / "containers")) as source:
        Converter(staged, since=since, until=until, outputs=["raw_logs"]).process_all(
            source.read(since, until)
        )
        from logadapt_assets.inventory import save_inventory

        save_inventory(staged, source.containers())
    for stage in ("raw_logs", "parsed_events", "enriched_events"):
        run_stage(staged, stage, since, until)
    keys = {d: staged.partitions_in(d, since, until) for d in ("raw_logs", LOG_EVENTS)}
    accounting = conservation_report(staged, keys)
    assert accounting["ok"].all() and accounting["lines_captured"].sum() == 13
    a = pl.from_arrow(one.read(LOG_EVENTS)).sort("event_id")
    b = pl.from_arrow(staged.read(LOG_EVENTS)).sort("event_id")
    assert a.equals(b)


def test_unusable_arguments_exit_2_with_one_line(tmp_path, capsys):
    assert main(["convert", str(tmp_path / "missing"), "--lake", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("logadapt: ") and "\n" not in err
    assert main(["convert", str(tmp_path), "--lake", str(tmp_path), "--since", "yesterday"]) == 2
    assert "ISO-8601" in capsys.readouterr().err


def test_summary_reports_rows_quarantine_bytes_and_conservation(tmp_path, capsys):
    sample(tmp_path / "containers")
    assert main(["convert", str(tmp_path / "containers"), "--lake", str(tmp_path / "l")]) == 0
    out = capsys.readouterr().out
    assert "kafka" in out and "2026-11-27 09:00" in out and "2026-11-27 10:00" in out
    assert "quarantined: 2" in out and "compression" in out
    assert "conservation: ok" in out and "parse ok" in out


@pytest.mark.docker
def test_engine_api_and_json_file_give_the_same_events(run_container, docker_client, tmp_path):
    c = run_container(
        "echo '[2026-11-27 10:00:00,000] INFO [KafkaServer id=1] started "
        "(kafka.server.KafkaServer)'; echo 'java.lang.IllegalStateException: boom' >&2; "
        "printf '\\tat a.B.c(B.java:1)\\n' >&2; head -c 40000 /dev/zero | tr '\\\\0' x; echo",
        labels={"logadapt.service": "kafka"},
    )
    c.wait(timeout=30)
    c.reload()
    json_dir = str(__import__("pathlib").Path(c.attrs["LogPath"]).parent)
    via_api, via_file = Lake(str(tmp_path / "api")), Lake(str(tmp_path / "file"))
    with open_source(f"docker://{c.name}") as source:
        Converter(via_api).process_all(source.read())
    with open_source(json_dir) as source:
        Converter(via_file).process_all(source.read())
    a = pl.from_arrow(via_api.read(LOG_EVENTS)).sort("event_id")
    b = pl.from_arrow(via_file.read(LOG_EVENTS)).sort("event_id")
    assert a.height == 3 and a["line_count"].sum() == 4
    assert a.drop("container_name").equals(b.drop("container_name")), json.dumps(
        [a.row(0), b.row(0)], default=str
    )
