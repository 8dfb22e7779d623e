import copy
import statistics
from datetime import UTC, datetime, timedelta

import numpy as np
import polars as pl
import pyarrow as pa
import pytest
from polars.testing import assert_frame_equal

from logadapt_assets.conform import to_contract
from logadapt_assets.features import (
    compute_features,
    event_type_matcher,
    floor_time,
    load_rules,
    parse_duration,
    partition_tables,
)
from logadapt_assets.schema import load_contract
from logadapt_assets.templates_table import (
    hourly_templates,
    mask_template,
    merge_templates,
    summarize_templates,
    update_templates,
)

T0 = datetime(2026, 3, 1, tzinfo=UTC)
H = timedelta(hours=1)
SCHEMA = {
    "service": pl.String,
    "timestamp": pl.Datetime("us", "UTC"),
    "observed_at": pl.Datetime("ns", "UTC"),
    "severity": pl.String,
    "event_type": pl.String,
    "template_id": pl.String,
    "error_class": pl.String,
    "duration_ms": pl.Float64,
    "container_name": pl.String,
    "container_id": pl.String,
    "broker_id": pl.Int32,
    "topic": pl.String,
    "partition": pl.Int32,
    "consumer_group": pl.String,
    "db_name": pl.String,
    "message": pl.String,
}
# Quiet baseline profiles: (service, events per hour per container, fixed columns)
PROFILES = [
    ("kafka", 60, {"container_name": "kafka-1", "container_id": "c1", "broker_id": 1}),
    ("kafka", 60, {"container_name": "kafka-2", "container_id": "c2", "broker_id": 2}),
    ("kafka", 60, {"container_name": "kafka-3", "container_id": "c3", "broker_id": 3}),
    ("postgres", 80, {"container_name": "pg-1", "container_id": "p1", "db_name": "shop"}),
    ("app", 100, {"container_name": "app-1", "container_id": "a1"}),
]
# Injected incidents: (hour, n, service, columns)
BURSTS = [
    (
        26,
        40,
        "kafka",
        {
            "container_name": "kafka-2",
            "container_id": "c2",
            "broker_id": 2,
            "topic": "orders",
            "partition": 1,
            "event_type": "kafka.isr_shrink",
            "template_id": "k-isr",
            "message": "[Partition orders-1 broker=2] Shrinking ISR from 2,1,3 to 2",
        },
    ),
    (
        27,
        150,
        "app",
        {
            "container_name": "app-1",
            "container_id": "a1",
            "severity": "ERROR",
            "template_id": "a-err",
            "error_class": "java.net.ConnectException",
            "message": "request failed: Connection refused",
        },
    ),
    (
        28,
        15,
        "postgres",
        {
            "container_name": "pg-1",
            "container_id": "p1",
            "db_name": "shop",
            "severity": "ERROR",
            "event_type": "postgres.deadlock",
            "template_id": "p-deadlock",
            "error_class": "deadlock_detected",
            "message": "deadlock detected",
        },
    ),
]


def _block(rng, hour: int, n: int, service: str, cols: dict) -> pl.DataFrame:
    """n events of one service/container in one hour; columns not given get quiet defaults."""
    offsets = np.sort(rng.integers(0, 3_600_000_000, n))
    ts = [T0 + timedelta(hours=hour, microseconds=int(o)) for o in offsets]
    data = {c: [None] * n for c in SCHEMA}
    data.update(service=[service] * n, timestamp=ts, observed_at=ts)
    data["severity"] = np.where(rng.random(n) < 0.02, "WARN", "INFO").tolist()
    data["event_type"] = ["other"] * n
    prefix = service[0]
    data["template_id"] = [f"{prefix}{i}" for i in rng.integers(0, 5, n)]
    data["message"] = [f"{service} steady state line {i} took {i * 7} ms" for i in range(n)]
    if service == "kafka":
        tp = rng.random(n) < 0.5
        data["topic"] = np.where(tp, "orders", None).tolist()
        data["partition"] = [
            int(p) if t else None for p, t in zip(rng.integers(0, 3, n), tp, strict=True)
        ]
        data["consumer_group"] = np.where(rng.random(n) < 0.1, "billing", None).tolist()
    if service == "postgres":
        data["duration_ms"] = rng.gamma(2.0, 5.0, n).tolist()
        data["event_type"] = ["postgres.statement"] * n
    for k, v in cols.items():
        data[k] = [v] * n
    return pl.DataFrame(data, schema=SCHEMA)


def _latency_type(event_type: str | None) -> bool:
    spec = load_rules()["duration_event_types"]
    return event_type is not None and (
        event_type in spec.get("types", [])
        or any(event_type.startswith(p) for p in spec.get("prefixes", []))
    )


def make_events(hours: int = 30, seed: int = 7, bursts: bool = True) -> pl.DataFrame:
    """A quiet baseline of three services over `hours`, plus the injected BURSTS."""
    rng = np.random.default_rng(seed)
    blocks = [
        _block(rng, h, int(rng.poisson(rate)), service, cols)
        for h in range(hours)
        for service, rate, cols in PROFILES
    ]
    if bursts:
        blocks += [_block(rng, h, n, s, cols) for h, n, s, cols in BURSTS if h < hours]
    return pl.concat(blocks).sort("timestamp")


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return make_events()


@pytest.fixture(scope="module")
def features(events) -> pl.DataFrame:
    return compute_features(events, T0 + 24 * H, T0 + 30 * H)


def _svc(df: pl.DataFrame, service: str, hour: int) -> dict:
    rows = df.filter(
        (pl.col("entity_type") == "service")
        & (pl.col("entity_id") == service)
        & (pl.col("window_start") == T0 + hour * H)
    )
    assert rows.height == 1
    return rows.row(0, named=True)


# --- contract -------------------------------------------------------------------------------


def test_feature_rows_conform_to_the_contract(features):
    contract = load_contract("anomaly_feature")
    table = to_contract(features, contract)
    assert table.schema.equals(contract.with_metadata(), check_metadata=False)
    assert table.schema.metadata[b"logadapt.schema.name"] == b"anomaly_feature"
    assert table.num_rows == features.height > 0
    assert features.columns == ["service", *contract.arrow.names]
    for name in contract.arrow.names:
        if not contract.arrow.field(name).nullable:
            assert features[name].null_count() == 0, name


def test_partition_tables_split_by_service_and_hour(features):
    contract = load_contract("anomaly_feature")
    parts = partition_tables(features, contract)
    keys = [k for k, _ in parts]
    assert len(keys) == len(set(keys)) == 3 * 6
    assert {k.service for k in keys} == {"kafka", "postgres", "app"}
    assert sum(t.num_rows for _, t in parts) == features.height
    key, table = parts[0]
    assert (key.date, key.hour) == ("2026-03-02", "00")
    assert isinstance(table, pa.Table) and "service" not in table.column_names


def test_rule_table_and_contract_agree():
    rules = load_rules()
    names = load_contract("anomaly_feature").arrow.names
    for column in rules["event_features"]:
        assert column in names, column
    count_columns = {
        n for n in names if n.startswith("n_") and "_mean_" not in n and "_z_" not in n
    }
    base = {"n_events", "n_error", "n_warn", "n_fatal", "n_templates", "n_new_templates"}
    assert count_columns - base - {"n_error_classes"} == set(rules["event_features"])
    for span in rules["rolling"]:
        assert f"n_events_z_{span}" in names and f"n_error_mean_{span}" in names
    for name in rules["detection"]["features"]:
        assert name in names, name
    for name in rules["detection"]["isolation_forest"]["features"]:
        assert name in names, name


def test_event_type_matching_by_name_prefix_and_suffix():
    df = pl.DataFrame(
        {"event_type": ["kafka.isr_shrink", "kafka.isr.shrink.v2", "x.oom", "kafka.isr", None]}
    )
    shrink = load_rules()["event_features"]["n_isr_shrink"]
    oom = load_rules()["event_features"]["n_oom"]
    out = df.select(event_type_matcher(shrink).alias("s"), event_type_matcher(oom).alias("o"))
    assert out["s"].to_list() == [True, True, False, False, False]
    assert out["o"].to_list() == [False, False, True, False, False]


def test_a_renamed_event_type_is_a_data_change(events):
    renamed = events.with_columns(pl.col("event_type").replace("kafka.isr_shrink", "kafka.isr_sh"))
    rules = copy.deepcopy(load_rules())
    assert (
        _svc(compute_features(renamed, T0 + 26 * H, T0 + 27 * H), "kafka", 26)["n_isr_shrink"] == 0
    )
    rules["event_features"]["n_isr_shrink"]["types"].append("kafka.isr_sh")
    got = compute_features(renamed, T0 + 26 * H, T0 + 27 * H, rules=rules)
    assert _svc(got, "kafka", 26)["n_isr_shrink"] == 40


def test_parse_duration():
    assert parse_duration("1m") == timedelta(minutes=1)
    assert parse_duration("24h") == timedelta(hours=24)
    assert parse_duration("7d") == timedelta(days=7)
    with pytest.raises(ValueError):
        parse_duration("1mo")


# --- values -----------------------------------------------------------------------------------


def test_bursts_show_in_their_windows(features):
    kafka = _svc(features, "kafka", 26)
    assert kafka["n_isr_shrink"] == 40
    assert kafka["n_new_templates"] == 1  # k-isr never seen before
    app = _svc(features, "app", 27)
    assert app["n_error"] >= 150 and app["n_error_classes"] == 1
    assert app["error_rate"] == pytest.approx(app["n_error"] / app["n_events"])
    assert app["n_error_z_24h"] > 20
    pg = _svc(features, "postgres", 28)
    assert pg["n_deadlock"] == 15 and pg["secs_since_last_error"] < 3600
    assert pg["duration_p50_ms"] <= pg["duration_p95_ms"] <= pg["duration_p99_ms"]
    assert pg["duration_p99_ms"] <= pg["duration_max_ms"]
    broker = features.filter(
        (pl.col("entity_type") == "broker")
        & (pl.col("entity_id") == "2")
        & (pl.col("window_start") == T0 + 26 * H)
    )
    assert broker["n_isr_shrink"].to_list() == [40]
    tp = features.filter(
        (pl.col("entity_type") == "topic_partition") & (pl.col("window_start") == T0 + 26 * H)
    )
    assert dict(zip(tp["entity_id"], tp["n_isr_shrink"], strict=True)) == {
        "orders-0": 0,
        "orders-1": 40,
        "orders-2": 0,
    }
    quiet = _svc(features, "kafka", 25)
    assert quiet["n_isr_shrink"] == 0 and quiet["n_new_templates"] == 0
    assert {
        "service",
        "container",
        "broker",
        "topic_partition",
        "consumer_group",
        "database",
    } == set(features["entity_type"].unique())


def _entities(row: dict) -> list[tuple[str, str]]:
    out = [("service", row["service"])]
    if row["container_name"] or row["container_id"]:
        out.append(("container", row["container_name"] or row["container_id"]))
    if row["broker_id"] is not None:
        out.append(("broker", str(row["broker_id"])))
    if row["topic"]:
        tp = row["topic"] if row["partition"] is None else f"{row['topic']}-{row['partition']}"
        out.append(("topic_partition", tp))
    if row["consumer_group"]:
        out.append(("consumer_group", row["consumer_group"]))
    if row["db_name"]:
        out.append(("database", row["db_name"]))
    return out


def _reference(events: pl.DataFrame, start: datetime, end: datetime, lookback: timedelta):
    """The features computed the slow, obvious way: one Python loop per entity and window."""
    by_entity: dict[tuple, list[dict]] = {}
    for row in events.iter_rows(named=True):
        for etype, eid in _entities(row):
            by_entity.setdefault((row["service"], etype, eid), []).append(row)
    out = {}
    for key, rows in by_entity.items():
        ws = start
        while ws < end:
            we = ws + H
            past = [r for r in rows if r["timestamp"] < we]
            if not any(r["timestamp"] >= we - lookback for r in past):
                ws += H
                continue
            cur = [r for r in past if r["timestamp"] >= ws]
            seen = {r["template_id"] for r in past if ws - lookback <= r["timestamp"] < ws}
            tids = {r["template_id"] for r in cur if r["template_id"]}
            errs = [r for r in past if r["severity"] in ("ERROR", "FATAL")]
            last_err = max((r["timestamp"] for r in errs), default=None)
            counts = [
                sum(1 for r in rows if ws - (i + 1) * H <= r["timestamp"] < ws - i * H)
                for i in range(24)
            ]
            durs = sorted(
                r["duration_ms"]
                for r in cur
                if r["duration_ms"] is not None and _latency_type(r["event_type"])
            )
            out[(*key, ws)] = {
                "n_events": len(cur),
                "n_error": sum(r["severity"] == "ERROR" for r in cur),
                "n_warn": sum(r["severity"] == "WARN" for r in cur),
                "n_isr_shrink": sum(r["event_type"] == "kafka.isr_shrink" for r in cur),
                "n_deadlock": sum(r["event_type"] == "postgres.deadlock" for r in cur),
                "n_templates": len(tids),
                "n_new_templates": len(tids - seen),
                "n_error_classes": len({r["error_class"] for r in cur if r["error_class"]}),
                "duration_max_ms": durs[-1] if durs else None,
                "duration_p50_ms": statistics.median(durs) if durs else None,
                "secs_since_last_event": (we - max(r["timestamp"] for r in past)).total_seconds(),
                "secs_since_last_error": (we - last_err).total_seconds()
                if last_err and last_err >= we - lookback
                else None,
                "n_events_mean_1h": float(counts[0]),
                "n_events_mean_24h": sum(counts) / 24,
                "n_events_z_24h": (len(cur) - sum(counts) / 24)
                / max(statistics.stdev(counts), (sum(counts) / 24) ** 0.5, 1.0),
            }
            ws += H
    return out


def test_features_match_a_slow_reference():
    """Small random data, short look-back (3h) so novelty and activity expiry both happen."""
    rng = np.random.default_rng(3)
    blocks = []
    for h in range(30):
        for service, rate, cols in PROFILES:
            if service == "app" and 20 <= h < 25:
                continue  # silent for longer than the look-back: rows must stop, then resume
            block = _block(rng, h, int(rng.poisson(rate / 10)), service, cols)
            rare = pl.Series([f"rare{int(x)}" for x in rng.integers(0, 40, block.height)])
            block = block.with_columns(
                pl.when(pl.Series(rng.random(block.height) < 0.2))
                .then(rare)
                .otherwise(pl.col("template_id"))
                .alias("template_id"),
                pl.when(pl.Series(rng.random(block.height) < 0.1))
                .then(pl.lit("ERROR"))
                .otherwise(pl.col("severity"))
                .alias("severity"),
            )
            blocks.append(block)
    events = pl.concat(blocks).sort("timestamp")
    lookback = 3 * H
    start, end = T0 + 24 * H, T0 + 30 * H
    got = compute_features(events, start, end, lookback=lookback)
    want = _reference(events.filter(pl.col("timestamp") < end), start, end, lookback)
    keys = set(
        zip(got["service"], got["entity_type"], got["entity_id"], got["window_start"], strict=True)
    )
    assert keys == set(want)
    assert not any(k[0] == "app" and k[3] == T0 + 24 * H for k in keys)  # expired after 3h
    for row in got.iter_rows(named=True):
        ref = want[(row["service"], row["entity_type"], row["entity_id"], row["window_start"])]
        for name, value in ref.items():
            if value is None or row[name] is None:
                assert value is None and row[name] is None, name
            else:
                assert row[name] == pytest.approx(value, rel=1e-9, abs=1e-9), (name, row)


def test_empty_windows_within_the_lookback_are_zero_rows():
    events = make_events(hours=30, bursts=False).filter(
        ~((pl.col("service") == "app") & (pl.col("timestamp") >= T0 + 26 * H))
    )
    got = compute_features(events, T0 + 24 * H, T0 + 30 * H, lookback=3 * H)
    app = got.filter((pl.col("entity_type") == "service") & (pl.col("entity_id") == "app"))
    # last event in hour 25: windows ending within 3h of it still have a row (of zeros)
    assert app["window_start"].to_list() == [T0 + h * H for h in (24, 25, 26, 27)]
    assert app["n_events"].to_list()[2:] == [0, 0]
    secs = app["secs_since_last_event"].to_list()
    assert 3600 < secs[2] <= 7200 < secs[3] <= 3 * 3600


# --- point in time, recomputation, determinism ------------------------------------------------


@pytest.mark.parametrize("cut", [25, 27, 29])
def test_future_events_never_change_past_windows(events, cut):
    """Computing with everything up to 30h vs. only what existed at `cut`: same rows < cut."""
    future = make_events(hours=30, seed=99).filter(pl.col("timestamp") >= T0 + cut * H)
    future = future.with_columns(
        pl.lit("new-template").alias("template_id"),
        pl.lit("kafka-9").alias("container_name"),  # an entity only the future knows
    )
    everything = pl.concat([events, future]).sort("timestamp")
    full = compute_features(everything, T0 + 24 * H, T0 + 30 * H)
    past = compute_features(
        events.filter(pl.col("timestamp") < T0 + cut * H), T0 + 24 * H, T0 + cut * H
    )
    assert past.height > 0
    assert_frame_equal(past, full.filter(pl.col("window_start") < T0 + cut * H))


def test_events_after_window_end_are_ignored(events):
    later = make_events(hours=40, seed=5).filter(pl.col("timestamp") >= T0 + 30 * H)
    more = pl.concat([events, later])
    assert_frame_equal(
        compute_features(events, T0 + 24 * H, T0 + 30 * H),
        compute_features(more, T0 + 24 * H, T0 + 30 * H),
    )


def test_recomputing_one_window_reproduces_its_row(events, features):
    one = compute_features(events, T0 + 27 * H, T0 + 28 * H)
    assert one["window_start"].unique().to_list() == [T0 + 27 * H]
    assert_frame_equal(one, features.filter(pl.col("window_start") == T0 + 27 * H))


def test_only_requested_windows_are_output(features):
    assert features["window_start"].min() == T0 + 24 * H
    assert features["window_start"].max() == T0 + 29 * H
    assert (features["window_end"] - features["window_start"]).unique().to_list() == [H]
    assert features["window"].unique().to_list() == ["1h"]


def test_deterministic_whatever_the_input_order(events, features):
    shuffled = events.sample(fraction=1.0, shuffle=True, seed=1)
    assert_frame_equal(compute_features(shuffled.lazy(), T0 + 24 * H, T0 + 30 * H), features)
    assert_frame_equal(compute_features(events, T0 + 24 * H, T0 + 30 * H), features)


def test_naive_timestamps_are_utc(events, features):
    naive = events.with_columns(pl.col("timestamp").dt.replace_time_zone(None))
    got = compute_features(naive, datetime(2026, 3, 2, 0), datetime(2026, 3, 2, 6))
    assert_frame_equal(got, features)


def test_minute_windows_add_up_to_the_hour(events):
    minutes = compute_features(events, T0 + 26 * H, T0 + 27 * H, windows=["1m"])
    hour = compute_features(events, T0 + 26 * H, T0 + 27 * H, windows=["1h"])
    assert set(minutes["window"].unique()) == {"1m"}
    assert minutes["window_start"].n_unique() == 60
    summed = (
        minutes.group_by(["service", "entity_type", "entity_id"])
        .agg(pl.col("n_events", "n_isr_shrink", "n_error").sum())
        .sort(["service", "entity_type", "entity_id"])
    )
    expected = hour.select(
        "service", "entity_type", "entity_id", "n_events", "n_isr_shrink", "n_error"
    ).sort(["service", "entity_type", "entity_id"])
    assert_frame_equal(summed, expected)
    assert floor_time(T0 + 26 * H + timedelta(seconds=90), timedelta(minutes=1)) == T0 + 26 * H + (
        timedelta(minutes=1)
    )


def test_missing_optional_columns_are_fine():
    events = pl.DataFrame(
        {
            "service": ["svc"] * 3,
            "timestamp": [T0 + timedelta(minutes=m) for m in (1, 2, 3)],
            "severity": ["INFO", "ERROR", None],
            "event_type": ["other", "other", None],
        },
        schema_overrides={"timestamp": pl.Datetime("us", "UTC")},
    )
    got = compute_features(events, T0, T0 + H)
    assert got.height == 1
    row = got.row(0, named=True)
    assert (row["entity_type"], row["n_events"], row["n_error"], row["n_templates"]) == (
        "service",
        3,
        1,
        0,
    )
    assert row["duration_p95_ms"] is None and row["error_rate"] == pytest.approx(1 / 3)


# --- template table ---------------------------------------------------------------------------


def test_template_masking():
    df = pl.DataFrame(
        {
            "m": [
                "Connection from 10.0.0.12:5432 id=0x1f failed after 30.5 s\nat line 2",
                "user 123e4567-e89b-12d3-a456-426614174000 at 2026-03-01T10:00:00Z sha deadbeef12",
                None,
            ]
        }
    )
    out = df.select(mask_template(pl.col("m")))["m"].to_list()
    assert out == [
        "Connection from <ip> id=<hex> failed after <num> s",
        "user <uuid> at <ts> sha <hex>",
        "",
    ]


def test_template_table_merge_is_idempotent_and_associative(events):
    hours = [events.filter(pl.col("timestamp").dt.truncate("1h") == T0 + h * H) for h in range(30)]
    one_go = update_templates(events)
    folded = None
    for batch in hours:
        folded = update_templates(batch, folded)
    assert_frame_equal(folded, one_go)
    # re-processing hours (twice, in another grouping) changes nothing
    again = update_templates(pl.concat(hours[10:20]), folded)
    again = update_templates(hours[12], again)
    assert_frame_equal(again, one_go)
    # (a + b) + c == a + (b + c) with overlapping batches
    a, b, c = (hourly_templates(pl.concat(hours[i:j])) for i, j in ((0, 12), (8, 20), (18, 30)))
    assert_frame_equal(
        merge_templates(merge_templates(a, b), c), merge_templates(a, merge_templates(b, c))
    )
    assert_frame_equal(merge_templates(merge_templates(a, b), c), one_go)
    totals = summarize_templates(one_go)
    assert totals["count"].sum() == events.height
    isr = totals.filter(pl.col("template_id") == "k-isr").row(0, named=True)
    assert isr["count"] == 40 and isr["hours"] == 1
    assert (
        isr["template"]
        == "[Partition orders-<num> broker=<num>] Shrinking ISR from <num>,<num>,<num> to <num>"
    )


def test_reprocessed_hour_replaces_its_counts(events):
    table = update_templates(events)
    hour26 = events.filter(pl.col("timestamp").dt.truncate("1h") == T0 + 26 * H)
    fixed = hour26.filter(pl.col("template_id") != "k-isr")  # e.g. re-parsed, now different
    table = update_templates(fixed, table)
    assert table.filter(pl.col("template_id") == "k-isr").is_empty()
    assert table["count"].sum() == events.height - 40


def test_template_table_conforms_to_contract(events):
    contract = load_contract("log_template")
    table = to_contract(update_templates(events), contract)
    assert table.schema.equals(contract.with_metadata(), check_metadata=False)
    assert table.column("count").null_count == 0
    first = table.column("first_seen").to_pylist()
    last = table.column("last_seen").to_pylist()
    assert all(f <= s for f, s in zip(first, last, strict=True))
