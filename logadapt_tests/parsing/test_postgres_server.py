"""The PostgreSQL parser against a real PostgreSQL 15 server's own log files.

One server is initialised in a temporary directory, driven into a deadlock, a lock wait, a
statement timeout, a failed password, a slow and a multi-line statement, an autovacuum run, and
an immediate stop followed by crash recovery; then restarted with csvlog + jsonlog. The logs it
wrote are parsed and checked. The server is always stopped, whatever happens.
"""

import os
import shutil
import socket
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import polars as pl
import pytest

from logadapt_assets.parsing.base import ParseOptions
from logadapt_assets.parsing.postgres import PARSER
from logadapt_tests.parsing.test_postgres import assemble, attrs

pytestmark = pytest.mark.postgres

BIN = Path("/usr/lib/postgresql/15/bin")
PASSWORD = "s3cret-pw"
SETTINGS = {
    "log_line_prefix": "%m [%p] ",
    "log_connections": "on",
    "log_disconnections": "on",
    "log_checkpoints": "on",
    "log_lock_waits": "on",
    "deadlock_timeout": "100ms",
    "log_min_duration_statement": "0",
    "log_autovacuum_min_duration": "0",
    "autovacuum_naptime": "1",
    "log_temp_files": "0",
    "log_timezone": "UTC",
}


def _as_postgres(args: list[str]) -> list[str]:
    """initdb/pg_ctl refuse to run as root: drop to the `postgres` user when we are root."""
    return ["runuser", "-u", "postgres", "--", *args] if os.geteuid() == 0 else args


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@dataclass
class Server:
    root: Path
    data: Path
    port: int
    logfile: Path

    def ctl(self, *args: str, settings: dict[str, str] | None = None) -> None:
        opts = " ".join(f"-c {k}='{v}'" for k, v in (settings or {}).items())
        base = [str(BIN / "pg_ctl"), "-D", str(self.data), "-w", "-t", "30", *args]
        if settings is not None:
            base += ["-l", str(self.logfile), "-o", opts]
        subprocess.run(_as_postgres(base), check=True, capture_output=True, timeout=60)

    def start(self, **extra: str) -> None:
        settings = {
            "port": str(self.port),
            "listen_addresses": "127.0.0.1",
            "unix_socket_directories": str(self.root),
            **SETTINGS,
            **extra,
        }
        self.ctl("start", settings=settings)

    def running(self) -> bool:
        status = subprocess.run(
            _as_postgres([str(BIN / "pg_ctl"), "-D", str(self.data), "status"]),
            capture_output=True,
        )
        return status.returncode == 0

    def psql(self, sql: str, *, tcp: bool = False, password: str | None = None) -> subprocess.Popen:
        host = "127.0.0.1" if tcp else str(self.root)
        env = {**os.environ, "PGCONNECT_TIMEOUT": "10"}
        if password is not None:
            env["PGPASSWORD"] = password
        args = [str(BIN / "psql"), "-X", "-q", "-h", host, "-p", str(self.port), "-U", "postgres"]
        return subprocess.Popen(
            [*args, "-d", "postgres", "-c", sql],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
        )

    def run(self, sql: str, **kwargs: object) -> subprocess.CompletedProcess:
        proc = self.psql(sql, **kwargs)  # type: ignore[arg-type]
        out, err = proc.communicate(timeout=30)
        return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


@pytest.fixture(scope="module")
def server() -> Iterator[Server]:
    if not (BIN / "initdb").exists():
        pytest.fail(f"PostgreSQL server binaries missing in {BIN} (apt-get install postgresql)")
    # not pytest's tmp_path: its parents are private to root, and the server runs as postgres
    root = Path(tempfile.mkdtemp(prefix="logadapt-pg-"))
    root.chmod(0o755)
    data = root / "data"
    data.mkdir()
    if os.geteuid() == 0:
        shutil.chown(root, "postgres")
        shutil.chown(data, "postgres")
    pwfile = root / "pw"
    pwfile.write_text(PASSWORD + "\n")
    pwfile.chmod(0o644)
    subprocess.run(
        _as_postgres(
            [
                str(BIN / "initdb"),
                "-D",
                str(data),
                "-U",
                "postgres",
                "--pwfile",
                str(pwfile),
                "--auth-local=trust",
                "--auth-host=scram-sha-256",
                "-N",
            ]
        ),
        check=True,
        capture_output=True,
        timeout=120,
    )
    srv = Server(root=root, data=data, port=_free_port(), logfile=root / "server.log")
    try:
        yield srv
    finally:
        if srv.running():
            srv.ctl("stop", "-m", "immediate")
        shutil.rmtree(root, ignore_errors=True)


def _drive(srv: Server) -> None:
    """Produce the records the stderr test asserts on, then crash and recover."""
    srv.start()
    setup = srv.run(
        "CREATE TABLE t(id int PRIMARY KEY, v int); INSERT INTO t VALUES (1,0),(2,0),(3,0);"
        "CREATE TABLE av(id int) WITH (autovacuum_vacuum_threshold=0,"
        " autovacuum_vacuum_scale_factor=0, autovacuum_analyze_threshold=0,"
        " autovacuum_analyze_scale_factor=0);"
        "INSERT INTO av SELECT generate_series(1,100); DELETE FROM av WHERE id <= 50;"
    )
    assert setup.returncode == 0, setup.stderr
    # deadlock: each session locks one row, then wants the other's
    first = srv.psql(
        "BEGIN; UPDATE t SET v=1 WHERE id=1; SELECT pg_sleep(0.4);"
        " UPDATE t SET v=1 WHERE id=2; COMMIT;"
    )
    time.sleep(0.1)
    second = srv.run(
        "BEGIN; UPDATE t SET v=2 WHERE id=2; SELECT pg_sleep(0.1);"
        " UPDATE t SET v=2 WHERE id=1; COMMIT;"
    )
    _, first_err = first.communicate(timeout=30)
    assert b"deadlock detected" in second.stderr + first_err
    # lock wait longer than deadlock_timeout
    holder = srv.psql("BEGIN; UPDATE t SET v=5 WHERE id=3; SELECT pg_sleep(0.4); COMMIT;")
    time.sleep(0.1)
    srv.run("UPDATE t SET v=6 WHERE id=3;")
    holder.communicate(timeout=30)
    timeout = srv.run("SET statement_timeout = '100ms'; SELECT pg_sleep(1);")
    assert b"statement timeout" in timeout.stderr
    wrong = srv.run("SELECT 1", tcp=True, password="not-the-password")
    assert wrong.returncode != 0
    srv.run("SELECT pg_sleep(0.3);")
    srv.run("SELECT 1\nFROM t\nWHERE id = 1;")
    srv.run("INSERT INTO t VALUES (1, 1);")
    deadline = time.monotonic() + 15
    while "automatic vacuum of table" not in srv.logfile.read_text():
        assert time.monotonic() < deadline, "autovacuum did not run"
        time.sleep(0.2)
    srv.ctl("stop", "-m", "immediate")
    srv.start()
    srv.ctl("stop", "-m", "fast")


def _records(path: Path) -> tuple[pl.DataFrame, int]:
    lines = path.read_text().split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    events = assemble(lines)
    out = PARSER.parse(events, ParseOptions()).with_columns(events["line_count"])
    return out, len(lines)


def _one(out: pl.DataFrame, pattern: str) -> dict:
    rows = out.filter(pl.col("message").str.contains(pattern))
    assert rows.height >= 1, f"no record matching {pattern!r}"
    return rows.row(0, named=True)


def test_real_stderr_log(server: Server) -> None:
    _drive(server)
    out, physical = _records(server.logfile)

    assert out["line_count"].sum() == physical  # conservation
    assert (out["parse_status"] == "ok").mean() >= 0.99
    assert out["timestamp"].null_count() == 0
    assert out["message"].null_count() == 0

    deadlock = _one(out, "^deadlock detected$")
    assert (deadlock["sqlstate"], deadlock["error_class"]) == ("40P01", "deadlock_detected")
    assert deadlock["line_count"] >= 6
    a = attrs(deadlock)
    assert "blocked by process" in a["detail"] and "\n" in a["detail"]
    assert a["statement"].startswith("BEGIN; UPDATE t SET v=")  # either session may be the victim
    assert a["hint"] == "See server log for query details."

    waits = out.filter(pl.col("message").str.contains(r"^process \d+ still waiting for ShareLock"))
    waiting = [r for r in waits.iter_rows(named=True) if "id=3" in attrs(r).get("statement", "")]
    assert len(waiting) == 1 and waiting[0]["duration_ms"] >= 100
    assert "Process holding the lock" in attrs(waiting[0])["detail"]
    assert _one(out, r"^process \d+ acquired ShareLock")["duration_ms"] >= 100

    timeout = _one(out, "^canceling statement due to statement timeout")
    assert (timeout["sqlstate"], timeout["error_class"]) == ("57014", "query_canceled")

    auth = _one(out, "^password authentication failed")
    assert (auth["sqlstate"], auth["error_class"]) == ("28P01", "invalid_password")
    assert auth["db_user"] == "postgres" and auth["severity"] == "FATAL"
    assert attrs(auth)["detail"].startswith("Connection matched pg_hba.conf line")
    received = out.filter(pl.col("message").str.contains("^connection received: host=127"))
    assert received["client_addr"].to_list()[0] == "127.0.0.1"

    slow = _one(out, r"statement: SELECT pg_sleep\(0\.3\);")
    assert slow["duration_ms"] >= 300
    multi = _one(out, r"statement: SELECT 1\nFROM t\nWHERE id = 1;$")
    assert multi["line_count"] == 3
    dup = _one(out, "^duplicate key value")
    assert dup["sqlstate"] == "23505" and attrs(dup)["detail"] == "Key (id)=(1) already exists."

    vacuum = _one(out, '^automatic vacuum of table "postgres.public.av"')
    assert vacuum["component"] == "autovacuum worker" and vacuum["line_count"] > 3
    assert vacuum["duration_ms"] is not None

    assert _one(out, "^received immediate shutdown request")["component"] == "postmaster"
    recovery = _one(out, "automatic recovery in progress")
    assert recovery["component"] == "startup"
    assert _one(out, "^redo (?:starts|done|is not required)")["component"] == "startup"
    assert _one(out, "^checkpoint starting: end-of-recovery")["component"] == "checkpointer"
    ready = out.filter(pl.col("message") == "database system is ready to accept connections")
    assert ready.height == 2


def test_real_csvlog_and_jsonlog(server: Server) -> None:
    if server.running():  # left over by a failed test above
        server.ctl("stop", "-m", "immediate")
    logdir = server.root / "collector"
    logdir.mkdir()
    if os.geteuid() == 0:
        shutil.chown(logdir, "postgres")
    server.start(
        logging_collector="on",
        log_destination="csvlog,jsonlog",
        log_directory=str(logdir),
        log_line_prefix="%m [%p] %q%u@%d ",
    )
    try:
        server.run("CREATE TABLE IF NOT EXISTS t(id int PRIMARY KEY, v int);")
        server.run("INSERT INTO t VALUES (2, 2) ON CONFLICT DO NOTHING;")
        server.run("INSERT INTO t VALUES (2, 2);")
        server.run('SELECT 1 AS "quoted ""name"""\nFROM t\nWHERE id = 1;')
        server.run("SELECT * FROM missing_table;")
    finally:
        server.ctl("stop", "-m", "fast")

    for suffix, fmt in ((".csv", "csvlog"), (".json", "jsonlog")):
        files = sorted(logdir.glob(f"*{suffix}"))
        assert files, f"no {suffix} log written"
        out, physical = _records(files[0])
        assert out["line_count"].sum() == physical
        assert (out["parse_status"] == "ok").all(), out.filter(pl.col("parse_status") != "ok")
        assert set(attrs(r)["log_format"] for r in out.iter_rows(named=True)) == {fmt}
        dup = _one(out, "^duplicate key value")
        assert dup["sqlstate"] == "23505"
        assert attrs(dup)["detail"] == "Key (id)=(2) already exists."
        assert attrs(dup)["statement"] == "INSERT INTO t VALUES (2, 2);"
        assert dup["db_user"] == "postgres" and dup["component"] == "client backend"
        multi = _one(out, "^duration: .* statement: SELECT 1 AS")
        assert multi["message"].endswith('SELECT 1 AS "quoted ""name"""\nFROM t\nWHERE id = 1;')
        missing = _one(out, 'relation "missing_table" does not exist')
        assert missing["error_class"] == "undefined_table"
        assert attrs(missing)["cursor_position"] == "15"
        checkpoint = _one(out, "^checkpoint complete")
        assert checkpoint["component"] == "checkpointer" and checkpoint["duration_ms"] >= 0
