"""The parser contract: every parser is a pair of vectorised Polars operations.

1. `starts_record(line)`: a boolean expression over one physical line, true where a new logical
   record begins. The assembler groups each start with the continuation lines that follow it
   (same container and stream), so multi-line records (stack traces, Postgres DETAIL/STATEMENT,
   tab-indented SQL) become one event.
2. `parse(events, options)`: takes the assembled events (column `text`, lines joined with "\n";
   `observed_at`) and returns a frame of the same height with exactly `PARSED_SCHEMA`'s columns.
   It never raises on content: what it cannot read it reports through `parse_status`.
"""

from dataclasses import dataclass, field
from typing import Protocol

import polars as pl

ATTRIBUTES_DTYPE = pl.List(pl.Struct({"key": pl.String, "value": pl.String}))

PARSED_SCHEMA: dict[str, pl.DataType] = {
    "timestamp": pl.Datetime("us", "UTC"),  # event time from the line, UTC; null when none
    "severity_text": pl.String,  # level as written
    "severity": pl.String,  # canonical level when the parser knows better than severity_text
    "component": pl.String,
    "message": pl.String,  # body without the prefix; never null
    "broker_id": pl.Int32,
    "topic": pl.String,
    "partition": pl.Int32,
    "consumer_group": pl.String,
    "request_type": pl.String,
    "request_id": pl.String,
    "trace_id": pl.String,
    "error_class": pl.String,
    "sqlstate": pl.String,
    "pid": pl.Int32,
    "db_user": pl.String,
    "db_name": pl.String,
    "client_addr": pl.String,
    "duration_ms": pl.Float64,
    "parse_status": pl.String,  # ok / partial / unparsed
    "attributes": ATTRIBUTES_DTYPE,  # every other key/value
}


@dataclass(frozen=True)
class ParseOptions:
    """Per-service parsing knobs (from the service catalog)."""

    timezone: str = "UTC"  # for timestamps written without an offset
    postgres_log_line_prefix: str | None = None  # compiled to a pattern when given
    extra: dict[str, str] = field(default_factory=dict)


class Parser(Protocol):
    name: str

    def starts_record(self, line: pl.Expr) -> pl.Expr: ...

    def parse(self, events: pl.DataFrame, options: ParseOptions) -> pl.DataFrame: ...


def conform(parsed: pl.DataFrame) -> pl.DataFrame:
    """Add missing parsed columns as nulls, cast, and order them as `PARSED_SCHEMA`."""
    cols = []
    for name, dtype in PARSED_SCHEMA.items():
        if name in parsed.columns:
            cols.append(pl.col(name).cast(dtype, strict=False))
        else:
            cols.append(pl.lit(None, dtype=dtype).alias(name))
    return parsed.select(cols)
