"""Join the runtime's partial records back into the lines the container printed.

Docker cuts lines longer than 16 KiB into partial records (json-file: `log` without a trailing
newline) and CRI marks them `P`. Consecutive partial records of one (container_id, stream) and
the final record after them are one logical line. A line can straddle batch (and rotated file)
boundaries, so the still-open tail of each container+stream is carried to the next `feed`.

Vectorised: a record starts a line when the previous record of its container+stream was final;
the cumulative sum of that flag numbers the lines, and only rows of multi-record lines go
through a group_by/str.join. Batches without partial records pass straight through.
"""

import polars as pl
import pyarrow as pa

from logadapt_assets.conform import detach

OUTPUT_SCHEMA: dict[str, pl.DataType] = {
    "container_id": pl.String,
    "stream": pl.String,
    "observed_at": pl.Datetime("ns", "UTC"),
    "line": pl.String,
    "position": pl.Int64,
    "source": pl.String,
}
_INPUT = ["container_id", "stream", "observed_at", "line", "partial", "position", "source"]
_KEYS = ["container_id", "stream"]


class Reassembler:
    """Feed raw record batches in capture order; get logical lines (first part's time/position).

    `records_in` / `lines_out` count what went through, for the records-in = lines-out
    + merged-away bookkeeping.
    """

    def __init__(self) -> None:
        self._tail: pl.DataFrame | None = None  # open partial lines, carried between feeds
        self._seq = 0
        self.records_in = 0
        self.lines_out = 0

    def feed(self, records: pa.Table | pl.DataFrame) -> pl.DataFrame:
        """Lines completed by these records (plus any carried tail they close)."""
        df = pl.from_arrow(records) if isinstance(records, pa.Table) else records
        assert isinstance(df, pl.DataFrame)
        df = _normalise(df.select(_INPUT))
        self.records_in += df.height
        df = df.with_columns(pl.int_range(self._seq, self._seq + df.height).alias("_seq"))
        self._seq += df.height
        if self._tail is not None:
            df = pl.concat([self._tail, df])
            self._tail = None
        if df.height == 0 or not df["partial"].any():
            return self._out(df.select(*OUTPUT_SCHEMA, "_seq"), ordered=True)
        df = _number_lines(df)
        # a multi-record line is closed by a final record that does not start it; a line with
        # partial records and no such final record is still open: carry it to the next feed
        started = df.filter(pl.col("partial"))["_line"].unique()
        closed = df.filter(~pl.col("partial") & (pl.col("_line") != pl.col("_seq")))["_line"]
        open_lines = started.filter(~started.is_in(closed.implode()))
        if open_lines.len() == 0:
            return self._out(_join(df), ordered=True)
        is_open = pl.col("_line").is_in(open_lines.implode())
        # detached: a view would pin the whole batch until the line closes (or the run ends)
        self._tail = detach(df.filter(is_open).select(*_INPUT, "_seq"))
        return self._out(_join(df.filter(~is_open)), ordered=True)

    def flush(self) -> pl.DataFrame:
        """Emit every still-open line as it is (the runtime stopped in the middle of it)."""
        if self._tail is None:
            return self._out(pl.DataFrame(schema={**OUTPUT_SCHEMA, "_seq": pl.Int64}))
        tail, self._tail = self._tail, None
        return self._out(_join(_number_lines(tail)))

    def _out(self, df: pl.DataFrame, ordered: bool = False) -> pl.DataFrame:
        out = (df if ordered else df.sort("_seq")).select(list(OUTPUT_SCHEMA))
        self.lines_out += out.height
        return out


def _normalise(df: pl.DataFrame) -> pl.DataFrame:
    return df.cast(
        {
            "observed_at": pl.Datetime("ns", "UTC"),
            "position": pl.Int64,
            "partial": pl.Boolean,
            "line": pl.String,
            "container_id": pl.String,
            "stream": pl.String,
            "source": pl.String,
        }
    )


def _number_lines(df: pl.DataFrame) -> pl.DataFrame:
    """`_line`: the `_seq` of the line's first record, so unique across containers and streams.

    A record starts a line when the previous record of its container+stream was final; one
    window expression numbers the lines of every container+stream at once.
    """
    starts = pl.col("partial").shift(1).fill_null(False).not_()
    first = pl.when(starts).then(pl.col("_seq")).otherwise(None).forward_fill()
    return df.with_columns(first.over(_KEYS).alias("_line"))


def _join(df: pl.DataFrame) -> pl.DataFrame:
    """Closed lines in order of their first record: multi-record lines get the joined text."""
    starts = df.filter(pl.col("_line") == pl.col("_seq"))
    parts = df.filter(pl.col("_line") != pl.col("_seq"))
    if parts.height == 0:
        return starts.select(*OUTPUT_SCHEMA, "_seq")
    firsts = starts.filter(pl.col("partial")).select("_seq", "line")
    rest = parts.group_by("_line").agg(pl.col("line").str.join("").alias("_rest"))
    joined = firsts.join(rest, left_on="_seq", right_on="_line", how="left").select(
        "_seq", (pl.col("line") + pl.col("_rest").fill_null("")).alias("_joined")
    )
    return (
        starts.join(joined, on="_seq", how="left", maintain_order="left")
        .select(
            *[c for c in OUTPUT_SCHEMA if c != "line"],
            pl.coalesce("_joined", "line").alias("line"),
            "_seq",
        )
        .select(*OUTPUT_SCHEMA, "_seq")
    )
