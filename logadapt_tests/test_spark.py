"""The Spark scale-out path on local[2]: the same core stage, split by service-hour."""

import os
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest

from logadapt_assets.generate import generate
from logadapt_assets.inventory import save_inventory
from logadapt_assets.lake import Lake
from logadapt_assets.pipeline import (
    ENRICHED_EVENTS,
    LOG_EVENTS,
    PARSED_EVENTS,
    RAW_LOGS,
    Converter,
    run_stage,
)
from logadapt_assets.sources.open import open_source
from logadapt_assets.spark import spark_run_stage

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def spark():
    from pyspark.sql import SparkSession

    os.environ["PYSPARK_PYTHON"] = sys.executable  # workers run this interpreter

    session = (
        SparkSession.builder.master("local[2]")
        .appName("logadapt-test")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", "4")
        .config("spark.executorEnv.PYTHONPATH", str(Path(__file__).resolve().parents[1]))
        .getOrCreate()
    )
    yield session
    session.stop()


@pytest.mark.spark
def test_spark_stages_write_the_same_lake_as_the_local_run(spark, tmp_path):
    generate(tmp_path / "src", hours=2, seed=3, start=START, scale=0.05)
    end = START + timedelta(hours=2)
    lakes = {}
    for name in ("local", "spark"):
        lake = Lake(str(tmp_path / name))
        with open_source(str(tmp_path / "src" / "containers")) as source:
            Converter(lake, since=START, until=end, outputs=[RAW_LOGS]).process_all(
                source.read(START, end)
            )
            save_inventory(lake, source.containers())
        lakes[name] = lake
    for stage in (RAW_LOGS, PARSED_EVENTS, ENRICHED_EVENTS):
        run_stage(lakes["local"], stage, START, end)
        written = spark_run_stage(spark, lakes["spark"].root, stage, START, end)
        assert written.height == len(
            lakes["spark"].partitions_in(
                {
                    RAW_LOGS: PARSED_EVENTS,
                    PARSED_EVENTS: ENRICHED_EVENTS,
                    ENRICHED_EVENTS: LOG_EVENTS,
                }[stage],
                START,
                end,
            )
        )
    a = pl.from_arrow(lakes["local"].read(LOG_EVENTS)).sort("event_id")
    b = pl.from_arrow(lakes["spark"].read(LOG_EVENTS)).sort("event_id")
    assert a.height > 1000 and a.equals(b)
