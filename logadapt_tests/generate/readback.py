"""Read a generated dataset back (test helper): json-file records, CRI lines, reassembled."""

import gzip
import json
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

RFC3339NANO = re.compile(r"^(\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d)(?:\.(\d{0,8}[1-9]))?Z$")


def parse_time(text: str) -> int:
    """RFC3339Nano (Go, trailing zeros trimmed) -> ns since epoch; raises on anything else."""
    m = RFC3339NANO.match(text)
    if not m:
        raise ValueError(f"not RFC3339Nano: {text!r}")
    secs = int(datetime.fromisoformat(m.group(1)).replace(tzinfo=UTC).timestamp())
    return secs * 1_000_000_000 + int((m.group(2) or "").ljust(9, "0"))


@dataclass
class Line:
    obs_ns: int
    stream: str
    text: str
    parts: int


def manifest(out: Path) -> dict[str, dict]:
    return {c["name"]: c for c in json.loads((out / "manifest.json").read_text())["containers"]}


def read_bytes(path: Path) -> bytes:
    return gzip.decompress(path.read_bytes()) if path.name.endswith(".gz") else path.read_bytes()


def docker_files(out: Path, cid: str) -> list[Path]:
    """Oldest first: <id>-json.log.N(.gz) ... .1, then <id>-json.log."""
    cdir = out / "containers" / cid
    rotated = sorted(
        cdir.glob(f"{cid}-json.log.*"),
        key=lambda p: -int(p.name.split("-json.log.")[1].split(".")[0]),
    )
    return [*rotated, cdir / f"{cid}-json.log"]


def docker_records(out: Path, cid: str) -> list[dict]:
    records = []
    for path in docker_files(out, cid):
        for raw in read_bytes(path).decode().splitlines():
            records.append(json.loads(raw))
    return records


def docker_lines(out: Path, cid: str) -> list[Line]:
    """Records with 16 KiB partials joined back (per stream), as a reader must do."""
    lines, pending = [], {}
    for rec in docker_records(out, cid):
        stream, log = rec["stream"], rec["log"]
        if not log.endswith("\n"):
            pending.setdefault(stream, []).append(rec)
            continue
        head = pending.pop(stream, [])
        text = "".join(r["log"] for r in head) + log[:-1]
        first = head[0] if head else rec
        lines.append(Line(parse_time(first["time"]), stream, text, len(head) + 1))
    assert not pending, "partial records without their final part"
    return lines


CRI_LINE = re.compile(r"^(\S+) (stdout|stderr) ([FP]) (.*)$", re.S)


def cri_lines(out: Path, files: list[str]) -> list[Line]:
    lines, pending = [], {}
    for rel in files:
        for raw in read_bytes(out / rel).decode().split("\n")[:-1]:
            m = CRI_LINE.match(raw)
            assert m, raw[:200]
            ts, stream, tag, text = m.groups()
            if tag == "P":
                pending.setdefault(stream, []).append((ts, text))
                continue
            head = pending.pop(stream, [])
            first_ts = head[0][0] if head else ts
            lines.append(
                Line(
                    parse_time(first_ts), stream, "".join(t for _, t in head) + text, len(head) + 1
                )
            )
    assert not pending
    return lines
