import copy
import json

import pyarrow as pa
import pytest

from logadapt_assets.schema import (
    SCHEMA_DIR,
    arrow_type,
    contract_from_dict,
    evolution_violations,
    load_contract,
    released_contracts,
)

# The schema v1 table of DESIGN.md, column by column: the contract must not drift from it.
DESIGN_V1 = [
    ("event_id", "string", False),
    ("timestamp", "timestamp[us, tz=UTC]", False),
    ("observed_at", "timestamp[ns, tz=UTC]", False),
    ("environment", "string", True),
    ("cluster_id", "string", True),
    ("host", "string", True),
    ("container_id", "string", False),
    ("container_name", "string", True),
    ("image", "string", True),
    ("stream", "string", False),
    ("severity", "string", True),
    ("severity_number", "int8", True),
    ("severity_text", "string", True),
    ("component", "string", True),
    ("message", "string", False),
    ("line_count", "int32", False),
    ("event_type", "string", False),
    ("template_id", "string", True),
    ("broker_id", "int32", True),
    ("topic", "string", True),
    ("partition", "int32", True),
    ("consumer_group", "string", True),
    ("request_type", "string", True),
    ("request_id", "string", True),
    ("trace_id", "string", True),
    ("error_class", "string", True),
    ("sqlstate", "string", True),
    ("pid", "int32", True),
    ("db_user", "string", True),
    ("db_name", "string", True),
    ("client_addr", "string", True),
    ("duration_ms", "double", True),
    ("parser", "string", False),
    ("parse_status", "string", False),
    ("attributes", "map<string, string>", True),
]


def test_log_event_contract_is_the_design_table():
    schema = load_contract("log_event").arrow
    assert [(f.name, str(f.type), f.nullable) for f in schema] == DESIGN_V1
    assert load_contract("log_event").partition_columns == ("service", "date", "hour")


@pytest.mark.parametrize(
    "spec",
    ["string", "int8", "timestamp[ns, tz=UTC]", "double", "map<string, string>", "bool", "binary"],
)
def test_type_spelling_round_trips_through_pyarrow(spec):
    assert str(arrow_type(spec)) == spec


def test_unknown_type_is_a_clear_error():
    with pytest.raises(ValueError, match="unknown type"):
        arrow_type("decimal(3)")


def test_metadata_names_schema_and_version():
    contract = load_contract("log_event")
    meta = contract.with_metadata().metadata
    assert meta[b"logadapt.schema.name"] == b"log_event"
    assert meta[b"logadapt.schema.version"] == b"1.0"


def test_every_current_contract_is_a_legal_evolution_of_its_releases():
    released = released_contracts()
    assert {c.name for c in released} >= {"log_event", "quarantine", "raw_log"}
    for old in released:
        current = load_contract(old.name, old.major)
        assert evolution_violations(old, current) == [], old.name


def _doc():
    return json.loads((SCHEMA_DIR / "log_event.v1.json").read_text())


def _evolve(mutate, version="1.1"):
    doc = copy.deepcopy(_doc())
    mutate(doc["columns"])
    doc["version"] = version
    return contract_from_dict(doc)


def _column(cols, name):
    return next(c for c in cols if c["name"] == name)


@pytest.mark.parametrize(
    ("mutate", "problem"),
    [
        (lambda cols: cols.pop(0), "removed or renamed: event_id"),
        (lambda cols: _column(cols, "topic").update(name="topic_name"), "removed or renamed"),
        (lambda cols: _column(cols, "pid").update(type="int8"), "type of pid changed"),
        (lambda cols: _column(cols, "host").update(nullable=False), "host made non-nullable"),
        (
            lambda cols: cols.append({"name": "x", "type": "string", "nullable": False}),
            "must be nullable",
        ),
    ],
)
def test_breaking_changes_are_rejected(mutate, problem):
    violations = evolution_violations(load_contract("log_event"), _evolve(mutate))
    assert any(problem in v for v in violations), violations


def test_legal_minor_changes_pass():
    def mutate(cols):
        _column(cols, "pid").update(type="int64")
        cols.append({"name": "span_id", "type": "string", "nullable": True})

    assert evolution_violations(load_contract("log_event"), _evolve(mutate)) == []


def test_column_change_without_version_bump_is_rejected():
    def mutate(cols):
        cols.append({"name": "span_id", "type": "string", "nullable": True})

    violations = evolution_violations(load_contract("log_event"), _evolve(mutate, "1.0"))
    assert any("without a version bump" in v for v in violations)


def test_arrow_schema_is_usable_for_an_empty_table():
    table = load_contract("log_event").arrow.empty_table()
    assert isinstance(table, pa.Table) and table.num_columns == len(DESIGN_V1)
