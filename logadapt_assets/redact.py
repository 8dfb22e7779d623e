"""Secret redaction for messages and attribute values, vectorised.

Rules (`rules/redaction.yaml`) replace a secret with `[REDACTED]` and keep its key, so
`password=hunter2` becomes `password=[REDACTED]`. Each replacement inserts exactly one marker and
every rule is idempotent, so the number of redactions is the growth of the marker count. Rows
that hold none of the rules' keywords (almost all log lines) skip the regexes entirely.
"""

from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from logadapt_assets.parsing.base import ATTRIBUTES_DTYPE

RULES_PATH = Path(__file__).resolve().parent / "rules" / "redaction.yaml"


@cache
def _rules() -> dict[str, Any]:
    doc = yaml.safe_load(RULES_PATH.read_text())
    for rule in doc["rules"]:
        if not {"name", "regex", "replacement", "keywords"} <= set(rule):
            raise ValueError(
                f"redaction.yaml: rule {rule!r} needs name, regex, replacement, keywords"
            )
    return doc


def marker() -> str:
    return _rules()["marker"]


def keywords() -> list[str]:
    """Every rule's keywords: a row without any of them cannot be redacted by a rule."""
    return sorted({k for rule in _rules()["rules"] for k in rule["keywords"]})


def redact(text: pl.Expr) -> pl.Expr:
    """Apply every redaction rule, in file order, to a string expression."""
    for rule in _rules()["rules"]:
        text = text.str.replace_all(rule["regex"], rule["replacement"])
    return text


def marker_count(text: pl.Expr) -> pl.Expr:
    return text.str.count_matches(marker(), literal=True).fill_null(0)


def redaction_count(before: pl.Expr, after: pl.Expr) -> pl.Expr:
    """Redactions made per row: how many markers the rules added."""
    return (marker_count(after).cast(pl.Int64) - marker_count(before).cast(pl.Int64)).clip(0)


def may_hold_secret(text: pl.Expr) -> pl.Expr:
    """Cheap pre-filter (Aho-Corasick over the rules' keywords, ASCII case-insensitive)."""
    return text.str.contains_any(keywords(), ascii_case_insensitive=True).fill_null(False)


def _sensitive_key(key: pl.Expr) -> pl.Expr:
    return key.str.contains(_rules()["sensitive_keys"]).fill_null(False)


def _redact_value(key: pl.Expr, value: pl.Expr) -> pl.Expr:
    """A secret-named key loses its whole value; any other value goes through the rules."""
    keep = [v.lower() for v in _rules()["non_secret_values"]]
    whole = _sensitive_key(key) & value.is_not_null() & ~value.str.to_lowercase().is_in(keep)
    return pl.when(whole).then(pl.lit(marker())).otherwise(redact(value))


def redact_attributes(attributes: pl.Expr) -> pl.Expr:
    """Redact the values of a List(Struct{key, value}) column."""
    key = pl.element().struct.field("key")
    value = pl.element().struct.field("value")
    return attributes.list.eval(
        pl.struct(key.alias("key"), _redact_value(key, value).alias("value"))
    ).cast(ATTRIBUTES_DTYPE)


def _attribute_candidates(attributes: pl.Expr) -> pl.Expr:
    key = pl.element().struct.field("key")
    value = pl.element().struct.field("value")
    hit = attributes.list.eval(_sensitive_key(key) | may_hold_secret(value)).list.any()
    return hit.fill_null(False)


def _attribute_markers(attributes: pl.Expr) -> pl.Expr:
    counts = attributes.list.eval(marker_count(pl.element().struct.field("value")))
    return counts.list.sum().fill_null(0).cast(pl.Int64)


def redact_frame(
    frame: pl.DataFrame, message: str = "message", attributes: str | None = "attributes"
) -> tuple[pl.DataFrame, int]:
    """Redact `message` and attribute values of a frame; returns (frame, redactions made).

    Only rows that may hold a secret are rewritten; row order and columns are kept.
    """
    if frame.height == 0:
        return frame, 0
    has_attrs = attributes is not None and attributes in frame.columns
    candidate = may_hold_secret(pl.col(message))
    if has_attrs:
        candidate = candidate | _attribute_candidates(pl.col(attributes))
    indexed = frame.with_row_index("__redact_row")
    mask = indexed.select(candidate.alias("m")).to_series()
    if not mask.any():
        return frame, 0
    hits = indexed.filter(mask)
    before = hits.select(marker_count(pl.col(message)).cast(pl.Int64).alias("n")).to_series()
    redacted = [redact(pl.col(message)).alias(message)]
    if has_attrs:
        before = before + hits.select(_attribute_markers(pl.col(attributes))).to_series()
        redacted.append(redact_attributes(pl.col(attributes)).alias(attributes))
    hits = hits.with_columns(redacted)
    after = hits.select(marker_count(pl.col(message)).cast(pl.Int64).alias("n")).to_series()
    if has_attrs:
        after = after + hits.select(_attribute_markers(pl.col(attributes))).to_series()
    count = int((after - before).clip(0).sum())
    out = pl.concat([indexed.filter(~mask), hits], how="vertical").sort("__redact_row")
    return out.drop("__redact_row"), count
