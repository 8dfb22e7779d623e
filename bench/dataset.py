"""Benchmark inputs made with the project's generator, and what they weigh raw and zstd -19'd.

A dataset of about N json-file lines is generated in chunks of CHUNK_HOURS hours: chunk i has
seed `seed + i` (its own containers) and covers the same hours of day i after the default
start, so more lines means more hours, as in production, not ever fatter service-hours. One
chunk holds at most CHUNK_LINES lines: the generator keeps its output in memory (~1.3 GB per 1M).

"Raw bytes" are the json-file bytes as Docker writes them, before rotation compression (the
generator gzips some rotated files, like `compress: "true"`; those are counted decompressed).
The zstd -19 reference compresses each container's files, oldest first, as one stream.
"""

import gzip
import json
import math
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from datetime import timedelta
from pathlib import Path

from logadapt_assets.generate import generate
from logadapt_assets.generate.platform import default_start

CHUNK_HOURS = 4
CHUNK_LINES = 1_000_000
LINES_PER_SCALE = 219_000  # json-file lines of one 4-hour chunk at scale 1 from the default start
DAY_FACTOR = 2.5  # a whole day logs this much more per hour than its first four (quiet) hours
SEED = 11
ZSTD_LEVEL = 19


@dataclass
class Dataset:
    root: Path
    dirs: list[Path]  # one generated dir per chunk; convert reads <dir>/containers
    lines: int  # json-file lines (records as Docker wrote them)
    raw_bytes: int  # json-file bytes, rotated .gz files counted decompressed
    disk_bytes: int  # bytes on disk (.gz rotations compressed)
    hours: int
    scale: float
    zstd19_bytes: int | None = None

    @property
    def container_roots(self) -> list[Path]:
        return [d / "containers" for d in self.dirs]

    def log_files(self) -> list[Path]:
        return sorted(f for d in self.container_roots for f in d.rglob("*-json.log*"))

    def as_dict(self) -> dict:
        d = asdict(self)
        d["root"] = str(self.root)
        d["dirs"] = [str(p) for p in self.dirs]
        return d


def rotation_order(files: list[Path]) -> list[Path]:
    """A container's json-file files oldest first: .N(.gz) ... .1(.gz), then the current one."""

    def age(p: Path) -> int:
        parts = p.name.removesuffix(".gz").rsplit(".", 1)
        return int(parts[1]) if len(parts) == 2 and parts[1].isdigit() else 0

    return sorted(files, key=age, reverse=True)


def read_raw(path: Path) -> bytes:
    if path.suffix == ".gz":
        with gzip.open(path, "rb") as fh:
            return fh.read()
    return path.read_bytes()


def plan(lines: int, hours: int = CHUNK_HOURS, chunks: int | None = None) -> tuple[int, float]:
    """(chunks, scale) giving about `lines` json-file lines in chunks of `hours` hours."""
    chunks = chunks or max(1, math.ceil(lines / CHUNK_LINES))
    per_chunk = lines / chunks
    rate = LINES_PER_SCALE / CHUNK_HOURS * (DAY_FACTOR if hours >= 24 else 1.0)
    return chunks, per_chunk / (rate * hours)


def build(
    root: Path,
    lines: int,
    seed: int = SEED,
    hours: int = CHUNK_HOURS,
    chunks: int | None = None,
    same_platform: bool = False,
    zstd: bool = True,
) -> Dataset:
    """Generate (or reuse) a dataset of about `lines` lines under `root`.

    same_platform: every chunk has the same seed, so the same containers log on through
    consecutive windows (a multi-day lake); otherwise chunk i is another platform (seed + i).
    """
    chunks, scale = plan(lines, hours, chunks)
    meta_path = root / "dataset.json"
    want = {
        "lines_requested": lines,
        "seed": seed,
        "hours": hours,
        "chunks": chunks,
        "same_platform": same_platform,
    }
    if meta_path.exists():
        meta = json.loads(meta_path.read_text())
        if meta.get("request") == want:
            ds = Dataset(**{**meta["dataset"], "root": root})
            ds.dirs = [Path(p) for p in meta["dataset"]["dirs"]]
            if zstd and ds.zstd19_bytes is None:
                ds.zstd19_bytes = zstd_bytes(ds)
                _save(meta_path, want, ds)
            return ds
    root.mkdir(parents=True, exist_ok=True)
    dirs = []
    for i in range(chunks):
        out = root / f"chunk-{i}"
        # chunk i on day i at the same hours: the same diurnal load, so N lines are N lines
        start = default_start() + timedelta(days=i * math.ceil(hours / 24))
        chunk_seed = seed if same_platform else seed + i
        generate(out, hours=hours, seed=chunk_seed, start=start, scale=scale)
        dirs.append(out)
    ds = Dataset(root, dirs, 0, 0, 0, hours * chunks, scale)
    for f in ds.log_files():
        data = read_raw(f)
        ds.lines += data.count(b"\n")
        ds.raw_bytes += len(data)
        ds.disk_bytes += f.stat().st_size
    if zstd:
        ds.zstd19_bytes = zstd_bytes(ds)
    _save(meta_path, want, ds)
    return ds


def _save(path: Path, request: dict, ds: Dataset) -> None:
    path.write_text(json.dumps({"request": request, "dataset": ds.as_dict()}, indent=2))


def zstd_bytes(ds: Dataset, level: int = ZSTD_LEVEL, workers: int = 2) -> int:
    """Size of `zstd -<level>` of each container's raw files (one stream per container)."""
    containers: dict[Path, list[Path]] = {}
    for f in ds.log_files():
        containers.setdefault(f.parent, []).append(f)

    def one(files: list[Path]) -> int:
        proc = subprocess.Popen(
            ["zstd", f"-{level}", "-q", "-c", "-T1"],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
        )
        size = 0

        def feed() -> None:
            for f in rotation_order(files):
                proc.stdin.write(read_raw(f))
            proc.stdin.close()

        with ThreadPoolExecutor(1) as ex:
            fut = ex.submit(feed)
            while chunk := proc.stdout.read(1 << 20):
                size += len(chunk)
            fut.result()
        if proc.wait() != 0:
            raise RuntimeError("zstd failed")
        return size

    # biggest containers first so two workers finish together
    jobs = sorted(containers.values(), key=lambda fs: -sum(f.stat().st_size for f in fs))
    with ThreadPoolExecutor(workers) as ex:
        return sum(ex.map(one, jobs))
