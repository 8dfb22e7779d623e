from collections import Counter
from datetime import datetime, timedelta

import dagster as dg
import polars as pl

from logadapt_assets.anomalies import top_anomalies
from logadapt_assets.defs.resources import CatalogResource, LakeResource, LogSourceResource
from logadapt_assets.feature_store import (
    ANOMALIES,
    ANOMALY_FEATURES,
    LOG_TEMPLATES,
    materialize_anomalies,
    materialize_features,
    materialize_templates,
)
from logadapt_assets.inventory import save_inventory
from logadapt_assets.pipeline import (
    ENRICHED_EVENTS,
    LOG_EVENTS,
    PARSED_EVENTS,
    RAW_LOGS,
    Converter,
    ConvertReport,
    run_stage,
)
from logadapt_assets.quality import conservation_report, drift_report, ok_share_by_service
from logadapt_assets.schema import load_contract

GROUP = "logs"
PARSE_OK_THRESHOLD = 0.95  # below this share of parse_status=ok per service the check warns
PARSE_OK_MIN_EVENTS = 50  # a share over fewer events (a migration job's banner) says little


def table_schema(contract_name: str) -> dg.TableSchema:
    arrow = load_contract(contract_name).arrow
    return dg.TableSchema(columns=[dg.TableColumn(f.name, str(f.type)) for f in arrow])


def stage_metadata(report: ConvertReport, dataset: str, lake_root: str) -> dict:
    """Rows and bytes written, per service and per hour (ranged runs copy metadata onto every
    hour, so totals are named *_in_run and the per-hour split is a JSON value)."""
    files = [w for w in report.written if w.dataset == dataset]
    per_service: Counter = Counter()
    per_hour: Counter = Counter()
    for w in files:
        per_service[w.key.service] += w.rows
        per_hour[f"{w.key.date}-{w.key.hour}:00"] += w.rows
    quarantined = sum(report.quarantine_reasons.values())
    return {
        "rows_in_run": sum(per_service.values()),
        "bytes_in_run": sum(w.bytes for w in files),
        "files_written": len(files),
        "rows_per_service": dg.MetadataValue.json(dict(sorted(per_service.items()))),
        "rows_per_hour": dg.MetadataValue.json(dict(sorted(per_hour.items()))),
        "quarantined": quarantined,
        "quarantine_reasons": dg.MetadataValue.json(dict(report.quarantine_reasons)),
        "path": dg.MetadataValue.path(f"{lake_root}/{dataset}"),
    }


def _window(context: dg.AssetExecutionContext) -> tuple[datetime, datetime]:
    start, end = context.partition_time_window
    return start, end


def build_assets(partitions: dg.HourlyPartitionsDefinition) -> list[dg.AssetsDefinition]:
    """The asset graph raw_logs -> parsed_events -> enriched_events -> log_events on one
    partitions definition. Every asset handles a whole range in one pass (single_run)."""
    common = dict(
        partitions_def=partitions,
        backfill_policy=dg.BackfillPolicy.single_run(),
        group_name=GROUP,
    )

    @dg.asset(
        description="Log lines as the runtime captured them (partials joined, redacted), "
        "kept so any hour can be re-parsed after the runtime rotated its files away.",
        kinds={"parquet", "docker"},
        **common,
    )
    def raw_logs(
        context: dg.AssetExecutionContext,
        lake: LakeResource,
        log_source: LogSourceResource,
        catalog: CatalogResource,
    ) -> dg.MaterializeResult:
        start, end = _window(context)
        store = lake.lake()
        converter = Converter(store, catalog.catalog(), start, end, outputs=[RAW_LOGS])
        with log_source.open() as source:
            report = converter.process_all(source.read(start, end))
            inventory = save_inventory(store, source.containers())
            skipped = [f"{s.source}: {s.reason}" for s in source.skipped]
        meta = stage_metadata(report, RAW_LOGS, lake.root)
        meta.update(
            {
                "source": source.uri,
                "containers": len(report.containers),
                "containers_known": len(inventory),
                "redactions": report.redactions,
                "sources_skipped": dg.MetadataValue.json(skipped),
                "dagster/column_schema": table_schema("raw_log"),
            }
        )
        return dg.MaterializeResult(metadata=meta)

    def _stage_asset(name: str, input_stage: str, description: str):
        @dg.asset(
            name=name, deps=[input_stage], description=description, kinds={"parquet"}, **common
        )
        def _asset(
            context: dg.AssetExecutionContext, lake: LakeResource, catalog: CatalogResource
        ) -> dg.MaterializeResult:
            start, end = _window(context)
            report = run_stage(lake.lake(), input_stage, start, end, catalog.catalog())
            return dg.MaterializeResult(metadata=stage_metadata(report, name, lake.root))

        return _asset

    parsed_events = _stage_asset(
        PARSED_EVENTS,
        RAW_LOGS,
        "Lines assembled into records (stack traces, DETAIL/STATEMENT, partials) and parsed.",
    )
    enriched_events = _stage_asset(
        ENRICHED_EVENTS,
        PARSED_EVENTS,
        "Parsed records with service, environment, cluster, event type and template.",
    )

    @dg.asset(
        deps=[ENRICHED_EVENTS],
        description="The lake: one schema-v1 Parquet file per service-hour.",
        # by :20 every hour a materialisation since :20 of the previous hour (the :07 run)
        freshness_policy=dg.FreshnessPolicy.cron(
            deadline_cron="20 * * * *", lower_bound_delta=timedelta(hours=1)
        ),
        kinds={"parquet"},
        check_specs=[
            dg.AssetCheckSpec(
                "schema_contract",
                asset=LOG_EVENTS,
                blocking=True,
                description="Files written match schemas/log_event.v1.json.",
            ),
            dg.AssetCheckSpec(
                "record_conservation",
                asset=LOG_EVENTS,
                blocking=True,
                description="Lines captured = lines in events, per container-hour.",
            ),
            dg.AssetCheckSpec(
                "parse_ok_share",
                asset=LOG_EVENTS,
                description=f"parse_status=ok share >= {PARSE_OK_THRESHOLD:.0%} per service "
                f"with >= {PARSE_OK_MIN_EVENTS} events.",
            ),
        ],
        **common,
    )
    def log_events(
        context: dg.AssetExecutionContext, lake: LakeResource, catalog: CatalogResource
    ) -> dg.MaterializeResult:
        start, end = _window(context)
        store = lake.lake()
        report = run_stage(store, ENRICHED_EVENTS, start, end, catalog.catalog())
        keys = store.partitions_in(LOG_EVENTS, start, end)
        meta = stage_metadata(report, LOG_EVENTS, lake.root)
        shares = ok_share_by_service(store, keys, min_events=PARSE_OK_MIN_EVENTS)
        meta.update(
            {
                "parse_ok_share": dg.MetadataValue.json(shares),
                "event_types": dg.MetadataValue.json(
                    {f"{s}/{t}": n for (s, t), n in sorted(report.event_types.items())}
                ),
                "dagster/column_schema": table_schema("log_event"),
            }
        )
        if not context.has_partition_key_range:
            meta["dagster/row_count"] = meta["rows_in_run"]
        return dg.MaterializeResult(
            metadata=meta,
            check_results=[
                schema_check(store, keys),
                conservation_check(store, start, end),
                parse_ok_check(shares),
            ],
        )

    @dg.asset(
        deps=[LOG_EVENTS],
        description="Per entity x window (1 min, 1 h) features: "
        "counts by severity and event type, templates, durations, rolling z-scores. "
        "Point-in-time correct.",
        kinds={"parquet"},
        **common,
    )
    def anomaly_features(
        context: dg.AssetExecutionContext, lake: LakeResource
    ) -> dg.MaterializeResult:
        start, end = _window(context)
        features, written = materialize_features(lake.lake(), start, end)
        hourly = features.filter(pl.col("window") == "1h") if features.height else features
        return dg.MaterializeResult(
            metadata={
                "rows_in_run": sum(w.rows for w in written),
                "entities": hourly.select("entity_type", "entity_id").n_unique()
                if hourly.height
                else 0,
                "events": int(hourly.filter(pl.col("entity_type") == "service")["n_events"].sum())
                if hourly.height
                else 0,
                "path": dg.MetadataValue.path(f"{lake.root}/{ANOMALY_FEATURES}"),
                "dagster/column_schema": table_schema("anomaly_feature"),
            }
        )

    @dg.asset(
        deps=[LOG_EVENTS],
        description="Message templates: first/last seen and counts per "
        "service, so new templates surface.",
        kinds={"parquet"},
        **common,
    )
    def log_templates(
        context: dg.AssetExecutionContext, lake: LakeResource
    ) -> dg.MaterializeResult:
        start, end = _window(context)
        table = materialize_templates(lake.lake(), start, end)
        new = table.filter(pl.col("first_seen") >= start) if table.height else table
        return dg.MaterializeResult(
            metadata={
                "templates_total": table.select("template_id").n_unique() if table.height else 0,
                "templates_first_seen_in_run": new.select("template_id").n_unique()
                if new.height
                else 0,
                "path": dg.MetadataValue.path(f"{lake.root}/{LOG_TEMPLATES}"),
            }
        )

    @dg.asset(
        deps=[ANOMALY_FEATURES],
        description="Windows that look wrong: robust z-scores "
        "against the entity's own history plus an IsolationForest.",
        kinds={"parquet"},
        check_specs=[
            dg.AssetCheckSpec(
                "no_anomalies", asset=ANOMALIES, description="WARN with the top anomalies."
            )
        ],
        **common,
    )
    def anomalies(context: dg.AssetExecutionContext, lake: LakeResource) -> dg.MaterializeResult:
        start, end = _window(context)
        scored, written = materialize_anomalies(lake.lake(), start, end)
        flagged = scored.filter(pl.col("is_anomaly")) if scored.height else scored
        top = top_anomalies(scored, 10) if scored.height else scored
        top_rows = (
            [
                {k: str(v) for k, v in row.items()}
                for row in top.select(
                    "service", "entity_type", "entity_id", "window_start", "score", "top_features"
                ).to_dicts()
            ]
            if top.height
            else []
        )
        meta = {
            "anomalies": flagged.height,
            "top_score": float(scored["score"].max() or 0.0) if scored.height else 0.0,
            "rows_in_run": sum(w.rows for w in written),
            "path": dg.MetadataValue.path(f"{lake.root}/{ANOMALIES}"),
        }
        return dg.MaterializeResult(
            metadata=meta,
            check_results=[
                dg.AssetCheckResult(
                    check_name="no_anomalies",
                    passed=flagged.height == 0,
                    severity=dg.AssetCheckSeverity.WARN,
                    metadata={"anomalies": flagged.height, "top": dg.MetadataValue.json(top_rows)},
                )
            ],
        )

    return [
        raw_logs,
        parsed_events,
        enriched_events,
        log_events,
        anomaly_features,
        log_templates,
        anomalies,
    ]


def schema_check(store, keys) -> dg.AssetCheckResult:
    report = drift_report(store, LOG_EVENTS, keys, load_contract("log_event"))
    return dg.AssetCheckResult(
        check_name="schema_contract",
        passed=report.passed,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "files_checked": report.files,
            "files_drifted": len(report.drifted),
            "drift": dg.MetadataValue.json(report.drifted),
            "diff": dg.MetadataValue.md(report.markdown()),
        },
    )


def conservation_check(store, start: datetime, end: datetime) -> dg.AssetCheckResult:
    keys = {d: store.partitions_in(d, start, end) for d in (RAW_LOGS, LOG_EVENTS)}
    table = conservation_report(store, keys)
    bad = table.filter(~table["ok"])
    return dg.AssetCheckResult(
        check_name="record_conservation",
        passed=bad.height == 0,
        severity=dg.AssetCheckSeverity.ERROR,
        metadata={
            "container_hours": table.height,
            "lines_captured": int(table["lines_captured"].sum()),
            "lines_in_events": int(table["lines_in_events"].sum()),
            "violations": dg.MetadataValue.json(
                [{k: str(v) for k, v in row.items()} for row in bad.head(20).to_dicts()]
            ),
        },
    )


def parse_ok_check(shares: dict[str, float]) -> dg.AssetCheckResult:
    low = {s: v for s, v in shares.items() if v < PARSE_OK_THRESHOLD}
    return dg.AssetCheckResult(
        check_name="parse_ok_share",
        passed=not low,
        severity=dg.AssetCheckSeverity.WARN,
        metadata={"shares": dg.MetadataValue.json(shares), "below": dg.MetadataValue.json(low)},
    )
