"""Docker's json-file driver: `<id>/<id>-json.log`, its rotations and `config.v2.json`.

Docker rotates `<id>-json.log` to `.1`, `.2`, ... and, with `compress=true`, gzips rotations to
`.N.gz` in the background (`.N` is deleted once `.N.gz` is complete, so while both exist they
hold the same records: like Docker's own reader we prefer `.N`). A record is
`{"log":"text\\n","stream":"stdout","attrs":{...},"time":"RFC3339Nano Z"}`; `log` without the
newline is a partial record of a line Docker cut at 16 KiB. Docker omits an empty `log`
(`omitempty`) and reads such a record back as an empty partial line, and so do we.

Fast path: a whole chunk goes through polars' NDJSON reader at once. Only a chunk the reader
rejects (or whose row count does not match its lines) is bisected down to small ranges read
record by record, so one bad record costs a handful of reader calls, not a loop over the chunk.
"""

import json
import os
import re
import struct
from datetime import datetime
from pathlib import Path

import polars as pl
import pyarrow as pa

from logadapt_assets.sources.base import ContainerInfo
from logadapt_assets.sources.text import (
    CHUNK_BYTES,
    ChunkParser,
    ContainerFiles,
    FileLogSource,
    Skipped,
    parse_rfc3339,
    quarantine_rows,
    split_lines,
    strip_newline,
)

CURRENT = re.compile(r"^(?P<id>.+)-json\.log$")
ROTATED = re.compile(r"^(?P<id>.+)-json\.log\.(?P<n>\d+)(?P<gz>\.gz)?$")
_JSON_SCHEMA = {"log": pl.String, "stream": pl.String, "time": pl.String}
_SLOW_ROWS = 32  # ranges this small are read record by record
_BLANK = r"^[ \t\r]*$"  # not a record: skipped, like the NDJSON reader does


# --------------------------------------------------------------------------- metadata


def docker_time(text: str | None) -> datetime | None:
    """Docker's RFC3339Nano (or the zero time `0001-01-01T00:00:00Z`) -> aware datetime."""
    if not text or text.startswith("0001-01-01"):
        return None
    m = re.match(r"^(.*T\d\d:\d\d:\d\d)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$", text)
    if not m:
        return None
    frac = (m.group(2) or "")[:6].ljust(6, "0")
    zone = "+00:00" if m.group(3) == "Z" else m.group(3)
    try:
        return datetime.fromisoformat(f"{m.group(1)}.{frac}{zone}")
    except ValueError:
        return None


def container_state(state: dict) -> str | None:
    """Docker's state word: `Status` from the API, derived from the flags in config.v2.json."""
    if not state:
        return None
    if state.get("Status"):
        return str(state["Status"])
    if state.get("Running"):
        if state.get("Paused"):
            return "paused"
        if state.get("Restarting"):
            return "restarting"
        return "running"
    if state.get("RemovalInProgress"):
        return "removing"
    if state.get("Dead"):
        return "dead"
    if docker_time(state.get("StartedAt")) is None:
        return "created"
    return "exited"


def container_info(doc: dict, fallback_id: str) -> ContainerInfo:
    """ContainerInfo from `docker inspect` output or a `config.v2.json` (same layout)."""
    config = doc.get("Config") or {}
    state = doc.get("State") or {}
    env = {}
    for item in config.get("Env") or []:
        key, _, value = str(item).partition("=")
        env[key] = value
    name = doc.get("Name")
    return ContainerInfo(
        id=str(doc.get("ID") or doc.get("Id") or fallback_id),
        name=str(name).lstrip("/") if name else None,
        image=config.get("Image") or None,
        labels={str(k): str(v) for k, v in (config.get("Labels") or {}).items()},
        env=env,
        state=container_state(state),
        restart_count=int(doc.get("RestartCount") or 0),
        started_at=docker_time(state.get("StartedAt")),
        finished_at=docker_time(state.get("FinishedAt")),
        host=config.get("Hostname") or None,
    )


def read_config(directory: Path, container_id: str) -> ContainerInfo:
    """The container's config.v2.json when it is there and readable, else just its id."""
    try:
        doc = json.loads((directory / "config.v2.json").read_text())
    except (OSError, ValueError):
        return ContainerInfo(id=container_id)
    if not isinstance(doc, dict):
        return ContainerInfo(id=container_id)
    if doc.get("ID") and doc["ID"] != container_id:
        return ContainerInfo(id=container_id)
    return container_info(doc, container_id)


# --------------------------------------------------------------------------- records


class JsonChunkParser:
    """One chunk of a json-file -> raw rows + quarantine rows (see the module docstring)."""

    def __init__(self, container_id: str):
        self.container_id = container_id

    def start_file(self, source: str, mtime: datetime) -> None:
        pass

    def parse(self, data: bytes, offset: int, source: str) -> tuple[pl.DataFrame, pl.DataFrame]:
        lines, starts = split_lines(data)
        n = len(lines)
        frames: list[pl.DataFrame] = []
        bad: list[dict] = []
        unterminated = not data.endswith(b"\n")
        self._read_range(data, lines, starts, 0, n, frames, bad, unterminated)
        starts_s = pl.Series("position", starts).cast(pl.Int64) + offset
        if len(frames) == 1 and "_row" not in frames[0].columns:  # the fast path
            good = frames[0].with_columns(
                starts_s, pl.int_range(0, n, dtype=pl.Int64).alias("_row")
            )
        elif frames:
            good = pl.concat([f.with_columns(pl.col("_row").cast(pl.Int64)) for f in frames])
            good = good.sort("_row")
            good = good.with_columns(starts_s.gather(good["_row"]))
        else:
            good = pl.DataFrame(schema={**_JSON_SCHEMA, "_row": pl.Int64, "position": pl.Int64})
        good = good.with_columns(
            parse_rfc3339(good["time"]).alias("observed_at"), pl.col("log").fill_null("")
        )
        nulls = good.select("log", "stream", "observed_at").null_count().row(0)
        if any(nulls) or (good["stream"] == "").any():
            ok = (
                pl.col("log").is_not_null()
                & pl.col("stream").is_not_null()
                & (pl.col("stream") != "")
                & pl.col("observed_at").is_not_null()
            )
            bad.extend(self._invalid_records(good.filter(~ok), lines, offset))
            good = good.filter(ok)
        final = pl.col("log").str.ends_with("\n")
        raw = good.select(
            pl.lit(self.container_id).alias("container_id"),
            "stream",
            "observed_at",
            strip_newline(good["log"]).alias("line"),
            (~final).alias("partial"),
            pl.lit(source).alias("source"),
            "position",
        )
        bad.sort(key=lambda row: row["position"])
        for row in bad:
            row["position"] += offset
            row["source"] = source
        return raw, quarantine_rows(bad)

    def _read_range(self, data, lines, starts, i, j, frames, bad, unterminated) -> None:
        """Rows i..j-1: whole range through the NDJSON reader, else bisect, else one by one."""
        if i >= j:
            return
        b0 = starts[i].as_py()
        b1 = starts[j].as_py() if j < len(starts) else len(data)
        segment = data if (b0 == 0 and b1 == len(data)) else data[b0:b1]
        try:
            df = pl.read_ndjson(segment, schema=_JSON_SCHEMA)
        except Exception:  # noqa: BLE001 - any reader error means: look closer
            df = None
        if df is not None:
            if df.height == j - i:
                if i == 0 and j == len(lines):
                    frames.append(df)
                else:
                    frames.append(df.with_columns(pl.int_range(i, j, dtype=pl.Int64).alias("_row")))
                return
            try:
                text = pl.Series(lines.slice(i, j - i).cast(pa.large_string()))
            except pa.ArrowInvalid:
                text = None
            rows = (
                pl.DataFrame({"t": text})
                .with_row_index("_r")
                .filter(~pl.col("t").str.contains(_BLANK))["_r"]
                if text is not None
                else None
            )
            if rows is not None and rows.len() == df.height:
                frames.append(df.with_columns((rows.cast(pl.Int64) + i).alias("_row")))
                return
        if j - i <= _SLOW_ROWS:
            self._read_slow(lines, starts, i, j, frames, bad, unterminated)
            return
        mid = (i + j) // 2
        self._read_range(data, lines, starts, i, mid, frames, bad, unterminated)
        self._read_range(data, lines, starts, mid, j, frames, bad, unterminated)

    def _read_slow(self, lines, starts, i, j, frames, bad, unterminated) -> None:
        rows: dict[str, list] = {"log": [], "stream": [], "time": [], "_row": []}
        last = len(lines) - 1
        for k in range(i, j):
            raw: bytes = lines[k].as_py()
            if not raw.strip(b" \t\r"):
                continue
            problem = self._record(raw, k == last and unterminated, rows, k)
            if problem:
                reason, detail = problem
                bad.append(self._bad(starts[k].as_py(), reason, detail, raw))
        if rows["_row"]:
            frames.append(pl.DataFrame(rows, schema={**_JSON_SCHEMA, "_row": pl.Int64}))

    @staticmethod
    def _record(raw: bytes, cut_short: bool, rows: dict, k: int) -> tuple[str, str] | None:
        """Append one record to rows, or say why it is not one."""
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError as exc:
            return "invalid_utf8", f"invalid UTF-8 at byte {exc.start}"
        try:
            obj = json.loads(text, strict=False)  # strict=False: raw control bytes (NUL) are ok
        except ValueError as exc:
            if cut_short:
                return "truncated", f"last line of the file is incomplete: {exc}"
            return "invalid_json", str(exc)
        if not isinstance(obj, dict):
            return "invalid_record", f"a JSON {type(obj).__name__}, not an object"
        values = []
        for key in ("log", "stream", "time"):
            value = obj.get(key, "" if key == "log" else None)  # Docker omits an empty log
            if not isinstance(value, str):
                return "invalid_record", f"'{key}' missing or not a string"
            try:
                value.encode("utf-8")
            except UnicodeEncodeError:
                return "invalid_json", f"'{key}' holds a lone surrogate escape"
            values.append(value)
        for key, value in zip(("log", "stream", "time"), values, strict=True):
            rows[key].append(value)
        rows["_row"].append(k)
        return None

    def _bad(self, position: int, reason: str, detail: str, raw: bytes | None) -> dict:
        return {
            "container_id": self.container_id,
            "stream": None,
            "observed_at": None,
            "source": None,  # set by parse()
            "position": position,
            "reason": reason,
            "detail": detail,
            "raw": raw,
        }

    def _invalid_records(self, invalid: pl.DataFrame, lines: pa.Array, offset: int) -> list[dict]:
        out = []
        for row, position, stream, t, ts in invalid.select(
            "_row", "position", "stream", "time", "observed_at"
        ).iter_rows():
            why = "'time' is not RFC3339" if t is not None and ts is None else "field missing"
            rec = self._bad(position - offset, "invalid_record", why, lines[row].as_py())
            rec["stream"] = stream or None
            out.append(rec)
        return out


# --------------------------------------------------------------------------- time bounds


def gzip_last_time(raw_header: bytes) -> datetime | None:
    """Docker stores the last record's time in the gzip header's extra field as JSON."""
    if len(raw_header) < 12 or raw_header[:2] != b"\x1f\x8b" or not raw_header[3] & 0x04:
        return None
    (xlen,) = struct.unpack_from("<H", raw_header, 10)
    try:
        meta = json.loads(raw_header[12 : 12 + xlen])
    except ValueError:
        return None
    return docker_time(meta.get("lastTime")) if isinstance(meta, dict) else None


def _record_time(line: bytes) -> datetime | None:
    try:
        obj = json.loads(line)
    except ValueError:
        return None
    return docker_time(obj.get("time")) if isinstance(obj, dict) else None


# --------------------------------------------------------------------------- the source


class JsonFileSource(FileLogSource):
    """json-file logs: a container dir, a `containers/` root, or one `*-json.log*` file."""

    def __init__(self, path: str | os.PathLike, chunk_bytes: int = CHUNK_BYTES):
        super().__init__(path, chunk_bytes)
        self._dirs: dict[str, Path] = {}

    def _discover(self) -> list[ContainerFiles]:
        try:
            if not self.path.is_dir():
                return [self._single(self.path)]
            found = self._in_dir(self.path)
            if not found:
                entries = sorted(self.path.iterdir())
                for sub in entries:
                    if sub.is_dir():
                        found.extend(self._in_dir(sub))
                if not found:  # links to json-files (dockershim's /var/log/containers), copies
                    found = [self._single(p) for p in entries if p.is_file()]
            return found
        except OSError as exc:
            self.skipped.append(Skipped("", str(self.path), "unreadable", str(exc)))
            return []

    def _single(self, path: Path) -> ContainerFiles:
        """One file read on its own; a link to a json-file names its container."""
        target = path.resolve()
        if m := CURRENT.match(target.name) or ROTATED.match(target.name):
            cid = m.group("id")
        else:
            name = path.name.removesuffix(".gz")
            cid = name.rsplit(".", 1)[0] if "." in name else name
        return ContainerFiles(read_config(target.parent, cid), [(path,)])

    def _in_dir(self, directory: Path) -> list[ContainerFiles]:
        out = []
        for cid, files in sorted(_log_files(directory).items()):
            self._dirs[cid] = directory
            out.append(ContainerFiles(read_config(directory, cid), files))
        return out

    def _list_files(self, cf: ContainerFiles) -> list[tuple[Path, ...]]:
        directory = self._dirs.get(cf.info.id)
        if directory is None:  # a single file given explicitly
            return cf.files
        return _log_files(directory).get(cf.info.id, [])

    def _parser(self, info: ContainerInfo) -> ChunkParser:
        return JsonChunkParser(info.id)

    def _line_time(self, line: bytes) -> datetime | None:
        return _record_time(line)

    def _gzip_last_time(self, header: bytes) -> datetime | None:
        return gzip_last_time(header)


def _log_files(directory: Path) -> dict[str, list[tuple[Path, ...]]]:
    """Per container id in a directory: its log files oldest first (`.N` before `.N.gz`)."""
    try:
        names = [p.name for p in directory.iterdir()]
    except OSError:
        return {}
    current: dict[str, Path] = {}
    rotated: dict[str, dict[int, list[Path]]] = {}
    for name in names:
        if m := CURRENT.match(name):
            current[m.group("id")] = directory / name
        elif m := ROTATED.match(name):
            alts = rotated.setdefault(m.group("id"), {}).setdefault(int(m.group("n")), [])
            alts.insert(0 if not m.group("gz") else len(alts), directory / name)
    out: dict[str, list[tuple[Path, ...]]] = {}
    for cid in sorted(set(current) | set(rotated)):
        files = [tuple(alts) for _, alts in sorted(rotated.get(cid, {}).items(), reverse=True)]
        if cid in current:
            files.append((current[cid],))
        out[cid] = files
    return out
