"""Write captured lines the way container runtimes store them.

Docker json-file (moby daemon/logger/jsonfilelog): one JSON object per record,
`{"log":"...","stream":"stdout","time":"<RFC3339Nano>"}`; the copier cuts lines at 16 KiB
(all but the last part without a trailing newline, every part with the first part's time);
strings escaped like moby's ffjsonWriteJSONBytesAsString (\\n, \\r, \\", \\\\ short, other control
bytes and < > & U+2028 U+2029 as \\uXXXX); rotation by max-size, `.1`, `.2`, ... or `.1.gz`
with the last timestamp in the gzip header, like `compress=true`. Beside it config.v2.json and
hostconfig.json, shaped like the engine's.

CRI (containerd): `<RFC3339Nano> <stream> <F|P> <line>` in
pods/<namespace>_<pod>_<uid>/<container>/<restart>.log, lines over 16 KiB split into P parts,
kubelet rotation to `0.log.<YYYYMMDD-HHMMSS>` (older ones gzip'd), symlinks in containers/.
"""

import json
import os
import zlib
from dataclasses import dataclass, field
from pathlib import Path

import polars as pl
import pyarrow as pa

from logadapt_assets.generate.engine import rfc3339nano
from logadapt_assets.generate.platform import Container, digest

MAX_LINE = 16 * 1024  # Docker's copier buffer and containerd's default max line size
_CONTROL = [chr(c) for c in range(32) if chr(c) not in "\n\r"]
_ESCAPE_FROM = ["\\", '"', "\n", "\r", "<", ">", "&", "\u2028", "\u2029", *_CONTROL]
_ESCAPE_TO = [
    "\\\\",
    '\\"',
    "\\n",
    "\\r",
    "\\u003c",
    "\\u003e",
    "\\u0026",
    "\\u2028",
    "\\u2029",
    *[f"\\u{ord(c):04x}" for c in _CONTROL],
]
ZERO_TIME = "0001-01-01T00:00:00Z"


@dataclass
class Runtime:
    """What the engine knows about a container's life in the window."""

    created_ns: int
    started_ns: int  # last start
    running: bool = True
    finished_ns: int | None = None
    exit_code: int = 0
    restarts: list[int] = field(default_factory=list)  # start times after a die


@dataclass
class Written:
    paths: list[Path] = field(default_factory=list)
    bytes: int = 0


def docker_escape(text: pl.Expr) -> pl.Expr:
    return text.str.replace_many(_ESCAPE_FROM, _ESCAPE_TO)


def _split_long(lines: pl.DataFrame, docker: bool) -> pl.DataFrame:
    """Rows (obs_ns, stream, line) -> (obs_ns, stream, part, final) cut at 16 KiB.

    Docker: parts of exactly 16384 bytes while the rest is >= 16384, then the rest (possibly
    empty) as the final part; containerd: parts of 16384 while more than 16384 bytes remain.
    Long lines are rare, so their split is a loop over those few rows only.
    """
    size = pl.col("line").str.len_bytes()
    long_mask = (size >= MAX_LINE) if docker else (size > MAX_LINE)
    lines = lines.with_row_index("row")
    short = lines.filter(~long_mask).select(
        "row",
        "obs_ns",
        "stream",
        pl.col("line").alias("part"),
        pl.lit(0, pl.UInt32).alias("k"),
        pl.lit(True).alias("final"),
    )
    rows = []
    for row, obs, stream, line in (
        lines.filter(long_mask).select("row", "obs_ns", "stream", "line").iter_rows()
    ):
        raw = line.encode()
        chunks = [raw[i : i + MAX_LINE] for i in range(0, len(raw), MAX_LINE)]
        if docker and len(raw) % MAX_LINE == 0:
            chunks.append(b"")
        for k, chunk in enumerate(chunks):
            part_ns = obs if docker else obs + k * 900
            rows.append(
                (row, part_ns, stream, chunk.decode("utf-8", "replace"), k, k == len(chunks) - 1)
            )
    long_parts = pl.DataFrame(
        rows,
        orient="row",
        schema={
            "row": pl.UInt32,
            "obs_ns": pl.Int64,
            "stream": pl.String,
            "part": pl.String,
            "k": pl.UInt32,
            "final": pl.Boolean,
        },
    )
    return pl.concat([short, long_parts]).sort("row", "k").drop("row", "k")


def _write_series(path: Path, records: pl.Series, compress_meta: str | None = None) -> int:
    """Concatenate the records (each already ends with a newline) into one file."""
    arr = records.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    arr = arr.cast(pa.large_string())
    bufs = arr.buffers()
    offsets = pa.Array.from_buffers(pa.int64(), len(arr) + 1, [None, bufs[1]], offset=arr.offset)
    lo, hi = offsets[0].as_py(), offsets[len(arr)].as_py()
    data = bufs[2]
    payload = data.slice(lo, hi - lo) if data is not None else b""
    path.parent.mkdir(parents=True, exist_ok=True)
    if compress_meta is None:
        with path.open("wb") as f:
            f.write(payload)
        return hi - lo
    blob = gzip_with_extra(bytes(payload), compress_meta.encode())
    path.write_bytes(blob)
    return len(blob)


def gzip_with_extra(data: bytes, extra: bytes) -> bytes:
    """A gzip member with the FEXTRA field Go's gzip.Writer writes from Header.Extra (mtime 0)."""
    header = b"\x1f\x8b\x08\x04" + b"\x00\x00\x00\x00" + b"\x00\xff"
    header += len(extra).to_bytes(2, "little") + extra
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    trailer = (zlib.crc32(data) & 0xFFFFFFFF).to_bytes(4, "little")
    trailer += (len(data) & 0xFFFFFFFF).to_bytes(4, "little")
    return header + body + trailer


def _rotation_cuts(sizes: pl.Series, capacity: int) -> list[int]:
    """Record indices where a new file starts: before a write, rotate if size >= max-size."""
    cum = sizes.cast(pl.Int64).cum_sum()
    cuts, start, base = [0], 0, 0
    n = len(sizes)
    while True:
        j = int(cum.search_sorted(base + capacity, side="left"))
        if j >= n - 1:
            break
        start = j + 1
        base = int(cum[j])
        cuts.append(start)
    return cuts


def write_docker(
    out: Path,
    container: Container,
    lines: pl.DataFrame,
    runtime: Runtime,
    rotate_into: int,
    compress: bool,
) -> Written:
    """One container's json-file directory: <id>-json.log (+ rotations) and its config."""
    written = Written()
    cid = container.id
    cdir = out / "containers" / cid
    parts = _split_long(lines, docker=True)
    records = parts.select(
        (
            pl.lit('{"log":"')
            + docker_escape(pl.col("part"))
            + pl.when(pl.col("final")).then(pl.lit("\\n")).otherwise(pl.lit(""))
            + pl.lit('","stream":"')
            + pl.col("stream")
            + pl.lit('","time":"')
            + pl.col("obs_ns").map_batches(rfc3339nano, return_dtype=pl.String)
            + pl.lit('"}\n')
        ).alias("rec"),
        pl.col("obs_ns"),
    )
    log_opts: dict[str, str] = {}
    cuts = [0]
    if rotate_into > 1 and len(records):
        total = int(records["rec"].str.len_bytes().sum())
        kib = max(1, -(-total // (rotate_into * 1024)))
        log_opts = {"max-file": str(rotate_into + 1), "max-size": f"{kib}k"}
        if compress:
            log_opts["compress"] = "true"
        cuts = _rotation_cuts(records["rec"].str.len_bytes(), kib * 1024)
    bounds = [*cuts, len(records)]
    n_files = len(cuts)
    base = cdir / f"{cid}-json.log"
    for i in range(n_files):
        chunk = records.slice(bounds[i], bounds[i + 1] - bounds[i])
        age = n_files - 1 - i  # 0 = current file
        if age == 0:
            path, meta = base, None
        elif compress:
            last = rfc3339nano(chunk["obs_ns"].tail(1))[0]
            path = cdir / f"{cid}-json.log.{age}.gz"
            meta = json.dumps({"lastTime": last}, separators=(",", ":"))
        else:
            path, meta = cdir / f"{cid}-json.log.{age}", None
        written.bytes += _write_series(path, chunk["rec"], meta)
        written.paths.append(path)
    if not len(records):
        base.parent.mkdir(parents=True, exist_ok=True)
        base.write_bytes(b"")
        written.paths.append(base)
    for name, doc in (
        ("config.v2.json", docker_config(container, runtime)),
        ("hostconfig.json", docker_hostconfig(container, log_opts)),
    ):
        (cdir / name).write_text(json.dumps(doc, separators=(",", ":")))
    return written


def _time(ns: int | None) -> str:
    return ZERO_TIME if ns is None else rfc3339nano(pl.Series([ns], dtype=pl.Int64))[0]


def docker_config(c: Container, rt: Runtime) -> dict:
    """config.v2.json as dockerd 20.10+ writes it (RestartCount is top-level, not in State)."""
    cdir = f"/var/lib/docker/containers/{c.id}"
    return {
        "StreamConfig": {},
        "State": {
            "Running": rt.running,
            "Paused": False,
            "Restarting": False,
            "OOMKilled": False,
            "RemovalInProgress": False,
            "Dead": False,
            "Pid": 4000 + int(c.id[:4], 16) % 60000 if rt.running else 0,
            "ExitCode": rt.exit_code,
            "Error": "",
            "StartedAt": _time(rt.started_ns),
            "FinishedAt": _time(rt.finished_ns),
            "Health": None,
        },
        "ID": c.id,
        "Created": _time(rt.created_ns),
        "Managed": False,
        "Path": c.cmd[0],
        "Args": c.cmd[1:],
        "Config": {
            "Hostname": c.id[:12],
            "Domainname": "",
            "User": "",
            "AttachStdin": False,
            "AttachStdout": True,
            "AttachStderr": True,
            "Tty": False,
            "OpenStdin": False,
            "StdinOnce": False,
            "Env": [f"{k}={v}" for k, v in c.env.items()],
            "Cmd": c.cmd,
            "Image": c.image,
            "Volumes": None,
            "WorkingDir": "",
            "Entrypoint": None,
            "OnBuild": None,
            "Labels": dict(sorted(c.labels.items())),
        },
        "Image": "sha256:" + digest("image", c.image),
        "NetworkSettings": {
            "Bridge": "",
            "SandboxID": digest("sandbox", c.id),
            "HairpinMode": False,
            "LinkLocalIPv6Address": "",
            "LinkLocalIPv6PrefixLen": 0,
            "Networks": {
                "shop_default": {
                    "IPAMConfig": None,
                    "Links": None,
                    "Aliases": [c.name, c.id[:12]],
                    "NetworkID": digest("network", "shop_default"),
                    "EndpointID": digest("ep", c.id),
                    "Gateway": c.ip.rsplit(".", 1)[0] + ".1",
                    "IPAddress": c.ip,
                    "IPPrefixLen": 16,
                    "IPv6Gateway": "",
                    "GlobalIPv6Address": "",
                    "GlobalIPv6PrefixLen": 0,
                    "MacAddress": "02:42:" + ":".join(f"{int(x):02x}" for x in c.ip.split(".")),
                    "DriverOpts": None,
                    "IPAMOperational": False,
                }
            },
            "Service": None,
            "Ports": None,
            "SandboxKey": f"/var/run/docker/netns/{digest('sandbox', c.id)[:12]}",
            "SecondaryIPAddresses": None,
            "SecondaryIPv6Addresses": None,
            "IsAnonymousEndpoint": False,
            "HasSwarmEndpoint": False,
        },
        "LogPath": f"{cdir}/{c.id}-json.log",
        "Name": "/" + c.name,
        "Driver": "overlay2",
        "OS": "linux",
        "MountLabel": "",
        "ProcessLabel": "",
        "RestartCount": len(rt.restarts),
        "HasBeenStartedBefore": True,
        "HasBeenManuallyStopped": False,
        "MountPoints": {},
        "SecretReferences": None,
        "ConfigReferences": None,
        "AppArmorProfile": "docker-default",
        "HostnamePath": f"{cdir}/hostname",
        "HostsPath": f"{cdir}/hosts",
        "ShmPath": "",
        "ResolvConfPath": f"{cdir}/resolv.conf",
        "SeccompProfile": "",
        "NoNewPrivileges": False,
        "LocalLogCacheMeta": {"HaveNotifyEnabled": False},
    }


def docker_hostconfig(c: Container, log_opts: dict[str, str]) -> dict:
    return {
        "Binds": None,
        "ContainerIDFile": "",
        "LogConfig": {"Type": "json-file", "Config": log_opts},
        "NetworkMode": "shop_default",
        "PortBindings": {},
        "RestartPolicy": {"Name": c.restart_policy, "MaximumRetryCount": 0},
        "AutoRemove": False,
        "VolumeDriver": "",
        "VolumesFrom": None,
    }


def write_cri(
    out: Path, container: Container, lines: pl.DataFrame, runtime: Runtime, rotate_into: int
) -> Written:
    """One container's CRI log files: a file per (re)start, kubelet-style rotation."""
    written = Written()
    pod_dir = out / "pods" / f"{container.namespace}_{container.pod}_{container.pod_uid}"
    cdir = pod_dir / container.cri_name
    parts = _split_long(lines, docker=False)
    restarts = pl.Series("r", runtime.restarts, dtype=pl.Int64)
    records = parts.select(
        (
            pl.col("obs_ns").map_batches(rfc3339nano, return_dtype=pl.String)
            + " "
            + pl.col("stream")
            + " "
            + pl.when(pl.col("final")).then(pl.lit("F")).otherwise(pl.lit("P"))
            + " "
            + pl.col("part")
            + "\n"
        ).alias("rec"),
        pl.col("obs_ns"),
        pl.col("obs_ns")
        .map_batches(lambda s: restarts.search_sorted(s, side="right"), return_dtype=pl.UInt32)
        .alias("attempt")
        if len(restarts)
        else pl.lit(0, pl.UInt32).alias("attempt"),
    )
    attempts = sorted(set(records["attempt"].to_list())) or [0]
    last_path = None
    for attempt in attempts:
        chunk = records.filter(pl.col("attempt") == attempt)
        current = cdir / f"{attempt}.log"
        if rotate_into > 1 and attempt == attempts[-1] and len(chunk) > rotate_into:
            total = int(chunk["rec"].str.len_bytes().sum())
            cuts = _rotation_cuts(chunk["rec"].str.len_bytes(), -(-total // rotate_into))
            bounds = [*cuts, len(chunk)]
            for i in range(len(cuts)):
                piece = chunk.slice(bounds[i], bounds[i + 1] - bounds[i])
                if i == len(cuts) - 1:
                    path, gz = current, False
                else:
                    stamp = (
                        piece["obs_ns"]
                        .tail(1)
                        .cast(pl.Datetime("ns", "UTC"))
                        .dt.strftime("%Y%m%d-%H%M%S")[0]
                    )
                    gz = i < len(cuts) - 2  # kubelet keeps the newest rotation uncompressed
                    path = (
                        cdir / f"{attempt}.log.{stamp}"
                        if not gz
                        else cdir / f"{attempt}.log.{stamp}.gz"
                    )
                written.bytes += _write_plain_or_gzip(path, piece["rec"], gz)
                written.paths.append(path)
        else:
            written.bytes += _write_series(current, chunk["rec"])
            written.paths.append(current)
        last_path = current
    link = (
        out
        / "containers"
        / (f"{container.pod}_{container.namespace}_{container.cri_name}-{container.id}.log")
    )
    link.parent.mkdir(parents=True, exist_ok=True)
    if link.is_symlink() or link.exists():
        link.unlink()
    os.symlink(os.path.relpath(last_path, link.parent), link)
    return written


def _write_plain_or_gzip(path: Path, records: pl.Series, gz: bool) -> int:
    if not gz:
        return _write_series(path, records)
    tmp = path.with_suffix(".tmp")
    _write_series(tmp, records)
    data = tmp.read_bytes()
    tmp.unlink()
    comp = zlib.compressobj(6, zlib.DEFLATED, 31)  # plain gzip, mtime 0: deterministic
    blob = comp.compress(data) + comp.flush()
    path.write_bytes(blob)
    return len(blob)
