"""A PNG timeline of anomaly scores: one line per entity, the threshold, anomalies marked.

Uses matplotlib's object API on an Agg canvas (no pyplot, no global state, no display), so it
is safe in Dagster workers and tests.
"""

from datetime import datetime
from pathlib import Path

import polars as pl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

from logadapt_assets.anomalies import THRESHOLD
from logadapt_assets.features import utc

MAX_ENTITIES = 12  # more lines than this is unreadable: the highest-scoring entities are drawn


def render_timeline(
    anomalies: pl.DataFrame,
    path: Path,
    start: datetime,
    end: datetime,
    max_entities: int = MAX_ENTITIES,
) -> Path:
    """Write the timeline of [start, end) to `path` (PNG) and return the path."""
    path = Path(path)
    lo, hi = utc(start), utc(end)
    df = anomalies.filter((pl.col("window_start") >= lo) & (pl.col("window_start") < hi))
    label = pl.concat_str(
        [pl.col("service"), pl.col("entity_type"), pl.col("entity_id"), pl.col("window")],
        separator="/",
    )
    df = df.with_columns(label.alias("_label"))
    top = (
        df.group_by("_label")
        .agg(pl.col("score").max().alias("_peak"))
        .sort(["_peak", "_label"], descending=[True, False])
        .head(max_entities)["_label"]
        .to_list()
    )
    fig = Figure(figsize=(13, 5), dpi=100, layout="constrained")
    FigureCanvasAgg(fig)
    ax = fig.add_subplot(1, 1, 1)
    for name in top:
        rows = df.filter(pl.col("_label") == name).sort("window_start")
        times = rows["window_start"].dt.replace_time_zone(None).to_list()
        ax.plot(times, rows["score"].to_list(), linewidth=1.2, label=name)
        hits = rows.filter(pl.col("is_anomaly"))
        if hits.height:
            ax.scatter(
                hits["window_start"].dt.replace_time_zone(None).to_list(),
                hits["score"].to_list(),
                marker="o",
                s=36,
                color="red",
                zorder=3,
            )
    ax.axhline(THRESHOLD, color="black", linestyle="--", linewidth=1, label="threshold")
    ax.set_xlim(lo.replace(tzinfo=None), hi.replace(tzinfo=None))
    ax.set_ylim(0, 1.02)
    ax.set_xlabel("window start (UTC)")
    ax.set_ylabel("anomaly score")
    n_hits = df.filter(pl.col("is_anomaly")).height
    ax.set_title(f"logadapt anomalies {lo:%Y-%m-%d %H:%M} - {hi:%Y-%m-%d %H:%M} UTC ({n_hits})")
    ax.grid(True, alpha=0.3)
    if top:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="x-small")
    fig.autofmt_xdate()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, format="png")
    return path
