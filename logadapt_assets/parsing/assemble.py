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
        # windows over container+stream keep row (= capture) order; some parsers carry state
        # between lines (csvlog quotes), so starts_record runs per stream, in order
        pos = pl.int_range(pl.len()).over(KEYS)
        new_hour = _HOUR != _HOUR.shift(1).over(KEYS)
        starts = self._starts_record(pl.col("line")).over(KEYS) | new_hour.fill_null(True)
        df = df.with_columns(_pos=pos, _start=starts | (pos == 0))
        # a record's lines are consecutive in its stream: its line number is the distance to
        # its start; every MAX_LINES_PER_EVENT lines open a new record (runaway records)
        start_pos = pl.when(pl.col("_start")).then(pl.col("_pos")).forward_fill().over(KEYS)
        df = df.with_columns(
            _group=pl.col("_start").cast(pl.UInt32).cum_sum().over(KEYS).cast(pl.Int64) * 1_000_000
            + (pl.col("_pos") - start_pos) // MAX_LINES_PER_EVENT
        )
        if not final:
            is_open = pl.col("_group") == pl.col("_group").max().over(KEYS)
            self._carry = detach(df.filter(is_open).drop("_row", "_group", "_pos", "_start"))
            df = df.filter(~is_open)
        extra = [
            c
            for c in df.columns
            if c not in {*KEYS, "_row", "_group", "_pos", "_start", "line", "observed_at"}
        ]
        # most records are one line: only multi-line ones need the group_by
        opens = pl.col("_group") != pl.col("_group").shift(1).over(KEYS)
        df = df.with_columns(_start=opens.fill_null(True))
        single = pl.col("_start") & pl.col("_start").shift(-1).over(KEYS).fill_null(True)
        df = df.with_columns(_single=single)
        one_line = df.filter(pl.col("_single")).select(
            *KEYS,
            "observed_at",
            pl.col("line").alias("text"),
            pl.lit(1, dtype=pl.Int32).alias("line_count"),
            "_row",
            *extra,
        )
        multi = (
            df.filter(~pl.col("_single"))
            .group_by([*KEYS, "_group"], maintain_order=True)
            .agg(
                pl.col("observed_at").first(),
                pl.col("line").str.join("\n").alias("text"),
                pl.len().cast(pl.Int32).alias("line_count"),
                pl.col("_row").first(),
                *[pl.col(c).first() for c in extra],
            )
            .drop("_group")
        )
        return pl.concat([one_line, multi]).sort("_row").drop("_row")


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
