"""`open_source(spec)`: a path or `docker://[NAME_OR_ID]` -> the right LogSource.

With fmt="auto" the format is sniffed from file names first (`*-json.log*`), then from the first
non-empty line of the first log file found: a json-file record, a CRI line, a `docker logs -t`
line (RFC3339Nano + space), else plain text.
"""

import gc
import gzip
import json
import os
import re
import warnings
from pathlib import Path

from logadapt_assets.sources.base import LogSource
from logadapt_assets.sources.cri import CriSource
from logadapt_assets.sources.json_file import CURRENT, ROTATED, JsonFileSource
from logadapt_assets.sources.text import GZIP_MAGIC, TextSource

FORMATS = ("auto", "docker-json", "cri", "docker-logs", "plain")
_TS = rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:\.\d{1,9})?(?:Z|[+-]\d\d:?\d\d)"
_CRI_LINE = re.compile(rb"^" + _TS + rb" (?:stdout|stderr) [PF](?:[: ]|$)")
_DOCKER_LOGS_LINE = re.compile(rb"^" + _TS + rb" ")
_JSON_RECORD = re.compile(rb'^\s*\{.*"log"\s*:')
_SNIFF_BYTES = 64 * 1024
_SNIFF_FILES = 200  # files looked at when searching a directory for a sample


class SourceError(Exception):
    """The spec cannot be read at all (missing path, engine unreachable, unknown container)."""


def open_source(spec: str, fmt: str = "auto") -> LogSource:
    """A LogSource for `spec`; raises SourceError with a one-line reason if it is unusable."""
    if fmt not in FORMATS:
        raise SourceError(f"unknown format {fmt!r}; expected one of {', '.join(FORMATS)}")
    if spec.startswith("docker://"):
        return _docker(spec.removeprefix("docker://").strip("/") or None)
    path = Path(spec)
    if not path.exists():
        raise SourceError(f"no such file or directory: {spec}")
    if not os.access(path, os.R_OK):
        raise SourceError(f"permission denied: {spec}")
    if fmt == "auto":
        fmt = sniff(path)
    if fmt == "docker-json":
        return JsonFileSource(path)
    if fmt == "cri":
        return CriSource(path)
    return TextSource(path, docker_logs=fmt == "docker-logs")


def _docker(target: str | None) -> LogSource:
    import docker
    import docker.errors

    client = None
    failure = None
    try:
        client = docker.from_env()
        client.ping()
        if target:
            client.api.inspect_container(target)
    except docker.errors.NotFound:
        failure = f"unknown container: {target}"
    except docker.errors.APIError as exc:
        failure = f"cannot inspect container {target}: {_one_line(exc)}"
    except Exception as exc:  # noqa: BLE001 - every way of not reaching the engine
        failure = f"Docker engine unreachable: {_one_line(exc)}"
    if failure is not None:
        if client is not None:
            client.close()
        drop_failed_connections()
        raise SourceError(failure)
    from logadapt_assets.sources.docker_api import DockerApiSource

    return DockerApiSource(target, client)


def drop_failed_connections() -> None:
    """The SDK leaves the socket of a failed connect to be closed by the garbage collector."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


def _one_line(exc: Exception) -> str:
    return " ".join(str(exc).split()) or type(exc).__name__


def sniff(path: Path) -> str:
    """The format of a file or directory (see the module docstring)."""
    if path.is_dir():
        if _has_json_file_logs(path):
            return "docker-json"
        for sample in _sample_files(path):
            fmt = sniff_line(_first_line(sample))
            if fmt:
                return fmt
        return "plain"
    if CURRENT.match(path.name) or ROTATED.match(path.name):
        return "docker-json"
    return sniff_line(_first_line(path)) or "plain"


def sniff_line(line: bytes | None) -> str | None:
    """Format of one line, or None for an empty one."""
    if not line:
        return None
    if _CRI_LINE.match(line):
        return "cri"
    if _DOCKER_LOGS_LINE.match(line):
        return "docker-logs"
    if _JSON_RECORD.match(line):
        try:
            obj = json.loads(line)
        except ValueError:
            obj = None  # longer than the sample, or broken: judge by its first keys
        if obj is None or (isinstance(obj, dict) and "time" in obj and "stream" in obj):
            return "docker-json"
    return "plain"


def _first_line(path: Path) -> bytes | None:
    """The first non-empty line (at most 64 KiB of it) of a plain or gzip file."""
    try:
        with open(path, "rb") as raw:
            fh = gzip.GzipFile(fileobj=raw) if raw.read(2) == GZIP_MAGIC else raw
            raw.seek(0)
            head = fh.read(_SNIFF_BYTES)
    except (OSError, EOFError):
        return None
    for line in head.split(b"\n"):
        if line.strip():
            return line.rstrip(b"\r")
    return None


def _has_json_file_logs(path: Path) -> bool:
    """A json-file container dir, or a `containers/` root holding such dirs."""
    try:
        entries = list(path.iterdir())
    except OSError:
        return False
    if any(CURRENT.match(e.name) or ROTATED.match(e.name) for e in entries):
        return True
    for sub in entries[:_SNIFF_FILES]:
        if sub.is_dir():
            try:
                if any(CURRENT.match(n) for n in os.listdir(sub)):
                    return True
            except OSError:
                continue
    return False


def _sample_files(path: Path):
    """Log files under a directory (following /var/log/containers symlinks), a bounded few."""
    seen = 0
    for dirpath, dirnames, filenames in os.walk(path):
        dirnames.sort()
        for name in sorted(filenames):
            p = Path(dirpath) / name
            if p.is_file() and os.path.getsize(p) > 0:
                yield p
                seen += 1
                if seen >= _SNIFF_FILES:
                    return
