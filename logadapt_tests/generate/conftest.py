"""Datasets shared by the generator tests (small: a few seconds each)."""

from pathlib import Path

import pytest

from logadapt_assets.generate import generate


@pytest.fixture(scope="session")
def docker_dataset(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("gen-docker")
    return out, generate(out, hours=2, seed=11, scale=0.03)


@pytest.fixture(scope="session")
def cri_zk_dataset(tmp_path_factory) -> tuple[Path, object]:
    out = tmp_path_factory.mktemp("gen-cri")
    return out, generate(out, hours=1, seed=5, scale=0.03, fmt="cri", kafka_mode="zookeeper")
