import json

import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from logadapt_assets.generate.engine import (
    NS,
    Load,
    Rng,
    Step,
    World,
    background,
    fixed_decimals,
    format_time,
    render,
    rfc3339nano,
    tpl,
)
from logadapt_assets.generate.writers import _rotation_cuts, _split_long, docker_escape

T0 = 1793491200 * NS  # 2026-11-01T00:00:00Z


def world() -> World:
    return World(
        t0_ns=T0,
        streams={"k": "stdout", "pg": "stderr"},
        macros={"k": {"self": "1", "peer": "«pick:2|3@peer»"}},
        partitions={"data": [("orders.events", i) for i in range(12)]},
        groups=["payments"],
        ip_pools={"client": ["10.0.0.1", "10.0.0.2"]},
    )


def test_rng_streams_are_keyed_and_repeatable():
    a = Rng(1, "x").integers(50, 0, 10**9).to_list()
    assert a == Rng(1, "x").integers(50, 0, 10**9).to_list()
    assert a != Rng(2, "x").integers(50, 0, 10**9).to_list()
    assert a != Rng(1, "y").integers(50, 0, 10**9).to_list()
    u = Rng(3).uniform(10_000)
    assert 0.0 <= u.min() and u.max() < 1.0 and 0.48 < u.mean() < 0.52


def test_render_labels_macros_projections_and_steps():
    t = tpl(
        "k.test",
        "[«ts:log4j»] INFO [Broker id=«self»] «tp@p» t=«@p.topic» p=«@p.part» «pick:a|b@q» "
        "«@q=>A|B» peer=«peer» «!int:5:5@n»n+1=«@n.plus1» «@n.pad4»",
        Step("second «@p» peer=«@peer»", to="pg", after_ms=(2, 2)),
    )
    times = pl.Series([T0 + 123_456_789, T0 + 2 * NS], dtype=pl.Int64)
    out = render(t, "k", times, Rng(0), world())
    first, second = out.filter(pl.col("container") == "k"), out.filter(pl.col("container") == "pg")
    assert second["stream"].to_list() == ["stderr", "stderr"]
    assert (second["t_ns"] - first["t_ns"]).to_list() == [2_000_000, 2_000_000]
    for line, follow in zip(first["text"], second["text"], strict=True):
        assert line.startswith("[2026-11-01 00:00:0") and "[Broker id=1]" in line
        tp = line.split("] ")[2].split(" ")[0]
        topic, part = tp.rsplit("-", 1)
        assert f"t={topic} p={part}" in line
        q = line.split(f"p={part} ")[1][0]
        assert f" {q} {q.upper()} " in line
        peer = line.split("peer=")[1][0]
        assert peer in "23" and follow == f"second {tp} peer={peer}"
        assert line.endswith("n+1=6 0005")
    assert first["text"][0].startswith("[2026-11-01 00:00:00,123]")


def test_bound_labels_render_one_line_per_row():
    t = tpl("k.bound", "[Partition «@p» broker=«self»] Shrinking ISR from «@isr»")
    out = render(
        t,
        "k",
        pl.Series([T0, T0], dtype=pl.Int64),
        Rng(0),
        world(),
        {"p": pl.Series(["a-0", "b-1"]), "isr": pl.Series(["1,2,3", "1,3,2"])},
    )
    assert out["text"].to_list() == [
        "[Partition a-0 broker=1] Shrinking ISR from 1,2,3",
        "[Partition b-1 broker=1] Shrinking ISR from 1,3,2",
    ]


def test_unbound_reference_is_an_error():
    with pytest.raises(KeyError, match="k.bad"):
        render(tpl("k.bad", "x «@nope»"), "k", pl.Series([T0]), Rng(0), world())


def test_time_layouts():
    t = pl.Series([T0 + 5_120_000_000, T0 + 7 * NS, T0 + 1], dtype=pl.Int64)
    assert rfc3339nano(t).to_list() == [
        "2026-11-01T00:00:05.12Z",
        "2026-11-01T00:00:07Z",
        "2026-11-01T00:00:00.000000001Z",
    ]
    assert format_time(t, "pg")[0] == "2026-11-01 00:00:05.120 UTC"
    assert format_time(t, "log4j")[0] == "2026-11-01 00:00:05,120"
    assert format_time(t, "epoch").to_list() == ["1793491205.12", "1793491207", "1793491200"]
    assert format_time(t, "gostd")[0] == "2026/11/01 00:00:05"
    assert fixed_decimals(pl.Series([5, 12345, 0]), 3).to_list() == ["0.005", "12.345", "0.000"]


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.characters(codec="utf-8", exclude_categories=["Cs"]), max_size=60))
def test_docker_escape_round_trips_like_moby(text):
    escaped = pl.select(docker_escape(pl.lit(text))).item()
    assert json.loads(f'"{escaped}"') == text
    assert not any(ch in escaped for ch in "<>&\u2028\u2029")
    assert not any(ord(ch) < 0x20 for ch in escaped)


def test_docker_escape_matches_moby_forms():
    escaped = pl.select(docker_escape(pl.lit('a\tb"c\\<d>&\r\x01'))).item()
    assert escaped == 'a\\u0009b\\"c\\\\\\u003cd\\u003e\\u0026\\r\\u0001'


@pytest.mark.parametrize("size", [100, 16383, 16384, 16385, 40000, 32768])
def test_long_lines_split_exactly_like_docker_and_containerd(size):
    line = ("x" * (size - 1)) + "y"
    frame = pl.DataFrame({"obs_ns": [T0], "stream": ["stdout"], "line": [line]})
    docker = _split_long(frame, docker=True)
    sizes = [len(p) for p in docker["part"]]
    assert "".join(docker["part"]) == line
    assert docker["final"].to_list() == [False] * (len(sizes) - 1) + [True]
    assert all(s == 16384 for s in sizes[:-1]) and sizes[-1] == size % 16384
    assert docker["obs_ns"].n_unique() == 1  # every part carries the first part's time
    cri = _split_long(frame, docker=False)
    assert "".join(cri["part"]) == line
    assert all(len(p) == 16384 for p in cri["part"][:-1]) and 0 < len(cri["part"][-1]) <= 16384


def test_rotation_cuts_follow_docker_capacity_rule():
    sizes = pl.Series([10] * 25)
    cuts = _rotation_cuts(sizes, 100)
    # a file takes records while its size is below 100 before the write: 10 records each
    assert cuts == [0, 10, 20]


def test_background_rate_scale_and_silence():
    catalog = [
        tpl("a", "«ts:log4j» a"),
        tpl("b", "«ts:log4j» b", w=3.0),
        tpl("p", "«ts:log4j» tick", every=600),
    ]
    load = Load(rate_per_hour=4000, amplitude=0.0, peak_hour=14)
    w = World(T0, {"c": "stdout"}, {}, {}, [], {})
    frames = background(w, "c", catalog, load, T0, 6, 1.0, 9)
    events = pl.concat(frames)
    counts = events.group_by("key").len().sort("key")
    got = dict(counts.iter_rows())
    assert 6 * 1000 * 0.9 < got["a"] < 6 * 1000 * 1.1
    assert 6 * 3000 * 0.93 < got["b"] < 6 * 3000 * 1.07
    assert got["p"] == 36  # clock-driven: every 10 minutes whatever the scale
    half = dict(
        pl.concat(background(w, "c", catalog, load, T0, 6, 0.5, 9))
        .group_by("key")
        .len()
        .iter_rows()
    )
    assert 0.4 < half["b"] / got["b"] < 0.6 and half["p"] == 36
    quiet = pl.concat(
        background(
            w, "c", catalog, load, T0, 6, 1.0, 9, silences=[(T0 + 3600 * NS, T0 + 7200 * NS)]
        )
    )
    hour = quiet.filter((pl.col("t_ns") >= T0 + 3600 * NS) & (pl.col("t_ns") < T0 + 7200 * NS))
    assert hour.height == 0
