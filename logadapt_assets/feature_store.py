"""The lake side of the feature store: read log_events for a window (plus the look-back the
features need), compute features / anomalies / templates with the pure functions, and write
them back, replacing exactly the window's partitions."""

from datetime import datetime, timedelta

import polars as pl
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from logadapt_assets.anomalies import detect_anomalies
from logadapt_assets.conform import to_contract
from logadapt_assets.features import compute_features, partition_tables
from logadapt_assets.lake import PART_FILE, Lake, PartitionKey, WrittenFile
from logadapt_assets.pipeline import LOG_EVENTS
from logadapt_assets.schema import Contract, load_contract
from logadapt_assets.templates_table import hourly_templates, merge_templates

ANOMALY_FEATURES = "anomaly_features"
ANOMALIES = "anomalies"
LOG_TEMPLATES = "log_templates"
FEATURE_LOOKBACK = timedelta(hours=25)  # 24 h rolling baselines + the window itself
ANOMALY_HISTORY = timedelta(days=4)  # trailing 24 h baseline, hour-of-day once 3 days exist


def read_dataset(lake: Lake, dataset: str, start: datetime, end: datetime) -> pl.DataFrame:
    """Rows of `dataset` in the service-hours [start, end), with the `service` column."""
    table = lake.read(dataset, lake.partitions_in(dataset, start, end))
    if table.num_columns == 0:
        return pl.DataFrame()
    return pl.from_arrow(table).drop("date", "hour")


def _replace_window(
    lake: Lake,
    dataset: str,
    contract: Contract,
    frame: pl.DataFrame,
    start: datetime,
    end: datetime,
) -> list[WrittenFile]:
    written = []
    keys: set[PartitionKey] = set()
    if frame.height:
        in_window = frame.filter(pl.col("window_start").is_between(start, end, closed="left"))
        for key, table in partition_tables(in_window, contract):
            written.append(lake.write_partition(dataset, contract, key, table))
            keys.add(key)
    for key in lake.partitions_in(dataset, start, end):
        if key not in keys:
            lake.remove_partition(dataset, key)
    return written


def materialize_features(
    lake: Lake, start: datetime, end: datetime
) -> tuple[pl.DataFrame, list[WrittenFile]]:
    """Features of the windows in [start, end); point-in-time: only events up to each window's
    end are read, including the look-back into earlier hours."""
    events = read_dataset(lake, LOG_EVENTS, start - FEATURE_LOOKBACK, end)
    if events.is_empty():
        return pl.DataFrame(), _replace_window(
            lake, ANOMALY_FEATURES, _c("anomaly_feature"), pl.DataFrame(), start, end
        )
    features = compute_features(events, start, end)
    return features, _replace_window(
        lake, ANOMALY_FEATURES, _c("anomaly_feature"), features, start, end
    )


def materialize_anomalies(
    lake: Lake, start: datetime, end: datetime
) -> tuple[pl.DataFrame, list[WrittenFile]]:
    """Scores of the windows in [start, end) against the entity's own trailing history."""
    features = read_dataset(lake, ANOMALY_FEATURES, start - ANOMALY_HISTORY, end)
    if features.is_empty():
        return pl.DataFrame(), _replace_window(
            lake, ANOMALIES, _c("anomaly"), pl.DataFrame(), start, end
        )
    scored = detect_anomalies(features, start, end)
    return scored, _replace_window(lake, ANOMALIES, _c("anomaly"), scored, start, end)


def materialize_templates(lake: Lake, start: datetime, end: datetime) -> pl.DataFrame:
    """Merge the window's template counts into `log_templates/part-0.parquet` (one table: the
    window's service-hours replace their earlier counts, so re-runs never double count)."""
    events = read_dataset(lake, LOG_EVENTS, start, end)
    path = f"{lake.dataset_path(LOG_TEMPLATES)}/{PART_FILE}"
    existing = None
    if lake.fs.get_file_info(path).type == pafs.FileType.File:
        with lake.fs.open_input_file(path) as f:
            existing = pl.read_parquet(f)
    if events.is_empty():
        return existing if existing is not None else pl.DataFrame()
    table = merge_templates(existing, hourly_templates(events))
    contract = _c("log_template")
    lake.fs.create_dir(lake.dataset_path(LOG_TEMPLATES), recursive=True)
    tmp = f"{path}.tmp"
    with lake.fs.open_output_stream(tmp) as sink:
        pq.write_table(to_contract(table, contract), sink, compression="zstd")
    lake.fs.move(tmp, path)
    return table


def _c(name: str) -> Contract:
    return load_contract(name)
