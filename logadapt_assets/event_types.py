"""Event classification: an ordered rule table (`rules/event_types.yaml`) compiled into one
Polars when/then chain per parser family, so a batch is classified without a per-row loop.
"""

from collections.abc import Iterable
from functools import cache
from pathlib import Path
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
    """One when/then chain over message, component, sqlstate, severity, attributes, error_class
    and duration_ms.

    The chain yields the matching rule's index (cheap integers, not 100 string columns), then
    one lookup turns the index into the event type. Messages are searched in their first
    MATCH_CHARS characters.
    """
    rules = list(rules)
    if message is None:
        message = pl.col("message").fill_null("").str.slice(0, MATCH_CHARS)
    chain = None
    for i, rule in enumerate(rules):
        cond = None
        for alt in rule["match"]:
            cond = _condition(alt, message) if cond is None else cond | _condition(alt, message)
        index = pl.lit(i, dtype=pl.UInt16)
        chain = pl.when(cond).then(index) if chain is None else chain.when(cond).then(index)
    if chain is None:
        return pl.lit(OTHER, dtype=pl.String).alias("event_type")
    names = {i: rule["event_type"] for i, rule in enumerate(rules)}
    index = chain.otherwise(pl.lit(None, dtype=pl.UInt16))
    return index.replace_strict(names, default=OTHER, return_dtype=pl.String).alias("event_type")


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
