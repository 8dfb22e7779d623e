"""The `log_template` table: which templates each service logs, how often, first and last seen.

Counts are kept per (template_id, service, hour of observed_at) -- the lake's partition hour --
and every (service, hour) present in a batch replaces that slice of the table. So re-processing
an hour replaces its counts instead of adding to them (idempotent), and folding batches in any
grouping gives the same table (associative; later batches win for the hours they carry).
`template_id` comes from the events (logadapt_assets/templates.py computes it); the text here is
only a readable representative.
"""

import polars as pl

from logadapt_assets.features import TS, load_rules
from logadapt_assets.schema import load_contract

SLICE = ["service", "hour"]
KEY = ["template_id", "service", "hour"]


def _columns() -> list[str]:
    return load_contract("log_template").arrow.names


def mask_template(message: pl.Expr, rules: dict | None = None) -> pl.Expr:
    """First line of the message with ids, numbers, addresses and times masked (rule table)."""
    cfg = (rules or load_rules())["templates"]
    text = message.fill_null("").str.split("\n").list.first().str.strip_chars()
    for mask in cfg["masks"]:
        text = text.str.replace_all(mask["pattern"], mask["replace"])
    return text.str.slice(0, int(cfg["max_length"]))


def _utc(col: str) -> pl.Expr:
    return pl.col(col).dt.convert_time_zone("UTC").cast(TS)


def hourly_templates(events: pl.LazyFrame | pl.DataFrame, rules: dict | None = None):
    """Template counts of one batch of events per (template_id, service, observed_at hour)."""
    lf = events.lazy()
    names = lf.collect_schema().names()
    hour_src = "observed_at" if "observed_at" in names else "timestamp"
    return (
        lf.filter(pl.col("template_id").is_not_null() & pl.col("service").is_not_null())
        .select(
            pl.col("template_id").cast(pl.String),
            pl.col("service").cast(pl.String),
            _utc(hour_src).dt.truncate("1h").alias("hour"),
            _utc("timestamp").alias("timestamp"),
            pl.col("message").cast(pl.String),
        )
        .group_by(KEY)
        .agg(
            # representative text: the earliest event's message (ties: smallest text), masked
            # after aggregating so the regexes run once per template-hour, not per event
            pl.col("message").sort_by(["timestamp", "message"]).first().alias("template"),
            pl.col("timestamp").min().alias("first_seen"),
            pl.col("timestamp").max().alias("last_seen"),
            pl.len().cast(pl.Int64).alias("count"),
        )
        .with_columns(mask_template(pl.col("template"), rules))
        .select(_columns())
        .collect()
    )


def update_templates(
    events: pl.LazyFrame | pl.DataFrame,
    existing: pl.DataFrame | None = None,
    rules: dict | None = None,
) -> pl.DataFrame:
    """Merge a batch of events into the table: the batch's (service, hour) slices replace the
    same slices of `existing`; everything else is kept. Sorted by service, template_id, hour.

    A batch must hold whole service-hours (as a lake partition read does): a partial hour
    replaces the whole hour's counts."""
    batch = hourly_templates(events, rules)
    return merge_templates(existing, batch)


def merge_templates(existing: pl.DataFrame | None, batch: pl.DataFrame) -> pl.DataFrame:
    """Replace in `existing` every (service, hour) slice that `batch` holds."""
    batch = batch.select(_columns())
    if existing is None or existing.is_empty():
        merged = batch
    else:
        kept = existing.select(_columns()).join(batch.select(SLICE).unique(), on=SLICE, how="anti")
        merged = pl.concat([kept, batch], how="vertical_relaxed")
    return merged.sort(["service", "template_id", "hour"])


def summarize_templates(table: pl.DataFrame) -> pl.DataFrame:
    """One row per (template_id, service): total count, first/last seen, hours seen."""
    return (
        table.group_by(["template_id", "service"])
        .agg(
            pl.col("template").sort_by(["first_seen", "template"]).first(),
            pl.col("first_seen").min(),
            pl.col("last_seen").max(),
            pl.col("count").sum(),
            pl.len().cast(pl.Int64).alias("hours"),
        )
        .sort(["service", "template_id"])
    )
