import gzip
import hashlib
import json
import re
from pathlib import Path

import pytest

from logadapt_assets.generate import generate
from logadapt_tests.generate.readback import (
    RFC3339NANO,
    cri_lines,
    docker_files,
    docker_lines,
    docker_records,
    manifest,
    parse_time,
)


def tree_digest(root: Path) -> str:
    h = hashlib.sha256()
    for p in sorted(root.rglob("*")):
        if p.is_symlink() or p.is_file():
            h.update(p.relative_to(root).as_posix().encode())
            h.update(str(p.readlink()).encode() if p.is_symlink() else p.read_bytes())
    return h.hexdigest()


def test_same_arguments_same_bytes_other_seed_differs(tmp_path):
    runs = {}
    for name, seed in (("a", 21), ("b", 21), ("c", 22)):
        out = tmp_path / name
        generate(out, hours=1, seed=seed, scale=0.02)
        runs[name] = tree_digest(out)
    assert runs["a"] == runs["b"]
    assert runs["a"] != runs["c"]


def test_cri_and_zookeeper_mode_are_deterministic(tmp_path, cri_zk_dataset):
    out, _ = cri_zk_dataset
    again = tmp_path / "again"
    generate(again, hours=1, seed=5, scale=0.03, fmt="cri", kafka_mode="zookeeper")
    assert tree_digest(out) == tree_digest(again)


def test_json_file_records_are_exactly_what_docker_writes(docker_dataset):
    out, report = docker_dataset
    partial_groups = 0
    for name, cid in report.containers.items():
        previous_ns = 0
        records = docker_records(out, cid)
        assert records, name
        for i, rec in enumerate(records):
            assert list(rec) == ["log", "stream", "time"]
            assert rec["stream"] in ("stdout", "stderr")
            assert RFC3339NANO.match(rec["time"]), rec["time"]
            ns = parse_time(rec["time"])
            assert ns >= previous_ns  # the copier stamps records in read order
            previous_ns = ns
            if not rec["log"].endswith("\n"):  # a 16 KiB partial
                assert len(rec["log"].encode()) == 16384
                nxt = records[i + 1]
                assert nxt["time"] == rec["time"] and nxt["stream"] == rec["stream"]
                partial_groups += 1
            else:
                assert "\n" not in rec["log"][:-1]
        raw = b"".join(p.read_bytes() for p in docker_files(out, cid) if p.suffix != ".gz")
        assert not re.search(rb"[<>&\t]", raw)  # Go escapes these (\u003c ... \u0009)
    assert partial_groups >= 2  # long lines exist and were split
    long_lines = [
        ln for cid in report.containers.values() for ln in docker_lines(out, cid) if ln.parts > 1
    ]
    assert long_lines and all(len(ln.text.encode()) >= 16384 for ln in long_lines)
    assert {json.loads(ln.text)["msg"] for ln in long_lines if ln.text.startswith("{")} == {
        "request body rejected"
    }


def test_rotation_and_gzip_rotation(docker_dataset):
    out, report = docker_dataset
    rotated = {"kafka-1": False, "orders-api": False, "postgres": True}
    for name, compressed in rotated.items():
        cid = report.containers[name]
        files = docker_files(out, cid)
        assert len(files) >= 2, name
        host = json.loads((out / "containers" / cid / "hostconfig.json").read_text())
        opts = host["LogConfig"]["Config"]
        capacity = int(opts["max-size"].rstrip("k")) * 1024
        assert len(files) <= int(opts["max-file"])
        assert all(p.name.endswith(".gz") == compressed for p in files[:-1])
        assert (opts.get("compress") == "true") == compressed
        last_ns = 0
        for path in files[:-1]:
            data = gzip.decompress(path.read_bytes()) if compressed else path.read_bytes()
            records = data.decode().splitlines(keepends=True)
            # rotated at the first write that found the file at or over max-size
            assert len(data) >= capacity > len(data) - len(records[-1].encode())
            first = parse_time(json.loads(records[0])["time"])
            assert first >= last_ns
            last_ns = parse_time(json.loads(records[-1])["time"])
            if compressed:  # Docker keeps the last timestamp in the gzip header's extra field
                blob = path.read_bytes()
                assert blob[3] & 0x04
                xlen = int.from_bytes(blob[10:12], "little")
                extra = json.loads(blob[12 : 12 + xlen])
                assert parse_time(extra["lastTime"]) == last_ns
    assert len(docker_files(out, report.containers["inventory-svc"])) == 1


def test_config_v2_describes_each_container(docker_dataset):
    out, report = docker_dataset
    labels = json.loads(report.labels_path.read_text())
    crash = next(i for i in labels["incidents"] if i["scenario"] == "broker_crash")
    victim = f"kafka-{crash['entities']['broker_id']}"
    restart = next(
        e for e in labels["lifecycle"] if e["container"] == victim and e["event"] == "start"
    )
    for name, cid in report.containers.items():
        cfg = json.loads((out / "containers" / cid / "config.v2.json").read_text())
        assert cfg["ID"] == cid and cfg["Name"] == "/" + name
        assert cfg["LogPath"].endswith(f"/{cid}/{cid}-json.log")
        lab = cfg["Config"]["Labels"]
        assert lab["com.docker.compose.service"] == name
        assert lab["logadapt.environment"] == "prod"
        assert lab["logadapt.service"] and lab["logadapt.cluster"]
        env = dict(e.split("=", 1) for e in cfg["Config"]["Env"])
        if name.startswith("kafka-"):
            assert lab["logadapt.service"] == "kafka"
            assert env["KAFKA_NODE_ID"] == name.split("-")[1]
        if name == victim:
            assert cfg["RestartCount"] == 1 and cfg["State"]["Running"]
            assert cfg["State"]["StartedAt"] == restart["time"]
        elif name == "db-migrate":
            assert not cfg["State"]["Running"] and cfg["State"]["ExitCode"] == 0
            assert parse_time(cfg["State"]["FinishedAt"]) > parse_time(cfg["State"]["StartedAt"])
        else:
            assert cfg["RestartCount"] == 0 and cfg["State"]["Running"]
    assert report.lines == {n: c["lines"] for n, c in manifest(out).items()}


def test_labels_agree_with_data(docker_dataset):
    out, report = docker_dataset
    labels = json.loads(report.labels_path.read_text())
    incidents = labels["incidents"]
    assert {i["scenario"] for i in incidents} == {
        "broker_crash",
        "rebalance_storm",
        "pg_deadlock",
        "auth_failure_flood",
        "slow_queries",
        "disk_full",
    }
    lines = {name: docker_lines(out, cid) for name, cid in report.containers.items()}
    windows = []
    for inc in incidents:
        lo, hi = parse_time(inc["start"]), parse_time(inc["end"])
        windows.append((lo, hi))
        assert lo < hi and inc["expected_event_types"] and inc["evidence"]
        for ev in inc["evidence"]:
            pattern = re.compile(ev["pattern"])
            inside = sum(
                1
                for ln in lines[ev["container"]]
                if lo <= ln.obs_ns <= hi and pattern.search(ln.text)
            )
            assert inside >= ev["min_count"], (inc["id"], ev)
            assert ev["container"] in inc["affected_containers"]
    windows.sort()
    assert all(a[1] <= b[0] for a, b in zip(windows, windows[1:], strict=False))  # no overlap


def test_background_alone_has_no_incident_signatures(tmp_path):
    out = tmp_path / "calm"
    report = generate(out, hours=1, seed=11, scale=0.03, scenarios=[])
    text = "\n".join(ln.text for cid in report.containers.values() for ln in docker_lines(out, cid))
    for signature in (
        "Shrinking ISR",
        "deadlock detected",
        "password authentication failed",
        "No space left on device",
        "consumer poll timeout",
        "Fencing broker",
    ):
        assert signature not in text
    assert json.loads(report.labels_path.read_text())["incidents"] == []
    assert all(c["restart_count"] == 0 for c in manifest(out).values())


def test_streams_and_line_formats_match_the_real_software(docker_dataset):
    out, report = docker_dataset
    log4j = re.compile(
        r"^\[\d{4}-\d\d-\d\d \d\d:\d\d:\d\d,\d{3}\] (TRACE|DEBUG|INFO|WARN|ERROR) \S"
    )
    logger = re.compile(r" \([\w.$]+\)$")
    pg = re.compile(
        r"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{3} UTC \[\d+\] (LOG|ERROR|FATAL|PANIC|"
        r"WARNING|DETAIL|HINT|CONTEXT|STATEMENT):  \S"
    )
    spring = re.compile(
        r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z (TRACE|DEBUG| INFO| WARN|ERROR) "
        r"1 --- \[payments-worker\] \[.{15}\] .{40} : "
    )
    for name in ("kafka-1", "kafka-2", "kafka-3"):
        lines = docker_lines(out, report.containers[name])
        assert {ln.stream for ln in lines} == {"stdout"}
        starts = [ln.text for ln in lines if ln.text.startswith("[20")]
        assert len(starts) > 0.8 * len(lines)
        assert all(log4j.match(t) for t in starts), next(t for t in starts if not log4j.match(t))
        # one-line events end with the logger; multi-line ones (LogCleaner stats, KafkaConfig
        # dump) put it on their last line, which starts with a space
        assert sum(bool(logger.search(t)) for t in starts) > 0.95 * len(starts)
        assert all(logger.search(ln.text) for ln in lines if ln.text.startswith(" ("))
    pg_lines = docker_lines(out, report.containers["postgres"])
    assert {ln.stream for ln in pg_lines} == {"stderr"}
    bad = [ln.text for ln in pg_lines if not (pg.match(ln.text) or ln.text.startswith("\t"))]
    assert not bad, bad[:3]
    assert any(ln.text.startswith("\t") for ln in pg_lines)  # multi-line statements/autovacuum
    api = docker_lines(out, report.containers["orders-api"])
    assert {ln.stream for ln in api} == {"stderr"}
    for ln in api:
        if ln.text.startswith("{"):
            assert list(json.loads(ln.text))[:4] == ["level", "ts", "caller", "msg"]
    inv = docker_lines(out, report.containers["inventory-svc"])
    for ln in inv:
        keys = list(json.loads(ln.text))
        assert keys == sorted(keys) and {"level", "msg", "time"} <= set(keys)
    pay = docker_lines(out, report.containers["payments-worker"])
    assert {ln.stream for ln in pay} == {"stdout"}
    heads = [ln.text for ln in pay if ln.text[:2] == "20"]
    assert all(spring.match(t) for t in heads), next(t for t in heads if not spring.match(t))
    assert any(ln.text == "" for ln in pay)  # %wEx: a blank line before a stack trace
    assert any(ln.text.startswith("\tat ") for ln in pay)


def test_request_ids_and_kafka_keys_join_services(docker_dataset):
    out, report = docker_dataset
    api = [
        json.loads(ln.text)
        for ln in docker_lines(out, report.containers["orders-api"])
        if ln.text.startswith("{")
    ]
    api_ids = {r["request_id"] for r in api if "request_id" in r}
    pg_text = "\n".join(ln.text for ln in docker_lines(out, report.containers["postgres"]))
    pg_ids = set(re.findall(r"/\* request_id=([0-9a-f]{32}) \*/", pg_text))
    assert len(pg_ids) >= 10 and len(pg_ids & api_ids) >= 0.9 * len(pg_ids)
    keys = {(r["key"], r["partition"], r["offset"]) for r in api if r["msg"] == "event published"}
    pay = "\n".join(ln.text for ln in docker_lines(out, report.containers["payments-worker"]))
    consumed = set(
        re.findall(
            r"Received OrderCreated key=([0-9a-f]{32}) topic=orders.events "
            r"partition=(\d+) offset=(\d+)",
            pay,
        )
    )
    assert consumed and {(k, int(p), int(o)) for k, p, o in consumed} <= keys
    kafka = "\n".join(
        ln.text
        for name in ("kafka-1", "kafka-2", "kafka-3")
        for ln in docker_lines(out, report.containers[name])
    )
    partitions = {f"orders.events-{p}" for _, p, _ in keys}
    assert any(f"partition={tp}," in kafka for tp in partitions)


def test_cri_files_restarts_rotation_and_links(cri_zk_dataset):
    out, report = cri_zk_dataset
    mani = manifest(out)
    assert "zookeeper" in mani
    labels = json.loads(report.labels_path.read_text())
    victim = "kafka-{}".format(
        next(i for i in labels["incidents"] if i["scenario"] == "broker_crash")["entities"][
            "broker_id"
        ]
    )
    files = mani[victim]["files"]
    assert [Path(f).name for f in files] == ["0.log", "1.log"]
    restart = parse_time(
        next(
            e["time"]
            for e in labels["lifecycle"]
            if e["container"] == victim and e["event"] == "start"
        )
    )
    first_after = cri_lines(out, [files[1]])[0]
    assert first_after.obs_ns >= restart and first_after.text == "===> User"
    assert all(ln.obs_ns < restart for ln in cri_lines(out, [files[0]]))
    rotated = mani["orders-api"]["files"]
    assert rotated[-1].endswith("/0.log") and rotated[0].endswith(".gz") and len(rotated) == 3
    lines = cri_lines(out, rotated)
    assert any(ln.parts > 1 and len(ln.text.encode()) > 16384 for ln in lines)
    for name, meta in mani.items():
        link = (
            out
            / "containers"
            / (f"{meta['pod']}_{meta['namespace']}_{meta['cri_container']}-{meta['id']}.log")
        )
        assert link.is_symlink() and link.resolve() == (out / meta["files"][-1]).resolve(), name
        for f in meta["files"]:
            for raw in (
                gzip.decompress((out / f).read_bytes()).decode().splitlines()
                if f.endswith(".gz")
                else (out / f).read_text().splitlines()
            ):
                ts, stream, tag, _ = raw.split(" ", 3)
                assert RFC3339NANO.match(ts) and stream in ("stdout", "stderr") and tag in "FP"
    env = mani["kafka-1"]  # zookeeper mode brokers are configured by broker id
    assert env["image"].startswith("confluentinc/cp-kafka")
    zk_lines = cri_lines(out, mani["kafka-1"]["files"])
    assert any("[Controller id=1]" in ln.text for ln in zk_lines)
    for inc in labels["incidents"]:
        lo, hi = parse_time(inc["start"]), parse_time(inc["end"])
        for ev in inc["evidence"]:
            got = cri_lines(out, mani[ev["container"]]["files"])
            n = sum(1 for ln in got if lo <= ln.obs_ns <= hi and re.search(ev["pattern"], ln.text))
            assert n >= ev["min_count"], (inc["id"], ev)


def test_regenerating_in_place_replaces_the_previous_run_only(tmp_path):
    out = tmp_path / "data"
    generate(out, hours=2, seed=8, scale=0.01, scenarios=["pg_deadlock"])
    generate(out, hours=1, seed=8, scale=0.01, scenarios=[], fmt="cri")
    fresh = tmp_path / "fresh"
    generate(fresh, hours=1, seed=8, scale=0.01, scenarios=[], fmt="cri")
    assert tree_digest(out) == tree_digest(fresh)
    foreign = tmp_path / "foreign"
    (foreign / "containers" / "abc").mkdir(parents=True)
    with pytest.raises(FileExistsError):
        generate(foreign, hours=1, seed=8, scale=0.01)
    assert (foreign / "containers" / "abc").is_dir()


def test_arguments_are_validated(tmp_path):
    with pytest.raises(ValueError, match="fmt"):
        generate(tmp_path, hours=1, seed=1, fmt="syslog")
    with pytest.raises(ValueError, match="unknown scenarios"):
        generate(tmp_path, hours=1, seed=1, scenarios=["meteor_strike"])
    with pytest.raises(ValueError, match="kafka_mode"):
        generate(tmp_path, hours=1, seed=1, kafka_mode="raft")
