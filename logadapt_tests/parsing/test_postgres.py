"""PostgreSQL parser: lines exactly as PostgreSQL 15 writes them (captured from a real server)."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.parsing.base import PARSED_SCHEMA, ParseOptions
from logadapt_assets.parsing.postgres import PARSER, PostgresParser
from logadapt_assets.parsing.postgres_prefix import compile_prefix, load_rules, parse_pg_timestamp

T0 = dt.datetime(2026, 11, 27, 20, 0, tzinfo=dt.UTC)


def assemble(lines: list[str], container: str = "c1", stream: str = "stderr") -> pl.DataFrame:
    """Group physical lines into records with the parser's starts_record, like the assembler."""
    frame = pl.DataFrame({"line": lines}, schema={"line": pl.String})
    frame = frame.with_columns(PARSER.starts_record(pl.col("line")).cum_sum().alias("rid"))
    return (
        frame.group_by("rid", maintain_order=True)
        .agg(
            pl.col("line").str.join("\n").alias("text"),
            pl.len().cast(pl.Int32).alias("line_count"),
        )
        .drop("rid")
        .with_columns(
            pl.lit(T0).cast(pl.Datetime("ns", "UTC")).alias("observed_at"),
            pl.lit(container).alias("container_id"),
            pl.lit(stream).alias("stream"),
        )
    )


def parse(lines: list[str], **options: str) -> pl.DataFrame:
    events = assemble(lines)
    out = PARSER.parse(events, ParseOptions(**options))
    return out.with_columns(events["line_count"])


def attrs(row: dict) -> dict[str, str]:
    return {a["key"]: a["value"] for a in row["attributes"]}


def utc(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=dt.UTC)


# -- record boundaries -------------------------------------------------------------------------


def test_starts_record_tab_lines_and_sections_continue() -> None:
    lines = [
        "2026-11-27 21:59:34.122 UTC [7318] ERROR:  deadlock detected",
        "2026-11-27 21:59:34.122 UTC [7318] DETAIL:  Process 7318 waits for ShareLock on "
        "transaction 725; blocked by process 7312.",
        "\tProcess 7312 waits for ShareLock on transaction 726; blocked by process 7318.",
        "2026-11-27 21:59:34.122 UTC [7318] HINT:  See server log for query details.",
        '2026-11-27 21:59:34.122 UTC [7318] CONTEXT:  while updating tuple (0,1) in relation "t"',
        "2026-11-27 21:59:34.122 UTC [7318] STATEMENT:  UPDATE t SET v=2 WHERE id=1;",
        "2026-11-27 21:59:34.123 UTC [7318] LOG:  disconnection: session time: 0:00:00.207 "
        "user=postgres database=postgres host=[local]",
        "some unprefixed text from an entrypoint script",
        "weird prefix | QUERY:  SELECT 1",
        "LOCATION:  exec_simple_query, postgres.c:1314",
        "2026-11-27 21:59:34.124 UTC [7318] LOG:  statement: SELECT 'STATEMENT:  not a section'",
    ]
    starts = pl.select(PARSER.starts_record(pl.Series(lines))).to_series().to_list()
    assert starts == [True, False, False, False, False, False, True, True, False, False, True]


def test_starts_record_csvlog_quoted_newlines_continue() -> None:
    lines = [
        '2026-11-27 22:59:39.310 CET,"postgres","postgres",7443,"[local]",6b09fd4b.1d13,3,'
        '"SELECT",2026-11-27 22:59:39 CET,3/0,0,LOG,00000,"duration: 1.274 ms  statement: SELECT 1',
        "FROM t",
        "2026-01-01 00:00:00 UTC [1] LOG:  text inside the quoted field, not a record",
        'WHERE ""id"" = 1;",,,,,,,,"exec_simple_query, postgres.c:1314","psql","client backend",,0',
        '2026-11-27 22:59:39.332 CET,,,7446,"[local]",6b09fd4b.1d16,1,"",2026-11-27 22:59:39 CET,'
        ',0,LOG,00000,"connection received: host=[local]",,,,,,,,,"","not initialized",,0',
        "plain line after the csv records",
    ]
    starts = pl.select(PARSER.starts_record(pl.Series(lines))).to_series().to_list()
    assert starts == [True, False, False, False, True, True]


def test_starts_record_never_null() -> None:
    starts = pl.select(PARSER.starts_record(pl.Series([None, "", "\t", "x"], dtype=pl.String)))
    assert starts.to_series().to_list() == [True, True, False, True]


# -- stderr with the common prefixes -----------------------------------------------------------


def test_docker_default_prefix_checkpoint() -> None:
    out = parse(
        [
            "2026-11-27 21:59:35.092 UTC [7357] LOG:  checkpoint complete: wrote 3 buffers (0.0%); "
            "0 WAL file(s) added, 0 removed, 0 recycled; write=0.001 s, sync=0.001 s, "
            "total=0.003 s; sync files=2, longest=0.001 s, average=0.001 s; distance=0 kB, "
            "estimate=0 kB"
        ]
    )
    row = out.row(0, named=True)
    assert row["timestamp"] == utc(2026, 11, 27, 21, 59, 35, 92000)
    assert row["pid"] == 7357
    assert (row["severity_text"], row["severity"]) == ("LOG", "INFO")
    assert row["component"] == "checkpointer"
    assert row["duration_ms"] == pytest.approx(3.0)
    assert row["message"].startswith("checkpoint complete: wrote 3 buffers")
    assert row["sqlstate"] is None and row["error_class"] is None
    assert row["parse_status"] == "ok"
    assert attrs(row) == {"log_format": "stderr"}


def test_output_contract_columns_order_and_height() -> None:
    lines = [
        "2026-11-27 21:59:33.641 UTC [7291] LOG:  starting PostgreSQL 15.18",
        '{"timestamp":"2026-11-27 22:59:39.219 CET","pid":7433,"error_severity":"LOG",'
        '"message":"listening"}',
        "garbage",
        "2026-11-27 22:59:39.226 CET,,,7433,,6b09fd4b.1d09,4,,2026-11-27 22:59:39 CET,,0,LOG,"
        '00000,"database system is ready to accept connections",,,,,,,,,"","postmaster",,0',
        "2026-11-27 21:59:33.653 UTC [7291] LOG:  database system is ready to accept connections",
    ]
    out = parse(lines)
    assert out.drop("line_count").schema == pl.Schema(PARSED_SCHEMA)
    assert out["message"].to_list() == [
        "starting PostgreSQL 15.18",
        "listening",
        "garbage",
        "database system is ready to accept connections",
        "database system is ready to accept connections",
    ]
    assert out["parse_status"].to_list() == ["ok", "ok", "unparsed", "ok", "ok"]


def test_debian_prefix_session_and_background_lines() -> None:
    out = parse(
        [
            "2026-11-27 22:59:39.303 CET [7443] [unknown]@[unknown] LOG:  connection received: "
            "host=10.1.2.3 port=53012",
            "2026-11-27 22:59:39.304 CET [7443] app_user@shop LOG:  connection authorized: "
            "user=app_user database=shop application_name=psql",
            "2026-11-27 22:59:39.395 CET [7435] LOG:  checkpoint starting: time",
            "2026-11-27 22:59:39.336 CET [7446] app_user@shop ERROR:  duplicate key value "
            'violates unique constraint "t_pkey"',
            "2026-11-27 22:59:39.336 CET [7446] app_user@shop DETAIL:  Key (id)=(1) already "
            "exists.",
            "2026-11-27 22:59:39.336 CET [7446] app_user@shop STATEMENT:  INSERT INTO t VALUES "
            "(1,1);",
        ]
    )
    assert out.height == 4
    received, authorized, checkpoint, dup = out.iter_rows(named=True)
    assert received["timestamp"] == utc(2026, 11, 27, 21, 59, 39, 303000)
    assert received["db_user"] is None and received["db_name"] is None
    assert received["client_addr"] == "10.1.2.3"
    assert attrs(received)["remote_port"] == "53012"
    assert (authorized["db_user"], authorized["db_name"]) == ("app_user", "shop")
    assert attrs(authorized)["application_name"] == "psql"
    assert checkpoint["db_user"] is None and checkpoint["component"] == "checkpointer"
    assert dup["sqlstate"] == "23505" and dup["error_class"] == "unique_violation"
    assert dup["line_count"] == 3
    assert attrs(dup)["detail"] == "Key (id)=(1) already exists."
    assert attrs(dup)["statement"] == "INSERT INTO t VALUES (1,1);"
    assert dup["component"] == "client backend"
    assert set(out["parse_status"]) == {"ok"}


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        (  # Debian before PostgreSQL 10
            "2026-11-27 20:00:01 UTC [812-3] app@shop LOG:  duration: 12.500 ms  statement: "
            "SELECT 1",
            {"pid": 812, "db_user": "app", "db_name": "shop", "line_num": "3"},
        ),
        (  # pgBadger
            "2026-11-27 20:00:01 UTC [812]: [4-1] user=app,db=shop,app=psql,client=10.0.0.7 "
            "LOG:  duration: 12.500 ms  statement: SELECT 1",
            {"pid": 812, "db_user": "app", "db_name": "shop", "client_addr": "10.0.0.7"},
        ),
        (  # Amazon RDS
            "2026-11-27 20:00:01 UTC:10.0.0.7(50412):app@shop:[812]:LOG:  duration: 12.500 ms  "
            "statement: SELECT 1",
            {"pid": 812, "db_user": "app", "client_addr": "10.0.0.7", "remote_port": "50412"},
        ),
        (  # pgBadger's older recommendation: db first, background processes with empty values
            "2026-11-27 20:00:01 UTC [812]: [4-1] db=shop,user=app,app=psql,client=10.0.0.7 "
            "LOG:  duration: 12.500 ms  statement: SELECT 1",
            {"pid": 812, "db_user": "app", "db_name": "shop", "client_addr": "10.0.0.7"},
        ),
        (
            "2026-11-27 20:00:01 UTC [812]: db=,user=,app=,client= LOG:  duration: 12.500 ms  "
            "statement: SELECT 1",
            {"pid": 812, "db_user": None, "db_name": None, "client_addr": None},
        ),
        (  # Google Cloud SQL
            "2026-11-27 20:00:01.000 UTC [812]: [4-1] db=shop,user=app LOG:  duration: 12.500 ms"
            "  statement: SELECT 1",
            {"pid": 812, "db_user": "app", "db_name": "shop"},
        ),
        (  # log_line_prefix = ''
            "LOG:  duration: 12.500 ms  statement: SELECT 1",
            {"pid": None, "timestamp": None},
        ),
    ],
)
def test_known_prefixes_are_recognised_without_configuration(line: str, expected: dict) -> None:
    row = parse([line]).row(0, named=True)
    assert row["parse_status"] == "ok"
    assert row["severity_text"] == "LOG"
    assert row["duration_ms"] == pytest.approx(12.5)
    assert row["message"] == "duration: 12.500 ms  statement: SELECT 1"
    values = {**row, **attrs(row)}
    for key, value in expected.items():
        assert values.get(key) == value, key
    if "timestamp" not in expected:
        assert row["timestamp"] == utc(2026, 11, 27, 20, 0, 1)


def test_unknown_prefix_host_does_not_swallow_following_fields() -> None:
    """`client=%h,xid=%x` is not pgBadger's `client=%h `: the host stops at the comma."""
    row = parse(
        [
            "2026-11-27 20:00:01.000 UTC [812]: user=app,db=shop,app=psql,client=10.0.0.7,xid=0 "
            "LOG:  checkpoint starting: time"
        ]
    ).row(0, named=True)
    assert row["pid"] == 812
    assert row["client_addr"] == "10.0.0.7"


def test_near_miss_of_a_known_prefix_is_not_read_as_ok() -> None:
    """Unconfigured, %u/%d of a known prefix must not swallow the rest of a longer prefix."""
    lines = [
        "2026-11-27 20:00:01.000 UTC [812]: [4-1] db=shop,user=app,xid=0 LOG:  checkpoint "
        "starting: time",
        "2026-11-27 20:00:02.000 UTC [813] app@shop tx=0 LOG:  checkpoint starting: time",
    ]
    guessed, near = parse(lines).iter_rows(named=True)
    assert guessed["parse_status"] == near["parse_status"] == "partial"
    assert (guessed["pid"], guessed["db_user"], guessed["db_name"]) == (812, "app", "shop")
    assert near["pid"] == 813 and near["db_name"] != "shop tx=0"
    configured = parse(lines[:1], postgres_log_line_prefix="%m [%p]: [%l-1] db=%d,user=%u,xid=%x ")
    assert configured["parse_status"].to_list() == ["ok"]
    assert configured["db_user"].to_list() == ["app"]


def test_configured_prefix_with_every_escape() -> None:
    prefix = "%m %n [%p/%P] %q%-10u|%d|%a|%r|%h|%b|%i|%e|%c|%l|%s|%v|%x|%Q|%% "
    line = (
        "2026-11-27 20:00:00.123 UTC 1796155200.123 [4242/4100] alice     |shop|my app|"
        "10.0.0.9(40000)|10.0.0.9|parallel worker|SELECT|57014|6b09fd4b.1d13|7|"
        "2026-11-27 19:59:00 UTC|3/17|745|-123456789|% ERROR:  canceling statement due to "
        "statement timeout"
    )
    row = parse([line], postgres_log_line_prefix=prefix).row(0, named=True)
    assert row["parse_status"] == "ok"
    assert row["timestamp"] == utc(2026, 11, 27, 20, 0, 0, 123000)
    assert row["pid"] == 4242
    assert (row["db_user"], row["db_name"], row["client_addr"]) == ("alice", "shop", "10.0.0.9")
    assert row["component"] == "parallel worker"
    assert (row["sqlstate"], row["error_class"]) == ("57014", "query_canceled")
    assert attrs(row) == {
        "application_name": "my app",
        "session_id": "6b09fd4b.1d13",
        "line_num": "7",
        "command_tag": "SELECT",
        "session_start": "2026-11-27 19:59:00 UTC",
        "vxid": "3/17",
        "txid": "745",
        "query_id": "-123456789",
        "leader_pid": "4100",
        "remote_port": "40000",
        "log_format": "stderr",
    }


def test_configured_prefix_background_process_stops_at_q() -> None:
    prefix = "%t [%p]: [%l-1] %quser=%u,db=%d "
    out = parse(
        [
            "2026-11-27 20:00:00 UTC [57]: [1-1] LOG:  checkpoint starting: time",
            "2026-11-27 20:00:01 UTC [99]: [3-1] user=bob,db=shop ERROR:  division by zero",
        ],
        postgres_log_line_prefix=prefix,
    )
    assert out["parse_status"].to_list() == ["ok", "ok"]
    assert out["db_user"].to_list() == [None, "bob"]
    assert out["sqlstate"].to_list() == [None, "22012"]


def test_epoch_prefix() -> None:
    row = parse(
        ["1796155200.250 [57] LOG:  checkpoint starting: time"],
        postgres_log_line_prefix="%n [%p] ",
    ).row(0, named=True)
    assert row["timestamp"] == dt.datetime.fromtimestamp(1796155200.25, tz=dt.UTC)


def test_unknown_prefix_is_partial_with_what_can_be_read() -> None:
    row = parse(
        [
            "<<2026-11-27 20:00:00.500 UTC>> {pid 12} [31337] weird FATAL:  too many connections "
            'for role "app"'
        ]
    ).row(0, named=True)
    assert row["parse_status"] == "partial"
    assert row["severity_text"] == "FATAL"
    assert row["timestamp"] == utc(2026, 11, 27, 20, 0, 0, 500000)
    assert row["pid"] == 31337
    assert row["sqlstate"] == "53300"
    assert row["message"] == 'too many connections for role "app"'
    assert "weird" in attrs(row)["prefix"]


def test_unknown_prefix_session_fields_written_as_key_value() -> None:
    """pgBadger-style `key=value` prefixes come in many orders and spellings; read them."""
    out = parse(
        [
            "2026-11-27 20:00:01 CET [812]: [9-1] [0] usr=app,db=shop,appli=My App 2 LOG:  "
            "duration: 1.500 ms  statement: SELECT 1",
            "2026-11-27 20:00:02.250 UTC [813] db=shop,user=bob,client=10.0.0.8(50412) "
            "ERROR:  division by zero",
            "2026-11-27 20:00:03 UTC [814] user=,db=,host= LOG:  checkpoint starting: time",
        ]
    )
    first, second, third = out.iter_rows(named=True)
    assert set(out["parse_status"]) == {"partial"}
    assert first["timestamp"] == utc(2026, 11, 27, 19, 0, 1)
    assert (first["pid"], first["db_user"], first["db_name"]) == (812, "app", "shop")
    assert attrs(first)["application_name"] == "My App 2"
    assert (second["db_user"], second["db_name"], second["client_addr"]) == (
        "bob",
        "shop",
        "10.0.0.8",
    )
    assert attrs(second)["remote_port"] == "50412"
    assert (third["db_user"], third["db_name"], third["client_addr"]) == (None, None, None)


def test_sqlstate_derived_for_formatting_and_config_file_errors() -> None:
    out = parse(
        [
            "2026-11-27 20:00:00.100 CET [701] FATAL:  configuration file "
            '"/srv/pg/main.conf" contains errors',
            '2026-11-27 20:00:05.200 CET [702] app@shop ERROR:  conflicting values for "MM" field '
            "in formatting string",
            "2026-11-27 20:00:05.200 CET [702] app@shop STATEMENT:  SELECT to_date('01', 'MMMM');",
        ]
    )
    assert out["sqlstate"].to_list() == ["F0000", "22007"]
    assert out["error_class"].to_list() == ["config_file_error", "invalid_datetime_format"]


def test_unparseable_text_keeps_everything() -> None:
    text = "some banner text no known program writes: 42 widgets ready"  # initdb's is read now
    row = parse([text]).row(0, named=True)
    assert row["parse_status"] == "unparsed"
    assert row["message"] == text
    assert row["severity_text"] is None and row["timestamp"] is None
    assert attrs(row) == {}


def test_server_line_glued_to_pg_ctl_output_is_partial() -> None:
    """pg_ctl's progress dots and the server's first line share a line when streams merge."""
    row = parse(
        [
            "waiting for server to start....2026-11-27 20:00:00.123 UTC [48] LOG:  starting "
            "PostgreSQL 16.4"
        ]
    ).row(0, named=True)
    assert row["parse_status"] == "partial"
    assert row["timestamp"] == utc(2026, 11, 27, 20, 0, 0, 123000)
    assert (row["pid"], row["message"]) == (48, "starting PostgreSQL 16.4")


def test_orphan_section_line_is_partial() -> None:
    row = parse(["2026-11-27 20:00:00.000 UTC [12] DETAIL:  Key (id)=(1) already exists."]).row(
        0, named=True
    )
    assert row["parse_status"] == "partial"
    assert row["severity_text"] == "DETAIL" and row["severity"] is None
    assert row["message"] == "Key (id)=(1) already exists."


# -- time zones --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("stamp", "tz", "expected"),
    [
        ("2026-11-27 21:00:00.000 CET", "UTC", utc(2026, 11, 27, 20)),
        ("2026-07-27 22:00:00.000 CEST", "UTC", utc(2026, 7, 27, 20)),
        ("2026-11-27 15:00:00 EST", "UTC", utc(2026, 11, 27, 20)),
        ("2026-11-27 20:00:00.000 GMT", "UTC", utc(2026, 11, 27, 20)),
        ("2026-11-27 21:00:00.000 +01", "UTC", utc(2026, 11, 27, 20)),
        ("2026-11-28 01:30:00.000 +0530", "UTC", utc(2026, 11, 27, 20)),
        ("2026-11-27 16:30:00.000 -03:30", "UTC", utc(2026, 11, 27, 20)),
        ("2026-11-28 01:30:00.000 IST", "Asia/Kolkata", utc(2026, 11, 27, 20)),
        ("2026-11-27 22:00:00.000 IST", "UTC", utc(2026, 11, 27, 20)),  # Israel, as PostgreSQL
        ("2026-11-27 21:00:00.000", "Europe/Berlin", utc(2026, 11, 27, 20)),
        ("2026-11-27 21:00:00.000 XYZT", "Europe/Berlin", utc(2026, 11, 27, 20)),
    ],
)
def test_zone_abbreviations(stamp: str, tz: str, expected: dt.datetime) -> None:
    got = parse_pg_timestamp(pl.Series([stamp]), tz)
    assert got.to_list() == [expected]


def test_timezone_in_prefix_line() -> None:
    row = parse(["2026-11-27 15:00:00.000 EST [9] LOG:  database system is shut down"]).row(
        0, named=True
    )
    assert row["timestamp"] == utc(2026, 11, 27, 20)
    assert row["component"] == "postmaster"


# -- multi-line records and their sections -------------------------------------------------------


DEADLOCK = [
    "2026-11-27 21:59:34.122 UTC [7318] ERROR:  deadlock detected",
    "2026-11-27 21:59:34.122 UTC [7318] DETAIL:  Process 7318 waits for ShareLock on transaction "
    "725; blocked by process 7312.",
    "\tProcess 7312 waits for ShareLock on transaction 726; blocked by process 7318.",
    "\tProcess 7318: UPDATE t SET v=2 WHERE id=1;",
    "\tProcess 7312: UPDATE t SET v=1 WHERE id=2;",
    "2026-11-27 21:59:34.122 UTC [7318] HINT:  See server log for query details.",
    '2026-11-27 21:59:34.122 UTC [7318] CONTEXT:  while updating tuple (0,1) in relation "t"',
    "2026-11-27 21:59:34.122 UTC [7318] STATEMENT:  UPDATE t SET v=2",
    "\t  WHERE id=1;",
]


def test_deadlock_record_merges_its_sections() -> None:
    out = parse(DEADLOCK)
    assert out.height == 1
    row = out.row(0, named=True)
    assert row["line_count"] == 9
    assert row["message"] == "deadlock detected"
    assert (row["sqlstate"], row["error_class"]) == ("40P01", "deadlock_detected")
    assert (row["severity_text"], row["severity"]) == ("ERROR", "ERROR")
    a = attrs(row)
    assert a["detail"] == (
        "Process 7318 waits for ShareLock on transaction 725; blocked by process 7312.\n"
        "Process 7312 waits for ShareLock on transaction 726; blocked by process 7318.\n"
        "Process 7318: UPDATE t SET v=2 WHERE id=1;\n"
        "Process 7312: UPDATE t SET v=1 WHERE id=2;"
    )
    assert a["hint"] == "See server log for query details."
    assert a["context"] == 'while updating tuple (0,1) in relation "t"'
    assert a["statement"] == "UPDATE t SET v=2\n  WHERE id=1;"
    assert row["parse_status"] == "ok"


def test_multiline_statement_in_duration_line() -> None:
    out = parse(
        [
            "2026-11-27 21:59:33.766 UTC [7304] LOG:  duration: 0.950 ms  statement: SELECT 1",
            "\tFROM t",
            "\tWHERE id = 1;",
        ]
    )
    row = out.row(0, named=True)
    assert row["message"] == "duration: 0.950 ms  statement: SELECT 1\nFROM t\nWHERE id = 1;"
    assert row["duration_ms"] == pytest.approx(0.95)
    assert attrs(row)["statement"] == "SELECT 1\nFROM t\nWHERE id = 1;"
    assert attrs(row)["statement_kind"] == "statement"


def test_extended_protocol_duration_lines() -> None:
    out = parse(
        [
            "2026-11-27 22:07:33.161 UTC [13978] postgres@postgres LOG:  duration: 0.323 ms  "
            "parse <unnamed>: UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
            "2026-11-27 22:07:33.108 UTC [13974] postgres@postgres LOG:  duration: 0.180 ms  "
            "execute P_1: UPDATE pgbench_accounts SET abalance = abalance + $1 WHERE aid = $2;",
            "2026-11-27 22:07:33.108 UTC [13974] postgres@postgres DETAIL:  parameters: "
            "$1 = '2993', $2 = '97095'",
            "2026-11-27 22:07:33.161 UTC [13978] postgres@postgres LOG:  execute <unnamed>: "
            "SELECT 1",
        ]
    )
    assert out["duration_ms"].to_list() == [pytest.approx(0.323), pytest.approx(0.18), None]
    parse_row, execute_row, logged = out.iter_rows(named=True)
    assert attrs(parse_row)["statement_kind"] == "parse"
    assert attrs(execute_row)["statement_kind"] == "execute"
    assert attrs(execute_row)["detail"] == "parameters: $1 = '2993', $2 = '97095'"
    assert attrs(execute_row)["statement"].startswith("UPDATE pgbench_accounts")
    assert attrs(logged)["statement"] == "SELECT 1"
    assert {r["component"] for r in out.iter_rows(named=True)} == {"client backend"}


def test_lock_wait_and_acquired() -> None:
    out = parse(
        [
            "2026-11-27 22:07:23.193 UTC [13723] postgres@postgres LOG:  process 13723 still "
            "waiting for ShareLock on transaction 730 after 100.101 ms",
            "2026-11-27 22:07:23.193 UTC [13723] postgres@postgres DETAIL:  Process holding the "
            "lock: 13720. Wait queue: 13723.",
            "2026-11-27 22:07:23.193 UTC [13723] postgres@postgres CONTEXT:  while updating tuple "
            '(0,3) in relation "t"',
            "2026-11-27 22:07:23.193 UTC [13723] postgres@postgres STATEMENT:  UPDATE t SET v=6 "
            "WHERE id=1;",
            "2026-11-27 22:07:23.398 UTC [13723] postgres@postgres LOG:  process 13723 acquired "
            "ShareLock on transaction 730 after 304.664 ms",
        ]
    )
    waiting, acquired = out.iter_rows(named=True)
    assert waiting["duration_ms"] == pytest.approx(100.101)
    assert waiting["sqlstate"] is None  # a LOG line, not the error itself
    assert attrs(waiting)["detail"] == "Process holding the lock: 13720. Wait queue: 13723."
    assert attrs(waiting)["statement"] == "UPDATE t SET v=6 WHERE id=1;"
    assert acquired["duration_ms"] == pytest.approx(304.664)
    assert waiting["component"] == acquired["component"] == "client backend"


def test_temp_file_with_statement() -> None:
    row = parse(
        [
            "2026-11-27 21:59:34.420 UTC [7339] LOG:  temporary file: path "
            '"base/pgsql_tmp/pgsql_tmp7339.1", size 1245184',
            "2026-11-27 21:59:34.420 UTC [7339] STATEMENT:  SELECT g FROM generate_series(1,100000)"
            " g ORDER BY g DESC",
        ]
    ).row(0, named=True)
    assert row["line_count"] == 2
    assert row["message"].startswith("temporary file: path")
    assert attrs(row)["statement"].startswith("SELECT g FROM generate_series")
    assert row["component"] == "client backend"


def test_autovacuum_report_with_continuation_lines() -> None:
    row = parse(
        [
            "2026-11-27 22:07:23.877 UTC [13740] LOG:  automatic vacuum of table "
            '"postgres.public.av": index scans: 0',
            "\tpages: 0 removed, 1 remain, 1 scanned (100.00% of total)",
            "\ttuples: 49 removed, 51 remain, 0 are dead but not yet removable",
            "\tbuffer usage: 25 hits, 4 misses, 4 dirtied",
            "\tsystem usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.25 s",
        ]
    ).row(0, named=True)
    assert row["line_count"] == 5
    assert row["component"] == "autovacuum worker"
    assert row["duration_ms"] == pytest.approx(250.0)
    assert row["message"].endswith(
        "\nsystem usage: CPU: user: 0.00 s, system: 0.00 s, elapsed: 0.25 s"
    )
    assert "\t" not in row["message"]


def test_connection_and_authentication_lines() -> None:
    out = parse(
        [
            "2026-11-27 21:59:34.270 UTC [7329] LOG:  connection authorized: user=app "
            "database=shop application_name=my worker SSL enabled (protocol=TLSv1.3, "
            "cipher=TLS_AES_256_GCM_SHA384, bits=256)",
            "2026-11-27 21:59:34.276 UTC [7330] LOG:  connection received: host=127.0.0.1 "
            "port=56664",
            "2026-11-27 21:59:34.279 UTC [7330] FATAL:  password authentication failed for user "
            '"postgres"',
            "2026-11-27 21:59:34.279 UTC [7330] DETAIL:  Password does not match for user "
            '"postgres".',
            '\tConnection matched pg_hba.conf line 91: "host    all             all             '
            '127.0.0.1/32            md5"',
            "2026-11-27 21:59:35.000 UTC [7331] FATAL:  no pg_hba.conf entry for host "
            '"10.9.8.7", user "eve", database "shop", no encryption',
            "2026-11-27 21:59:34.321 UTC [7333] LOG:  disconnection: session time: 1:02:03.500 "
            "user=postgres database=postgres host=10.0.0.3 port=5555",
            "2026-11-27 21:59:36.000 UTC [7340] FATAL:  sorry, too many clients already",
        ]
    )
    ssl, received, failed, hba, disconnect, too_many = out.iter_rows(named=True)
    assert (ssl["db_user"], ssl["db_name"]) == ("app", "shop")
    assert attrs(ssl)["application_name"] == "my worker"
    assert (received["client_addr"], attrs(received)["remote_port"]) == ("127.0.0.1", "56664")
    assert (failed["sqlstate"], failed["error_class"]) == ("28P01", "invalid_password")
    assert failed["db_user"] == "postgres" and failed["severity"] == "FATAL"
    assert attrs(failed)["detail"].endswith('127.0.0.1/32            md5"')
    assert (hba["sqlstate"], hba["error_class"]) == ("28000", "invalid_authorization_specification")
    assert (hba["client_addr"], hba["db_user"], hba["db_name"]) == ("10.9.8.7", "eve", "shop")
    assert disconnect["duration_ms"] == pytest.approx(3_723_500.0)
    assert (disconnect["db_user"], disconnect["client_addr"]) == ("postgres", "10.0.0.3")
    assert (too_many["sqlstate"], too_many["error_class"]) == ("53300", "too_many_connections")


CRASH_RECOVERY = [
    "2026-11-27 22:07:26.268 UTC [13707] LOG:  server process (PID 13807) was terminated by "
    "signal 9: Killed",
    "2026-11-27 22:07:26.268 UTC [13707] DETAIL:  Failed process was running: SELECT pg_sleep(5);",
    "2026-11-27 22:07:26.268 UTC [13707] LOG:  terminating any other active server processes",
    "2026-11-27 22:07:26.269 UTC [13790] FATAL:  terminating connection because of crash of "
    "another server process",
    "2026-11-27 22:07:26.269 UTC [13790] DETAIL:  The postmaster has commanded this server process "
    "to roll back the current transaction and exit, because another server process exited "
    "abnormally and possibly corrupted shared memory.",
    "2026-11-27 22:07:26.269 UTC [13790] HINT:  In a moment you should be able to reconnect to the "
    "database and repeat your command.",
    "2026-11-27 22:07:26.270 UTC [13707] LOG:  all server processes terminated; reinitializing",
    "2026-11-27 22:07:26.286 UTC [13812] LOG:  database system was interrupted; last known up at "
    "2026-11-27 22:07:22 UTC",
    "2026-11-27 22:07:26.336 UTC [13812] LOG:  database system was not properly shut down; "
    "automatic recovery in progress",
    "2026-11-27 22:07:26.337 UTC [13812] LOG:  redo starts at 0/1520D50",
    "2026-11-27 22:07:26.338 UTC [13812] LOG:  invalid record length at 0/153FC80: wanted 24, "
    "got 0",
    "2026-11-27 22:07:26.338 UTC [13812] LOG:  redo done at 0/153FC38 system usage: CPU: user: "
    "0.00 s, system: 0.00 s, elapsed: 0.02 s",
    "2026-11-27 22:07:26.340 UTC [13813] LOG:  checkpoint starting: end-of-recovery immediate wait",
    "2026-11-27 22:07:26.349 UTC [13707] LOG:  database system is ready to accept connections",
]


def test_crash_and_recovery_sequence() -> None:
    out = parse(CRASH_RECOVERY)
    assert out["line_count"].sum() == len(CRASH_RECOVERY)
    assert out["component"].to_list() == [
        "postmaster",  # server process (PID 13807) was terminated by signal 9 (+ DETAIL)
        "postmaster",  # terminating any other active server processes
        None,  # FATAL in the terminated backend (+ DETAIL, HINT): no marker of its type
        "postmaster",  # all server processes terminated; reinitializing
        "startup",  # database system was interrupted
        "startup",  # not properly shut down; automatic recovery in progress
        "startup",  # redo starts
        "startup",  # invalid record length
        "startup",  # redo done
        "checkpointer",  # end-of-recovery checkpoint
        "postmaster",  # ready to accept connections
    ]
    killed = out.row(0, named=True)
    assert attrs(killed)["detail"] == "Failed process was running: SELECT pg_sleep(5);"
    crash = out.row(2, named=True)
    assert (crash["sqlstate"], crash["error_class"]) == ("57P02", "crash_shutdown")
    assert attrs(crash)["hint"].startswith("In a moment you should be able to reconnect")
    assert out.row(8, named=True)["duration_ms"] == pytest.approx(20.0)
    assert set(out["parse_status"]) == {"ok"}


def test_startup_and_shutdown_messages() -> None:
    out = parse(
        [
            "2026-11-27 21:59:33.641 UTC [7291] LOG:  starting PostgreSQL 15.18 (Debian "
            "15.18-0+deb12u1) on x86_64-pc-linux-gnu, compiled by gcc (Debian 12.2.0-14+deb12u1) "
            "12.2.0, 64-bit",
            '2026-11-27 21:59:33.642 UTC [7291] LOG:  listening on IPv4 address "0.0.0.0", port '
            "5432",
            "2026-11-27 21:59:33.646 UTC [7294] LOG:  database system was shut down at 2026-11-27 "
            "21:59:25 UTC",
            "2026-11-27 21:59:35.179 UTC [7356] LOG:  received fast shutdown request",
            '2026-11-27 21:59:35.186 UTC [7356] LOG:  background worker "logical replication '
            'launcher" (PID 7362) exited with exit code 1',
            "2026-11-27 21:59:35.186 UTC [7357] LOG:  shutting down",
            "2026-11-27 21:59:35.193 UTC [7356] LOG:  database system is shut down",
        ]
    )
    assert out["component"].to_list() == [
        "postmaster",
        "postmaster",
        "startup",
        "postmaster",
        "postmaster",
        "checkpointer",
        "postmaster",
    ]


def test_verbose_error_with_inline_sqlstate_and_location() -> None:
    row = parse(
        [
            "2026-11-27 22:59:39.378 CET [7452] postgres@postgres ERROR:  42P01: relation "
            '"nope" does not exist at character 15',
            "2026-11-27 22:59:39.378 CET [7452] postgres@postgres LOCATION:  parserOpenTable, "
            "parse_relation.c:1392",
            "2026-11-27 22:59:39.378 CET [7452] postgres@postgres STATEMENT:  SELECT * FROM nope;",
        ]
    ).row(0, named=True)
    assert row["message"] == 'relation "nope" does not exist'
    assert (row["sqlstate"], row["error_class"]) == ("42P01", "undefined_table")
    a = attrs(row)
    assert a["location"] == "parserOpenTable, parse_relation.c:1392"
    assert a["cursor_position"] == "15"
    assert row["timestamp"] == utc(2026, 11, 27, 21, 59, 39, 378000)


def test_logged_sqlstate_wins_over_derivation() -> None:
    row = parse(
        ["2026-11-27 20:00:00.000 UTC [5] 40001 ERROR:  deadlock detected"],
        postgres_log_line_prefix="%m [%p] %e ",
    ).row(0, named=True)
    assert (row["sqlstate"], row["error_class"]) == ("40001", "serialization_failure")


def test_success_sqlstate_has_no_error_class() -> None:
    row = parse(
        ["2026-11-27 20:00:00.000 UTC [5] 00000 LOG:  checkpoint starting: time"],
        postgres_log_line_prefix="%m [%p] %e ",
    ).row(0, named=True)
    assert (row["sqlstate"], row["error_class"]) == ("00000", None)


@pytest.mark.parametrize(
    ("severity", "message", "sqlstate"),
    [
        ("ERROR", "deadlock detected", "40P01"),
        ("ERROR", "canceling statement due to statement timeout", "57014"),
        ("ERROR", "canceling statement due to lock timeout", "55P03"),
        ("FATAL", 'password authentication failed for user "app"', "28P01"),
        ("ERROR", 'duplicate key value violates unique constraint "t_pkey"', "23505"),
        ("ERROR", 'relation "public.orders" does not exist', "42P01"),
        ("ERROR", 'could not extend file "base/16384/16385": No space left on device', "53100"),
        ("PANIC", 'could not write to file "pg_wal/xlogtemp.85": No space left on device', "53100"),
        ("FATAL", "sorry, too many clients already", "53300"),
        (
            "FATAL",
            "remaining connection slots are reserved for non-replication superuser connections",
            "53300",
        ),
        ("FATAL", "terminating connection due to administrator command", "57P01"),
        ("FATAL", "the database system is starting up", "57P03"),
        ("FATAL", 'role "ghost" does not exist', "28000"),
        ("ERROR", 'role "ghost" does not exist', "42704"),
        ("FATAL", 'database "nope" does not exist', "3D000"),
        ("ERROR", "could not serialize access due to concurrent update", "40001"),
        (
            "ERROR",
            'null value in column "id" of relation "t" violates not-null constraint',
            "23502",
        ),
        ("ERROR", 'insert or update on table "o" violates foreign key constraint "o_fk"', "23503"),
        ("ERROR", 'syntax error at or near "SELEC"', "42601"),
        ("ERROR", "permission denied for table secrets", "42501"),
        (
            "ERROR",
            "current transaction is aborted, commands ignored until end of transaction block",
            "25P02",
        ),
        ("WARNING", "there is no transaction in progress", "25P01"),
        ("ERROR", "out of memory", "53200"),
        (
            "LOG",
            "process 12 detected deadlock while waiting for ShareLock on transaction 9 after "
            "1000.1 ms",
            None,
        ),
        ("ERROR", "something nobody has a rule for", None),
    ],
)
def test_sqlstate_derived_from_message(severity: str, message: str, sqlstate: str | None) -> None:
    row = parse([f"2026-11-27 20:00:00.000 UTC [5] {severity}:  {message}"]).row(0, named=True)
    assert row["sqlstate"] == sqlstate
    assert row["error_class"] == (load_rules().sqlstate_names[sqlstate] if sqlstate else None)


def test_errcodes_table_is_complete() -> None:
    names = load_rules().sqlstate_names
    assert len(names) >= 260
    assert names["40P01"] == "deadlock_detected"
    assert names["57014"] == "query_canceled"
    assert names["28P01"] == "invalid_password"
    assert names["53100"] == "disk_full"
    assert names["2202E"] == "array_subscript_error"
    assert names["25P04"] == "transaction_timeout"
    assert all(code in names for _, code, _ in load_rules().derivations)


def test_german_server_messages() -> None:
    """lc_messages = de_DE: translated level and section words (from PostgreSQL's catalogs)."""
    out = parse(
        [
            "2026-11-27 21:00:00.000 CET [7446] [unbekannt]@[unbekannt] LOG:  Verbindung "
            "empfangen: Host=[local]",
            "2026-11-27 21:00:01.000 CET [7446] app@shop FEHLER:  doppelter Schlüsselwert "
            "verletzt Unique-Constraint »t_pkey«",
            "2026-11-27 21:00:01.000 CET [7446] app@shop DETAIL:  Schlüssel »(id)=(1)« existiert "
            "bereits.",
            "2026-11-27 21:00:01.000 CET [7446] app@shop ANWEISUNG:  INSERT INTO t VALUES (1,1);",
            "2026-11-27 21:00:02.000 CET [7447] app@shop FEHLER:  Relation »nope« existiert "
            "nicht bei Zeichen 15",
            "2026-11-27 21:00:02.000 CET [7447] app@shop TIPP:  Vielleicht ein Tippfehler?",
            "2026-11-27 21:00:02.000 CET [7447] app@shop ANWEISUNG:  SELECT * FROM nope;",
            "2026-11-27 21:00:03.000 CET [7448] WARNUNG:  Checkpoints passieren zu oft",
        ]
    )
    received, dup, missing, warning = out.iter_rows(named=True)
    assert received["db_user"] is None and received["parse_status"] == "ok"
    assert (dup["severity_text"], dup["severity"]) == ("FEHLER", "ERROR")
    assert dup["line_count"] == 3
    assert attrs(dup)["detail"] == "Schlüssel »(id)=(1)« existiert bereits."
    assert attrs(dup)["statement"] == "INSERT INTO t VALUES (1,1);"
    assert dup["timestamp"] == utc(2026, 11, 27, 20, 0, 1)
    assert missing["message"] == "Relation »nope« existiert nicht"
    assert attrs(missing)["cursor_position"] == "15"
    assert attrs(missing)["hint"] == "Vielleicht ein Tippfehler?"
    assert (warning["severity_text"], warning["severity"]) == ("WARNUNG", "WARN")
    assert set(out["parse_status"]) == {"ok"}


def test_french_sections_with_a_space_before_the_colon() -> None:
    out = parse(
        [
            "2026-11-27 20:00:00.000 UTC [9] ERREUR:  interblocage (deadlock) détecté",
            "2026-11-27 20:00:00.000 UTC [9] DÉTAIL:  Le processus 9 attend ShareLock.",
            "2026-11-27 20:00:00.000 UTC [9] ASTUCE :  Voir les journaux applicatifs du serveur.",
            "2026-11-27 20:00:00.000 UTC [9] INSTRUCTION :  UPDATE t SET v=1;",
        ]
    )
    assert out.height == 1
    row = out.row(0, named=True)
    assert (row["severity_text"], row["severity"]) == ("ERREUR", "ERROR")
    assert attrs(row)["hint"] == "Voir les journaux applicatifs du serveur."
    assert attrs(row)["statement"] == "UPDATE t SET v=1;"
    assert row["sqlstate"] is None  # message patterns are English; %e would carry it


def test_russian_levels() -> None:
    row = parse(
        ['2026-11-27 20:00:00.000 UTC [9] ОШИБКА:  отношение "nope" не существует (символ 15)']
    ).row(0, named=True)
    assert (row["severity_text"], row["severity"]) == ("ОШИБКА", "ERROR")
    assert row["message"] == 'отношение "nope" не существует'
    assert attrs(row)["cursor_position"] == "15"


# -- csvlog and jsonlog ------------------------------------------------------------------------


CSV_PG15 = [
    '2026-11-27 22:59:39.310 CET,"postgres","shop",7443,"10.0.0.4:51234",6b09fd4b.1d13,3,'
    '"SELECT",2026-11-27 22:59:39 CET,3/0,0,LOG,00000,"duration: 1.274 ms  statement: SELECT 1',
    "FROM t",
    'WHERE ""id"" = 1;",,,,,,,,"exec_simple_query, postgres.c:1314","psql","client backend",,0',
    '2026-11-27 22:59:39.360 CET,"postgres","shop",7449,"[local]",6b09fd4b.1d19,3,"DO",'
    '2026-11-27 22:59:39 CET,3/6,0,ERROR,P0001,"boom","line1',
    'line2","try ""again""",,,"PL/pgSQL function inline_code_block line 1 at RAISE","DO $$BEGIN '
    "RAISE EXCEPTION 'boom' USING DETAIL='line1",
    'line2\', HINT=\'try ""again""\'; END$$;",,"exec_stmt_raise, pl_exec.c:3891","psql",'
    '"client backend",,0',
    "2026-11-27 22:59:39.395 CET,,,7435,,6b09fd4b.1d0b,2,,2026-11-27 22:59:39 CET,,0,LOG,00000,"
    '"checkpoint starting: shutdown immediate",,,,,,,,"LogCheckpointStart, xlog.c:6119","",'
    '"checkpointer",,0',
]


def test_csvlog_pg15_multiline_quoted_fields() -> None:
    out = parse(CSV_PG15)
    assert out["line_count"].to_list() == [3, 3, 1]
    select, boom, checkpoint = out.iter_rows(named=True)
    assert select["message"] == 'duration: 1.274 ms  statement: SELECT 1\nFROM t\nWHERE "id" = 1;'
    assert select["timestamp"] == utc(2026, 11, 27, 21, 59, 39, 310000)
    assert (select["db_user"], select["db_name"], select["pid"]) == ("postgres", "shop", 7443)
    assert select["client_addr"] == "10.0.0.4"
    assert select["duration_ms"] == pytest.approx(1.274)
    assert select["component"] == "client backend"
    a = attrs(select)
    assert (a["remote_port"], a["application_name"], a["log_format"]) == ("51234", "psql", "csvlog")
    assert a["location"] == "exec_simple_query, postgres.c:1314"
    assert (boom["sqlstate"], boom["error_class"]) == ("P0001", "raise_exception")
    b = attrs(boom)
    assert b["detail"] == "line1\nline2"
    assert b["hint"] == 'try "again"'
    assert (
        b["statement"] == "DO $$BEGIN RAISE EXCEPTION 'boom' USING DETAIL='line1\nline2', "
        "HINT='try \"again\"'; END$$;"
    )
    assert boom["client_addr"] == "[local]"
    assert checkpoint["component"] == "checkpointer" and checkpoint["db_user"] is None
    assert set(out["parse_status"]) == {"ok"}


def test_csvlog_older_column_counts() -> None:
    pg12 = (  # 23 columns: up to application_name
        '2019-05-01 10:00:00.000 UTC,"app","shop",321,"10.0.0.4:5000",5cc96f00.141,2,"UPDATE",'
        '2019-05-01 09:59:00 UTC,4/12,901,ERROR,40P01,"deadlock detected","Process 321 waits '
        'for ShareLock.",,,,,"UPDATE t SET v=1",,,"myapp"'
    )
    pg13 = (  # 24 columns: + backend_type
        "2021-05-01 10:00:00.000 UTC,,,58,,608d2600.3a,1,,2021-05-01 09:00:00 UTC,,0,LOG,00000,"
        '"checkpoint starting: time",,,,,,,,,"","checkpointer"'
    )
    out = parse([pg12, pg13])
    deadlock, checkpoint = out.iter_rows(named=True)
    assert deadlock["parse_status"] == checkpoint["parse_status"] == "ok"
    assert (deadlock["sqlstate"], deadlock["pid"], deadlock["db_user"]) == ("40P01", 321, "app")
    assert attrs(deadlock)["application_name"] == "myapp"
    assert attrs(deadlock)["statement"] == "UPDATE t SET v=1"
    assert attrs(deadlock)["txid"] == "901"
    assert checkpoint["component"] == "checkpointer"
    assert checkpoint["timestamp"] == utc(2021, 5, 1, 10)


def test_broken_csv_record_is_not_ok() -> None:
    row = parse(['2026-11-27 22:59:39.310 CET,"postgres","shop",7443,"[local]"']).row(0, named=True)
    assert row["parse_status"] in ("partial", "unparsed")
    assert row["message"]


JSONLOG = [
    '{"timestamp":"2026-11-27 22:59:39.360 CET","user":"postgres","dbname":"shop","pid":7449,'
    '"remote_host":"10.0.0.5","remote_port":40000,"session_id":"6b09fd4b.1d19","line_num":3,'
    '"ps":"DO","session_start":"2026-11-27 22:59:39 CET","vxid":"3/6","txid":0,'
    '"error_severity":"ERROR","state_code":"P0001","message":"boom \\"quoted\\" \\\\ back\\tslash",'
    '"detail":"line1\\nline2","hint":"try \\"again\\"","context":"PL/pgSQL function '
    'inline_code_block line 1 at RAISE","statement":"DO $$BEGIN RAISE EXCEPTION \'boom\'; '
    'END$$;","func_name":"exec_stmt_raise","file_name":"pl_exec.c","file_line_num":3891,'
    '"application_name":"psql","backend_type":"client backend","query_id":0}',
    '{"timestamp":"2026-11-27 22:59:39.394 CET","pid":7435,"session_id":"6b09fd4b.1d0b",'
    '"line_num":1,"session_start":"2026-11-27 22:59:39 CET","txid":0,"error_severity":"LOG",'
    '"message":"shutting down","func_name":"ShutdownXLOG","file_name":"xlog.c",'
    '"file_line_num":6069,"backend_type":"checkpointer","query_id":0}',
    # CloudNativePG: the csvlog columns inside "record", every value a string
    '{"level":"info","ts":"2025-12-09T00:32:20.823314307Z","logger":"postgres","msg":"record",'
    '"logging_pod":"cluster-test1-1","record":{"log_time":"2025-12-09 00:32:20.822 UTC",'
    '"user_name":"postgres","database_name":"postgres","process_id":"4003",'
    '"connection_from":"[local]","session_id":"69376dbf.fa3","session_line_num":"1",'
    '"command_tag":"SELECT","session_start_time":"2025-12-09 00:30:55 UTC",'
    '"virtual_transaction_id":"2/81","transaction_id":"0","error_severity":"LOG",'
    '"sql_state_code":"00000","message":"duration: 100.000 ms  statement: SELECT 1",'
    '"application_name":"psql","backend_type":"client backend"}}',
]


def test_jsonlog_and_cloudnativepg_records() -> None:
    out = parse(JSONLOG)
    assert out.height == 3
    boom, shutdown, cnpg = out.iter_rows(named=True)
    assert boom["message"] == 'boom "quoted" \\ back\tslash'
    assert boom["timestamp"] == utc(2026, 11, 27, 21, 59, 39, 360000)
    assert (boom["sqlstate"], boom["error_class"]) == ("P0001", "raise_exception")
    assert (boom["db_user"], boom["db_name"], boom["pid"]) == ("postgres", "shop", 7449)
    assert boom["client_addr"] == "10.0.0.5" and boom["component"] == "client backend"
    a = attrs(boom)
    assert a["detail"] == "line1\nline2"
    assert a["hint"] == 'try "again"'
    assert a["statement"] == "DO $$BEGIN RAISE EXCEPTION 'boom'; END$$;"
    assert (a["remote_port"], a["file_line_num"], a["log_format"]) == ("40000", "3891", "jsonlog")
    assert "txid" not in a and "query_id" not in a  # 0 means none
    assert shutdown["component"] == "checkpointer"
    assert cnpg["timestamp"] == utc(2025, 12, 9, 0, 32, 20, 822000)
    assert (cnpg["pid"], cnpg["db_user"], cnpg["client_addr"]) == (4003, "postgres", "[local]")
    assert cnpg["duration_ms"] == pytest.approx(100.0)
    assert cnpg["sqlstate"] == "00000"
    assert set(out["parse_status"]) == {"ok"}


def test_truncated_json_line_is_partial_and_keeps_its_text() -> None:
    """One torn line must not cost the batch: the others are still read fully."""
    line = '{"timestamp":"2026-11-27 22:59:39.360 CET","pid":7449,"error_severity":"ERR'
    out = parse([*JSONLOG, line])
    assert out["parse_status"].to_list() == ["ok", "ok", "ok", "partial"]
    torn = out.row(3, named=True)
    assert torn["pid"] == 7449
    assert torn["message"] == line
    boom = out.row(0, named=True)
    assert boom["message"] == 'boom "quoted" \\ back\tslash'
    assert attrs(boom)["detail"] == "line1\nline2"
    assert out.row(2, named=True)["pid"] == 4003


# -- prefix compiler ---------------------------------------------------------------------------


def test_compile_prefix_escapes_literals_and_q() -> None:
    c = compile_prefix("[%p] %q%u@%d %% %Z ")
    assert c.fields == {"pid": "pid", "db_user": "db_user", "db_name": "db_name"}
    assert c.pattern == r"\[(?P<pid>\d+)\] (?:(?P<db_user>.*?)@(?P<db_name>.*?) %  )?"
    repeated = compile_prefix("%p %p %-8u")
    assert repeated.fields == {"pid": "pid", "pid_2": "pid", "db_user": "db_user"}
    assert " *(?P<db_user>.*?) *" in repeated.pattern


def test_empty_input_returns_empty_contract_frame() -> None:
    events = assemble([]).head(0)
    out = PARSER.parse(events, ParseOptions())
    assert out.height == 0 and out.schema == pl.Schema(PARSED_SCHEMA)


def test_conservation_over_a_mixed_stream() -> None:
    lines = DEADLOCK + CSV_PG15 + JSONLOG + CRASH_RECOVERY + ["", "plain", "\tindented orphan"]
    events = assemble(lines)
    out = PostgresParser().parse(events, ParseOptions())
    assert out.height == events.height
    assert events["line_count"].sum() == len(lines)
    assert out["message"].null_count() == 0


@settings(max_examples=200, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.text(max_size=120),
            st.sampled_from(DEADLOCK + CSV_PG15 + JSONLOG + CRASH_RECOVERY),
            st.builds(
                lambda sev, body: f"2026-11-27 20:00:00.000 UTC [1] {sev}:  {body}",
                st.sampled_from(["LOG", "ERROR", "DETAIL", "STATEMENT", "FATAL", "HINT"]),
                st.text(max_size=60),
            ),
        ),
        max_size=25,
    )
)
def test_arbitrary_text_never_raises(lines: list[str]) -> None:
    lines = [x for line in lines for x in line.split("\n")] if lines else []
    events = assemble(lines)
    out = PARSER.parse(events, ParseOptions(postgres_log_line_prefix="%m [%p] %q%u@%d "))
    assert out.height == events.height
    assert out["message"].null_count() == 0
    assert out["parse_status"].is_in(["ok", "partial", "unparsed"]).all()
    assert events["line_count"].sum() == len(lines)


@settings(max_examples=100, deadline=None)
@given(
    prefix=st.text(
        alphabet=st.sampled_from(list("%%%-5aubdprhmtnlceisvxqQP%[]()\\.*+?{}^$|#&~ @:,=")),
        max_size=30,
    ),
    body=st.text(max_size=40),
)
def test_any_configured_prefix_compiles_and_never_raises(prefix: str, body: str) -> None:
    lines = [f"2026-11-27 20:00:00.000 UTC [7] LOG:  {body}".split("\n")[0], prefix + "ERROR:  x"]
    out = parse(lines, postgres_log_line_prefix=prefix)
    assert out.height == len(assemble(lines))
    assert out["message"].null_count() == 0


def test_odd_options_and_values_never_raise() -> None:
    lines = ["999999999999999999999.5 [1] LOG:  x", "1796155200.250 [57] LOG:  y"]
    out = parse(lines, postgres_log_line_prefix="%n [%p] ", timezone="Not/AZone")
    assert out["timestamp"].to_list() == [None, dt.datetime.fromtimestamp(1796155200.25, dt.UTC)]
    assert out["parse_status"].to_list() == ["partial", "ok"]


def test_starts_record_per_container_with_over() -> None:
    """Interleaved containers: evaluated `.over(container)`, an open csv field stays local."""
    frame = pl.DataFrame(
        {
            "c": ["a", "b", "a", "b", "a"],
            "line": [
                CSV_PG15[0],  # opens a quoted field in container a
                "2026-11-27 20:00:00.000 UTC [1] LOG:  b starts",
                "FROM t",
                "plain text in b",
                CSV_PG15[2],  # closes it
            ],
        }
    )
    starts = frame.select(PARSER.starts_record(pl.col("line")).over("c")).to_series()
    assert starts.to_list() == [True, True, False, True, False]
