"""Labels name what the pipeline writes: every expected event type is a rule-table name."""

import pytest

from logadapt_assets.event_types import load_rules
from logadapt_assets.generate.platform import build_platform, default_start
from logadapt_assets.generate.scenarios import SCENARIOS, plan


@pytest.mark.parametrize("kafka_mode", ["kraft", "zookeeper"])
def test_expected_event_types_are_rule_table_names(kafka_mode):
    names = {r["event_type"] for r in load_rules()}
    plat = build_platform(3, default_start(), 24, kafka_mode)
    incidents = plan(plat, None, 0.05)
    assert sorted(i.scenario for i in incidents) == sorted(SCENARIOS)
    for inc in incidents:
        assert inc.event_types, inc.scenario
        assert set(inc.event_types) <= names, (inc.scenario, set(inc.event_types) - names)
        assert {plat.containers[c].service for c in inc.containers} == set(inc.services)


def test_quiet_hours_keep_the_first_hours_free_of_incidents():
    plat = build_platform(3, default_start(), 48, "kraft")
    incidents = plan(plat, None, 0.05, quiet_hours=24)
    first_free = plat.start_ns + 24 * 3600 * 10**9
    assert len(incidents) == len(SCENARIOS)  # one day left: one of each
    assert all(first_free <= i.start_ns and i.end_ns <= plat.end_ns for i in incidents)
    assert len(plan(plat, None, 0.05)) == 2 * len(SCENARIOS)
    with pytest.raises(ValueError):
        plan(plat, None, 0.05, quiet_hours=48)
