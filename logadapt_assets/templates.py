"""Message templates: the first line of a message with its variables masked, and a stable id.

Events of the same shape (`Rolled new log segment at offset <num> in <num> ms.`) share one
template id whatever their numbers, ids, hosts or paths, so anomaly features can count shapes.
The masks are data (`rules/templates.yaml`). Ids are blake2b digests of the template text:
identical across runs, processes and machines (unlike `pl.Series.hash`).
"""

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import polars as pl
import yaml

RULES_PATH = Path(__file__).resolve().parent / "rules" / "templates.yaml"


@cache
def _rules() -> dict[str, Any]:
    doc = yaml.safe_load(RULES_PATH.read_text())
    for mask in doc["masks"]:
        if not {"name", "regex", "replacement"} <= set(mask):
            raise ValueError(f"templates.yaml: mask {mask!r} needs name, regex, replacement")
    return doc


def rules_version() -> int:
    """Version of the mask table (ids change with it): for asset metadata."""
    return int(_rules()["version"])


def _first_line(message: pl.Expr) -> pl.Expr:
    return message.str.split_exact("\n", 1).struct.field("field_0").str.strip_chars_end("\r ")


def _masked(first_line: pl.Expr) -> pl.Expr:
    expr = first_line
    for mask in _rules()["masks"]:
        expr = expr.str.replace_all(mask["regex"], mask["replacement"])
    return expr.str.slice(0, int(_rules()["max_chars"]))


def template_text(message: pl.Expr) -> pl.Expr:
    """First line of `message` with numbers, ids, addresses, paths and values masked (the
    output keeps the input's name)."""
    return _masked(_first_line(message)).name.keep()


def stable_id(text: str) -> str:
    """16 hex chars identifying `text`, the same on every machine and Python process."""
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


def template_ids(templates: pl.Series) -> pl.Series:
    """Stable ids of a column of template texts (hashes each distinct template once)."""
    distinct = templates.drop_nulls().unique()
    mapping = {t: stable_id(t) for t in distinct.to_list()}
    if not mapping:
        return pl.repeat(None, templates.len(), dtype=pl.String, eager=True).alias(templates.name)
    return templates.replace_strict(mapping, default=None, return_dtype=pl.String)


def _ids_of_messages(messages: pl.Series) -> pl.Series:
    """Template ids of a message column, masking each distinct first line once: an app logs
    the same few first lines over and over (`request completed`), and the masks are ~25 regex
    passes."""
    first = messages.to_frame("m").select(_first_line(pl.col("m"))).to_series()
    distinct = first.drop_nulls().unique()
    if distinct.len() == 0:
        return pl.repeat(None, messages.len(), dtype=pl.String, eager=True).alias(messages.name)
    ids = template_ids(distinct.to_frame("m").select(_masked(pl.col("m"))).to_series())
    return first.replace_strict(distinct, ids, default=None, return_dtype=pl.String).rename(
        messages.name
    )


def template_id(message: pl.Expr) -> pl.Expr:
    """Expression: the stable template id of each message (null for a null message)."""
    return message.map_batches(_ids_of_messages, return_dtype=pl.String).name.keep()
