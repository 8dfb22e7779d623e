import polars as pl
import pytest

from logadapt_assets.generate.engine import NS, background
from logadapt_assets.generate.platform import build_platform, default_start


def firings(frames: list[pl.DataFrame], catalog, name: str, start_ns: int) -> pl.DataFrame:
    """Template occurrences (not lines): each template's events in its own container divided
    by the number of its steps that stay there; with the hour of each occurrence."""
    own_steps = {t.key: sum(1 for s in t.steps if s.to in (None, name)) for t in catalog}
    events = pl.concat(frames).filter(pl.col("container") == name)
    events = events.with_columns(hour=(pl.col("t_ns") - start_ns) // (3600 * NS))
    return events.filter(pl.col("hour") < 24).with_columns(
        w=1.0 / pl.col("key").replace_strict(own_steps, return_dtype=pl.Float64)
    )


@pytest.mark.parametrize("name", ["orders-api", "postgres"])
def test_diurnal_shape_and_rate(name):
    """A day of background: peak near the configured hour, trough 12 h later, mean = rate."""
    plat = build_platform(3, default_start(), 24)
    catalog, load = plat.containers[name].sources[0]
    catalog = [t for t in catalog if t.every_s is None]
    scale = 0.05
    frames = background(plat.world, name, catalog, load, plat.start_ns, 24, scale, 3)
    per_hour = firings(frames, catalog, name, plat.start_ns).group_by("hour").agg(pl.col("w").sum())
    counts = dict(per_hour.iter_rows())
    assert sorted(counts) == list(range(24))
    peak, trough = max(counts, key=counts.get), min(counts, key=counts.get)

    def dist(a: float, b: float) -> float:
        return min(abs(a - b), 24 - abs(a - b))

    assert dist(peak, load.peak_hour) <= 2
    assert dist(trough, (load.peak_hour + 12) % 24) <= 2
    assert counts[peak] / counts[trough] > 1 + 1.5 * load.amplitude
    mean = sum(counts.values()) / 24
    assert 0.9 < mean / (load.rate_per_hour * scale) < 1.1


def test_scale_multiplies_random_rates_not_clock_driven_ones():
    plat = build_platform(4, default_start(), 2)
    for name in ("orders-api", "payments-worker", "inventory-svc", "postgres", "kafka-1"):
        catalog, load = plat.containers[name].sources[0]
        got = {}
        for scale in (0.05, 0.2):
            frames = background(plat.world, name, catalog, load, plat.start_ns, 2, scale, 4)
            f = firings(frames, catalog, name, plat.start_ns)
            periodic = {t.key for t in catalog if t.every_s is not None}
            got[scale] = (
                f.filter(~pl.col("key").is_in(periodic))["w"].sum(),
                f.filter(pl.col("key").is_in(periodic))["w"].sum(),
            )
        ratio = got[0.2][0] / got[0.05][0]
        assert 3.2 < ratio < 4.8, (name, ratio)
        assert got[0.2][1] == got[0.05][1]
