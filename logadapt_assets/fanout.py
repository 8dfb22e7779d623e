"""A conversion spread over worker threads, one disjoint set of services each.

Every partition belongs to one service, so workers that own disjoint services never write the
same file, and the lake is the one a single worker would write: the same events, the same ids.
Threads, not processes: Polars and pyarrow do their work without the GIL, the catalog and the
compiled rules are shared, and memory is one interpreter's. Workers split the batch size and
the staging budget of one conversion; still, two workers on 2 cores ran 1.2x faster for about
100-150 MiB more peak memory (bench/README.md), so one worker stays the default.
Services go to workers largest first (by lines of logs, where the source can estimate them),
each to the least loaded worker; a service the plan has not seen (a container started since)
goes to the first worker.
"""

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime

from logadapt_assets.catalog import ServiceCatalog
from logadapt_assets.lake import Lake
from logadapt_assets.pipeline import (
    LOG_EVENTS,
    QUARANTINE,
    Converter,
    ConvertReport,
    remove_unwritten,
)
from logadapt_assets.sources.base import BATCH_RECORDS, ContainerInfo, LogSource, SourceBatch
from logadapt_assets.sources.open import open_source
from logadapt_assets.staging import DEFAULT_BUDGET_BYTES

Observe = Callable[[Iterable[SourceBatch]], Iterable[SourceBatch]]


def service_of(catalog: ServiceCatalog, info: ContainerInfo, override: str | None) -> str:
    """The service a container's events are written under (what partitions the lake)."""
    return override or catalog.context_for(info, []).service


def plan(weights: Counter, workers: int) -> dict[str, int]:
    """Service -> worker: largest service first, each to the least loaded worker."""
    load = [0] * max(1, min(workers, len(weights)))
    owner: dict[str, int] = {}
    for service, weight in sorted(weights.items(), key=lambda kv: (-kv[1], kv[0])):
        worker = load.index(min(load))
        owner[service] = worker
        load[worker] += weight
    return owner


def service_weights(
    sources: Sequence[LogSource], catalog: ServiceCatalog, override: str | None
) -> Counter:
    """Service -> lines of its containers' logs, estimated (1 per container where a source
    cannot say): the cost of a conversion goes with lines more than with bytes."""
    weights: Counter = Counter()
    for source in sources:
        if hasattr(source, "containers_with_lines"):
            sized = source.containers_with_lines()
        else:
            sized = [(info, 1) for info in source.containers()]
        for info, lines in sized:
            weights[service_of(catalog, info, override)] += max(1, lines)
    return weights


def convert(
    specs: Sequence[str],
    fmt: str,
    lake: Lake,
    catalog: ServiceCatalog,
    since: datetime | None = None,
    until: datetime | None = None,
    service: str | None = None,
    workers: int = 1,
    observe: Observe = lambda batches: batches,
) -> tuple[ConvertReport, list]:
    """Convert every container of `specs` into the lake: (report, skipped inputs).

    `observe` sees every batch on its way in (progress). With several workers the sources are
    opened once to plan and then once per worker, so each reads only its own containers' logs.
    """
    owner: dict[str, int] = {}
    if workers > 1:
        planning = [open_source(spec, fmt) for spec in specs]
        try:
            owner = plan(service_weights(planning, catalog, service), workers)
        finally:
            for source in planning:
                source.close()
    shares = sorted(set(owner.values())) or [0]

    def work(worker: int) -> tuple[ConvertReport, list]:
        def mine(info: ContainerInfo) -> bool:
            return owner.get(service_of(catalog, info, service), 0) == worker

        converter = Converter(
            lake, catalog, service=service, staging_budget_bytes=DEFAULT_BUDGET_BYTES // len(shares)
        )
        skipped: list = []
        for spec in specs:
            with open_source(spec, fmt) as source:
                source.batch_records = max(1024, BATCH_RECORDS // len(shares))
                batches = source.read(since, until, mine if owner else None)
                for batch in observe(batches):
                    converter.process(batch)
                skipped += source.skipped
        return converter.finish(), skipped

    if len(shares) == 1:
        report, skipped = work(shares[0])
    else:
        with ThreadPoolExecutor(len(shares), thread_name_prefix="logadapt-convert") as pool:
            results = [f.result() for f in [pool.submit(work, w) for w in shares]]
        report, skipped = ConvertReport(), []
        for part, part_skipped in results:
            report.merge(part)
            skipped += part_skipped
    if since is not None and until is not None:
        remove_unwritten(lake, [LOG_EVENTS, QUARANTINE], since, until, report.written)
    return report, list(dict.fromkeys(skipped))  # each worker lists what all of them saw
