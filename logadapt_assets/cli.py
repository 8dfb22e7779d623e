"""The `logadapt` command: convert, generate, demo."""

import argparse
import sys
import time
from collections import defaultdict
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from pathlib import Path

from logadapt_assets import fanout
from logadapt_assets.catalog import ServiceCatalog
from logadapt_assets.lake import Lake
from logadapt_assets.pipeline import LOG_EVENTS, ConvertReport
from logadapt_assets.sources.base import SourceBatch
from logadapt_assets.sources.open import SourceError

FORMATS = ["auto", "docker-json", "cri", "docker-logs", "plain"]


class UsageError(Exception):
    """Unusable arguments or sources: reported as one line, exit code 2."""


def parse_time(text: str | None) -> datetime | None:
    """ISO-8601; a time without an offset is UTC."""
    if text is None:
        return None
    try:
        value = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as exc:
        raise UsageError(f"not an ISO-8601 time: {text!r}") from exc
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _source_bytes(spec: str) -> int:
    path = Path(spec)
    if spec.startswith("docker://") or not path.exists():
        return 0
    if path.is_file():
        return path.stat().st_size
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file() and not p.is_symlink())


class Progress:
    """One self-overwriting status line on a terminal; silent otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled and sys.stderr.isatty()
        self.start = self.last = time.monotonic()
        self.records = 0

    def wrap(self, batches: Iterable[SourceBatch]) -> Iterator[SourceBatch]:
        for batch in batches:
            self.records += batch.records.num_rows + batch.quarantine.num_rows
            now = time.monotonic()
            if self.enabled and now - self.last > 0.5:
                rate = self.records / max(now - self.start, 1e-9)
                sys.stderr.write(
                    f"\r  {self.records:,} records  {rate:,.0f}/s  "
                    f"[{batch.container.name or batch.container.id[:12]}]   "
                )
                sys.stderr.flush()
                self.last = now
            yield batch

    def done(self) -> None:
        if self.enabled:
            sys.stderr.write("\r" + " " * 72 + "\r")


def convert(args: argparse.Namespace) -> ConvertReport:
    since, until = parse_time(args.since), parse_time(args.until)
    if since and until and since >= until:
        raise UsageError("--since must be before --until")
    if args.workers < 1:
        raise UsageError("--workers must be at least 1")
    catalog = ServiceCatalog.load(args.catalog)
    progress = Progress(not args.quiet)
    started = time.monotonic()
    try:
        report, skipped = fanout.convert(
            args.sources,
            args.format,
            Lake(args.lake),
            catalog,
            since,
            until,
            service=args.service,
            workers=args.workers,
            observe=progress.wrap,
        )
    except SourceError as exc:
        raise UsageError(str(exc)) from exc
    progress.done()
    bytes_in = sum(_source_bytes(s) for s in args.sources)
    if not args.quiet:
        print_summary(report, bytes_in, time.monotonic() - started, args.lake)
        for s in skipped:
            print(f"  skipped {s.source}: {s.reason} ({s.detail})")
    return report


def print_summary(report: ConvertReport, bytes_in: int, seconds: float, lake: str) -> None:
    rows: dict[tuple[str, str], int] = defaultdict(int)
    for key, n in report.rows_by_partition(LOG_EVENTS).items():
        rows[(key.service, f"{key.date} {key.hour}:00")] += n
    lines = sum(report.lines_in.values())
    print(
        f"logadapt convert: {lines:,} lines from {len(report.containers)} containers "
        f"in {seconds:.1f} s ({lines / max(seconds, 1e-9):,.0f} lines/s)"
    )
    print(f"  lake: {lake}")
    print("  events per service and hour:")
    for (service, hour), n in sorted(rows.items()):
        print(f"    {service:<24} {hour}  {n:>10,}")
    services = sorted({s for s, _ in report.parse_status})
    for service in services:
        print(f"  {service}: parse ok {report.ok_share(service):.2%}")
    quarantined = sum(report.quarantine_reasons.values())
    reasons = ", ".join(f"{r}={n}" for r, n in report.quarantine_reasons.most_common())
    print(f"  quarantined: {quarantined:,}" + (f" ({reasons})" if reasons else ""))
    print(f"  redactions: {report.redactions:,}")
    out = report.bytes_out
    ratio = f", compression {bytes_in / out:.1f}x" if out and bytes_in else ""
    print(f"  bytes in: {bytes_in:,}  bytes out: {out:,}{ratio}")
    violations = report.conservation_violations()
    print(
        "  conservation: "
        + (
            "ok (lines read = lines in events, per container and hour)"
            if not violations
            else f"{len(violations)} VIOLATIONS"
        )
    )


def generate_command(args: argparse.Namespace) -> None:
    from logadapt_assets.generate import generate

    if args.docker:
        import docker

        from logadapt_assets.generate.docker_play import ensure_busybox_image, play_in_docker

        try:
            client = docker.from_env()
            client.ping()
        except Exception as exc:  # noqa: BLE001 - any engine failure is a usage problem here
            raise UsageError(f"Docker engine unreachable: {exc}") from exc
        image = ensure_busybox_image(client)
        started = play_in_docker(
            client,
            image,
            args.play_seconds,
            seed=args.seed,
            scenarios=args.scenario,
            kafka_mode=args.kafka_mode,
        )
        print(f"started {len(started)} containers: " + ", ".join(c.name for c in started))
        return
    if not args.out:
        raise UsageError("--out is required (or --docker)")
    try:
        report = generate(
            Path(args.out),
            hours=args.hours,
            seed=args.seed,
            start=parse_time(args.start),
            scale=args.scale,
            scenarios=args.scenario,
            fmt=args.format,
            kafka_mode=args.kafka_mode,
            quiet_hours=args.quiet_hours,
        )
    except (ValueError, FileExistsError) as exc:
        raise UsageError(str(exc)) from exc
    print(
        f"wrote {sum(report.lines.values()):,} lines of {len(report.containers)} containers "
        f"({report.bytes:,} bytes, {args.format}) to {args.out}; "
        f"{len(report.incidents)} incidents in {report.labels_path}"
    )


def demo_command(args: argparse.Namespace) -> None:
    from logadapt_assets.defs.demo import run_demo

    summary = run_demo(Path(args.out), hours=args.hours, seed=args.seed, scale=args.scale)
    if not summary["success"]:
        raise UsageError("the demo run failed; see the Dagster run above")


def spark_command(args: argparse.Namespace) -> None:
    """Run pipeline stages for a window on Spark (scale-out backfills)."""
    from pyspark.sql import SparkSession

    from logadapt_assets.pipeline import STAGES
    from logadapt_assets.spark import spark_run_stage

    since, until = parse_time(args.since), parse_time(args.until)
    if not since or not until or since >= until:
        raise UsageError("--since and --until are required, since < until")
    builder = SparkSession.builder.appName("logadapt")
    if args.master:
        builder = builder.master(args.master)
    spark = builder.getOrCreate()
    try:
        first = STAGES.index(args.from_stage)
        for stage in STAGES[first:-1]:
            written = spark_run_stage(spark, args.lake, stage, since, until, args.catalog)
            print(
                f"{STAGES[STAGES.index(stage) + 1]}: {written.height} service-hours, "
                f"{int(written['rows'].sum() or 0):,} rows"
            )
    finally:
        spark.stop()


def timeline_command(args: argparse.Namespace) -> None:
    """A PNG of anomaly scores per entity over a time range, from the lake's anomalies."""
    from logadapt_assets.feature_store import ANOMALIES, read_dataset
    from logadapt_assets.timeline import render_timeline

    since, until = parse_time(args.since), parse_time(args.until)
    if not since or not until or since >= until:
        raise UsageError("--since and --until are required, since < until")
    scored = read_dataset(Lake(args.lake), ANOMALIES, since, until)
    if scored.is_empty():
        raise UsageError(f"no anomalies in {args.lake} between {since} and {until}")
    path = render_timeline(scored, Path(args.out), since, until)
    print(f"wrote {path}")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="logadapt", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)

    c = sub.add_parser("convert", help="convert container logs into the Parquet lake")
    c.add_argument(
        "sources",
        nargs="+",
        metavar="SOURCE",
        help="path (file, container dir, containers root, CRI root), docker:// or docker://NAME",
    )
    c.add_argument("--lake", required=True, help="lake root: a directory or a pyarrow URI")
    c.add_argument("--service", help="service name for every container (e.g. a plain file)")
    c.add_argument("--since", help="ISO-8601 start (inclusive, UTC if no offset)")
    c.add_argument("--until", help="ISO-8601 end (exclusive)")
    c.add_argument("--format", choices=FORMATS, default="auto")
    c.add_argument("--catalog", help="service catalog YAML")
    c.add_argument(
        "--workers",
        type=int,
        default=1,
        help="threads, each converting its own services: faster on several cores, for more "
        "peak memory (default 1)",
    )
    c.add_argument("--quiet", action="store_true", help="no progress, no summary")
    c.set_defaults(func=convert)

    g = sub.add_parser("generate", help="write a deterministic synthetic platform's logs")
    g.add_argument("--out", help="output directory (containers/ or pods/, labels.json)")
    g.add_argument("--hours", type=int, default=24)
    g.add_argument("--seed", type=int, default=0)
    g.add_argument("--start", help="ISO-8601 start (default 2026-11-01T00:00Z)")
    g.add_argument("--scale", type=float, default=1.0, help="multiplies every log rate")
    g.add_argument("--scenario", action="append", help="incident to inject (repeatable)")
    g.add_argument("--format", choices=["docker-json", "cri"], default="docker-json")
    g.add_argument("--kafka-mode", choices=["kraft", "zookeeper"], default="kraft")
    g.add_argument(
        "--quiet-hours",
        type=int,
        default=0,
        help="no incidents in the first hours (a clean baseline for detection)",
    )
    g.add_argument(
        "--docker",
        action="store_true",
        help="play the scenario with real containers on the local engine",
    )
    g.add_argument(
        "--play-seconds",
        type=float,
        default=20.0,
        help="with --docker: seconds one generated hour takes",
    )
    g.set_defaults(func=generate_command)

    s = sub.add_parser("spark", help="run the stages after raw_logs for a window on Spark")
    s.add_argument("--lake", required=True)
    s.add_argument("--since", required=True)
    s.add_argument("--until", required=True)
    s.add_argument(
        "--from-stage", default="raw_logs", choices=["raw_logs", "parsed_events", "enriched_events"]
    )
    s.add_argument("--master", help="spark.master, e.g. local[2] (default: Spark's config)")
    s.add_argument("--catalog", help="service catalog YAML")
    s.set_defaults(func=spark_command)

    t = sub.add_parser("timeline", help="render anomaly scores per entity as a PNG")
    t.add_argument("--lake", required=True)
    t.add_argument("--since", required=True)
    t.add_argument("--until", required=True)
    t.add_argument("--out", default="timeline.png")
    t.set_defaults(func=timeline_command)

    d = sub.add_parser("demo", help="generate, run through Dagster, summarise")
    d.add_argument("--out", default="data/demo")
    d.add_argument("--hours", type=int, default=4)
    d.add_argument("--seed", type=int, default=7)
    d.add_argument("--scale", type=float, default=0.3)
    d.set_defaults(func=demo_command)

    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except UsageError as exc:
        print(f"logadapt: {exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
