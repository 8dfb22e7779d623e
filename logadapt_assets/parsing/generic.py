"""Fallback parser for any text: a leading timestamp in the usual forms and a level word.

It is also the safety net of the other parsers, so it must read whatever real software writes
before the message (ISO-8601 / RFC 3339, syslog and ctime, Common Log Format, epoch numbers,
glog/klog, Ruby Logger, Python logging, Monolog, Go's log package, logcat, time of day) and
never drop or reject a line: parse_status says how much it recognised (ok: time and level,
partial: one of them, unparsed: neither). Continuation lines (see `CONTINUATION`) attach to the
previous record. After the time, the usual application layouts (`APP_LAYOUTS`: Spring Boot,
logback/log4j, Quarkus, Python logging, gunicorn, Monolog, Elasticsearch, Ruby Logger, ...) give
the logger (component), pid and thread, and their prefix leaves the message.
"""

import datetime as dt
import re

import polars as pl

from logadapt_assets.parsing.base import ParseOptions, conform

# Continuation lines: indented (stack frames, pretty-printed JSON), blank, Java `Caused by:` and
# `... N more`, Python traceback headers and chains, a `SomeError: message` line that ends a
# Python traceback or starts a Java one after the log line, closing brackets of pretty JSON, and
# Go panic traces (goroutine headers, `pkg.func(args)` frames of module paths such as
# `github.com/org/app/pkg.(*T).M(...)`, `created by`).
CONTINUATION = (
    r"^(?:[ \t]+\S|\s*$"
    r"|Caused by: |Suppressed: |\.\.\. \d+ (?:more|common frames omitted)"
    r"|Traceback \(most recent call last\):"
    r"|During handling of the above exception, another exception occurred:"
    r"|The above exception was the direct cause of the following exception:"
    r"|(?:[A-Za-z_$][\w$]*\.)*[A-Za-z_$][\w$]*(?:Exception|Error|Throwable|Exit|Interrupt)"
    r"(?::\s|:?$)"
    r"|[}\]][,;]?\s*$"
    r"|goroutine \d+ \[[^\]]*\]:$|created by |panic\(|\[signal "
    r"|(?:[\w.~-]+/)*[\w%~-]+\.[\w.*()\[\]-]+\([^()]*\)$)"
)

_ANSI = r"\x1b\[[0-9;?]*[A-Za-z]"
# blank lines that ended a record (they are continuation lines) are not part of its message
TRAILING_BLANK_LINES = r"\n\s*$"

_MONTH_NUMBERS = {
    m: f"{i:02d}"
    for i, m in enumerate(
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"],
        start=1,
    )
}
_MON = r"(?P<Mon>Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
_HMS = r"(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})"
_FRAC = r"(?:[.,](?P<f>\d{1,9}))?"
_ZONE = r"(?P<z>Z|[ ]?[+-]\d{2}(?::?\d{2})?|[ ]?UTC|[ ]?GMT)?"
_OPEN = r"^[\[(]?[ ]?"  # a timestamp may sit in brackets
_LEVEL_FIRST = r"^(?:(?P<L>TRACE|DEBUG|INFO|WARN|ERROR|FATAL) +)?"
_WEEKDAY = r"(?:(?:Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? )?"

# Leading timestamp forms, tried in order; each is stripped from the message when it matches.
# Named groups: Y M Mon D h m s f z (date/time parts), E (epoch digits), L/pid/src (glog, Redis).
LEADING_TIMESTAMPS: list[str] = [
    # ISO-8601 / RFC 3339 with T or space, dot or comma fraction, Z/offset/UTC; Go's log package
    # writes 2026/11/27 20:00:00; Dropwizard `%-5p [%d{ISO8601,UTC}] %c: %m` puts the level first
    _LEVEL_FIRST
    + _OPEN[1:]
    + r"(?P<Y>\d{4})[-/](?P<M>\d{2})[-/](?P<D>\d{2})[T ]"
    + _HMS
    + _FRAC
    + _ZONE
    + r"\b\]?",
    # glog / klog: I1127 20:00:00.123456 12345 file.go:12]
    r"^(?P<L>[IWEF])(?P<M>\d{2})(?P<D>\d{2}) "
    + _HMS
    + _FRAC
    + r" +(?P<pid>\d+) (?P<src>[^ \]]+)\]",
    # Redis: 1:M 27 Nov 2026 20:00:00.123 * msg (pid:role; no year before 4.0); the mark after
    # the time is the level (. debug, - verbose, * notice, # warning: rules/severity.yaml)
    r"^(?P<pid>\d+):[XCSM] (?P<D>\d{1,2}) "
    + _MON
    + r" (?:(?P<Y>\d{4}) )?"
    + _HMS
    + _FRAC
    + r" (?P<L>[.*#-])(?:[ ]|$)",
    # Ruby Logger: I, [2026-11-27T20:00:00.123456 #1234]  INFO -- prog: msg
    r"^(?P<L>[DIWEFAU]), \[(?P<Y>\d{4})-(?P<M>\d{2})-(?P<D>\d{2})[T ]"
    + _HMS
    + _FRAC
    + r" #(?P<pid>\d+)\]",
    # syslog and ctime: [Thu] Nov 27 20:00:00[.123] [2026]
    _OPEN + _WEEKDAY + _MON + r" +(?P<D>\d{1,2}) " + _HMS + _FRAC + r"(?: (?P<Y>\d{4}))?\b\]?",
    # Common Log Format at line start: 27/Nov/2026:20:00:00 +0000; Django's runserver writes
    # [27/Nov/2026 20:00:00]
    _OPEN
    + r"(?P<D>\d{2})/"
    + _MON
    + r"/(?P<Y>\d{4})[: ]"
    + _HMS
    + _FRAC
    + r"(?: (?P<z>[+-]\d{4}))?\]?",
    # java.util.logging SimpleFormatter's first line: Nov 27, 2026 8:00:00 PM class method
    _OPEN + _MON + r" (?P<D>\d{1,2}), (?P<Y>\d{4}) (?P<h>\d{1,2}):(?P<m>\d{2}):(?P<s>\d{2}) "
    r"(?P<ap>[AP]M)\b",
    # 27 Nov 2026 20:00:00.123 (redis), 27-Nov-2026 20:00:00.123 (tomcat)
    _OPEN + r"(?P<D>\d{1,2})[ -]" + _MON + r"[ -](?P<Y>\d{4})[ :]" + _HMS + _FRAC + _ZONE + r"\]?",
    # Android logcat: 11-27 20:00:00.123
    _OPEN + r"(?P<M>\d{2})-(?P<D>\d{2}) " + _HMS + r"\.(?P<f>\d{3})\b\]?",
    # epoch seconds (10 digits, optional fraction) or milliseconds (13 digits)
    _OPEN + r"(?P<E>\d{13}|\d{10})(?:\.(?P<f>\d{1,9}))?(?:\]|\b)",
    # time of day only, with a fraction (Elixir Logger 20:00:00.123 [info] ...)
    _OPEN + _HMS + r"[.,](?P<f>\d{1,9})\b\]?",
]
# Common Log Format anywhere early in the line (access logs start with the client address)
_CLF_INLINE = r"\[(?P<D>\d{2})/" + _MON + r"/(?P<Y>\d{4}):" + _HMS + _FRAC + r" (?P<z>[+-]\d{4})\]"
_PARTS = ["Y", "M", "Mon", "D", "h", "m", "s", "f", "z", "E", "L", "pid", "src", "ap"]
# java.util.logging writes a record on two lines: `<time> <class> <method>`, then `LEVEL: msg`
_JUL_HEAD = r"^[A-Z][a-z]{2} \d{1,2}, \d{4} \d{1,2}:\d{2}:\d{2} [AP]M \S"
_JUL_LEVELS = r"SEVERE|WARNING|INFO|CONFIG|FINE|FINER|FINEST"
_JUL_RECORD = _JUL_HEAD + rf"[^\n]*\n(?P<lv>{_JUL_LEVELS}): "
_JUL_SOURCE = r"^[^\n]* [AP]M (?P<cls>[^ \n]+)"

_LEVEL_WORDS = (
    r"TRACE|DEBUG[1-5]?|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRITICAL|CRIT|ALERT|EMERG"
    r"|EMERGENCY|PANIC|DPANIC|SEVERE|FINEST|FINER|FINE|CONFIG|VERBOSE"
)
_SHORT_WORDS = r"INFORMATION|DBG|INF|WRN|EROR|FTL|TRC|CRT|VRB"
# A level token: [error] <E> (WARN) [core:error] (Apache), level=info, `LOG:` (PostgreSQL),
# `warning:`, or a bare upper-case level word near the start.
_LEVEL_BRACKETED = (
    rf"[\[<(](?:[\w-]+:)?(?P<lv>(?i:{_LEVEL_WORDS}|{_SHORT_WORDS})|[TVDINWEFA])[\]>)]"
)
_LEVEL_KEYED = r"(?i:\b(?:level|lvl|severity|loglevel))[=:] ?\"?(?P<lv>[A-Za-z]+[1-5]?)\b"
_LEVEL_COLON = rf"(?:^|[\s|])(?P<lv>(?i:{_LEVEL_WORDS})|LOG):(?:\s|$)"
# .NET console logger's short lower-case levels that are no level word elsewhere
_DOTNET_LEVELS = r"trce|dbug|fail"
# Python logging's default format `WARNING:root:message`; .NET's `fail: Category[id]`
_LEVEL_START = rf"^(?P<lv>{_LEVEL_WORDS}|{_DOTNET_LEVELS}):"
# MySQL error log: the thread id, then [Note] / [System] (levels only in that place)
_LEVEL_MYSQL = r"^[ \t]*\d+ \[(?P<lv>Note|System)\] "
# bare word; a dot may precede it (Monolog `app.ERROR:`) but not follow it
_LEVEL_BARE = rf"(?:^|[^\w-])(?P<lv>{_LEVEL_WORDS})(?:[^\w.-]|$)"
# one letter right after the timestamp (logcat `1234  5678 I Tag:`), only when a time matched
_LEVEL_LETTER = r"^[\s|-]*(?:\d+\s+){0,2}(?P<lv>[VDIWEF])\s"
# a level token at the very start of the text after the timestamp: stripped from the message
_LEVEL_PREFIX = (
    rf"^[ \t]*(?:[\[<(](?:[\w-]+:)?(?:(?i:{_LEVEL_WORDS}|{_SHORT_WORDS})|[TVDINWEFA])[\]>)]"
    rf"|(?:{_LEVEL_WORDS}|LOG):?(?:[ \t]|$)|(?i:{_LEVEL_WORDS}):(?:[ \t]|$)|(?:{_LEVEL_WORDS}):"
    rf"|(?:{_DOTNET_LEVELS}):(?:[ \t]|$))"
    r"[ \t]*(?:[|:-][ \t]+)?"
)
LEVEL_WINDOW = 40  # bare level words count only near the start of the line

# What common application loggers write between the timestamp and the message, tried in order at
# the start of the text after the leading timestamp (the whole line when there is none). Named
# groups: lv (level), logger (-> component), pid, thread, app (Spring application name), ctx
# (a bracketed context after the level, e.g. Spring Cloud Sleuth's [app,trace,span]), corr (Spring
# Boot 3.2+ correlation id `traceId-spanId`), node (Elasticsearch node name), caller (Go file:line).
# The text the match covers is removed from the message.
_APP_LV = r"TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|SEVERE|CRITICAL|FATAL"
_JAVA_NAME = r"[\w$][\w$.-]*"
APP_LAYOUTS: list[tuple[str, str]] = [
    # Spring Boot console: `%5p ${PID} --- [app] [%15.15t] [correlation] %-40.40logger{39} : `
    # (2.x: no app; 3.2+: [app] with spring.application.name; the blank or traceId-spanId
    # correlation with Micrometer tracing); a customised level pattern may add [ctx]
    (
        "spring",
        r"(?P<lv>TRACE|DEBUG|INFO|WARN|ERROR|FATAL)(?: +\[(?P<ctx>[^\]]*)\])? +(?P<pid>\d*) --- "
        r"(?:\[(?P<app>[^\]]*)\] )??\[ *(?P<thread>[^\]]*)\] +"
        r"(?:\[(?P<corr>[0-9a-fA-F -]*)\] +)?(?P<logger>[^\s\[]\S*) +: ",
    ),
    # logback's default `%d{HH:mm:ss.SSS} [%thread] %-5level %logger{36} - %msg` (also Micronaut's,
    # log4j2's `%d [%t] %-5level %logger{36} - %msg`)
    ("logback", rf"\[(?P<thread>[^\]]+)\] +(?P<lv>{_APP_LV}) +(?P<logger>{_JAVA_NAME}) +- "),
    # log4j `%-5p [%t] %c - %m`
    ("log4j", rf"(?P<lv>{_APP_LV}) +\[(?P<thread>[^\]]+)\] +(?P<logger>{_JAVA_NAME}) +- "),
    # Quarkus and Keycloak `%-5p [%c{3.}] (%t) %s`
    ("quarkus", rf"(?P<lv>{_APP_LV}) +\[(?P<logger>[^\]\s]+)\] \((?P<thread>[^)]*)\) "),
    # Elasticsearch `[%-5p][%-25c{1.}] [%node_name] `
    (
        "elasticsearch",
        rf"\[(?P<lv>{_APP_LV}) *\]\[(?P<logger>[^\]\s]+) *\] (?:\[(?P<node>[^\]]*)\] )?",
    ),
    # gunicorn `[%(process)d] [%(levelname)s] `
    ("gunicorn", rf"\[(?P<pid>\d+)\] \[(?P<lv>{_APP_LV})\] "),
    # Python `%(asctime)s - %(name)s - %(levelname)s - %(message)s`
    ("python_dash", rf"(?:- )?(?P<logger>[\w.-]+) - (?P<lv>{_APP_LV}) - "),
    # Flask's default `[%(asctime)s] %(levelname)s in %(module)s: %(message)s`
    ("flask", rf"(?P<lv>{_APP_LV}) in (?P<logger>[\w.-]+): "),
    # Python `%(levelname)s:%(name)s:%(message)s` (basicConfig's default), no time
    ("python_basic", r"(?P<lv>DEBUG|INFO|WARNING|ERROR|CRITICAL):(?P<logger>[\w.-]+):"),
    # Python `%(asctime)s %(levelname)s %(name)s: %(message)s`: a logger name is dotted, root,
    # __main__ or snake_case (a plain word there is prose: `ERROR failed: ...`)
    (
        "python_colon",
        rf"(?P<lv>{_APP_LV}) +(?P<logger>(?:[\w$-]+\.)+[\w$-]+|root|__main__|[a-z]+_\w+): ",
    ),
    # Monolog (Laravel, Symfony) `[%datetime%] %channel%.%level_name%: %message% %context% %extra%`
    (
        "monolog",
        r"(?P<logger>[\w-]+(?:\.[\w-]+)*?)\."
        r"(?P<lv>DEBUG|INFO|NOTICE|WARNING|ERROR|CRITICAL|ALERT|EMERGENCY): ",
    ),
    # Ruby Logger after `I, [time #pid]`: `%5s -- %s: ` (level, progname)
    ("ruby", r"(?P<lv>DEBUG|INFO|WARN|ERROR|FATAL|ANY|UNKNOWN) -- (?P<logger>[^:\s]*): "),
    # Go's log package with Lshortfile / Llongfile
    ("go_file", r"(?P<caller>[\w./-]+\.go:\d+): "),
    # Dropwizard `%-5p [%d{ISO8601,UTC}] %c: `: the logger after the time, whose form read the
    # level; only counts there (`LEADING_TIMESTAMPS`), so it comes last
    ("dropwizard", r"(?P<logger>(?:[\w$-]+\.)+[\w$]+): "),
]
_AFTER_LEVEL_ONLY = "dropwizard"
_APP_FIELDS = ["lv", "logger", "pid", "thread", "app", "ctx", "corr", "node", "caller"]


# each layout anchored, with group `all` over its match (the text removed from the message)
APP_LAYOUT_REGEXES = [rf"^(?P<all>[ \t]*(?:{pattern}))" for _, pattern in APP_LAYOUTS]
# any layout, without captures: a fast first test that keeps other lines off the slower path
APP_LAYOUT_ANY = (
    r"^[ \t]*(?:"
    + "|".join(re.sub(r"\(\?P<\w+>", "(?:", pattern) for _, pattern in APP_LAYOUTS)
    + ")"
)


def iso_zone(zone: pl.Expr) -> pl.Expr:
    """A zone suffix as written (Z, +0100, +01, UTC, GMT) -> chrono's `%#z` form, '' when none."""
    return (
        zone.fill_null("")
        .str.strip_chars()
        .str.replace(r"^(?:UTC|GMT|Z)$", "+00:00")
        .str.replace(r"^([+-]\d{2})(\d{2})$", "$1:$2")
        .str.replace(r"^([+-]\d{2})$", "$1:00")
    )


def _localize(iso: pl.Expr, zone: pl.Expr, tz: str) -> pl.Expr:
    """ISO text `YYYY-MM-DDTHH:MM:SS[.f]` plus a zone ('' = local to `tz`) -> UTC microseconds.

    Pass cheap expressions (columns): both are evaluated twice."""
    z = iso_zone(zone)
    naive = iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False)
    zoned = (iso + z).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="us", time_zone="UTC", strict=False
    )
    local = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    return (
        pl.when(z != "")
        .then(zoned)
        .otherwise(local.dt.convert_time_zone("UTC"))
        .cast(pl.Datetime("us", "UTC"))
    )


ISO_FULL = (
    r"^(\d{4})[-/](\d{2})[-/](\d{2})[T ](\d{2}):(\d{2}):(\d{2})(?:[.,](\d{1,9}))?"
    r"[ ]?(Z|[+-]\d{2}(?::?\d{2})?|UTC|GMT)?$"
)


def time_on_capture_day(clock: pl.Expr, observed: pl.Expr, tz: str) -> pl.Expr:
    """A time of day alone (`HH:MM:SS[.f]`, Bitnami's launchers) -> UTC: on the capture day in
    `tz`, or the day before when that would put it more than an hour after the capture (written
    just before midnight)."""
    day = observed.dt.convert_time_zone(tz).dt.strftime("%Y-%m-%d")
    timed = parse_timestamp(day + "T" + clock, pl.lit(None, pl.String), tz)
    return (
        pl.when(timed > observed + pl.duration(hours=1))
        .then(timed - pl.duration(days=1))
        .otherwise(timed)
    )


def parse_timestamp(text: pl.Expr, zone: pl.Expr, tz: str) -> pl.Expr:
    """ISO-ish date-time text plus an optional zone suffix -> UTC microseconds.

    Accepts T or space, dot or comma fractions (up to 9 digits), `/` or `-` date separators and a
    zone (Z, +hh:mm, +hhmm, +hh, UTC, GMT) inside `text` or in `zone`. Naive times are local to
    `tz`. Unreadable text gives null, never an error.
    """
    canon = (
        text.str.strip_chars()
        .str.replace(ISO_FULL, "${1}-${2}-${3}T${4}:${5}:${6}.${7}0|${8}")
        .str.split_exact("|", 1)
    )
    inline = canon.struct.field("field_1")
    return _localize(
        canon.struct.field("field_0"),
        pl.when(inline.fill_null("") != "").then(inline).otherwise(zone),
        tz,
    )


def epoch_to_datetime(digits: pl.Expr, fraction: pl.Expr, unit: pl.Expr) -> pl.Expr:
    """Epoch integer digits + optional fraction digits in `unit` (s/ms/us/ns) -> UTC microseconds.

    Exact (no float rounding): the fraction is padded to nanoseconds as text; computed in
    microseconds so seconds-based values cannot overflow.
    """
    unit_ns = unit.replace_strict(
        {"s": 1_000_000_000, "ms": 1_000_000, "us": 1_000, "ns": 1},
        default=None,
        return_dtype=pl.Int64,
    )
    whole = digits.cast(pl.Int64, strict=False)
    frac9 = fraction.fill_null("").str.slice(0, 9).str.pad_end(9, "0").cast(pl.Int64, strict=False)
    whole_us = pl.when(unit_ns >= 1_000).then(whole * (unit_ns // 1_000)).otherwise(whole // 1_000)
    us = whole_us + frac9.fill_null(0) * unit_ns // 1_000_000_000_000
    return pl.when(whole > 0).then(us.cast(pl.Datetime("us", "UTC")))


def epoch_unit(digits: pl.Expr) -> pl.Expr:
    """Guess an epoch's unit from its integer digit count (valid for the years 2001-2286)."""
    n = digits.str.len_chars()
    return (
        pl.when(n <= 11)
        .then(pl.lit("s"))
        .when(n <= 14)
        .then(pl.lit("ms"))
        .when(n <= 17)
        .then(pl.lit("us"))
        .when(n <= 19)
        .then(pl.lit("ns"))
    )


def leading_timestamp(df: pl.DataFrame, head: str, observed: str, tz: str) -> pl.DataFrame:
    """`df` plus columns `_ts` (UTC), `_lead_len` (chars of the leading timestamp, 0 if none) and
    `_L`, `_pid`, `_src` (glog fields), for the first matching form of `LEADING_TIMESTAMPS` at
    the start of column `head`, else a Common Log Format time early in the line.

    Staged as columns on purpose: the parts feed many expressions, and an inline expression tree
    would re-run every regex for each of them."""
    tmp = [f"_t{i}" for i in range(len(LEADING_TIMESTAMPS))]
    df = df.with_columns(
        pl.col(head).str.extract_groups("^(?P<all>" + pattern[1:] + ")").alias(name)
        for name, pattern in zip(tmp, LEADING_TIMESTAMPS, strict=True)
    )
    df = df.with_columns(
        pl.col(head).str.slice(0, 160).str.extract_groups(_CLF_INLINE).alias("_clf")
    )

    def pick(part: str) -> pl.Expr:
        expr: pl.Expr = pl.lit(None, pl.String)
        for name, pattern in reversed(list(zip(tmp, LEADING_TIMESTAMPS, strict=True))):
            has = part == "all" or f"?P<{part}>" in pattern
            value = pl.col(name).struct.field(part) if has else None
            expr = (
                pl.when(pl.col(name).struct.field("all").is_not_null())
                .then(value if value is not None else pl.lit(None, pl.String))
                .otherwise(expr)
            )
        if f"?P<{part}>" in _CLF_INLINE:
            expr = pl.coalesce(expr, pl.col("_clf").struct.field(part))
        return expr

    df = df.with_columns(pick(p).alias(f"_{p}") for p in [*_PARTS, "all"]).drop(*tmp, "_clf")
    hour = pl.col("_h").cast(pl.Int32, strict=False) % 12
    df = df.with_columns(  # 12-hour clock (java.util.logging): 12:xx AM is 00:xx
        pl.when(pl.col("_ap").is_not_null())
        .then((hour + pl.when(pl.col("_ap") == "PM").then(12).otherwise(0)).cast(pl.String))
        .otherwise(pl.col("_h"))
        .str.pad_start(2, "0")
        .alias("_h")
    )
    month = pl.coalesce(pl.col("_M"), pl.col("_Mon").replace_strict(_MONTH_NUMBERS, default=None))
    df = df.with_columns(
        pl.format(
            "{}-{}T{}:{}:{}.{}",
            month,
            pl.col("_D").str.pad_start(2, "0"),
            pl.col("_h"),
            pl.col("_m"),
            pl.col("_s"),
            pl.col("_f").fill_null("0"),
        ).alias("_tail"),
        (pl.col(observed).dt.year().cast(pl.String)).alias("_year"),
        (pl.col(observed).dt.year() - 1).cast(pl.String).alias("_prev_year"),
        pl.format(
            "{}.{}", pl.col("_h") + ":" + pl.col("_m") + ":" + pl.col("_s"), pl.col("_f")
        ).alias("_clock"),
        pl.col(observed).dt.convert_time_zone(tz).dt.date().alias("_today"),
    )
    zone = pl.col("_z").fill_null("")
    this_year = _localize(pl.col("_year") + "-" + pl.col("_tail"), zone, tz)
    last_year = _localize(pl.col("_prev_year") + "-" + pl.col("_tail"), zone, tz)
    # a year-less time more than a day after capture was written last year (Dec 31 read Jan 1)
    late = this_year > pl.col(observed) + pl.duration(days=1)
    # a time of day alone is on the capture day (local), or the day before when that would put it
    # more than an hour after capture (written just before midnight)
    today = _localize(pl.col("_today").cast(pl.String) + "T" + pl.col("_clock"), pl.lit(""), tz)
    yesterday = _localize(
        (pl.col("_today") - pl.duration(days=1)).cast(pl.String) + "T" + pl.col("_clock"),
        pl.lit(""),
        tz,
    )
    ts = (
        pl.when(pl.col("_E").is_not_null())
        .then(epoch_to_datetime(pl.col("_E"), pl.col("_f"), epoch_unit(pl.col("_E"))))
        .when(pl.col("_Y").is_not_null())
        .then(_localize(pl.col("_Y") + "-" + pl.col("_tail"), zone, tz))
        .when(pl.col("_tail").is_not_null())
        .then(pl.when(late).then(last_year).otherwise(this_year))
        .when(pl.col("_clock").is_not_null())
        .then(
            pl.when(today > pl.col(observed) + pl.duration(hours=1))
            .then(yesterday)
            .otherwise(today)
        )
    )
    return df.with_columns(
        ts.alias("_ts"),
        pl.col("_all").str.len_chars().fill_null(0).alias("_lead_len"),
    ).drop(
        [f"_{p}" for p in _PARTS if p not in ("L", "pid", "src")]
        + ["_all", "_tail", "_year", "_prev_year", "_clock", "_today"]
    )


def _level(rest: pl.Expr, time_found: pl.Expr) -> pl.Expr:
    """The level token as written, searched near the start of the text after the timestamp."""
    near = rest.str.slice(0, 80)
    window = rest.str.slice(0, LEVEL_WINDOW)
    return pl.coalesce(
        rest.str.extract(_LEVEL_MYSQL, 1),
        near.str.extract(_LEVEL_BRACKETED, 1),
        near.str.extract(_LEVEL_KEYED, 1),
        window.str.extract(_LEVEL_COLON, 1),
        rest.str.extract(_LEVEL_START, 1),
        window.str.extract(_LEVEL_BARE, 1),
        pl.when(time_found).then(rest.str.extract(_LEVEL_LETTER, 1)),
    )


GENERIC_COLUMNS = [
    "timestamp",
    "severity_text",
    "component",
    "message",
    "pid",
    "trace_id",
    "parse_status",
    "attributes",
]
# attribute key <- application layout group (`APP_LAYOUTS`)
_APP_ATTRIBUTES = {
    "thread": "thread",
    "application": "app",
    "context": "ctx",
    "span_id": "span",
    "node": "node",
}


def app_layout(df: pl.DataFrame, rest: pl.Expr, time_level: pl.Expr) -> pl.DataFrame:
    """`df` plus the `APP_LAYOUTS` reading of `rest` (the text after the leading timestamp):
    columns `_APP_FIELDS` and `len` (chars the layout covers, 0 when none matched) from the first
    layout that matches. `time_level` is the level read with the time (the Dropwizard layout
    counts only after one).

    A cheap match test per layout picks each row's layout; only the rows of a layout run its
    capturing regex (capturing every layout's groups on every row costs more than the rest of
    the parser)."""
    which: pl.Expr = pl.lit(None, pl.UInt8)
    for i in reversed(range(len(APP_LAYOUTS))):
        hit = pl.col("_rest").str.contains(APP_LAYOUT_REGEXES[i])
        if APP_LAYOUTS[i][0] == _AFTER_LEVEL_ONLY:
            hit = hit & (time_level.str.len_chars() > 1)
        which = pl.when(hit).then(pl.lit(i, pl.UInt8)).otherwise(which)
    df = df.with_row_index("_row").with_columns(rest.alias("_rest"))
    candidates = df.filter(pl.col("_rest").str.contains(APP_LAYOUT_ANY)).with_columns(
        which.alias("_which")
    )
    empty = {name: pl.String for name in _APP_FIELDS} | {"all": pl.String}
    parts = [pl.DataFrame(schema={"_row": pl.UInt32, **empty})]
    for (i,), rows in (
        candidates.filter(pl.col("_which").is_not_null())
        .partition_by("_which", as_dict=True, include_key=False)
        .items()
    ):
        parts.append(
            rows.select("_row", pl.col("_rest").str.extract_groups(APP_LAYOUT_REGEXES[i])).unnest(
                "_rest"
            )
        )
    found = pl.concat(parts, how="diagonal_relaxed").select(
        "_row",
        *(pl.col(name).str.strip_chars().replace("", None) for name in _APP_FIELDS),
        pl.col("all").str.len_chars().alias("len"),
    )
    return (
        df.drop("_rest")
        .join(found, on="_row", how="left", maintain_order="left")
        .with_columns(pl.col("len").fill_null(0))
        .drop("_row")
    )


def attributes_of(df: pl.DataFrame, pairs: dict[str, pl.Expr]) -> pl.Series:
    """Column `attributes` of `df` from key -> value expressions: a row's non-null values as
    key/value structs, null when it has none. Long format and back (per-row list operations on
    structs are an order of magnitude slower)."""
    wide = df.select(*(value.cast(pl.String).alias(key) for key, value in pairs.items()))
    long = (
        wide.with_row_index("_row")
        .unpivot(index="_row", variable_name="key")
        .drop_nulls("value")
        .group_by("_row")
        .agg(pl.struct("key", "value").alias("attributes"))
    )
    return (
        pl.DataFrame({"_row": pl.arange(0, df.height, dtype=pl.UInt32, eager=True)})
        .join(long, on="_row", how="left", maintain_order="left")
        .get_column("attributes")
    )


def parse_generic(df: pl.DataFrame, text: str, observed: str, tz: str) -> pl.DataFrame:
    """The generic reading of column `text`: a frame of `GENERIC_COLUMNS`, same height and order.
    Shared with the structured parser's fallback; column `observed` (UTC) supplies the year of
    year-less times."""
    work = df.select(
        # colour codes (TTY-mode loggers: logrus, Spring Boot, zap development) are not content
        pl.col(text).fill_null("").str.replace_all(_ANSI, "").alias("_text"),
        pl.col(observed).dt.convert_time_zone("UTC").alias("_obs"),
    ).with_columns(
        pl.col("_text")
        .str.split_exact("\n", 1)
        .struct.field("field_0")
        .str.slice(0, 256)
        .alias("_head")
    )
    work = leading_timestamp(work, "_head", "_obs", tz)
    lead_len = pl.col("_lead_len")
    # a java.util.logging record: its level opens the second line, the class ends the first
    work = work.with_columns(pl.col("_text").str.extract(_JUL_RECORD, 1).alias("_jul"))
    work = app_layout(work, pl.col("_head").str.slice(lead_len), pl.col("_L"))
    corr = pl.col("corr").str.split_exact("-", 1)
    work = work.with_columns(
        pl.coalesce(
            pl.col("_L"),
            pl.col("_jul"),
            pl.col("lv"),
            _level(pl.col("_head").str.slice(lead_len), lead_len > 0),
        ).alias("_level"),
        pl.when(lead_len > 0)
        .then(pl.col("_text").str.slice(lead_len).str.replace(r"^[ \t]*(?:[|-][ \t]+)?", ""))
        .otherwise(pl.col("_text"))
        .alias("_body"),
        corr.struct.field("field_0").str.strip_chars().replace("", None).alias("_trace"),
        corr.struct.field("field_1").str.strip_chars().replace("", None).alias("span"),
    )
    level = pl.col("_level")
    ts = pl.col("_ts")
    return work.select(
        ts.alias("timestamp"),
        level.alias("severity_text"),
        pl.when(pl.col("_jul").is_not_null())
        .then(pl.col("_head").str.extract(_JUL_SOURCE, 1))
        .otherwise(pl.col("logger"))
        .alias("component"),
        pl.when(pl.col("_jul").is_not_null())
        .then(pl.col("_text").str.replace(_JUL_RECORD, ""))
        .when(pl.col("len") > 0)
        .then(pl.col("_text").str.slice(lead_len + pl.col("len")))
        .when(level.is_not_null() & pl.col("_L").is_null())
        .then(pl.col("_body").str.replace(_LEVEL_PREFIX, ""))
        .otherwise(pl.col("_body"))
        .fill_null("")
        .str.replace(TRAILING_BLANK_LINES, "")
        .alias("message"),
        pl.coalesce(pl.col("_pid"), pl.col("pid")).cast(pl.Int32, strict=False).alias("pid"),
        pl.col("_trace").alias("trace_id"),
        pl.when(ts.is_not_null() & level.is_not_null())
        .then(pl.lit("ok"))
        .when(ts.is_not_null() | level.is_not_null())
        .then(pl.lit("partial"))
        .otherwise(pl.lit("unparsed"))
        .alias("parse_status"),
    ).with_columns(
        attributes_of(
            work,
            {
                "caller": pl.coalesce(pl.col("_src"), pl.col("caller")),
                **{key: pl.col(group) for key, group in _APP_ATTRIBUTES.items()},
            },
        )
    )


def observed_utc(events: pl.DataFrame) -> pl.Expr:
    """observed_at in UTC when present (the year of year-less times), else now."""
    now = dt.datetime.now(dt.UTC)
    if "observed_at" in events.columns:
        return (
            pl.col("observed_at")
            .cast(pl.Datetime("us", "UTC"), strict=False)
            .fill_null(now)
            .alias("observed_at")
        )
    return pl.lit(now).cast(pl.Datetime("us", "UTC")).alias("observed_at")


class GenericParser:
    name = "generic"

    def starts_record(self, line: pl.Expr) -> pl.Expr:
        text = line.fill_null("")
        jul_level = text.str.contains(rf"^(?:{_JUL_LEVELS}): ") & text.shift(1).fill_null(
            ""
        ).str.contains(_JUL_HEAD)
        return ~(text.str.contains(CONTINUATION) | jul_level)

    def parse(self, events: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
        frame = events.select(pl.col("text"), observed_utc(events))
        return conform(parse_generic(frame, "text", "observed_at", options.timezone))


PARSER = GenericParser()
