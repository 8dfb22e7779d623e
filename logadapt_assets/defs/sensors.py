import json
from datetime import UTC, datetime

import dagster as dg

from logadapt_assets.container_state import changes, snapshot
from logadapt_assets.defs.resources import LogSourceResource

CURSOR_VERSION = 1


def build_container_sensor(
    job_name: str, partitions: dg.HourlyPartitionsDefinition
) -> dg.SensorDefinition:
    """Re-process the hour in which a container started, died, was OOM-killed, restarted or
    changed health, so a broker's death shows in the lake within a tick, not at the next hour."""

    @dg.sensor(
        job_name=job_name,
        minimum_interval_seconds=30,
        default_status=dg.DefaultSensorStatus.RUNNING,
        description="Runs the affected hour when a container's state changes.",
    )
    def container_state_sensor(
        context: dg.SensorEvaluationContext, log_source: LogSourceResource
    ) -> dg.SensorResult | dg.SkipReason:
        docs = log_source.container_docs()
        if docs is None:
            return dg.SkipReason("Docker engine unreachable: nothing to watch this tick.")
        current = snapshot(docs)
        cursor = json.loads(context.cursor) if context.cursor else None
        new_cursor = json.dumps({"v": CURSOR_VERSION, "containers": current}, sort_keys=True)
        if not cursor or cursor.get("v") != CURSOR_VERSION:
            # first tick: take a baseline instead of launching a run for every container
            return dg.SensorResult(
                skip_reason=dg.SkipReason(f"Baseline of {len(current)} containers recorded."),
                cursor=new_cursor,
            )
        now = datetime.now(UTC)
        found = [c for c in changes(cursor["containers"], current, now) if c.kind != "gone"]
        if not found:
            return dg.SensorResult(
                skip_reason=dg.SkipReason(f"No container state change among {len(current)}."),
                cursor=new_cursor,
            )
        valid = set(partitions.get_partition_keys(current_time=now))
        requests: dict[str, dg.RunRequest] = {}
        for change in found:
            hour = partitions.get_partition_key_for_timestamp(change.at.timestamp())
            if hour not in valid or hour in requests:
                continue
            requests[hour] = dg.RunRequest(
                run_key=f"{change.container_id[:12]}:{change.kind}:{change.state}",
                partition_key=hour,
                tags={"logadapt/trigger": f"{change.name}:{change.kind}"},
            )
        context.log.info("container changes: %s", ", ".join(f"{c.name}:{c.kind}" for c in found))
        return dg.SensorResult(run_requests=list(requests.values()), cursor=new_cursor)

    return container_state_sensor
