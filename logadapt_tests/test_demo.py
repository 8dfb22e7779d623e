"""`make demo` in a reduced size: generate, run every asset through Dagster, summarise."""

import dagster as dg

from logadapt_assets.defs.demo import run_demo


def test_demo_runs_end_to_end_and_finds_the_incidents(tmp_path, monkeypatch):
    home = tmp_path / "dagster_home"
    home.mkdir()
    monkeypatch.setenv("DAGSTER_HOME", str(home))
    printed: list[str] = []
    summary = run_demo(tmp_path / "demo", hours=3, seed=11, scale=0.1, echo=printed.append)
    assert summary["success"]
    assert summary["checks"]["schema_contract"] and summary["checks"]["record_conservation"]
    assert summary["parse_ok_share"] >= 0.99
    assert set(summary["rows_per_service"]) >= {"kafka", "postgres", "orders-api"}
    assert summary["incidents"] and all(i["found"] for i in summary["incidents"]), summary
    text = "\n".join(printed)
    assert "SUCCESS" in text and "make ui" in text and str(tmp_path / "demo" / "lake") in text
    with dg.DagsterInstance.get() as instance:  # the run is on the instance the UI opens
        assert instance.get_run_by_id(summary["run_id"]).is_success
