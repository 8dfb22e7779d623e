"""Data-quality evidence read from the lake itself: schema drift of the files written, record
conservation between capture and events, and the parse-ok share. The Dagster checks report these;
they are plain functions so the CLI and tests use them too."""

from dataclasses import dataclass, field

import polars as pl
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from logadapt_assets.lake import Lake, PartitionKey
from logadapt_assets.schema import METADATA_NAME, METADATA_VERSION, Contract, schema_diff


@dataclass
class DriftReport:
    files: int = 0
    drifted: dict[str, dict] = field(default_factory=dict)  # file path -> schema_diff + meta

    @property
    def passed(self) -> bool:
        return not self.drifted

    def markdown(self) -> str:
        if self.passed:
            return f"{self.files} files match the contract."
        lines = [f"**{len(self.drifted)} of {self.files} files drifted from the contract**", ""]
        for path, diff in sorted(self.drifted.items()):
            lines.append(f"- `{path}`")
            for kind, items in diff.items():
                if items:
                    lines.append(f"  - {kind}: {items}")
        return "\n".join(lines)


def drift_report(
    lake: Lake, dataset: str, keys: list[PartitionKey], contract: Contract
) -> DriftReport:
    """Compare every Parquet file under the given partitions with the contract."""
    report = DriftReport()
    for key in keys:
        directory = lake.partition_dir(dataset, key)
        infos = lake.fs.get_file_info(pafs.FileSelector(directory, allow_not_found=True))
        for info in infos:
            if info.type != pafs.FileType.File or not info.base_name.endswith(".parquet"):
                continue
            report.files += 1
            with lake.fs.open_input_file(info.path) as f:
                schema = pq.read_schema(f)
            diff = {k: v for k, v in schema_diff(contract.arrow, schema).items() if v}
            meta = schema.metadata or {}
            found = (
                meta.get(METADATA_NAME, b"").decode(),
                meta.get(METADATA_VERSION, b"").decode(),
            )
            if found != (contract.name, contract.version):
                diff["schema_metadata"] = [
                    {"expected": [contract.name, contract.version], "actual": list(found)}
                ]
            if diff:
                report.drifted[info.path] = diff
    return report


def _counts(lake: Lake, dataset: str, keys: list[PartitionKey], expr: pl.Expr) -> pl.DataFrame:
    files = [
        p for p in lake.files(dataset, keys) if lake.fs.get_file_info(p).type == pafs.FileType.File
    ]
    if not files:
        return pl.DataFrame(
            schema={"container_id": pl.String, "hour": pl.Datetime("ns", "UTC"), "n": pl.Int64}
        )
    frames = []
    for path in files:
        with lake.fs.open_input_file(path) as f:
            frames.append(
                pl.read_parquet(f, columns=["container_id", "observed_at", *expr.meta.root_names()])
            )
    df = pl.concat(frames, how="vertical_relaxed")
    return df.group_by("container_id", pl.col("observed_at").dt.truncate("1h").alias("hour")).agg(
        expr.cast(pl.Int64).alias("n")
    )


def conservation_report(lake: Lake, keys_by_dataset: dict[str, list[PartitionKey]]) -> pl.DataFrame:
    """Per container and hour: lines captured (raw_logs) vs lines in events (sum of line_count in
    log_events). Rows where they differ are violations."""
    lines = _counts(lake, "raw_logs", keys_by_dataset.get("raw_logs", []), pl.len())
    events = _counts(
        lake, "log_events", keys_by_dataset.get("log_events", []), pl.col("line_count").sum()
    )
    joined = lines.join(
        events, on=["container_id", "hour"], how="full", coalesce=True, suffix="_events"
    )
    return (
        joined.select(
            "container_id",
            "hour",
            pl.col("n").fill_null(0).alias("lines_captured"),
            pl.col("n_events").fill_null(0).alias("lines_in_events"),
        )
        .with_columns(ok=pl.col("lines_captured") == pl.col("lines_in_events"))
        .sort("hour", "container_id")
    )


def ok_share_by_service(
    lake: Lake, keys: list[PartitionKey], min_events: int = 0
) -> dict[str, float]:
    """Share of events with parse_status = ok, per service with at least `min_events` events, in
    the given log_events partitions."""
    shares: dict[str, list[int]] = {}
    for key in keys:
        path = f"{lake.partition_dir('log_events', key)}/part-0.parquet"
        if lake.fs.get_file_info(path).type != pafs.FileType.File:
            continue
        with lake.fs.open_input_file(path) as f:
            status = pl.read_parquet(f, columns=["parse_status"])["parse_status"]
        acc = shares.setdefault(key.service, [0, 0])
        acc[0] += int((status == "ok").sum())
        acc[1] += len(status)
    return {s: ok / n for s, (ok, n) in sorted(shares.items()) if n and n >= min_events}
