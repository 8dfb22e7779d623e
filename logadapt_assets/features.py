"""Anomaly features per entity and time window: the `anomaly_feature` feature-store table.

Every event counts once for each entity it names (its service, container, broker,
topic-partition, consumer group, database). A window's row is point-in-time correct: it uses only
events with timestamp < window_end, looking back at most `lookback` (template novelty, time since
the last event/error) or the rolling spans (means and z-scores), so re-computing any window from
any range that covers it gives the same row, and a later event never changes an earlier window.
Which event types make which count columns is data (rules/features.yaml).
"""

import re
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path

import polars as pl
import pyarrow as pa
import yaml

from logadapt_assets.conform import to_contract
from logadapt_assets.lake import PartitionKey
from logadapt_assets.schema import Contract, load_contract

RULES_PATH = Path(__file__).resolve().parent / "rules" / "features.yaml"
KEYS = ["service", "entity_type", "entity_id"]
# The finest entity grain: an event names at most one of each.
FINE = [
    "service",
    "container_name",
    "container_id",
    "broker_id",
    "topic",
    "partition",
    "consumer_group",
    "db_name",
]
TS = pl.Datetime("us", "UTC")
_SEED = 20260301  # fixed hash seed: grouping ids are reproducible within a polars version
_DURATION = re.compile(r"(\d+)\s*(s|m|h|d)")
_UNIT = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days"}
_ENTITY_SOURCES = {
    "container": ["container_name", "container_id"],
    "broker": ["broker_id"],
    "topic_partition": ["topic", "partition"],
    "consumer_group": ["consumer_group"],
    "database": ["db_name"],
}
_OPTIONAL = {
    "template_id": pl.String,
    "error_class": pl.String,
    "duration_ms": pl.Float64,
    "container_id": pl.String,
    "container_name": pl.String,
    "broker_id": pl.Int32,
    "topic": pl.String,
    "partition": pl.Int32,
    "consumer_group": pl.String,
    "db_name": pl.String,
    "severity": pl.String,
}


@cache
def load_rules(path: Path = RULES_PATH) -> dict:
    """The feature/detection rule table (cached; pass another path to experiment)."""
    return yaml.safe_load(Path(path).read_text())


def parse_duration(text: str) -> timedelta:
    """'1m', '1h', '24h', '7d' -> timedelta (the window spelling of the rules and contracts)."""
    m = _DURATION.fullmatch(str(text).strip())
    if not m:
        raise ValueError(f"not a duration: {text!r} (use e.g. 1m, 1h, 24h, 7d)")
    return timedelta(**{_UNIT[m.group(2)]: int(m.group(1))})


def utc(ts: datetime) -> datetime:
    """A timezone-aware UTC datetime (naive input is taken as UTC)."""
    return ts.replace(tzinfo=UTC) if ts.tzinfo is None else ts.astimezone(UTC)


def floor_time(ts: datetime, step: timedelta) -> datetime:
    """Floor to a multiple of `step` since the epoch (what dt.truncate does for fixed sizes)."""
    epoch = datetime(1970, 1, 1, tzinfo=UTC)
    return epoch + ((utc(ts) - epoch) // step) * step


def event_type_matcher(spec: dict) -> pl.Expr:
    """Boolean: event_type is one of `types`, or starts/ends with one of `prefixes`/`suffixes`."""
    et = pl.col("event_type")
    cond = et.is_in(list(spec.get("types", [])))
    for prefix in spec.get("prefixes", []):
        cond = cond | et.str.starts_with(prefix)
    for suffix in spec.get("suffixes", []):
        cond = cond | et.str.ends_with(suffix)
    return cond.fill_null(False)


def _entity_id(entity_type: str) -> pl.Expr:
    if entity_type == "service":
        return pl.col("service")
    if entity_type == "container":
        return pl.coalesce(pl.col("container_name"), pl.col("container_id"))
    if entity_type == "broker":
        return pl.col("broker_id").cast(pl.String)
    if entity_type == "topic_partition":
        return (
            pl.when(pl.col("partition").is_not_null())
            .then(pl.col("topic") + pl.lit("-") + pl.col("partition").cast(pl.String))
            .otherwise(pl.col("topic"))
        )
    source = _ENTITY_SOURCES.get(entity_type)
    if source is None:
        raise ValueError(f"unknown entity type {entity_type!r}")
    return pl.col(source[0])


def _base(
    events: pl.LazyFrame | pl.DataFrame, lo: datetime, hi: datetime, rules: dict
) -> pl.DataFrame:
    """The columns features need, events with lo <= timestamp < hi, timestamps as UTC.

    `_fid` numbers the finest entity grain (one container/broker/topic-partition/group/database
    combination) with a 64-bit hash: ~5x cheaper than an exact dictionary join, only used to group
    and join within one call (never output), and with thousands of grains the chance that two
    collide is ~1e-13.
    """
    lf = events.lazy()
    schema = lf.collect_schema()
    missing = [pl.lit(None, dtype).alias(n) for n, dtype in _OPTIONAL.items() if n not in schema]
    if missing:
        lf = lf.with_columns(missing)
    ts = pl.col("timestamp")
    if isinstance(schema.get("timestamp"), pl.Datetime) and schema["timestamp"].time_zone is None:
        ts = ts.dt.replace_time_zone("UTC")
    return (
        lf.with_columns(ts.dt.convert_time_zone("UTC").cast(TS).alias("timestamp"))
        .filter((pl.col("timestamp") >= lo) & (pl.col("timestamp") < hi))
        .filter(pl.col("service").is_not_null())
        .select(
            pl.col("service").cast(pl.String),
            "timestamp",
            pl.col("severity").cast(pl.String),
            pl.col("event_type").cast(pl.String),
            pl.col("template_id").cast(pl.String),
            pl.col("error_class").cast(pl.String),
            # only the event types whose duration means latency (not a session's length)
            pl.when(event_type_matcher(rules["duration_event_types"]))
            .then(pl.col("duration_ms").cast(pl.Float64))
            .alias("duration_ms"),
            *[pl.col(c).cast(_OPTIONAL[c]) for c in FINE[1:]],
        )
        .with_columns(pl.struct(FINE).hash(_SEED).alias("_fid"))
        .collect()
    )


def _entity_map(base: pl.DataFrame, entity_types: list[str]) -> pl.DataFrame:
    """(_fid -> _eid, service, entity_type, entity_id): every entity a fine grain names."""
    fine = base.group_by("_fid").agg(pl.col(FINE).first())
    parts = [
        fine.lazy()
        .select(
            "_fid",
            "service",
            pl.lit(entity_type).alias("entity_type"),
            _entity_id(entity_type).cast(pl.String).alias("entity_id"),
        )
        .filter(pl.col("entity_id").is_not_null() & (pl.col("entity_id") != ""))
        for entity_type in entity_types
    ]
    return pl.concat(parts).with_columns(pl.struct(KEYS).hash(_SEED).alias("_eid")).collect()


def compute_features(
    events: pl.LazyFrame | pl.DataFrame,
    window_start: datetime,
    window_end: datetime,
    lookback: timedelta = timedelta(hours=24),
    windows: Sequence[str] | None = None,
    rules: dict | None = None,
) -> pl.DataFrame:
    """Feature rows for windows starting in [window_start, window_end), every entity active in
    the look-back before the window's end.

    `events` must cover [window_start - max(lookback, longest rolling span), window_end); more
    is fine (it is filtered), less gives the same result as a lake that holds less. Columns: the
    anomaly_feature contract plus `service` (the partition column).
    """
    rules = rules or load_rules()
    spans = {name: parse_duration(s) for name, s in rules["rolling"].items()}
    history = max([lookback, *spans.values()])
    start, end = utc(window_start), utc(window_end)
    frames = []
    for window in windows or rules["windows"]:
        step = parse_duration(window)
        first = floor_time(start, step)
        last_end = floor_time(end - timedelta(microseconds=1), step) + step
        grid_start = floor_time(first - history, step)
        base = _base(events, grid_start, last_end, rules)
        frames.append(
            _window_features(base, window, step, first, end, grid_start, lookback, spans, rules)
        )
    contract = load_contract("anomaly_feature")
    columns = ["service", *contract.arrow.names]
    return pl.concat([f.select(columns) for f in frames]).sort(
        ["window_start", "window", "service", "entity_type", "entity_id"]
    )


def _window_features(
    base: pl.DataFrame,
    window: str,
    step: timedelta,
    first: datetime,
    end: datetime,
    grid_start: datetime,
    lookback: timedelta,
    spans: dict[str, timedelta],
    rules: dict,
) -> pl.DataFrame:
    event_cols = list(rules["event_features"])
    sev = rules["severity"]
    emap = _entity_map(base, list(rules["entities"]))
    fid_eid = emap.select("_fid", "_eid")
    base = base.with_columns(pl.col("timestamp").dt.truncate(window).alias("ws"))
    # Aggregate at the finest grain first, then fan out to the entities each grain names: counts
    # are sums, so the fan-out touches thousands of rows instead of every event once per entity.
    kinds = (
        base.group_by(["_fid", "ws", "event_type", "severity"])
        .agg(
            pl.len().alias("_n"),
            pl.col("timestamp").max().alias("_last"),
        )
        .join(fid_eid, on="_fid")
        .group_by(["_eid", "ws", "event_type", "severity"])
        .agg(pl.col("_n").sum(), pl.col("_last").max())
    )
    n = pl.col("_n")
    is_err = pl.col("severity").is_in(sev["error"]).fill_null(False)
    is_warn = pl.col("severity").is_in(sev["warn"]).fill_null(False)
    is_fatal = pl.col("severity").is_in(sev["fatal"]).fill_null(False)
    agg = kinds.group_by(["_eid", "ws"]).agg(
        n.sum().cast(pl.Int64).alias("n_events"),
        n.filter(is_err).sum().cast(pl.Int64).alias("n_error"),
        n.filter(is_warn).sum().cast(pl.Int64).alias("n_warn"),
        n.filter(is_fatal).sum().cast(pl.Int64).alias("n_fatal"),
        *[
            n.filter(event_type_matcher(spec)).sum().cast(pl.Int64).alias(name)
            for name, spec in rules["event_features"].items()
        ],
        pl.col("_last").max().alias("_last_ts"),
        pl.col("_last").filter(is_err | is_fatal).max().alias("_last_err"),
    )

    def distinct(column: str) -> pl.DataFrame:
        """Distinct (entity, window, value) of a string column (values as 64-bit hashes)."""
        return (
            base.filter(pl.col(column).is_not_null())
            .select("_fid", "ws", pl.col(column).hash(_SEED).alias("_v"))
            .unique()
            .join(fid_eid, on="_fid")
            .select("_eid", "ws", "_v")
            .unique()
        )

    # Template novelty: a template is new in a window when the entity's previous window with it
    # started more than `lookback` before (or there is none). Sorted by (entity x template, ws),
    # the previous window is the previous row when it has the same key.
    key = pl.col("_k")
    templates = (
        distinct("template_id")
        .with_columns(pl.struct("_eid", "_v").hash(_SEED).alias("_k"))
        .sort(["_k", "ws"])
        .with_columns(
            (
                (key != key.shift(1)).fill_null(True)
                | (pl.col("ws").shift(1) < pl.col("ws") - lookback)
            ).alias("_new")
        )
        .group_by(["_eid", "ws"])
        .agg(
            pl.len().cast(pl.Int64).alias("n_templates"),
            pl.col("_new").sum().cast(pl.Int64).alias("n_new_templates"),
        )
    )
    classes = (
        distinct("error_class")
        .group_by(["_eid", "ws"])
        .agg(pl.len().cast(pl.Int64).alias("n_error_classes"))
    )
    dur = pl.col("duration_ms")
    durations = (
        base.filter(dur.is_not_null())
        .select("_fid", "ws", "duration_ms")
        .join(fid_eid, on="_fid")
        .group_by(["_eid", "ws"])
        .agg(
            dur.quantile(0.5, "linear").alias("duration_p50_ms"),
            dur.quantile(0.95, "linear").alias("duration_p95_ms"),
            dur.quantile(0.99, "linear").alias("duration_p99_ms"),
            dur.max().alias("duration_max_ms"),
        )
    )
    # Dense grid: empty windows are real zeros for the rolling statistics and staleness.
    times = pl.DataFrame(
        {
            "ws": pl.datetime_range(
                grid_start, end, step, closed="left", time_unit="us", time_zone="UTC", eager=True
            )
        }
    )
    grid = (
        agg.select("_eid")
        .unique()
        .join(times, how="cross")
        .join(agg, on=["_eid", "ws"], how="left")
        .join(templates, on=["_eid", "ws"], how="left")
        .join(classes, on=["_eid", "ws"], how="left")
        .join(durations, on=["_eid", "ws"], how="left")
        .sort(["_eid", "ws"])
    )
    counts = ["n_events", "n_error", "n_warn", "n_fatal", *event_cols]
    counts += ["n_templates", "n_error_classes", "n_new_templates"]
    lb_us = int(lookback / timedelta(microseconds=1))
    w_end = pl.col("ws") + step

    def since(col: str) -> pl.Expr:
        us = (w_end - pl.col(col).forward_fill().over("_eid")).dt.total_microseconds()
        return pl.when(us <= lb_us).then(us / 1e6)

    grid = grid.with_columns(
        pl.col(counts).fill_null(0),
        since("_last_ts").alias("secs_since_last_event"),
        since("_last_err").alias("secs_since_last_error"),
    )
    rolling = []
    for name, span in spans.items():
        k = max(1, int(span / step))
        for stat in ["n_events", "n_error"]:
            x = pl.col(stat).cast(pl.Float64)
            mean = x.shift(1).rolling_mean(k, min_samples=1).over("_eid")
            std = x.shift(1).rolling_std(k, min_samples=2).over("_eid") if k > 1 else pl.lit(None)
            scale = pl.max_horizontal(std.fill_null(0.0), mean.sqrt(), pl.lit(1.0))
            rolling.append(mean.alias(f"{stat}_mean_{name}"))
            rolling.append(((x - mean) / scale).alias(f"{stat}_z_{name}"))
    entities = emap.select("_eid", *KEYS).unique("_eid")
    return (
        grid.with_columns(rolling)
        .filter(
            (pl.col("ws") >= first)
            & (pl.col("ws") < end)
            & pl.col("secs_since_last_event").is_not_null()
        )
        .join(entities, on="_eid")
        .with_columns(
            pl.when(pl.col("n_events") > 0)
            .then((pl.col("n_error") + pl.col("n_fatal")) / pl.col("n_events"))
            .otherwise(0.0)
            .alias("error_rate"),
            pl.lit(window).alias("window"),
            pl.col("ws").alias("window_start"),
            w_end.alias("window_end"),
        )
    )


def partition_tables(df: pl.DataFrame, contract: Contract) -> list[tuple[PartitionKey, pa.Table]]:
    """Split feature or anomaly rows into lake partitions (service, hour of window_start)."""
    out = []
    keyed = df.with_columns(pl.col("window_start").dt.truncate("1h").alias("_hour"))
    for (service, hour), part in keyed.group_by(["service", "_hour"], maintain_order=True):
        table = to_contract(part.sort(list(contract.sort_by)), contract)
        out.append((PartitionKey.of(service, hour), table))
    return sorted(out, key=lambda kv: (kv[0].date, kv[0].hour, kv[0].service))
