"""Fallback parser for any text: a leading timestamp in the usual forms and a level word.

Lines starting with whitespace, `Caused by:` or `... N more` continue the previous record.
"""

import polars as pl

from logadapt_assets.parsing.base import ParseOptions, conform

_CONTINUATION = r"^(?:[ \t]+\S|Caused by: |\.\.\. \d+ more)"
_TS = r"(\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(?:[.,]\d{1,9})?)(Z|[+-]\d{2}:?\d{2}| ?UTC)?"
_LEVEL = r"(?i)\b(TRACE|DEBUG|INFO|NOTICE|WARN(?:ING)?|ERROR|ERR|FATAL|CRITICAL|PANIC|SEVERE)\b"
_PREFIX = rf"^\[?{_TS}\]?[ \t]*"


def parse_timestamp(text: pl.Expr, zone: pl.Expr, tz: str) -> pl.Expr:
    """ISO-ish date-time text plus an optional zone suffix -> UTC microseconds."""
    iso = text.str.replace(",", ".").str.replace(" ", "T")
    naive = iso.str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False)
    offset = (
        zone.str.strip_chars().str.replace("UTC", "Z").str.replace(r"^([+-]\d{2})(\d{2})$", "$1:$2")
    )
    zoned = (iso + offset).str.to_datetime(
        "%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="us", time_zone="UTC", strict=False
    )
    local = naive.dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
    return (
        pl.when(zone.is_not_null() & (zone.str.strip_chars() != ""))
        .then(zoned.dt.convert_time_zone("UTC"))
        .otherwise(local.dt.convert_time_zone("UTC"))
    )


class GenericParser:
    name = "generic"

    def starts_record(self, line: pl.Expr) -> pl.Expr:
        return ~line.str.contains(_CONTINUATION)

    def parse(self, events: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
        text = pl.col("text")
        first = text.str.split_exact("\n", 1).struct.field("field_0")
        ts_text = first.str.extract(_PREFIX, 1)
        zone = first.str.extract(_PREFIX, 2)
        body = text.str.replace(_PREFIX, "")
        level = first.str.extract(_LEVEL, 1).str.to_uppercase()
        out = events.select(
            parse_timestamp(ts_text, zone, options.timezone).alias("timestamp"),
            level.alias("severity_text"),
            body.alias("message"),
            pl.when(ts_text.is_not_null() & level.is_not_null())
            .then(pl.lit("ok"))
            .when(ts_text.is_not_null() | level.is_not_null())
            .then(pl.lit("partial"))
            .otherwise(pl.lit("unparsed"))
            .alias("parse_status"),
        )
        return conform(out)


PARSER = GenericParser()
