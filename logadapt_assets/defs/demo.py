"""`make demo`: generate a few hours of a platform, run them through the Dagster assets on the
instance of $DAGSTER_HOME, and summarise what landed in the lake."""

import json
import warnings
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import dagster as dg
import polars as pl

from logadapt_assets.definitions import JOB_NAME, build_definitions
from logadapt_assets.generate import generate
from logadapt_assets.lake import Lake

DEMO_START = datetime(2026, 11, 1, tzinfo=UTC)
RANGE_START, RANGE_END = "dagster/asset_partition_range_start", "dagster/asset_partition_range_end"


def _key(t: datetime) -> str:
    return t.strftime("%Y-%m-%d-%H:00")


def run_demo(
    out: Path,
    hours: int = 4,
    seed: int = 7,
    scale: float = 0.3,
    echo: Callable[[str], None] = print,
) -> dict:
    """Generate, materialise every hour in one ranged run, and return the summary it printed."""
    warnings.filterwarnings("ignore", category=dg.BetaWarning)
    warnings.filterwarnings("ignore", category=dg.PreviewWarning)
    out = Path(out).resolve()
    echo(f"generating {hours} h of a Kafka + PostgreSQL + apps platform (seed {seed}) ...")
    report = generate(out / "source", hours=hours, seed=seed, start=DEMO_START, scale=scale)
    lake_root, source = str(out / "lake"), str(out / "source" / "containers")
    defs = build_definitions(start_date=_key(DEMO_START), lake_root=lake_root, source=source)
    job = defs.resolve_job_def(JOB_NAME)
    tags = {RANGE_START: _key(DEMO_START), RANGE_END: _key(DEMO_START + timedelta(hours=hours - 1))}
    echo(f"materialising {hours} hourly partitions through the Dagster assets (one ranged run) ...")
    with dg.DagsterInstance.get() as instance:
        result = job.execute_in_process(instance=instance, tags=tags, raise_on_error=False)
        checks = {e.check_name: e.passed for e in result.get_asset_check_evaluations()}
    events = pl.from_arrow(Lake(lake_root).read("log_events"))
    labels = json.loads(report.labels_path.read_text())
    summary = {
        "success": result.success,
        "run_id": result.run_id,
        "lines_generated": sum(report.lines.values()),
        "events": events.height,
        "rows_per_service": dict(events.group_by("service").len().sort("service").rows()),
        "parse_ok_share": round(float((events["parse_status"] == "ok").mean()), 4),
        "top_event_types": events.filter(pl.col("event_type") != "other")
        .group_by("event_type")
        .len()
        .sort("len", descending=True)
        .head(10)
        .rows(),
        "checks": checks,
        "incidents": [_incident_found(events, inc) for inc in labels["incidents"]],
        "lake": lake_root,
    }
    _print(summary, echo, source)
    return summary


def _incident_found(events: pl.DataFrame, incident: dict) -> dict:
    """Events of the incident's expected types inside its labelled window."""
    start = datetime.fromisoformat(incident["start"].replace("Z", "+00:00"))
    end = datetime.fromisoformat(incident["end"].replace("Z", "+00:00"))
    hits = events.filter(
        pl.col("timestamp").is_between(start, end)
        & pl.col("event_type").is_in(incident["expected_event_types"])
    )
    return {
        "scenario": incident["scenario"],
        "start": incident["start"],
        "events": hits.height,
        "found": hits.height > 0,
    }


def _print(s: dict, echo: Callable[[str], None], source: str) -> None:
    echo("")
    echo(f"run {s['run_id']}: {'SUCCESS' if s['success'] else 'FAILED'}")
    echo(
        f"{s['lines_generated']:,} lines -> {s['events']:,} events, "
        f"parse ok {s['parse_ok_share']:.2%}"
    )
    echo("events per service: " + ", ".join(f"{k}={v:,}" for k, v in s["rows_per_service"].items()))
    echo("top event types:    " + ", ".join(f"{t}={n}" for t, n in s["top_event_types"]))
    echo(
        "checks:             "
        + ", ".join(f"{k}={'pass' if v else 'FAIL'}" for k, v in sorted(s["checks"].items()))
    )
    echo("incidents (labels.json) seen in the lake:")
    for inc in s["incidents"]:
        mark = "found" if inc["found"] else "MISSED"
        echo(f"  {inc['scenario']:<22} {inc['start']}  {mark} ({inc['events']} events)")
    echo(f"lake: {s['lake']}/log_events/service=*/date=*/hour=*/part-0.parquet")
    echo(f"open the UI on it: LOGADAPT_LAKE_ROOT={s['lake']} LOGADAPT_SOURCE={source} make ui")
