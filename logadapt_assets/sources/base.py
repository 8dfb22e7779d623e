"""What every source yields: container metadata and bounded Arrow batches of raw records.

A source never raises on bad content. A record it cannot read becomes a quarantine row with the
reason, so for every container: records read = raw records + quarantined.
"""

from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol

import pyarrow as pa

from logadapt_assets.schema import load_contract

# A source record: the lake's raw_log line plus the runtime's partial flag (16 KiB splits, CRI P)
_RAW_LINE = load_contract("raw_log").arrow
RAW_SCHEMA = _RAW_LINE.insert(
    _RAW_LINE.get_field_index("line") + 1, pa.field("partial", pa.bool_(), nullable=False)
)
QUARANTINE_SCHEMA = load_contract("quarantine").arrow
BATCH_RECORDS = 32_768  # records per batch: bounds memory (a parse holds ~6x its text)
RAW_SNIPPET_BYTES = 65_536  # quarantined records keep at most this many bytes


@dataclass(frozen=True)
class ContainerInfo:
    """A container as the runtime describes it (engine API, config.v2.json, or a file name)."""

    id: str
    name: str | None = None
    image: str | None = None
    labels: dict[str, str] = field(default_factory=dict)
    env: dict[str, str] = field(default_factory=dict)
    state: str | None = None  # running, exited, restarting, dead, ...
    restart_count: int = 0
    started_at: datetime | None = None
    finished_at: datetime | None = None
    host: str | None = None


@dataclass
class SourceBatch:
    """Raw records (RAW_SCHEMA) and quarantined records (QUARANTINE_SCHEMA) of one container.

    Batches of one container arrive in capture order per stream.
    """

    container: ContainerInfo
    records: pa.Table
    quarantine: pa.Table


class LogSource(Protocol):
    """Anything that can list containers and read their records for a time window.

    Sources are context managers (`close()` releases files and engine clients). `skipped`
    lists inputs that could not be read at all (a rotated file that vanished, a container
    removed meanwhile), so a run can say so instead of silently reading less.
    """

    uri: str
    skipped: list
    batch_records: int  # records per batch (BATCH_RECORDS unless a caller shares the memory)

    def close(self) -> None: ...

    def __enter__(self) -> "LogSource": ...

    def __exit__(self, *exc: object) -> None: ...

    def containers(self) -> list[ContainerInfo]: ...

    def read(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        select: Callable[[ContainerInfo], bool] | None = None,
    ) -> Iterator[SourceBatch]:
        """Records with since <= observed_at < until (UTC), per container, in bounded batches;
        only the containers `select` accepts when given."""
        ...


def empty_quarantine() -> pa.Table:
    return QUARANTINE_SCHEMA.empty_table()


def quarantine_table(rows: list[dict]) -> pa.Table:
    """Quarantine rows (dicts with QUARANTINE_SCHEMA keys) as a table; raw bytes are cut."""
    for r in rows:
        raw = r.get("raw")
        if raw is not None:
            r.setdefault("raw_size", len(raw))
            r["raw"] = raw[:RAW_SNIPPET_BYTES]
        r.setdefault("raw_size", 0)
    return pa.Table.from_pylist(rows, schema=QUARANTINE_SCHEMA)
