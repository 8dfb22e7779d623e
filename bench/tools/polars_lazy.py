"""Polars baseline: scan_ndjson + str.extract per column, written as hive partitions."""

import polars as pl

from bench.tools.common import (
    COLUMNS,
    LEADING_TIME,
    OUTPUT_COLUMNS,
    PARTITIONS,
    args,
    container_map,
    log_files,
)

SCHEMA = {"log": pl.String, "stream": pl.String, "time": pl.String}
CASTS = {"str": pl.String, "int": pl.Int32, "float": pl.Float64}


def column(name: str, patterns: list[str], cast: str) -> pl.Expr:
    log = pl.col("log")
    expr = pl.coalesce([log.str.extract(p, 1).replace("", None) for p in patterns])
    expr = expr.str.to_uppercase() if cast == "upper" else expr.cast(CASTS[cast], strict=False)
    return expr.alias(name)


def main() -> None:
    a = args()
    mapping = container_map(a.roots)
    ctr = pl.LazyFrame(
        {
            "cid": list(mapping),
            "service": [s for s, _ in mapping.values()],
            "container": [n for _, n in mapping.values()],
        }
    )
    frames = [
        pl.scan_ndjson(f, schema=SCHEMA).with_columns(cid=pl.lit(f.parent.name))
        for f in log_files(a.roots)
    ]
    observed = pl.col("time").str.to_datetime("%Y-%m-%dT%H:%M:%S%.fZ", time_zone="UTC")
    lead = pl.col("log").str.extract(LEADING_TIME, 1).str.replace("T", " ")
    lazy = (
        pl.concat(frames)
        .with_columns(pl.col("log").str.strip_suffix("\n"), observed_at=observed)
        .join(ctr, on="cid", how="left")
        .select(
            pl.coalesce(
                lead.str.to_datetime("%Y-%m-%d %H:%M:%S", time_zone="UTC", strict=False),
                pl.col("observed_at"),
            ).alias("timestamp"),
            "observed_at",
            "stream",
            "container",
            "service",
            pl.col("observed_at").dt.strftime("%Y-%m-%d").alias("date"),
            pl.col("observed_at").dt.strftime("%H").alias("hour"),
            *[column(n, p, c) for n, (p, c) in COLUMNS.items()],
        )
        .select(OUTPUT_COLUMNS + PARTITIONS)
    )
    lazy.sink_parquet(
        pl.PartitionBy(a.out, key=PARTITIONS, include_key=False),
        compression="zstd",
        mkdir=True,
    )


if __name__ == "__main__":
    main()
