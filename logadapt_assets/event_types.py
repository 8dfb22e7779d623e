"""Event classification: an ordered rule table (`rules/event_types.yaml`) compiled into one
Polars when/then chain per parser family, so a batch is classified without a per-row loop.
"""

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from re import _constants as _sre  # type: ignore[attr-defined]
from re import _parser as _sre_parser  # type: ignore[attr-defined]
from typing import Any

import polars as pl
import yaml

from logadapt_assets.parsing.base import ATTRIBUTES_DTYPE

RULES_PATH = Path(__file__).resolve().parent / "rules" / "event_types.yaml"
OTHER = "other"
ANY = "any"
MATCH_CHARS = 8192  # rules look at a message's first 8 KiB: stack traces beyond are noise
_CONDITIONS = {
    "message",
    "component",
    "sqlstate",
    "severity",
    "attribute",
    "error_class",
    "min_duration_ms",
}


def _as_list(value: Any) -> list[str]:
    return [str(v) for v in value] if isinstance(value, list) else [str(value)]


@cache
def load_rules(path: Path = RULES_PATH) -> tuple[dict[str, Any], ...]:
    """The rule table, validated: every rule has an event type, parsers and condition sets."""
    doc = yaml.safe_load(Path(path).read_text())
    rules = []
    for i, raw in enumerate(doc["rules"]):
        where = f"event_types.yaml rule {i} ({raw.get('event_type')!r})"
        if not raw.get("event_type") or "match" not in raw:
            raise ValueError(f"{where}: needs event_type and match")
        alternatives = raw["match"] if isinstance(raw["match"], list) else [raw["match"]]
        for alt in alternatives:
            if not isinstance(alt, dict) or not alt or set(alt) - _CONDITIONS:
                raise ValueError(f"{where}: conditions must be a non-empty subset of {_CONDITIONS}")
            attribute = alt.get("attribute")
            if isinstance(attribute, dict) and (not attribute or set(attribute) - {"key", "value"}):
                raise ValueError(f"{where}: an attribute mapping holds `key` and/or `value`")
        rules.append(
            {
                "event_type": str(raw["event_type"]),
                "parsers": tuple(_as_list(raw.get("parser", ANY))),
                "match": tuple(alternatives),
            }
        )
    return tuple(rules)


def _condition(alt: dict[str, Any], message: pl.Expr) -> pl.Expr:
    """All conditions of one alternative, null-safe (a missing field never matches)."""
    parts = []
    if "message" in alt:
        parts.append(message.str.contains(alt["message"]))
    if "component" in alt:
        parts.append(pl.col("component").str.contains(alt["component"]))
    if "sqlstate" in alt:
        parts.append(pl.col("sqlstate").str.to_uppercase().is_in(_as_list(alt["sqlstate"])))
    if "severity" in alt:
        parts.append(pl.col("severity").is_in(_as_list(alt["severity"])))
    if "attribute" in alt:
        # a key pattern, or {key, value}: one attribute whose key and value both match
        spec = alt["attribute"] if isinstance(alt["attribute"], dict) else {"key": alt["attribute"]}
        hit = pl.lit(True)
        for field, pattern in spec.items():
            hit = hit & pl.element().struct.field(field).str.contains(pattern)
        parts.append(pl.col("attributes").list.eval(hit.fill_null(False)).list.any())
    if "error_class" in alt:
        parts.append(pl.col("error_class").str.contains(alt["error_class"]))
    if "min_duration_ms" in alt:
        parts.append(pl.col("duration_ms") >= float(alt["min_duration_ms"]))
    expr = parts[0]
    for part in parts[1:]:
        expr = expr & part
    return expr.fill_null(False)


def rules_for(parser: str | None) -> list[dict[str, Any]]:
    """The rules that apply to rows produced by `parser`, in table order."""
    return [r for r in load_rules() if ANY in r["parsers"] or parser in r["parsers"]]


def classify_expr(rules: Iterable[dict[str, Any]], message: pl.Expr | None = None) -> pl.Expr:
    """Expression: the event type of every row, by the first rule (in table order) that holds.

    Fast path: a rule's message regex usually contains a literal without which it cannot match
    (`Rolled new log segment`, `Shrinking ISR from`). One Aho-Corasick pass finds those literals
    in every message; each rule's conditions are then evaluated only on the rows that hold one
    of its literals (rules without such a literal, e.g. case-insensitive ones, on every row).
    Same result as testing every rule on every row: a rule skipped for a row could not match it.
    Messages are searched in their first MATCH_CHARS characters.
    """
    rules = list(rules)
    if message is None:
        message = pl.col("message").fill_null("").str.slice(0, MATCH_CHARS)
    if not rules:
        return pl.lit(OTHER, dtype=pl.String).alias("event_type")
    plan = _plan(rules)
    if len(plan.alternatives) - len(plan.always) < PREFILTER_MIN:
        return _chain(rules, message)
    fields = [message.alias(_MSG), *[pl.col(c) for c in sorted(plan.columns)]]
    return (
        pl.struct(fields)
        .map_batches(lambda s: _classify_batch(s, rules, plan), return_dtype=pl.String)
        .alias("event_type")
    )


def _chain(rules: list[dict[str, Any]], message: pl.Expr) -> pl.Expr:
    """Every rule on every row as one when/then chain of rule indices (few rules: cheaper
    than the prefilter's bookkeeping)."""
    chain = None
    for i, rule in enumerate(rules):
        cond = None
        for alt in rule["match"]:
            cond = _condition(alt, message) if cond is None else cond | _condition(alt, message)
        index = pl.lit(i, dtype=pl.UInt16)
        chain = pl.when(cond).then(index) if chain is None else chain.when(cond).then(index)
    assert chain is not None
    names = {i: rule["event_type"] for i, rule in enumerate(rules)}
    index = chain.otherwise(pl.lit(None, dtype=pl.UInt16))
    return index.replace_strict(names, default=OTHER, return_dtype=pl.String).alias("event_type")


PREFILTER_MIN = 16  # alternatives with a literal: below this, the plain chain is faster
_MSG = "__message"
_ROW = "__row"
MIN_LITERAL = 3  # shorter literals would flag nearly every message


@dataclass(frozen=True)
class _Plan:
    alternatives: list[tuple[int, dict[str, Any]]]  # (rule index, conditions), table order
    literals: list[str]  # every required literal, for one Aho-Corasick pass
    literal_alternatives: pl.DataFrame  # (literal, alternative index)
    always: frozenset[int]  # alternatives evaluated on every row (no required literal)
    columns: frozenset[str]  # columns the conditions read besides the message


_PLANS: dict[tuple, _Plan] = {}


def _plan(rules: list[dict[str, Any]]) -> _Plan:
    """The literal plan of a rule list, computed once per distinct list."""
    key = tuple((r["event_type"], repr(r["match"])) for r in rules)
    if key not in _PLANS:
        _PLANS[key] = _make_plan(rules)
    return _PLANS[key]


def _make_plan(rules: list[dict[str, Any]]) -> _Plan:
    alternatives = [(i, alt) for i, rule in enumerate(rules) for alt in rule["match"]]
    pairs: list[tuple[str, int]] = []
    always: set[int] = set()
    columns: set[str] = set()
    for k, (_, alt) in enumerate(alternatives):
        columns |= {"attributes" if c == "attribute" else c for c in alt if c != "message"}
        found = required_literals(alt["message"]) if "message" in alt else None
        if found is None:
            always.add(k)
        else:
            pairs += [(lit, k) for lit in sorted(found)]
    table = pl.DataFrame(pairs, schema={"literal": pl.String, "alt": pl.UInt32}, orient="row")
    literals = sorted({lit for lit, _ in pairs})
    return _Plan(alternatives, literals, table, frozenset(always), frozenset(columns))


def _classify_batch(s: pl.Series, rules: list[dict[str, Any]], plan: _Plan) -> pl.Series:
    df = s.struct.unnest().with_row_index(_ROW)
    n = df.height
    candidates: dict[int, pl.Series] = {}
    if plan.literals and n:
        hits = (
            df.select(_ROW, pl.col(_MSG).str.extract_many(plan.literals, overlapping=True))
            .explode(_MSG)
            .drop_nulls(_MSG)
            .unique()
            .join(plan.literal_alternatives, left_on=_MSG, right_on="literal")
            .select(_ROW, "alt")
            .unique()
        )
        for (k,), part in hits.partition_by("alt", as_dict=True).items():
            candidates[int(k)] = part.get_column(_ROW)
    matched: list[pl.DataFrame] = []
    for k, (i, alt) in enumerate(plan.alternatives):
        if k in plan.always:
            sub = df
        elif k in candidates:
            sub = df.select(pl.all().gather(candidates[k]))
        else:
            continue
        rows = sub.filter(_condition(alt, pl.col(_MSG)))
        if rows.height:
            matched.append(rows.select(_ROW, pl.lit(i, dtype=pl.UInt32).alias("rule")))
    names = pl.Series("name", [r["event_type"] for r in rules], dtype=pl.String)
    out = pl.repeat(OTHER, n, dtype=pl.String, eager=True)
    if matched:
        first = pl.concat(matched).group_by(_ROW).agg(pl.col("rule").min())
        out = out.scatter(first.get_column(_ROW), names.gather(first.get_column("rule")))
    return out.rename("event_type")


def required_literals(pattern: str) -> frozenset[str] | None:
    """Strings of which every match of `pattern` contains at least one (case-sensitive), or None
    when no such set of literals of MIN_LITERAL+ characters can be read off the pattern.

    Read with Python's regex parser; the rules' Rust syntax that it does not share (\\p{..},
    ...) just gives None. Only plain literal runs and groups are used: a case-insensitive pattern
    or group, a repetition or a character class never contributes."""
    try:
        parsed = _sre_parser.parse(pattern)
    except (re.error, OverflowError, RecursionError, ValueError):
        return None
    if parsed.state.flags & re.IGNORECASE:
        return None
    return _required(list(parsed))


def _branch(alternatives: list) -> frozenset[str] | None:
    """Every alternative must supply literals, else the alternation guarantees none."""
    out: set[str] = set()
    for alt in alternatives:
        found = _required(list(alt))
        if found is None:
            return None
        out |= found
    return frozenset(out)


def _required(items: list) -> frozenset[str] | None:
    """Literals of a sequence: its best literal run, alternation or group (one suffices)."""
    options: list[frozenset[str]] = []
    run: list[str] = []

    def close_run() -> None:
        if len(run) >= MIN_LITERAL:
            options.append(frozenset(["".join(run)]))
        run.clear()

    for op, arg in items:
        if op is _sre.LITERAL:
            run.append(chr(arg))
            continue
        close_run()
        if op is _sre.BRANCH:
            found = _branch(arg[1])
            if found is not None:
                options.append(found)
        elif op is _sre.SUBPATTERN:
            _group, add_flags, _del_flags, sub = arg
            if not add_flags & re.IGNORECASE:
                found = _required(list(sub))
                if found is not None:
                    options.append(found)
    close_run()
    if not options:
        return None
    return max(options, key=lambda o: (min(len(x) for x in o), -len(o)))


def event_type_expr(parser: str | None) -> pl.Expr:
    """Expression classifying rows that all come from `parser` (needs message, component,
    sqlstate, severity, attributes, error_class and duration_ms: the parsed frame has them)."""
    return classify_expr(rules_for(parser))


_NEEDED = {
    "message": pl.String,
    "component": pl.String,
    "sqlstate": pl.String,
    "severity": pl.String,
    "attributes": ATTRIBUTES_DTYPE,
    "error_class": pl.String,
    "duration_ms": pl.Float64,
}


def classify(events: pl.DataFrame, parser: str | None = None) -> pl.Series:
    """`event_type` for every row (never null). Parser family from the `parser` column if
    present (null -> `parser`), else `parser` for every row."""
    if events.height == 0:
        return pl.Series("event_type", [], dtype=pl.String)
    missing = [
        pl.lit(None, dtype=t).alias(c) for c, t in _NEEDED.items() if c not in events.columns
    ]
    frame = events.with_columns(missing) if missing else events
    frame = frame.with_columns(
        (
            pl.col("parser").fill_null(pl.lit(parser))
            if "parser" in frame.columns
            else pl.lit(parser, dtype=pl.String)
        ).alias("__parser"),
    )
    families = frame.get_column("__parser").unique().to_list()
    if len(families) == 1:
        out = frame.select(classify_expr(rules_for(families[0])).alias("event_type"))
        return out.to_series()
    # several parsers in one batch: classify each family with its own rules, keep row order
    indexed = frame.with_row_index("__row")
    parts = []
    for family in families:
        part = indexed.filter(
            pl.col("__parser").is_null() if family is None else pl.col("__parser") == family
        )
        parts.append(part.select("__row", classify_expr(rules_for(family)).alias("event_type")))
    return pl.concat(parts).sort("__row").get_column("event_type")
