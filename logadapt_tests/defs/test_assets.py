"""The asset graph on a real Dagster instance, over real lakes, real engines and real files."""

import time
from datetime import UTC, datetime, timedelta

import dagster as dg
import polars as pl
import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from logadapt_assets.definitions import JOB_NAME, build_definitions
from logadapt_assets.lake import Lake, PartitionKey
from logadapt_tests.defs.conftest import H0, key

RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def materialize_job(defs: dg.Definitions, instance, selection=None, **kwargs):
    job = defs.resolve_job_def(JOB_NAME)
    if selection:
        job = job.get_subset(asset_selection={dg.AssetKey(s) for s in selection})
    return job.execute_in_process(instance=instance, raise_on_error=False, **kwargs)


def test_ranged_run_processes_three_hours_in_one_run_and_rerun_has_no_duplicates(history, tmp_path):
    lake_root = str(tmp_path / "lake")
    defs = build_definitions("2026-11-01-00:00", lake_root, str(history))
    tags = {RANGE_START: key(H0), RANGE_END: key(H0 + timedelta(hours=2))}
    with dg.instance_for_test() as instance:
        result = materialize_job(defs, instance, tags=tags)
        assert result.success
        events = Lake(lake_root).read("log_events")
        assert events.num_rows == 120  # 60 kafka lines + 60 two-line app records
        assert sorted(set(events.column("hour").to_pylist())) == ["10", "11", "12"]
        mats = instance.fetch_materializations(dg.AssetKey("log_events"), limit=10).records
        assert len(mats) == 3  # one materialization per hour of the range
        first_ids = sorted(events.column("event_id").to_pylist())

        again = materialize_job(defs, instance, partition_key=key(H0 + timedelta(hours=1)))
        assert again.success
        events = Lake(lake_root).read("log_events")
        ids = events.column("event_id").to_pylist()
        assert len(ids) == len(set(ids)) == 120
        assert sorted(ids) == first_ids
        app = pl.from_arrow(events).filter(pl.col("service") == "api")
        assert app["line_count"].to_list() == [2] * 60


def test_drift_check_fails_and_blocks_downstream_on_a_planted_file(history, tmp_path):
    lake_root = str(tmp_path / "lake")
    defs = build_definitions("2026-11-01-00:00", lake_root, str(history))
    with dg.instance_for_test() as instance:
        assert materialize_job(defs, instance, partition_key=key(H0)).success
        lake = Lake(lake_root)
        good = lake.partition_dir("log_events", PartitionKey.of("kafka", H0))
        table = pq.read_table(f"{good}/part-0.parquet")
        changed = table.set_column(
            table.schema.get_field_index("pid"), "pid", table.column("pid").cast(pa.int64())
        )
        pq.write_table(changed, f"{good}/part-1.parquet")
        result = materialize_job(defs, instance, partition_key=key(H0))
        assert not result.success
        evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
        drift = evaluations["schema_contract"]
        assert not drift.passed
        assert "part-1.parquet" in drift.metadata["diff"].value
        assert "pid" in drift.metadata["diff"].value
        assert evaluations["record_conservation"].passed
        started = {e.step_key for e in result.all_events if e.event_type_value == "STEP_START"}
        assert "log_events" in started
        assert not started & {"anomaly_features", "anomalies", "log_templates"}  # blocked


def test_conservation_check_fails_when_a_record_is_lost_between_stages(history, tmp_path):
    lake_root = str(tmp_path / "lake")
    defs = build_definitions("2026-11-01-00:00", lake_root, str(history))
    with dg.instance_for_test() as instance:
        assert materialize_job(defs, instance, partition_key=key(H0)).success
        lake = Lake(lake_root)
        path = f"{lake.partition_dir('enriched_events', PartitionKey.of('api', H0))}/part-0.parquet"
        table = pq.read_table(path)
        pq.write_table(table.slice(1), path)  # one record lost on the way
        result = materialize_job(defs, instance, selection=["log_events"], partition_key=key(H0))
        evaluations = {e.check_name: e for e in result.get_asset_check_evaluations()}
        assert not evaluations["record_conservation"].passed
        assert (
            evaluations["record_conservation"].metadata["violations"].value[0]["container_id"]
            == "b" * 64
        )


@pytest.mark.docker
def test_partition_end_to_end_from_real_containers(run_container, docker_client, tmp_path):
    marker = f"e2e-{time.time_ns()}"
    kafka = run_container(
        "for i in 1 2 3; do echo \"[$(date -u '+%Y-%m-%d %H:%M:%S'),000] INFO [KafkaServer id=1] "
        f'{marker} started $i (kafka.server.KafkaServer)"; done; echo boom-{marker} >&2',
        labels={"logadapt.service": "kafka-e2e"},
    )
    kafka.wait(timeout=30)
    hour = datetime.now(UTC).replace(minute=0, second=0, microsecond=0)
    lake_root = str(tmp_path / "lake")
    defs = build_definitions("2026-11-01-00:00", lake_root, "docker://" + kafka.name)
    # the last hour and the one in progress, in case the lines straddle the hour
    tags = {RANGE_START: key(hour - timedelta(hours=1)), RANGE_END: key(hour)}
    with dg.instance_for_test() as instance:
        result = materialize_job(defs, instance, tags=tags)
        assert result.success
    events = pl.from_arrow(Lake(lake_root).read("log_events"))
    mine = events.filter(pl.col("message").str.contains(marker))
    assert mine.height == 4
    assert set(mine["service"]) == {"kafka-e2e"}
    assert set(mine["stream"]) == {"stdout", "stderr"}
    assert mine["container_id"][0] == kafka.id
