"""The whole chain for one time window, streaming in bounded batches, every record accounted for:

    source records -> lines (partials joined, redacted)      -> raw_logs
                   -> records (multi-line assembled), parsed -> parsed_events
                   -> normalised, enriched                   -> enriched_events
                   -> event ids, contract defaults           -> log_events

`Converter` runs any contiguous part of that chain: `logadapt convert` runs all of it in one pass
from a runtime source; each Dagster asset runs one stage, reading its input back from the lake.
It keeps per-container state (open partial lines, open multi-line records, event-id counters),
so batch boundaries never change the result, and counts, per container and hour, lines read,
lines that became events, and records quarantined.
"""

import dataclasses
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import polars as pl
import pyarrow as pa

from logadapt_assets.catalog import ServiceCatalog, ServiceContext
from logadapt_assets.conform import detach, to_contract
from logadapt_assets.enrich import enrich
from logadapt_assets.inventory import load_inventory
from logadapt_assets.lake import Lake, PartitionKey, WrittenFile
from logadapt_assets.normalize import normalize_severity
from logadapt_assets.parsing.assemble import Assembler
from logadapt_assets.parsing.base import Parser
from logadapt_assets.parsing.registry import get_parser
from logadapt_assets.reassembly import Reassembler
from logadapt_assets.redact import redact_frame
from logadapt_assets.schema import Contract, load_contract
from logadapt_assets.sources.base import ContainerInfo, SourceBatch
from logadapt_assets.staging import StagingArea

RAW_LOGS = "raw_logs"
PARSED_EVENTS = "parsed_events"
ENRICHED_EVENTS = "enriched_events"
LOG_EVENTS = "log_events"
QUARANTINE = "quarantine"
STAGES = [RAW_LOGS, PARSED_EVENTS, ENRICHED_EVENTS, LOG_EVENTS]
CONTRACTS = {RAW_LOGS: "raw_log", LOG_EVENTS: "log_event", QUARANTINE: "quarantine"}
SAMPLE_LINES = 200  # lines shown to the catalog for content-based parser choice
RECORD_COLUMNS = ["container_id", "stream", "observed_at", "line_count"]
PARTITION_COLUMNS = ["service", "date", "hour"]

CountKey = tuple[str, str, datetime]  # (service, container_id, hour start)


@dataclass
class ConvertReport:
    """What a conversion did: the numbers behind the summary and the asset metadata."""

    lines_in: Counter = field(default_factory=Counter)  # CountKey -> lines read
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
        """(key, lines read, lines in events) wherever a line read did not reach an event.

        Quarantined records never became lines, so records in = events (counting merged lines)
        + quarantined holds exactly when every line read is in some event's line_count."""
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

    def merge(self, other: "ConvertReport") -> "ConvertReport":
        """Add another run's numbers (a worker's part of the same conversion)."""
        for f in dataclasses.fields(self):
            mine, theirs = getattr(self, f.name), getattr(other, f.name)
            if isinstance(mine, dict):
                mine.update(theirs)  # a Counter adds the counts, a dict joins the keys
            elif isinstance(mine, list):
                mine.extend(theirs)
            else:
                setattr(self, f.name, mine + theirs)
        return self


class _ContainerState:
    """Streaming state of one container: its context, parser and carry-overs."""

    def __init__(self, ctx: ServiceContext, parser: Parser) -> None:
        self.ctx = ctx
        self.parser = parser
        self.reassembler = Reassembler()
        self.assembler = Assembler(parser.starts_record)
        self.id_carry: pl.DataFrame | None = None  # per stream: last observed_at, next k


class Converter:
    """Runs the chain from `start` to the last of `outputs` for one window [since, until)."""

    def __init__(
        self,
        lake: Lake,
        catalog: ServiceCatalog | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
        outputs: Sequence[str] = (LOG_EVENTS,),
        service: str | None = None,
        staging_budget_bytes: int | None = None,
    ) -> None:
        unknown = set(outputs) - set(STAGES)
        if unknown:
            raise ValueError(f"unknown outputs: {sorted(unknown)}")
        self.lake = lake
        self.catalog = catalog or ServiceCatalog.load(None)
        self.since, self.until = since, until
        self.outputs = set(outputs)
        self._last = max(STAGES.index(o) for o in outputs)
        self.service_override = service
        self.report = ConvertReport()
        self._states: dict[str, _ContainerState] = {}
        self._from_source = False  # quarantine is re-written only by runs that read a source
        self._staging = StagingArea(staging_budget_bytes) if staging_budget_bytes else StagingArea()

    # -- input ---------------------------------------------------------------------------
    def process(self, batch: SourceBatch) -> None:
        """Records from a runtime source (engine API, json-file, CRI, text)."""
        self._from_source = True
        state = self._state(batch.container, batch.records.column("line").slice(0, SAMPLE_LINES))
        self.report.raw_records += batch.records.num_rows
        self._quarantine(state.ctx, batch.quarantine)
        if batch.records.num_rows:
            self._lines(state, state.reassembler.feed(batch.records))

    def process_stage(self, stage: str, container: ContainerInfo, frame: pl.DataFrame) -> None:
        """Rows of `stage`'s dataset read back from the lake, continuing the chain after it."""
        state = self._state(
            container, frame["line"].head(SAMPLE_LINES) if stage == RAW_LOGS else None
        )
        if stage == RAW_LOGS:
            self._assemble(state, self._count_lines(state, frame))
        elif stage == PARSED_EVENTS:
            self._enrich(state, frame)
        elif stage == ENRICHED_EVENTS:
            self._log_events(state, frame)
        else:
            raise ValueError(f"nothing follows {stage}")

    def process_all(self, batches: Iterable[SourceBatch]) -> ConvertReport:
        for batch in batches:
            self.process(batch)
        return self.finish()

    def finish(self) -> ConvertReport:
        """Flush open lines and records and write every staged partition."""
        try:
            for state in self._states.values():
                self._lines(state, state.reassembler.flush())
                if self._last > 0:
                    self._parse(state, state.assembler.flush())
            self._write()
        finally:
            self._staging.close()
        return self.report

    # -- stages --------------------------------------------------------------------------
    def _state(self, container: ContainerInfo, sample: Iterable | None) -> _ContainerState:
        if container.id not in self._states:
            lines = [str(s) for s in (sample if sample is not None else []) if s is not None]
            ctx = self.catalog.context_for(container, lines)
            if self.service_override:
                ctx = dataclasses.replace(ctx, service=self.service_override)
            self._states[container.id] = _ContainerState(ctx, get_parser(ctx.parser))
            self.report.containers[container.id] = ctx.service
        return self._states[container.id]

    def _lines(self, state: _ContainerState, lines: pl.DataFrame) -> None:
        if lines.height == 0:
            return
        lines, redactions = redact_frame(lines, message="line", attributes=None)
        self.report.redactions += redactions
        self._count_lines(state, lines)
        if RAW_LOGS in self.outputs:
            self._stage(RAW_LOGS, state.ctx.service, lines)
        if self._last > 0:
            self._assemble(state, lines)

    def _count_lines(self, state: _ContainerState, lines: pl.DataFrame) -> pl.DataFrame:
        hour = pl.col("observed_at").dt.truncate("1h")
        for h, n in lines.group_by(hour).len().rows():
            self.report.lines_in[(state.ctx.service, state.ctx.container_id, h)] += n
        return lines

    def _assemble(self, state: _ContainerState, lines: pl.DataFrame) -> None:
        self._parse(state, state.assembler.feed(lines))

    def _parse(self, state: _ContainerState, records: pl.DataFrame) -> None:
        if records.height == 0:
            return
        parsed = state.parser.parse(records, state.ctx.options)
        frame = pl.concat([records.select(RECORD_COLUMNS), parsed], how="horizontal")
        frame = frame.with_columns(parser=pl.lit(state.parser.name))
        if PARSED_EVENTS in self.outputs:
            self._stage(PARSED_EVENTS, state.ctx.service, frame)
        if self._last > STAGES.index(PARSED_EVENTS):
            self._enrich(state, frame)

    def _enrich(self, state: _ContainerState, parsed: pl.DataFrame) -> None:
        enriched, _ = enrich(normalize_severity(parsed), state.ctx)
        if ENRICHED_EVENTS in self.outputs:
            self._stage(ENRICHED_EVENTS, state.ctx.service, enriched)
        if self._last > STAGES.index(ENRICHED_EVENTS):
            self._log_events(state, enriched)

    def _log_events(self, state: _ContainerState, enriched: pl.DataFrame) -> None:
        events = self._with_event_ids(state, _contract_defaults(enriched))
        svc, cid = state.ctx.service, state.ctx.container_id
        hour = pl.col("observed_at").dt.truncate("1h")
        for h, n, lc in events.group_by(hour).agg(pl.len(), pl.col("line_count").sum()).rows():
            self.report.events[(svc, cid, h)] += n
            self.report.event_lines[(svc, cid, h)] += lc
        for status, n in events.group_by("parse_status").len().rows():
            self.report.parse_status[(svc, status)] += n
        for etype, n in events.group_by("event_type").len().rows():
            self.report.event_types[(svc, etype)] += n
        self._stage(LOG_EVENTS, svc, events)

    def _with_event_ids(self, state: _ContainerState, events: pl.DataFrame) -> pl.DataFrame:
        """`<container12>-<stream>-<observed ns>-<k>`: k numbers records sharing a capture
        time, counted across batches, so the same input gives the same ids whatever the source
        (engine API or json-file) and however it was batched."""
        keys = ["stream", "observed_at"]
        # only rows whose capture time is shared need numbering (a window over the few of them)
        shared = events.select(pl.struct(keys).is_duplicated()).to_series()
        k = pl.zeros(events.height, dtype=pl.Int64, eager=True)
        if shared.any():
            rows = shared.arg_true()
            numbered = events.select(pl.col(keys).gather(rows)).select(
                pl.int_range(pl.len(), dtype=pl.Int64).over(keys)
            )
            k = k.scatter(rows, numbered.to_series())
        events = events.with_columns(_k=k)
        if state.id_carry is not None:
            # the previous batch ended with these times: continue their numbering
            offset: pl.Expr = pl.lit(0, dtype=pl.Int64)
            ns = pl.col("observed_at").dt.epoch("ns")  # exact: Python datetimes stop at us
            for stream, at, k0 in state.id_carry.select("stream", ns, "_k0").rows():
                same = (pl.col("stream") == stream) & (ns == at)
                offset = pl.when(same).then(pl.lit(k0, dtype=pl.Int64)).otherwise(offset)
            events = events.with_columns(_k=pl.col("_k") + offset)
        carry = events.group_by("stream").agg(pl.col("observed_at").last(), pl.col("_k").last())
        carry = carry.with_columns(_k0=pl.col("_k") + 1).drop("_k")
        if state.id_carry is not None:  # a stream absent from this batch keeps its numbering
            kept = state.id_carry.join(carry, on="stream", how="anti")
            carry = pl.concat([carry, kept], how="vertical_relaxed")
        state.id_carry = detach(carry)
        event_id = pl.concat_str(
            pl.col("container_id").str.slice(0, 12),
            pl.col("stream"),
            pl.col("observed_at").dt.epoch("ns").cast(pl.String),
            pl.col("_k").cast(pl.String),
            separator="-",
        )
        return events.with_columns(event_id=event_id).drop("_k")

    def _quarantine(self, ctx: ServiceContext, q: pa.Table) -> None:
        if q.num_rows == 0:
            return
        df = pl.from_arrow(q)
        for reason, n in df.group_by("reason").len().rows():
            self.report.quarantine_reasons[reason] += n
        for h, n in df.group_by(pl.col("observed_at").dt.truncate("1h")).len().rows():
            self.report.quarantined[(ctx.service, ctx.container_id, h)] += n
        self._stage(QUARANTINE, ctx.service, df)

    def _stage(self, dataset: str, service: str, df: pl.DataFrame) -> None:
        df = df.drop(PARTITION_COLUMNS, strict=False)  # they live in the path
        contract = _contract(dataset, df)
        hour = pl.col("observed_at").dt.truncate("1h")
        for (h,), part in df.with_columns(_h=hour).partition_by("_h", as_dict=True).items():
            table = to_contract(part, contract)
            self._staging.add((dataset, PartitionKey.of(service, h)), table)

    # -- output --------------------------------------------------------------------------
    def _write(self) -> None:
        for (dataset, key), table in self._staging.drain():
            contract = _contract(dataset, pl.from_arrow(table.slice(0, 0)))
            self.report.written.append(self.lake.write_partition(dataset, contract, key, table))
        if self.since is not None and self.until is not None:
            datasets = self.outputs | ({QUARANTINE} if self._from_source else set())
            remove_unwritten(self.lake, datasets, self.since, self.until, self.report.written)


def remove_unwritten(
    lake: Lake,
    datasets: Iterable[str],
    since: datetime,
    until: datetime,
    written: list[WrittenFile],
) -> None:
    """A window re-run replaces whole hours: drop the service partitions of the window that
    this run did not write (a service that no longer logs there)."""
    done = {(w.dataset, w.key) for w in written}
    for dataset in datasets:
        for key in lake.partitions_in(dataset, since, until):
            if (dataset, key) not in done:
                lake.remove_partition(dataset, key)


def _contract_defaults(events: pl.DataFrame) -> pl.DataFrame:
    """What the log_event contract promises: a timestamp, a message, a type, a status."""
    return events.with_columns(
        timestamp=pl.coalesce(pl.col("timestamp"), pl.col("observed_at").dt.cast_time_unit("us")),
        message=pl.col("message").fill_null(""),
        event_type=pl.col("event_type").fill_null("other"),
        parse_status=pl.col("parse_status").fill_null("unparsed"),
    )


def _contract(dataset: str, df: pl.DataFrame) -> Contract:
    """The published contract of `dataset`; intermediates get one from their own columns."""
    if dataset in CONTRACTS:
        return load_contract(CONTRACTS[dataset])
    schema = df.drop("_h", strict=False).to_arrow().schema.remove_metadata()
    return Contract(dataset, "internal", ("service", "date", "hour"), ("observed_at",), schema)


def run_stage(
    lake: Lake,
    input_stage: str,
    since: datetime,
    until: datetime,
    catalog: ServiceCatalog | None = None,
    keys: list[PartitionKey] | None = None,
) -> ConvertReport:
    """Run the stage after `input_stage` over the window, reading its input back from the lake
    (what a Dagster asset does). Containers come from the inventory written at capture time.

    Service-hours are independent (records never span an hour), so `keys` may name any subset
    of the window's input partitions: that is how Spark tasks split a large backfill. Only a
    run over the whole window (keys=None) removes output partitions that no longer have input.
    """
    output = STAGES[STAGES.index(input_stage) + 1]
    inventory = load_inventory(lake)
    whole_window = keys is None
    converter = Converter(
        lake,
        catalog,
        since if whole_window else None,
        until if whole_window else None,
        outputs=[output],
    )
    for key in lake.partitions_in(input_stage, since, until) if whole_window else keys:
        table = pl.from_arrow(lake.read(input_stage, [key])).drop(PARTITION_COLUMNS)
        for (cid,), frame in table.partition_by(
            "container_id", as_dict=True, maintain_order=True
        ).items():
            container = inventory.get(cid) or ContainerInfo(id=cid)
            converter.process_stage(input_stage, container, frame)
    return converter.finish()
