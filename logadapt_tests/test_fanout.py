"""Conversion over worker threads: the same lake and the same numbers as one worker."""

import gzip
from collections import Counter
from datetime import UTC, datetime
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from logadapt_assets import fanout
from logadapt_assets.catalog import ServiceCatalog
from logadapt_assets.generate import generate
from logadapt_assets.lake import Lake
from logadapt_assets.pipeline import LOG_EVENTS
from logadapt_assets.sources.open import open_source

START = datetime(2026, 11, 1, tzinfo=UTC)


@pytest.fixture(scope="module")
def platform(tmp_path_factory):
    root = tmp_path_factory.mktemp("fanout")
    generate(root / "gen", hours=2, seed=21, start=START, scale=0.05)
    return root / "gen" / "containers"


def _files(lake: Lake) -> dict[str, list]:
    root = Path(lake.root)
    return {
        str(p.relative_to(root)): pq.read_table(p).to_pylist()
        for p in sorted(root.rglob("*.parquet"))
    }


def test_two_workers_write_the_lake_one_worker_writes(platform, tmp_path):
    catalog = ServiceCatalog.load(None)
    one, two = Lake(str(tmp_path / "one")), Lake(str(tmp_path / "two"))
    report1, _ = fanout.convert([str(platform)], "auto", one, catalog, workers=1)
    report2, _ = fanout.convert([str(platform)], "auto", two, catalog, workers=2)
    assert len({w.key.service for w in report2.written}) >= 4
    assert _files(one) == _files(two)
    assert report2.lines_in == report1.lines_in
    assert report2.events == report1.events
    assert report2.parse_status == report1.parse_status
    assert report2.containers == report1.containers
    assert report2.raw_records == report1.raw_records
    assert not report2.conservation_violations()


def test_each_service_is_read_by_one_worker_only(platform, tmp_path):
    seen: Counter = Counter()

    def observe(batches):
        for batch in batches:
            seen[batch.container.id] += batch.records.num_rows
            yield batch

    catalog = ServiceCatalog.load(None)
    report, _ = fanout.convert(
        [str(platform)], "auto", Lake(str(tmp_path / "l")), catalog, workers=3, observe=observe
    )
    assert sum(seen.values()) == report.raw_records  # nothing read twice, nothing missed
    assert set(seen) == set(report.containers)


def test_a_window_rerun_with_workers_drops_hours_a_service_no_longer_has(platform, tmp_path):
    catalog = ServiceCatalog.load(None)
    lake = Lake(str(tmp_path / "lake"))
    since, until = START, START.replace(hour=2)
    fanout.convert([str(platform)], "auto", lake, catalog, since, until, workers=2)
    stale = Path(lake.root) / LOG_EVENTS / "service=gone" / "date=2026-11-01" / "hour=00"
    stale.mkdir(parents=True)
    (stale / "part-0.parquet").write_bytes(
        next((Path(lake.root) / LOG_EVENTS).rglob("*.parquet")).read_bytes()
    )
    fanout.convert([str(platform)], "auto", lake, catalog, since, until, workers=2)
    assert not (stale / "part-0.parquet").exists()


def test_plan_puts_the_largest_service_first_on_the_least_loaded_worker():
    weights = Counter({"a": 10, "b": 6, "c": 5, "d": 4, "e": 1})
    owner = fanout.plan(weights, 2)
    load = Counter()
    for service, worker in owner.items():
        load[worker] += weights[service]
    assert owner["a"] != owner["b"]
    assert sorted(load.values()) == [12, 14]  # a+d, b+c+e
    assert fanout.plan(weights, 8).keys() == weights.keys()
    assert len(set(fanout.plan(weights, 8).values())) == 5  # never more workers than services


def test_weights_estimate_lines_rotated_gzip_files_included(platform):
    catalog = ServiceCatalog.load(None)
    with open_source(str(platform), "auto") as source:
        estimated = {info.id: n for info, n in source.containers_with_lines()}
        weights = fanout.service_weights([source], catalog, None)
    assert list(platform.rglob("*.gz"))  # the generator rotates and compresses like Docker
    for directory in platform.iterdir():
        lines = sum(
            (gzip.decompress(p.read_bytes()) if p.suffix == ".gz" else p.read_bytes()).count(b"\n")
            for p in directory.glob("*-json.log*")
        )
        assert abs(estimated[directory.name] - lines) <= 0.15 * lines + 5, directory.name
    assert sum(weights.values()) == sum(max(1, n) for n in estimated.values())
