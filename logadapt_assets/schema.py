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


_WIDENINGS: dict[str, tuple[str, ...]] = {
    "int8": ("int16", "int32", "int64"),
    "int16": ("int32", "int64"),
    "int32": ("int64",),
    "float": ("double",),
    "string": ("large_string",),
    "binary": ("large_binary",),
}
_UNITS = ["s", "ms", "us", "ns"]


def _is_widening(old: pa.DataType, new: pa.DataType) -> bool:
    if old.equals(new):
        return True
    if pa.types.is_timestamp(old) and pa.types.is_timestamp(new):
        return old.tz == new.tz and _UNITS.index(new.unit) >= _UNITS.index(old.unit)
    return str(new) in _WIDENINGS.get(str(old), ())


def evolution_violations(released: Contract, current: Contract) -> list[str]:
    """Why `current` is not a legal minor evolution of `released` (empty list: it is).

    See schemas/EVOLUTION.md: only nullable additions, widenings and relaxed nullability.
    """
    if released.name != current.name:
        return [f"name changed: {released.name} -> {current.name}"]
    if released.major != current.major:
        return []  # a new major version is a new contract, judged by its migration note
    problems = []
    if tuple(map(int, current.version.split("."))) < tuple(map(int, released.version.split("."))):
        problems.append(f"version went backwards: {released.version} -> {current.version}")
    if released.partition_columns != current.partition_columns:
        problems.append("partition columns changed")
    cur = {f.name: f for f in current.arrow}
    for f in released.arrow:
        if f.name not in cur:
            problems.append(f"column removed or renamed: {f.name}")
            continue
        if not _is_widening(f.type, cur[f.name].type):
            problems.append(f"type of {f.name} changed: {f.type} -> {cur[f.name].type}")
        if f.nullable and not cur[f.name].nullable:
            problems.append(f"{f.name} made non-nullable")
    old_names = {f.name for f in released.arrow}
    for f in current.arrow:
        if f.name not in old_names and not f.nullable:
            problems.append(f"added column {f.name} must be nullable")
    shape = [(f.name, str(f.type), f.nullable) for f in released.arrow]
    if (
        not problems
        and shape != [(f.name, str(f.type), f.nullable) for f in current.arrow]
        and (released.version == current.version)
    ):
        problems.append(f"columns changed without a version bump (still {current.version})")
    return problems


def released_contracts() -> list[Contract]:
    """Every frozen released contract in schemas/released/."""
    return [
        contract_from_dict(json.loads(p.read_text()))
        for p in sorted((SCHEMA_DIR / "released").glob("*.json"))
    ]
