import os
import subprocess
import sys
from datetime import UTC, datetime
from pathlib import Path

import dagster as dg

from logadapt_assets.definitions import JOB_NAME, build_definitions, defs

ROOT = Path(__file__).resolve().parents[2]


def test_dagster_definitions_validate_on_the_workspace(tmp_path):
    env = {**os.environ, "DAGSTER_HOME": str(tmp_path)}
    proc = subprocess.run(
        [
            str(Path(sys.executable).parent / "dagster"),
            "definitions",
            "validate",
            "-w",
            "workspace.yaml",
        ],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr


def test_the_entry_point_loads():
    assert dg.Definitions.validate_loadable(defs()) is None


def test_asset_graph_keys_deps_partitions_and_checks():
    d = build_definitions(start_date="2026-11-01-00:00", lake_root="/nonexistent")
    graph = d.resolve_asset_graph()
    keys = {k.to_user_string() for k in graph.get_all_asset_keys()}
    assert keys == {
        "raw_logs",
        "parsed_events",
        "enriched_events",
        "log_events",
        "anomaly_features",
        "log_templates",
        "anomalies",
    }
    deps = {
        k.to_user_string(): sorted(p.to_user_string() for p in graph.get(k).parent_keys)
        for k in graph.get_all_asset_keys()
    }
    assert deps == {
        "raw_logs": [],
        "parsed_events": ["raw_logs"],
        "enriched_events": ["parsed_events"],
        "log_events": ["enriched_events"],
        "anomaly_features": ["log_events"],
        "log_templates": ["log_events"],
        "anomalies": ["anomaly_features"],
    }
    for key in graph.get_all_asset_keys():
        node = graph.get(key)
        assert isinstance(node.partitions_def, dg.HourlyPartitionsDefinition)
        assert node.partitions_def.timezone == "UTC"
        assert node.backfill_policy == dg.BackfillPolicy.single_run()
    checks = {(c.asset_key.to_user_string(), c.name) for c in graph.asset_check_keys}
    assert {
        ("log_events", "schema_contract"),
        ("log_events", "record_conservation"),
        ("log_events", "parse_ok_share"),
        ("anomalies", "no_anomalies"),
    } == checks
    policy = graph.get(dg.AssetKey("log_events")).freshness_policy
    assert policy is not None and policy.deadline_cron == "20 * * * *"
    assert d.resolve_job_def(JOB_NAME) is not None
    schedule = d.resolve_schedule_def("hourly_logs_schedule")
    assert schedule.cron_schedule == "7 * * * *"
    assert d.resolve_sensor_def("container_state_sensor") is not None


def test_schedule_processes_the_hour_that_just_closed():
    d = build_definitions(start_date="2026-11-01-00:00", lake_root="/nonexistent")
    schedule = d.resolve_schedule_def("hourly_logs_schedule")
    ctx = dg.build_schedule_context(
        scheduled_execution_time=datetime(2026, 11, 27, 10, 7, tzinfo=UTC),
        repository_def=d.get_repository_def(),
    )
    request = schedule.evaluate_tick(ctx).run_requests[0]
    assert request.partition_key == "2026-11-27-09:00"
