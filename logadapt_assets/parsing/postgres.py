"""PostgreSQL server logs: stderr with any `log_line_prefix`, csvlog and jsonlog, detected per line.

What the server writes (src/backend/utils/error/elog.c):
- stderr: `<prefix><SEVERITY>:  <message>`; every embedded newline is followed by a tab, and an
  error report's DETAIL / HINT / QUERY / CONTEXT / LOCATION / STATEMENT lines follow in the same
  write, each with the prefix again. With `log_error_verbosity = verbose` the message starts
  with the SQLSTATE (`ERROR:  42P01: relation ...`).
- csvlog: 22-26 columns, strings quoted with `""` escapes and raw newlines inside quotes.
- jsonlog (15+): one object per line, empty keys left out; CloudNativePG wraps the csvlog
  columns in a `"record"` object, which is read the same way.

Everything is vectorised Polars; the only Python loops run over rules and prefix candidates.
"""

import re
import zoneinfo
from collections.abc import Callable
from functools import cache
from typing import TypeVar

import polars as pl

from logadapt_assets.parsing.base import ATTRIBUTES_DTYPE, ParseOptions, conform
from logadapt_assets.parsing.generic import time_on_capture_day
from logadapt_assets.parsing.postgres_prefix import (
    PostgresRules,
    compile_prefix,
    line_pattern,
    load_rules,
    parse_epoch,
    parse_pg_timestamp,
    regex_literal,
)

_TS = r"\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?"
_ZONE = r"(?: (?:[A-Za-z][A-Za-z0-9]{0,9}|[+-]\d{2}(?::?\d{2})?))?"
_CSV_FIELD = r'(?:"(?:[^"]|"")*"|[^,"\n]*)'
_CSV_TEXT = r'(?:"(?:[^"]|"")*")?'
# A csvlog record starts with: log_time, user, database, pid.
CSV_START = rf"^{_TS}{_ZONE},{_CSV_TEXT},{_CSV_TEXT},\d*,"
# The longest prefix we look past for the "SEVERITY:  " anchor of an unknown prefix.
_MAX_PREFIX = 300

T = TypeVar("T")

# String columns carried from the format-specific readers to the shared derivations.
_FIELDS = (
    "log_format",
    "status",
    "ts",
    "epoch",
    "severity_text",
    "message",
    "sqlstate",
    "pid",
    "db_user",
    "db_name",
    "remote",
    "client_host",
    "connection_from",
    "remote_port",
    "local_addr",
    "backend_type",
    "application_name",
    "session_id",
    "line_num",
    "command_tag",
    "session_start",
    "vxid",
    "txid",
    "query_id",
    "leader_pid",
    "detail",
    "hint",
    "query",
    "context",
    "location",
    "statement",
    "cursor_position",
    "internal_position",
    "func_name",
    "file_name",
    "file_line_num",
    "prefix",
    # lines of other programs (rules `programs`): time of day only, level they imply, extras
    "time_of_day",
    "program_severity",
    "connection",
    "server",
    "module",
    "process",
)

# Attributes, in output order: every extracted field without its own column.
_ATTRIBUTE_KEYS = (
    "application_name",
    "session_id",
    "line_num",
    "command_tag",
    "session_start",
    "vxid",
    "txid",
    "query_id",
    "leader_pid",
    "remote_port",
    "local_addr",
    "detail",
    "hint",
    "query",
    "context",
    "statement",
    "statement_kind",
    "location",
    "cursor_position",
    "internal_position",
    "func_name",
    "file_name",
    "file_line_num",
    "prefix",
    "connection",
    "server",
    "module",
    "process",
    "log_format",
)

# "0" in these means "none" (no transaction id assigned, no query id computed).
_ZERO_MEANS_NONE = ("txid", "query_id", "leader_pid")


def _severity_alternation(rules: PostgresRules) -> str:
    return rules.severity_pattern


def _anchor_pattern(rules: PostgresRules) -> str:
    """First `SEVERITY:  ` on a line, after at most _MAX_PREFIX characters of any prefix."""
    return (
        rf"^(?P<prefix>[^\t\n][^\n]{{0,{_MAX_PREFIX}}}?)??\b"
        rf"(?P<severity_text>{_severity_alternation(rules)}) ?:  (?P<message>[^\n]*)$"
    )


@cache
def _valid_timezone(tz: str) -> str:
    """The configured zone if both zoneinfo and Polars know it, else UTC (never raise)."""
    try:
        zoneinfo.ZoneInfo(tz)
        pl.Series([0], dtype=pl.Datetime("us")).dt.replace_time_zone(tz)
    except Exception:  # noqa: BLE001 - any unknown or malformed zone name
        return "UTC"
    return tz


def _blank_to_null(expr: pl.Expr, rules: PostgresRules) -> pl.Expr:
    """Empty values and the `[unknown]` placeholder (in any language) mean: not known."""
    unknown = ["", *rules.unknown_placeholders]
    return pl.when(expr.is_in(unknown)).then(None).otherwise(expr).alias(expr.meta.output_name())


def _csv_pattern(rules: PostgresRules) -> str:
    cols = rules.csv_columns
    req = rules.csv_required_columns
    head = ",".join(f"(?P<{c}>{_CSV_FIELD})" for c in cols[:req])
    tail = ""
    for group in reversed(_csv_optional_groups(cols[req:])):
        inner = ",".join(f"(?P<{c}>{_CSV_FIELD})" for c in group)
        tail = f"(?:,{inner}{tail})?"
    return f"^{head}{tail}\\n?$"


def _csv_optional_groups(cols: tuple[str, ...]) -> list[tuple[str, ...]]:
    """Columns added per release come in groups: (application_name,), (backend_type,), (rest)."""
    groups: list[tuple[str, ...]] = [(c,) for c in cols[:2]]
    if len(cols) > 2:
        groups.append(tuple(cols[2:]))
    return groups


def _csv_unquote(expr: pl.Expr) -> pl.Expr:
    quoted = expr.str.starts_with('"') & expr.str.ends_with('"') & (expr.str.len_chars() >= 2)
    inner = (
        expr.str.strip_prefix('"').str.strip_suffix('"').str.replace_all('""', '"', literal=True)
    )
    value = pl.when(quoted).then(inner).otherwise(expr)
    return pl.when(value == "").then(None).otherwise(value)


_JSON_ESCAPES = {
    "\\\\": "\\",
    '\\"': '"',
    "\\/": "/",
    "\\n": "\n",
    "\\t": "\t",
    "\\r": "\r",
    "\\b": "\b",
    "\\f": "\f",
    "\\u003c": "<",
    "\\u003e": ">",
    "\\u0026": "&",
    "\\u2028": "\u2028",
    "\\u2029": "\u2029",
    **{f"\\u{c:04x}": chr(c) for c in range(0x20)},
    **{f"\\u{c:04X}": chr(c) for c in range(0x20)},
}


def _json_field(text: pl.Expr, keys: tuple[str, ...]) -> pl.Expr:
    """A top-level-ish JSON value by key, unescaped; numbers and booleans as their text."""
    values = []
    for key in keys:
        groups = text.str.extract_groups(
            rf'"{key}"\s*:\s*(?:"(?P<s>(?:[^"\\]|\\.)*)"|(?P<n>-?[0-9][0-9.eE+-]*|true|false))'
        )
        string = groups.struct.field("s").str.replace_many(
            list(_JSON_ESCAPES), list(_JSON_ESCAPES.values())
        )
        values.append(pl.coalesce(string, groups.struct.field("n")))
    return pl.coalesce(values) if len(values) > 1 else values[0]


class PostgresParser:
    """Parser for PostgreSQL server logs (see the module docstring for the formats)."""

    name = "postgres"

    def __init__(self, rules: PostgresRules | None = None) -> None:
        self._rules = rules

    @property
    def rules(self) -> PostgresRules:
        return self._rules or load_rules()

    # -- record boundaries -------------------------------------------------------------------

    def starts_record(self, line: pl.Expr) -> pl.Expr:
        """True where a physical line begins a new record.

        Tab-indented lines (elog.c's continuation of multi-line text), lines indented with two
        or more spaces, and lines whose first `SEVERITY:  ` is DETAIL/HINT/QUERY/CONTEXT/
        LOCATION/STATEMENT continue the record above.
        Every other line starts one, except inside an open csvlog quoted field: there quote
        parity is carried from line to line (forward_fill + shift), so evaluate this over one
        container+stream's lines in order (or `.over(container_id, stream)`).
        """
        rules = self.rules
        sev = _severity_alternation(rules)
        first_word = line.str.extract(rf"^(?:[^\t]{_any_upto(_MAX_PREFIX)}?)?\b({sev}) ?:  ", 1)
        # lines indented with spaces are other programs' (initdb's `pg_ctl -D ...` hint,
        # Patroni's pg_controldata dump, the entrypoint's warning box): they continue too
        indented = line.str.starts_with("\t") | line.str.starts_with("  ")
        continues = indented | first_word.is_in(list(rules.section_words))
        csv_start = line.str.contains(CSV_START)
        odd_quotes = (line.str.count_matches('"', literal=True) % 2) == 1
        # csv record start: open iff its quotes are unbalanced; later odd line: closes.
        state = pl.when(csv_start).then(odd_quotes).when(odd_quotes).then(pl.lit(False))
        inside_csv = state.forward_fill().shift(1).fill_null(False)
        starts = csv_start | (~inside_csv & ~continues.fill_null(False))
        return starts.fill_null(True)

    # -- parsing -------------------------------------------------------------------------------

    def parse(self, events: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
        rules = self.rules
        tz = _valid_timezone(options.timezone)
        base = events.select(
            pl.col("text")
            .cast(pl.String)
            .fill_null("")
            .str.replace_all("\r\n", "\n", literal=True)
            .str.strip_chars_end("\r")
            .alias("text"),
            *([pl.col("observed_at")] if "observed_at" in events.columns else []),
        ).with_row_index("__i")
        if base.height == 0:
            return conform(pl.DataFrame(schema={"message": pl.String}))
        split = pl.col("text").str.splitn("\n", 2)
        base = base.with_columns(
            split.struct.field("field_0").alias("first"),
            split.struct.field("field_1").alias("rest"),
        )
        is_json = pl.col("first").str.contains(r"^\s*\{") & pl.col("first").str.contains(
            '"error_severity"', literal=True
        )
        is_csv = ~is_json & pl.col("first").str.contains(CSV_START)
        json_rows = base.filter(is_json)
        csv_rows = base.filter(is_csv)
        other = base.filter(~is_json & ~is_csv)

        parts: list[pl.DataFrame] = []
        if json_rows.height:
            parts.append(self._read_json(json_rows, rules))
        if csv_rows.height:
            csv_parsed, csv_failed = self._read_csv(csv_rows, rules)
            parts.append(csv_parsed)
            other = pl.concat([other, csv_failed])
        if other.height:
            parts.append(self._read_stderr(other, rules, options))
        fields = pl.concat(
            [p.select("__i", *[_col_or_null(p, f) for f in _FIELDS]) for p in parts]
        ).sort("__i")
        keep = [c for c in ("__i", "text", "observed_at") if c in base.columns]
        frame = base.select(keep).join(fields, on="__i", how="left", maintain_order="left")
        return self._derive(frame, rules, tz)

    # -- format readers: each returns `__i` plus any of _FIELDS ---------------------------------

    def _read_json(self, rows: pl.DataFrame, rules: PostgresRules) -> pl.DataFrame:
        """Native JSON decoding; a batch with any malformed line (a 16 KiB cut, a torn write)
        falls back to reading each key with a regex, which never fails."""
        keys = sorted({k for names in rules.json_fields.values() for k in names})
        flat = pl.Struct({k: pl.String for k in keys})
        try:
            decoded = rows.select(
                "__i",
                pl.col("text").str.json_decode(pl.Struct({**flat.to_schema(), "record": flat})),
            ).unnest("text")
            top, record = pl.col, pl.col("record").struct.field
            out = decoded.select(
                "__i",
                *[
                    pl.coalesce([top(k) for k in names] + [record(k) for k in names]).alias(f)
                    for f, names in rules.json_fields.items()
                ],
            )
        except Exception:  # noqa: BLE001 - malformed JSON somewhere in the batch
            out = rows.select("__i", *_json_fields(rules))
        ok = pl.col("severity_text").is_not_null() & pl.col("ts").is_not_null()
        return out.with_columns(
            pl.lit("jsonlog").alias("log_format"),
            pl.when(ok).then(pl.lit("ok")).otherwise(pl.lit("partial")).alias("status"),
        )

    def _read_csv(
        self, rows: pl.DataFrame, rules: PostgresRules
    ) -> tuple[pl.DataFrame, pl.DataFrame]:
        groups = rows.with_columns(
            pl.col("text").str.extract_groups(_csv_pattern(rules)).alias("__csv")
        )
        matched = pl.col("__csv").struct.field(rules.csv_columns[0]).is_not_null()
        failed = groups.filter(~matched).drop("__csv")
        good = groups.filter(matched).unnest("__csv")
        renames = {
            "log_time": "ts",
            "user_name": "db_user",
            "database_name": "db_name",
            "process_id": "pid",
            "session_line_num": "line_num",
            "session_start_time": "session_start",
            "virtual_transaction_id": "vxid",
            "transaction_id": "txid",
            "error_severity": "severity_text",
            "sql_state_code": "sqlstate",
            "internal_query": "query",
            "internal_query_pos": "internal_position",
            "query": "statement",
            "query_pos": "cursor_position",
        }
        out = good.select(
            "__i",
            *[_csv_unquote(pl.col(c)).alias(renames.get(c, c)) for c in rules.csv_columns],
        )
        severity_known = pl.col("severity_text").is_in(list(rules.level_words))
        return (
            out.with_columns(
                pl.lit("csvlog").alias("log_format"),
                pl.when(severity_known)
                .then(pl.lit("ok"))
                .otherwise(pl.lit("partial"))
                .alias("status"),
                pl.col("message").fill_null(""),
            ),
            failed,
        )

    def _read_stderr(
        self, rows: pl.DataFrame, rules: PostgresRules, options: ParseOptions
    ) -> pl.DataFrame:
        # (prefix, detect): a configured prefix is trusted, the known ones are guesses
        candidates = [(p, True) for p in rules.known_prefixes]
        if options.postgres_log_line_prefix is not None:
            candidates.insert(0, (options.postgres_log_line_prefix, False))
        remaining = rows.select("__i", "first")
        heads: list[pl.DataFrame] = []
        seen: set[str] = set()
        for prefix, detect in candidates:
            if remaining.height == 0:
                break
            compiled = compile_prefix(prefix, rules, detect=detect)
            pattern = line_pattern(compiled, rules)
            if pattern in seen:
                continue
            seen.add(pattern)
            hit_mask = pl.col("first").str.contains(pattern)
            try:
                hits = remaining.filter(hit_mask)
                groups = hits.select("__i", pl.col("first").str.extract_groups(pattern).alias("g"))
            except Exception:  # noqa: BLE001 - a configured prefix too large for a regex
                continue
            remaining = remaining.filter(~hit_mask)
            if hits.height == 0:
                continue
            # first occurrence of each field; repeats (`pid_2`) are ignored
            firsts = {g: f for g, f in compiled.fields.items() if g == f}
            heads.append(
                groups.select(
                    "__i",
                    *[
                        pl.col("g").struct.field(g).str.strip_chars(" ").alias(f)
                        for g, f in firsts.items()
                    ],
                    pl.col("g").struct.field("severity_text"),
                    pl.col("g").struct.field("message"),
                    pl.lit("ok").alias("status"),
                )
            )
        if remaining.height and rules.programs:
            remaining = _program_lines(remaining, rules, heads)
        if remaining.height:
            # unknown prefix: still an elog line if "SEVERITY:  " follows some prefix
            anchored = remaining.with_columns(
                pl.col("first").str.extract_groups(_anchor_pattern(rules)).alias("g")
            )
            has_anchor = pl.col("g").struct.field("severity_text").is_not_null()
            generic = anchored.filter(has_anchor)
            leftover = anchored.filter(~has_anchor)
            if generic.height:
                prefix = pl.col("g").struct.field("prefix")
                heads.append(
                    generic.select(
                        "__i",
                        pl.col("g").struct.field("severity_text"),
                        pl.col("g").struct.field("message"),
                        prefix.str.strip_chars().alias("prefix"),
                        _leading_timestamp(prefix, anywhere=True).alias("ts"),
                        prefix.str.extract(r"\[(\d+)(?:[-:]\d+)?\]", 1).alias("pid"),
                        *_prefix_fields(prefix, rules),
                        pl.lit("partial").alias("status"),
                    )
                )
            if leftover.height:
                ts = _leading_timestamp(pl.col("first"))
                heads.append(
                    leftover.select(
                        "__i",
                        ts.alias("ts"),
                        pl.lit(None, dtype=pl.String).alias("message"),
                        pl.when(ts.is_not_null())
                        .then(pl.lit("partial"))
                        .otherwise(pl.lit("unparsed"))
                        .alias("status"),
                    )
                )
        head = pl.concat(heads, how="diagonal_relaxed")
        head = head.with_columns(
            (
                pl.col("log_format").fill_null("stderr")
                if "log_format" in head.columns
                else pl.lit("stderr")
            ).alias("log_format"),
            *[
                pl.lit(None, dtype=pl.String).alias(c)
                for c in ("severity_text", "message", "sqlstate")
                if c not in head.columns
            ],
        )
        head = _split_verbose_sqlstate(head, rules)
        sections = self._sections(rows, rules)
        out = head.join(sections, on="__i", how="left")
        # message: head text plus the lines that continue it; an orphan section line (record
        # starting with DETAIL...) keeps its text as the message
        # whitespace-only lines that ended a record are not part of its message
        tail = pl.col("__message_tail")
        extra = pl.when(tail.str.strip_chars_end() != "").then(tail)
        message = (
            pl.when(extra.is_not_null() & pl.col("message").is_not_null())
            .then(pl.col("message") + "\n" + extra)
            .otherwise(pl.col("message"))
        )
        is_section_head = pl.col("severity_text").is_in(list(rules.section_words))
        return out.with_columns(
            message.alias("message"),
            pl.when(is_section_head & (pl.col("status") == "ok"))
            .then(pl.lit("partial"))
            .otherwise(pl.col("status"))
            .alias("status"),
        ).drop("__message_tail")

    def _sections(self, rows: pl.DataFrame, rules: PostgresRules) -> pl.DataFrame:
        """Lines after the first: tab lines continue the current part, DETAIL/HINT/... open one.

        Returns `__i`, `__message_tail` (continuation of the message) and one column per section.
        """
        section_cols = [s.lower() for s in rules.sections]
        multi = rows.filter(pl.col("rest").is_not_null()).select("__i", "rest")
        empty = pl.DataFrame(
            schema={"__i": pl.UInt32, "__message_tail": pl.String}
            | {c: pl.String for c in section_cols}
        )
        if multi.height == 0:
            return empty
        lines = (
            multi.select("__i", pl.col("rest").str.split("\n").alias("line"))
            .explode("line")
            .with_columns(
                # tab lines never open a section: skip the regex for them
                pl.when(~pl.col("line").str.starts_with("\t"))
                .then(pl.col("line"))
                .str.extract_groups(_anchor_pattern(rules))
                .alias("anchor")
            )
        )
        anchor = pl.col("anchor")
        word = anchor.struct.field("severity_text")
        is_tab = pl.col("line").str.starts_with("\t")
        opens = ~is_tab & word.is_in(list(rules.section_words)).fill_null(False)
        english = word.replace_strict(rules.section_words, default=None).str.to_lowercase()
        lines = (
            lines.with_columns(
                pl.when(opens).then(english).alias("section"),
                pl.when(opens)
                .then(anchor.struct.field("message"))
                .when(is_tab)
                .then(pl.col("line").str.slice(1))
                .otherwise(pl.col("line"))
                .alias("content"),
            )
            .with_columns(
                pl.col("section").forward_fill().over("__i").fill_null("__message_tail"),
            )
            .drop("anchor")
        )
        joined = lines.group_by("__i", "section", maintain_order=True).agg(
            pl.col("content").str.join("\n")
        )
        wide = joined.pivot(on="section", index="__i", values="content")
        return pl.concat([empty, wide], how="diagonal_relaxed").select(empty.columns)

    # -- shared derivations ----------------------------------------------------------------------

    def _derive(self, frame: pl.DataFrame, rules: PostgresRules, tz: str) -> pl.DataFrame:
        frame = frame.with_columns(
            *[_blank_to_null(pl.col(c), rules) for c in ("db_user", "db_name", "application_name")],
            *[
                pl.when(pl.col(c).is_in(["", "0"])).then(None).otherwise(pl.col(c)).alias(c)
                for c in _ZERO_MEANS_NONE
            ],
            *[
                pl.when(pl.col(c) == "").then(None).otherwise(pl.col(c)).alias(c)
                for c in ("remote", "client_host", "backend_type", "command_tag", "vxid", "prefix")
            ],
            pl.col("message").fill_null(pl.col("text")),
            pl.col("status").fill_null("unparsed"),
        ).with_columns(
            pl.when(pl.col("status") == "unparsed")
            .then(None)
            .otherwise(pl.col("log_format"))
            .alias("log_format"),
        )
        frame = frame.with_columns(
            pl.col("severity_text").replace_strict(rules.english, default=None).alias("__level")
        )
        frame = _cursor_position(frame, rules)
        first_line = pl.col("message").str.extract(r"^([^\n]*)", 1)
        frame = frame.with_columns(first_line.alias("__first"))
        frame = _message_fields(frame, rules)
        frame = _statement(frame, rules)

        remote = pl.col("remote").str.extract_groups(r"^(?P<host>.*?)(?:\((?P<port>\d+)\))?$")
        conn = pl.col("connection_from").str.extract_groups(r"^(?P<host>.*?)(?::(?P<port>\d+))?$")
        frame = frame.with_columns(parse_pg_timestamp(frame["ts"], tz, rules).alias("__ts"))
        frame = _time_of_day(frame, tz)
        timestamp = pl.coalesce(pl.col("__ts"), parse_epoch(pl.col("epoch")))
        frame = _fill_from_subset(
            frame,
            "sqlstate",
            pl.col("sqlstate").is_null()
            & pl.col("__level").is_in(sorted({s for *_, sevs in rules.derivations for s in sevs})),
            _derive_sqlstate(rules),
        )
        sqlstate = pl.col("sqlstate")
        error_class = (
            pl.when(~sqlstate.str.starts_with("00"))
            .then(sqlstate.replace_strict(rules.sqlstate_names, default=None))
            .otherwise(None)
        )
        # a record logged with its STATEMENT comes from a session: a client backend unless the
        # line names another backend type
        from_statement = pl.when(pl.col("statement").is_not_null()).then(
            pl.lit(rules.statement_component)
        )
        frame = _fill_from_subset(
            frame,
            "backend_type",
            pl.col("backend_type").is_null() & pl.col("log_format").is_not_null(),
            pl.coalesce(_infer_component(rules), from_statement),
        )
        component = pl.col("backend_type")
        had_time = (
            pl.col("ts").is_not_null()
            | pl.col("epoch").is_not_null()
            | pl.col("time_of_day").is_not_null()
        )
        status = (
            pl.when((pl.col("status") == "ok") & had_time & timestamp.is_null())
            .then(pl.lit("partial"))
            .otherwise(pl.col("status"))
        )
        out = frame.with_columns(
            timestamp.alias("timestamp"),
            pl.coalesce(
                pl.col("__level").replace_strict(rules.severities, default=None),
                pl.when(pl.col("severity_text").is_null()).then(pl.col("program_severity")),
            ).alias("severity"),
            component.alias("component"),
            sqlstate.alias("sqlstate"),
            error_class.alias("error_class"),
            pl.col("pid").cast(pl.Int32, strict=False).alias("pid"),
            pl.coalesce(
                remote.struct.field("host"),
                pl.col("client_host"),
                conn.struct.field("host"),
                pl.col("__client_addr"),
            ).alias("client_addr"),
            pl.coalesce(
                remote.struct.field("port"),
                pl.col("remote_port"),
                conn.struct.field("port"),
                pl.col("__remote_port"),
            ).alias("remote_port"),
            pl.coalesce(pl.col("db_user"), pl.col("__db_user")).alias("db_user"),
            pl.coalesce(pl.col("db_name"), pl.col("__db_name")).alias("db_name"),
            pl.coalesce(pl.col("application_name"), pl.col("__application_name")).alias(
                "application_name"
            ),
            _duration_ms(rules).alias("duration_ms"),
            status.alias("parse_status"),
        )
        out = _with_attributes(out)
        return conform(out)


# -- helpers ---------------------------------------------------------------------------------


def _any_upto(n: int) -> str:
    return f".{{0,{n}}}"


def _col_or_null(frame: pl.DataFrame, name: str) -> pl.Expr:
    if name in frame.columns:
        return pl.col(name).cast(pl.String)
    return pl.lit(None, dtype=pl.String).alias(name)


def _leading_timestamp(text: pl.Expr, anywhere: bool = False) -> pl.Expr:
    """An ISO-ish timestamp (with its zone) opening a line, or anywhere in an unknown prefix
    (e.g. `waiting for server to start....2026-11-27 20:00:00.123 UTC [48] LOG:  ...`)."""
    start = "" if anywhere else r"^\W{0,3}"
    return text.str.extract(
        start + r"(\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?"
        r"(?: ?(?:[A-Za-z][A-Za-z0-9]{0,9}|[+-]\d{2}(?::?\d{2})?|Z)\b)?)",
        1,
    )


def _program_lines(
    remaining: pl.DataFrame, rules: PostgresRules, heads: list[pl.DataFrame]
) -> pl.DataFrame:
    """Lines other programs in Postgres containers write (rules `programs`): each layout's
    named groups become fields, its component and implied severity fill the rest. Appends the
    matches to `heads`; returns the lines still unread. Runs only on lines no prefix matched."""
    for name, pattern, component, severity in rules.programs:
        if remaining.height == 0:
            break
        hit = remaining.select(pl.col("first").str.contains(pattern).fill_null(False)).to_series()
        if not hit.any():
            continue
        hits, remaining = remaining.filter(hit), remaining.filter(~hit)
        groups = [g for g in re.findall(r"\(\?P<(\w+)>", pattern) if g in _FIELDS]
        parts = pl.col("first").str.extract_groups(pattern)
        heads.append(
            hits.select(
                "__i",
                *[
                    (
                        parts.struct.field(g).str.replace(",", ".", literal=True)
                        if g == "ts"
                        else parts.struct.field(g)
                    ).alias(g)
                    for g in groups
                ],
                *([] if "message" in groups else [pl.col("first").alias("message")]),
                pl.lit(component).alias("backend_type"),
                pl.lit(severity, dtype=pl.String).alias("program_severity"),
                pl.lit(name).alias("log_format"),
                pl.lit("ok").alias("status"),
            )
        )
    return remaining


def _time_of_day(frame: pl.DataFrame, tz: str) -> pl.DataFrame:
    """`__ts` of the lines that give a time of day alone (Bitnami's launcher)."""
    if "observed_at" not in frame.columns or frame["time_of_day"].null_count() == frame.height:
        return frame
    observed = pl.col("observed_at").cast(pl.Datetime("us", "UTC"))
    timed = time_on_capture_day(pl.col("time_of_day"), observed, tz)
    return frame.with_columns(pl.coalesce(timed.cast(frame["__ts"].dtype), "__ts").alias("__ts"))


def _split_verbose_sqlstate(head: pl.DataFrame, rules: PostgresRules) -> pl.DataFrame:
    """`ERROR:  42P01: relation ...` (log_error_verbosity = verbose) -> sqlstate + message."""
    parts = pl.col("message").str.extract_groups(r"^(?P<code>[0-9A-Z]{5}): (?P<body>.*)$")
    code = parts.struct.field("code")
    known = code.is_in(list(rules.sqlstate_names))
    return head.with_columns(
        pl.when(known)
        .then(parts.struct.field("body"))
        .otherwise(pl.col("message"))
        .alias("message"),
        pl.coalesce(pl.col("sqlstate"), pl.when(known).then(code)).alias("sqlstate"),
    )


def _cursor_position(frame: pl.DataFrame, rules: PostgresRules) -> pl.DataFrame:
    """stderr appends ` at character N` (translated) to a located error; csv/json carry it as a
    column. Only error-ish stderr rows ending in a digit or `)` are looked at."""
    levels = [s for s in rules.severities if s not in ("LOG", "INFO") and not s.startswith("DEBUG")]
    needs = (
        (pl.col("log_format") == "stderr")
        & pl.col("__level").is_in(levels)
        & pl.col("message").str.contains(r"[\d)\p{Han}\p{Hangul}]$")
    )
    subset = frame.filter(needs)
    if subset.height == 0:
        return frame
    found = []
    for suffix in rules.cursor_suffixes:
        head, _, tail = suffix.partition("%d")
        pattern = rf"(?s)^(?P<body>.*){regex_literal(head)}(?P<pos>\d+){regex_literal(tail)}$"
        found.append(pl.col("message").str.extract_groups(pattern))
    located = subset.select(
        "__i",
        pl.coalesce([f.struct.field("body") for f in found]).alias("message"),
        pl.coalesce([f.struct.field("pos") for f in found]).alias("cursor_position"),
    ).filter(pl.col("cursor_position").is_not_null())
    return frame.update(located, on="__i", how="left")


def _message_fields(frame: pl.DataFrame, rules: PostgresRules) -> pl.DataFrame:
    """Session fields written in the message text (connection/auth lines), as fallbacks."""
    targets = ("db_user", "db_name", "client_addr", "remote_port", "application_name")
    found: dict[str, list[pl.Expr]] = {t: [] for t in targets}
    for pattern in rules.message_fields:
        groups = pl.col("__first").str.extract_groups(pattern)
        for t in targets:
            if f"(?P<{t}>" in pattern:
                found[t].append(groups.struct.field(t))
    return frame.with_columns(
        *[
            (pl.coalesce(v) if v else pl.lit(None, dtype=pl.String)).alias(f"__{t}")
            for t, v in found.items()
        ]
    )


def _prefix_fields(prefix: pl.Expr, rules: PostgresRules) -> list[pl.Expr]:
    """Session fields an unrecognised prefix names as key=value (`user=app,db=shop`)."""
    targets = ("db_user", "db_name", "application_name", "remote")
    found: dict[str, list[pl.Expr]] = {t: [] for t in targets}
    for pattern in rules.prefix_fields:
        groups = prefix.str.extract_groups(pattern)
        for t in targets:
            if f"(?P<{t}>" in pattern:
                found[t].append(groups.struct.field(t))
    return [pl.coalesce(v).alias(t) for t, v in found.items() if v]


def _statement(frame: pl.DataFrame, rules: PostgresRules) -> pl.DataFrame:
    """log_statement / duration lines carry the SQL in the message; expose it as `statement`."""
    parts = pl.col("message").str.extract_groups(rules.statement_line)
    is_log = pl.col("__level") == "LOG"
    kind = pl.when(is_log).then(parts.struct.field("kind"))
    return frame.with_columns(
        kind.alias("statement_kind"),
        pl.coalesce(
            pl.col("statement"), pl.when(is_log).then(parts.struct.field("statement"))
        ).alias("statement"),
    )


def _per_rules(build: Callable[[PostgresRules], T]) -> Callable[[PostgresRules], T]:
    """Build a rule-driven expression once per rules object (they are long when/then chains)."""
    built: dict[int, tuple[PostgresRules, T]] = {}

    def get(rules: PostgresRules) -> T:
        hit = built.get(id(rules))
        if hit is None or hit[0] is not rules:
            hit = built[id(rules)] = (rules, build(rules))
        return hit[1]

    return get


@_per_rules
def _json_fields(rules: PostgresRules) -> list[pl.Expr]:
    text = pl.col("text")
    return [_json_field(text, keys).alias(field) for field, keys in rules.json_fields.items()]


def _fill_from_subset(
    frame: pl.DataFrame, column: str, needs: pl.Expr, value: pl.Expr
) -> pl.DataFrame:
    """Fill `column` where `needs` holds, evaluating the (rule-heavy) `value` only on those rows."""
    subset = frame.filter(needs)
    if subset.height == 0:
        return frame
    filled = subset.select("__i", value.cast(pl.String).alias(column)).filter(
        pl.col(column).is_not_null()
    )
    return frame.update(filled, on="__i", how="left")


@_per_rules
def _derive_sqlstate(rules: PostgresRules) -> pl.Expr:
    """First matching message pattern -> SQLSTATE, for error-ish lines logged without %e."""
    first = pl.col("__first")
    sev = pl.col("__level")
    expr: pl.Expr | None = None
    for pattern, code, severities in reversed(rules.derivations):
        cond = first.str.contains(pattern) & sev.is_in(list(severities))
        expr = (
            pl.when(cond).then(pl.lit(code)).otherwise(expr)
            if expr is not None
            else pl.when(cond).then(pl.lit(code))
        )
    return expr if expr is not None else pl.lit(None, dtype=pl.String)


@_per_rules
def _infer_component(rules: PostgresRules) -> pl.Expr:
    first = pl.col("__first")
    expr: pl.Expr = pl.lit(None, dtype=pl.String)
    for pattern, component in reversed(rules.components):
        expr = pl.when(first.str.contains(pattern)).then(pl.lit(component)).otherwise(expr)
    return expr


@_per_rules
def _duration_ms(rules: PostgresRules) -> pl.Expr:
    message = pl.col("message")
    expr: pl.Expr = pl.lit(None, dtype=pl.Float64)
    for pattern, unit in reversed(rules.durations):
        raw = message.str.extract(pattern, 1)
        if unit == "ms":
            value = raw.cast(pl.Float64, strict=False)
        elif unit == "us":
            value = raw.cast(pl.Float64, strict=False) / 1000.0
        elif unit == "s":
            value = raw.cast(pl.Float64, strict=False) * 1000.0
        else:  # hms: H:MM:SS.fff
            hms = raw.str.extract_groups(r"^(?P<h>\d+):(?P<m>\d{2}):(?P<s>\d{2}(?:\.\d+)?)$")
            value = (
                hms.struct.field("h").cast(pl.Float64, strict=False) * 3_600_000.0
                + hms.struct.field("m").cast(pl.Float64, strict=False) * 60_000.0
                + hms.struct.field("s").cast(pl.Float64, strict=False) * 1000.0
            )
        expr = pl.when(raw.is_not_null()).then(value).otherwise(expr)
    return expr


def _with_attributes(frame: pl.DataFrame) -> pl.DataFrame:
    """Non-null extracted fields as key/value structs, in _ATTRIBUTE_KEYS order.

    Built long (unpivot, filter, group) rather than with list.eval: many times faster.
    """
    keys = [k for k in _ATTRIBUTE_KEYS if k in frame.columns]
    long = (
        frame.select("__i", *[pl.col(k).cast(pl.String) for k in keys])
        .unpivot(index="__i", variable_name="key", value_name="value")
        .filter(pl.col("value").is_not_null())
    )
    grouped = long.group_by("__i").agg(pl.struct("key", "value").alias("attributes"))
    return frame.join(grouped, on="__i", how="left", maintain_order="left").with_columns(
        pl.col("attributes").fill_null(pl.lit([], dtype=ATTRIBUTES_DTYPE))
    )


PARSER = PostgresParser()
