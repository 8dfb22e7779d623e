"""PostgreSQL log building blocks: the rules files, `log_line_prefix` -> regex, and timestamps.

Kept apart from the parser so the prefix compiler and the zone handling can be tested (and
reused, e.g. by a configuration checker) on their own.
"""

import datetime as dt
import re
import zoneinfo
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import polars as pl
import yaml

_RULES_PACKAGE = "logadapt_assets"


def _load_yaml(name: str) -> dict[str, Any]:
    text = resources.files(_RULES_PACKAGE).joinpath("rules", name).read_text(encoding="utf-8")
    return yaml.safe_load(text)


@dataclass(frozen=True)
class PostgresRules:
    """Everything data-driven the parser needs, loaded once from logadapt_assets/rules."""

    severities: dict[str, str]
    sections: tuple[str, ...]
    timestamp_pattern: str
    escapes: dict[str, tuple[str, str]]
    detect_patterns: dict[str, str]
    known_prefixes: tuple[str, ...]
    csv_columns: tuple[str, ...]
    csv_required_columns: int
    json_fields: dict[str, tuple[str, ...]]
    components: tuple[tuple[str, str], ...]
    durations: tuple[tuple[str, str], ...]
    message_fields: tuple[str, ...]
    prefix_fields: tuple[str, ...]
    statement_line: str
    statement_component: str
    sqlstate_names: dict[str, str]
    derive_severities: tuple[str, ...]
    derivations: tuple[tuple[str, str, tuple[str, ...]], ...]
    tz_abbreviations: dict[str, str]
    level_words: dict[str, str]
    section_words: dict[str, str]
    cursor_suffixes: tuple[str, ...]
    unknown_placeholders: tuple[str, ...]
    # (name, pattern, component, severity) of lines other programs write to the same stream
    programs: tuple[tuple[str, str, str, str | None], ...] = ()

    @property
    def all_severities(self) -> tuple[str, ...]:
        """Level and section words, English and translated: what elog.c writes before ':  '."""
        return tuple(self.level_words) + tuple(self.section_words)

    @property
    def severity_pattern(self) -> str:
        """Regex alternation of the words (French writes `ASTUCE :  `: the space is optional)."""
        words = sorted(self.all_severities, key=len, reverse=True)
        return "(?:" + "|".join(regex_literal(w) for w in words) + ")"

    @property
    def english(self) -> dict[str, str]:
        """Any written level or section word -> its English form."""
        return {**self.level_words, **self.section_words}


@cache
def load_rules() -> PostgresRules:
    main = _load_yaml("postgres.yaml")
    states = _load_yaml("postgres_sqlstate.yaml")
    zones = _load_yaml("postgres_timezones.yaml")
    ts = main["timestamp_pattern"]
    escapes = {
        key: (spec["field"], ts if spec["pattern"] == "TIMESTAMP" else spec["pattern"])
        for key, spec in main["escapes"].items()
    }
    derive_default = tuple(states["derive_severities"])
    return PostgresRules(
        severities={str(k): str(v) for k, v in main["severities"].items()},
        sections=tuple(main["sections"]),
        timestamp_pattern=ts,
        escapes=escapes,
        detect_patterns={
            key: spec["detect"] for key, spec in main["escapes"].items() if "detect" in spec
        },
        known_prefixes=tuple(main["known_prefixes"]),
        csv_columns=tuple(main["csv_columns"]),
        csv_required_columns=int(main["csv_required_columns"]),
        json_fields={k: tuple(v) for k, v in main["json_fields"].items()},
        components=tuple((r["pattern"], r["component"]) for r in main["components"]),
        durations=tuple((r["pattern"], r["unit"]) for r in main["durations"]),
        message_fields=tuple(main["message_fields"]),
        prefix_fields=tuple(main["prefix_fields"]),
        statement_line=main["statement_line"],
        statement_component=main["statement_component"],
        sqlstate_names={str(k): str(v) for k, v in states["codes"].items()},
        derive_severities=derive_default,
        derivations=tuple(
            (r["pattern"], str(r["sqlstate"]), tuple(r.get("severities", derive_default)))
            for r in states["derivations"]
        ),
        tz_abbreviations={str(k): str(v) for k, v in zones["abbreviations"].items()},
        level_words={
            **{str(k): str(k) for k in main["severities"]},
            **{str(k): str(v) for k, v in main["localized_severities"].items()},
        },
        section_words={
            **{str(k): str(k) for k in main["sections"]},
            **{str(k): str(v) for k, v in main["localized_sections"].items()},
        },
        cursor_suffixes=tuple(main["cursor_suffixes"]),
        unknown_placeholders=tuple(main["unknown_placeholders"]),
        programs=tuple(
            (
                r["name"],
                r["pattern"].replace("TIMESTAMP", ts),
                r["component"],
                r.get("severity"),
            )
            for r in main.get("programs", ())
        ),
    )


# Characters that are regex syntax in Rust's `regex` crate; everything else is literal.
_META = set("\\.+*?()|[]{}^$#&-~")


def regex_literal(text: str) -> str:
    return "".join("\\" + c if c in _META else c for c in text)


@dataclass(frozen=True)
class CompiledPrefix:
    """A log_line_prefix as a regex: `pattern` has named groups; `fields` maps group -> field."""

    prefix: str
    pattern: str
    fields: dict[str, str]


_ESCAPE = re.compile(r"%(-?\d*)(.?)", re.DOTALL)


def compile_prefix(
    prefix: str, rules: PostgresRules | None = None, detect: bool = False
) -> CompiledPrefix:
    """Translate a log_line_prefix into a regex, the way elog.c's log_line_prefix() expands it.

    Each escape becomes a named group (repeats get `_2`, `_3` and are ignored), padding
    (`%-10u`) allows surrounding spaces, unknown escapes expand to nothing (as in elog.c), and
    everything after the first `%q` is optional: background processes stop there. `detect`
    uses the rules' stricter value patterns (for guessing among known prefixes).
    """
    rules = rules or load_rules()
    parts: list[str] = []
    fields: dict[str, str] = {}
    used: dict[str, int] = {}
    optional_at: int | None = None
    pos = 0
    for m in _ESCAPE.finditer(prefix):
        parts.append(regex_literal(prefix[pos : m.start()]))
        pos = m.end()
        padding, key = m.group(1), m.group(2)
        if key == "%":
            parts.append("%")
        elif key == "q":
            if optional_at is None:
                optional_at = len(parts)
        elif key in rules.escapes:
            field, value = rules.escapes[key]
            if detect:
                value = rules.detect_patterns.get(key, value)
            used[field] = used.get(field, 0) + 1
            group = field if used[field] == 1 else f"{field}_{used[field]}"
            fields[group] = field
            pad = " *" if padding not in ("", "-") else ""
            parts.append(f"{pad}(?P<{group}>{value}){pad}")
        # any other escape (or a trailing '%') expands to nothing, as in elog.c
    parts.append(regex_literal(prefix[pos:]))
    if optional_at is not None:
        head, tail = "".join(parts[:optional_at]), "".join(parts[optional_at:])
        pattern = f"{head}(?:{tail})?" if tail else head
    else:
        pattern = "".join(parts)
    return CompiledPrefix(prefix=prefix, pattern=pattern, fields=fields)


def line_pattern(compiled: CompiledPrefix, rules: PostgresRules | None = None) -> str:
    """Full first-line regex: prefix, then `SEVERITY:  message`."""
    rules = rules or load_rules()
    sev = rules.severity_pattern
    return f"^{compiled.pattern}(?P<severity_text>{sev}) ?:  (?P<message>.*)$"


@cache
def _zone_abbreviations(tz: str) -> dict[str, str]:
    """Abbreviation -> offset used by `tz` in 2000-2030 (latest wins), e.g. IST for Kolkata."""
    try:
        zone = zoneinfo.ZoneInfo(tz)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return {}
    found: dict[str, str] = {}
    t = dt.datetime(2000, 1, 1, tzinfo=dt.UTC)
    while t.year < 2031:
        local = t.astimezone(zone)
        name, offset = local.tzname(), local.utcoffset()
        if name and offset is not None and name[0] not in "+-":
            seconds = int(offset.total_seconds())
            sign = "-" if seconds < 0 else "+"
            seconds = abs(seconds)
            found[name] = f"{sign}{seconds // 3600:02d}:{seconds % 3600 // 60:02d}"
        t += dt.timedelta(days=14)
    return found


def zone_offsets(tz: str, rules: PostgresRules | None = None) -> dict[str, str]:
    """The abbreviation table with the configured zone's own abbreviations taking precedence."""
    rules = rules or load_rules()
    return {**rules.tz_abbreviations, **_zone_abbreviations(tz)}


def parse_pg_timestamp(stamps: pl.Series, tz: str, rules: PostgresRules | None = None) -> pl.Series:
    """`YYYY-MM-DD HH:MM:SS[.fff] [ZONE]` as PostgreSQL writes it -> UTC microseconds.

    ZONE is an abbreviation (UTC, CET, EST ... via the data table) or numeric (+01, -0330).
    No zone, or one the table does not know, reads the time in `tz`. Works in stages on a
    frame so each regex runs once (eager Polars does not share common subexpressions).
    """
    offsets = {k.upper(): v for k, v in zone_offsets(tz, rules).items()}
    frame = pl.DataFrame({"s": stamps.cast(pl.String)})
    frame = frame.select(
        pl.col("s")
        .str.strip_chars()
        .str.extract_groups(
            r"^(?P<local>\d{4}-\d{2}-\d{2}[ T]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)"
            r"(?: ?(?P<zone>\S+))?$"
        )
        .alias("p")
    ).unnest("p")
    frame = frame.with_columns(
        pl.col("local").str.replace(",", ".", literal=True).str.replace("T", " ", literal=True),
        pl.col("zone").str.extract_groups(r"^(?P<h>[+-]\d{2})(?::?(?P<m>\d{2}))?$").alias("num"),
    )
    frame = frame.with_columns(
        pl.coalesce(
            pl.col("num").struct.field("h") + ":" + pl.col("num").struct.field("m").fill_null("00"),
            pl.col("zone").str.to_uppercase().replace_strict(offsets, default=None),
        ).alias("offset")
    )
    zoned = (pl.col("local") + pl.col("offset")).str.to_datetime(
        "%Y-%m-%d %H:%M:%S%.f%:z", time_unit="us", time_zone="UTC", strict=False
    )
    naive = pl.col("local").str.to_datetime("%Y-%m-%d %H:%M:%S%.f", time_unit="us", strict=False)
    in_tz = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    return frame.select(
        pl.when(pl.col("offset").is_not_null())
        .then(zoned)
        .otherwise(in_tz.dt.convert_time_zone("UTC"))
        .alias(stamps.name)
    ).to_series()


def parse_epoch(seconds: pl.Expr) -> pl.Expr:
    """%n: Unix epoch seconds with milliseconds -> UTC microseconds."""
    value = seconds.cast(pl.Float64, strict=False)
    value = pl.when(value.abs() < 1e11).then(value)  # beyond year 5138 is not a log line
    micros = (value * 1_000_000).round(0).cast(pl.Int64, strict=False)
    return pl.from_epoch(micros, time_unit="us").dt.replace_time_zone("UTC")
