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
import pyarrow as pa
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


def _attribute_candidates(attributes: pl.Expr) -> pl.Expr:
    key = pl.element().struct.field("key")
    value = pl.element().struct.field("value")
    hit = attributes.list.eval(_sensitive_key(key) | may_hold_secret(value)).list.any()
    return hit.fill_null(False)


def _attribute_markers(attributes: pl.Expr) -> pl.Expr:
    counts = attributes.list.eval(marker_count(pl.element().struct.field("value")))
    return counts.list.sum().fill_null(0).cast(pl.Int64)


def redact_values(values: pl.Series) -> pl.Series:
    """`redact` on a column, each rule run only on the values holding one of its own keywords
    (the regexes are the cost; most keywords occur in few values).

    One Aho-Corasick pass keeps the values holding any keyword; a second lists the keywords each
    of those holds, and a rule's rows are picked from that list. The list is taken before any
    rule runs, which is exact: a replacement only inserts `[REDACTED]` (no keyword holds `[` or
    `]`) next to text that was there, so it never brings in a keyword a later rule is gated on.
    """
    candidates = values.str.contains_any(keywords(), ascii_case_insensitive=True)
    candidates = candidates.fill_null(False).arg_true()
    if candidates.len() == 0:
        return values
    subset = values.gather(candidates)
    found = subset.str.extract_many(keywords(), ascii_case_insensitive=True, overlapping=True)
    found = found.list.eval(pl.element().str.to_lowercase())
    for rule in _rules()["rules"]:
        words = [w.lower() for w in rule["keywords"]]
        hit = found.list.eval(pl.element().is_in(words)).list.any()
        rows = hit.fill_null(False).arg_true()
        if rows.len():
            fixed = subset.gather(rows).str.replace_all(rule["regex"], rule["replacement"])
            subset = subset.scatter(rows, fixed)
    return values.scatter(candidates, subset)


def redact_attributes(attributes: pl.Series) -> pl.Series:
    """Redact the values of a List(Struct{key, value}) column: a secret-named key loses its
    whole value, any other value goes through the rules. The pairs of every row are redacted
    as one flat column, then rebuilt into the same lists."""
    arr = attributes.to_arrow()
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    pairs = pl.from_arrow(arr.flatten()).struct.unnest()
    value = pl.col("value")
    keep = [v.lower() for v in _rules()["non_secret_values"]]
    whole = (
        _sensitive_key(pl.col("key")) & value.is_not_null() & ~value.str.to_lowercase().is_in(keep)
    )
    flat = (
        pairs.with_columns(redact_values(pairs.get_column("value")).alias("_redacted"))
        .select("key", pl.when(whole).then(pl.lit(marker())).otherwise("_redacted").alias("value"))
        .to_struct()
        .to_arrow()
    )
    rebuilt = pa.ListArray.from_arrays(arr.offsets, flat, mask=arr.is_null())
    return pl.Series(attributes.name, rebuilt).cast(ATTRIBUTES_DTYPE)


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
    mask = frame.select(candidate.alias("m")).to_series()
    if not mask.any():
        return frame, 0
    rows = mask.arg_true()
    columns = [message, attributes] if has_attrs else [message]
    hits = frame.select(pl.col(columns).gather(rows))
    before = hits.select(_markers(message, attributes if has_attrs else None)).item()
    fixed = hits.with_columns(redact_values(hits.get_column(message)))
    if has_attrs:
        fixed = fixed.with_columns(redact_attributes(hits.get_column(attributes)))
    after = fixed.select(_markers(message, attributes if has_attrs else None)).item()
    # row i of the result: row i of the frame, or its rewrite where it was a candidate
    n = frame.height
    pick = pl.int_range(n, dtype=pl.UInt32, eager=True).scatter(
        rows, pl.int_range(n, n + rows.len(), dtype=pl.UInt32, eager=True)
    )
    out = frame.with_columns(
        pl.concat([frame.get_column(c), fixed.get_column(c)]).gather(pick) for c in columns
    )
    return out, max(0, int(after - before))


def _markers(message: str, attributes: str | None) -> pl.Expr:
    total = marker_count(pl.col(message)).cast(pl.Int64).sum()
    if attributes is not None:
        total = total + _attribute_markers(pl.col(attributes)).sum()
    return total
