"""Multi-line assembly: physical lines -> logical records, vectorised and streaming.

A record starts where the parser's `starts_record` says so, at the first line of each UTC hour
(so an hour re-processed alone yields exactly the events a longer run yields for it), and after
`MAX_LINES_PER_EVENT` lines (so a source that never matches a start cannot build one giant event).
The last record of each container+stream may continue in the next batch; it is carried over.
"""

import polars as pl

from logadapt_assets.conform import detach

MAX_LINES_PER_EVENT = 1000
KEYS = ["container_id", "stream"]
_HOUR = pl.col("observed_at").dt.truncate("1h")


class Assembler:
    """Groups lines into records for one parser; feed() in capture order, then flush()."""

    def __init__(self, starts_record) -> None:  # starts_record: pl.Expr -> pl.Expr
        self._starts_record = starts_record
        self._carry: pl.DataFrame | None = None
        self._line_schema: pl.Schema | None = None  # of the lines fed, for empty results

    def feed(self, lines: pl.DataFrame) -> pl.DataFrame:
        """Complete records among `lines` (+ the carry); the open tail waits for more lines."""
        return self._assemble(lines, final=False)

    def flush(self) -> pl.DataFrame:
        """Whatever is still open, as complete records."""
        return self._assemble(None, final=True)

    def _assemble(self, lines: pl.DataFrame | None, final: bool) -> pl.DataFrame:
        if lines is not None:
            self._line_schema = lines.schema
        parts = [f for f in (self._carry, lines) if f is not None and f.height]
        self._carry = None
        if not parts:
            return _empty_records(self._line_schema)
        df = pl.concat(parts, how="vertical_relaxed") if len(parts) > 1 else parts[0]
        df = df.with_row_index("_row")
        first_of_stream = pl.col("_row") == pl.col("_row").min().over(KEYS)
        new_hour = _HOUR != _HOUR.shift(1).over(KEYS, order_by="_row")
        # per container+stream, in order: some parsers carry state between lines (csvlog quotes)
        starts_record = self._starts_record(pl.col("line")).over(KEYS, order_by="_row")
        starts = starts_record | first_of_stream | new_hour.fill_null(True)
        df = df.with_columns(_group=starts.cast(pl.UInt32).cum_sum().over(KEYS, order_by="_row"))
        # cap runaway records: every MAX_LINES_PER_EVENT lines open a new record
        df = df.with_columns(
            _group=pl.col("_group") * 1_000_000
            + (
                pl.int_range(pl.len()).over([*KEYS, "_group"], order_by="_row")
                // MAX_LINES_PER_EVENT
            )
        )
        if not final:
            is_open = pl.col("_group") == pl.col("_group").max().over(KEYS)
            self._carry = detach(df.filter(is_open).drop("_row", "_group"))
            df = df.filter(~is_open)
        extra = [c for c in df.columns if c not in {*KEYS, "_row", "_group", "line", "observed_at"}]
        return (
            df.group_by([*KEYS, "_group"], maintain_order=True)
            .agg(
                pl.col("observed_at").first(),
                pl.col("line").str.join("\n").alias("text"),
                pl.len().cast(pl.Int32).alias("line_count"),
                pl.col("_row").first(),
                *[pl.col(c).first() for c in extra],
            )
            .sort("_row")
            .drop("_row", "_group")
        )


def _empty_records(line_schema: pl.Schema | None) -> pl.DataFrame:
    schema = {
        "container_id": pl.String,
        "stream": pl.String,
        "observed_at": pl.Datetime("ns", "UTC"),
        "text": pl.String,
        "line_count": pl.Int32,
    }
    if line_schema is not None:
        for c, t in line_schema.items():
            if c not in {*schema, "line"}:
                schema[c] = t
    return pl.DataFrame(schema=schema)
