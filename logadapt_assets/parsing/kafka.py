"""Kafka broker log parser: log4j/log4j2 layouts of Apache Kafka, Confluent, Bitnami and Strimzi.

Kafka writes `[%d] %p %m (%c)%n` (Strimzi: `%d{ISO8601} %p %m (%c) [%t]%n`), puts a log context
such as `[ReplicaFetcher replicaId=2, leaderId=1, fetcherId=0]` in front of the message and a
stack trace after it. Image launchers (Confluent `===>`, Bitnami `kafka 08:58:35.00 INFO ==>`)
and the JVM add lines of their own. Every field is a vectorised Polars expression over the whole
column, evaluated in a few small stages (one giant expression graph costs more to plan than to
run); the patterns and tables live in `rules/kafka.yaml`, so new wording is a data change.
"""

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from logadapt_assets.parsing.base import ATTRIBUTES_DTYPE, ParseOptions, conform
from logadapt_assets.parsing.generic import parse_timestamp, time_on_capture_day

RULES_PATH = Path(__file__).resolve().parents[1] / "rules" / "kafka.yaml"

_GROUP_NAME = re.compile(r"\(\?P<([A-Za-z_][A-Za-z0-9_]*)>")
_ALIAS_SUFFIX = re.compile(r"\d+$")  # `ts2` in a pattern is a second spelling of `ts`
_PREFIX_GROUP = "layoutprefix"  # wraps each layout prefix: non-null exactly when it matched
_LAYOUT_FIELDS = ("ts", "tz", "time", "level", "logger", "thread", "line")
_EMPTY_ATTRS = pl.lit([], dtype=ATTRIBUTES_DTYPE)
_STR = pl.String


def _groups(pattern: str) -> list[str]:
    return _GROUP_NAME.findall(pattern)


@dataclass(frozen=True)
class Layout:
    """One way the first line of a record can start."""

    name: str
    prefix: str
    fields: dict[str, tuple[str, ...]]  # field -> the pattern's groups that spell it
    keep_prefix: bool
    logger_suffix: bool
    component: str | None
    severity: str | None
    attributes: tuple[str, ...]


@dataclass(frozen=True)
class KafkaRules:
    """rules/kafka.yaml, compiled into the strings the expressions need."""

    record_start: str
    ansi: str
    layouts: tuple[Layout, ...]
    severity_map: dict[str, str]
    logger_suffix: str
    context: str
    context_groups: tuple[str, ...]  # `ctx` and its second spellings (`ctx2`, ...)
    context_name_strip: str
    context_pair: str
    broker_keys: tuple[str, ...]
    broker_positional: tuple[str, ...]
    column_keys: tuple[str, ...]
    topic_partition: tuple[str, ...]
    topic: tuple[str, ...]
    topic_stopwords: tuple[str, ...]
    group: tuple[str, ...]
    group_stopwords: tuple[str, ...]
    api_lookup: dict[str, str]
    request_patterns: tuple[str, ...]
    request_phrases: dict[str, str]
    request_id: tuple[str, ...]
    request_log_marker: str
    request_log: dict[str, tuple[str, ...]]
    duration: tuple[tuple[str, float], ...]
    trace_header: str
    in_message: str
    caused_by: str


def _layout(spec: dict[str, Any]) -> Layout:
    prefix = spec["prefix"]
    if not prefix.startswith("^"):
        raise ValueError(f"layout {spec['name']!r}: prefix must be anchored with '^'")
    fields: dict[str, list[str]] = {}
    for group in _groups(prefix):
        fields.setdefault(_ALIAS_SUFFIX.sub("", group), []).append(group)
    return Layout(
        name=spec["name"],
        prefix=f"(?P<{_PREFIX_GROUP}>{prefix})",
        fields={k: tuple(v) for k, v in fields.items()},
        keep_prefix=bool(spec.get("keep_prefix", False)),
        logger_suffix=bool(spec.get("logger_suffix", False)),
        component=spec.get("component"),
        severity=spec.get("severity"),
        attributes=tuple(spec.get("attributes", [])),
    )


def _alternation(names: list[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(set(names), key=len, reverse=True))


def _patterns_with(patterns: list[str], groups: set[str], what: str) -> tuple[str, ...]:
    for p in patterns:
        if not groups <= set(_groups(p)):
            raise ValueError(f"{what} pattern {p!r} lacks group(s) {sorted(groups)}")
    return tuple(patterns)


@cache
def load_rules(path: Path = RULES_PATH) -> KafkaRules:
    """Read and compile the rules file (cached: one read per process and path)."""
    raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    api_keys: dict[str, str] = raw["request_type"]["api_keys"]
    lookup = {}
    for enum, name in api_keys.items():
        lookup[enum.replace("_", "").lower()] = name
        lookup[name.lower()] = name
    enum_alt, name_alt = _alternation(list(api_keys)), _alternation(list(api_keys.values()))
    requests = [
        p.replace("<ENUM>", enum_alt).replace("<NAME>", name_alt)
        for p in raw["request_type"]["patterns"]
    ]
    starts = "|".join(f"(?:{p})" for p in raw["record_start"])
    context = _patterns_with([raw["context"]], {"ctx"}, "context")[0]
    return KafkaRules(
        record_start=f"^(?:{starts})",
        ansi=raw["ansi_escape"],
        layouts=tuple(_layout(s) for s in raw["layouts"]),
        severity_map={str(k): str(v) for k, v in raw["severity_map"].items()},
        logger_suffix=raw["logger_suffix"],
        context=context,
        context_groups=tuple(g for g in _groups(context) if _ALIAS_SUFFIX.sub("", g) == "ctx"),
        context_name_strip=raw["context_name_strip"],
        context_pair=raw["context_pair"],
        broker_keys=tuple(raw["broker_id"]["keys"]),
        broker_positional=_patterns_with(raw["broker_id"]["positional"], {"id"}, "broker_id"),
        column_keys=tuple(raw["column_keys"]),
        topic_partition=_patterns_with(
            raw["topic_partition"], {"topic", "partition"}, "topic_partition"
        ),
        topic=_patterns_with(raw["topic"]["patterns"], {"topic"}, "topic"),
        topic_stopwords=tuple(str(w).lower() for w in raw["topic"]["stopwords"]),
        group=_patterns_with(raw["consumer_group"]["patterns"], {"group"}, "consumer_group"),
        group_stopwords=tuple(str(w).lower() for w in raw["consumer_group"]["stopwords"]),
        api_lookup=lookup,
        request_patterns=_patterns_with(requests, {"api"}, "request_type"),
        request_phrases=dict(raw["request_type"].get("phrases", {})),
        request_id=_patterns_with(raw["request_id"], {"id"}, "request_id"),
        request_log_marker=raw["request_log"]["marker"],
        request_log={
            k: _patterns_with(v, {"v"}, f"request_log.{k}")
            for k, v in raw["request_log"]["attributes"].items()
        },
        duration=tuple((d["pattern"], float(d["scale"])) for d in raw["duration"]),
        trace_header=raw["error_class"]["trace_header"],
        in_message=raw["error_class"]["in_message"],
        caused_by=raw["error_class"]["caused_by"],
    )


def _field(expr: pl.Expr, pattern: str, group: str) -> pl.Expr:
    """Named group `group` of the leftmost match of `pattern` (null when no match)."""
    return expr.str.extract_groups(pattern).struct.field(group)


def _first_of(expr: pl.Expr, patterns: tuple[str, ...], group: str) -> pl.Expr:
    """The first pattern (in priority order) that matches wins."""
    return pl.coalesce([_field(expr, p, group) for p in patterns])


def _first_word(
    expr: pl.Expr, patterns: tuple[str, ...], group: str, stop: tuple[str, ...]
) -> pl.Expr:
    """Group `group` of the first match that is not a stop word, trying the patterns in
    priority order ("group metadata for x" is not group "metadata")."""
    found = []
    for p in patterns:
        word = pl.element().str.extract_groups(p).struct.field(group)
        word = word.str.strip_chars_end(".,:;'\"")
        keep = (pl.element().str.len_bytes() > 0) & ~pl.element().str.to_lowercase().is_in(stop)
        found.append(expr.str.extract_all(p).list.eval(word).list.filter(keep).list.first())
    return pl.coalesce(found)


def _pick(flags: list[pl.Expr], values: list[pl.Expr]) -> pl.Expr:
    """values[i] for the first true flags[i], else null."""
    chain = None
    for flag, value in zip(flags, values, strict=True):
        chain = (pl.when(flag) if chain is None else chain.when(flag)).then(value)
    return chain.otherwise(None) if chain is not None else pl.lit(None)


class KafkaParser:
    """Parser for Kafka broker (and embedded client) logs, see the module docstring."""

    name = "kafka"

    def __init__(self, rules: KafkaRules | None = None) -> None:
        self.rules = rules or load_rules()
        # Expressions are built once: building them costs more than running them on a batch.
        r = self.rules
        self._layout_stage = [
            pl.col("_first").str.extract_groups(lay.prefix).alias(f"_L{i}")
            for i, lay in enumerate(r.layouts)
        ]
        self._fields_stage = self._layout_fields()
        self._suffix_stage = [
            (pl.col("_body") + pl.col("_rest")).str.extract_groups(r.logger_suffix).alias("_sx"),
            pl.col("_rest").str.extract_groups(r.trace_header).alias("_trace"),
            pl.col("_t").str.extract_groups(r.caused_by).alias("_cause"),
        ]
        self._message_stage = self._message()
        first_newline = pl.col("_msg").str.find("\n", literal=True)
        ctx = pl.col("_msg").str.extract_groups(r.context).struct
        self._context_stage = [
            pl.coalesce([ctx.field(g) for g in r.context_groups]).alias("_ctx"),
            pl.col("_msg").str.slice(0, first_newline).fill_null(pl.col("_msg")).alias("_head"),
            pl.col("_msg").str.extract_groups(r.in_message).alias("_inmsg"),
            *[
                pl.col("_msg").str.extract_groups(p).alias(f"_TP{i}")
                for i, p in enumerate(r.topic_partition)
            ],
        ]
        self._columns_stage = self._columns()
        self._status_stage = [self._status().alias("parse_status")]
        self._extras = self._attribute_extras()
        self._pair = pl.col("_kv").str.extract_groups(r.context_pair).struct
        self._timestamps: dict[str, pl.Expr] = {}

    def starts_record(self, line: pl.Expr) -> pl.Expr:
        """A date prefix (or a known launcher prefix) starts a record; all else continues."""
        plain = line.str.replace_all(self.rules.ansi, "")
        return plain.str.contains(self.rules.record_start).fill_null(False)

    def parse(self, events: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
        r = self.rules
        observed = (
            pl.col("observed_at").cast(pl.Datetime("us", "UTC"))
            if "observed_at" in events.columns
            else pl.lit(None, dtype=pl.Datetime("us", "UTC"))
        )
        text = pl.col("text").cast(_STR).fill_null("").str.replace_all(r.ansi, "")
        df = events.select(text.alias("_t"), observed.alias("_obs")).with_row_index("_row")
        newline = pl.col("_t").str.find("\n", literal=True)
        df = df.with_columns(
            pl.col("_t").str.slice(0, newline).fill_null(pl.col("_t")).alias("_first"),
            pl.col("_t").str.slice(newline).fill_null("").alias("_rest"),
        )
        df = df.with_columns(self._layout_stage)
        df = df.with_columns(self._fields_stage).drop([f"_L{i}" for i in range(len(r.layouts))])
        df = df.with_columns(self._suffix_stage)
        df = df.with_columns(self._message_stage)
        df = df.with_columns(*self._context_stage, self._timestamp(options.timezone))
        df = df.with_columns(self._columns_stage)
        df = df.with_columns(self._status_stage)
        return conform(self._with_attributes(df))

    def _layout_fields(self) -> list[pl.Expr]:
        """`_layout` (the first layout whose prefix matched the first line), its groups as
        `_g_<field>`, its literal settings, and `_body` (the first line after the prefix)."""
        r = self.rules
        layout = [pl.col(f"_L{i}").struct.field(_PREFIX_GROUP) for i in range(len(r.layouts))]
        matched = [p.is_not_null() for p in layout]
        names = sorted({k for lay in r.layouts for k in lay.fields} | set(_LAYOUT_FIELDS))

        def group(name: str) -> list[pl.Expr]:
            values = []
            for i, lay in enumerate(r.layouts):
                groups = lay.fields.get(name, ())
                values.append(
                    pl.coalesce([pl.col(f"_L{i}").struct.field(g) for g in groups])
                    if groups
                    else pl.lit(None, _STR)
                )
            return values

        prefix_len = _pick(
            matched,
            [
                pl.lit(0) if lay.keep_prefix else p.str.len_chars()
                for lay, p in zip(r.layouts, layout, strict=True)
            ],
        )
        return [
            _pick(matched, [pl.lit(lay.name) for lay in r.layouts]).alias("_layout"),
            *[_pick(matched, group(n)).alias(f"_g_{n}") for n in names],
            _pick(matched, [pl.lit(lay.component, _STR) for lay in r.layouts]).alias("_component"),
            _pick(matched, [pl.lit(lay.severity, _STR) for lay in r.layouts]).alias("_severity"),
            _pick(matched, [pl.lit(lay.logger_suffix) for lay in r.layouts])
            .fill_null(False)
            .alias("_sfx"),
            pl.col("_first").str.slice(prefix_len.fill_null(0)).alias("_body"),
        ]

    def _message(self) -> list[pl.Expr]:
        """Message = first-line body + continuation lines, minus the `(%c)` (and `[%t]`)."""
        r = self.rules
        body = pl.col("_body") + pl.col("_rest")
        message = (
            pl.when(pl.col("_layout").is_null())
            .then(pl.col("_t"))
            .when(pl.col("_sfx") & pl.col("_sx").struct.field("logger").is_not_null())
            .then(body.str.replace(r.logger_suffix, ""))
            .otherwise(body)
            .str.strip_chars_end()
            .fill_null("")
        )
        suffix = pl.col("_sx").struct
        return [
            message.alias("_msg"),
            pl.coalesce(
                pl.when(pl.col("_sfx")).then(suffix.field("logger")), pl.col("_g_logger")
            ).alias("_logger"),
            pl.coalesce(
                pl.when(pl.col("_sfx")).then(suffix.field("thread")), pl.col("_g_thread")
            ).alias("_thread"),
            pl.coalesce(
                pl.when(pl.col("_sfx")).then(suffix.field("line")), pl.col("_g_line")
            ).alias("_line"),
        ]

    def _timestamp(self, tz: str) -> pl.Expr:
        if tz not in self._timestamps:
            dated = parse_timestamp(pl.col("_g_ts"), pl.col("_g_tz"), tz)
            timed = time_on_capture_day(pl.col("_g_time"), pl.col("_obs"), tz)
            self._timestamps[tz] = pl.coalesce(dated, timed).alias("timestamp")
        return self._timestamps[tz]

    def _columns(self) -> list[pl.Expr]:
        r = self.rules
        msg, ctx = pl.col("_msg"), pl.col("_ctx")
        head = pl.col("_head")  # the request is named on the first line, not in a stack trace

        broker = pl.coalesce(
            [_field(ctx, rf"(?:^|[\s,]){k}=(?P<id>-?\d+)\b", "id") for k in r.broker_keys]
            + [_field(ctx, p, "id") for p in r.broker_positional]
        )
        tps = [pl.col(f"_TP{i}").struct for i in range(len(r.topic_partition))]
        tp_found = [tp.field("partition").is_not_null() for tp in tps]
        lookup_keys = list(r.api_lookup)
        apis = [
            _field(head, p, "api")
            .str.to_lowercase()
            .str.replace_all("_", "", literal=True)
            .replace_strict(lookup_keys, [r.api_lookup[k] for k in lookup_keys], default=None)
            for p in r.request_patterns
        ] + [
            pl.when(head.str.contains(phrase, literal=True)).then(pl.lit(api))
            for phrase, api in r.request_phrases.items()
        ]
        durations = [
            _field(msg, p, "v").cast(pl.Float64, strict=False) * scale for p, scale in r.duration
        ]
        trace, inmsg = pl.col("_trace").struct, pl.col("_inmsg").struct
        severity = pl.col("_g_level").replace_strict(
            list(r.severity_map), list(r.severity_map.values()), default=None
        )
        return [
            pl.col("_g_level").alias("severity_text"),
            pl.coalesce(pl.col("_severity"), severity).alias("severity"),
            pl.coalesce(pl.col("_logger"), pl.col("_component")).alias("component"),
            msg.alias("message"),
            broker.cast(pl.Int32, strict=False).alias("broker_id"),
            pl.coalesce(
                _pick(tp_found, [tp.field("topic") for tp in tps]),
                _first_word(msg, r.topic, "topic", r.topic_stopwords),
            ).alias("topic"),
            _pick(tp_found, [tp.field("partition") for tp in tps])
            .cast(pl.Int32, strict=False)
            .alias("partition"),
            _first_word(msg, r.group, "group", r.group_stopwords).alias("consumer_group"),
            pl.coalesce(apis).alias("request_type"),
            _first_of(head, r.request_id, "id").alias("request_id"),
            pl.coalesce(trace.field("cls"), inmsg.field("cls")).alias("error_class"),
            pl.when(trace.field("cls").is_not_null())
            .then(trace.field("msg"))
            .otherwise(inmsg.field("msg"))
            .alias("_error_msg"),
            pl.coalesce(durations).alias("duration_ms"),
            ctx.str.replace(r.context_name_strip, "").str.strip_chars().alias("_ctx_name"),
        ]

    def _status(self) -> pl.Expr:
        """ok: the layout fully matched (log4j: date, level and logger) and any written date
        parsed; partial: some of it; unparsed: no layout."""
        dated = pl.col("_g_ts").is_not_null() | pl.col("_g_time").is_not_null()
        time_ok = ~dated | pl.col("timestamp").is_not_null()
        log4j_ok = ~pl.col("_sfx") | (
            pl.col("_g_level").is_not_null() & pl.col("_logger").is_not_null()
        )
        return (
            pl.when(pl.col("_layout").is_null())
            .then(pl.lit("unparsed"))
            .when(time_ok & log4j_ok)
            .then(pl.lit("ok"))
            .otherwise(pl.lit("partial"))
        )

    def _attribute_extras(self) -> list[pl.Expr]:
        """Named attributes, one string column each (null: not present)."""
        r = self.rules
        msg = pl.col("_msg")
        is_request_log = msg.str.contains(r.request_log_marker, literal=True)
        extras = {
            "context": pl.col("_ctx_name"),
            "thread": pl.col("_thread"),
            "line": pl.col("_line"),
            **{a: pl.col(f"_g_{a}") for a in self._layout_attributes()},
            "exception_message": pl.col("_error_msg"),
            "root_cause_class": pl.col("_cause").struct.field("cls"),
            "root_cause_message": pl.col("_cause").struct.field("msg"),
            **{
                k: pl.when(is_request_log).then(_first_of(msg, pats, "v"))
                for k, pats in r.request_log.items()
            },
        }
        return [e.cast(_STR).alias(k) for k, e in extras.items()]

    def _with_attributes(self, df: pl.DataFrame) -> pl.DataFrame:
        """Context key=values that are not columns, then the named extras, as one list per row.

        Built in long format (explode / unpivot, one group_by and join): concatenating many
        struct columns row by row is an order of magnitude slower in Polars.
        """
        pairs = (
            df.select("_row", pl.col("_ctx").str.extract_all(self.rules.context_pair).alias("_kv"))
            .explode("_kv")
            .drop_nulls("_kv")
            .select(
                "_row",
                self._pair.field("key").alias("key"),
                self._pair.field("value").alias("value"),
            )
            .filter(~pl.col("key").is_in(self.rules.column_keys))
        )
        named = (
            df.select("_row", *self._extras)
            .unpivot(index="_row", variable_name="key", value_name="value")
            .filter(pl.col("value").str.len_bytes() > 0)
        )
        listed = (
            pl.concat([pairs, named])
            .with_row_index("_ord")
            .group_by("_row")
            .agg(pl.struct("key", "value").sort_by("_ord").alias("attributes"))
        )
        return df.join(listed, on="_row", how="left", maintain_order="left").with_columns(
            pl.col("attributes").cast(ATTRIBUTES_DTYPE).fill_null(_EMPTY_ATTRS)
        )

    def _layout_attributes(self) -> list[str]:
        seen: list[str] = []
        for lay in self.rules.layouts:
            seen += [a for a in lay.attributes if a not in seen]
        return seen


PARSER = KafkaParser()
