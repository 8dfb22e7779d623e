"""The data contracts in `schemas/`, turned into pyarrow schemas.

The JSON files are the source of truth; code derives Arrow types from them, never the other way
round, so a contract change is a reviewed data change.
"""

import json
import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import pyarrow as pa

SCHEMA_DIR = Path(__file__).resolve().parent / "schemas"  # repo root `schemas` links here
METADATA_NAME = b"logadapt.schema.name"
METADATA_VERSION = b"logadapt.schema.version"

_SIMPLE_TYPES: dict[str, pa.DataType] = {
    "string": pa.string(),
    "large_string": pa.large_string(),
    "binary": pa.binary(),
    "bool": pa.bool_(),
    "int8": pa.int8(),
    "int16": pa.int16(),
    "int32": pa.int32(),
    "int64": pa.int64(),
    "float": pa.float32(),
    "double": pa.float64(),
    "date32": pa.date32(),
}
_TIMESTAMP = re.compile(r"timestamp\[(s|ms|us|ns)(?:, tz=([^\]]+))?\]")
_MAP = re.compile(r"map<(\w+), (\w+)>")
_LIST = re.compile(r"list<(?:item: )?(\w+)>")


def arrow_type(spec: str) -> pa.DataType:
    """Parse a type as the contracts write it (pyarrow's own `str(type)` spelling)."""
    if spec in _SIMPLE_TYPES:
        return _SIMPLE_TYPES[spec]
    if m := _TIMESTAMP.fullmatch(spec):
        return pa.timestamp(m.group(1), tz=m.group(2))
    if m := _MAP.fullmatch(spec):
        return pa.map_(arrow_type(m.group(1)), arrow_type(m.group(2)))
    if m := _LIST.fullmatch(spec):
        return pa.list_(arrow_type(m.group(1)))
    raise ValueError(f"unknown type in schema contract: {spec!r}")


@dataclass(frozen=True)
class Contract:
    """One versioned dataset contract: name, version, columns and the Arrow schema they make."""

    name: str
    version: str
    partition_columns: tuple[str, ...]
    sort_by: tuple[str, ...]
    arrow: pa.Schema

    @property
    def major(self) -> int:
        return int(self.version.split(".")[0])

    @property
    def metadata(self) -> dict[bytes, bytes]:
        return {METADATA_NAME: self.name.encode(), METADATA_VERSION: self.version.encode()}

    def with_metadata(self) -> pa.Schema:
        return self.arrow.with_metadata(self.metadata)


def contract_from_dict(doc: dict) -> Contract:
    fields = [
        pa.field(
            c["name"],
            arrow_type(c["type"]),
            nullable=c["nullable"],
            metadata={b"description": c.get("description", "").encode()},
        )
        for c in doc["columns"]
    ]
    return Contract(
        name=doc["name"],
        version=doc["version"],
        partition_columns=tuple(doc.get("partition_columns", ())),
        sort_by=tuple(doc.get("sort_by", ())),
        arrow=pa.schema(fields),
    )


@cache
def load_contract(name: str, major: int = 1) -> Contract:
    """The contract `schemas/<name>.v<major>.json`."""
    path = SCHEMA_DIR / f"{name}.v{major}.json"
    return contract_from_dict(json.loads(path.read_text()))


def log_event_schema() -> pa.Schema:
    return load_contract("log_event").arrow


def schema_diff(expected: pa.Schema, actual: pa.Schema) -> dict[str, list]:
    """Columns missing, extra, or with another type/nullability: the drift check's evidence."""
    exp = {f.name: f for f in expected}
    act = {f.name: f for f in actual}
    return {
        "missing_columns": [n for n in exp if n not in act],
        "extra_columns": [n for n in act if n not in exp],
        "type_changes": [
            {"column": n, "expected": str(exp[n].type), "actual": str(act[n].type)}
            for n in exp
            if n in act and not exp[n].type.equals(act[n].type)
        ],
        "nullability_changes": [
            {"column": n, "expected": exp[n].nullable, "actual": act[n].nullable}
            for n in exp
            if n in act and exp[n].nullable != act[n].nullable
        ],
    }
