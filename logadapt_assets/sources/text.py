"""Chunked line reading shared by every file source, and the `docker logs -t` / plain text sources.

json-file, CRI and text logs are all newline-delimited, so one reader serves them: it reads a few
MiB at a time (memory stays bounded whatever the file size; only a single huge line grows a
chunk), splits the chunk into lines with Arrow kernels and hands them to a format's vectorised
chunk parser, one chunk ahead in a worker thread.

- Files of a container are opened all at once before reading, so a rotation during the read
  cannot shift names under us. A file that vanished before it could be opened is skipped and
  noted in `source.skipped` (`Skipped(container_id, source, reason="vanished", detail)`): it is
  not a bad record, so it is not quarantined.
- For a time window, a file whose capture times are known to lie outside it is not read, and a
  big file is entered by bisection near the window start (only when sampled times grow along
  the file: a clock step back means the file is read whole).
- A record without a time of its own (quarantined) is filed under its neighbour's time, so
  re-reading an hour quarantines it exactly once.
"""

import codecs
import gzip
import logging
import os
import queue
import re
import threading
import zlib
from bisect import bisect_right
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import BinaryIO, Protocol, TypeVar

import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

from logadapt_assets.sources.base import (
    BATCH_RECORDS,
    QUARANTINE_SCHEMA,
    RAW_SCHEMA,
    RAW_SNIPPET_BYTES,
    ContainerInfo,
    SourceBatch,
)

log = logging.getLogger(__name__)
T = TypeVar("T")

CHUNK_BYTES = 8 << 20  # bytes read per step; a chunk holds tens of thousands of records
GZIP_MAGIC = b"\x1f\x8b"
# Runtimes stamp records per stream and write them under a lock, so capture times in a file are
# only nearly monotonic. Whole-file skips and early stops keep this much margin.
WINDOW_SLACK = timedelta(minutes=5)

RAW_COLUMNS: dict[str, pl.DataType] = {
    "container_id": pl.String,
    "stream": pl.String,
    "observed_at": pl.Datetime("ns", "UTC"),
    "line": pl.String,
    "partial": pl.Boolean,
    "source": pl.String,
    "position": pl.Int64,
}
QUARANTINE_COLUMNS: dict[str, pl.DataType] = {
    "container_id": pl.String,
    "stream": pl.String,
    "observed_at": pl.Datetime("ns", "UTC"),
    "source": pl.String,
    "position": pl.Int64,
    "reason": pl.String,
    "detail": pl.String,
    "raw": pl.Binary,
    "raw_size": pl.Int64,
}

_FMT_Z = "%Y-%m-%dT%H:%M:%S%.fZ"  # Docker: RFC3339Nano in UTC (trailing zeros trimmed)
_FMT_OFFSET = "%Y-%m-%dT%H:%M:%S%.f%#z"  # containerd / CRI-O: local time with an offset
_RFC3339_PREFIX = re.compile(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:\d\d) ")
DOCKER_PARTIAL_BYTES = 16 * 1024  # Docker cuts a longer line into records of this many bytes
PROBE_BYTES = 64 * 1024  # read at a file's ends / seek probes to find one whole line
SEEK_MIN_BYTES = 1 << 20  # bisecting stops when the window start is this close


@dataclass(frozen=True)
class Skipped:
    """An input that could not be read at all (not a bad record): why, and where."""

    container_id: str
    source: str
    reason: str  # vanished, unreadable
    detail: str = ""


@dataclass
class ContainerFiles:
    """A container and its log files, oldest first; each file lists alternative names."""

    info: ContainerInfo
    files: list[tuple[Path, ...]] = field(default_factory=list)


class ChunkParser(Protocol):
    """Turns one chunk of complete lines into raw rows and quarantine rows (polars frames).

    Raw rows have RAW_COLUMNS (plus optional `_window_at`, the time that decides the window);
    quarantine rows have QUARANTINE_COLUMNS, observed_at null when the record carries no time.
    """

    def start_file(self, source: str, mtime: datetime) -> None:
        """Called before a file's first chunk (files of a container come oldest first)."""
        ...

    def parse(self, data: bytes, offset: int, source: str) -> tuple[pl.DataFrame, pl.DataFrame]: ...


# --------------------------------------------------------------------------- small helpers


def utc(value: datetime | None) -> datetime | None:
    """A window bound as an aware UTC datetime (naive values are taken as UTC)."""
    if value is None:
        return None
    if value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value.astimezone(UTC)


def parse_rfc3339(text: pl.Series) -> pl.Series:
    """RFC3339(Nano) text -> Datetime(ns, UTC); null where it is not one.

    Arrow's ISO-8601 cast is an order of magnitude faster than strptime, but all-or-nothing:
    only when some value fails does polars' per-value parser (Docker's `Z` form, then any
    offset) decide which ones.
    """
    try:
        return pl.Series(text.name, pc.cast(text.to_arrow(), pa.timestamp("ns", tz="UTC")))
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError):
        pass
    kw = {"time_unit": "ns", "time_zone": "UTC", "strict": False, "cache": False}
    parsed = text.str.to_datetime(_FMT_Z, **kw)
    if parsed.null_count() > text.null_count():
        parsed = parsed.fill_null(text.str.to_datetime(_FMT_OFFSET, **kw))
    return parsed


def empty_raw() -> pl.DataFrame:
    return pl.DataFrame(schema=RAW_COLUMNS)


def empty_quarantine_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=QUARANTINE_COLUMNS)


def quarantine_rows(rows: list[dict]) -> pl.DataFrame:
    """Quarantine dicts -> frame; raw bytes are cut to RAW_SNIPPET_BYTES, their size kept."""
    if not rows:
        return empty_quarantine_frame()
    for r in rows:
        raw = r.get("raw")
        r["raw_size"] = len(raw) if raw is not None else 0
        if raw is not None:
            r["raw"] = raw[:RAW_SNIPPET_BYTES]
    return pl.DataFrame(rows, schema=QUARANTINE_COLUMNS)


def to_raw_table(df: pl.DataFrame) -> pa.Table:
    arrow = df.select(list(RAW_COLUMNS)).to_arrow()
    return pa.Table.from_arrays(
        [arrow.column(f.name).cast(f.type) for f in RAW_SCHEMA], schema=RAW_SCHEMA
    )


def to_quarantine_table(df: pl.DataFrame) -> pa.Table:
    arrow = df.select(list(QUARANTINE_COLUMNS)).to_arrow()
    return pa.Table.from_arrays(
        [arrow.column(f.name).cast(f.type) for f in QUARANTINE_SCHEMA], schema=QUARANTINE_SCHEMA
    )


def window_filter(df: pl.DataFrame, column: str, since: datetime | None, until: datetime | None):
    """Rows with since <= column < until."""
    if df.height == 0 or (since is None and until is None):
        return df
    cond = pl.lit(True)
    if since is not None:
        cond = cond & (pl.col(column) >= since)
    if until is not None:
        cond = cond & (pl.col(column) < until)
    return df.filter(cond)


# --------------------------------------------------------------------------- chunks and lines


def open_log(path: Path) -> BinaryIO:
    """Open a log file for reading, decompressing a `.gz` one (runtimes always name them so;
    a plain log that happens to start with gzip's magic bytes is still read as text)."""
    fh = open(path, "rb")  # noqa: SIM115 - caller owns it
    if path.name.endswith(".gz") and fh.read(2) == GZIP_MAGIC:
        fh.seek(0)
        return gzip.GzipFile(fileobj=fh, mode="rb")  # closing it leaves fh open: see close_log
    fh.seek(0)
    return fh


def close_log(fh: BinaryIO) -> None:
    inner = getattr(fh, "fileobj", None)
    fh.close()
    if inner is not None:
        inner.close()


def iter_chunks(
    fh: BinaryIO, chunk_bytes: int = CHUNK_BYTES, start: int = 0
) -> Iterator[tuple[int, bytes]]:
    """(offset, bytes) of whole lines from `start` (a line start); only the file's last chunk
    may lack the final newline. On a read error the bytes already read are still yielded
    before the error propagates.
    """
    if start:
        fh.seek(start)
    pending: list[bytes] = []  # start of a line longer than what was read so far
    offset = start
    while True:
        try:
            block = fh.read(chunk_bytes)
        except Exception:
            if pending:
                yield offset, b"".join(pending)
            raise
        if not block:
            if pending:
                yield offset, b"".join(pending)
            return
        cut = block.rfind(b"\n") + 1
        if cut == 0:  # one line longer than a chunk: keep growing it
            pending.append(block)
            continue
        if cut == len(block) and not pending:
            data = block
        else:  # one copy: the carried start of a line + the complete lines of this block
            data = b"".join([*pending, memoryview(block)[:cut]])
        yield offset, data
        offset += len(data)
        pending = [block[cut:]] if cut < len(block) else []


def split_lines(data: bytes) -> tuple[pa.Array, pa.Array]:
    """Lines of `data` (large_binary, without '\\n') and their byte offsets in `data` (int64)."""
    arr = pa.array([data], pa.large_binary())
    lines = pc.list_flatten(pc.split_pattern(arr, b"\n"))
    if data.endswith(b"\n"):
        lines = lines.slice(0, len(lines) - 1)
    lens = pc.add(pc.binary_length(lines), 1)
    starts = pc.subtract(pc.cumulative_sum(lens), lens)
    return lines, starts


def invalid_utf8_rows(data: bytes, starts: list[int]) -> list[int]:
    """Indexes of the lines holding invalid UTF-8; one decode pass, a step per bad line."""
    bad: list[int] = []
    view = memoryview(data)
    pos = 0
    while pos < len(data):
        try:
            codecs.utf_8_decode(view[pos:], "strict", True)
            break
        except UnicodeDecodeError as exc:
            row = bisect_right(starts, pos + exc.start) - 1
            bad.append(row)
            pos = starts[row + 1] if row + 1 < len(starts) else len(data)
    return bad


def decode_lines(data: bytes, lines: pa.Array, starts: pa.Array) -> tuple[pl.Series, list[int]]:
    """Lines as a String series (null where invalid UTF-8) and the invalid rows' indexes."""
    try:
        return pl.Series("text", lines.cast(pa.large_string())), []
    except pa.ArrowInvalid:
        pass
    bad = invalid_utf8_rows(data, starts.to_pylist())
    mask = pa.array([False] * len(lines))
    if bad:
        flags = [False] * len(lines)
        for i in bad:
            flags[i] = True
        mask = pa.array(flags)
    cleaned = pc.if_else(mask, pa.scalar(None, pa.large_binary()), lines)
    return pl.Series("text", cleaned.cast(pa.large_string())), bad


def strip_newline(text: pl.Series) -> pl.Expr:
    """An expression for the record text without its trailing newline (`\\r\\n` from a TTY
    container counts as one); the costlier `\\r` check runs only if the batch has one."""
    col = pl.col(text.name)
    line = col.str.strip_suffix("\n")
    if text.str.ends_with("\r\n").any():
        line = pl.when(col.str.ends_with("\r\n")).then(line.str.strip_suffix("\r")).otherwise(line)
    return line


# --------------------------------------------------------------------------- the file source


class _Batcher:
    """Collects frames of one container and emits SourceBatches of at most `size` rows."""

    def __init__(self, info: ContainerInfo, size: int = BATCH_RECORDS):
        self.info = info
        self.size = size
        self.raw: list[pl.DataFrame] = []
        self.quarantine: list[pl.DataFrame] = []
        self.rows = 0
        self.bad = 0

    def add(self, raw: pl.DataFrame, quarantine: pl.DataFrame) -> Iterator[SourceBatch]:
        if raw.height:
            self.raw.append(raw)
            self.rows += raw.height
        if quarantine.height:
            self.quarantine.append(quarantine)
            self.bad += quarantine.height
        while self.rows >= self.size:
            yield self._emit(self.size)
        if self.bad >= self.size:  # a file of garbage must not pile up either
            yield self._emit(self.rows)

    def finish(self) -> Iterator[SourceBatch]:
        if self.rows or self.quarantine:
            yield self._emit(self.rows)

    def _emit(self, n: int) -> SourceBatch:
        raw = pl.concat(self.raw) if self.raw else empty_raw()
        head, rest = raw.slice(0, n), raw.slice(n)
        self.raw = [rest] if rest.height else []
        self.rows = rest.height
        quarantine = pl.concat(self.quarantine) if self.quarantine else empty_quarantine_frame()
        self.quarantine = []
        self.bad = 0
        return SourceBatch(self.info, to_raw_table(head), to_quarantine_table(quarantine))


def date_quarantine(
    raw: pl.DataFrame, quarantine: pl.DataFrame, previous: datetime | None, fallback: datetime
) -> pl.DataFrame:
    """Give quarantined records without a time the capture time of their neighbours.

    The previous good record's time (else the next one's, else the file's mtime) keeps a bad
    record in the hour it was written in, so re-reading an hour quarantines it exactly once.
    """
    missing = quarantine["observed_at"].is_null()
    if not missing.any():
        return quarantine
    q = quarantine.with_row_index("_q").sort("position")
    if raw.height:
        times = raw.select("position", pl.col("observed_at").alias("_t")).sort("position")
        q = q.join_asof(times.rename({"_t": "_prev"}), on="position", strategy="backward")
        q = q.join_asof(times.rename({"_t": "_next"}), on="position", strategy="forward")
    else:
        q = q.with_columns(
            pl.lit(None, dtype=pl.Datetime("ns", "UTC")).alias("_prev"),
            pl.lit(None, dtype=pl.Datetime("ns", "UTC")).alias("_next"),
        )
    filled = pl.coalesce(
        "observed_at",
        "_prev",
        pl.lit(previous, dtype=pl.Datetime("ns", "UTC")),
        "_next",
        pl.lit(fallback, dtype=pl.Datetime("ns", "UTC")),
    )
    return q.with_columns(filled.alias("observed_at")).sort("_q").select(list(QUARANTINE_COLUMNS))


class FileLogSource:
    """A log source over files: subclasses say which containers/files exist and how to parse."""

    uri: str

    def __init__(self, path: str | os.PathLike, chunk_bytes: int = CHUNK_BYTES):
        self.path = Path(path)
        self.uri = str(path)
        self.chunk_bytes = chunk_bytes
        self.skipped: list[Skipped] = []
        self.prefetch = True  # parse the next chunk while the caller works on this one
        self.batch_records = BATCH_RECORDS

    def close(self) -> None:
        """Nothing stays open between reads; here so every source can be used in `with`."""

    def __enter__(self) -> "FileLogSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # -- to implement
    def _discover(self) -> list[ContainerFiles]:
        raise NotImplementedError

    def _parser(self, info: ContainerInfo) -> ChunkParser:
        raise NotImplementedError

    def _list_files(self, cf: ContainerFiles) -> list[tuple[Path, ...]]:
        """Files to read now (re-listed at read time so a rotation since discovery is seen)."""
        return cf.files

    def _line_time(self, line: bytes) -> datetime | None:
        """Capture time of one raw line (None: unknown), used to skip and seek, never to read."""
        return None

    def _gzip_last_time(self, header: bytes) -> datetime | None:
        """Last capture time of a compressed file from its gzip header, when the runtime says."""
        return None

    # -- LogSource
    def containers(self) -> list[ContainerInfo]:
        return [cf.info for cf in self._discover()]

    def read(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        select: Callable[[ContainerInfo], bool] | None = None,
    ) -> Iterator[SourceBatch]:
        """Records with since <= observed_at < until, per container, oldest file first."""
        since, until = utc(since), utc(until)
        for cf in self._discover():
            if select is None or select(cf.info):
                yield from self._read_container(cf, since, until)

    def containers_with_lines(self) -> list[tuple[ContainerInfo, int]]:
        """Every container with the lines in its log files, estimated (bytes / the mean line
        length of its newest file's head): the weight of its work, cheap to know before reading."""
        out = []
        for cf in self._discover():
            size = sum(_size(names) for names in cf.files)
            out.append((cf.info, size // _mean_line_bytes(cf.files[-1]) if cf.files else 0))
        return out

    # -- machinery
    def _skip(self, cf: ContainerFiles, path: Path, reason: str, detail: str) -> None:
        log.warning("skipping %s (%s): %s", path, reason, detail)
        self.skipped.append(Skipped(cf.info.id, str(path), reason, detail))

    def _open_all(self, cf: ContainerFiles) -> list[tuple[Path, BinaryIO, datetime]]:
        opened = []
        listed = self._list_files(cf)
        if not listed and cf.files:  # the container's logs were removed since discovery
            self._skip(cf, cf.files[-1][0], "vanished", "log files disappeared before reading")
        for candidates in listed:
            for path in candidates:
                try:
                    fh = open_log(path)
                    mtime = datetime.fromtimestamp(os.fstat(_fileno(fh)).st_mtime, UTC)
                except FileNotFoundError:
                    continue
                except OSError as exc:
                    self._skip(cf, path, "unreadable", str(exc))
                    break
                opened.append((path, fh, mtime))
                break
            else:
                self._skip(cf, candidates[0], "vanished", "file disappeared before it was read")
        return opened

    def _read_container(
        self, cf: ContainerFiles, since: datetime | None, until: datetime | None
    ) -> Iterator[SourceBatch]:
        opened = self._open_all(cf)
        batcher = _Batcher(cf.info, self.batch_records)
        parser = self._parser(cf.info)
        previous: datetime | None = None
        try:
            for path, fh, mtime in opened:
                first, last, ordered = self._time_profile(fh)
                if since is not None and last is not None and last < since - WINDOW_SLACK:
                    continue  # like `docker logs --since`, trusting a gzip header's last time
                if ordered and until is not None and first >= until + WINDOW_SLACK:
                    continue
                start = self._seek(fh, since) if ordered else 0
                chunks = self._read_file(parser, cf, path, fh, mtime, previous, start)
                for raw, quarantine in prefetch(chunks) if self.prefetch else chunks:
                    if raw.height:
                        previous = raw["observed_at"][-1]
                    window_col = "_window_at" if "_window_at" in raw.columns else "observed_at"
                    kept = window_filter(raw, window_col, since, until).select(list(RAW_COLUMNS))
                    yield from batcher.add(
                        kept, window_filter(quarantine, "observed_at", since, until)
                    )
                    if (
                        ordered
                        and until is not None
                        and raw.height
                        and raw["observed_at"].min() >= until + WINDOW_SLACK
                    ):
                        break  # the rest of this file is later than the window
            yield from batcher.finish()
        finally:
            for _, fh, _ in opened:
                close_log(fh)

    def _time_profile(self, fh: BinaryIO) -> tuple[datetime | None, datetime | None, bool]:
        """(first, last, ordered): capture times at a file's two ends, and whether times grow
        along the file at nine sampled points (within WINDOW_SLACK).

        Only an ordered file is skipped, sought into or left early; one with a clock step back
        or lines of unknown time is read whole. A gzip rotation only tells its last time.
        """
        try:
            fd = _fileno(fh)
            head = os.pread(fd, PROBE_BYTES, 0)
            if isinstance(fh, gzip.GzipFile):
                return None, self._gzip_last_time(head), False
            size = os.fstat(fd).st_size
            tail = os.pread(fd, PROBE_BYTES, max(0, size - PROBE_BYTES))
        except OSError:
            return None, None, False
        first = self._line_time(head[: head.find(b"\n")]) if b"\n" in head else None
        body = tail[: tail.rfind(b"\n")]
        last = self._line_time(body.rsplit(b"\n", 1)[-1]) if b"\n" in tail else None
        if first is None or last is None:
            return first, last, False
        times = [first]
        for k in range(1, 8):
            found = self._probe(fd, size * k // 8) if size > 8 * PROBE_BYTES else None
            if found is not None:
                times.append(found[1])
        times.append(last)
        ordered = all(b >= a - WINDOW_SLACK for a, b in zip(times, times[1:], strict=False))
        return first, last, ordered

    def _seek(self, fh: BinaryIO, since: datetime | None) -> int:
        """A line start at or before the window's first record, found by bisecting the file.

        Capture times grow along a file (within WINDOW_SLACK), so an hourly read of a big
        current file does not start at byte 0. Every probe must agree with that order; one that
        does not (clock stepped back), or a line whose time is unknown, means: read it all.
        """
        if since is None or isinstance(fh, gzip.GzipFile):
            return 0
        try:
            fd = _fileno(fh)
            size = os.fstat(fd).st_size
        except OSError:
            return 0
        target = since - WINDOW_SLACK
        lo, hi = 0, size
        probes: list[tuple[int, datetime]] = []
        while hi - lo > SEEK_MIN_BYTES:
            mid = (lo + hi) // 2
            found = self._probe(fd, mid)
            if found is None or found[0] >= hi:
                break
            probes.append(found)
            if found[1] < target:
                lo = found[0]
            else:
                hi = mid
        probes.sort()
        for (_, t1), (_, t2) in zip(probes, probes[1:], strict=False):
            if t2 < t1 - WINDOW_SLACK:
                return 0
        return lo

    def _probe(self, fd: int, at: int) -> tuple[int, datetime] | None:
        """(offset, time) of the first whole line after byte `at`."""
        try:
            buf = os.pread(fd, PROBE_BYTES, at)
        except OSError:
            return None
        begin = buf.find(b"\n") + 1
        end = buf.find(b"\n", begin)
        if begin == 0 or end < 0:
            return None
        t = self._line_time(buf[begin:end])
        return None if t is None else (at + begin, t)

    def _read_file(
        self,
        parser: ChunkParser,
        cf: ContainerFiles,
        path: Path,
        fh: BinaryIO,
        mtime: datetime,
        previous: datetime | None,
        start: int = 0,
    ) -> Iterator[tuple[pl.DataFrame, pl.DataFrame]]:
        source = str(path)
        offset_done = start
        parser.start_file(source, mtime)
        try:
            for offset, data in iter_chunks(fh, self.chunk_bytes, start):
                raw, quarantine = parser.parse(data, offset, source)
                if quarantine.height:
                    quarantine = date_quarantine(raw, quarantine, previous, mtime)
                if raw.height:
                    previous = raw["observed_at"][-1]
                offset_done = offset + len(data)
                yield raw, quarantine
        except (OSError, EOFError, zlib.error) as exc:
            reason = "corrupt_gzip" if isinstance(fh, gzip.GzipFile) else "read_error"
            row = {
                "container_id": cf.info.id,
                "stream": None,
                "observed_at": previous or mtime,
                "source": source,
                "position": offset_done,
                "reason": reason,
                "detail": f"{type(exc).__name__}: {exc}; the rest of the file is unreadable",
                "raw": None,
            }
            yield empty_raw(), quarantine_rows([row])


def _micro(stamp: str) -> str:
    """RFC3339Nano -> what datetime.fromisoformat takes: at most 6 fraction digits, +00:00."""
    stamp = stamp.replace("Z", "+00:00")
    return re.sub(r"\.(\d{1,9})", lambda m: "." + m.group(1)[:6].ljust(6, "0"), stamp)


def _mean_line_bytes(names: tuple[Path, ...], sample: int = 1 << 16) -> int:
    """Mean bytes per line in the head of the first of a file's names that opens (1 if none)."""
    for path in names:
        try:
            fh = open_log(path)
        except OSError:
            continue
        try:
            head = fh.read(sample)
        except (OSError, EOFError, zlib.error):
            return 1
        finally:
            close_log(fh)
        return max(1, len(head) // max(1, head.count(b"\n")))
    return 1


def _size(names: tuple[Path, ...]) -> int:
    """Bytes of text in the first of a file's names that exists (0 if none does): a gzip
    file's trailer gives its uncompressed size (modulo 4 GiB), so rotated files weigh right."""
    for path in names:
        try:
            if path.name.endswith(".gz"):
                with open(path, "rb") as fh:
                    fh.seek(-4, os.SEEK_END)
                    return int.from_bytes(fh.read(4), "little")
            return path.stat().st_size
        except OSError:
            continue
    return 0


def prefetch(items: Iterator[T], depth: int = 1) -> Iterator[T]:
    """Run a generator one step ahead in a worker thread.

    Reading and parsing (Arrow/polars kernels, which release the GIL) of the next chunk then
    overlap with whatever the caller does with this one. Order and exceptions are kept; if the
    caller stops early, the worker stops at its next item.
    """
    out: queue.Queue = queue.Queue(maxsize=depth)
    stop = threading.Event()
    done = object()

    def work() -> None:
        try:
            for item in items:
                while not stop.is_set():
                    try:
                        out.put((item, None), timeout=0.1)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            out.put((done, None))
        except BaseException as exc:  # noqa: BLE001 - handed to the consumer
            out.put((done, exc))

    worker = threading.Thread(target=work, name="logadapt-prefetch", daemon=True)
    worker.start()
    try:
        while True:
            item, exc = out.get()
            if item is done:
                if exc is not None:
                    raise exc
                return
            yield item
    finally:
        stop.set()
        while worker.is_alive():  # unblock a worker waiting to put
            try:
                out.get_nowait()
            except queue.Empty:
                worker.join(0.05)
        close = getattr(items, "close", None)
        if close is not None:
            close()


def _fileno(fh: BinaryIO) -> int:
    inner = getattr(fh, "fileobj", None)
    return inner.fileno() if inner is not None else fh.fileno()


# --------------------------------------------------------------------------- text sources


def _leading_time(line: pl.Expr) -> pl.Expr:
    """A leading ISO-8601 date-time (optionally in brackets) of a plain log line, as UTC.

    Times without a zone are taken as UTC: a plain file carries no zone of its own.
    """
    m = (
        r"^\[?(\d{4}-\d{2}-\d{2})[T ](\d{2}:\d{2}:\d{2})(?:[.,](\d{1,9}))?"
        r"(Z|[+-]\d{2}:?\d{2}| ?UTC)?"
    )
    date = line.str.extract(m, 1)
    clock = line.str.extract(m, 2)
    frac = line.str.extract(m, 3).fill_null("0")
    zone = (
        line.str.extract(m, 4)
        .str.strip_chars()
        .str.replace("^UTC$", "Z")
        .str.replace(r"^([+-]\d{2})(\d{2})$", "$1:$2")
        .fill_null("Z")
    )
    text = date + "T" + clock + "." + frac + zone
    return text.str.to_datetime(_FMT_OFFSET, time_unit="ns", time_zone="UTC", strict=False)


class TextChunkParser:
    """`docker logs -t` output (RFC3339Nano prefix) or a plain log file: one container per file."""

    def __init__(self, container_id: str, docker_logs: bool):
        self.container_id = container_id
        self.docker_logs = docker_logs
        self.mtime: datetime | None = None
        self.last: datetime | None = None  # last known time, carried across chunks

    def start_file(self, source: str, mtime: datetime) -> None:
        self.mtime = mtime

    def parse(self, data: bytes, offset: int, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        lines, starts = split_lines(data)
        text, bad = decode_lines(data, lines, starts)
        df = pl.DataFrame(
            {"text": text, "position": pl.Series(starts).cast(pl.Int64) + offset}
        ).with_row_index("_row")
        quarantine = self._bad_rows(lines, starts, bad, offset, source)
        if bad:
            df = df.filter(pl.col("text").is_not_null())
        if self.docker_logs:
            df = self._docker_logs(df)
        else:
            df = df.select(
                "_row",
                "position",
                _leading_time(pl.col("text")).alias("observed_at"),
                pl.col("text").str.strip_suffix("\r").alias("line"),
                pl.lit(False).alias("partial"),
            )
        # A line without a time of its own (a continuation line) takes the previous line's time;
        # lines before the first time take the next one; a file without times its mtime.
        t = pl.col("observed_at").forward_fill()
        if self.last is not None:
            t = t.fill_null(pl.lit(self.last, dtype=pl.Datetime("ns", "UTC")))
        t = t.backward_fill().fill_null(pl.lit(self.mtime, dtype=pl.Datetime("ns", "UTC")))
        df = df.with_columns(t.alias("observed_at"))
        if df.height and df["observed_at"][-1] is not None:
            self.last = df["observed_at"][-1]
        raw = df.select(
            pl.lit(self.container_id).alias("container_id"),
            pl.lit("stdout").alias("stream"),
            "observed_at",
            "line",
            "partial",
            pl.lit(source).alias("source"),
            "position",
        )
        return raw, quarantine

    def _bad_rows(self, lines, starts, bad, offset, source) -> pl.DataFrame:
        return quarantine_rows(
            [
                {
                    "container_id": self.container_id,
                    "stream": None,
                    "observed_at": None,
                    "source": source,
                    "position": starts[i].as_py() + offset,
                    "reason": "invalid_utf8",
                    "detail": "line is not valid UTF-8",
                    "raw": lines[i].as_py(),
                }
                for i in bad
            ]
        )

    def _docker_logs(self, df: pl.DataFrame) -> pl.DataFrame:
        """Split `TS text` lines and re-cut the records Docker glued into one long line.

        `docker logs -t` prints each 16 KiB partial record with its own timestamp and no newline
        in between, so a long line reads `TS part1TS part2TS rest`. A cut is where a timestamp
        prefix starts 16 KiB after the previous record's text began (a few bytes later when
        Docker replaced a multi-byte character it had cut with U+FFFD).
        """
        head = df["text"].str.splitn(" ", 2)
        ts = parse_rfc3339(head.struct.field("field_0"))
        parts = df.with_columns(
            ts.alias("observed_at"),
            pl.when(ts.is_not_null())
            .then(head.struct.field("field_1").fill_null(""))
            .otherwise(pl.col("text"))
            .alias("body"),
        )
        is_long = pl.col("observed_at").is_not_null() & (
            pl.col("body").str.len_bytes() > DOCKER_PARTIAL_BYTES
        )
        short = parts.filter(~is_long).select(
            "_row",
            "position",
            "observed_at",
            pl.col("body").str.strip_suffix("\r").alias("line"),
            pl.lit(False).alias("partial"),
        )
        long = parts.filter(is_long)
        if long.height == 0:
            return short
        # rare: only lines over 16 KiB are walked, one record at a time
        rows: dict[str, list] = {"_row": [], "position": [], "ts": [], "line": [], "partial": []}
        for row, position, text, body in zip(
            long["_row"], long["position"], long["text"], long["body"], strict=True
        ):
            raw = body.encode()
            head_len = len(text.encode()) - len(raw)
            line_ts = text.encode()[: head_len - 1].decode()
            begin, at, ts_text, piece_at = 0, DOCKER_PARTIAL_BYTES, line_ts, 0
            while True:
                m = None
                if at < len(raw):
                    for slack in range(7):
                        m = _RFC3339_PREFIX.match(raw, at + slack)
                        if m:
                            break
                cut = m.start() if m else len(raw)
                rows["_row"].append(row)
                rows["position"].append(position + piece_at)
                rows["ts"].append(ts_text)
                rows["line"].append(raw[begin:cut].decode("utf-8", "replace"))
                rows["partial"].append(m is not None)
                if m is None:
                    break
                ts_text = raw[m.start() : m.end() - 1].decode()
                piece_at = head_len + m.start()
                begin = m.end()
                at = m.end() + DOCKER_PARTIAL_BYTES
        pieces = pl.DataFrame(
            rows,
            schema={
                "_row": pl.UInt32,
                "position": pl.Int64,
                "ts": pl.String,
                "line": pl.String,
                "partial": pl.Boolean,
            },
        )
        pieces = pieces.select(
            "_row",
            "position",
            parse_rfc3339(pieces["ts"]).alias("observed_at"),
            pl.when(pl.col("partial"))
            .then(pl.col("line"))
            .otherwise(pl.col("line").str.strip_suffix("\r"))
            .alias("line"),
            "partial",
        )
        return pl.concat([short, pieces]).sort("_row", "position")


class TextSource(FileLogSource):
    """`docker logs -t` text or plain log files: one file (or each file of a directory) is one
    container whose id and name are the file name without its extension."""

    def __init__(self, path: str | os.PathLike, docker_logs: bool, chunk_bytes: int = CHUNK_BYTES):
        super().__init__(path, chunk_bytes)
        self.docker_logs = docker_logs

    def _discover(self) -> list[ContainerFiles]:
        if self.path.is_dir():
            paths = sorted(p for p in self.path.iterdir() if p.is_file())
        else:
            paths = [self.path]
        out = []
        for p in paths:
            name = p.name.removesuffix(".gz")
            stem = name.rsplit(".", 1)[0] if "." in name else name
            out.append(ContainerFiles(ContainerInfo(id=stem, name=stem), [(p,)]))
        return out

    def _parser(self, info: ContainerInfo) -> ChunkParser:
        return TextChunkParser(info.id, self.docker_logs)

    def _line_time(self, line: bytes) -> datetime | None:
        if not self.docker_logs or not (m := _RFC3339_PREFIX.match(line)):
            return None
        stamp = m.group(0)[:-1].decode()
        return datetime.fromisoformat(_micro(stamp))
