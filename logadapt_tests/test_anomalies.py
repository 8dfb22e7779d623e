import copy
import json
import struct
from datetime import timedelta

import numpy as np
import polars as pl
import pytest
from polars.testing import assert_frame_equal

from bench.eval_anomalies import evaluate, load_labels, main, scan_lake, write_lake
from logadapt_assets.anomalies import THRESHOLD, detect_anomalies, top_anomalies
from logadapt_assets.conform import to_contract
from logadapt_assets.features import compute_features, load_rules, partition_tables
from logadapt_assets.schema import load_contract
from logadapt_assets.timeline import render_timeline
from logadapt_tests.test_features import PROFILES, T0, H, _block, make_events

BURST_HOURS = {("kafka", T0 + 26 * H), ("app", T0 + 27 * H), ("postgres", T0 + 28 * H)}


@pytest.fixture(scope="module")
def events() -> pl.DataFrame:
    return make_events()


@pytest.fixture(scope="module")
def features(events) -> pl.DataFrame:
    return compute_features(events, T0, T0 + 30 * H)


@pytest.fixture(scope="module")
def anomalies(features) -> pl.DataFrame:
    return detect_anomalies(features, T0 + 24 * H, T0 + 30 * H)


def _flagged_service_hours(df: pl.DataFrame) -> set:
    return set(df.filter(pl.col("is_anomaly")).select("service", "window_start").iter_rows())


def test_injected_bursts_are_the_top_anomalies(anomalies):
    assert _flagged_service_hours(anomalies) == BURST_HOURS
    top = top_anomalies(anomalies, 50)
    assert top["score"].to_list() == sorted(top["score"].to_list(), reverse=True)
    assert top.height == anomalies["is_anomaly"].sum()
    drivers = {
        (r["service"], r["entity_type"], r["entity_id"]): r["top_features"][0].split(":")[0]
        for r in top.iter_rows(named=True)
    }
    assert drivers[("kafka", "broker", "2")] == "n_isr_shrink"
    assert drivers[("kafka", "topic_partition", "orders-1")] == "n_isr_shrink"
    assert drivers[("postgres", "database", "shop")] == "n_deadlock"
    assert drivers[("app", "service", "app")] == "n_error"
    # the quiet brokers/partitions of the burst hour are not dragged in
    assert ("kafka", "broker", "1") not in drivers and ("kafka", "broker", "3") not in drivers
    assert top_anomalies(anomalies, 2).height == 2
    z = float(top.filter(pl.col("entity_id") == "shop")["top_features"][0][0].split(":")[1])
    assert z > 6


def test_quiet_hours_are_not_flagged(features, anomalies):
    quiet = anomalies.filter(
        ~pl.struct("service", "window_start").is_in(
            [{"service": s, "window_start": w} for s, w in BURST_HOURS]
        )
    )
    assert quiet.height > 0 and not quiet["is_anomaly"].any()
    assert quiet["score"].max() < THRESHOLD
    before = detect_anomalies(features, T0 + 7 * H, T0 + 26 * H)
    assert before.height > 0 and not before["is_anomaly"].any()
    assert set(before["baseline"]) == {"trailing"}


def test_a_silent_service_is_flagged():
    events = make_events(bursts=False).filter(
        ~((pl.col("service") == "app") & (pl.col("timestamp").dt.truncate("1h") == T0 + 27 * H))
    )
    features = compute_features(events, T0, T0 + 30 * H)
    found = detect_anomalies(features, T0 + 24 * H, T0 + 30 * H)
    assert _flagged_service_hours(found) == {("app", T0 + 27 * H)}
    row = found.filter(pl.col("is_anomaly") & (pl.col("entity_type") == "service")).row(
        0, named=True
    )
    assert any(f.startswith("n_events:-") for f in row["top_features"])


def _daily_events(days: int, busy_hour: int) -> pl.DataFrame:
    """Quiet services whose busy hour (3x traffic) repeats every day."""
    rng = np.random.default_rng(11)
    blocks = []
    for h in range(days * 24):
        for service, rate, cols in PROFILES[3:]:
            scale = 3 if h % 24 == busy_hour else 1
            blocks.append(_block(rng, h, int(rng.poisson(rate * scale)), service, cols))
    return pl.concat(blocks)


def test_seasonal_baseline_learns_a_daily_peak():
    days, busy = 6, 12
    events = _daily_events(days, busy)
    features = compute_features(events, T0, T0 + days * 24 * H)
    peak = T0 + ((days - 1) * 24 + busy) * H
    seasonal = detect_anomalies(features, peak, peak + H)
    assert set(seasonal["baseline"]) == {"seasonal"}
    assert not seasonal["is_anomaly"].any()
    rules = copy.deepcopy(load_rules())
    rules["detection"]["seasonal"]["periods"] = 0
    trailing = detect_anomalies(features, peak, peak + H, rules=rules)
    assert set(trailing["baseline"]) == {"trailing"}
    assert trailing.filter(pl.col("entity_type") == "service")["is_anomaly"].all()


def test_too_little_history_gives_no_robust_score(features):
    early = detect_anomalies(features, T0, T0 + 3 * H)
    assert set(early["baseline"]) == {"none"}
    assert early["max_z"].null_count() == early.height
    assert not early["is_anomaly"].any()


def test_isolation_forest_fits_only_with_enough_history(features, anomalies):
    scored = anomalies.filter(pl.col("entity_type") == "container")
    assert scored["iforest_score"].null_count() == 0
    assert scored["iforest_score"].is_between(0, 1).all()
    rules = copy.deepcopy(load_rules())
    rules["detection"]["isolation_forest"]["min_train_rows"] = 10**6
    without = detect_anomalies(features, T0 + 24 * H, T0 + 30 * H, rules=rules)
    assert without["iforest_score"].null_count() == without.height
    assert set(without["method"]) == {"robust_z"}
    # the robust part does not depend on the forest
    assert_frame_equal(
        without.select("robust_score", "max_z"), anomalies.select("robust_score", "max_z")
    )


def test_detection_is_deterministic(features, anomalies):
    again = detect_anomalies(
        features.sample(fraction=1.0, shuffle=True, seed=3), T0 + 24 * H, T0 + 30 * H
    )
    assert_frame_equal(again, anomalies)


def test_scores_are_consistent(anomalies):
    assert anomalies["score"].is_between(0, 1).all()
    expected = anomalies.select(
        pl.max_horizontal("robust_score", pl.col("iforest_score").fill_null(0)).alias("s")
    )["s"]
    assert (anomalies["score"] - expected).abs().max() < 1e-12
    assert (anomalies["is_anomaly"] == (anomalies["score"] >= THRESHOLD)).all()
    flagged = anomalies.filter("is_anomaly")
    assert (flagged["top_features"].list.len() > 0).all()
    assert (
        anomalies.filter(~pl.col("is_anomaly"))["method"]
        .is_in(["robust_z", "isolation_forest"])
        .all()
    )


def test_anomalies_conform_to_the_contract(anomalies):
    contract = load_contract("anomaly")
    table = to_contract(anomalies, contract)
    assert table.schema.equals(contract.with_metadata(), check_metadata=False)
    assert table.column("top_features").type.value_type.equals(
        contract.arrow.field("top_features").type.value_type
    )
    parts = partition_tables(anomalies, contract)
    assert sum(t.num_rows for _, t in parts) == anomalies.height
    empty = detect_anomalies(anomalies.head(0))
    assert empty.columns == anomalies.columns and empty.is_empty()
    to_contract(empty, contract)


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def test_timeline_png_is_written(anomalies, tmp_path):
    path = render_timeline(anomalies, tmp_path / "sub" / "timeline.png", T0 + 24 * H, T0 + 30 * H)
    data = path.read_bytes()
    width, height = _png_size(data)
    assert width > 600 and height > 300
    assert data.endswith(b"IEND\xaeB`\x82")
    empty = render_timeline(anomalies.head(0), tmp_path / "empty.png", T0, T0 + H)
    assert _png_size(empty.read_bytes())[0] == width


def test_eval_reports_recall_and_precision(events, tmp_path):
    write_lake(events, tmp_path / "lake")
    labels = [
        {
            "scenario": "isr",
            "start": (T0 + 26 * H + timedelta(minutes=5)).isoformat(),
            "end": (T0 + 26 * H + timedelta(minutes=50)).isoformat(),
            "services": ["kafka"],
            "entities": ["kafka-2"],
            "event_types": ["kafka.isr_shrink"],
        },
        {
            "scenario": "errors",
            "start": (T0 + 27 * H).isoformat(),
            "end": (T0 + 28 * H).isoformat(),
            "services": "app",
        },
        {  # named by its container, times with Z and as epoch seconds
            "scenario": "deadlocks",
            "start": (T0 + 28 * H).isoformat().replace("+00:00", "Z"),
            "end": (T0 + 28 * H + timedelta(minutes=30)).timestamp(),
            "services": ["pg-1"],
            "event_types": ["postgres.deadlock"],
        },
        {  # nothing was injected here: a miss
            "scenario": "phantom",
            "start": (T0 + 29 * H).isoformat(),
            "end": (T0 + 29 * H + timedelta(minutes=30)).isoformat(),
            "services": ["app", "no-such-service"],
            "event_types": ["kafka.isr_shrink"],
        },
    ]
    path = tmp_path / "labels.json"
    path.write_text(json.dumps({"incidents": labels}))
    incidents = load_labels(path)
    assert [i.scenario for i in incidents] == ["isr", "errors", "deadlocks", "phantom"]
    result = evaluate(scan_lake(tmp_path / "lake"), incidents, warmup=24 * H)
    per = {r["scenario"]: r for r in result["per_scenario"]}
    incident = {r["scenario"]: r for r in result["per_incident"]}
    assert incident["deadlocks"]["services"] == "postgres"
    assert incident["isr"]["explained"] is True and incident["deadlocks"]["explained"] is True
    assert incident["errors"]["explained"] is None  # no event types given
    assert incident["phantom"]["explained"] is None and not incident["phantom"]["detected"]
    assert result["unmatched_label_names"] == ["no-such-service"]
    assert per["isr"]["recall"] == per["errors"]["recall"] == per["deadlocks"]["recall"] == 1.0
    assert per["isr"]["median_delay_h"] == 0.0
    assert per["phantom"]["recall"] == 0.0
    assert result["recall"] == 0.75 and result["precision"] == 1.0
    out = tmp_path / "report.md"
    code = main(["--lake", str(tmp_path / "lake"), "--labels", str(path), "--out", str(out)])
    report = out.read_text()
    assert code == 1  # the phantom incident is missed: target not met
    assert "| isr | 1 | 1 | 1.00 | 1.00 |" in report
    assert "NOT met" in report and "scikit-learn" in report
    assert "matching no service or entity: no-such-service" in report


def test_minute_and_hour_windows_are_scored_separately(events, features):
    minutes = compute_features(events, T0 + 24 * H, T0 + 27 * H, windows=["1m"])
    found = detect_anomalies(pl.concat([features, minutes]), T0 + 26 * H, T0 + 27 * H)
    assert set(found["window"]) == {"1h", "1m"}
    minutes = found.filter(pl.col("window") == "1m")
    assert minutes["window_start"].n_unique() == 60
    assert set(minutes["baseline"]) == {"trailing"}  # 2h of minutes, no full days
    hours = found.filter(pl.col("window") == "1h")
    assert _flagged_service_hours(hours) == {("kafka", T0 + 26 * H)}
