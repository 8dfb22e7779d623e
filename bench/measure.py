"""Run one tool as a subprocess and measure it: wall time, CPU, peak RSS of its tree, load.

The measuring happens in bench/launch.py, a stdlib-only launcher (see there for why a tool
must not be forked from the big benchmark process, and how peak RSS is read).
"""

import json
import os
import subprocess
import sys
import tempfile
from dataclasses import asdict, dataclass
from pathlib import Path

LAUNCHER = Path(__file__).resolve().parent / "launch.py"


@dataclass
class Run:
    tool: str
    repeat: int
    wall_s: float
    user_s: float
    sys_s: float
    maxrss_single: int  # bytes: wait4 ru_maxrss (largest single process of the tree)
    rss_tree_sampled: int  # bytes: largest sampled sum over the live process tree
    cpu_tree_sampled: float  # seconds: last sampled CPU time, summed over the tree
    load_before: float  # 1-minute load average when the run started
    load_after: float
    returncode: int
    output_bytes: int = 0

    @property
    def peak_rss(self) -> int:
        return max(self.maxrss_single, self.rss_tree_sampled)

    @property
    def cpu_s(self) -> float:
        return max(self.user_s + self.sys_s, self.cpu_tree_sampled)

    def as_dict(self) -> dict:
        return {**asdict(self), "peak_rss": self.peak_rss, "cpu_s": self.cpu_s}


def run(
    tool: str,
    cmd: list[str],
    repeat: int = 0,
    env: dict[str, str] | None = None,
    cwd: str | Path | None = None,
    log: Path | None = None,
) -> Run:
    """Run `cmd` under the launcher; its output goes to `log` (or nowhere)."""
    fd, result = tempfile.mkstemp(prefix="bench-run-", suffix=".json")
    os.close(fd)
    out = open(log, "wb") if log else subprocess.DEVNULL  # noqa: SIM115 - closed below
    load_before = os.getloadavg()[0]
    try:
        subprocess.run(
            [sys.executable, "-S", str(LAUNCHER), result, "--", *cmd],
            env=env,
            cwd=cwd,
            stdout=out,
            stderr=subprocess.STDOUT,
            check=True,
        )
        m = json.loads(Path(result).read_text())
    finally:
        if log:
            out.close()
        os.unlink(result)
    load_after = os.getloadavg()[0]
    return Run(tool=tool, repeat=repeat, load_before=load_before, load_after=load_after, **m)


def dir_bytes(path: Path, suffix: str = ".parquet") -> int:
    """Bytes of the files under `path` ending in `suffix`."""
    if not path.exists():
        return 0
    return sum(p.stat().st_size for p in path.rglob(f"*{suffix}") if p.is_file())
