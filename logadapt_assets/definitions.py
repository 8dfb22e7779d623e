"""The one Dagster entry point (workspace.yaml loads `defs`)."""

import os

import dagster as dg

from logadapt_assets.defs.assets import build_assets
from logadapt_assets.defs.partitions import DEFAULT_START_DATE, hourly_partitions
from logadapt_assets.defs.resources import CatalogResource, LakeResource, LogSourceResource
from logadapt_assets.defs.schedules import build_hourly_schedule
from logadapt_assets.defs.sensors import build_container_sensor

JOB_NAME = "hourly_logs"


def build_definitions(
    start_date: str = DEFAULT_START_DATE,
    lake_root: str = "data/lake",
    source: str = "auto",
    catalog_path: str | None = None,
) -> dg.Definitions:
    """The whole code location; tests build it with their own lake and source."""
    partitions = hourly_partitions(start_date)
    assets = build_assets(partitions)
    job = dg.define_asset_job(
        JOB_NAME,
        selection=dg.AssetSelection.assets(*assets),
        description="Every stage of one or more hours, in one pass.",
    )
    return dg.Definitions(
        assets=assets,
        jobs=[job],
        schedules=[build_hourly_schedule(JOB_NAME, partitions)],
        sensors=[
            build_container_sensor(JOB_NAME, partitions),
        ],
        resources={
            "lake": LakeResource(root=lake_root),
            "log_source": LogSourceResource(spec=source),
            "catalog": CatalogResource(path=catalog_path),
        },
    )


@dg.definitions
def defs() -> dg.Definitions:
    """Configuration comes from the environment when the code location loads, never at import."""
    env = os.environ
    return build_definitions(
        start_date=env.get("LOGADAPT_START_DATE", DEFAULT_START_DATE),
        lake_root=env.get("LOGADAPT_LAKE_ROOT", "data/lake"),
        source=env.get("LOGADAPT_SOURCE", "auto"),
        catalog_path=env.get("LOGADAPT_CATALOG"),
    )
