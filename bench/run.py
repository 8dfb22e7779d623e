"""`python -m bench.run --lines N [--repeats R]`: logadapt against the tools a user would pick.

Sections (all by default, `--sections` picks some):
  convert  one generated dataset of ~N json-file lines; logadapt convert, the I/O floor, DuckDB,
           Polars, PySpark local[2] and plain Python run as whole subprocesses, interleaved
           (the order rotates every repeat), R times each; medians reported.
  memory   peak RSS of each logadapt variant at N and 5N lines (bounded memory must not grow).
  query    a multi-day lake: three questions through DuckDB, Polars and Spark vs grep.
Results go to bench/results/bench_<N>.md and .json.
"""

import argparse
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from bench import dataset as ds_mod
from bench.measure import Run, dir_bytes, run

REPO = Path(__file__).resolve().parent.parent
RESULTS = REPO / "bench" / "results"
TOOLS = [
    "logadapt",
    "logadapt_workers2",
    "io_floor",
    "duckdb_sql",
    "polars_lazy",
    "spark_sql",
    "plain_python",
]
LABELS = {
    "logadapt": "logadapt convert",
    "logadapt_workers2": "logadapt convert --workers 2",
    "io_floor": "I/O floor (Polars, no parsing)",
    "duckdb_sql": "DuckDB SQL",
    "polars_lazy": "Polars lazy",
    "spark_sql": "PySpark local[2]",
    "plain_python": "plain Python",
}
GiB = 1 << 30
MiB = 1 << 20


def env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def command(tool: str, roots: list[Path], out: Path) -> list[str]:
    py = sys.executable
    if tool.startswith("logadapt"):
        workers = ["--workers", tool.removeprefix("logadapt_workers")] if "workers" in tool else []
        convert = [py, "-m", "logadapt_assets.cli", "convert", *map(str, roots), *workers]
        return [*convert, "--lake", str(out)]
    return [py, "-m", f"bench.tools.{tool}", "--out", str(out), *map(str, roots)]


def warm(files: list[Path]) -> None:
    """Read every input once so no tool pays for a cold page cache the others do not."""
    for f in files:
        with open(f, "rb") as fh:
            while fh.read(8 << 20):
                pass


def timed(tool: str, roots: list[Path], work: Path, repeat: int, logs: Path) -> Run:
    out = work / f"out-{tool}"
    shutil.rmtree(out, ignore_errors=True)
    r = run(tool, command(tool, roots, out), repeat, env(), REPO, logs / f"{tool}-{repeat}.log")
    r.output_bytes = dir_bytes(out)
    if r.returncode != 0:
        raise RuntimeError(f"{tool} failed ({r.returncode}); see {logs / f'{tool}-{repeat}.log'}")
    return r


def convert_section(data: ds_mod.Dataset, tools: list[str], repeats: int, work: Path) -> dict:
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    warm(data.log_files())
    runs: list[Run] = []
    for rep in range(repeats):
        order = tools[rep % len(tools) :] + tools[: rep % len(tools)]  # rotate: no fixed slot
        for tool in order:
            r = timed(tool, data.container_roots, work, rep, logs)
            runs.append(r)
            print(
                f"  [{rep + 1}/{repeats}] {tool:<13} {r.wall_s:7.2f} s  "
                f"{data.lines / r.wall_s:>10,.0f} lines/s  rss {r.peak_rss / MiB:7.0f} MiB  "
                f"out {r.output_bytes / MiB:7.1f} MiB  load {r.load_before:.2f}",
                flush=True,
            )
    summary = {}
    columns = column_bytes(work / "out-logadapt" / "log_events") if "logadapt" in tools else {}
    for tool in tools:
        mine = [r for r in runs if r.tool == tool]
        wall = statistics.median(r.wall_s for r in mine)
        summary[tool] = {
            "runs": len(mine),
            "wall_s_median": wall,
            "wall_s_min": min(r.wall_s for r in mine),
            "wall_s_max": max(r.wall_s for r in mine),
            "lines_per_s": data.lines / wall,
            "peak_rss_median": statistics.median(r.peak_rss for r in mine),
            "peak_rss_max": max(r.peak_rss for r in mine),
            "maxrss_single_median": statistics.median(r.maxrss_single for r in mine),
            "output_bytes": statistics.median(r.output_bytes for r in mine),
            "load_median": statistics.median(r.load_before for r in mine),
            "cpu_s_median": statistics.median(r.cpu_s for r in mine),
        }
    return {"runs": [r.as_dict() for r in runs], "summary": summary, "logadapt_columns": columns}


def column_bytes(root: Path) -> dict[str, dict[str, int]]:
    """Compressed / uncompressed bytes per Parquet column over every file under `root`."""
    import pyarrow.parquet as pq

    out: dict[str, dict[str, int]] = {}
    for path in root.rglob("*.parquet"):
        meta = pq.ParquetFile(path).metadata
        for g in range(meta.num_row_groups):
            group = meta.row_group(g)
            for c in range(group.num_columns):
                col = group.column(c)
                entry = out.setdefault(col.path_in_schema, {"compressed": 0, "uncompressed": 0})
                entry["compressed"] += col.total_compressed_size
                entry["uncompressed"] += col.total_uncompressed_size
    return dict(sorted(out.items(), key=lambda kv: -kv[1]["compressed"]))


def memory_section(lines: list[int], tools: list[str], work: Path, repeats: int) -> dict:
    """Each logadapt variant alone at each size: the peak RSS must not follow the input size.
    -> {tool: {lines: summary}}; the variants alternate within a size."""
    out: dict[str, dict] = {t: {} for t in tools}
    logs = work / "logs"
    logs.mkdir(parents=True, exist_ok=True)
    for n in lines:
        data = ds_mod.build(work / f"data-{n}", n, zstd=False)
        warm(data.log_files())
        runs: dict[str, list[Run]] = {t: [] for t in tools}
        for rep in range(repeats):
            for tool in tools:
                r = timed(tool, data.container_roots, work / f"mem-{n}", rep, logs)
                runs[tool].append(r)
                print(
                    f"  memory {tool:<18} {data.lines:>10,} lines  {r.wall_s:7.2f} s  "
                    f"rss {r.peak_rss / MiB:7.0f} MiB  load {r.load_before:.2f}",
                    flush=True,
                )
        shutil.rmtree(work / f"mem-{n}", ignore_errors=True)
        for tool, rs in runs.items():
            wall = statistics.median(r.wall_s for r in rs)
            out[tool][str(n)] = {
                "lines": data.lines,
                "raw_bytes": data.raw_bytes,
                "peak_rss_median": statistics.median(r.peak_rss for r in rs),
                "peak_rss_max": max(r.peak_rss for r in rs),
                "wall_s_median": wall,
                "lines_per_s": data.lines / wall,
                "load_median": statistics.median(r.load_before for r in rs),
                "runs": [r.as_dict() for r in rs],
            }
    return out


def preflight(sections: list[str], tools: list[str]) -> list[str]:
    """What the chosen sections need outside Python, and is not there."""
    missing = []
    if "convert" in sections and not shutil.which("zstd"):
        missing.append("the zstd CLI for the zstd -19 reference (Debian: apt-get install zstd)")
    if ("spark_sql" in tools or "query" in sections) and not shutil.which("java"):
        missing.append("java for PySpark (Debian: apt-get install openjdk-17-jre-headless)")
    if "query" in sections and not (shutil.which("zcat") and shutil.which("grep")):
        missing.append("zcat and grep for the raw-file baseline")
    return missing


def versions() -> dict[str, str]:
    import duckdb
    import polars
    import pyarrow
    import pyspark

    def cmd(args: list[str]) -> str:
        try:
            p = subprocess.run(args, capture_output=True, text=True, timeout=60)
            return (p.stdout + p.stderr).strip().splitlines()[0]
        except (OSError, IndexError, subprocess.TimeoutExpired):
            return "n/a"

    return {
        "python": platform.python_version(),
        "polars": polars.__version__,
        "pyarrow": pyarrow.__version__,
        "duckdb": duckdb.__version__,
        "pyspark": pyspark.__version__,
        "java": cmd(["java", "-version"]),
        "zstd": cmd(["zstd", "--version"]),
        "grep": cmd(["grep", "--version"]),
        # a snapshot outside git (git archive) says its commit in BENCH_COMMIT
        "logadapt_commit": os.environ.get("BENCH_COMMIT")
        or cmd(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"]),
    }


def machine() -> dict:
    mem = 0
    model = platform.processor() or "?"
    with open("/proc/meminfo") as fh:
        for line in fh:
            if line.startswith("MemTotal:"):
                mem = int(line.split()[1]) * 1024
    try:
        with open("/proc/cpuinfo") as fh:
            for line in fh:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {
        "cores": os.cpu_count(),
        "affinity": len(os.sched_getaffinity(0)),
        "memory_bytes": mem,
        "cpu": model,
        "kernel": platform.release(),
        "loadavg_start": os.getloadavg(),
    }


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.run", description=__doc__)
    p.add_argument("--lines", type=int, default=1_000_000, help="json-file lines to generate")
    p.add_argument("--repeats", type=int, default=3, help="runs per tool (interleaved)")
    p.add_argument("--sections", default="convert,memory,query")
    p.add_argument("--tools", default=",".join(TOOLS))
    p.add_argument("--memory-factor", type=int, default=5, help="memory: N and this x N lines")
    p.add_argument("--query-hours", type=int, default=72)
    p.add_argument("--query-lines", type=int, default=None, help="default: 2 x --lines")
    p.add_argument("--work", default=str(REPO / "data" / "bench"), help="scratch directory")
    p.add_argument("--results", default=str(RESULTS))
    a = p.parse_args(argv)
    sections = [s.strip() for s in a.sections.split(",") if s.strip()]
    tools = [t.strip() for t in a.tools.split(",") if t.strip()]
    missing = preflight(sections, tools)
    if missing:
        print("bench: missing " + "; ".join(missing), file=sys.stderr)
        return 2
    work = Path(a.work)
    work.mkdir(parents=True, exist_ok=True)
    started = time.time()
    report: dict = {
        "started": datetime.now(UTC).isoformat(timespec="seconds"),
        "args": vars(a),
        "machine": machine(),
        "versions": versions(),
    }
    print(f"bench: {a.lines:,} lines, {a.repeats} repeats, sections {sections}", flush=True)
    if "convert" in sections:
        t0 = time.time()
        data = ds_mod.build(work / f"data-{a.lines}", a.lines)
        print(
            f"dataset: {data.lines:,} lines, {data.raw_bytes:,} raw bytes, zstd -19 "
            f"{data.zstd19_bytes:,} ({time.time() - t0:.0f} s)",
            flush=True,
        )
        report["dataset"] = data.as_dict()
        report["convert"] = convert_section(data, tools, a.repeats, work / "convert")
    if "memory" in sections:
        sizes = [a.lines, a.lines * a.memory_factor]
        variants = [t for t in tools if t.startswith("logadapt")] or ["logadapt"]
        report["memory"] = memory_section(sizes, variants, work, 1 if a.repeats < 3 else 2)
    if "query" in sections:
        from bench import query

        qlines = a.query_lines or 2 * a.lines
        report["query"] = query.section(work / f"lake-{qlines}", qlines, a.query_hours, a.repeats)
    report["machine"]["loadavg_end"] = os.getloadavg()
    report["elapsed_s"] = time.time() - started
    from bench.report import write

    md, js = write(report, Path(a.results), a.lines)
    print(f"results: {md} {js} ({report['elapsed_s']:.0f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
