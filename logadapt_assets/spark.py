"""Scale-out on Apache Spark: the same core stages, one task per group of service-hours.

Records never span an hour and event ids only count within one capture time, so every
service-hour of a stage's input can be processed on its own. The driver lists the input
partitions of the window; `mapInArrow` hands each task a batch of them; the task runs the pure
`run_stage` on exactly those keys and writes their output files itself, atomically, through the
same lake writer (one task owns each service-hour, so no two tasks write the same file). The
driver then removes output partitions of the window that no longer have input.

`spark.master` / Spark Connect come from the session you pass in (e.g. `local[2]`,
`spark://host:7077`, `sc://host`). Needs the `spark` extra (pyspark).
"""

from datetime import datetime

import polars as pl
import pyarrow as pa

from logadapt_assets.catalog import ServiceCatalog
from logadapt_assets.lake import Lake, PartitionKey
from logadapt_assets.pipeline import STAGES, run_stage

WRITTEN = pa.schema(
    [
        ("dataset", pa.string()),
        ("service", pa.string()),
        ("date", pa.string()),
        ("hour", pa.string()),
        ("rows", pa.int64()),
        ("bytes", pa.int64()),
    ]
)
WRITTEN_DDL = "dataset string, service string, date string, hour string, rows long, bytes long"


def spark_run_stage(
    spark,
    lake_root: str,
    input_stage: str,
    since: datetime,
    until: datetime,
    catalog_path: str | None = None,
    parallelism: int | None = None,
) -> pl.DataFrame:
    """Run the stage after `input_stage` for [since, until) on Spark; returns what was written."""
    lake = Lake(lake_root)
    output = STAGES[STAGES.index(input_stage) + 1]
    keys = lake.partitions_in(input_stage, since, until)
    if keys:
        slices = parallelism or spark.sparkContext.defaultParallelism
        rows = [(k.service, k.date, k.hour) for k in keys]
        frame = spark.createDataFrame(rows, "service string, date string, hour string")
        frame = frame.repartition(min(slices, len(keys)))

        def task(batches):
            catalog = ServiceCatalog.load(catalog_path)
            task_lake = Lake(lake_root)
            for batch in batches:
                task_keys = [PartitionKey(**row) for row in batch.to_pylist()]
                if task_keys:
                    report = run_stage(task_lake, input_stage, since, until, catalog, task_keys)
                    yield pa.RecordBatch.from_pylist(
                        [
                            {
                                "dataset": w.dataset,
                                "service": w.key.service,
                                "date": w.key.date,
                                "hour": w.key.hour,
                                "rows": w.rows,
                                "bytes": w.bytes,
                            }
                            for w in report.written
                        ],
                        schema=WRITTEN,
                    )

        written = pl.from_arrow(frame.mapInArrow(task, WRITTEN_DDL).toArrow())
    else:
        written = pl.from_arrow(WRITTEN.empty_table())
    produced = {(r["service"], r["date"], r["hour"]) for r in written.iter_rows(named=True)}
    for key in lake.partitions_in(output, since, until):
        if (key.service, key.date, key.hour) not in produced:
            lake.remove_partition(output, key)
    return written.sort("service", "date", "hour")
