"""`--docker` mode: the generated scenario played by real containers on the local engine.

Each container of the fleet runs a busybox shell that `cat`s its pre-generated lines to stdout
or stderr on a compressed clock, so the engine captures them itself (real json-file, real
timestamps, real partials). The crashing Kafka broker exits with code 1 halfway and is
restarted by its restart policy, so the engine records die/start events and RestartCount;
the migration job exits 0. Images come from `docker import` of a busybox-static rootfs (no
registry needed).
"""

import io
import shutil
import subprocess
import tarfile
import tempfile
from pathlib import Path

import polars as pl

from logadapt_assets.generate.dataset import build_events, capture
from logadapt_assets.generate.engine import NS
from logadapt_assets.generate.platform import build_platform, default_start

BUSYBOX_APPLETS = [
    "sh",
    "cat",
    "echo",
    "sleep",
    "printf",
    "seq",
    "date",
    "head",
    "yes",
    "tr",
    "kill",
    "touch",
    "test",
    "true",
]
TICK_S = 0.2  # resolution of the compressed clock


def ensure_busybox_image(
    client, tag: str = "logadapt-busybox:latest", busybox: Path = Path("/bin/busybox")
) -> str:
    """A local image whose rootfs holds the static busybox; built once with `docker import`."""
    try:
        client.images.get(tag)
        return tag
    except Exception:  # noqa: BLE001 - docker.errors.ImageNotFound: not built yet
        pass
    if not busybox.exists():
        raise FileNotFoundError(f"{busybox} missing: install Debian's busybox-static")
    root = Path(tempfile.mkdtemp(prefix="logadapt-rootfs-"))
    try:
        (root / "bin").mkdir()
        (root / "tmp").mkdir()
        shutil.copy2(busybox, root / "bin" / "busybox")
        (root / "bin" / "busybox").chmod(0o755)
        for applet in BUSYBOX_APPLETS:
            (root / "bin" / applet).symlink_to("busybox")
        tar = subprocess.run(["tar", "-C", str(root), "-c", "."], capture_output=True, check=True)
        subprocess.run(
            ["docker", "import", "-", tag], input=tar.stdout, check=True, capture_output=True
        )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    return tag


def play_in_docker(
    client,
    image: str,
    hours_compressed_seconds: float = 20.0,
    seed: int = 0,
    scenarios: list[str] | None = None,
    scale: float = 0.01,
    project: str = "logadapt-play",
    kafka_mode: str = "kraft",
) -> list:
    """Start the fleet as real containers playing one generated hour in `hours_compressed_seconds`.

    By default only the broker crash is played (it is the one the engine itself can see).
    Containers are named `<project>-<name>` and carry the fleet's labels and env (the compose
    project label is `project`). They keep running after their lines (the job exits 0, the
    crashed broker after its restart keeps running); the caller removes them.
    """
    plat, lines, runtimes, lifecycle = play_plan(seed, scale, scenarios, kafka_mode)
    factor = hours_compressed_seconds / 3600.0
    started = []
    for name, c in plat.containers.items():
        sub = lines.filter(pl.col("container") == name)
        deaths = [e for e in lifecycle if e["container"] == name and e["event"] == "die"]
        restarts = runtimes[name].restarts
        phases: list[tuple[pl.DataFrame, int, str]] = []
        if c.role == "job":
            phases.append((sub, plat.start_ns, "exit 0"))
        elif deaths and restarts:
            t_die, t_start = deaths[0]["t_ns"], restarts[0]
            phases.append((sub.filter(pl.col("obs_ns") < t_die), plat.start_ns, "exit 1"))
            phases.append((sub.filter(pl.col("obs_ns") >= t_start), t_start, "exec sleep 86400"))
        else:
            phases.append((sub, plat.start_ns, "exec sleep 86400"))
        archive = _archive(phases, plat.start_ns, factor)
        labels = dict(c.labels, **{"com.docker.compose.project": project})
        policy = {"Name": "on-failure", "MaximumRetryCount": 3} if c.role != "job" else None
        container = client.containers.create(
            image,
            ["sh", "/play/run.sh"],
            name=f"{project}-{name}",
            labels=labels,
            environment=c.env,
            hostname=c.name,
            restart_policy=policy,
            detach=True,
        )
        container.put_archive("/", archive)
        started.append(container)
    for container in started:
        container.start()
    return started


def play_plan(
    seed: int = 0,
    scale: float = 0.01,
    scenarios: list[str] | None = None,
    kafka_mode: str = "kraft",
) -> tuple:
    """The hour that `play_in_docker` plays: (platform, captured lines, runtimes, lifecycle)."""
    scenarios = ["broker_crash"] if scenarios is None else scenarios
    plat = build_platform(seed, default_start(), 1, kafka_mode)
    events, _incidents, runtimes, lifecycle = build_events(plat, scale, scenarios)
    return plat, capture(events, seed), runtimes, lifecycle


def _archive(phases: list[tuple[pl.DataFrame, int, str]], t0: int, factor: float) -> bytes:
    """A tar of /play: chunk files per stream and tick, one script per phase, a dispatcher."""
    files: dict[str, bytes] = {}
    dispatch = ["#!/bin/sh"]
    for i, (frame, origin, ending) in enumerate(phases):
        script = ["#!/bin/sh"]
        offset = (origin - t0) / NS * factor
        tick_of = ((pl.col("obs_ns") - origin).cast(pl.Float64) / NS * factor / TICK_S).floor()
        frame = frame.with_columns(tick=tick_of.cast(pl.Int64)).with_columns(
            run=(pl.col("stream") != pl.col("stream").shift(1))
            .fill_null(True)
            .or_(pl.col("tick") != pl.col("tick").shift(1))
            .cum_sum()
        )
        previous = 0
        for (run,), chunk in frame.partition_by("run", as_dict=True, maintain_order=True).items():
            tick = int(chunk["tick"][0])
            if tick > previous:
                script.append(f"sleep {(tick - previous) * TICK_S:.1f}")
                previous = tick
            stream = chunk["stream"][0]
            fname = f"p{i}_{run:05d}.{'err' if stream == 'stderr' else 'out'}"
            files[fname] = ("\n".join(chunk["line"].to_list()) + "\n").encode()
            script.append(f"cat /play/{fname}" + (" >&2" if stream == "stderr" else ""))
        script.append(ending)
        files[f"phase{i}.sh"] = ("\n".join(script) + "\n").encode()
        if i == 0:
            dispatch.append(f"sleep {offset:.1f}" if offset > 0 else ":")
    if len(phases) > 1:
        dispatch += [
            "if [ -e /play/.started ]; then exec sh /play/phase1.sh; fi",
            ": > /play/.started",
        ]
    dispatch.append("exec sh /play/phase0.sh")
    files["run.sh"] = ("\n".join(dispatch) + "\n").encode()
    buf = io.BytesIO()
    with tarfile.open(fileobj=buf, mode="w") as tar:
        info = tarfile.TarInfo("play")
        info.type, info.mode = tarfile.DIRTYPE, 0o777
        tar.addfile(info)
        for fname, data in sorted(files.items()):
            info = tarfile.TarInfo(f"play/{fname}")
            info.size, info.mode = len(data), 0o755 if fname.endswith(".sh") else 0o644
            tar.addfile(info, io.BytesIO(data))
    return buf.getvalue()
