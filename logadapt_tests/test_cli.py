"""The `logadapt` command's generate, convert and timeline on real files."""

import json

import polars as pl

from logadapt_assets.cli import main
from logadapt_assets.lake import Lake


def test_generate_then_convert_from_the_command_line(tmp_path, capsys):
    out = tmp_path / "gen"
    assert (
        main(
            [
                "generate",
                "--out",
                str(out),
                "--hours",
                "2",
                "--seed",
                "5",
                "--scale",
                "0.05",
                "--quiet-hours",
                "1",
            ]
        )
        == 0
    )
    labels = json.loads((out / "labels.json").read_text())
    assert labels["incidents"]
    assert all(i["start"] >= "2026-11-01T01:00" for i in labels["incidents"])
    assert "incidents in" in capsys.readouterr().out
    assert (
        main(["convert", str(out / "containers"), "--lake", str(tmp_path / "lake"), "--quiet"]) == 0
    )
    events = pl.from_arrow(Lake(str(tmp_path / "lake")).read("log_events"))
    assert {"kafka", "postgres"} <= set(events["service"])


def test_generate_refuses_bad_arguments_with_one_line(tmp_path, capsys):
    assert main(["generate", "--out", str(tmp_path), "--hours", "0"]) == 2
    assert capsys.readouterr().err.startswith("logadapt: hours must be")


def test_timeline_says_clearly_when_there_is_nothing_to_draw(tmp_path, capsys):
    assert (
        main(
            [
                "timeline",
                "--lake",
                str(tmp_path),
                "--since",
                "2026-11-01T00:00",
                "--until",
                "2026-11-01T02:00",
                "--out",
                str(tmp_path / "t.png"),
            ]
        )
        == 2
    )
    assert "no anomalies" in capsys.readouterr().err
