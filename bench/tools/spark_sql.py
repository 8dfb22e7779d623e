"""PySpark baseline on local[2]: spark.read.json + regexp_extract + partitionBy, zstd Parquet.

Run whole, JVM start-up included: that is what a user waits for.
"""

from pyspark.sql import functions as F

from bench.tools.common import (
    COLUMNS,
    LEADING_TIME,
    OUTPUT_COLUMNS,
    PARTITIONS,
    args,
    container_map,
    local_spark,
    log_files,
)

CASTS = {"str": "string", "int": "int", "float": "double"}


def column(name: str, patterns: list[str], cast: str):
    log = F.col("log")
    tries = [F.nullif(F.regexp_extract(log, p, 1), F.lit("")) for p in patterns]
    expr = F.coalesce(*tries) if len(tries) > 1 else tries[0]
    expr = F.upper(expr) if cast == "upper" else expr.try_cast(CASTS[cast])
    return expr.alias(name)


def main() -> None:
    a = args()
    spark = local_spark("logadapt-bench", {"spark.sql.parquet.compression.codec": "zstd"})
    mapping = container_map(a.roots)
    ctr = spark.createDataFrame(
        [(k, s, n) for k, (s, n) in mapping.items()], "cid string, service string, container string"
    )
    files = [str(f) for f in log_files(a.roots)]
    raw = spark.read.schema("log string, stream string, time string").json(files)
    observed = F.to_timestamp("time")
    lead = F.regexp_replace(F.regexp_extract("log", LEADING_TIME, 1), "T", " ")
    df = (
        raw.withColumn("log", F.regexp_replace("log", "\n$", ""))
        .withColumn("observed_at", observed)
        .withColumn("cid", F.element_at(F.split(F.input_file_name(), "/"), -2))
        .join(F.broadcast(ctr), "cid", "left")
        .select(
            F.coalesce(F.try_to_timestamp(F.nullif(lead, F.lit(""))), "observed_at").alias(
                "timestamp"
            ),
            "observed_at",
            "stream",
            "container",
            "service",
            F.date_format("observed_at", "yyyy-MM-dd").alias("date"),
            F.date_format("observed_at", "HH").alias("hour"),
            *[column(n, p, c) for n, (p, c) in COLUMNS.items()],
        )
        .select(OUTPUT_COLUMNS + PARTITIONS)
    )
    df.write.mode("overwrite").partitionBy(*PARTITIONS).parquet(a.out)
    spark.stop()


if __name__ == "__main__":
    main()
