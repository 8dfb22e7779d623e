"""Anomaly detection over `anomaly_feature` rows: the `anomaly` table.

Two detectors, both deterministic:
- robust z-scores per entity and feature, (x - median) / (1.4826 * MAD) against the entity's own
  trailing windows, or against the same time of day on previous days once enough days exist
  (seasonal), with scale floors so flat baselines (all zeros) do not make every blip infinite;
- an IsolationForest (fixed random_state) per window size and entity type over the numeric
  features, fitted on the rows before the scored range, for unusual combinations.

Each gives a 0..1 score where 0.5 is its threshold; `score` is the larger one and a row is an
anomaly when score >= 0.5. Settings live in rules/features.yaml (`detection`).
"""

import math
import warnings
from datetime import datetime, timedelta

import numpy as np
import polars as pl
from sklearn.ensemble import IsolationForest

from logadapt_assets.features import load_rules, parse_duration, utc
from logadapt_assets.schema import load_contract

ENTITY = ["service", "entity_type", "entity_id"]
ORDER = ["window_start", "window", "service", "entity_type", "entity_id"]
THRESHOLD = 0.5
_MAD_TO_SIGMA = 1.4826
_CHUNK_ELEMENTS = 2_000_000  # baseline values gathered at once: bounds memory for 1m windows


def _columns() -> list[str]:
    return ["service", *load_contract("anomaly").arrow.names]


def _empty() -> pl.DataFrame:
    contract = load_contract("anomaly")
    return pl.DataFrame(schema={"service": pl.String}).hstack(
        pl.from_arrow(contract.arrow.empty_table())
    )


def detect_anomalies(
    features: pl.DataFrame,
    start: datetime | None = None,
    end: datetime | None = None,
    rules: dict | None = None,
) -> pl.DataFrame:
    """Score feature rows with start <= window_start < end; earlier rows are the baseline.

    The IsolationForest is fitted on the rows before `start` (all rows when start is None);
    with fewer than `min_train_rows` of an entity type it is not used (iforest_score null).
    """
    rules = rules or load_rules()
    det = rules["detection"]
    if features.is_empty():
        return _empty()
    lo = utc(start) if start else None
    hi = utc(end) if end else None
    frames = []
    for (window,), sub in features.sort(ORDER).group_by(["window"], maintain_order=True):
        scored = _robust(sub, str(window), lo, hi, det)
        if scored.is_empty():
            continue
        frames.append(_with_iforest(sub, scored, lo, det))
    if not frames:
        return _empty()
    out = pl.concat(frames, how="vertical_relaxed")
    iforest = pl.col("iforest_score")
    robust = pl.col("robust_score")
    flagged_by = (
        pl.when((robust >= THRESHOLD) & (iforest.fill_null(0.0) >= THRESHOLD))
        .then(pl.lit("robust_z+isolation_forest"))
        .when(robust >= THRESHOLD)
        .then(pl.lit("robust_z"))
        .when(iforest.fill_null(0.0) >= THRESHOLD)
        .then(pl.lit("isolation_forest"))
        .when(iforest.fill_null(0.0) > robust)
        .then(pl.lit("isolation_forest"))
        .otherwise(pl.lit("robust_z"))
    )
    score = pl.max_horizontal(robust, iforest.fill_null(0.0))
    out = out.with_columns(score.alias("score"), flagged_by.alias("method"))
    out = out.with_columns((pl.col("score") >= THRESHOLD).alias("is_anomaly"))
    out = _with_top_features(out, det)
    return out.select(_columns()).sort(ORDER)


def _feature_settings(det: dict, available: list[str]) -> list[tuple[str, dict]]:
    defaults = det.get("defaults", {})
    out = []
    for name, spec in det["features"].items():
        if name in available:
            out.append((name, {**defaults, "z_threshold": det["z_threshold"], **(spec or {})}))
    return out


def _robust(
    sub: pl.DataFrame, window: str, lo: datetime | None, hi: datetime | None, det: dict
) -> pl.DataFrame:
    """Robust z-scores of the scored rows of one window size, from numpy gathers of baselines."""
    step = parse_duration(window)
    settings = _feature_settings(det, sub.columns)
    names = [n for n, _ in settings]
    trailing = det["trailing"]
    span = trailing.get(window, "24h") if isinstance(trailing, dict) else trailing
    k = max(1, int(parse_duration(span) / step))
    seasonal = det.get("seasonal") or {}
    period = int(parse_duration(seasonal.get("period", "24h")) / step)
    n_periods = int(seasonal.get("periods", 0))
    min_seasonal = int(seasonal.get("min_samples", 3))
    min_baseline = int(det.get("min_baseline", 1))

    max_lag = max(k, n_periods * period)
    if lo is not None:  # only the baseline the scored rows can reach: bounds the lookup table
        sub = sub.filter(pl.col("window_start") >= lo - max_lag * step)
    if hi is not None:
        sub = sub.filter(pl.col("window_start") < hi)
    if sub.is_empty():
        return pl.DataFrame()
    t0 = sub["window_start"].min()
    step_us = int(step / timedelta(microseconds=1))
    ids = sub.select(ENTITY).unique().sort(ENTITY).with_row_index("_e")
    sub = sub.join(ids, on=ENTITY, how="left").with_columns(
        ((pl.col("window_start") - t0).dt.total_microseconds() // step_us).alias("_t")
    )
    n_rows = sub.height
    values = sub.select(pl.col(names).cast(pl.Float64)).to_numpy()
    values = np.vstack([values, np.full((1, len(names)), np.nan)])  # row n_rows: missing
    e = sub["_e"].to_numpy().astype(np.int64)
    t = sub["_t"].to_numpy().astype(np.int64)
    lookup = np.full((ids.height, int(t.max()) + 1), n_rows, dtype=np.int32)
    lookup[e, t] = np.arange(n_rows)

    mask = pl.lit(True)
    if lo is not None:
        mask = mask & (pl.col("window_start") >= lo)
    if hi is not None:
        mask = mask & (pl.col("window_start") < hi)
    rows = sub.with_row_index("_r").filter(mask)["_r"].to_numpy().astype(np.int64)
    if rows.size == 0:
        return pl.DataFrame()

    n_feat = len(names)
    direction = np.array([{"up": 0, "down": 1, "both": 2}[s["direction"]] for _, s in settings])
    min_scale = np.array([float(s["min_scale"]) for _, s in settings])
    rel_floor = np.array([float(s["rel_floor"]) for _, s in settings])
    poisson = np.array([float(s["poisson"]) for _, s in settings])
    z_thr = np.array([float(s["z_threshold"]) for _, s in settings])

    signed = np.full((rows.size, n_feat), np.nan)
    base_kind = np.zeros(rows.size, dtype=np.int8)  # 0 none, 1 trailing, 2 seasonal
    lags = np.arange(1, k + 1)
    season_lags = np.arange(1, n_periods + 1) * period
    chunk = max(1, _CHUNK_ELEMENTS // max(1, (k + n_periods) * n_feat))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN baselines -> NaN, by design
        for lo_i in range(0, rows.size, chunk):
            r = rows[lo_i : lo_i + chunk]
            x = values[r]
            trail = _gather(values, lookup, e[r], t[r], lags, n_rows)
            center = np.nanmedian(trail, axis=1)
            mad = np.nanmedian(np.abs(trail - center[:, None, :]), axis=1)
            present = (_gather_index(lookup, e[r], t[r], lags, n_rows) < n_rows).sum(axis=1)
            kind = np.where(present >= min_baseline, 1, 0)
            if n_periods:
                seas = _gather(values, lookup, e[r], t[r], season_lags, n_rows)
                s_present = (_gather_index(lookup, e[r], t[r], season_lags, n_rows) < n_rows).sum(1)
                s_center = np.nanmedian(seas, axis=1)
                s_mad = np.nanmedian(np.abs(seas - s_center[:, None, :]), axis=1)
                use = s_present >= min_seasonal
                center = np.where(use[:, None], s_center, center)
                mad = np.where(use[:, None], np.fmax(s_mad, mad), mad)
                kind = np.where(use, 2, kind)
            scale = np.fmax.reduce(
                [
                    _MAD_TO_SIGMA * np.nan_to_num(mad, nan=0.0),
                    np.broadcast_to(min_scale, mad.shape),
                    rel_floor * np.abs(np.nan_to_num(center, nan=0.0)),
                    poisson * np.sqrt(np.abs(np.nan_to_num(center, nan=0.0))),
                ]
            )
            d = (x - center) / scale
            d[kind == 0] = np.nan
            signed[lo_i : lo_i + r.size] = d
            base_kind[lo_i : lo_i + r.size] = kind

    directional = np.where(
        direction == 0, signed, np.where(direction == 1, -signed, np.abs(signed))
    )
    directional = np.nan_to_num(np.clip(directional, 0.0, None), nan=0.0)
    ratio = directional / z_thr
    r_max = ratio.max(axis=1) if n_feat else np.zeros(rows.size)
    out = sub[rows].select(
        *ENTITY, "window", "window_start", "window_end", pl.col("_e"), pl.col("_t")
    )
    no_base = base_kind == 0
    return out.with_columns(
        pl.Series("robust_score", r_max / (1.0 + r_max)),
        pl.Series("max_z", np.where(no_base, np.nan, directional.max(axis=1))).fill_nan(None),
        pl.Series("baseline", np.array(["none", "trailing", "seasonal"])[base_kind]),
        pl.Series("_signed", np.nan_to_num(signed, nan=0.0)),
        pl.Series("_ratio", ratio),
        pl.Series("_names", [names] * rows.size, dtype=pl.List(pl.String)),
    )


def _gather_index(lookup, e, t, lags, missing):
    tk = t[:, None] - lags[None, :]
    ok = tk >= 0
    return np.where(ok, lookup[e[:, None], np.clip(tk, 0, None)], missing)


def _gather(values, lookup, e, t, lags, missing):
    """values of the same entity `lags` windows earlier: (rows, lags, features), NaN if absent."""
    return values[_gather_index(lookup, e, t, lags, missing)]


def _with_iforest(sub: pl.DataFrame, scored: pl.DataFrame, lo: datetime | None, det: dict):
    """iforest_score per scored row: IsolationForest per entity type, threshold mapped to 0.5."""
    cfg = det.get("isolation_forest") or {}
    scored = scored.with_columns(pl.lit(None, pl.Float64).alias("iforest_score"))
    if not cfg.get("enabled", False):
        return scored
    names = [n for n in cfg["features"] if n in sub.columns]
    threshold = float(cfg["threshold"])
    exponent = math.log(0.5) / math.log(threshold)
    parts = []
    for (entity_type,), rows in scored.group_by(["entity_type"], maintain_order=True):
        history = sub.filter(pl.col("entity_type") == entity_type)
        if lo is not None:
            history = history.filter(pl.col("window_start") < lo)
        if history.height < int(cfg.get("min_train_rows", 1)) or not names:
            parts.append(rows)
            continue
        model = IsolationForest(
            n_estimators=int(cfg.get("n_estimators", 100)),
            random_state=int(cfg.get("random_state", 0)),
        )
        model.fit(_matrix(history.sort(ORDER), names))
        keyed = rows.select(*ENTITY, "window_start").join(
            sub, on=[*ENTITY, "window_start"], how="left", maintain_order="left"
        )
        raw = -model.score_samples(_matrix(keyed, names))
        parts.append(rows.with_columns(pl.Series("iforest_score", np.power(raw, exponent))))
    return pl.concat(parts, how="vertical_relaxed")


def _matrix(df: pl.DataFrame, names: list[str]) -> np.ndarray:
    """Model input: log1p of counts/durations (heavy tails), z-scores clipped, nulls as 0."""
    exprs = []
    for n in names:
        col = pl.col(n).cast(pl.Float64).fill_null(0.0).fill_nan(0.0)
        exprs.append(col.clip(-50, 50) if "_z_" in n else col.clip(0, None).log1p())
    return df.select(exprs).to_numpy()


def _with_top_features(out: pl.DataFrame, det: dict) -> pl.DataFrame:
    """'<feature>:<signed z>' for the strongest features (|z| >= report_z), strongest first;
    an anomaly with none so strong still lists its top three positive ones."""
    n_top = int(det.get("top_features", 5))
    report_z = float(det.get("report_z", 3.0))
    indexed = out.with_row_index("_row")
    long = (
        indexed.select("_row", "is_anomaly", "_names", "_signed", "_ratio")
        .explode(["_names", "_signed", "_ratio"])
        .filter(pl.col("_ratio") > 0)
        .sort(["_row", "_ratio", "_names"], descending=[False, True, False])
        .with_columns(
            pl.int_range(pl.len()).over("_row").alias("_rank"),
            (pl.col("_signed").abs() >= report_z).alias("_strong"),
        )
        .filter(
            (pl.col("_rank") < n_top)
            & (
                pl.col("_strong")
                | (
                    pl.col("is_anomaly")
                    & (pl.col("_rank") < 3)
                    & ~pl.col("_strong").any().over("_row")
                )
            )
        )
        .group_by("_row")
        .agg(
            (pl.col("_names") + pl.lit(":") + pl.col("_signed").round(2).cast(pl.String))
            .sort_by("_rank")
            .alias("top_features")
        )
    )
    return (
        indexed.join(long, on="_row", how="left")
        .sort("_row")
        .with_columns(pl.col("top_features").fill_null(pl.lit([], pl.List(pl.String))))
    )


def top_anomalies(anomalies: pl.DataFrame, n: int = 10) -> pl.DataFrame:
    """The n strongest anomalies (highest score first, ties in a stable order): alert metadata."""
    return (
        anomalies.filter(pl.col("is_anomaly"))
        .sort(
            ["score", "window_start", "service", "entity_type", "entity_id", "window"],
            descending=[True, False, False, False, False, False],
        )
        .head(n)
        .select(*ENTITY, "window", "window_start", "score", "method", "top_features", "baseline")
    )
