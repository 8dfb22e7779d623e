"""Severity normalisation: level as written -> canonical severity + OpenTelemetry number."""

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.normalize import (
    CANONICAL,
    canonical_from_text,
    normalize_severity,
    numeric_severity,
    severity_rules,
)


def norm(texts: list[str | None], given_sev: list[str | None] | None = None) -> pl.DataFrame:
    df = pl.DataFrame(
        {
            "severity_text": pl.Series(texts, dtype=pl.String),
            "severity": pl.Series(given_sev or [None] * len(texts), dtype=pl.String),
        }
    )
    return normalize_severity(df)


@pytest.mark.parametrize(
    ("text", "severity", "number"),
    [
        ("TRACE", "TRACE", 1),
        ("debug", "DEBUG", 5),
        ("Info", "INFO", 9),
        ("NOTICE", "NOTICE", 10),
        ("warning", "WARN", 13),
        ("WARN", "WARN", 13),
        ("error", "ERROR", 17),
        ("FATAL", "FATAL", 21),
        ("PANIC", "FATAL", 22),  # PostgreSQL PANIC, Go panic
        ("LOG", "INFO", 9),  # PostgreSQL LOG
        ("DEBUG1", "DEBUG", 8),  # PostgreSQL: DEBUG1 least verbose
        ("DEBUG2", "DEBUG", 7),
        ("DEBUG5", "DEBUG", 5),
        ("CRITICAL", "FATAL", 21),  # Python / .NET top level
        ("crit", "ERROR", 18),  # syslog crit = ERROR2
        ("alert", "ERROR", 19),
        ("emerg", "FATAL", 21),
        ("SEVERE", "ERROR", 17),  # java.util.logging
        ("FINE", "DEBUG", 5),
        ("FINER", "TRACE", 4),
        ("FINEST", "TRACE", 1),
        ("CONFIG", "DEBUG", 8),
        ("Information", "INFO", 9),  # Serilog / .NET
        ("Verbose", "TRACE", 1),
        ("dpanic", "ERROR", 19),  # zap
        ("E", "ERROR", 17),
        ("W", "WARN", 13),
        ("I", "INFO", 9),
        ("D", "DEBUG", 5),
        ("V", "TRACE", 1),
        ("F", "FATAL", 21),
        ("3", "ERROR", 17),  # syslog numeric err
        ("6", "INFO", 9),
        ("0", "FATAL", 21),
        ("7", "DEBUG", 5),
        ("INFO+2", "INFO", 9),  # Go slog offsets
        ("DEBUG-4", "DEBUG", 5),
        ("[error]", "ERROR", 17),
        ("<W>", "WARN", 13),
        ("INFO ", "INFO", 9),  # log4j %-5level padding
        ("warning:", "WARN", 13),
        ("eror", "ERROR", 17),  # log15 / geth
        ("WRN", "WARN", 13),  # zerolog console, Serilog short
    ],
)
def test_level_names(text: str, severity: str, number: int) -> None:
    out = norm([text])
    assert out["severity"].to_list() == [severity]
    assert out["severity_number"].to_list() == [number]
    assert out["severity_number"].dtype == pl.Int8


def test_unknown_and_null_levels_give_null() -> None:
    out = norm(["banana", None, "", "42", "8"])
    assert out["severity"].to_list() == [None] * 5
    assert out["severity_number"].to_list() == [None] * 5


def test_parser_severity_wins_and_number_follows_it() -> None:
    # pino writes level 30: the parser set INFO; the text "30" means nothing by itself
    # OTel severityNumber 5 (DEBUG) with no text: "5" must not become syslog NOTICE
    out = norm(["30", "5", "warning", "DEBUG2", None], ["INFO", "DEBUG", "ERROR", "DEBUG", "WARN"])
    assert out["severity"].to_list() == ["INFO", "DEBUG", "ERROR", "DEBUG", "WARN"]
    assert out["severity_number"].to_list() == [9, 5, 17, 7, 13]


def test_non_canonical_parser_severity_is_canonicalised() -> None:
    out = norm([None, None], ["warning", "err"])
    assert out["severity"].to_list() == ["WARN", "ERROR"]


def test_keeps_other_columns_and_order() -> None:
    df = pl.DataFrame(
        {"message": ["a", "b", "c"], "severity_text": ["E", "x", "info"], "severity": [None] * 3},
        schema_overrides={"severity": pl.String},
    )
    out = normalize_severity(df)
    assert out.columns == ["message", "severity_text", "severity", "severity_number"]
    assert out["message"].to_list() == ["a", "b", "c"]
    assert out["severity"].to_list() == ["ERROR", None, "INFO"]


def test_missing_columns_are_tolerated() -> None:
    out = normalize_severity(pl.DataFrame({"severity_text": ["warn"]}))
    assert out["severity"].to_list() == ["WARN"]
    assert out["severity_number"].to_list() == [13]


@pytest.mark.parametrize(
    ("scheme", "values", "expected"),
    [
        (
            "pino",
            [10, 20, 30, 40, 50, 60, 35],
            ["TRACE", "DEBUG", "INFO", "WARN", "ERROR", "FATAL", "WARN"],
        ),
        ("auto", [3, 6, 30, 60], ["ERROR", "INFO", "INFO", "FATAL"]),
        (
            "gcp",
            [100, 200, 300, 400, 500, 600, 700, 800, 6, 30],
            ["DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "FATAL", "FATAL", "FATAL", "INFO", "INFO"],
        ),
        (
            "otel",
            [1, 5, 9, 10, 13, 17, 21, 24, 0],
            ["TRACE", "DEBUG", "INFO", "NOTICE", "WARN", "ERROR", "FATAL", "FATAL", None],
        ),
        (
            "logback",
            [5000, 10000, 20000, 30000, 40000],
            ["TRACE", "DEBUG", "INFO", "WARN", "ERROR"],
        ),
        ("python", [10, 20, 30, 40, 50], ["DEBUG", "INFO", "WARN", "ERROR", "FATAL"]),
        ("syslog", [0, 4, 5, 7, 8], ["FATAL", "WARN", "NOTICE", "DEBUG", None]),
    ],
)
def test_numeric_schemes(scheme: str, values: list[int], expected: list[str | None]) -> None:
    out = pl.select(numeric_severity(pl.Series(values), scheme)).to_series()
    assert out.to_list() == expected


def test_rules_are_consistent() -> None:
    rules = severity_rules()
    assert set(rules["canonical"]) == set(CANONICAL)
    for name, (canonical, number) in rules["names"].items():
        base = rules["canonical"][canonical]
        # the number lies in the canonical level's OpenTelemetry band
        band = {1: (1, 4), 5: (5, 8), 9: (9, 9), 10: (10, 12), 13: (13, 16), 17: (17, 20)}.get(
            base, (21, 24)
        )
        assert band[0] <= number <= band[1], name


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(st.none(), st.text(max_size=12)), max_size=20))
def test_normalize_never_raises(texts: list[str | None]) -> None:
    out = norm(texts)
    assert out.height == len(texts)
    assert set(out["severity"].drop_nulls().to_list()) <= set(CANONICAL)
    assert out["severity"].is_null().to_list() == out["severity_number"].is_null().to_list()
    assert pl.select(canonical_from_text(pl.Series(texts, dtype=pl.String))).height == len(texts)
