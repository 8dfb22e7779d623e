"""Structured application logs (JSON conventions, logfmt) as the libraries really write them."""

import datetime as dt
import json
import re

import polars as pl
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from logadapt_assets.generate.app_lines import PANIC
from logadapt_assets.normalize import normalize_severity
from logadapt_assets.parsing.base import PARSED_SCHEMA, ParseOptions
from logadapt_assets.parsing.structured import PARSER

UTC = dt.UTC
OBSERVED = dt.datetime(2026, 11, 27, 21, 0, tzinfo=UTC)


def events(lines: list[str], containers: list[str] | None = None) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "text": lines,
            "observed_at": [OBSERVED] * len(lines),
            "line_count": [t.count("\n") + 1 for t in lines],
            "container_id": containers or ["c1"] * len(lines),
            "stream": ["stdout"] * len(lines),
        },
        schema_overrides={"observed_at": pl.Datetime("ns", "UTC"), "line_count": pl.Int32},
    )


def parse(lines: list[str], tz: str = "UTC", containers: list[str] | None = None) -> pl.DataFrame:
    out = PARSER.parse(events(lines, containers), ParseOptions(timezone=tz))
    assert out.schema == pl.Schema(PARSED_SCHEMA)
    assert out.height == len(lines)
    return normalize_severity(out)


def one(line: str, tz: str = "UTC") -> dict:
    return parse([line], tz).row(0, named=True)


def attrs(row: dict) -> dict[str, str]:
    return {a["key"]: a["value"] for a in row["attributes"] or []}


def t(*args: int) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


# --- one test per convention, lines as the libraries write them ------------------------------


def test_logrus_json() -> None:
    line = (
        '{"animal":"walrus","level":"warning","msg":"The group\'s number increased tremendously!",'
        '"number":122,"omg":true,"time":"2014-03-10T19:57:38.562471297-04:00"}'
    )
    row = one(line)
    assert row["timestamp"] == t(2014, 3, 10, 23, 57, 38, 562471)
    assert (row["severity_text"], row["severity"], row["severity_number"]) == (
        "warning",
        "WARN",
        13,
    )
    assert row["message"] == "The group's number increased tremendously!"
    assert attrs(row) == {"animal": "walrus", "number": "122", "omg": "true"}
    assert row["parse_status"] == "ok"


def test_logrus_text_is_logfmt() -> None:
    line = (
        'time="2026-11-27T20:00:00.123456789Z" level=error msg="Handler for GET /x returned '
        'error: \\"boom\\"\\nretry" module=libcontainerd namespace=moby'
    )
    row = one(line)
    assert row["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123456)
    assert row["severity"] == "ERROR"
    assert row["message"] == 'Handler for GET /x returned error: "boom"\nretry'
    assert attrs(row) == {"module": "libcontainerd", "namespace": "moby"}
    assert row["parse_status"] == "ok"


def test_go_http_panic_is_one_record() -> None:
    """net/http's recovered panic (the generator's orders-api writes it through the standard
    `log` package between zap lines): every frame, module paths included, continues it."""
    lines = re.sub(r"«[^»]*»", "7", PANIC).split("\n")
    starts = pl.select(PARSER.starts_record(pl.Series(lines))).to_series().to_list()
    assert starts == [True] + [False] * (len(lines) - 1)


def test_zap_production() -> None:
    line = (
        '{"level":"error","ts":1764273600.1234567,"logger":"api.http","caller":"server/h.go:42",'
        '"msg":"failed to fetch URL","url":"http://example.com","attempt":3,"backoff":1,'
        '"error":"dial tcp 10.0.0.1:80: connect: connection refused",'
        '"stacktrace":"main.main\\n\\t/app/main.go:12\\nruntime.main\\n\\t/usr/go/proc.go:250"}'
    )
    row = one(line)
    assert row["timestamp"] == t(2025, 11, 27, 20, 0, 0, 123456)
    assert row["severity"] == "ERROR"
    assert row["component"] == "api.http"
    assert row["message"] == "failed to fetch URL"
    assert row["error_class"] is None  # a Go goroutine trace names no exception class
    assert attrs(row) == {
        "caller": "server/h.go:42",
        "url": "http://example.com",
        "attempt": "3",
        "backoff": "1",
        "error": "dial tcp 10.0.0.1:80: connect: connection refused",
        "stacktrace": "main.main\n\t/app/main.go:12\nruntime.main\n\t/usr/go/proc.go:250",
    }


def test_zap_iso8601_time_encoder() -> None:
    row = one('{"level":"dpanic","ts":"2026-11-27T21:00:00.123+0100","msg":"odd"}')
    assert row["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123000)
    assert (row["severity"], row["severity_number"]) == ("ERROR", 19)


def test_slog_json_and_text() -> None:
    rows = parse(
        [
            '{"time":"2026-11-27T15:00:00.123456789-05:00","level":"WARN+2","source":'
            '{"function":"main.main","file":"/app/main.go","line":21},"msg":"slow","elapsed":"1.5s"}',
            'time=2026-11-27T20:00:00.000Z level=INFO msg="hello world" count=3 duration=250ms',
        ]
    ).to_dicts()
    assert rows[0]["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123456)
    assert rows[0]["severity"] == "WARN"
    assert rows[0]["duration_ms"] == 1500.0
    assert attrs(rows[0]) == {
        "source.function": "main.main",
        "source.file": "/app/main.go",
        "source.line": "21",
    }
    assert rows[1]["message"] == "hello world"
    assert rows[1]["duration_ms"] == 250.0
    assert attrs(rows[1]) == {"count": "3"}


def test_zerolog_epoch_seconds() -> None:
    row = one('{"level":"info","time":1764273600,"caller":"/app/main.go:9","message":"hi"}')
    assert row["timestamp"] == t(2025, 11, 27, 20)
    assert row["message"] == "hi"


def test_pino_with_http_request() -> None:
    line = (
        '{"level":30,"time":1764273600123,"pid":657,"hostname":"web-1","name":"api",'
        '"req":{"id":7,"method":"GET","url":"/users","headers":{"host":"x"}},'
        '"res":{"statusCode":200},"responseTime":12,"msg":"request completed"}'
    )
    row = one(line)
    assert row["timestamp"] == t(2025, 11, 27, 20, 0, 0, 123000)
    assert (row["severity_text"], row["severity"], row["severity_number"]) == ("30", "INFO", 9)
    assert row["pid"] == 657
    assert row["component"] == "api"
    assert row["request_id"] == "7"
    assert row["duration_ms"] == 12.0
    assert attrs(row) == {
        "hostname": "web-1",
        "req.method": "GET",
        "req.url": "/users",
        "req.headers.host": "x",
        "res.statusCode": "200",
    }


@pytest.mark.parametrize(
    ("level", "severity"),
    [(10, "TRACE"), (20, "DEBUG"), (30, "INFO"), (40, "WARN"), (50, "ERROR"), (60, "FATAL")],
)
def test_pino_bunyan_numeric_levels(level: int, severity: str) -> None:
    assert one(f'{{"level":{level},"time":1764273600000,"msg":"m"}}')["severity"] == severity


def test_bunyan_with_error() -> None:
    line = (
        '{"name":"myapp","hostname":"banana.local","pid":40161,"level":50,"err":{"message":'
        '"boom","name":"TypeError","stack":"TypeError: boom\\n    at f (/app/a.js:1:1)"},'
        '"msg":"oops","time":"2013-01-04T18:46:23.851Z","v":0}'
    )
    row = one(line)
    assert row["timestamp"] == t(2013, 1, 4, 18, 46, 23, 851000)
    assert row["severity"] == "ERROR"
    assert row["error_class"] == "TypeError"
    assert attrs(row) == {
        "hostname": "banana.local",
        "err.message": "boom",
        "err.stack": "TypeError: boom\n    at f (/app/a.js:1:1)",
        "v": "0",
    }


def test_structlog_json_renderer_with_traceback() -> None:
    exc = (
        'Traceback (most recent call last):\n  File "/app/x.py", line 3, in <module>\n'
        "    1 / 0\nZeroDivisionError: division by zero"
    )
    line = json.dumps(
        {
            "event": "calc failed",
            "level": "error",
            "logger": "app.calc",
            "timestamp": "2026-11-27T20:00:00.123456Z",
            "exception": exc,
            "user_id": 42,
        }
    )
    row = one(line)
    assert row["message"] == "calc failed"
    assert row["component"] == "app.calc"
    assert row["error_class"] == "ZeroDivisionError"
    assert attrs(row) == {"exception": exc, "user_id": "42"}


def test_structlog_dict_tracebacks() -> None:
    line = json.dumps(
        {
            "event": "x",
            "level": "error",
            "timestamp": "2026-11-27T20:00:00Z",
            "exception": [{"exc_type": "KeyError", "exc_value": "'a'", "frames": []}],
        }
    )
    assert one(line)["error_class"] == "KeyError"


def test_ecs_flattened_and_nested() -> None:
    flat = (
        '{"@timestamp":"2026-11-27T20:00:00.000Z","log.level":"error","message":"boom",'
        '"ecs.version":"1.6.0","log.logger":"app.db","trace.id":"4bf92f3577b34da6a3ce929d0e0e4736",'
        '"transaction.id":"00f067aa0ba902b7","error.type":"java.sql.SQLException",'
        '"error.message":"bad","event.duration":1500000}'
    )
    nested = (
        '{"@timestamp":"2026-11-27T20:00:00.000Z","log":{"level":"error","logger":"app.db",'
        '"origin":{"file":{"line":12,"name":"db.py"}}},"message":"boom","ecs":{"version":"1.6.0"},'
        '"trace":{"id":"4bf92f3577b34da6a3ce929d0e0e4736"},"transaction":{"id":"00f067aa0ba902b7"},'
        '"error":{"type":"java.sql.SQLException","message":"bad"},"process":{"pid":7},'
        '"event":{"duration":1500000}}'
    )
    for row in parse([flat, nested]).to_dicts():
        assert row["timestamp"] == t(2026, 11, 27, 20)
        assert row["severity"] == "ERROR"
        assert row["component"] == "app.db"
        assert row["message"] == "boom"
        assert row["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
        assert row["request_id"] == "00f067aa0ba902b7"
        assert row["error_class"] == "java.sql.SQLException"
        assert row["duration_ms"] == 1.5
        assert attrs(row)["error.message"] == "bad"
        assert attrs(row)["ecs.version"] == "1.6.0"
    assert attrs(parse([nested]).row(0, named=True))["log.origin.file.name"] == "db.py"
    assert parse([nested])["pid"].to_list() == [7]


def test_opentelemetry_log_record() -> None:
    line = (
        '{"timeUnixNano":"1544712660300000000","observedTimeUnixNano":"1544712660300000001",'
        '"severityNumber":10,"severityText":"Information","traceId":"5B8EFFF798038103D269B633813FC60C",'
        '"spanId":"EEE19B7EC3C1B174","body":{"stringValue":"Example log record"},"attributes":['
        '{"key":"string.attribute","value":{"stringValue":"some \\"string\\""}},'
        '{"key":"boolean.attribute","value":{"boolValue":true}},'
        '{"key":"int.attribute","value":{"intValue":"10"}},'
        '{"key":"double.attribute","value":{"doubleValue":637.704}},'
        '{"key":"exception.type","value":{"stringValue":"java.io.IOException"}}]}'
    )
    row = one(line)
    assert row["timestamp"] == t(2018, 12, 13, 14, 51, 0, 300000)
    assert row["severity_text"] == "Information"
    assert (row["severity"], row["severity_number"]) == ("NOTICE", 10)  # INFO2
    assert row["message"] == "Example log record"
    assert row["trace_id"] == "5B8EFFF798038103D269B633813FC60C"
    assert row["error_class"] == "java.io.IOException"
    assert attrs(row) == {
        "observedTimeUnixNano": "1544712660300000001",
        "spanId": "EEE19B7EC3C1B174",
        "string.attribute": 'some "string"',
        "boolean.attribute": "true",
        "int.attribute": "10",
        "double.attribute": "637.704",
    }


def test_opentelemetry_severity_number_as_enum_name() -> None:
    rows = parse(
        [
            '{"timeUnixNano":"1764273600000000000","severityNumber":"SEVERITY_NUMBER_WARN",'
            '"body":{"stringValue":"queue almost full"}}',
            '{"severityNumber":"SEVERITY_NUMBER_ERROR3","body":{"stringValue":"lost"}}',
            '{"severityNumber":"SEVERITY_NUMBER_INFO","severityText":"Information",'
            '"body":{"stringValue":"up"}}',
        ]
    ).to_dicts()
    assert [r["severity"] for r in rows] == ["WARN", "ERROR", "INFO"]
    assert rows[0]["severity_text"] == "SEVERITY_NUMBER_WARN"
    assert rows[1]["message"] == "lost"


def test_opentelemetry_complex_attribute_keeps_the_raw_list() -> None:
    line = (
        '{"timeUnixNano":"1544712660300000000","severityNumber":17,"body":"plain body",'
        '"attributes":[{"key":"a","value":{"stringValue":"x"}},{"key":"arr","value":'
        '{"arrayValue":{"values":[{"stringValue":"many"}]}}}]}'
    )
    row = one(line)
    assert (row["severity_text"], row["severity"], row["message"]) == ("17", "ERROR", "plain body")
    assert attrs(row)["a"] == "x"
    assert json.loads(attrs(row)["attributes"])[1]["key"] == "arr"


def test_logstash_logback_encoder() -> None:
    line = (
        '{"@timestamp":"2026-11-27T21:00:00.123+01:00","@version":"1","message":"Failed to load",'
        '"logger_name":"com.acme.Loader","thread_name":"main","level":"ERROR","level_value":40000,'
        '"stack_trace":"java.lang.IllegalStateException: boom\\n'
        '\\tat com.acme.Loader.load(Loader.java:10)\\n"}'
    )
    row = one(line)
    assert row["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123000)
    assert (row["severity_text"], row["severity"]) == ("ERROR", "ERROR")
    assert row["component"] == "com.acme.Loader"
    assert row["error_class"] == "java.lang.IllegalStateException"
    assert set(attrs(row)) == {"@version", "thread_name", "stack_trace"}


def test_log4j2_json_layout_instant_and_thrown() -> None:
    line = (
        '{"instant":{"epochSecond":1764273600,"nanoOfSecond":123456789},"thread":"main",'
        '"level":"WARN","loggerName":"org.acme.App","message":"careful","thrown":{"commonElementCount":0,'
        '"name":"java.lang.RuntimeException","message":"x"},"endOfBatch":false,'
        '"loggerFqcn":"org.apache.logging.log4j.spi.AbstractLogger","threadId":1,"threadPriority":5}'
    )
    row = one(line)
    assert row["timestamp"] == t(2025, 11, 27, 20, 0, 0, 123456)
    assert row["component"] == "org.acme.App"
    assert row["error_class"] == "java.lang.RuntimeException"


def test_gcp_timestamp_object_seconds_and_nanos() -> None:
    rows = parse(
        [
            '{"message":"GET /ping 200","severity":"INFO","timestamp":{"seconds":1764273600,'
            '"nanos":987654000}}',
            '{"message":"warm","severity":"NOTICE","timestamp":{"seconds":1764273601,"nanos":0},'
            '"channel":"app"}',
        ]
    ).to_dicts()
    assert rows[0]["timestamp"] == t(2025, 11, 27, 20, 0, 0, 987654)
    assert rows[1]["timestamp"] == t(2025, 11, 27, 20, 0, 1)
    assert (rows[1]["severity"], attrs(rows[1])["channel"]) == ("NOTICE", "app")


def test_gcp_trace_name_gives_the_trace_id() -> None:
    rows = parse(
        [
            '{"severity":"ERROR","message":"charge failed","logging.googleapis.com/trace":'
            '"projects/shop-prod/traces/4bf92f3577b34da6a3ce929d0e0e4736",'
            '"logging.googleapis.com/spanId":"00f067aa0ba902b7","logging.googleapis.com/trace_sampled":true}',
            '{"severity":"INFO","message":"ok","trace_id":"4bf92f3577b34da6a3ce929d0e0e4736"}',
        ]
    ).to_dicts()
    assert rows[0]["trace_id"] == rows[1]["trace_id"] == "4bf92f3577b34da6a3ce929d0e0e4736"
    assert attrs(rows[0])["logging.googleapis.com/trace"].startswith("projects/shop-prod/")
    assert "trace_id" not in attrs(rows[1])


def test_log4j2_pretty_printed_json_layout_as_one_record() -> None:
    lines = [
        "{",
        '  "instant" : {',
        '    "epochSecond" : 1764273600,',
        '    "nanoOfSecond" : 0',
        "  },",
        '  "level" : "INFO",',
        '  "message" : "pretty"',
        "}",
    ]
    starts = pl.select(PARSER.starts_record(pl.Series(lines))).to_series().to_list()
    assert starts == [True] + [False] * 7
    row = one("\n".join(lines))
    assert (row["message"], row["severity"], row["timestamp"]) == (
        "pretty",
        "INFO",
        t(2025, 11, 27, 20),
    )


def test_serilog_compact_json() -> None:
    rows = parse(
        [
            '{"@t":"2026-11-27T20:00:00.1234567Z","@mt":"Hello, {User}","User":"nblumhardt"}',
            '{"@t":"2026-11-27T20:00:00Z","@m":"Oops","@l":"Error","@x":"System.InvalidOperationException:'
            ' bad\\n   at App.Main()","@tr":"abc","SourceContext":"App.Program"}',
        ]
    ).to_dicts()
    assert (rows[0]["severity_text"], rows[0]["severity"]) == ("Information", "INFO")
    assert rows[0]["message"] == "Hello, {User}"
    assert rows[0]["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123456)
    assert rows[1]["error_class"] == "System.InvalidOperationException"
    assert (rows[1]["trace_id"], rows[1]["component"]) == ("abc", "App.Program")


def test_gelf_syslog_level_and_dotnet_console() -> None:
    rows = parse(
        [
            '{"version":"1.1","host":"h","short_message":"disk full","full_message":"disk full\\n'
            'details","timestamp":1764273600.5,"level":3,"_user":"bob"}',
            '{"EventId":0,"LogLevel":"Warning","Category":"Microsoft.Hosting","Message":"slow",'
            '"State":{"Message":"slow","{OriginalFormat}":"slow"}}',
        ]
    ).to_dicts()
    assert (rows[0]["severity"], rows[0]["message"]) == ("ERROR", "disk full")
    assert rows[0]["timestamp"] == t(2025, 11, 27, 20, 0, 0, 500000)
    assert attrs(rows[0])["_user"] == "bob"
    assert (rows[1]["severity"], rows[1]["component"], rows[1]["message"]) == (
        "WARN",
        "Microsoft.Hosting",
        "slow",
    )
    assert attrs(rows[1])["State.{OriginalFormat}"] == "slow"


def test_gelf_additional_fields_of_spring_boot_and_log4j2_layouts() -> None:
    """Spring Boot's gelf format and log4j2's GelfLayout / GcpLayout templates write the logger,
    pid and exception as `_`-prefixed additional fields."""
    rows = parse(
        [
            '{"version":"1.1","short_message":"Payment refused","timestamp":1764273600.25,'
            '"level":3,"_level_name":"ERROR","_process_pid":4242,"_process_thread_name":"main",'
            '"host":"shop","_log_logger":"com.acme.shop.Checkout","_traceId":"77aa",'
            '"full_message":"Payment refused\\n\\njava.lang.IllegalStateException: no funds\\n'
            '\\tat com.acme.shop.Checkout.pay(Checkout.java:12)",'
            '"_error_type":"java.lang.IllegalStateException","_error_stack_trace":'
            '"java.lang.IllegalStateException: no funds\\n\\tat com.acme.shop.Checkout.pay('
            'Checkout.java:12)","_error_message":"no funds"}',
            '{"version":"1.1","host":"h2","short_message":"pool empty","timestamp":1764273601.5,'
            '"level":4,"_logger":"com.acme.db.Pool","_thread":"worker-3"}',
            '{"timestamp":"2026-11-27T20:00:00.000Z","severity":"WARNING","message":"retrying",'
            '"_exception":{"class":"java.io.IOException","message":"reset","stackTrace":'
            '"java.io.IOException: reset\\n\\tat com.acme.Net.read(Net.java:3)"},'
            '"_thread":"io-1","_logger":"com.acme.Net"}',
        ]
    ).to_dicts()
    assert (rows[0]["component"], rows[0]["pid"]) == ("com.acme.shop.Checkout", 4242)
    assert (rows[0]["severity"], rows[0]["message"]) == ("ERROR", "Payment refused")
    assert rows[0]["error_class"] == "java.lang.IllegalStateException"
    assert "_error_stack_trace" in attrs(rows[0])
    assert (rows[1]["component"], rows[1]["severity"]) == ("com.acme.db.Pool", "WARN")
    assert attrs(rows[1])["_thread"] == "worker-3"
    assert (rows[2]["component"], rows[2]["error_class"]) == ("com.acme.Net", "java.io.IOException")
    assert "_logger" not in attrs(rows[2]) and "_exception.stackTrace" in attrs(rows[2])


def test_cloud_logging_numeric_severity() -> None:
    """Stackdriver formatters write LogSeverity numbers (INFO 200, WARNING 400, ...): they are
    not pino's >= 60 FATAL, also when a text `level` is written next to them."""
    rows = parse(
        [
            '{"message":"cart saved","severity":200,"timestamp":"2026-11-27T20:00:00Z"}',
            '{"message":"disk slow","severity":"400","timestamp":"2026-11-27T20:00:01Z"}',
            '{"level":"debug","severity":100,"timestamp":1764273600,"message":"tick"}',
            '{"message":"db down","severity":500}',
            '{"message":"gelf-ish","severity":3}',
        ]
    )
    assert rows["severity"].to_list() == ["INFO", "WARN", "DEBUG", "ERROR", "ERROR"]


def test_mongodb_structured_log() -> None:
    """MongoDB 4.4+: time in `t.$date` (Extended JSON), severity `s` (F E W I D1-D5), component
    `c`; `id`, `ctx` and `attr.*` stay attributes. `s` / `c` are read only in MongoDB records."""
    rows = parse(
        [
            '{"t":{"$date":"2026-11-27T21:00:00.250+01:00"},"s":"W",  "c":"STORAGE",  "id":10101,'
            '   "ctx":"initandlisten","msg":"Cache is nearly full","attr":{"usedBytes":4096}}',
            '{"t":{"$date":"2026-11-27T20:00:01.000Z"},"s":"D2", "c":"QUERY",    "id":20202,'
            '   "ctx":"conn7","msg":"Planner chose index","attr":{"ns":"shop.orders"}}',
            '{"s":"W","c":"x","msg":"not mongodb"}',
        ]
    ).to_dicts()
    assert rows[0]["timestamp"] == t(2026, 11, 27, 20, 0, 0, 250000)
    assert (rows[0]["severity_text"], rows[0]["severity"], rows[0]["component"]) == (
        "W",
        "WARN",
        "STORAGE",
    )
    assert rows[0]["message"] == "Cache is nearly full"
    assert attrs(rows[0]) == {"id": "10101", "ctx": "initandlisten", "attr.usedBytes": "4096"}
    assert (rows[1]["severity"], rows[1]["severity_number"], rows[1]["component"]) == (
        "DEBUG",
        7,
        "QUERY",
    )
    assert rows[1]["timestamp"] == t(2026, 11, 27, 20, 0, 1)
    assert (rows[2]["severity_text"], rows[2]["component"]) == (None, None)
    assert attrs(rows[2]) == {"s": "W", "c": "x"}


def test_dotnet_json_console_scopes_give_trace_and_request_id() -> None:
    """JsonConsoleFormatter with IncludeScopes: the activity scope holds TraceId, the hosting
    scope RequestId; both are read out of the `Scopes` array, which stays whole in attributes."""
    scopes = (
        '[{"Message":"SpanId:1a2b3c4d5e6f7a8b, TraceId:0af7651916cd43dd8448eb211c80319c, '
        'ParentId:0000000000000000","SpanId":"1a2b3c4d5e6f7a8b","TraceId":'
        '"0af7651916cd43dd8448eb211c80319c","ParentId":"0000000000000000"},'
        '{"Message":"ConnectionId:0HN1ABCDEF","ConnectionId":"0HN1ABCDEF"},'
        '{"Message":"RequestPath:/orders RequestId:0HN1ABCDEF:00000003","RequestId":'
        '"0HN1ABCDEF:00000003","RequestPath":"/orders"}]'
    )
    rows = parse(
        [
            '{"Timestamp":"2026-11-27T20:00:00.000Z","EventId":0,"LogLevel":"Information",'
            '"Category":"Shop.Orders","Message":"order placed","State":{"OrderId":5},'
            f'"Scopes":{scopes}}}',
            '{"EventId":0,"LogLevel":"Warning","Category":"Shop.Jobs","Message":"no scope ids",'
            '"Scopes":[{"Message":"Job nightly","Job":"nightly"},{"Message":"x \\"TraceId\\":'
            '\\"fake\\""}]}',
        ]
    ).to_dicts()
    assert rows[0]["trace_id"] == "0af7651916cd43dd8448eb211c80319c"
    assert rows[0]["request_id"] == "0HN1ABCDEF:00000003"
    assert attrs(rows[0])["Scopes"] == scopes
    # a member name inside a scope's message text is not a member
    assert (rows[1]["trace_id"], rows[1]["request_id"]) == (None, None)


def test_proxy_json_access_logs() -> None:
    """Envoy / Istio (`start_time`) and Traefik (`StartUTC`, `Duration` in nanoseconds)."""
    rows = parse(
        [
            '{"start_time":"2026-11-27T20:00:00.125Z","method":"POST","path":"/v1/cart",'
            '"protocol":"HTTP/2","response_code":503,"response_flags":"UF","bytes_received":12,'
            '"bytes_sent":91,"duration":7,"upstream_service_time":null,'
            '"request_id":"5f0e9b1c-aaaa-4bbb-8ccc-0123456789ab","upstream_host":"10.1.2.3:8080"}',
            '{"ClientHost":"192.0.2.44","RequestMethod":"GET","RequestPath":"/healthz",'
            '"DownstreamStatus":200,"Duration":2750000,"OriginDuration":2500000,'
            '"RouterName":"web@docker","StartUTC":"2026-11-27T20:00:01.5Z"}',
        ]
    ).to_dicts()
    assert rows[0]["timestamp"] == t(2026, 11, 27, 20, 0, 0, 125000)
    assert rows[0]["request_id"] == "5f0e9b1c-aaaa-4bbb-8ccc-0123456789ab"
    assert attrs(rows[0])["response_code"] == "503"
    assert rows[1]["timestamp"] == t(2026, 11, 27, 20, 0, 1, 500000)
    assert rows[1]["duration_ms"] == pytest.approx(2.75)
    assert attrs(rows[1])["OriginDuration"] == "2500000"


def test_rust_tracing_subscriber_json() -> None:
    line = (
        '{"timestamp":"2026-11-27T20:00:00.821315Z","level":"INFO","fields":{"message":"preparing",'
        '"yaks":3},"target":"yak_shave","span":{"name":"shave"},"spans":[{"name":"shave"}]}'
    )
    row = one(line)
    assert (row["message"], row["component"]) == ("preparing", "yak_shave")
    assert attrs(row) == {"fields.yaks": "3", "span.name": "shave", "spans": '[{"name":"shave"}]'}


def test_python_json_logger_asctime_is_local() -> None:
    line = (
        '{"asctime": "2026-11-27 21:00:00,123", "name": "app", "levelname": "CRITICAL", '
        '"message": "down", "exc_info": "Traceback (most recent call last):\\n  File \\"x\\", '
        'line 1\\nOSError: [Errno 5] EIO"}'
    )
    row = one(line, tz="Europe/Paris")
    assert row["timestamp"] == t(2026, 11, 27, 20, 0, 0, 123000)
    assert (row["severity"], row["severity_number"]) == ("FATAL", 21)
    assert row["error_class"] == "OSError"


# --- time handling ---------------------------------------------------------------------------


def test_python_logging_process_is_the_pid() -> None:
    rows = parse(
        [
            '{"asctime": "2026-11-27 20:00:00,125", "levelname": "INFO", "levelno": 20, '
            '"message": "ready", "name": "svc", "process": 3141, "processName": "MainProcess"}',
            '{"time": "2026-11-27T20:00:00Z", "msg": "spawned", "process": "indexer"}',
        ]
    ).to_dicts()
    assert rows[0]["pid"] == 3141 and "process" not in attrs(rows[0])
    assert attrs(rows[0])["processName"] == "MainProcess"
    assert rows[1]["pid"] is None and attrs(rows[1])["process"] == "indexer"


@pytest.mark.parametrize(
    ("field", "expected"),
    [
        ('"time":"2026-11-27T20:00:00Z"', t(2026, 11, 27, 20)),
        ('"time":"2026-11-27T20:00:00.5+02:00"', t(2026, 11, 27, 18, 0, 0, 500000)),
        ('"time":"2026-11-27 20:00:00"', t(2026, 11, 27, 19)),  # naive -> Europe/Berlin
        ('"time":"2026-07-27 20:00:00"', t(2026, 7, 27, 18)),  # summer time
        ('"ts":1764273600', t(2025, 11, 27, 20)),
        ('"ts":1764273600.25', t(2025, 11, 27, 20, 0, 0, 250000)),
        ('"time":1764273600123', t(2025, 11, 27, 20, 0, 0, 123000)),
        ('"ts":1764273600123456', t(2025, 11, 27, 20, 0, 0, 123456)),
        ('"timeUnixNano":"1764273600123456789"', t(2025, 11, 27, 20, 0, 0, 123456)),
        ('"ts":1.7642736e9', t(2025, 11, 27, 20)),
        ('"time_local":"27/Nov/2026:20:00:00 +0100"', t(2026, 11, 27, 19)),
        ('"time":"not a time"', None),
        ('"time":0', None),
        ('"t":3', None),  # implausible epoch: not a time
    ],
)
def test_time_forms(field: str, expected: dt.datetime | None) -> None:
    row = one(f'{{"level":"info","msg":"m",{field}}}', tz="Europe/Berlin")
    assert row["timestamp"] == expected
    key = field.split(":")[0].strip('"')
    # an unreadable time stays in attributes; a readable one is consumed
    assert (key in attrs(row)) is (expected is None)


def test_first_readable_time_key_wins() -> None:
    row = one('{"msg":"m","time":"bogus","ts":1764273600}')
    assert row["timestamp"] == t(2025, 11, 27, 20)
    assert attrs(row) == {"time": "bogus"}


# --- logfmt ----------------------------------------------------------------------------------


def test_logfmt_quoting_and_escapes() -> None:
    line = (
        'ts=2026-11-27T20:00:00Z caller=main.go:12 level=warn msg="a \\"quoted\\" word\\\\n" '
        'path="C:\\\\tmp" empty= eq="a=b" req_id=abc-1 latency_ms=12.5 flag=true'
    )
    row = one(line)
    assert row["message"] == 'a "quoted" word\\n'
    assert row["severity"] == "WARN"
    assert row["request_id"] == "abc-1"
    assert row["duration_ms"] == 12.5
    assert attrs(row) == {
        "caller": "main.go:12",
        "path": "C:\\tmp",
        "empty": "",
        "eq": "a=b",
        "flag": "true",
    }
    assert row["parse_status"] == "ok"


def test_heroku_router_logfmt_at_is_the_level() -> None:
    rows = parse(
        [
            "at=info method=GET path=/cart host=shop.example.org request_id=0c1d-77 "
            'fwd="198.51.100.7" dyno=web.2 connect=1ms service=42ms status=200 bytes=512',
            'at=error code=H12 desc="Request timeout" method=GET path=/slow dyno=web.1 status=503',
            "level=warn at=cache.go:88 msg=stale",
        ]
    ).to_dicts()
    assert (rows[0]["severity_text"], rows[0]["severity"]) == ("info", "INFO")
    assert rows[0]["request_id"] == "0c1d-77" and "at" not in attrs(rows[0])
    assert (rows[1]["severity"], attrs(rows[1])["code"]) == ("ERROR", "H12")
    assert rows[2]["severity"] == "WARN" and attrs(rows[2])["at"] == "cache.go:88"


def test_logfmt_with_stray_words_is_partial() -> None:
    row = one('level=info msg="ok" some trailing "unbalanced')
    assert (row["severity"], row["message"], row["parse_status"]) == ("INFO", "ok", "partial")


def test_text_with_one_equals_sign_is_not_logfmt() -> None:
    row = one("x=1 is the answer")
    assert row["parse_status"] == "unparsed"
    assert row["message"] == "x=1 is the answer"
    assert row["attributes"] is None


# --- fallback, garbage, batches ----------------------------------------------------------------


def test_non_structured_lines_fall_back_to_generic() -> None:
    rows = parse(
        [
            "2026-11-27T20:00:00Z ERROR plain",
            "just words",
            "{not json",
            '["array", "json"]',
            '{"a":1} trailing',
            "",
        ]
    ).to_dicts()
    assert [r["parse_status"] for r in rows] == [
        "partial",
        "unparsed",
        "unparsed",
        "unparsed",
        "unparsed",
        "unparsed",
    ]
    assert rows[0]["severity"] == "ERROR"
    assert rows[0]["message"] == "plain"
    assert [r["message"] for r in rows[1:]] == [
        "just words",
        "{not json",
        '["array", "json"]',
        '{"a":1} trailing',
        "",
    ]


def test_json_record_with_stack_continuation_lines() -> None:
    text = '{"level":"error","msg":"failed"}\njava.io.IOException: x\n\tat a.B.c(B.java:1)'
    row = one(text)
    assert row["message"] == "failed\njava.io.IOException: x\n\tat a.B.c(B.java:1)"
    assert row["parse_status"] == "ok"


def test_json_without_message_keeps_the_record_as_message() -> None:
    row = one('{"status":200,"path":"/x"}')
    assert row["message"] == '{"status":200,"path":"/x"}'
    assert attrs(row) == {"status": "200", "path": "/x"}


MIXED = [
    '{"level":"error","msg":"a","error":"boom"}',
    '{"level":"error","msg":"b","error":{"type":"ValueError","message":"m"}}',
    '{"msg":"dup","a":1,"a":2}',
    '{"msg":"int","n":1}',
    '{"msg":"float","n":1.5}',
    '{"msg":"float0","n":2.0}',
    '{"msg":"bool","n":true}',
    '{"msg":"mixed array","x":[1,{"a":1}]}',
    '{"msg":"str","x":"s"}',
    '{"msg":"list","x":["s"]}',
    '{"msg":"nan","v":NaN}',
    "{broken",
    '{"msg":"deep","x":{"y":{"z":{"w":null,"v":"1"}}}}',
    "{}",
    '{"":"empty key","msg":"ek"}',
]


def test_mixed_types_in_one_container() -> None:
    rows = parse(MIXED).to_dicts()
    assert [r["message"] for r in rows] == [
        "a",
        "b",
        "dup",
        "int",
        "float",
        "float0",
        "bool",
        "mixed array",
        "str",
        "list",
        "nan",
        "{broken",
        "deep",
        "{}",
        "ek",
    ]
    assert [attrs(r) for r in rows] == [
        {"error": "boom"},
        {"error.message": "m"},
        {"a": "1"},  # duplicate keys (zap can write them): the first one wins
        {"n": "1"},
        {"n": "1.5"},
        {"n": "2.0"},
        {"n": "true"},
        {"x": '[1,{"a":1}]'},
        {"x": "s"},
        {"x": '["s"]'},
        {"v": "NaN"},  # Python's json.dumps writes NaN
        {},
        {"x.y.z.v": "1"},
        {},
        {"": "empty key"},
    ]
    assert rows[1]["error_class"] == "ValueError"
    assert rows[11]["parse_status"] == "unparsed"
    assert {r["parse_status"] for i, r in enumerate(rows) if i != 11} == {"ok"}


def test_each_row_parses_as_if_alone() -> None:
    together = parse(MIXED)
    alone = pl.concat([parse([line]) for line in MIXED])
    assert together.equals(alone)


def test_containers_decode_separately_with_same_result() -> None:
    lines = MIXED * 2
    containers = ["a"] * len(MIXED) + ["b"] * len(MIXED)
    assert parse(lines, containers=containers).equals(parse(lines))


def test_request_and_trace_id_aliases() -> None:
    lines = [
        '{"msg":"m","requestId":"r1","traceId":"t1"}',
        '{"msg":"m","x-request-id":"r2","dd.trace_id":"t2"}',
        '{"msg":"m","req_id":"r3","logging.googleapis.com/trace":"projects/p/traces/t3"}',
        '{"msg":"m","request_id":"","trace_id":"t4","correlation_id":"c4"}',
    ]
    out = parse(lines)
    assert out["request_id"].to_list() == ["r1", "r2", "r3", "c4"]
    # a Cloud Logging trace name gives its id; the name itself stays an attribute
    assert out["trace_id"].to_list() == ["t1", "t2", "t3", "t4"]
    assert attrs(out.row(2, named=True)) == {"logging.googleapis.com/trace": "projects/p/traces/t3"}
    # the empty request_id was not usable: it stays an attribute
    assert attrs(out.row(3, named=True)) == {"request_id": ""}


def test_all_zero_trace_id_is_no_trace() -> None:
    """W3C / OpenTelemetry's invalid all-zero trace id (no active span) is not a correlation key:
    it stays an attribute, and a later trace key of the record is used instead."""
    out = parse(
        [
            '{"level":"info","msg":"m","trace_id":"00000000000000000000000000000000",'
            '"span_id":"0000000000000000"}',
            '{"timeUnixNano":"1764273600000000000","severityText":"INFO","body":{"stringValue":'
            '"m"},"traceId":"00000000000000000000000000000000","spanId":"0000000000000000",'
            '"dd.trace_id":"4821"}',
        ]
    )
    assert out["trace_id"].to_list() == [None, "4821"]
    assert attrs(out.row(0, named=True))["trace_id"] == "0" * 32
    assert attrs(out.row(1, named=True))["traceId"] == "0" * 32


@pytest.mark.parametrize(
    ("field", "ms"),
    [
        ('"duration_ms":12.5', 12.5),
        ('"elapsed_ms":"7"', 7.0),
        ('"responseTime":3', 3.0),
        ('"duration_us":1500', 1.5),
        ('"request_time":0.25', 250.0),
        ('"duration":"1m2.5s"', 62500.0),
        ('"latency":"150µs"', 0.15),
        ('"duration":42', None),  # unit unknown: left in attributes
    ],
)
def test_durations(field: str, ms: float | None) -> None:
    row = one(f'{{"msg":"m",{field}}}')
    assert row["duration_ms"] == (pytest.approx(ms) if ms is not None else None)


@pytest.mark.parametrize(
    ("line", "ms"),
    [
        # Caddy access log: seconds as a float
        (
            '{"level":"info","ts":1764273600.5,"logger":"http.log.access.log0","msg":"handled '
            'request","request":{"method":"GET","uri":"/a"},"duration":0.0042,"size":5,"status":200}',
            4.2,
        ),
        # Rails lograge: milliseconds
        (
            '{"method":"GET","path":"/b","format":"html","controller":"CartsController",'
            '"action":"show","status":200,"duration":17.5,"view":9.25,"db":3.0}',
            17.5,
        ),
        # Envoy / Istio: %DURATION% milliseconds, written as text
        (
            '{"start_time":"2026-11-27T20:00:00.000Z","method":"GET","path":"/c",'
            '"response_code":"200","response_flags":"-","duration":"31","upstream_service_time":"29"}',
            31.0,
        ),
        # .NET: ElapsedMilliseconds in the JsonConsoleFormatter state and in Serilog CLEF
        (
            '{"EventId":2,"LogLevel":"Information","Category":"Microsoft.AspNetCore.Hosting.'
            'Diagnostics","Message":"Request finished","State":{"ElapsedMilliseconds":8.75,'
            '"StatusCode":200}}',
            8.75,
        ),
        (
            '{"@t":"2026-11-27T20:00:00Z","@mt":"Done in {ElapsedMilliseconds}ms",'
            '"ElapsedMilliseconds":120}',
            120.0,
        ),
        # a Caddy-like record from another logger: unit unknown
        ('{"level":"info","logger":"app","msg":"m","duration":0.5}', None),
    ],
)
def test_durations_by_producer(line: str, ms: float | None) -> None:
    """A bare-number `duration` is read only where the producer fixes its unit; it is then no
    longer an attribute."""
    row = one(line)
    assert row["duration_ms"] == (pytest.approx(ms) if ms is not None else None)
    assert ("duration" in attrs(row)) is (ms is None and "duration" in line)


@pytest.mark.parametrize(
    ("line", "starts"),
    [
        ('{"level":"info"}', True),
        ("level=info msg=x", True),
        ("plain text", True),
        ("\tat com.x.Y.f(Y.java:10)", False),
        ("Caused by: java.io.IOException", False),
        ("    at Object.<anonymous> (/app/a.js:1:1)", False),
        ("}", False),
    ],
)
def test_starts_record(line: str, starts: bool) -> None:
    assert pl.select(PARSER.starts_record(pl.lit(line))).item() is starts


# --- properties --------------------------------------------------------------------------------


def _check(out: pl.DataFrame, n: int) -> None:
    assert out.height == n
    assert out["message"].null_count() == 0
    assert set(out["parse_status"].to_list()) <= {"ok", "partial", "unparsed"}


@settings(max_examples=200, deadline=None)
@given(st.lists(st.text(max_size=60), min_size=1, max_size=10))
def test_arbitrary_text_never_raises(lines: list[str]) -> None:
    _check(parse(lines, tz="Asia/Kolkata"), len(lines))


_SCALARS = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-(2**63), 2**64),
    st.floats(allow_nan=False),
    st.text(max_size=12),
)
_VALUES = st.recursive(
    _SCALARS,
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)
_KEYS = st.one_of(
    st.sampled_from(["level", "msg", "time", "ts", "error", "err", "log", "trace.id", "pid"]),
    st.text(max_size=8),
)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.dictionaries(_KEYS, _VALUES, max_size=6), min_size=1, max_size=8))
@example([{"''": [], "a'b": [1], 'q"q': [2]}])  # quotes in keys of list values (json paths)
def test_arbitrary_json_objects(objects: list[dict]) -> None:
    lines = [json.dumps(o) for o in objects]
    out = parse(lines)
    _check(out, len(lines))
    assert set(out["parse_status"].to_list()) == {"ok"}
    # batch-independence: a row parses the same whatever its neighbours
    assert out.equals(parse(lines[::-1]).reverse())
    assert out.head(1).equals(parse(lines[:1]))


def test_numbers_keep_their_text() -> None:
    """The decoder's floats are not the source's text for 1 (-> 1.0) or a 20-digit integer
    (-> 1.2345678901234567e19): such values are read back from the line."""
    row = one('{"msg":"m","big":12345678901234567890,"one":1,"half":0.5,"n":[1,2]}')
    assert attrs(row) == {"big": "12345678901234567890", "one": "1", "half": "0.5", "n": "[1,2]"}


_LOGFMT_VALUES = st.one_of(
    st.from_regex(r"[A-Za-z0-9_.:/-]{0,10}", fullmatch=True),
    st.text(max_size=10).map(lambda s: json.dumps(s, ensure_ascii=False)),
)


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.lists(
            st.tuples(st.from_regex(r"[a-z_][a-z0-9_.]{0,6}", fullmatch=True), _LOGFMT_VALUES),
            min_size=2,
            max_size=5,
        ),
        min_size=1,
        max_size=6,
    )
)
def test_arbitrary_logfmt(records: list[list[tuple[str, str]]]) -> None:
    lines = [" ".join(f"{k}={v}" for k, v in pairs) for pairs in records]
    out = parse(lines)
    _check(out, len(lines))


def test_parser_sets_severity_only_for_numeric_levels() -> None:
    raw = PARSER.parse(
        events(['{"level":"info","msg":"a"}', '{"level":30,"msg":"b"}', '{"severityNumber":17}']),
        ParseOptions(),
    )
    assert raw["severity_text"].to_list() == ["info", "30", "17"]
    assert raw["severity"].to_list() == [None, "INFO", "ERROR"]


def test_null_text_and_odd_keys() -> None:
    df = events(["x", "y", "z"]).with_columns(
        pl.Series("text", ['{"it\'s":[1],"a]b":[2],"msg":"m"}', None, "level=info msg=hi"])
    )
    out = normalize_severity(PARSER.parse(df, ParseOptions()))
    rows = out.to_dicts()
    assert attrs(rows[0]) == {"it's": "[1]", "a]b": "[2]"}
    assert (rows[1]["message"], rows[1]["parse_status"]) == ("", "unparsed")
    assert (rows[2]["message"], rows[2]["severity"]) == ("hi", "INFO")


def test_without_observed_at_or_container() -> None:
    out = PARSER.parse(
        pl.DataFrame({"text": ["Nov 27 20:00:00 host x", '{"msg":"m"}']}), ParseOptions()
    )
    assert out.height == 2
    assert out["timestamp"][0].month == 11
    assert out["message"].to_list() == ["host x", "m"]
