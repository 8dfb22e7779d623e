"""The whole chain for one time window: sources -> reassembly -> multi-line -> parse -> enrich
-> the lake, streaming in bounded batches, with every record accounted for.

`Converter` is what `logadapt convert` and the Dagster assets call. It keeps per-container
state (open partial lines, open multi-line records, event-id counters) so batch boundaries never
change the result, and counts, per container and hour, the lines read, the lines that became
events and the records quarantined.
"""

import dataclasses
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
import pyarrow as pa

from logadapt_assets.catalog import ServiceCatalog, ServiceContext
from logadapt_assets.conform import to_contract
from logadapt_assets.enrich import enrich
from logadapt_assets.lake import Lake, PartitionKey, WrittenFile
from logadapt_assets.normalize import normalize_severity
from logadapt_assets.parsing.assemble import Assembler
from logadapt_assets.parsing.base import Parser
from logadapt_assets.parsing.registry import get_parser
from logadapt_assets.reassembly import Reassembler
from logadapt_assets.schema import load_contract
from logadapt_assets.sources.base import ContainerInfo, SourceBatch
from logadapt_assets.staging import StagingArea

LOG_EVENTS = "log_events"
QUARANTINE = "quarantine"
RAW_LOGS = "raw_logs"
SAMPLE_LINES = 50  # lines shown to the catalog for content-based parser choice

# (service, container_id, hour start)
CountKey = tuple[str, str, datetime]


@dataclass
class ConvertReport:
    """What a conversion did: the numbers behind the summary and the asset metadata."""

    lines_in: Counter = field(default_factory=Counter)  # CountKey -> logical lines read
    events: Counter = field(default_factory=Counter)  # CountKey -> events written
    event_lines: Counter = field(default_factory=Counter)  # CountKey -> sum(line_count)
    quarantined: Counter = field(default_factory=Counter)  # CountKey -> records quarantined
    quarantine_reasons: Counter = field(default_factory=Counter)  # reason -> records
    parse_status: Counter = field(default_factory=Counter)  # (service, status) -> events
    event_types: Counter = field(default_factory=Counter)  # (service, event_type) -> events
    raw_records: int = 0
    redactions: int = 0
    containers: dict[str, str] = field(default_factory=dict)  # container id -> service
    written: list[WrittenFile] = field(default_factory=list)

    def conservation_violations(self) -> list[tuple[CountKey, int, int]]:
        """(key, lines read, lines in events) wherever a read line did not reach an event.

        Quarantined records never became lines, so records in = lines read + quarantined holds
        exactly when every line read is in some event's line_count."""
        keys = set(self.lines_in) | set(self.event_lines)
        return [
            (k, self.lines_in[k], self.event_lines[k])
            for k in sorted(keys)
            if self.lines_in[k] != self.event_lines[k]
        ]

    def ok_share(self, service: str | None = None) -> float:
        items = [(k, v) for k, v in self.parse_status.items() if service in (None, k[0])]
        total = sum(v for _, v in items)
        return sum(v for (_, s), v in items if s == "ok") / total if total else 1.0

    def rows_by_partition(self, dataset: str = LOG_EVENTS) -> dict[PartitionKey, int]:
        return {w.key: w.rows for w in self.written if w.dataset == dataset}

    @property
    def bytes_out(self) -> int:
        return sum(w.bytes for w in self.written)


class _ContainerState:
    """Streaming state of one container: its context, parser and carry-overs."""

    def __init__(self, ctx: ServiceContext, parser: Parser) -> None:
        self.ctx = ctx
        self.parser = parser
        self.reassembler = Reassembler()
        self.assembler = Assembler(parser.starts_record)
        self.id_carry: pl.DataFrame | None = None  # last observed_at + count per stream


class Converter:
    """Streams source batches into the lake for one window [since, until)."""

    def __init__(
        self,
        lake: Lake,
        catalog: ServiceCatalog | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        write_raw: bool = False,
        service: str | None = None,
        staging_budget_bytes: int | None = None,
    ) -> None:
        self.lake = lake
        self.catalog = catalog or ServiceCatalog.load(None)
        self.since, self.until = since, until
        self.write_raw = write_raw
        self.service_override = service
        self.report = ConvertReport()
        self._states: dict[str, _ContainerState] = {}
        self._staging = StagingArea(staging_budget_bytes) if staging_budget_bytes else StagingArea()

    # -- input ---------------------------------------------------------------------------
    def process(self, batch: SourceBatch) -> None:
        state = self._state(batch)
        self.report.raw_records += batch.records.num_rows
        self._quarantine(batch.container, state.ctx, batch.quarantine)
        if batch.records.num_rows == 0:
            return
        if self.write_raw:
            self._stage_by_hour(RAW_LOGS, state.ctx.service, pl.from_arrow(batch.records))
        lines = state.reassembler.feed(batch.records)
        self._emit(state, state.assembler.feed(self._count_lines(state, lines)))

    def process_all(self, batches: Iterable[SourceBatch]) -> ConvertReport:
        for batch in batches:
            self.process(batch)
        return self.finish()

    def finish(self) -> ConvertReport:
        """Flush open records and write every staged partition; returns the report."""
        try:
            for state in self._states.values():
                tail = self._count_lines(state, state.reassembler.flush())
                self._emit(
                    state,
                    pl.concat(
                        [state.assembler.feed(tail), state.assembler.flush()],
                        how="vertical_relaxed",
                    ),
                )
            self._write()
        finally:
            self._staging.close()
        return self.report

    # -- stages --------------------------------------------------------------------------
    def _state(self, batch: SourceBatch) -> _ContainerState:
        cid = batch.container.id
        if cid not in self._states:
            sample = (
                [str(s) for s in batch.records.column("line").slice(0, SAMPLE_LINES).to_pylist()]
                if batch.records.num_rows
                else []
            )
            ctx = self.catalog.context_for(batch.container, sample)
            if self.service_override:
                ctx = dataclasses.replace(ctx, service=self.service_override)
            self._states[cid] = _ContainerState(ctx, get_parser(ctx.parser))
            self.report.containers[cid] = ctx.service
        return self._states[cid]

    def _count_lines(self, state: _ContainerState, lines: pl.DataFrame) -> pl.DataFrame:
        if lines.height:
            counts = lines.group_by(pl.col("observed_at").dt.truncate("1h").alias("h")).len()
            for hour, n in counts.iter_rows():
                self.report.lines_in[(state.ctx.service, state.ctx.container_id, hour)] += n
        return lines

    def _emit(self, state: _ContainerState, records: pl.DataFrame) -> None:
        if records.height == 0:
            return
        parsed = state.parser.parse(records, state.ctx.options)
        events = pl.concat(
            [records.select("container_id", "stream", "observed_at", "line_count"), parsed],
            how="horizontal",
        )
        events, redactions = enrich(normalize_severity(events), state.ctx)
        self.report.redactions += redactions
        events = self._finalize(state, events)
        svc, cid = state.ctx.service, state.ctx.container_id
        hour = pl.col("observed_at").dt.truncate("1h").alias("h")
        for h, n, lc in events.group_by(hour).agg(pl.len(), pl.col("line_count").sum()).rows():
            self.report.events[(svc, cid, h)] += n
            self.report.event_lines[(svc, cid, h)] += lc
        for status, n in events.group_by("parse_status").len().rows():
            self.report.parse_status[(svc, status)] += n
        for etype, n in events.group_by("event_type").len().rows():
            self.report.event_types[(svc, etype)] += n
        self._stage_by_hour(LOG_EVENTS, svc, events)

    def _finalize(self, state: _ContainerState, events: pl.DataFrame) -> pl.DataFrame:
        """Defaults the contract promises (non-null timestamp, message...) and event_id."""
        events = events.with_columns(
            timestamp=pl.coalesce(
                pl.col("timestamp"), pl.col("observed_at").dt.cast_time_unit("us")
            ),
            message=pl.col("message").fill_null(""),
            event_type=pl.col("event_type").fill_null("other"),
            parse_status=pl.col("parse_status").fill_null("unparsed"),
            parser=pl.lit(state.parser.name),
        )
        return self._with_event_ids(state, events)

    def _with_event_ids(self, state: _ContainerState, events: pl.DataFrame) -> pl.DataFrame:
        """`<container12>-<stream>-<observed ns>-<k>`: k numbers records sharing a capture
        time, counted across batches, so the same input always gives the same ids whatever the
        source (engine API or json-file) and however it was batched."""
        keys = ["stream", "observed_at"]
        events = events.with_columns(_k=pl.int_range(pl.len()).over(keys))
        if state.id_carry is not None:
            events = (
                events.join(state.id_carry, on=keys, how="left")
                .with_columns(_k=pl.col("_k") + pl.col("_k0").fill_null(0))
                .drop("_k0")
            )
        state.id_carry = (
            events.group_by("stream")
            .agg(pl.col("observed_at").last(), pl.col("_k").last())
            .with_columns(_k0=pl.col("_k") + 1)
            .drop("_k")
        )
        return events.with_columns(
            event_id=pl.concat_str(
                pl.col("container_id").str.slice(0, 12),
                pl.col("stream"),
                pl.col("observed_at").dt.epoch("ns").cast(pl.String),
                pl.col("_k").cast(pl.String),
                separator="-",
            )
        ).drop("_k")

    def _quarantine(self, container: ContainerInfo, ctx: ServiceContext, q: pa.Table) -> None:
        if q.num_rows == 0:
            return
        df = pl.from_arrow(q)
        for reason, n in df.group_by("reason").len().rows():
            self.report.quarantine_reasons[reason] += n
        for h, n in df.group_by(pl.col("observed_at").dt.truncate("1h")).len().rows():
            self.report.quarantined[(ctx.service, container.id, h)] += n
        self._stage_by_hour(QUARANTINE, ctx.service, df)

    def _stage_by_hour(self, dataset: str, service: str, df: pl.DataFrame) -> None:
        contract = load_contract(_CONTRACTS[dataset])
        hour = pl.col("observed_at").dt.truncate("1h")
        for (h,), part in df.with_columns(_h=hour).partition_by("_h", as_dict=True).items():
            key = PartitionKey.of(service, h)
            self._staging.add((dataset, key), to_contract(part, contract))

    # -- output --------------------------------------------------------------------------
    def _write(self) -> None:
        written_hours: dict[str, set[PartitionKey]] = {}
        for (dataset, key), table in self._staging.drain():
            contract = load_contract(_CONTRACTS[dataset])
            self.report.written.append(self.lake.write_partition(dataset, contract, key, table))
            written_hours.setdefault(dataset, set()).add(key)
        if self.since is None or self.until is None:
            return
        # an hour re-run replaces the whole hour: drop service partitions it no longer has
        datasets = [LOG_EVENTS, QUARANTINE] + ([RAW_LOGS] if self.write_raw else [])
        for dataset in datasets:
            for key in self.lake.partitions_in(dataset, self.since, self.until):
                if key not in written_hours.get(dataset, set()):
                    self.lake.remove_partition(dataset, key)


_CONTRACTS = {LOG_EVENTS: "log_event", QUARANTINE: "quarantine", RAW_LOGS: "raw_log"}
