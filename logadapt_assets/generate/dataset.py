"""`generate()`: a deterministic synthetic dataset of a small platform's container logs.

Background traffic per container (diurnal, scaled), a deploy-time migration job, incidents with
ground-truth labels, all captured like a container runtime does (capture delay, monotonic
capture times, 16 KiB partials) and written as Docker json-file directories or CRI files.
Same arguments -> same bytes: every random draw comes from a seeded stream, no wall clock.
"""

import json
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

import polars as pl

from logadapt_assets.generate import app_lines
from logadapt_assets.generate.engine import EVENT_SCHEMA, MS, NS, Rng, at, background, rfc3339nano
from logadapt_assets.generate.platform import Platform, build_platform, default_start, digest
from logadapt_assets.generate.scenarios import plan
from logadapt_assets.generate.writers import Runtime, write_cri, write_docker

FORMATS = ("docker-json", "cri")


@dataclass
class GenerateReport:
    out: Path
    fmt: str
    paths: list[Path]  # every log file written
    containers: dict[str, str]  # container name -> id
    lines: dict[str, int]  # physical lines per container (before 16 KiB splitting)
    labels_path: Path
    bytes: int  # bytes of log files written (compressed size for .gz)
    manifest_path: Path | None = None
    incidents: list[dict] = field(default_factory=list)

    @property
    def total_lines(self) -> int:
        return sum(self.lines.values())


def generate(
    out: Path,
    hours: int,
    seed: int,
    start: datetime | None = None,
    scale: float = 1.0,
    scenarios: list[str] | None = None,
    fmt: str = "docker-json",
    kafka_mode: str = "kraft",
    quiet_hours: int = 0,
) -> GenerateReport:
    """Write `hours` of logs of the synthetic platform under `out` and return what was written.

    scenarios: incident names to inject (None = all, [] = none); see scenarios.SCENARIOS.
    quiet_hours: no incidents in the first hours (a clean baseline for anomaly detection).
    fmt: "docker-json" (<out>/containers/<id>/<id>-json.log) or "cri" (<out>/pods/...).
    kafka_mode: "kraft" (default) or "zookeeper" (adds a ZooKeeper container).
    """
    if fmt not in FORMATS:
        raise ValueError(f"fmt must be one of {FORMATS}, not {fmt!r}")
    if hours < 1:
        raise ValueError("hours must be >= 1")
    if scale < 0:
        raise ValueError("scale must be >= 0")
    out = Path(out)
    _clear_previous(out)
    start = start or default_start()
    plat = build_platform(seed, start, hours, kafka_mode)
    events, incidents, runtimes, lifecycle = build_events(plat, scale, scenarios, quiet_hours)
    lines = capture(events, seed)
    del events  # the formatted lines are what is kept from here on

    rules = plat.rules["log_opts"]
    report = GenerateReport(out, fmt, [], {}, {}, out / "labels.json", 0)
    by_container = lines.partition_by("container", as_dict=True, include_key=False)
    del lines
    manifest = []
    for name, c in plat.containers.items():
        sub = by_container.get(
            (name,),
            pl.DataFrame(schema={"obs_ns": pl.Int64, "stream": pl.String, "line": pl.String}),
        )
        rotate = int(rules["rotate_into"]) if name in rules["rotating"] else 1
        if fmt == "docker-json":
            written = write_docker(out, c, sub, runtimes[name], rotate, name in rules["compressed"])
        else:
            written = write_cri(out, c, sub, runtimes[name], rotate)
        report.paths += written.paths
        report.bytes += written.bytes
        report.containers[name] = c.id
        report.lines[name] = len(sub)
        manifest.append(
            {
                "name": name,
                "id": c.id,
                "service": c.service,
                "role": c.role,
                "image": c.image,
                "labels": c.labels,
                "ip": c.ip,
                "stream": c.stream,
                "namespace": c.namespace,
                "pod": c.pod,
                "pod_uid": c.pod_uid,
                "cri_container": c.cri_name,
                "restart_count": len(runtimes[name].restarts),
                "running": runtimes[name].running,
                "lines": len(sub),
                "files": [p.relative_to(out).as_posix() for p in written.paths],
            }
        )

    fmt_ns = _fmt_ns
    labels = {
        "generator": "logadapt_assets.generate",
        "dataset": {
            "start": fmt_ns(plat.start_ns),
            "end": fmt_ns(plat.end_ns),
            "hours": hours,
            "seed": seed,
            "scale": scale,
            "format": fmt,
            "kafka_mode": kafka_mode,
            "quiet_hours": quiet_hours,
            "scenarios": sorted({i.scenario for i in incidents}),
        },
        "incidents": [inc.label(i, fmt_ns) for i, inc in enumerate(incidents)],
        "lifecycle": [
            {
                "container": e["container"],
                "event": e["event"],
                "time": fmt_ns(e["t_ns"]),
                **({"exit_code": e["exit_code"]} if "exit_code" in e else {}),
            }
            for e in lifecycle
        ],
    }
    out.mkdir(parents=True, exist_ok=True)
    report.labels_path.write_text(json.dumps(labels, indent=2) + "\n")
    report.manifest_path = out / "manifest.json"
    report.manifest_path.write_text(json.dumps({"containers": manifest}, indent=2) + "\n")
    report.incidents = labels["incidents"]
    return report


def _clear_previous(out: Path) -> None:
    """Remove what an earlier run wrote here (as listed in its manifest), and refuse to write
    into runtime directories holding anything else: generated and real logs must not mix."""
    manifest = out / "manifest.json"
    if manifest.exists():
        for c in json.loads(manifest.read_text()).get("containers", []):
            paths = [out / f for f in c.get("files", [])]
            cdir = out / "containers" / c["id"]
            paths += [cdir / "config.v2.json", cdir / "hostconfig.json"]
            paths += list((out / "containers").glob(f"*-{c['id']}.log"))
            for path in paths:
                if path.is_symlink() or path.is_file():
                    path.unlink()
        for path in (manifest, out / "labels.json"):
            path.unlink(missing_ok=True)
        for root in (out / "containers", out / "pods"):
            if root.is_dir():  # deepest first: only directories left empty are removed
                for d in sorted((p for p in root.rglob("*") if p.is_dir()), reverse=True):
                    if not any(d.iterdir()):
                        d.rmdir()
    for root in (out / "containers", out / "pods"):
        if root.is_dir() and any(root.iterdir()):
            raise FileExistsError(f"{root} holds files this generator did not write")


def _fmt_ns(ns: int) -> str:
    return rfc3339nano(pl.Series([ns], dtype=pl.Int64))[0]


def build_events(
    plat: Platform, scale: float, scenarios: list[str] | None, quiet_hours: int = 0
) -> tuple[pl.DataFrame, list, dict[str, Runtime], list[dict]]:
    """All events of the window (EVENT_SCHEMA), the incidents, and each container's runtime."""
    incidents = plan(plat, scenarios, scale, quiet_hours)
    silences: dict[str, list[tuple[int, int]]] = {}
    for inc in incidents:
        for name, spans in inc.silences.items():
            silences.setdefault(name, []).extend(spans)
    frames: list[pl.DataFrame] = [pl.DataFrame(schema=EVENT_SCHEMA)]
    for c in plat.containers.values():
        for catalog, load in c.sources:
            frames += background(
                plat.world,
                c.name,
                catalog,
                load,
                plat.start_ns,
                plat.hours,
                scale,
                plat.seed,
                silences.get(c.name, ()),
            )
    lifecycle: list[dict] = []
    runtimes: dict[str, Runtime] = {}
    for name in plat.containers:
        created = (
            plat.start_ns - (2 * 86400 + int(digest("age", plat.seed, name, n=6), 16) % 86400) * NS
        )
        runtimes[name] = Runtime(created_ns=created, started_ns=created + 1200 * MS)
    for name, jcfg in plat.rules["jobs"].items():
        t_job = plat.start_ns + int(jcfg["at_minutes"]) * 60 * NS
        job = at(plat.world, app_lines.DB_MIGRATE, name, t_job, Rng(plat.seed, name, "job"))
        frames.append(job)
        last = int(job.filter(pl.col("container") == name)["t_ns"].max())
        runtimes[name] = Runtime(
            created_ns=t_job - 1500 * MS,
            started_ns=t_job - 300 * MS,
            running=False,
            finished_ns=last + 150 * MS,
            exit_code=0,
        )
        lifecycle += [
            {"container": name, "event": "start", "t_ns": t_job - 300 * MS},
            {"container": name, "event": "die", "t_ns": last + 150 * MS, "exit_code": 0},
        ]
    for inc in incidents:
        frames += inc.frames
        for event in inc.lifecycle:
            lifecycle.append(event)
            rt = runtimes[event["container"]]
            if event["event"] == "die":
                rt.finished_ns = event["t_ns"]
                rt.exit_code = 0  # running again after the restart: the engine resets it
            else:
                rt.started_ns = event["t_ns"]
                rt.restarts.append(event["t_ns"])
    lifecycle.sort(key=lambda e: (e["t_ns"], e["container"], e["event"]))
    events = pl.concat([f.select(list(EVENT_SCHEMA)) for f in frames]).filter(
        (pl.col("t_ns") >= plat.start_ns) & (pl.col("t_ns") < plat.end_ns)
    )
    return events, incidents, runtimes, lifecycle


def capture(events: pl.DataFrame, seed: int) -> pl.DataFrame:
    """Events -> physical lines with capture times, as the runtime records them.

    Each event reaches the runtime a little after it was logged (20 us + ~exp(250 us)); its
    lines are read together, a microsecond apart, in the order the processes wrote them;
    capture times never go backwards within a container (the copier stamps time.Now() in read
    order).
    """
    events = events.sort("container", "t_ns", maintain_order=True)
    n = len(events)
    rng = Rng(seed, "capture")
    delay = (rng.exponential(n, 250_000.0) + 20_000).clip(upper_bound=4_000_000).cast(pl.Int64)
    parts = events.select(
        "container",
        "stream",
        "t_ns",
        (pl.col("t_ns") + delay).alias("start"),
        pl.col("text").str.split("\n").alias("line"),
    ).with_columns(n_lines=pl.col("line").list.len())
    parts = parts.with_columns(first=pl.col("n_lines").cum_sum() - pl.col("n_lines"))
    lines = parts.explode("line").with_row_index("row")
    lines = lines.with_columns(
        k=(pl.col("row").cast(pl.Int64) - pl.col("first")),
    ).with_columns(obs=pl.col("start") + pl.col("k") * 1100)
    # the writer's order is the event order; capture times follow it and never go backwards
    lines = lines.sort("container", "t_ns", "row", maintain_order=True)
    return lines.select(
        "container",
        pl.col("obs").cum_max().over("container").alias("obs_ns"),
        "stream",
        "line",
    )
