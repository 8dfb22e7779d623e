"""Severity normalisation: every parser writes the level as it found it (`severity_text`); this
maps it to one canonical scale so queries and features compare levels across Kafka, PostgreSQL
and applications. The mapping is data (rules/severity.yaml), matched case-insensitively."""

from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

RULES_DIR = Path(__file__).resolve().parent / "rules"
CANONICAL = ("TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "FATAL")


@cache
def severity_rules() -> dict[str, Any]:
    """rules/severity.yaml, validated once: every target is a canonical level."""
    with open(RULES_DIR / "severity.yaml", encoding="utf-8") as fh:
        rules = yaml.safe_load(fh)
    for name, (canonical, number) in rules["names"].items():
        if canonical not in CANONICAL or not 1 <= int(number) <= 24:
            raise ValueError(f"severity.yaml: bad mapping for {name!r}")
    return rules


def _clean(text: pl.Expr) -> pl.Expr:
    """Level text -> lookup key: trimmed of brackets/colons/padding, upper case, without a Go
    slog offset (INFO+2, DEBUG-4) and without OTLP/JSON's enum prefix and step
    (SEVERITY_NUMBER_WARN2 -> WARN: collectors write the enum name when no severityText)."""
    return (
        text.str.strip_chars(" \t[]<>():\"'")
        .str.to_uppercase()
        .str.replace(r"^([A-Z]+)[+-]\d+$", "$1")
        .str.replace(r"^SEVERITY_NUMBER_([A-Z]+)[2-4]?$", "$1")
    )


def canonical_from_text(text: pl.Expr) -> pl.Expr:
    """Canonical severity for a level name as written, null when unknown."""
    names = severity_rules()["names"]
    return _clean(text).replace_strict(
        {str(k).upper(): v[0] for k, v in names.items()}, default=None, return_dtype=pl.String
    )


def number_from_text(text: pl.Expr) -> pl.Expr:
    """OpenTelemetry SeverityNumber for a level name as written, null when unknown."""
    names = severity_rules()["names"]
    return _clean(text).replace_strict(
        {str(k).upper(): int(v[1]) for k, v in names.items()}, default=None, return_dtype=pl.Int8
    )


def numeric_severity(value: pl.Expr, scheme: str) -> pl.Expr:
    """Canonical severity for a numeric level under a named scheme (pino, syslog, otel, ...)."""
    spec = severity_rules()["numeric_schemes"][scheme]
    number = value.cast(pl.Int64, strict=False)
    out: pl.Expr = pl.lit(None, pl.String)
    for rng in reversed(spec.get("ranges", [])):
        out = (
            pl.when(number.is_between(int(rng["min"]), int(rng["max"])))
            .then(pl.lit(rng["severity"]))
            .otherwise(out)
        )
    exact = {int(k): v for k, v in spec.get("exact", {}).items()}
    if exact:
        out = pl.coalesce(number.replace_strict(exact, default=None, return_dtype=pl.String), out)
    return out


def normalize_severity(df: pl.DataFrame) -> pl.DataFrame:
    """Fill `severity` from `severity_text` where the parser left it null and add
    `severity_number` (Int8, OpenTelemetry SeverityNumber).

    A parser-set severity wins (it knew better, e.g. a numeric level); the finer number of the
    written level (DEBUG2, CRITICAL) is kept when it agrees with that severity. Unknown levels give
    null severity and null number. The lookup runs on the distinct (text, severity) pairs only.
    """
    rules = severity_rules()
    base_numbers = {k: int(v) for k, v in rules["canonical"].items()}
    cols = df.columns
    keys = pl.DataFrame(
        {
            "severity_text": df.get_column("severity_text").cast(pl.String)
            if "severity_text" in cols
            else pl.Series([None] * df.height, dtype=pl.String),
            "severity": df.get_column("severity").cast(pl.String)
            if "severity" in cols
            else pl.Series([None] * df.height, dtype=pl.String),
        }
    )
    text = pl.col("severity_text")
    distinct = keys.unique().with_columns(
        canonical_from_text(text).alias("_from_text"),
        number_from_text(text).alias("_text_number"),
    )
    severity = pl.coalesce(canonical_from_text(pl.col("severity")), pl.col("_from_text"))
    distinct = distinct.with_columns(severity.alias("_severity")).with_columns(
        pl.when(pl.col("_from_text") == pl.col("_severity"))
        .then(pl.col("_text_number"))
        .otherwise(
            pl.col("_severity").replace_strict(base_numbers, default=None, return_dtype=pl.Int8)
        )
        .cast(pl.Int8)
        .alias("_number")
    )
    mapped = keys.join(
        distinct,
        on=["severity_text", "severity"],
        how="left",
        nulls_equal=True,
        maintain_order="left",
    )
    return df.with_columns(
        mapped.get_column("_severity").alias("severity"),
        mapped.get_column("_number").alias("severity_number"),
    )
