import dagster as dg

# The first hour logadapt may process. Every hour since is a partition in the UI and the backfill
# modal, so keep it as late as you need (LOGADAPT_START_DATE, format YYYY-MM-DD-HH:MM, UTC).
DEFAULT_START_DATE = "2026-11-01-00:00"


def hourly_partitions(start_date: str = DEFAULT_START_DATE) -> dg.HourlyPartitionsDefinition:
    """UTC hours. end_offset=1 makes the hour in progress a partition too, so the container
    sensor can process a broker's death within minutes; the schedule re-runs it once closed."""
    return dg.HourlyPartitionsDefinition(start_date=start_date, timezone="UTC", end_offset=1)
