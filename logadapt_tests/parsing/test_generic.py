"""Generic fallback parser: leading timestamps in the usual forms, level words, never drops."""

import datetime as dt

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.normalize import normalize_severity
from logadapt_assets.parsing.base import PARSED_SCHEMA, ParseOptions
from logadapt_assets.parsing.generic import PARSER, parse_timestamp

UTC = dt.UTC
OBSERVED = dt.datetime(2026, 11, 27, 21, 0, tzinfo=UTC)


def events(lines: list[str], observed: dt.datetime = OBSERVED) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "text": lines,
            "observed_at": [observed] * len(lines),
            "line_count": [t.count("\n") + 1 for t in lines],
            "container_id": ["c1"] * len(lines),
            "stream": ["stdout"] * len(lines),
        },
        schema_overrides={"observed_at": pl.Datetime("ns", "UTC"), "line_count": pl.Int32},
    )


def parse(lines: list[str], tz: str = "UTC", observed: dt.datetime = OBSERVED) -> pl.DataFrame:
    out = PARSER.parse(events(lines, observed), ParseOptions(timezone=tz))
    assert out.schema == pl.Schema(PARSED_SCHEMA)
    assert out.height == len(lines)
    return out


def one(line: str, tz: str = "UTC", observed: dt.datetime = OBSERVED) -> dict:
    return parse([line], tz, observed).row(0, named=True)


def t(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


@pytest.mark.parametrize(
    ("line", "ts", "level", "message"),
    [
        # ISO-8601 / RFC 3339, Z, offsets, nanoseconds
        (
            "2026-11-27T20:00:00.123Z INFO started",
            t(2026, 11, 27, 20, 0, 0, 123000),
            "INFO",
            "started",
        ),
        (
            "2026-11-27T20:00:00.123456789+01:00 WARN x",
            t(2026, 11, 27, 19, 0, 0, 123456),
            "WARN",
            "x",
        ),
        ("2026-11-27T20:00:00-0500 ERROR y", t(2026, 11, 28, 1, 0, 0), "ERROR", "y"),
        # Python logging default asctime (comma fraction), with separators
        (
            "2026-11-27 20:00:00,123 - app - WARNING - disk low",
            t(2026, 11, 27, 20, 0, 0, 123000),
            "WARNING",
            "disk low",  # the logger `app` is the component (test_application_layouts)
        ),
        # log4j / Kafka style bracketed time
        (
            "[2026-11-27 20:00:00,123] ERROR [Broker id=1] boom (kafka.X)",
            t(2026, 11, 27, 20, 0, 0, 123000),
            "ERROR",
            "[Broker id=1] boom (kafka.X)",
        ),
        # Go log package and nginx error log
        (
            "2026/11/27 20:00:00 [error] 123#0: *1 open() failed",
            t(2026, 11, 27, 20),
            "error",
            "123#0: *1 open() failed",
        ),
        # PostgreSQL default-ish prefix with a zone name
        (
            "2026-11-27 20:00:00.123 UTC [1] LOG:  ready",
            t(2026, 11, 27, 20, 0, 0, 123000),
            "LOG",
            "[1] LOG:  ready",
        ),
        # Apache error log: ctime in brackets, [module:level]
        (
            "[Thu Nov 27 20:00:00.123456 2026] [core:error] [pid 12] AH0001: x",
            t(2026, 11, 27, 20, 0, 0, 123456),
            "error",
            "[pid 12] AH0001: x",
        ),
        # tomcat / redis day-month-year
        (
            "27-Nov-2026 20:00:00.123 SEVERE [main] org.x.Y boom",
            t(2026, 11, 27, 20, 0, 0, 123000),
            "SEVERE",
            "[main] org.x.Y boom",
        ),
        # epoch seconds and milliseconds at line start
        ("1764273600.5 warn: thing", t(2025, 11, 27, 20, 0, 0, 500000), "warn", "thing"),
        ("1764273600123 thing", t(2025, 11, 27, 20, 0, 0, 123000), None, "thing"),
        # level words without a time
        ("WARNING: no time", None, "WARNING", "no time"),
        ("[ERROR] bracketed", None, "ERROR", "bracketed"),
        ("<E> angled", None, "E", "angled"),
        ('level=info msg="keyed"', None, "info", 'level=info msg="keyed"'),
    ],
)
def test_prefixes(line: str, ts: dt.datetime | None, level: str | None, message: str) -> None:
    row = one(line)
    assert row["timestamp"] == ts
    assert row["severity_text"] == level
    assert row["message"] == message
    expected = "ok" if ts and level else "partial" if ts or level else "unparsed"
    assert row["parse_status"] == expected


def test_syslog_time_takes_the_year_of_capture_and_the_zone() -> None:
    row = one("Nov 27 20:00:00 host sshd[123]: Accepted", tz="Europe/Berlin")
    assert row["timestamp"] == t(2026, 11, 27, 19)
    assert row["message"] == "host sshd[123]: Accepted"
    assert row["parse_status"] == "partial"
    padded = one("Nov  7 20:00:00 host x")
    assert padded["timestamp"] == t(2026, 11, 7, 20)


def test_syslog_time_around_new_year_goes_to_the_previous_year() -> None:
    row = one("Dec 31 23:59:59 host x", observed=dt.datetime(2027, 1, 1, 0, 0, 5, tzinfo=UTC))
    assert row["timestamp"] == t(2026, 12, 31, 23, 59, 59)


def test_glog_klog_prefix() -> None:
    row = one("E1127 20:00:00.123456   12345 server.go:42] connection refused")
    assert row["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123456)
    assert row["severity_text"] == "E"
    assert row["pid"] == 12345
    assert row["message"] == "connection refused"
    assert row["attributes"] == [{"key": "caller", "value": "server.go:42"}]
    assert row["parse_status"] == "ok"


def test_redis_prefix_pid_role_and_level_mark() -> None:
    """Redis writes `pid:role day Mon [year] time mark msg`; the mark is the level."""
    out = normalize_severity(
        parse(
            [
                "42:M 26 Nov 2026 08:15:30.250 * Background saving started by pid 77",
                "77:C 26 Nov 2026 08:15:31.004 # Write error saving DB on disk",
                "9:S 03 Mar 10:01:02.003 - Accepted 10.1.2.3:5000",  # Redis 3: no year
                "9:X 03 Mar 10:01:02.004 . sentinel tick",
            ]
        )
    )
    assert out["timestamp"].to_list() == [
        t(2026, 11, 26, 8, 15, 30, 250000),
        t(2026, 11, 26, 8, 15, 31, 4000),
        t(2026, 3, 3, 10, 1, 2, 3000),
        t(2026, 3, 3, 10, 1, 2, 4000),
    ]
    assert out["severity_text"].to_list() == ["*", "#", "-", "."]
    assert out["severity"].to_list() == ["NOTICE", "WARN", "DEBUG", "DEBUG"]
    assert out["pid"].to_list() == [42, 77, 9, 9]
    assert out["message"].to_list() == [
        "Background saving started by pid 77",
        "Write error saving DB on disk",
        "Accepted 10.1.2.3:5000",
        "sentinel tick",
    ]
    assert out["parse_status"].unique().to_list() == ["ok"]


def test_mysql_note_and_system_levels_after_the_thread_id() -> None:
    out = normalize_severity(
        parse(
            [
                "2026-11-27T20:00:00.250000Z 0 [System] [MY-010931] [Server] ready for connections",
                "2026-11-27T20:00:01.500000Z 17 [Note] [MY-010914] [Server] Aborted connection 17",
                "2026-11-27T20:00:02.000000Z 3 [Warning] [MY-010068] [Server] CA is self signed.",
                # elsewhere a bracketed `system` is no level: a Spring Boot application name
                "2026-11-27T20:00:03.000Z  WARN 7 --- [system] [main] c.e.App : slow",
            ]
        )
    )
    assert out["severity_text"].to_list() == ["System", "Note", "Warning", "WARN"]
    assert out["severity"].to_list() == ["NOTICE", "NOTICE", "WARN", "WARN"]
    assert out["message"][1] == "17 [Note] [MY-010914] [Server] Aborted connection 17"
    assert out["parse_status"].unique().to_list() == ["ok"]


def test_dotnet_console_levels_and_two_line_records() -> None:
    lines = [
        "fail: Shop.Api.OrderService[42]",
        "      Order 7 could not be saved.",
        "dbug: Shop.Api.Cache[3]",
        "      Cache warmed.",
        "trce: Shop.Api.Cache[4]",
        "      Entry 9 read.",
    ]
    starts = pl.select(PARSER.starts_record(pl.Series(lines))).to_series().to_list()
    assert starts == [True, False] * 3
    records = ["\n".join(lines[i : i + 2]) for i in range(0, 6, 2)]
    out = normalize_severity(parse(records))
    assert out["severity_text"].to_list() == ["fail", "dbug", "trce"]
    assert out["severity"].to_list() == ["ERROR", "DEBUG", "TRACE"]
    assert out["message"][0] == "Shop.Api.OrderService[42]\n      Order 7 could not be saved."


def test_java_util_logging_two_line_records() -> None:
    lines = [
        "Nov 27, 2026 12:05:09 AM com.example.shop.Checkout pay",
        "SEVERE: card declined for order 88",
        "java.lang.IllegalStateException: declined",
        "\tat com.example.shop.Checkout.pay(Checkout.java:31)",
        "Nov 27, 2026 12:30:00 PM com.example.shop.Boot start",
        "INFO: listening on 8080",
        "Nov 27, 2026 8:00:00 PM com.example.shop.Boot stop",
        "WARNING: stopping",
        "INFO: not after a header, a record of its own",
    ]
    starts = pl.select(PARSER.starts_record(pl.Series(lines))).to_series().to_list()
    assert starts == [True, False, False, False, True, False, True, False, True]
    out = parse(["\n".join(lines[0:4]), "\n".join(lines[4:6]), "\n".join(lines[6:8])])
    assert out["timestamp"].to_list() == [
        t(2026, 11, 27, 0, 5, 9),
        t(2026, 11, 27, 12, 30),
        t(2026, 11, 27, 20),
    ]
    assert out["severity_text"].to_list() == ["SEVERE", "INFO", "WARNING"]
    boot = "com.example.shop.Boot"
    assert out["component"].to_list() == ["com.example.shop.Checkout", boot, boot]
    assert out["message"].to_list() == [
        "card declined for order 88\njava.lang.IllegalStateException: declined\n"
        "\tat com.example.shop.Checkout.pay(Checkout.java:31)",
        "listening on 8080",
        "stopping",
    ]
    assert out["parse_status"].unique().to_list() == ["ok"]


def test_common_log_format_inside_an_access_log_line() -> None:
    line = '10.0.0.1 - - [27/Nov/2026:20:00:00 +0100] "GET / HTTP/1.1" 200 12'
    row = one(line)
    assert row["timestamp"] == t(2026, 11, 27, 19)
    assert row["message"] == line  # the time is not a prefix here: the line stays whole
    assert row["parse_status"] == "partial"


def test_naive_times_use_the_service_timezone_with_dst() -> None:
    out = parse(
        ["2026-07-01 12:00:00 INFO summer", "2026-01-15 12:00:00 INFO winter"], tz="Europe/Berlin"
    )
    assert out["timestamp"].to_list() == [t(2026, 7, 1, 10), t(2026, 1, 15, 11)]


def test_bare_level_words_only_near_the_start() -> None:
    far = "2026-11-27T20:00:00Z " + "x" * 60 + " ERROR late"
    assert one(far)["severity_text"] is None
    # lower-case words in prose are not levels; upper-case ones are
    assert one("2026-11-27T20:00:00Z no error here")["severity_text"] is None
    assert one("2026-11-27T20:00:00Z main ERROR x")["severity_text"] == "ERROR"


def test_logcat_letter_after_time() -> None:
    row = one("11-27 20:00:00.123  1234  5678 I ActivityManager: start")
    assert row["severity_text"] == "I"
    assert row["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123000)


def test_prose_is_unparsed_and_kept() -> None:
    out = parse(["I think therefore I am", "", "   indented", "array[i] index"])
    assert out["parse_status"].to_list() == ["unparsed"] * 4
    assert out["message"].to_list() == [
        "I think therefore I am",
        "",
        "   indented",
        "array[i] index",
    ]
    assert out["timestamp"].null_count() == 4


def test_invalid_dates_do_not_raise() -> None:
    row = one("2026-02-30T25:61:00Z ERROR impossible")
    assert row["timestamp"] is None
    assert row["parse_status"] == "partial"


def test_multiline_record_keeps_continuation_lines() -> None:
    text = (
        "2026-11-27T20:00:00Z ERROR boom\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)"
    )
    row = one(text)
    assert row["message"] == "boom\njava.lang.IllegalStateException: x\n\tat a.B.c(B.java:1)"
    assert row["severity_text"] == "ERROR"


@pytest.mark.parametrize(
    ("line", "starts"),
    [
        ("2026-11-27 INFO x", True),
        ("plain", True),
        ('{"a": 1}', True),
        ("\tat com.x.Y.f(Y.java:10)", False),
        ("    at f (/a.js:1:1)", False),
        ("Caused by: java.io.IOException: x", False),
        ("... 12 more", False),
        ("Traceback (most recent call last):", False),
        ("ValueError: bad value", False),
        ("java.lang.IllegalStateException: boom", False),
        ("KeyboardInterrupt", False),
        ("During handling of the above exception, another exception occurred:", False),
        ("}", False),
        ("],", False),
        ("Error: standalone", True),  # bare `Error:` is too common as a message start
        ("ERROR: PostgreSQL style", True),
        ("", False),  # blank lines inside tracebacks and panics
        ("goroutine 1 [running]:", False),
        ("main.main()", False),
        ("net/http.(*conn).serve(0xc000123400, {0x7c4e60, 0xc000162240})", False),
        # module paths hold dots; Go escapes a dot in the last element as %2e
        ("github.com/acme/shop/internal/cart.(*Store).Load(0xc0001a6000, {0x9e1, 0xc0})", False),
        ("go.uber.org/zap.(*Logger).Panic(0xc000128000, {0x8a2b1c, 0xb}, {0x0, 0x0, 0x0})", False),
        ("gopkg.in/yaml%2ev3.unmarshal(...)", False),
        ("created by net/http.(*Server).Serve in goroutine 1", False),
        ("[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f4a3]", False),
        ("panic: runtime error: invalid memory address or nil pointer dereference", True),
        ("exit status 2", True),
    ],
)
def test_starts_record(line: str, starts: bool) -> None:
    out = pl.select(PARSER.starts_record(pl.lit(line))).item()
    assert out is starts


def test_go_panic_assembles_into_one_record() -> None:
    lines = [
        "panic: runtime error: invalid memory address or nil pointer dereference",
        "[signal SIGSEGV: segmentation violation code=0x1 addr=0x0 pc=0x48f4a3]",
        "",
        "goroutine 1 [running]:",
        "main.main()",
        "\t/app/main.go:10 +0x23",
        "",
    ]
    starts = pl.select(PARSER.starts_record(pl.Series(lines))).to_series().to_list()
    assert starts == [True] + [False] * 6
    row = one("\n".join(lines))
    # `panic:` reads as the level (FATAL once normalised); the trailing blank line is dropped
    assert row["severity_text"] == "panic"
    assert row["message"] == "\n".join(
        ["runtime error: invalid memory address or nil pointer dereference", *lines[1:-1]]
    )
    assert row["parse_status"] == "partial"


@pytest.mark.parametrize(
    ("text", "zone", "expected"),
    [
        ("2026-11-27T20:00:00Z", "", t(2026, 11, 27, 20)),
        ("2026-11-27 20:00:00,5", "+01:00", t(2026, 11, 27, 19, 0, 0, 500000)),
        ("2026-11-27 20:00:00.123456", " UTC", t(2026, 11, 27, 20, 0, 0, 123456)),
        ("2026-11-27T20:00:00+0530", "", t(2026, 11, 27, 14, 30)),
        ("2026-11-27T20:00:00+01", "", t(2026, 11, 27, 19)),
        ("2026-11-27 20:00:00", "", t(2026, 11, 27, 19)),  # naive: Europe/Berlin
        ("garbage", "", None),
    ],
)
def test_parse_timestamp(text: str, zone: str, expected: dt.datetime | None) -> None:
    out = pl.select(parse_timestamp(pl.lit(text), pl.lit(zone), "Europe/Berlin")).item()
    assert out == expected


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=80), min_size=1, max_size=12))
def test_arbitrary_text_never_raises(lines: list[str]) -> None:
    out = parse(lines, tz="America/New_York")
    assert out["message"].null_count() == 0
    assert set(out["parse_status"].to_list()) <= {"ok", "partial", "unparsed"}


_PREFIXES = st.sampled_from(
    [
        "2026-11-27T20:00:00Z ",
        "[2026-11-27 20:00:00,123] ",
        "Nov 27 20:00:00 ",
        "1764273600 ",
        "I1127 20:00:00.000001 1 f.go:1] ",
        "",
        "27/Nov/2026:20:00:00 +0000 ",
    ]
)
_LEVELS = st.sampled_from(["INFO ", "[warn] ", "ERROR: ", "<E> ", "", "level=debug "])


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_PREFIXES, _LEVELS, st.text(max_size=40)), min_size=1, max_size=10))
def test_log_like_text_never_raises(parts: list[tuple[str, str, str]]) -> None:
    lines = [p + lv + body for p, lv, body in parts]
    out = parse(lines)
    assert out["message"].null_count() == 0
    for (prefix, _, _), ts in zip(parts, out["timestamp"].to_list(), strict=True):
        if prefix:
            assert ts is not None


def test_null_text_is_an_empty_unparsed_message() -> None:
    df = events(["a", "b"]).with_columns(pl.Series("text", [None, "2026-11-27T20:00:00Z x"]))
    out = PARSER.parse(df, ParseOptions())
    assert out["message"].to_list() == ["", "x"]
    assert out["parse_status"].to_list() == ["unparsed", "partial"]


@pytest.mark.parametrize(
    ("line", "ts", "level", "message"),
    [
        # Python logging.basicConfig default format
        ("WARNING:root:disk low", None, "WARNING", "disk low"),
        # Monolog (Laravel, Symfony): [datetime] channel.LEVEL: message context extra
        (
            "[2026-11-27T20:00:00.123456+00:00] app.ERROR: boom {} []",
            t(2026, 11, 27, 20, 0, 0, 123456),
            "ERROR",
            "boom {} []",
        ),
        # Ruby Logger
        (
            "I, [2026-11-27T20:00:00.123456 #1234]  INFO -- web: started",
            t(2026, 11, 27, 20, 0, 0, 123456),
            "I",
            "started",
        ),
        # Elixir Logger: time of day only, on the capture day
        (
            "20:00:00.123 request_id=abc [info] GET /",
            t(2026, 11, 27, 20, 0, 0, 123000),
            "info",
            "request_id=abc [info] GET /",
        ),
        # logrus text with colours (TTY): the escape codes are not content
        (
            "\x1b[36mINFO\x1b[0m[0000] A walrus appears \x1b[36manimal\x1b[0m=walrus",
            None,
            "INFO",
            "INFO[0000] A walrus appears animal=walrus",
        ),
        # Spring Boot 3 default console format
        (
            "2026-11-27T21:00:00.123+01:00  INFO 12345 --- [app] [main] c.e.DemoApp : Started",
            t(2026, 11, 27, 20, 0, 0, 123000),
            "INFO",
            "Started",
        ),
    ],
)
def test_more_application_formats(
    line: str, ts: dt.datetime | None, level: str, message: str
) -> None:
    row = one(line)
    assert (row["timestamp"], row["severity_text"], row["message"]) == (ts, level, message)


def test_time_of_day_just_before_midnight_is_the_previous_day() -> None:
    row = one("23:59:59.999 [warn] late", observed=dt.datetime(2026, 11, 28, 0, 0, 1, tzinfo=UTC))
    assert row["timestamp"] == t(2026, 11, 27, 23, 59, 59, 999000)
    local = one("20:00:00.5 [info] x", tz="Asia/Tokyo")  # 21:00 UTC is 06:00 on the 28th there
    assert local["timestamp"] == t(2026, 11, 27, 11, 0, 0, 500000)


# Application layouts: (line, timestamp, level, component, pid, message, attributes). The lines
# follow each logger's real default layout; the values are invented.
APP_LAYOUT_CASES = {
    "spring_boot_2": (
        "2026-11-27 20:00:00.123  INFO 4242 --- [           main] "
        "o.s.b.w.e.tomcat.TomcatWebServer         : Tomcat started on port(s): 8080 (http)",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "INFO",
        "o.s.b.w.e.tomcat.TomcatWebServer",
        4242,
        "Tomcat started on port(s): 8080 (http)",
        {"thread": "main"},
    ),
    "spring_boot_3": (
        "2026-11-27T21:00:00.250+01:00 ERROR 77 --- [nio-8080-exec-4] "
        "c.e.shop.web.OrderController             : order 15 failed : retry later",
        t(2026, 11, 27, 20, 0, 0, 250000),
        "ERROR",
        "c.e.shop.web.OrderController",
        77,
        "order 15 failed : retry later",
        {"thread": "nio-8080-exec-4"},
    ),
    "spring_boot_3_2_app_name": (
        "2026-11-27T20:00:00.000Z  WARN 9 --- [billing] [   scheduling-1] "
        "c.e.billing.Sweeper                      : sweep slow",
        t(2026, 11, 27, 20),
        "WARN",
        "c.e.billing.Sweeper",
        9,
        "sweep slow",
        {"thread": "scheduling-1", "application": "billing"},
    ),
    "spring_boot_3_4_correlation": (
        "2026-11-27T20:00:00.000Z DEBUG 9 --- [billing] [           main] "
        "[4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7] "
        "c.e.billing.Api                          : charged",
        t(2026, 11, 27, 20),
        "DEBUG",
        "c.e.billing.Api",
        9,
        "charged",
        {"thread": "main", "application": "billing", "span_id": "00f067aa0ba902b7"},
    ),
    "spring_boot_3_blank_correlation_no_app": (
        "2026-11-27T20:00:00.000Z  INFO 31 --- [           main] "
        "[                                                 ] c.e.App : up",
        t(2026, 11, 27, 20),
        "INFO",
        "c.e.App",
        31,
        "up",
        {"thread": "main"},
    ),
    "logback_default": (
        "20:00:00.123 [main] INFO  com.example.shop.Boot - warming caches - 3 of 4",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "INFO",
        "com.example.shop.Boot",
        None,
        "warming caches - 3 of 4",
        {"thread": "main"},
    ),
    "log4j2_pattern": (
        "2026-11-27 20:00:00,123 [pool-2-thread-1] WARN  org.example.Cache - evicted 12",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "WARN",
        "org.example.Cache",
        None,
        "evicted 12",
        {"thread": "pool-2-thread-1"},
    ),
    "micronaut_coloured": (
        "\x1b[36m20:00:00.500\x1b[0;39m \x1b[1;30m[main]\x1b[0;39m \x1b[34mINFO \x1b[0;39m "
        "\x1b[35mio.micronaut.runtime.Micronaut\x1b[0;39m - Startup completed in 412ms.",
        t(2026, 11, 27, 20, 0, 0, 500000),
        "INFO",
        "io.micronaut.runtime.Micronaut",
        None,
        "Startup completed in 412ms.",
        {"thread": "main"},
    ),
    "dropwizard": (
        "WARN  [2026-11-27 20:00:00,123] io.dropwizard.health.Checker: db check slow",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "WARN",
        "io.dropwizard.health.Checker",
        None,
        "db check slow",
        None,
    ),
    "quarkus": (
        "2026-11-27 20:00:00,123 INFO  [io.quarkus] (main) shop 1.0 started in 0.9s.",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "INFO",
        "io.quarkus",
        None,
        "shop 1.0 started in 0.9s.",
        {"thread": "main"},
    ),
    "keycloak": (
        "2026-11-27 20:00:00,123 WARN  [org.keycloak.events] (executor-thread-3) "
        "type=LOGIN_ERROR, realmId=shop, error=invalid_user_credentials",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "WARN",
        "org.keycloak.events",
        None,
        "type=LOGIN_ERROR, realmId=shop, error=invalid_user_credentials",
        {"thread": "executor-thread-3"},
    ),
    "python_name_dash_level": (
        "2026-11-27 20:00:00,123 - shop.worker - ERROR - job 9 failed",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "ERROR",
        "shop.worker",
        None,
        "job 9 failed",
        None,
    ),
    "python_level_name_colon": (
        "2026-11-27 20:00:00,123 INFO uvicorn.error: Application startup complete.",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "INFO",
        "uvicorn.error",
        None,
        "Application startup complete.",
        None,
    ),
    "flask": (
        "[2026-11-27 20:00:00,123] WARNING in views: slow page /cart",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "WARNING",
        "views",
        None,
        "slow page /cart",
        None,
    ),
    "python_basic_config": (
        "ERROR:shop.db:connection lost",
        None,
        "ERROR",
        "shop.db",
        None,
        "connection lost",
        None,
    ),
    "gunicorn": (
        "[2026-11-27 20:00:00 +0000] [31] [INFO] Booting worker with pid: 31",
        t(2026, 11, 27, 20),
        "INFO",
        None,
        31,
        "Booting worker with pid: 31",
        None,
    ),
    "monolog": (
        '[2026-11-27T20:00:00.123456+00:00] security.WARNING: token expired {"user":7} []',
        t(2026, 11, 27, 20, 0, 0, 123456),
        "WARNING",
        "security",
        None,
        'token expired {"user":7} []',
        None,
    ),
    "elasticsearch": (
        "[2026-11-27T20:00:00,123][WARN ][o.e.c.r.a.DiskThresholdMonitor] [es-2] "
        "high disk watermark exceeded",
        t(2026, 11, 27, 20, 0, 0, 123000),
        "WARN",
        "o.e.c.r.a.DiskThresholdMonitor",
        None,
        "high disk watermark exceeded",
        {"node": "es-2"},
    ),
    "ruby_logger_progname": (
        "W, [2026-11-27T20:00:00.123456 #88]  WARN -- mailer: queue backed up",
        t(2026, 11, 27, 20, 0, 0, 123456),
        "W",
        "mailer",
        88,
        "queue backed up",
        None,
    ),
    "ruby_logger_custom_datetime": (
        "I, [2026-11-27 20:00:00 #88]  INFO -- : booted",
        t(2026, 11, 27, 20),
        "I",
        None,
        88,
        "booted",
        None,
    ),
    "go_log_lshortfile": (
        "2026/11/27 20:00:00 server.go:88: listening on :8080",
        t(2026, 11, 27, 20),
        None,
        None,
        None,
        "listening on :8080",
        {"caller": "server.go:88"},
    ),
    "django_runserver": (
        '[27/Nov/2026 20:00:00] "GET /cart HTTP/1.1" 200 512',
        t(2026, 11, 27, 20),
        None,
        None,
        None,
        '"GET /cart HTTP/1.1" 200 512',
        None,
    ),
}


@pytest.mark.parametrize(
    ("line", "ts", "level", "component", "pid", "message", "attributes"),
    list(APP_LAYOUT_CASES.values()),
    ids=list(APP_LAYOUT_CASES),
)
def test_application_layouts(
    line: str,
    ts: dt.datetime | None,
    level: str | None,
    component: str | None,
    pid: int | None,
    message: str,
    attributes: dict[str, str] | None,
) -> None:
    """Logger, pid and thread come out of the message into component, pid and attributes."""
    row = one(line)
    assert row["timestamp"] == ts
    assert row["severity_text"] == level
    assert row["component"] == component
    assert row["pid"] == pid
    assert row["message"] == message
    got = {a["key"]: a["value"] for a in row["attributes"]} if row["attributes"] else None
    assert got == attributes


def test_spring_boot_correlation_fills_trace_id() -> None:
    row = one(
        "2026-11-27T20:00:00.000Z  INFO 9 --- [billing] [           main] "
        "[4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7] c.e.billing.Api : charged"
    )
    assert row["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"


@pytest.mark.parametrize(
    "line",
    [
        "2026-11-27T20:00:00Z ERROR failed: disk full",  # a prose word before a colon
        "2026-11-27T20:00:00Z config.yaml: not found",  # dotted, but no level-first time
        "2026-11-27T20:00:00Z INFO [main] started",  # a thread is no logger
    ],
)
def test_application_layouts_leave_prose_alone(line: str) -> None:
    row = one(line)
    assert row["component"] is None
