"""Tiny launcher: `python -S launch.py RESULT.json -- CMD...` runs CMD and measures it.

Why a launcher: on Linux, exec() records the *old* address space's peak RSS in the process's
ru_maxrss (exec_mmap -> setmax_mm_hiwater_rss). A tool forked straight from the benchmark
process, which holds a generator dataset and pyarrow, would start with the benchmark's peak
as its own. Forked from this stdlib-only process (~10 MB) instead, its ru_maxrss is its own.

Peak RSS (and CPU time) have two readings, and neither alone is enough:
- wait4's ru_maxrss is the largest peak of any *single* process of the tree that was reaped
  (Linux keeps max(own, reaped children's), not a sum): exact for a one-process tool, but for
  PySpark it is either the Python driver or the JVM, never both, and misses a re-parented JVM.
- Summing VmRSS over the live tree (children links, plus anything left in the tool's session)
  every 20 ms sees the driver and the JVM together, but can miss a spike between two samples.
The caller reports the larger. CPU seconds likewise: wait4's user+sys covers the reaped tree,
the per-process /proc samples also see a JVM that outlives its parent.
resource.getrusage(RUSAGE_CHILDREN) is not used: it is a running max over every child ever
reaped, so after one large tool every later reading would be wrong.
"""

import json
import os
import sys
import threading
import time

PAGE = os.sysconf("SC_PAGE_SIZE")
TICK = os.sysconf("SC_CLK_TCK")


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            with open(f"/proc/{pid}/task/{task}/children") as fh:
                kids += [int(x) for x in fh.read().split()]
    except OSError:
        pass
    return kids


def _rss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/statm") as fh:
            return int(fh.read().split()[1]) * PAGE
    except (OSError, IndexError):
        return 0


def _cpu(pid: int) -> float:
    """User + system seconds of one process so far (0 when it is gone)."""
    try:
        with open(f"/proc/{pid}/stat") as fh:
            fields = fh.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / TICK
    except (OSError, IndexError, ValueError):
        return 0.0


def tree(root: int) -> set[int]:
    """`root`, its descendants and re-parented members of its session."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        pid = stack.pop()
        if pid not in seen:
            seen.add(pid)
            stack += _children(pid)
    for name in os.listdir("/proc"):
        if name.isdigit() and int(name) not in seen:
            try:
                if os.getsid(int(name)) == root:
                    seen.add(int(name))
            except OSError:
                pass
    return seen


def main() -> int:
    out, sep, cmd = sys.argv[1], sys.argv[2], sys.argv[3:]
    assert sep == "--" and cmd, "usage: launch.py RESULT.json -- CMD..."
    start = time.perf_counter()
    pid = os.fork()
    if pid == 0:
        os.setsid()  # its own session: leftovers (a JVM) are found and killed by session id
        try:
            os.execvp(cmd[0], cmd)
        finally:
            os._exit(127)
    peak = 0
    cpu: dict[int, float] = {}  # pid -> last seen CPU seconds (a JVM is never reaped by us)
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            pids = tree(pid)
            peak = max(peak, sum(_rss(p) for p in pids))
            for p in pids:
                cpu[p] = max(cpu.get(p, 0.0), _cpu(p))
            done.wait(0.02)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    _, status, usage = os.wait4(pid, 0)
    wall = time.perf_counter() - start
    done.set()
    sampler.join()
    try:
        os.killpg(pid, 9)  # whatever the tool left running in its session
    except OSError:
        pass
    with open(out, "w") as fh:
        json.dump(
            {
                "wall_s": wall,
                "user_s": usage.ru_utime,
                "sys_s": usage.ru_stime,
                "maxrss_single": usage.ru_maxrss * 1024,
                "rss_tree_sampled": peak,
                "cpu_tree_sampled": sum(cpu.values()),
                "returncode": os.waitstatus_to_exitcode(status),
            },
            fh,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
