"""Structured application logs: JSON lines (logrus, zap, slog, zerolog, pino, bunyan, structlog,
ECS, OpenTelemetry, logback/log4j JSON layouts, Serilog, GELF, ...) and logfmt.

Every record becomes long-format (row, key, value) pairs: JSON objects are flattened to dotted
keys, logfmt pairs unquoted. The field-name conventions in rules/structured.yaml then pick, per
record, the time, level, message, logger, correlation ids, error class and duration; every pair
not picked lands in `attributes`. Records that are neither JSON nor logfmt fall back to the
generic parser (parse_status at most `partial`).

Why this shape: JSON keys differ per record and per library, so no fixed schema fits. Polars'
JSON decoder is fast but infers one type per key, rejects a whole batch on a bad row and
silently merges some kinds (a scalar into a list, a number into a string). So each container's
records are decoded in one go (the common case: one library, one schema); when that fails or
would have changed a value, the valid rows (checked with `json_path_match("$")`) are decoded in
groups that agree on the kinds of the clashing keys. A record therefore parses the same alone
or in any batch. No Python loop per line: loops run over containers, keys, type groups and
conventions only.
"""

from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

from logadapt_assets.normalize import numeric_severity
from logadapt_assets.parsing.base import ATTRIBUTES_DTYPE, ParseOptions, conform
from logadapt_assets.parsing.generic import (
    CONTINUATION,
    ISO_FULL,
    TRAILING_BLANK_LINES,
    epoch_to_datetime,
    epoch_unit,
    iso_zone,
    leading_timestamp,
    observed_utc,
    parse_generic,
)

RULES_DIR = Path(__file__).resolve().parents[1] / "rules"
ROW = "_row"
PAIRS_SCHEMA = {ROW: pl.UInt32, "key": pl.String, "value": pl.String, "synthetic": pl.Boolean}
DECODE_ROWS = 8192  # rows per json_decode call (bounds the decoder's working memory)

# logfmt: key=value pairs, values bare or double-quoted with backslash escapes
_LOGFMT_KEY = r"[^\s=\"]+"
_LOGFMT_VALUE = r"(?:\"(?:[^\"\\]|\\.)*\"|[^\s\"]\S*)?"
_LOGFMT_PAIR = _LOGFMT_KEY + "=" + _LOGFMT_VALUE
_LOGFMT_FULL = rf"^\s*(?:{_LOGFMT_PAIR}(?:\s+|$))+$"
_LOGFMT_START = r"^[A-Za-z_@][\w.@/-]*="

# a JSON object key (and its colon)
_JSON_KEY = r"\"(?:[^\"\\]|\\.)*\"\s*:"
# OpenTelemetry AnyValue list entries with a scalar value, in compact JSON
_OTEL_ENTRY = (
    r"\{\"key\":\"((?:[^\"\\]|\\.)*)\",\"value\":\{\"(\w+)\":"
    r"(\"(?:[^\"\\]|\\.)*\"|[^{}\[\],\"]+)\}\}"
)
# exception class on the first line of a Java / JS / .NET stack trace
_STACK_FIRST = r"^\s*((?:[A-Za-z_$][\w$]*\.)*[A-Z][\w$]*)(?::\s|:?\s*$|:?\s*\n)"
# exception class on the last `Name: message` line of a Python traceback
_PY_LAST = r"(?m)^((?:[A-Za-z_]\w*\.)*[A-Za-z_]\w*)(?::[^\n]*)?$"
_GCP_TRACE = r"^projects/[^/]+/traces/"
_GO_DURATION = r"^(?:\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|h|m|s))+$"
_GO_UNITS_MS = {
    "ns": 1e-6,
    "us": 1e-3,
    "µs": 1e-3,
    "μs": 1e-3,
    "ms": 1.0,
    "s": 1e3,
    "m": 6e4,
    "h": 3.6e6,
}


@cache
def conventions() -> dict[str, Any]:
    """rules/structured.yaml: which keys mean time, level, message, ... (first present wins)."""
    with open(RULES_DIR / "structured.yaml", encoding="utf-8") as fh:
        return yaml.safe_load(fh)


_LIST_TARGETS = ("timestamp", "level", "message", "logger", "request_id", "trace_id", "pid")
_MAP_TARGETS = {"level_number": "level_numbers", "error_class": "error_class"}


@cache
def _rules_frame() -> pl.DataFrame:
    """(key, target, prio, param, producer) for every convention: the join table of field
    selection. A producer's conventions (null producer: everyone's) come first in priority."""
    conv = conventions()
    rows: list[tuple[str, str, int, str, str | None]] = []

    def add(spec: dict[str, Any], producer: str | None, base: int) -> None:
        for target in _LIST_TARGETS:
            units = conv.get("timestamp_units", {}) if target == "timestamp" else {}
            rows.extend(
                (str(k), target, base + i, str(units.get(k, "")), producer)
                for i, k in enumerate(spec.get(target, []))
            )
        for target, section in (*_MAP_TARGETS.items(), ("duration_ms", "duration_ms")):
            rows.extend(
                (str(k), target, base + i, str(v), producer)
                for i, (k, v) in enumerate(spec.get(section, {}).items())
            )

    add(conv, None, 0)
    for name, spec in conv.get("producers", {}).items():
        add(spec, str(name), -1000)
    return pl.DataFrame(
        rows,
        schema={
            "key": pl.String,
            "target": pl.String,
            "prio": pl.Int32,
            "param": pl.String,
            "producer": pl.String,
        },
        orient="row",
    )


@cache
def _rules_frames() -> tuple[pl.DataFrame, pl.DataFrame]:
    """The conventions of everyone and those of producers, joined apart: the few producer keys
    then cost one small join."""
    rules = _rules_frame()
    return rules.filter(pl.col("producer").is_null()), rules.filter(
        pl.col("producer").is_not_null()
    )


@cache
def _markers_frame() -> pl.DataFrame:
    """(producer, key, prefix, needed): the marker keys a record must all have for a producer's
    conventions to apply."""
    rows = [
        (str(name), str(key), "" if prefix is None else str(prefix), len(spec["when"]))
        for name, spec in conventions().get("producers", {}).items()
        for key, prefix in spec["when"].items()
    ]
    return pl.DataFrame(
        rows,
        schema={"producer": pl.String, "key": pl.String, "prefix": pl.String, "needed": pl.UInt32},
        orient="row",
    )


def _producer_rows(pairs: pl.DataFrame, wanted: pl.DataFrame) -> pl.DataFrame:
    """(ROW, producer) for the `wanted` (ROW, producer) records that carry all marker keys of the
    producer."""
    markers = _markers_frame()
    return (
        pairs.filter(pl.col("key").is_in(markers.get_column("key").unique().implode()))
        .select(ROW, "key", "value")
        .join(markers, on="key", how="inner")
        .join(wanted, on=[ROW, "producer"], how="semi")
        .filter(pl.col("value").str.starts_with(pl.col("prefix")))
        .group_by(ROW, "producer")
        .agg(pl.col("key").n_unique().alias("n"), pl.col("needed").first())
        .filter(pl.col("n") == pl.col("needed"))
        .select(ROW, "producer")
    )


# --------------------------------------------------------------------------------------------
# JSON -> pairs


def _json_path(path: list[str]) -> str | None:
    """`$['a']['b']` for json_path_match; a key holding `'` goes in double quotes (Polars'
    path parser fails on `'\\'\\''`). None when a key cannot be quoted: a backslash, or both
    quote kinds."""
    parts = []
    for p in path:
        if "\\" in p or ("'" in p and '"' in p):
            return None
        quote = '"' if "'" in p else "'"
        parts.append(f"[{quote}{p}{quote}]")
    return "$" + "".join(parts)


class _TypeClash(Exception):
    """Schema inference merged a key's kinds in a way that changes values (scalar -> list,
    number/bool -> string): the batch must be decoded in type-consistent groups."""


_REGEX_META = set("\\.+*?()|[]{}^$#&-~")


def _regex_literal(text: str) -> str:
    return "".join("\\" + c if c in _REGEX_META else c for c in text)


def _reject_coercions(batch: pl.DataFrame, pairs: pl.DataFrame, leaves: list) -> None:
    """Raise `_TypeClash` when a list leaf holds a scalar, or a string leaf holds a value that
    the source wrote as a number or boolean (found by a key-specific regex on the few rows whose
    text value looks numeric)."""
    lists = [f"c{i}" for i, leaf in enumerate(leaves) if isinstance(leaf[2], pl.List | pl.Array)]
    if (
        lists
        and pairs.filter(pl.col("col").is_in(lists) & ~pl.col("value").str.starts_with("[")).height
    ):
        raise _TypeClash
    strings = [f"c{i}" for i, leaf in enumerate(leaves) if leaf[2] == pl.String]
    looks_typed = pl.col("value").str.contains(r"^(?:-?\d[\d.eE+-]*|true|false)$")
    doubt = pairs.filter(pl.col("col").is_in(strings) & looks_typed)
    if doubt.is_empty():
        return
    src = batch.select(ROW, "src")
    for col, part in doubt.partition_by("col", as_dict=True).items():
        key = leaves[int(str(col[0])[1:])][1][-1]
        if '"' in key or "\\" in key:
            raise _TypeClash
        typed = rf'"{_regex_literal(key)}"\s*:\s*(?:-?\d|true|false)'
        if part.join(src, on=ROW, how="left").get_column("src").str.contains(typed).any():
            raise _TypeClash


def _flatten(batch: pl.DataFrame, decoded: pl.Series) -> pl.DataFrame:
    """Typed decode result -> (row, key, value) pairs: structs flattened with dots, arrays as JSON
    text (read back from the source so a string that inference promoted to a list stays a
    string), numbers and booleans as text, nulls dropped.

    Inference merges some kinds silently (int + float -> float, bool + int -> int); values that
    may have been changed that way (`1.0`, or `0`/`1` when the batch has booleans) are read
    back from the source text, so a value does not depend on its neighbours in the batch."""
    leaves: list[tuple[str, list[str], pl.DataType, pl.Expr]] = []

    def walk(expr: pl.Expr, dtype: pl.DataType, path: list[str]) -> None:
        key = ".".join(path)
        if isinstance(dtype, pl.Struct):
            for fld in dtype.fields:
                walk(expr.struct.field(fld.name), fld.dtype, [*path, fld.name])
        elif isinstance(dtype, pl.List | pl.Array):
            jp = _json_path(path)
            if jp is not None:
                leaves.append((key, path, dtype, pl.col("src").str.json_path_match(jp)))
            else:
                encoded = pl.struct(expr.alias("v")).struct.json_encode()
                value = pl.when(expr.is_not_null()).then(encoded.str.slice(5).str.head(-1))
                leaves.append((key, path, dtype, value))
        elif dtype != pl.Null:
            leaves.append((key, path, dtype, expr.cast(pl.String)))

    if not isinstance(decoded.dtype, pl.Struct):
        return pl.DataFrame(schema=PAIRS_SCHEMA)
    frame = batch.select(ROW, "src").with_columns(decoded.alias("_d"))
    walk(pl.col("_d"), decoded.dtype, [])
    if not leaves:
        return pl.DataFrame(schema=PAIRS_SCHEMA)
    names = {f"c{i}": leaf[0] for i, leaf in enumerate(leaves)}
    wide = frame.select(ROW, *[leaf[3].alias(f"c{i}") for i, leaf in enumerate(leaves)])
    pairs = wide.unpivot(index=ROW, variable_name="col", value_name="value").filter(
        pl.col("value").is_not_null()
    )
    _reject_coercions(batch, pairs, leaves)
    floats = [f"c{i}" for i, leaf in enumerate(leaves) if leaf[2].is_float()]
    ints = [f"c{i}" for i, leaf in enumerate(leaves) if leaf[2].is_integer()]
    suspect = pl.col("col").is_in(floats) & pl.col("value").str.ends_with(".0")
    if ints and batch.get_column("src").str.contains(r":\s*(?:true|false)\s*[,}\]]").any():
        suspect = suspect | (pl.col("col").is_in(ints) & pl.col("value").is_in(["0", "1"]))
    if floats or ints:
        pairs = pairs.with_row_index("_i")
        doubt = pairs.filter(suspect)
        if doubt.height:
            fixed = []
            src = batch.select(ROW, "src")
            for col, part in doubt.partition_by("col", as_dict=True).items():
                path = _json_path(leaves[int(str(col[0])[1:])][1])
                if path is None:
                    continue
                fixed.append(
                    part.join(src, on=ROW, how="left").select(
                        "_i", pl.col("src").str.json_path_match(path).alias("raw")
                    )
                )
            if fixed:
                pairs = pairs.join(pl.concat(fixed), on="_i", how="left").with_columns(
                    pl.coalesce("raw", "value").alias("value")
                )
    return pairs.select(
        ROW,
        pl.col("col").replace_strict(names, return_dtype=pl.String).alias("key"),
        "value",
        pl.lit(False).alias("synthetic"),
    )


def _try_decode(batch: pl.DataFrame) -> pl.DataFrame | None:
    """Pairs of a batch decoded in one go, or None when Polars cannot (bad row, type clash).

    An empty object is appended for schema inference: Polars rejects a duplicated key when one
    object alone defines the schema but keeps the first value once schemas are merged, so a
    record reads the same alone or in a batch (duplicate keys: the first one wins)."""
    try:
        src = pl.concat([batch.get_column("src"), pl.Series("src", ["{}"])])
        decoded = src.str.json_decode(infer_schema_length=None).head(batch.height)
        return _flatten(batch, decoded)
    except (Exception, pl.exceptions.PanicException):  # noqa: BLE001 - content-dependent
        return None


def _decode_bisect(batch: pl.DataFrame, out: list[pl.DataFrame], failed: list[pl.Series]) -> None:
    """Decode a batch, halving it around rows Polars cannot decode (rare: a same-typed group
    still failing); single failing rows are reported in `failed`."""
    pairs = _try_decode(batch)
    if pairs is not None:
        out.append(pairs)
    elif batch.height == 1:
        failed.append(batch.get_column(ROW))
    else:
        half = batch.height // 2
        _decode_bisect(batch.slice(0, half), out, failed)
        _decode_bisect(batch.slice(half), out, failed)


def _skeleton(src: pl.Expr) -> pl.Expr:
    """JSON text -> its shape: keys kept (between \x01 and \x02), string values -> S, floats
    -> F, integers -> I. Rows with the same shape have the same types for every key."""
    return (
        src.str.replace_all(r'"((?:[^"\\]|\\.)*)"\s*:\s*', "\x01${1}\x02:")
        .str.replace_all(r'"(?:[^"\\]|\\.)*"', "S")
        .str.replace_all(r"([:\[,]\s*)-?\d+(?:\.\d+(?:[eE][+-]?\d+)?|[eE][+-]?\d+)", "${1}F")
        .str.replace_all(r"([:\[,]\s*)-?\d+", "${1}I")
    )


def _type_groups(batch: pl.DataFrame) -> pl.DataFrame:
    """Batch + `sig`: the value kinds of the keys whose kind differs between rows (e.g. `error`
    as a string in one row and an object in another). Rows with the same `sig` decode together.
    Kinds are read from the distinct row shapes only, so the cost is a few regex passes."""
    batch = batch.with_columns(_skeleton(pl.col("src")).alias("_shape")).with_columns(
        pl.col("_shape").hash().alias("_h")
    )
    shapes = batch.select("_h", "_shape").unique("_h")
    kinds = (
        shapes.select("_h", pl.col("_shape").str.extract_all("\x01[^\x02]*\x02:.").alias("m"))
        .explode("m")
        .drop_nulls("m")
        .select(
            "_h",
            pl.col("m").str.slice(0, pl.col("m").str.len_chars() - 1).alias("k"),
            pl.col("m").str.slice(-1).alias("kind"),
        )
        .filter(pl.col("kind") != "n")
        .with_columns(pl.col("kind").replace({"t": "b", "f": "b"}))
    )
    clashing = kinds.group_by("k").agg(pl.col("kind").n_unique().alias("n")).filter(pl.col("n") > 1)
    sig = (
        kinds.join(clashing.select("k"), on="k", how="semi")
        .unique(["_h", "k", "kind"])
        .sort("_h", "k", "kind")
        .group_by("_h")
        .agg((pl.col("k") + pl.col("kind")).str.join("\x1f").alias("sig"))
    )
    return (
        batch.join(sig, on="_h", how="left")
        .with_columns(pl.col("sig").fill_null(""))
        .drop("_shape", "_h")
    )


def _top_level_pairs(batch: pl.DataFrame) -> pl.DataFrame:
    """Last resort for valid JSON that Polars cannot decode as a table (e.g. arrays mixing
    numbers and objects): top-level keys read one by one with json_path_match; nested objects
    stay JSON text. Loops over distinct keys, not rows."""
    keys = (
        batch.select(ROW, pl.col("src").str.extract_all(_JSON_KEY).alias("m"))
        .explode("m")
        .select(ROW, pl.col("m").str.extract(r'^"((?:[^"\\]|\\.)*)"', 1).alias("raw"))
        .drop_nulls("raw")
        .unique(maintain_order=True)
    )
    out = [pl.DataFrame(schema=PAIRS_SCHEMA)]
    for raw in keys.get_column("raw").unique(maintain_order=True).to_list():
        try:
            key = pl.Series([f'"{raw}"']).str.json_decode(pl.String).item()
        except (Exception, pl.exceptions.PanicException):  # noqa: BLE001 - odd escape: skip
            continue
        path = _json_path([key])
        if path is None:
            continue
        rows = keys.filter(pl.col("raw") == raw).select(ROW)
        out.append(
            batch.join(rows, on=ROW, how="semi")
            .select(
                ROW,
                pl.lit(key).alias("key"),
                pl.col("src").str.json_path_match(path).alias("value"),
                pl.lit(False).alias("synthetic"),
            )
            .drop_nulls("value")
        )
    return pl.concat(out).sort(ROW, maintain_order=True)


_BARE_NAN = r"([:\[,]\s*)(NaN|-?Infinity)(\s*[,}\]])"


def _valid_rows(batch: pl.DataFrame) -> pl.DataFrame:
    """The rows that are JSON (checked by json_path_match). Python's json.dumps writes
    NaN/Infinity, which JSON lacks: such rows are kept with those tokens quoted. The original
    text is kept, not json_path_match's re-serialisation, which rounds floats differently."""
    valid = pl.col("src").str.json_path_match("$").is_not_null()
    good = batch.filter(valid)
    rest = batch.filter(~valid & pl.col("src").str.contains(_BARE_NAN)).with_columns(
        pl.col("src").str.replace_all(_BARE_NAN, '$1"$2"$3')
    )
    return pl.concat([good, rest.filter(valid)]) if rest.height else good


def json_pairs(batch: pl.DataFrame) -> tuple[pl.DataFrame, pl.Series]:
    """(pairs, rows decoded) for `batch` (ROW, src = one JSON object text per row).

    Decoded DECODE_ROWS rows at a time: the decoder holds about ten times the text while it
    infers the schema, and a record decodes the same in any batch (see the module docstring)."""
    if batch.height > DECODE_ROWS:
        parts = [
            json_pairs(batch.slice(i, DECODE_ROWS)) for i in range(0, batch.height, DECODE_ROWS)
        ]
        return pl.concat([p for p, _ in parts]), pl.concat([ok for _, ok in parts])
    fast = _try_decode(batch)
    if fast is not None:
        return fast, batch.get_column(ROW)
    out: list[pl.DataFrame] = [pl.DataFrame(schema=PAIRS_SCHEMA)]
    ok: list[pl.Series] = [pl.Series(ROW, [], pl.UInt32)]
    for group in _type_groups(batch).partition_by("sig", include_key=False, maintain_order=True):
        pairs = _try_decode(group)
        if pairs is None:  # an invalid row, or a clash the kinds do not show: look closer
            group = _valid_rows(group)
            failed: list[pl.Series] = []
            _decode_bisect(group, out, failed)
            if failed:
                rows = pl.concat(failed).implode()
                out.append(_top_level_pairs(group.filter(pl.col(ROW).is_in(rows))))
        else:
            out.append(pairs)
        ok.append(group.get_column(ROW))
    return pl.concat(out), pl.concat(ok)


def _json_unescape(quoted: pl.Expr) -> pl.Expr:
    """A JSON scalar token (quoted string, number, bool) -> its text, via the JSON decoder."""
    return (
        pl.format('{{"v":{}}}', quoted)
        .str.json_decode(pl.Struct({"v": pl.String}))
        .struct.field("v")
    )


def _expand_otel_attributes(pairs: pl.DataFrame) -> pl.DataFrame:
    """OpenTelemetry `attributes: [{key, value: {stringValue: ..}}]` -> one pair per entry. The
    raw list is kept as well only when some entry was not a scalar."""
    lists = conventions().get("otel_attribute_lists", [])
    is_list = pl.col("key").is_in(lists) & pl.col("value").str.starts_with('[{"key":')
    candidates = pairs.filter(is_list)
    if candidates.is_empty():
        return pairs
    entries = candidates.select(
        ROW,
        pl.col("value").str.extract_all(_OTEL_ENTRY).alias("e"),
        pl.col("value").str.count_matches(r"\{\"key\":").alias("n"),
        pl.col("key").alias("list_key"),
    ).with_columns(pl.col("e").list.len().alias("matched"))
    exploded = entries.explode("e").drop_nulls("e")
    try:
        expanded = exploded.select(
            ROW,
            _json_unescape(pl.format('"{}"', pl.col("e").str.extract(_OTEL_ENTRY, 1))).alias("key"),
            _json_unescape(pl.col("e").str.extract(_OTEL_ENTRY, 3)).alias("value"),
            pl.lit(False).alias("synthetic"),
        )
    except (Exception, pl.exceptions.PanicException):  # noqa: BLE001 - keep the raw list
        return pairs
    complete = entries.filter(pl.col("matched") == pl.col("n")).select(ROW, "list_key")
    kept = pairs.join(complete.rename({"list_key": "key"}), on=[ROW, "key"], how="anti")
    return pl.concat([kept, expanded.filter(pl.col("key").is_not_null())])


# --------------------------------------------------------------------------------------------
# logfmt -> pairs


def _logfmt_unquote(value: pl.Expr) -> pl.Expr:
    """A logfmt value as written -> its text: quotes removed, \\" \\\\ \\n \\t \\r unescaped."""
    quoted = value.str.starts_with('"') & value.str.ends_with('"') & (value.str.len_chars() >= 2)
    inner = (
        value.str.slice(1)
        .str.head(-1)
        .str.replace_all(r"\\\\", "\x00")
        .str.replace_all(r"\\\"", '"')
        .str.replace_all(r"\\n", "\n")
        .str.replace_all(r"\\t", "\t")
        .str.replace_all(r"\\r", "\r")
        .str.replace_all("\x00", "\\", literal=True)
    )
    return pl.when(quoted).then(inner).otherwise(value)


def logfmt_pairs(batch: pl.DataFrame) -> pl.DataFrame:
    """(row, key, value) pairs of logfmt lines (`batch`: ROW, src = the line)."""
    return (
        batch.select(ROW, pl.col("src").str.extract_all(_LOGFMT_PAIR).alias("m"))
        .explode("m")
        .drop_nulls("m")
        .select(
            ROW,
            pl.col("m").str.extract(r"^([^=]+)=", 1).alias("key"),
            _logfmt_unquote(pl.col("m").str.extract(r"(?s)^[^=]+=(.*)$", 1)).alias("value"),
            pl.lit(False).alias("synthetic"),
        )
    )


def _is_logfmt(line: pl.Expr) -> pl.Expr:
    """A line starting with a known logfmt key, or with enough key=value pairs from its start."""
    conv = conventions()
    first_key = line.str.extract(r"^([A-Za-z_@][\w.@/-]*)=", 1)
    return line.str.contains(_LOGFMT_START) & (
        first_key.is_in(conv.get("logfmt_keys", []))
        | (
            line.str.count_matches(r"(?:^|\s)" + _LOGFMT_PAIR)
            >= int(conv.get("logfmt_min_pairs", 2))
        )
    )


# --------------------------------------------------------------------------------------------
# pairs -> fields


def _composites(pairs: pl.DataFrame) -> pl.DataFrame:
    """Synthetic time pairs built from two fields (log4j2 `instant` seconds + nanoseconds)."""
    out = []
    for name, spec in conventions().get("timestamp_composites", {}).items():
        sec = pairs.filter(pl.col("key") == spec["seconds"]).select(ROW, pl.col("value").alias("s"))
        if sec.is_empty():
            continue
        nanos = pairs.filter(pl.col("key") == spec["nanos"]).select(ROW, pl.col("value").alias("n"))
        out.append(
            sec.join(nanos, on=ROW, how="left").select(
                ROW,
                pl.lit(str(name)).alias("key"),
                pl.format(
                    "{}.{}", pl.col("s"), pl.col("n").fill_null("0").str.pad_start(9, "0")
                ).alias("value"),
                pl.lit(True).alias("synthetic"),
            )
        )
    return pl.concat([pairs, *out]) if out else pairs


def _list_members(pairs: pl.DataFrame) -> pl.DataFrame:
    """Synthetic `<array>.<member>` pairs for the named string members of arrays of objects
    (.NET `Scopes`), read from the array's JSON text: the first member wins; a value with an
    escape is skipped. A member name inside a string value is escaped, so it never matches."""
    out = [pairs]
    for name, members in conventions().get("list_members", {}).items():
        arrays = pairs.filter((pl.col("key") == name) & pl.col("value").str.starts_with("[{"))
        if arrays.is_empty():
            continue
        found = arrays.select(
            ROW,
            *[
                pl.col("value")
                .str.extract(rf'[{{,]\s*"{_regex_literal(m)}"\s*:\s*"([^"\\]*)"', 1)
                .alias(f"{name}.{m}")
                for m in members
            ],
        )
        out.append(
            found.unpivot(index=ROW, variable_name="key", value_name="value")
            .drop_nulls("value")
            .with_columns(pl.lit(True).alias("synthetic"))
        )
    return pl.concat(out) if len(out) > 1 else pairs


_TS_MIN = pl.datetime(1980, 1, 1, time_zone="UTC")
_TS_MAX = pl.datetime(2200, 1, 1, time_zone="UTC")


def _iso_times(df: pl.DataFrame, tz: str) -> pl.DataFrame:
    """`out` for ISO-8601 / RFC 3339 text in `_v`: zoned and naive rows parsed apart so each
    row is parsed once (the common case, a Z or offset, never touches the time zone database)."""
    df = df.with_columns(
        pl.col("_v")
        .str.replace(ISO_FULL, "${1}-${2}-${3}T${4}:${5}:${6}.${7}0|${8}")
        .str.split_exact("|", 1)
        .alias("_c")
    ).with_columns(
        pl.col("_c").struct.field("field_0").alias("_iso"),
        iso_zone(pl.col("_c").struct.field("field_1")).alias("_z"),
    )
    zoned = df.filter(pl.col("_z") != "").with_columns(
        (pl.col("_iso") + pl.col("_z"))
        .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f%#z", time_unit="us", time_zone="UTC", strict=False)
        .alias("out")
    )
    local = df.filter(pl.col("_z") == "")
    naive = local.with_columns(pl.lit(None, pl.Datetime("us", "UTC")).alias("out"))
    if local.height:
        naive = local.with_columns(
            pl.col("_iso")
            .str.to_datetime("%Y-%m-%dT%H:%M:%S%.f", time_unit="us", strict=False)
            .dt.replace_time_zone(tz, ambiguous="earliest", non_existent="null")
            .dt.convert_time_zone("UTC")
            .alias("out")
        )
    return pl.concat(
        [zoned, naive.with_columns(pl.col("out").cast(pl.Datetime("us", "UTC")))]
    ).drop("_c", "_iso", "_z")


def _timestamps(cand: pl.DataFrame, tz: str) -> pl.DataFrame:
    """Time candidates with `out` (UTC): epoch digits (unit given or by magnitude), ISO-8601 /
    RFC 3339, scientific-notation epochs, else any form the generic parser reads (Common Log
    Format, syslog, ...). Implausible years give null. Each form runs only on the rows the
    earlier ones could not read."""
    out_dtype = pl.Datetime("us", "UTC")
    cand = cand.with_columns(pl.col("value").str.strip_chars().alias("_v")).with_columns(
        pl.col("_v").str.extract_groups(r"^(?P<i>\d+)(?:\.(?P<f>\d+))?$").alias("_num")
    )
    digits = pl.col("_num").struct.field("i")
    unit = pl.when(pl.col("param") != "").then(pl.col("param")).otherwise(epoch_unit(digits))
    numeric = cand.filter(digits.is_not_null()).with_columns(
        epoch_to_datetime(digits, pl.col("_num").struct.field("f"), unit).alias("out")
    )
    text = _iso_times(cand.filter(digits.is_null()), tz)
    done = pl.concat([numeric, text.cast({"out": out_dtype})])
    rest = done.filter(pl.col("out").is_null())
    if rest.height:
        sci = pl.col("_v").cast(pl.Float64, strict=False)
        sci_us = (
            pl.when(sci < 1e11)
            .then(sci * 1e6)
            .when(sci < 1e14)
            .then(sci * 1e3)
            .when(sci < 1e17)
            .then(sci)
            .otherwise(sci / 1e3)
        )
        rest = rest.with_columns(
            pl.when(sci > 0).then(sci_us.cast(pl.Int64, strict=False).cast(out_dtype)).alias("out")
        )
        other = rest.filter(pl.col("out").is_null())
        if other.height:
            other = leading_timestamp(other, "_v", "observed", tz)
            other = other.with_columns(pl.col("_ts").alias("out")).select(rest.columns)
        rest = pl.concat([rest.filter(pl.col("out").is_not_null()), other])
        done = pl.concat([done.filter(pl.col("out").is_not_null()), rest])
    out = pl.col("out")
    return done.with_columns(pl.when(out.is_between(_TS_MIN, _TS_MAX)).then(out).alias("out"))


def _stack_class(stack: pl.Expr) -> pl.Expr:
    """Exception class of a stack trace: the last `Name: msg` line of a Python traceback, the
    first `exc_type` of structlog's dict tracebacks, else the first line's class (Java,
    JavaScript, .NET)."""
    python = stack.str.extract_all(_PY_LAST).list.last().str.extract(r"^([\w.]+)", 1)
    return (
        pl.when(stack.str.contains(r"^\s*Traceback \(most recent call last\):"))
        .then(python)
        .when(stack.str.starts_with("["))
        .then(stack.str.extract(r'"exc_type":\s*"([^"]+)"', 1))
        .otherwise(stack.str.extract(_STACK_FIRST, 1))
    )


def _go_duration_ms(value: pl.Expr) -> pl.Expr:
    """Go time.Duration text (1.5s, 250ms, 1m2.5s, 120µs) -> milliseconds."""
    parts = value.str.extract_all(r"\d+(?:\.\d+)?(?:ns|us|µs|μs|ms|h|m|s)")
    total = parts.list.eval(
        pl.element().str.extract(r"^([\d.]+)", 1).cast(pl.Float64)
        * pl.element()
        .str.extract(r"([a-zµμ]+)$", 1)
        .replace_strict(_GO_UNITS_MS, default=None, return_dtype=pl.Float64)
    ).list.sum()
    return pl.when(value.str.contains(_GO_DURATION)).then(total)


def _converted(cand: pl.DataFrame, target: str, tz: str) -> pl.DataFrame:
    """Candidates of one target with `out` = the converted value (null = unusable)."""
    value = pl.col("value")
    param = pl.col("param")
    if target == "timestamp":
        return _timestamps(cand, tz).filter(pl.col("out").is_not_null())
    if target == "level_number":
        number = value.str.extract(r"^\s*(?:<?SeverityNumber\.\w+:\s*)?(\d{1,10})>?\s*$", 1)
        out = pl.lit(None, pl.String)
        for scheme in cand.get_column("param").unique().to_list():
            out = pl.when(param == scheme).then(numeric_severity(number, scheme)).otherwise(out)
    elif target == "error_class":
        out = pl.when(param == "stack").then(_stack_class(value)).otherwise(value.str.strip_chars())
        out = pl.when(out != "").then(out)
    elif target == "duration_ms":
        factor = param.cast(pl.Float64, strict=False)
        out = (
            pl.when(param == "go")
            .then(_go_duration_ms(value.str.strip_chars()))
            .otherwise(value.cast(pl.Float64, strict=False) * factor)
        )
    elif target == "pid":
        out = value.cast(pl.Int32, strict=False)
    elif target in ("message", "level"):
        out = value
    elif target == "trace_id":
        # Cloud Logging's trace name `projects/<project>/traces/<id>`: the id is what other
        # services (OpenTelemetry, W3C traceparent) write. All zeros is W3C's / OpenTelemetry's
        # invalid id (no active span): not a correlation key, so it stays an attribute.
        bare = value.str.replace(_GCP_TRACE, "")
        out = pl.when(bare.str.contains(r"[^0\s]")).then(bare)
    else:
        out = pl.when(value.str.strip_chars() != "").then(value)
    return cand.with_columns(out.alias("out")).filter(pl.col("out").is_not_null())


def select_fields(
    pairs: pl.DataFrame, observed: pl.DataFrame, tz: str
) -> tuple[dict[str, pl.DataFrame], pl.Series]:
    """Per target the chosen (ROW, out), and a mask over `pairs` of the pairs consumed.

    Per record and target the convertible candidate of best priority wins; ties (a logfmt key
    written twice) go to the first written."""
    indexed = pairs.with_row_index("_pair")
    general, special = _rules_frames()
    cand = indexed.join(general, on="key", how="inner")
    mine = indexed.filter(pl.col("key").is_in(special.get_column("key").unique().implode())).join(
        special, on="key", how="inner"
    )
    if mine.height:
        wanted = mine.select(ROW, "producer").unique()
        mine = mine.join(_producer_rows(pairs, wanted), on=[ROW, "producer"], how="semi")
        cand = pl.concat([cand, mine])
    chosen: dict[str, pl.DataFrame] = {}
    consumed: list[pl.Series] = [pl.Series("_pair", [], pl.UInt32)]
    for target, group in cand.partition_by("target", as_dict=True).items():
        name = str(target[0] if isinstance(target, tuple) else target)
        if name == "timestamp":
            group = group.join(observed, on=ROW, how="left")
        best = _converted(group, name, tz).sort(ROW, "prio", "_pair")
        best = best.filter(pl.col(ROW).ne_missing(pl.col(ROW).shift(1)))
        chosen[name] = best.select(ROW, "out")
        # a stack trace names the error class but is kept whole in attributes; so is a trace
        # name whose id was cut out of it (its project)
        keep = pl.col("synthetic") | (pl.col("param") == "stack")
        if name == "trace_id":
            keep = keep | (pl.col("out") != pl.col("value"))
        consumed.append(best.filter(~keep).get_column("_pair"))
    used = pl.repeat(False, pairs.height, dtype=pl.Boolean, eager=True).scatter(
        pl.concat(consumed), True
    )
    return chosen, used


def _implicit_level(pairs: pl.DataFrame) -> pl.DataFrame:
    """(ROW, level) for records whose format implies a level when none is written (CLEF)."""
    implicit = {str(k): str(v) for k, v in conventions().get("implicit_level", {}).items()}
    return (
        pairs.filter(pl.col("key").is_in(list(implicit)))
        .select(
            ROW, pl.col("key").replace_strict(implicit, return_dtype=pl.String).alias("implicit")
        )
        .unique(ROW, keep="first")
    )


# --------------------------------------------------------------------------------------------
# the parser


class StructuredParser:
    name = "structured"

    def starts_record(self, line: pl.Expr) -> pl.Expr:
        """JSON / logfmt lines start records; indented, `Caused by:`, traceback, exception-class
        and closing-bracket lines (stack traces, pretty-printed JSON) continue them."""
        return ~line.fill_null("").str.contains(CONTINUATION)

    def parse(self, events: pl.DataFrame, options: ParseOptions) -> pl.DataFrame:
        tz = options.timezone
        n = events.height
        text = pl.col("text").fill_null("")
        lines = text.str.splitn("\n", 2)
        first = lines.struct.field("field_0")
        first_s = first.str.strip_chars()
        whole = text.str.strip_chars()
        whole_json = whole.str.starts_with("{") & whole.str.ends_with("}")
        first_json = first_s.str.starts_with("{") & first_s.str.ends_with("}")
        group = [c for c in ("container_id", "stream") if c in events.columns]
        base = events.select(
            text.alias("text"),
            observed_utc(events).alias("observed"),
            pl.when(whole_json).then(whole).when(first_json).then(first_s).alias("json_src"),
            pl.when(~whole_json).then(lines.struct.field("field_1")).alias("tail"),
            first.alias("first"),
            *[pl.col(c) for c in group],
        ).with_row_index(ROW)
        base = base.with_columns(
            (pl.col("json_src").is_null() & _is_logfmt(pl.col("first"))).alias("is_logfmt")
        )

        # JSON: one decode per container (one app, usually one consistent schema)
        json_rows = base.filter(pl.col("json_src").is_not_null())
        jpairs = [pl.DataFrame(schema=PAIRS_SCHEMA)]
        json_ok = [pl.Series(ROW, [], pl.UInt32)]
        parts = json_rows.partition_by(group, maintain_order=True) if group else [json_rows]
        for part in parts:
            if part.height:
                p, ok = json_pairs(part.select(ROW, pl.col("json_src").alias("src")))
                jpairs.append(p)
                json_ok.append(ok)
        lf_batch = base.filter(pl.col("is_logfmt")).select(ROW, pl.col("first").alias("src"))
        if lf_batch.height:
            jpairs.append(logfmt_pairs(lf_batch).cast(PAIRS_SCHEMA))
        pairs = _list_members(_composites(_expand_otel_attributes(pl.concat(jpairs))))
        chosen, used = select_fields(pairs, base.select(ROW, "observed"), tz)
        # attributes sorted by key (stable for repeated logfmt keys): the order must not depend
        # on which other records were decoded in the same batch
        attrs = (
            pairs.filter(~pl.col("synthetic") & ~used)
            .sort(ROW, "key", maintain_order=True)
            .group_by(ROW)
            .agg(pl.struct("key", "value").cast(ATTRIBUTES_DTYPE.inner).alias("out"))
        )

        def spread(frame: pl.DataFrame | None, dtype: pl.DataType) -> pl.Series:
            """A (ROW, out) frame with unique rows -> a full-length column (null elsewhere)."""
            if frame is None or frame.is_empty():
                return pl.repeat(None, n, dtype=dtype, eager=True)
            pos = pl.repeat(None, n, dtype=pl.UInt32, eager=True).scatter(
                frame.get_column(ROW), pl.arange(0, frame.height, dtype=pl.UInt32, eager=True)
            )
            return frame.get_column("out").cast(dtype).gather(pos)

        ok_flag = pl.repeat(False, n, dtype=pl.Boolean, eager=True).scatter(
            pl.concat(json_ok), True
        )
        implicit = _implicit_level(pairs).rename({"implicit": "out"})
        wide = base.with_columns(
            ok_flag.alias("json_ok"),
            spread(attrs, ATTRIBUTES_DTYPE).alias("attributes"),
            spread(implicit, pl.String).alias("implicit"),
            *[
                spread(chosen.get(name), dtype).alias(name)
                for name, dtype in (
                    ("timestamp", pl.Datetime("us", "UTC")),
                    ("level", pl.String),
                    ("level_number", pl.String),
                    ("message", pl.String),
                    ("logger", pl.String),
                    ("request_id", pl.String),
                    ("trace_id", pl.String),
                    ("error_class", pl.String),
                    ("duration_ms", pl.Float64),
                    ("pid", pl.Int32),
                )
            ],
        ).with_columns((pl.col("json_ok") | pl.col("is_logfmt")).alias("structured"))

        src = pl.coalesce(pl.col("json_src"), pl.col("first"))
        message = pl.coalesce(pl.col("message"), src)
        tail = pl.col("tail").str.replace(TRAILING_BLANK_LINES, "")
        message = (
            pl.when(tail.str.strip_chars() != "").then(message + "\n" + tail).otherwise(message)
        )
        structured = wide.filter(pl.col("structured")).select(
            ROW,
            "timestamp",
            pl.coalesce(pl.col("level"), pl.col("implicit")).alias("severity_text"),
            pl.col("level_number").alias("severity"),
            pl.col("logger").alias("component"),
            message.fill_null("").alias("message"),
            "request_id",
            "trace_id",
            "error_class",
            "duration_ms",
            "pid",
            pl.when(pl.col("json_ok") | pl.col("first").str.contains(_LOGFMT_FULL))
            .then(pl.lit("ok"))
            .otherwise(pl.lit("partial"))
            .alias("parse_status"),
            "attributes",
        )
        fallback = wide.filter(~pl.col("structured"))
        if fallback.is_empty():
            return conform(structured)
        generic = pl.concat(
            [fallback.select(ROW), parse_generic(fallback, "text", "observed", tz)],
            how="horizontal",
        ).with_columns(
            # not JSON / logfmt, so the structure this parser expects was not found
            pl.col("parse_status").replace("ok", "partial")
        )
        if structured.is_empty():
            return conform(generic)
        return conform(pl.concat([conform_rows(structured), conform_rows(generic)]).sort(ROW))


def conform_rows(frame: pl.DataFrame) -> pl.DataFrame:
    """ROW plus the parsed columns, typed, so structured and fallback rows stack."""
    return pl.concat([frame.select(ROW), conform(frame)], how="horizontal")


PARSER = StructuredParser()
