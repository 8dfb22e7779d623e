"""Spark side of the query benchmark: `python -m bench.query_spark LAKE DATE HOUR REPEATS OUT`.

One local[2] session (its start-up timed apart), the same three questions as bench.query, the
bytes each read from Spark's stage input metrics (the status store, no UI needed).
"""

import json
import statistics
import sys
import time

from pyspark.sql import SparkSession
from pyspark.sql import functions as F

from bench.query import PARTITION, SERVICE, TOPIC, partition_dir
from bench.tools.common import local_spark


def input_bytes(spark: SparkSession) -> int:
    """Bytes read by every stage so far (monotonic: the caller takes differences)."""
    sc = spark.sparkContext
    jvm, gw = sc._jvm, sc._gateway
    empty = jvm.java.util.ArrayList
    quantiles = gw.new_array(jvm.double, 0)
    stages = sc._jsc.sc().statusStore().stageList(empty(), False, False, quantiles, empty())
    return sum(stages.apply(i).inputBytes() for i in range(stages.size()))


def main() -> None:
    lake, date, hour, repeats, out = sys.argv[1:6]
    t0 = time.perf_counter()
    spark = local_spark(
        "logadapt-bench-queries",
        {
            "spark.sql.sources.partitionColumnTypeInference.enabled": "false",
            # observed_at is timestamp[ns] (schema v1); Spark reads Parquet NANOS only as longs
            "spark.sql.legacy.parquet.nanosAsLong": "true",
        },
    )
    startup = time.perf_counter() - t0

    def events():
        return spark.read.parquet(f"{lake}/log_events")

    def errors_by_component(frame):
        return (
            frame.where(F.col("severity") == "ERROR")
            .groupBy("component")
            .agg(F.count("*").alias("n"))
            .orderBy(F.desc("n"), "component")
        )

    one_hour = (F.col("service") == SERVICE) & (F.col("date") == date) & (F.col("hour") == hour)
    queries = {
        "q1_hour_service": lambda: errors_by_component(events().where(one_hour)),
        "q1_hour_dir": lambda: errors_by_component(
            spark.read.parquet(partition_dir(lake, date, hour))
        ),
        "q2_topic_day": lambda: (
            events()
            .where(
                (F.col("date") == date)
                & (F.col("topic") == TOPIC)
                & (F.col("partition") == PARTITION)
            )
            .select("timestamp", "service", "message")
            .orderBy("timestamp")
        ),
        "q3_full_scan": lambda: (
            events()
            .groupBy("service", "date")
            .agg(
                F.count("*").alias("events"),
                F.count(F.when(F.col("severity") == "ERROR", 1)).alias("errors"),
            )
            .orderBy("service", "date")
        ),
    }
    result = {"startup_s": startup}
    for name, q in queries.items():
        times, rows, read = [], 0, 0
        for _ in range(int(repeats)):
            before = input_bytes(spark)
            t = time.perf_counter()
            rows = len(q().collect())
            times.append(time.perf_counter() - t)
            read = max(read, input_bytes(spark) - before)
        result[name] = {"seconds": statistics.median(times), "rows": rows, "bytes_read": read}
    spark.stop()
    with open(out, "w") as fh:
        json.dump(result, fh)


if __name__ == "__main__":
    main()
