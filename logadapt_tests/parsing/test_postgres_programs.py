"""Lines other programs write into a Postgres container's stream (rules `programs`): the official
image's entrypoint, initdb and pg_ctl, Bitnami's launcher, PgBouncer, Patroni/Spilo, pgBackRest.
Formats as those programs write them; the values are invented."""

import polars as pl

from logadapt_assets.catalog import parser_for_image, sniff_parser
from logadapt_assets.parsing.base import ParseOptions
from logadapt_assets.parsing.postgres import PARSER
from logadapt_tests.parsing.test_postgres import assemble, attrs, utc


def parse(lines: list[str], **options: str) -> pl.DataFrame:
    events = assemble(lines)
    return PARSER.parse(events, ParseOptions(**options)).with_columns(events["line_count"])


def cols(out: pl.DataFrame, *names: str) -> list[tuple]:
    return out.select(names).rows()


def test_official_image_init_output_is_read_and_never_swallows_server_lines() -> None:
    lines = [
        'The files belonging to this database system will be owned by user "postgres".',
        "This user must also own the server process.",
        "fixing permissions on existing directory /var/lib/postgresql/data ... ok",
        "selecting default shared_buffers ... 256MB",
        'initdb: warning: enabling "trust" authentication for local connections',
        "initdb: hint: You can change this by editing pg_hba.conf or using the option -A.",
        "Success. You can now start the database server using:",
        "    pg_ctl -D /var/lib/postgresql/data -l logfile start",
        "waiting for server to start....2026-11-27 20:00:01.250 UTC [61] LOG:  starting "
        "PostgreSQL 17.2",
        "2026-11-27 20:00:01.300 UTC [61] LOG:  database system is ready to accept connections",
        " done",
        "server started",
        "CREATE DATABASE",
        "/usr/local/bin/docker-entrypoint.sh: running /docker-entrypoint-initdb.d/10-schema.sql",
        "waiting for server to shut down.... done",
        "server stopped",
        "PostgreSQL init process complete; ready for start up.",
        'initdb: error: could not change permissions of directory "/srv/pg": Operation not '
        "permitted",
        '2026-11-27 20:00:02.100 UTC [1] LOG:  listening on IPv4 address "0.0.0.0", port 5432',
    ]
    out = parse(lines)
    assert out["line_count"].sum() == len(lines)
    got = cols(out, "component", "severity", "parse_status", "line_count")
    assert got == [
        ("initdb", "INFO", "ok", 1),
        ("initdb", "INFO", "ok", 1),
        ("initdb", "INFO", "ok", 1),
        ("initdb", "INFO", "ok", 1),
        ("initdb", None, "ok", 1),  # severity from the written `warning` (normalised later)
        ("initdb", None, "ok", 1),
        ("initdb", "INFO", "ok", 2),  # the indented pg_ctl hint continues it
        ("postmaster", "INFO", "partial", 1),  # glued to pg_ctl's dots: as before
        ("postmaster", "INFO", "ok", 1),
        ("pg_ctl", "INFO", "ok", 1),
        ("pg_ctl", "INFO", "ok", 1),
        ("psql", "INFO", "ok", 1),
        ("docker-entrypoint", "INFO", "ok", 1),
        ("pg_ctl", "INFO", "ok", 1),
        ("pg_ctl", "INFO", "ok", 1),
        ("docker-entrypoint", "INFO", "ok", 1),
        ("initdb", None, "ok", 1),
        ("postmaster", "INFO", "ok", 1),
    ]
    assert out["severity_text"][4] == "warning" and out["severity_text"][16] == "error"
    assert out["message"][12] == "running /docker-entrypoint-initdb.d/10-schema.sql"
    assert out["message"][16].startswith("could not change permissions")
    assert out["timestamp"][8] == utc(2026, 11, 27, 20, 0, 1, 300000)
    assert out["timestamp"][0] is None  # no time written: the pipeline uses observed_at
    assert attrs(out.row(12, named=True))["log_format"] == "docker-entrypoint"


def test_entrypoint_warning_box_is_one_record() -> None:
    lines = [
        'WARNING: POSTGRES_HOST_AUTH_METHOD has been set to "trust". This will allow',
        "         anyone with access to the Postgres port to access your database without",
        "         a password, even if POSTGRES_PASSWORD is set.",
        "2026-11-27 20:00:03.000 UTC [1] LOG:  database system is ready to accept connections",
    ]
    out = parse(lines)
    row = out.row(0, named=True)
    assert (row["component"], row["severity_text"], row["line_count"]) == (
        "docker-entrypoint",
        "WARNING",
        3,
    )
    assert row["severity"] == "WARN" and row["message"].endswith("POSTGRES_PASSWORD is set.")
    assert out["component"][1] == "postmaster"


def test_bitnami_launcher_lines_take_the_capture_day() -> None:
    lines = [
        "postgresql 19:58:10.41 INFO  ==> ** Starting PostgreSQL setup **",
        "postgresql 19:58:10.52 WARN  ==> You set POSTGRESQL_EXAMPLE=yes. Not for production.",
        "postgresql 19:58:10.60 ",
        "postgresql-repmgr 23:59:59.90 INFO  ==> ** Starting repmgrd **",
        "2026-11-27 19:58:11.005 GMT [1] LOG:  starting PostgreSQL 16.6",
    ]
    out = parse(lines)
    got = cols(out, "component", "severity_text", "severity", "parse_status", "message")
    assert got[:4] == [
        ("bitnami", "INFO", "INFO", "ok", "** Starting PostgreSQL setup **"),
        (
            "bitnami",
            "WARN",
            None,
            "ok",
            "You set POSTGRESQL_EXAMPLE=yes. Not for production.",
        ),
        ("bitnami", None, "INFO", "ok", ""),
        ("bitnami", "INFO", "INFO", "ok", "** Starting repmgrd **"),
    ]
    # T0 is 2026-11-27 20:00 UTC: 23:59:59 would be in the future, so it was the day before
    assert out["timestamp"].to_list()[:4] == [
        utc(2026, 11, 27, 19, 58, 10, 410000),
        utc(2026, 11, 27, 19, 58, 10, 520000),
        utc(2026, 11, 27, 19, 58, 10, 600000),
        utc(2026, 11, 26, 23, 59, 59, 900000),
    ]
    assert attrs(out.row(3, named=True))["module"] == "postgresql-repmgr"
    assert (out["component"][4], out["pid"][4]) == ("postmaster", 1)


def test_pgbouncer_lines() -> None:
    lines = [
        "2026-11-27 20:00:00.125 UTC [7] LOG C-0x5581c2a4e0f0: shop/app@10.1.2.3:40512 login "
        "attempt: db=shop user=app tls=no",
        "2026-11-27 20:00:00.250 UTC [7] WARNING C-0x5581c2a4e3a0: (nodb)/(nouser)@10.1.2.4:40520 "
        "pooler error: client_login_timeout",
        "2026-11-27 20:00:00.375 UTC [7] LOG S-0x5581c2a61230: shop/app@172.18.0.5:5432 new "
        "connection to server (from 172.18.0.6:39112)",
        "2026-11-27 20:00:00.500 UTC [7] DEBUG C-0x5581c2a4e0f0: shop/app@[fd00::12]:40514 "
        "query time: 1250 us",
        "2026-11-27 20:01:00.000 UTC [7] LOG stats: 4 xacts/s, 9 queries/s, in 1024 B/s, out "
        "2048 B/s, xact 1700 us, query 600 us, wait 12 us",
        "2026-11-27 21:00:00.000 CET [7] ERROR S: login failed: FATAL: password authentication "
        'failed for user "app"',
        "2026-11-27 20:02:00.000 UTC 7 NOISE resync: done=5, len=5",
    ]
    out = parse(lines)
    assert set(out["component"]) == {"pgbouncer"} and set(out["parse_status"]) == {"ok"}
    got = cols(out, "pid", "severity_text", "severity", "db_user", "db_name", "client_addr")
    assert got == [
        (7, "LOG", "INFO", "app", "shop", "10.1.2.3"),
        (7, "WARNING", "WARN", None, None, "10.1.2.4"),
        (7, "LOG", "INFO", "app", "shop", None),  # a server connection: no client address
        (7, "DEBUG", "DEBUG", "app", "shop", "fd00::12"),
        (7, "LOG", "INFO", None, None, None),
        (7, "ERROR", "ERROR", "app", None, None),
        (7, "NOISE", None, None, None, None),
    ]
    assert out["message"].to_list()[:2] == [
        "login attempt: db=shop user=app tls=no",
        "pooler error: client_login_timeout",
    ]
    assert out["message"][4].startswith("stats: 4 xacts/s")
    assert out["timestamp"][0] == utc(2026, 11, 27, 20, 0, 0, 125000)
    assert out["timestamp"][5] == utc(2026, 11, 27, 20)
    assert out["duration_ms"][3] == 1.25
    first, server = attrs(out.row(0, named=True)), attrs(out.row(2, named=True))
    assert (first["connection"], first["remote_port"]) == ("C-0x5581c2a4e0f0", "40512")
    assert server["server"] == "172.18.0.5:5432" and first["log_format"] == "pgbouncer"


def test_patroni_spilo_and_pgbackrest_lines_between_server_lines() -> None:
    lines = [
        "2026-11-27 20:00:00,101 - bootstrapping - INFO - Configuring patroni",
        "2026-11-27 20:00:05,202 INFO: no action. I am (pg-1), the leader with the lock",
        "2026-11-27 20:00:06,303 WARNING: Retry got exception: connection problems",
        "2026-11-27 20:00:07,404 INFO: pg_controldata:",
        "  pg_control version number: 1300",
        "  Database cluster state: in production",
        "server promoting",
        "2026-11-27 20:00:08.505 P00   INFO: archive-push command end: completed successfully",
        "2026-11-27 20:00:09.606 UTC [88] LOG:  checkpoint starting: time",
    ]
    out = parse(lines)
    got = cols(out, "component", "severity", "parse_status", "line_count")
    assert got == [
        ("spilo", "INFO", "ok", 1),
        ("patroni", "INFO", "ok", 1),
        ("patroni", "WARN", "ok", 1),
        ("patroni", "INFO", "ok", 3),
        ("pg_ctl", "INFO", "ok", 1),
        ("pgbackrest", "INFO", "ok", 1),
        ("checkpointer", "INFO", "ok", 1),
    ]
    assert out["message"][1] == "no action. I am (pg-1), the leader with the lock"
    assert out["timestamp"][1] == utc(2026, 11, 27, 20, 0, 5, 202000)
    assert out["message"][3].endswith("Database cluster state: in production")
    assert attrs(out.row(5, named=True))["process"] == "P00"
    assert out["pid"][6] == 88


def test_program_lines_use_the_container_timezone() -> None:
    out = parse(
        ["2026-11-27 21:00:05,202 INFO: no action. I am (pg-1), the leader with the lock"],
        timezone="Europe/Berlin",
    )
    assert out["timestamp"][0] == utc(2026, 11, 27, 20, 0, 5, 202000)
    assert (out["component"][0], out["parse_status"][0]) == ("patroni", "ok")


def test_pgbouncer_and_spilo_images_choose_the_postgres_parser() -> None:
    for image in (
        "edoburu/pgbouncer:v1.23.1-p2",
        "bitnami/pgbouncer:1.24.0",
        "ghcr.io/zalando/spilo-17:4.0-p2",
        "registry.example.com/acid/spilo-15:3.0-p1",
    ):
        assert parser_for_image(image) == "postgres", image


def test_pgbouncer_lines_are_sniffed_as_postgres() -> None:
    sample = [
        "2026-11-27 20:00:00.125 UTC [1] LOG kernel file descriptor limit: 1048576 (hard: "
        "1048576); max_client_conn: 100, max expected fd use: 112",
        "2026-11-27 20:00:00.126 UTC [1] LOG listening on 0.0.0.0:6432",
        "2026-11-27 20:00:00.127 UTC [1] LOG process up: PgBouncer 1.23.1, libevent 2.1.12-stable "
        "(epoll), adns: c-ares 1.19.1, tls: OpenSSL 3.1.7",
        "2026-11-27 20:00:09.000 UTC [1] LOG C-0x55d0a1b2c3d0: app/app@10.0.3.7:51234 login "
        "attempt: db=app user=app tls=no",
    ]
    assert sniff_parser(sample) == "postgres"
