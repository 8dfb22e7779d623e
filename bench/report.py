"""Markdown and JSON results of a bench.run: bench/results/bench_<lines>.md / .json."""

import json
from pathlib import Path

MiB = 1 << 20
GiB = 1 << 30
LABELS = {
    "logadapt": "logadapt convert",
    "logadapt_workers2": "logadapt convert --workers 2 (services on 2 threads)",
    "io_floor": "I/O floor (Polars NDJSON -> zstd Parquet, no parsing)",
    "duckdb_sql": "DuckDB SQL (read_json + regexp_extract + COPY PARTITION_BY)",
    "polars_lazy": "Polars lazy (scan_ndjson + str.extract + sink_parquet)",
    "spark_sql": "PySpark local[2] (read.json + regexp_extract + partitionBy)",
    "plain_python": "plain Python (json.loads + re + pyarrow)",
}
TARGETS = {
    "speed_vs_duckdb": 1.5,
    "speed_vs_floor": 0.40,
    "ratio_vs_raw": 14.0,
    "ratio_vs_zstd": 1.25,
    "rss_limit": GiB,
    "rss_growth": 0.10,
    "query_vs_grep": 20.0,
}


def _mib(n: float | None) -> str:
    return "n/a" if n is None else f"{n / MiB:,.0f} MiB"


def _x(n: float | None, digits: int = 2) -> str:
    return "n/a" if n is None else f"{n:.{digits}f}x"


def targets(report: dict) -> list[tuple[str, str, bool | None]]:
    """(target, measured, met) for every target of issue #6 this run measured."""
    out: list[tuple[str, str, bool | None]] = []
    conv = report.get("convert", {}).get("summary", {})
    data = report.get("dataset", {})
    la = conv.get("logadapt")
    if la:
        if "duckdb_sql" in conv:
            r = la["lines_per_s"] / conv["duckdb_sql"]["lines_per_s"]
            out.append(("lines/s >= 1.5x DuckDB", _x(r), r >= TARGETS["speed_vs_duckdb"]))
        if "io_floor" in conv:
            r = la["lines_per_s"] / conv["io_floor"]["lines_per_s"]
            out.append(("lines/s >= 40% of the I/O floor", f"{r:.0%}", r >= 0.40))
        if la["output_bytes"]:
            r = data["raw_bytes"] / la["output_bytes"]
            out.append(("compression >= 14x raw json-file bytes", _x(r, 1), r >= 14.0))
            if data.get("zstd19_bytes"):
                r = data["zstd19_bytes"] / la["output_bytes"]
                name = "output >= 25% better than zstd -19 (zstd bytes / ours >= 1.25)"
                out.append((name, _x(r), r >= TARGETS["ratio_vs_zstd"]))
    mem = report.get("memory", {}).get("logadapt", {})
    if len(mem) >= 2:
        (_, small), (_, big) = sorted(mem.items(), key=lambda kv: kv[1]["lines"])[:2]
        peak = big["peak_rss_max"]
        out.append(
            (f"peak RSS < 1 GiB at {big['lines']:,} lines", _mib(peak), peak < TARGETS["rss_limit"])
        )
        growth = big["peak_rss_max"] / small["peak_rss_max"] - 1
        out.append(
            (
                f"peak RSS at {big['lines']:,} within 10% of {small['lines']:,}",
                f"{growth:+.1%}",
                growth <= TARGETS["rss_growth"],
            )
        )
    q = report.get("query")
    if q:
        reference = q.get("grep_reference", {})
        for name, where in (
            ("q1_hour_dir", "its partition directory"),
            ("q1_hour_service", "the lake root"),
        ):
            times = {e: q["engines"][e].get(name) for e in ("duckdb", "polars")}
            if not all(times.values()):
                continue
            grep = q["engines"]["grep"][reference.get(name, name)]["seconds"]
            speed = {e: grep / r["seconds"] for e, r in times.items()}
            out.append(
                (
                    f"hour-and-service query >= 20x grep, read from {where}",
                    " / ".join(f"{e} {_x(v, 1)}" for e, v in speed.items()),
                    min(speed.values()) >= TARGETS["query_vs_grep"],
                )
            )
    return out


def markdown(report: dict) -> str:
    m, v = report["machine"], report["versions"]
    lines = [
        f"# logadapt benchmark, {report['args']['lines']:,} lines",
        "",
        f"Run {report['started']} on {m['cores']} cores ({m['affinity']} usable), "
        f"{m['memory_bytes'] / GiB:.1f} GiB RAM, {m['cpu']}, kernel {m['kernel']}. "
        f"Shared machine: load average at start {m['loadavg_start'][0]:.2f} / "
        f"{m['loadavg_start'][1]:.2f} / {m['loadavg_start'][2]:.2f} (1/5/15 min), at end "
        f"{m['loadavg_end'][0]:.2f}. Took {report['elapsed_s'] / 60:.1f} min.",
        "",
        "Versions: " + ", ".join(f"{k} {val}" for k, val in v.items()) + ".",
        "",
        "Command: `python -m bench.run "
        + " ".join(
            f"--{k.replace('_', '-')} {val}"
            for k, val in report["args"].items()
            if k in ("lines", "repeats", "sections") and val is not None
        )
        + "`",
        "",
    ]
    t = targets(report)
    if t:
        lines += ["## Targets (issue #6)", "", "| target | measured | met |", "|---|---|---|"]
        lines += [f"| {name} | {val} | {'yes' if ok else 'NO'} |" for name, val, ok in t]
        lines.append("")
    if "convert" in report:
        d = report["dataset"]
        conv = report["convert"]["summary"]
        la = conv.get("logadapt")
        reps = max(s["runs"] for s in conv.values())
        lines += [
            "## Conversion: json-file logs -> hive-partitioned zstd Parquet",
            "",
            f"Input: {d['lines']:,} json-file lines from {len(d['dirs'])} generated platform(s) "
            f"({d['hours']} h at scale {d['scale']:.2f}), {d['raw_bytes']:,} raw bytes "
            f"({d['disk_bytes']:,} on disk: some rotations are gzip'd); `zstd -19` of the raw "
            f"files (one stream per container): {d['zstd19_bytes']:,} bytes "
            f"({d['raw_bytes'] / d['zstd19_bytes']:.1f}x).",
            "",
            f"Each tool ran whole as a subprocess, {reps} times, interleaved (the order rotates "
            "each round); medians. lines/s = input lines / wall seconds. Peak RSS = the larger "
            "of wait4's ru_maxrss and the sampled sum over the process tree (JVM included).",
            "",
            "| tool | lines/s | wall s (min-max) | CPU s | peak RSS | output | vs raw | "
            "vs zstd -19 | speed vs logadapt | RSS vs logadapt | size vs logadapt | load |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for tool, s in conv.items():
            out = s["output_bytes"]
            lines.append(
                f"| {LABELS.get(tool, tool)} | {s['lines_per_s']:,.0f} | "
                f"{s['wall_s_median']:.2f} ({s['wall_s_min']:.2f}-{s['wall_s_max']:.2f}) | "
                f"{s['cpu_s_median']:.1f} | {_mib(s['peak_rss_median'])} | {out / MiB:,.1f} MiB | "
                f"{_x(d['raw_bytes'] / out if out else None, 1)} | "
                f"{_x(d['zstd19_bytes'] / out if out else None)} | "
                + (
                    f"{_x(s['lines_per_s'] / la['lines_per_s'])} | "
                    f"{_x(s['peak_rss_median'] / la['peak_rss_median'])} | "
                    f"{_x(out / la['output_bytes'] if la['output_bytes'] else None)} | "
                    if la
                    else "| | | "
                )
                + f"{s['load_median']:.2f} |"
            )
        lines += [
            f"| zstd -19 of the raw files | | | | | {d['zstd19_bytes'] / MiB:,.1f} MiB | "
            f"{_x(d['raw_bytes'] / d['zstd19_bytes'], 1)} | 1.00x | | | "
            + (f"{_x(d['zstd19_bytes'] / la['output_bytes'])} |" if la else "|")
            + " |",
            "",
            "The baselines write one row per physical line with 14 regex-extracted columns; "
            "logadapt writes the full log_event v1 schema (38 columns: multi-line records "
            "joined, per-format parsers, redaction, event types, templates, attributes).",
            "",
        ]
    cols = report.get("convert", {}).get("logadapt_columns")
    if cols:
        total = sum(c["compressed"] for c in cols.values())
        lines += [
            "Where logadapt's bytes go (log_events, all files, compressed / uncompressed):",
            "",
            "| column | bytes | share | uncompressed |",
            "|---|---:|---:|---:|",
        ]
        for name, c in list(cols.items())[:12]:
            lines.append(
                f"| {name} | {c['compressed']:,} | {c['compressed'] / total:.1%} | "
                f"{c['uncompressed']:,} |"
            )
        lines.append("")
    if "memory" in report:
        lines += [
            "## Memory: peak RSS of each logadapt variant by input size",
            "",
            "| variant | lines | raw bytes | peak RSS (max of runs) | vs smallest | lines/s "
            "| load |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for tool, sizes in report["memory"].items():
            runs = sorted(sizes.values(), key=lambda s: s["lines"])
            for s in runs:
                growth = s["peak_rss_max"] / runs[0]["peak_rss_max"] - 1
                lines.append(
                    f"| {LABELS.get(tool, tool)} | {s['lines']:,} | {s['raw_bytes']:,} | "
                    f"{_mib(s['peak_rss_max'])} | {growth:+.1%} | {s['lines_per_s']:,.0f} | "
                    f"{s['load_median']:.2f} |"
                )
        lines.append("")
    if "query" in report:
        q = report["query"]
        lines += [
            "## Queries over a multi-day lake",
            "",
            f"Lake: {q['lines']:,} json-file lines over {q['hours']} h ({q['raw_bytes']:,} raw "
            f"bytes, {q['disk_bytes']:,} on disk) converted by logadapt into "
            f"{q['lake_bytes']:,} bytes of Parquet "
            f"({q['convert']['lines_per_s']:,.0f} lines/s, peak RSS "
            f"{_mib(q['convert']['peak_rss'])}). Questions (date {q['date']}, hour {q['hour']}):",
            "",
            f"- q1_hour_service: ERROR events by component, service={q['service']}, one hour, "
            "from the lake root (hive partition filters)",
        ]
        if any("q1_hour_dir" in e for e in q["engines"].values()):
            lines.append(
                f"- q1_hour_dir: the same question read from its partition directory "
                f"(`service={q['service']}/date={q['date']}/hour={q['hour']}/*.parquet`), as a "
                "hive layout is read for an hour-scoped question: no listing of the whole lake "
                "(speed-up against grep's q1)"
            )
        lines += [
            f"- q2_topic_day: all events of {q['topic']}-{q['partition']} over one day, by time",
            "- q3_full_scan: events and ERROR events per service and day, whole lake",
            "",
            "Warm page cache, medians; engines in one session (Spark start-up "
            f"{q['engines']['spark']['startup_s']:.1f} s not included). grep reads the raw "
            "files every time (no partitions); its counts approximate the lake's."
            + (
                " DuckDB, Polars and grep: one warm-up run, then at least as many runs as "
                "Spark (grep: at most 2), more for fast questions (0.5 s of runs, at most 50); "
                "DuckDB's bytes from one more, profiled run."
                if "runs" in q["engines"]["duckdb"].get("q1_hour_service", {})
                else ""
            ),
            "",
            "| question | engine | seconds | rows | bytes read | speed-up over grep |",
            "|---|---|---:|---:|---:|---:|",
        ]
        reference = q.get("grep_reference", {})
        questions = list(dict.fromkeys(k for e in q["engines"].values() for k in e))
        for name in [k for k in questions if k.startswith("q")]:
            g = q["engines"]["grep"][reference.get(name, name)]["seconds"]
            for engine in ("duckdb", "polars", "spark", "grep"):
                r = q["engines"][engine].get(name)
                if r is None:
                    continue
                read = r["bytes_read"]
                speed = g / r["seconds"]
                lines.append(
                    f"| {name} | {engine} | {r['seconds']:.4f} | {r['rows']:,} | "
                    f"{'n/a' if read is None else f'{read:,}'} | "
                    f"{speed:.{1 if speed >= 0.1 else 2}f}x |"
                )
        lines += ["", "SQL (DuckDB; Polars and Spark ask the same):", ""]
        lines += [f"- {k}: `{v}`" for k, v in q["sql"].items()]
        lines += ["", "grep:", ""]
        lines += [f"- {k}: `{v}`" for k, v in q["grep"].items()]
        lines.append("")
    return "\n".join(lines)


def write(report: dict, results: Path, lines: int) -> tuple[Path, Path]:
    results.mkdir(parents=True, exist_ok=True)
    md = results / f"bench_{lines}.md"
    js = results / f"bench_{lines}.json"
    md.write_text(markdown(report))
    js.write_text(json.dumps(report, indent=1, default=str) + "\n")
    return md, js


if __name__ == "__main__":  # re-render a results page from its JSON
    import sys

    for name in sys.argv[1:]:
        path = Path(name)
        path.with_suffix(".md").write_text(markdown(json.loads(path.read_text())))
