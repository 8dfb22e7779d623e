"""CRI container logs (containerd, CRI-O) as the kubelet lays them out.

A line is `<RFC3339Nano with the node's offset> <stdout|stderr> <P|F> <text>`; `P` marks a partial
record (the runtime cut a long line), `F` the record that ends it. Files:

- `/var/log/pods/<namespace>_<pod>_<uid>/<container>/<restart>.log`, rotated by the kubelet to
  `<restart>.log.<YYYYMMDD-HHMMSS>` and then gzipped to `....gz` (the plain file is removed once
  the `.gz` is complete, so while both exist they hold the same records: we read the plain one);
- `/var/log/containers/<pod>_<namespace>_<container>-<container id>.log`, symlinks to the above.

The container id comes from a `/var/log/containers` link when one points at the file; without
one a stable id is derived from namespace/pod/uid/container/restart. The kubelet's own labels
(`io.kubernetes.pod.name`, ...) are filled from the path so enrichment works as for Docker.
"""

import hashlib
import os
import re
from datetime import datetime
from pathlib import Path

import polars as pl

from logadapt_assets.sources.base import ContainerInfo
from logadapt_assets.sources.json_file import docker_time
from logadapt_assets.sources.text import (
    CHUNK_BYTES,
    ChunkParser,
    ContainerFiles,
    FileLogSource,
    decode_lines,
    parse_rfc3339,
    quarantine_rows,
    split_lines,
)

POD_DIR = re.compile(r"^(?P<ns>[^_]+)_(?P<pod>[^_]+)_(?P<uid>[^_]+)$")
CONTAINER_LINK = re.compile(
    r"^(?P<pod>[^_]+)_(?P<ns>[^_]+)_(?P<container>.+)-(?P<id>[0-9a-f]{64})\.log$"
)
RESTART_LOG = re.compile(r"^(?P<n>\d+)\.log$")
ROTATED = re.compile(r"^(?P<base>.+\.log)\.(?P<stamp>\d{8}-\d{6})(?P<gz>\.gz)?$")
_DT = pl.Datetime("ns", "UTC")


class CriChunkParser:
    """One chunk of a CRI log -> raw rows (with `_window_at`) and quarantine rows.

    CRI stamps every partial record with its own time; a line belongs to the window of its
    first part, so `_window_at` carries the first part's time (across chunks and files).
    """

    def __init__(self, container_id: str):
        self.container_id = container_id
        self.open_start: dict[str, datetime] = {}  # stream -> first time of an unfinished line

    def start_file(self, source: str, mtime: datetime) -> None:
        pass

    def parse(self, data: bytes, offset: int, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        lines, starts = split_lines(data)
        text, bad_utf8 = decode_lines(data, lines, starts)
        df = pl.DataFrame({"text": text, "_pos": pl.Series(starts).cast(pl.Int64)}).with_row_index(
            "_row"
        )
        fields = df["text"].str.splitn(" ", 4)
        tag = fields.struct.field("field_2")
        if (tag.str.len_bytes() != 1).any():  # tags are `P`/`F`, `:`-separated if ever more
            tag = tag.str.split(":").list.first()
        df = df.with_columns(
            parse_rfc3339(fields.struct.field("field_0")).alias("observed_at"),
            fields.struct.field("field_1").alias("stream"),
            tag.alias("_tag"),
            fields.struct.field("field_3").fill_null("").alias("_body"),
        )
        unterminated = not data.endswith(b"\n")
        last = len(lines) - 1
        valid = (
            pl.col("observed_at").is_not_null()
            & pl.col("stream").is_in(["stdout", "stderr"])
            & pl.col("_tag").is_in(["P", "F"])
        )
        if unterminated:
            valid = valid & (pl.col("_row") != last)
        df = df.filter(pl.col("text") != "")  # an empty line is no record
        invalid = df.filter(~valid.fill_null(False) & pl.col("text").is_not_null())
        good = df.filter(valid.fill_null(False))

        rows = [
            self._bad(starts[i].as_py(), "invalid_utf8", "not UTF-8", lines[i]) for i in bad_utf8
        ]
        for row, pos, stream, ts in invalid.select("_row", "_pos", "stream", "observed_at").rows():
            cut = unterminated and row == last
            reason = "truncated" if cut else "invalid_format"
            detail = "last line of the file is incomplete" if cut else "not a CRI log line"
            rec = self._bad(pos, reason, detail, lines[row])
            if stream in ("stdout", "stderr"):
                rec["stream"] = stream
            rec["observed_at"] = ts
            rows.append(rec)
        rows.sort(key=lambda rec: rec["position"])
        for rec in rows:
            rec["position"] += offset
            rec["source"] = source

        partial = pl.col("_tag") == "P"
        raw = good.select(
            pl.lit(self.container_id).alias("container_id"),
            "stream",
            "observed_at",
            pl.when(partial)
            .then(pl.col("_body"))
            .otherwise(pl.col("_body").str.strip_suffix("\r"))
            .alias("line"),
            partial.alias("partial"),
            pl.lit(source).alias("source"),
            (pl.col("_pos") + offset).alias("position"),
        )
        return self._window_times(raw), quarantine_rows(rows)

    def _window_times(self, raw: pl.DataFrame) -> pl.DataFrame:
        """`_window_at`: the time of the line's first part, carried per stream across chunks."""
        if raw.height == 0:
            return raw.with_columns(pl.col("observed_at").alias("_window_at"))
        if not self.open_start and not raw["partial"].any():
            return raw.with_columns(pl.col("observed_at").alias("_window_at"))
        carried = pl.lit(None, dtype=_DT)
        for stream, at in self.open_start.items():
            carried = (
                pl.when(pl.col("stream") == stream).then(pl.lit(at, dtype=_DT)).otherwise(carried)
            )
        prev_partial = pl.col("partial").shift(1).over("stream")
        starts_line = prev_partial.not_().fill_null(carried.is_null())
        first = (
            pl.when(starts_line)
            .then(pl.col("observed_at"))
            .otherwise(None)
            .forward_fill()
            .over("stream")
        )
        out = raw.with_columns(pl.coalesce(first, carried).alias("_window_at"))
        ends = out.group_by("stream").agg(pl.col("partial").last(), pl.col("_window_at").last())
        for stream, partial, at in ends.rows():
            if partial:
                self.open_start[stream] = at
            else:
                self.open_start.pop(stream, None)
        return out

    def _bad(self, position: int, reason: str, detail: str, raw) -> dict:
        return {
            "container_id": self.container_id,
            "stream": None,
            "observed_at": None,
            "source": None,
            "position": position,
            "reason": reason,
            "detail": detail,
            "raw": raw.as_py(),
        }


def _synthetic_id(*parts: str) -> str:
    return hashlib.sha256("/".join(parts).encode()).hexdigest()


def _rotations(current: Path) -> list[tuple[Path, ...]]:
    """Rotated files of a CRI log, oldest first; the plain file before its `.gz` twin."""
    by_stamp: dict[str, list[Path]] = {}
    try:
        names = os.listdir(current.parent)
    except OSError:
        return []
    for name in names:
        m = ROTATED.match(name)
        if m and m.group("base") == current.name:
            alts = by_stamp.setdefault(m.group("stamp"), [])
            alts.insert(len(alts) if m.group("gz") else 0, current.parent / name)
    return [tuple(by_stamp[s]) for s in sorted(by_stamp)]


def describe(path: Path, link: Path | None = None) -> ContainerInfo:
    """ContainerInfo from the kubelet's path conventions (link name and/or pods layout)."""
    labels: dict[str, str] = {}
    cid = name = None
    restart = 0
    if link is not None and (m := CONTAINER_LINK.match(link.name)):
        cid, name = m.group("id"), m.group("container")
        labels["io.kubernetes.pod.name"] = m.group("pod")
        labels["io.kubernetes.pod.namespace"] = m.group("ns")
        labels["io.kubernetes.container.name"] = name
    m_restart = RESTART_LOG.match(path.name)
    m_pod = POD_DIR.match(path.parent.parent.name) if m_restart else None
    if m_restart and m_pod:
        name = name or path.parent.name
        restart = int(m_restart.group("n"))
        labels.setdefault("io.kubernetes.pod.name", m_pod.group("pod"))
        labels.setdefault("io.kubernetes.pod.namespace", m_pod.group("ns"))
        labels["io.kubernetes.pod.uid"] = m_pod.group("uid")
        labels.setdefault("io.kubernetes.container.name", name)
        cid = cid or _synthetic_id(
            m_pod.group("ns"), m_pod.group("pod"), m_pod.group("uid"), name, str(restart)
        )
    if cid is None:
        stem = path.name.removesuffix(".gz")
        cid = stem.removesuffix(".log") if stem.endswith(".log") else stem
        name = name or cid
    return ContainerInfo(
        id=cid,
        name=name,
        labels=labels,
        restart_count=restart,
        host=labels.get("io.kubernetes.pod.name"),
    )


class CriSource(FileLogSource):
    """CRI logs: one file, a pod/container directory, /var/log/pods or /var/log/containers."""

    def __init__(self, path: str | os.PathLike, chunk_bytes: int = CHUNK_BYTES):
        super().__init__(path, chunk_bytes)
        self._current: dict[str, Path | None] = {}  # container id -> current file (resolved)

    def _discover(self) -> list[ContainerFiles]:
        if self.path.is_file() or (self.path.is_symlink() and not self.path.is_dir()):
            info = describe(self.path.resolve(), self.path if self.path.is_symlink() else None)
            return [ContainerFiles(info, [(self.path,)])]
        links: dict[Path, Path] = {}  # resolved target -> /var/log/containers link
        currents: set[Path] = set()
        orphans: dict[Path, None] = {}  # rotations whose current file is gone
        for dirpath, _dirs, filenames in os.walk(self.path):
            for fname in filenames:
                p = Path(dirpath) / fname
                if fname.endswith(".log"):
                    target = p.resolve()
                    if not target.exists():
                        continue
                    currents.add(target)
                    if p != target:
                        links[target] = p
                elif (m := ROTATED.match(fname)) and not (Path(dirpath) / m.group("base")).exists():
                    orphans[Path(dirpath) / m.group("base")] = None
        sibling = self.path / ".." / "containers"
        if self.path.name == "pods" and sibling.is_dir():
            for link in sibling.iterdir():
                if link.is_symlink() and CONTAINER_LINK.match(link.name):
                    links.setdefault(link.resolve(), link)
        out = []
        for current in sorted(currents | set(orphans)):
            info = describe(current, links.get(current))
            self._current[info.id] = current
            files = _rotations(current)
            if current in currents:
                files.append((current,))
            out.append(ContainerFiles(info, files))
        return out

    def _list_files(self, cf: ContainerFiles) -> list[tuple[Path, ...]]:
        current = self._current.get(cf.info.id)
        if current is None:
            return cf.files
        files = _rotations(current)
        if current.exists():
            files.append((current,))
        return files

    def _parser(self, info: ContainerInfo) -> ChunkParser:
        return CriChunkParser(info.id)

    def _line_time(self, line: bytes) -> datetime | None:
        return docker_time(line.split(b" ", 1)[0].decode("ascii", "replace"))
