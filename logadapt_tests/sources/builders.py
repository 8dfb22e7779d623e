"""Builders for runtime log files exactly as Docker and the kubelet write them, and readers."""

import json
import struct
import zlib
from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from logadapt_assets.reassembly import Reassembler

T0 = datetime(2026, 11, 27, 20, 0, 0, tzinfo=UTC)
CID = "3f4e" + "a" * 60  # a 64-hex container id


def rfc3339(t: datetime, nanos: int = 0) -> str:
    """Go's RFC3339Nano in UTC: trailing zeros of the fraction trimmed, `Z`."""
    frac = f"{t.microsecond * 1000 + nanos:09d}".rstrip("0")
    return t.strftime("%Y-%m-%dT%H:%M:%S") + (f".{frac}" if frac else "") + "Z"


def record(log: str, stream: str = "stdout", t: datetime = T0, **extra) -> bytes:
    """One json-file record: `{"log":...,"stream":...,"attrs":...,"time":...}` + newline."""
    doc = {"log": log, "stream": stream, **extra, "time": rfc3339(t)}
    return json.dumps(doc, separators=(",", ":"), ensure_ascii=False).encode() + b"\n"


def docker_gzip(data: bytes, last_time: datetime | None) -> bytes:
    """gzip as Docker's compressFile writes it: the last record time as JSON in FEXTRA."""
    extra = json.dumps({"lastTime": rfc3339(last_time)}).encode() if last_time else b""
    flags = 0x04 if extra else 0
    header = b"\x1f\x8b\x08" + bytes([flags]) + b"\x00\x00\x00\x00\x00\xff"
    if extra:
        header += struct.pack("<H", len(extra)) + extra
    comp = zlib.compressobj(6, zlib.DEFLATED, -15)
    body = comp.compress(data) + comp.flush()
    return header + body + struct.pack("<II", zlib.crc32(data), len(data) & 0xFFFFFFFF)


def container_dir(root: Path, cid: str = CID, config: dict | None = None) -> Path:
    d = root / cid
    d.mkdir(parents=True, exist_ok=True)
    if config is not None:
        (d / "config.v2.json").write_text(json.dumps(config))
    return d


def read_all(source, since=None, until=None) -> tuple[pl.DataFrame, pl.DataFrame]:
    """All raw and quarantine rows a source yields, as two frames."""
    raw, quarantine = [], []
    for batch in source.read(since, until):
        raw.append(pl.from_arrow(batch.records))
        quarantine.append(pl.from_arrow(batch.quarantine))
    raw_df = pl.concat(raw) if raw else pl.DataFrame()
    q_df = pl.concat(quarantine) if quarantine else pl.DataFrame()
    return raw_df, q_df


def lines_of(source, since=None, until=None) -> pl.DataFrame:
    """Reassembled lines of a source."""
    r = Reassembler()
    out = [r.feed(batch.records) for batch in source.read(since, until)]
    out.append(r.flush())
    return pl.concat(out)


def write_container(
    root: Path,
    cid: str,
    name: str,
    records: list[tuple[datetime, str, str]],
    labels: dict[str, str] | None = None,
    image: str = "busybox:latest",
    env: list[str] | None = None,
) -> Path:
    """A stopped container's json-file directory: `config.v2.json` and one log file holding
    `records` as (time, stream, line without newline)."""
    config = {
        "ID": cid,
        "Name": f"/{name}",
        "Config": {"Image": image, "Labels": labels or {}, "Env": env or [], "Hostname": cid[:12]},
        "State": {
            "Running": False,
            "Status": "exited",
            "StartedAt": rfc3339(records[0][0]) if records else "",
            "FinishedAt": rfc3339(records[-1][0]) if records else "",
        },
        "RestartCount": 0,
    }
    directory = container_dir(root, cid, config)
    (directory / f"{cid}-json.log").write_bytes(
        b"".join(record(line + "\n", stream, t) for t, stream, line in records)
    )
    return directory
