from datetime import timedelta

import dagster as dg

MINUTE_OF_HOUR = 7  # late lines of hour H (Docker's buffers, slow writers) land before H runs


def build_hourly_schedule(
    job_name: str, partitions: dg.HourlyPartitionsDefinition
) -> dg.ScheduleDefinition:
    """A few minutes past every hour, process the hour that just closed."""

    @dg.schedule(
        job_name=job_name,
        cron_schedule=f"{MINUTE_OF_HOUR} * * * *",
        execution_timezone="UTC",
        default_status=dg.DefaultScheduleStatus.RUNNING,
        description="Processes the hour that just closed, a few minutes past the hour.",
    )
    def hourly_logs_schedule(context: dg.ScheduleEvaluationContext) -> dg.RunRequest:
        closed = context.scheduled_execution_time - timedelta(hours=1)
        key = partitions.get_partition_key_for_timestamp(closed.timestamp())
        return dg.RunRequest(run_key=key, partition_key=key)

    return hourly_logs_schedule
