"""Writes Docker json-file container directories exactly as the engine lays them out, for tests
that need hours of history a live container cannot produce quickly."""

import json
from datetime import datetime
from pathlib import Path


def docker_time(t: datetime) -> str:
    return t.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z"


def write_container(
    root: Path,
    cid: str,
    name: str,
    records: list[tuple[datetime, str, str]],
    labels: dict[str, str] | None = None,
    image: str = "busybox:latest",
    env: list[str] | None = None,
) -> Path:
    """records: (time, stream, line without newline). Returns the container directory."""
    directory = root / cid
    directory.mkdir(parents=True, exist_ok=True)
    config = {
        "ID": cid,
        "Name": f"/{name}",
        "Config": {"Image": image, "Labels": labels or {}, "Env": env or [], "Hostname": cid[:12]},
        "State": {
            "Running": False,
            "Status": "exited",
            "RestartCount": 0,
            "StartedAt": docker_time(records[0][0]) if records else "",
            "FinishedAt": docker_time(records[-1][0]) if records else "",
        },
        "RestartCount": 0,
        "LogPath": str(directory / f"{cid}-json.log"),
    }
    (directory / "config.v2.json").write_text(json.dumps(config))
    with open(directory / f"{cid}-json.log", "w") as f:
        for t, stream, line in records:
            f.write(
                json.dumps(
                    {"log": line + "\n", "stream": stream, "time": docker_time(t)},
                    separators=(",", ":"),
                )
                + "\n"
            )
    return directory
