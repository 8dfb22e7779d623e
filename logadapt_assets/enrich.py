"""Enrichment: container context, redaction, event type and template id for parsed events.

Order matters: secrets are redacted before templates are computed, so no secret can leak into
a template text or make two otherwise equal templates differ.
"""

import polars as pl

from logadapt_assets.catalog import ServiceContext
from logadapt_assets.event_types import classify, event_type_expr
from logadapt_assets.redact import redact_frame
from logadapt_assets.templates import template_id

CONTEXT_COLUMNS = ("service", "environment", "cluster_id", "host", "container_name", "image")
_CLASSIFY_INPUTS = ("message", "component", "sqlstate", "severity", "attributes", "parser")


def enrich(events: pl.DataFrame, ctx: ServiceContext) -> tuple[pl.DataFrame, int]:
    """Add context columns, redact, classify and template `events` (PARSED_SCHEMA + runtime
    columns + canonical severity). Returns (frame, number of redactions made); row order and
    height are kept."""
    frame, redactions = redact_frame(events, message="message", attributes="attributes")
    context = {name: getattr(ctx, name) for name in CONTEXT_COLUMNS}
    columns = [pl.lit(value, dtype=pl.String).alias(name) for name, value in context.items()]
    if "broker_id" in frame.columns:
        columns.append(
            pl.col("broker_id").cast(pl.Int32).fill_null(pl.lit(ctx.broker_id, dtype=pl.Int32))
        )
    else:
        columns.append(pl.lit(ctx.broker_id, dtype=pl.Int32).alias("broker_id"))
    if "parser" in frame.columns:
        columns.append(pl.col("parser").fill_null(pl.lit(ctx.parser)))
    else:
        columns.append(pl.lit(ctx.parser, dtype=pl.String).alias("parser"))
    if "container_id" in frame.columns and ctx.container_id:
        columns.append(pl.col("container_id").fill_null(pl.lit(ctx.container_id)))
    frame = frame.with_columns(columns)
    templates = template_id(pl.col("message")).alias("template_id")
    families = frame.get_column("parser").unique()
    if families.len() == 1 and all(c in frame.columns for c in _CLASSIFY_INPUTS):
        # one family (the usual: one container): classification and templates are two
        # independent expressions, so Polars evaluates them in parallel
        event_type = event_type_expr(families[0]).alias("event_type")
        frame = frame.with_columns(event_type, templates)
    else:
        frame = frame.with_columns(classify(frame, ctx.parser).alias("event_type"), templates)
    return frame, redactions
