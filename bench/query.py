"""Query benchmark: a multi-day lake written by `logadapt convert`, asked three questions by
DuckDB, Polars and Spark, against grep / zcat | grep over the raw json-file logs.

  q1_hour_service  ERROR events by component, one service (kafka), one hour
  q1_hour_dir      the same question read from that service-hour's partition directory
                   (`service=kafka/date=D/hour=H/*.parquet`), as a user of a hive layout asks
                   an hour-scoped question: no listing of the whole lake. On the 72-hour lake
                   the lake-root variant spends most of its time listing (DuckDB's `**` glob of
                   every partition directory) and resolving the dataset (Polars: the listing,
                   the first file's schema, a sample of footers), not reading the one file.
  q2_topic_day     every event of one topic-partition over one day, in time order
  q3_full_scan     events and ERROR events per service and day over the whole lake

grep answers what grep can: it has no partitions, so every question reads the raw files again
(q1 at least only the service's files); its counts are close to, not equal to, the lake's
(one row per physical line, no multi-line records, level words matched as text).
Bytes read: DuckDB's profiler (`io.total_bytes_read`), Spark's stage input metrics, the raw
file sizes for grep; Polars does not report it.
"""

import json
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from bench import dataset as ds_mod
from bench.measure import run
from bench.tools.common import container_map

REPO = Path(__file__).resolve().parent.parent
TOPIC, PARTITION = "orders.events", 7
SERVICE = "kafka"
# A variant of a question, and the question whose grep time it is compared with.
GREP_REFERENCE = {"q1_hour_dir": "q1_hour_service"}
MIN_TIMED_S, MAX_RUNS = 0.5, 50  # DuckDB and Polars: fast questions are timed more often


def _env() -> dict[str, str]:
    e = dict(os.environ)
    e["PYTHONPATH"] = str(REPO) + (os.pathsep + e["PYTHONPATH"] if e.get("PYTHONPATH") else "")
    return e


def timed(fn: Callable[[], int], repeats: int) -> tuple[float, int, int]:
    """(median seconds, rows, runs) of an in-process query: one untimed warm-up run, then at
    least `repeats` runs, more for fast questions (until MIN_TIMED_S or MAX_RUNS): a median of
    3 millisecond runs on a loaded 2-core machine is mostly scheduling noise."""
    rows = fn()
    times: list[float] = []
    while len(times) < repeats or (sum(times) < MIN_TIMED_S and len(times) < MAX_RUNS):
        t0 = time.perf_counter()
        rows = fn()
        times.append(time.perf_counter() - t0)
    return statistics.median(times), rows, len(times)


def partition_dir(lake: Path | str, date: str, hour: str) -> str:
    """The directory of SERVICE's files for one hour (the lake's hive layout)."""
    return f"{lake}/log_events/service={SERVICE}/date={date}/hour={hour}"


def sql(lake: Path, date: str, hour: str) -> dict[str, str]:
    src = (
        f"read_parquet('{lake}/log_events/**/*.parquet', hive_partitioning=true, "
        "hive_types={'service': VARCHAR, 'date': VARCHAR, 'hour': VARCHAR})"
    )
    return {
        "q1_hour_service": (
            f"SELECT component, count(*) AS n FROM {src} WHERE service = '{SERVICE}' "
            f"AND date = '{date}' AND hour = '{hour}' AND severity = 'ERROR' "
            "GROUP BY component ORDER BY n DESC, component"
        ),
        "q1_hour_dir": (
            f"SELECT component, count(*) AS n FROM "
            f"read_parquet('{partition_dir(lake, date, hour)}/*.parquet') "
            "WHERE severity = 'ERROR' GROUP BY component ORDER BY n DESC, component"
        ),
        "q2_topic_day": (
            f"SELECT timestamp, service, message FROM {src} WHERE date = '{date}' "
            f"AND topic = '{TOPIC}' AND partition = {PARTITION} ORDER BY timestamp"
        ),
        "q3_full_scan": (
            f"SELECT service, date, count(*) AS events, "
            f"count(*) FILTER (WHERE severity = 'ERROR') AS errors FROM {src} "
            "GROUP BY service, date ORDER BY service, date"
        ),
    }


def run_duckdb(lake: Path, date: str, hour: str, repeats: int) -> dict:
    import duckdb

    out = {}
    prof = Path(tempfile.mkdtemp(prefix="bench-duckdb-")) / "profile.json"
    for name, q in sql(lake, date, hour).items():
        con = duckdb.connect()
        seconds, rows, runs = timed(lambda q=q, con=con: len(con.execute(q).fetchall()), repeats)
        # bytes read from one more, profiled run: writing the profile costs ~0.4 ms a query,
        # a quarter of a one-partition question
        con.execute("PRAGMA enable_profiling = 'json'")
        con.execute(f"PRAGMA profiling_output = '{prof}'")
        con.execute(q).fetchall()
        read = json.loads(prof.read_text()).get("io", {}).get("total_bytes_read", 0)
        con.close()
        out[name] = {"seconds": seconds, "rows": rows, "bytes_read": read, "runs": runs}
    return out


def run_polars(lake: Path, date: str, hour: str, repeats: int) -> dict:
    import polars as pl

    def scan() -> pl.LazyFrame:
        return pl.scan_parquet(
            f"{lake}/log_events/**/*.parquet",
            hive_partitioning=True,
            hive_schema={"service": pl.String, "date": pl.String, "hour": pl.String},
        )

    def errors_by_component(events: pl.LazyFrame) -> pl.LazyFrame:
        return (
            events.filter(pl.col("severity") == "ERROR")
            .group_by("component")
            .agg(n=pl.len())
            .sort(["n", "component"], descending=[True, False])
        )

    one_hour = (pl.col("service") == SERVICE) & (pl.col("date") == date) & (pl.col("hour") == hour)
    queries = {
        "q1_hour_service": lambda: errors_by_component(scan().filter(one_hour)),
        "q1_hour_dir": lambda: errors_by_component(
            pl.scan_parquet(f"{partition_dir(lake, date, hour)}/*.parquet")
        ),
        "q2_topic_day": lambda: (
            scan()
            .filter(
                (pl.col("date") == date)
                & (pl.col("topic") == TOPIC)
                & (pl.col("partition") == PARTITION)
            )
            .select("timestamp", "service", "message")
            .sort("timestamp")
        ),
        "q3_full_scan": lambda: (
            scan()
            .group_by("service", "date")
            .agg(events=pl.len(), errors=(pl.col("severity") == "ERROR").sum())
            .sort("service", "date")
        ),
    }
    out = {}
    for name, q in queries.items():
        seconds, rows, runs = timed(lambda q=q: q().collect().height, repeats)
        out[name] = {"seconds": seconds, "rows": rows, "bytes_read": None, "runs": runs}
    return out


def run_spark(lake: Path, date: str, hour: str, repeats: int, work: Path) -> dict:
    """In its own process (bench.query_spark): one session, start-up timed apart."""
    out_json = work / "spark-queries.json"
    cmd = [
        sys.executable,
        "-m",
        "bench.query_spark",
        str(lake),
        date,
        hour,
        str(repeats),
        str(out_json),
    ]
    r = run("spark-queries", cmd, env=_env(), cwd=REPO, log=work / "spark-queries.log")
    if r.returncode != 0:
        raise RuntimeError(f"spark queries failed; see {work / 'spark-queries.log'}")
    result = json.loads(out_json.read_text())
    result["_process"] = {"wall_s": r.wall_s, "peak_rss": r.peak_rss}
    return result


def grep_commands(
    data: ds_mod.Dataset, date: str, hour: str, shown: bool = False
) -> dict[str, tuple[str, int]]:
    """Shell pipelines answering each question from the raw files, and the bytes they read.

    shown: file lists abbreviated (`<kafka files>`), for the results page."""
    roots = [str(r) for r in data.container_roots]
    mapping = container_map(roots)
    files = data.log_files()
    svc_files = [f for f in files if mapping.get(f.parent.name, ("",))[0] == SERVICE]

    def cat(fs: list[Path], label: str) -> str:
        listed = f"<{label}>" if shown else " ".join(shlex.quote(str(f)) for f in fs)
        return f"zcat -f {listed}"

    def size(fs: list[Path]) -> int:
        return sum(f.stat().st_size for f in fs)

    topic = TOPIC.replace(".", r"\.")
    per_container = []
    for cdir in sorted({f.parent for f in files}):
        fs = [f for f in files if f.parent == cdir]
        svc = mapping.get(cdir.name, ("?",))[0]
        per_container.append(
            f"echo {shlex.quote(svc)} $({cat(fs, 'files of one container')} "
            "| grep -cE '\\b(ERROR|error|Error)\\b')"
        )
    if shown:
        per_container = [per_container[0], "... (one per container)"]
    return {
        "q1_hour_service": (
            f'{cat(svc_files, SERVICE + " files")} | grep -F \'"time":"{date}T{hour}:\' '
            "| grep -F '] ERROR ' | grep -oE '\\([A-Za-z0-9_.$]+\\)\\\\n\"' "
            "| sort | uniq -c | sort -rn",
            size(svc_files),
        ),
        "q2_topic_day": (
            f'{cat(files, "all files")} | grep -F \'"time":"{date}T\' | grep -E '
            f"'{topic}-{PARTITION}([^0-9]|$)|topic.{{3}}:.{{2}}{topic}.{{3}},.{{2}}partition"
            f".{{3}}:{PARTITION}[^0-9]'",
            size(files),
        ),
        "q3_full_scan": ("; ".join(per_container), size(files)),
    }


def run_grep(data: ds_mod.Dataset, date: str, hour: str, repeats: int) -> dict:
    out = {}
    for name, (cmd, size) in grep_commands(data, date, hour).items():

        def ask(cmd: str = cmd) -> int:
            p = subprocess.run(
                ["bash", "-c", cmd], capture_output=True, text=True, executable="/bin/bash"
            )
            return len(p.stdout.splitlines())

        seconds, rows, runs = timed(ask, repeats)
        out[name] = {"seconds": seconds, "rows": rows, "bytes_read": size, "runs": runs}
    return out


def pick(lake: Path) -> tuple[str, str]:
    """The second day, and its hour with the most ERROR events of SERVICE (a real question)."""
    import duckdb

    src = (
        f"read_parquet('{lake}/log_events/service={SERVICE}/**/*.parquet', "
        "hive_partitioning=true, hive_types={'service': VARCHAR, 'date': VARCHAR, 'hour': VARCHAR})"
    )
    dates = [r[0] for r in duckdb.sql(f"SELECT DISTINCT date FROM {src} ORDER BY 1").fetchall()]
    date = dates[1] if len(dates) > 1 else dates[0]
    hour = duckdb.sql(
        f"SELECT hour FROM {src} WHERE date = '{date}' AND severity = 'ERROR' "
        "GROUP BY hour ORDER BY count(*) DESC, hour LIMIT 1"
    ).fetchall()
    return date, hour[0][0] if hour else "12"


def section(root: Path, lines: int, hours: int, repeats: int) -> dict:
    chunks = max(1, hours // 24)
    data = ds_mod.build(
        root / "raw", lines, hours=hours // chunks, chunks=chunks, same_platform=True, zstd=False
    )
    lake = root / "lake"
    stamp = lake / ".built"
    conv = None
    if not stamp.exists():
        cmd = [sys.executable, "-m", "logadapt_assets.cli", "convert"]
        cmd += [*map(str, data.container_roots), "--lake", str(lake), "--quiet"]
        r = run("logadapt", cmd, env=_env(), cwd=REPO, log=root / "convert.log")
        if r.returncode != 0:
            raise RuntimeError(f"convert failed; see {root / 'convert.log'}")
        conv = {"wall_s": r.wall_s, "peak_rss": r.peak_rss, "lines_per_s": data.lines / r.wall_s}
        stamp.write_text(json.dumps(conv))
    else:
        conv = json.loads(stamp.read_text())
    lake_bytes = sum(p.stat().st_size for p in (lake / "log_events").rglob("*.parquet"))
    date, hour = pick(lake)
    print(f"query lake: {data.lines:,} lines over {data.hours} h, {lake_bytes:,} bytes", flush=True)
    result = {
        "lines": data.lines,
        "hours": data.hours,
        "raw_bytes": data.raw_bytes,
        "disk_bytes": data.disk_bytes,
        "lake_bytes": lake_bytes,
        "convert": conv,
        "date": date,
        "hour": hour,
        "service": SERVICE,
        "topic": TOPIC,
        "partition": PARTITION,
        "sql": sql(Path("<lake>"), date, hour),
        "grep_reference": GREP_REFERENCE,
        "grep": {k: v[0] for k, v in grep_commands(data, date, hour, shown=True).items()},
        "engines": {},
    }
    engines = result["engines"]
    engines["duckdb"] = run_duckdb(lake, date, hour, repeats)
    print(f"  duckdb {engines['duckdb']}", flush=True)
    engines["polars"] = run_polars(lake, date, hour, repeats)
    print(f"  polars {engines['polars']}", flush=True)
    engines["spark"] = run_spark(lake, date, hour, repeats, root)
    print(f"  spark {engines['spark']}", flush=True)
    engines["grep"] = run_grep(data, date, hour, max(1, min(repeats, 2)))
    print(f"  grep {engines['grep']}", flush=True)
    return result
