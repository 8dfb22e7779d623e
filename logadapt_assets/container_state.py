"""Container state snapshots and their differences: what the sensor reacts to.

A snapshot maps container id -> the state facts that matter for logs (status, restarts, start and
finish times, OOM kill, health). Comparing two snapshots yields changes (start, die, oom, restart,
health) with the hour they happened in, so the affected hour can be re-processed.
"""

from dataclasses import dataclass
from datetime import UTC, datetime


@dataclass(frozen=True)
class ContainerChange:
    container_id: str
    name: str
    kind: str  # new, start, die, oom, restart, health, gone
    state: str  # the new state fingerprint, part of the run key
    at: datetime  # when it happened (UTC), for the affected hour


def _time(text: str | None) -> datetime | None:
    if not text or text.startswith("0001-01-01"):
        return None
    text = text.replace("Z", "+00:00")
    if "." in text:  # Docker writes nanoseconds; Python takes microseconds
        head, rest = text.split(".", 1)
        frac = "".join(ch for ch in rest if ch.isdigit())
        text = f"{head}.{frac[:6]}{rest[len(frac) :]}"
    return datetime.fromisoformat(text).astimezone(UTC)


def snapshot(containers: list[dict]) -> dict[str, dict]:
    """`docker inspect` documents -> {id: state facts} (JSON-able, the sensor's cursor)."""
    out = {}
    for doc in containers:
        state = doc.get("State") or {}
        health = (state.get("Health") or {}).get("Status")
        out[doc["Id"]] = {
            "name": (doc.get("Name") or "").lstrip("/"),
            "status": state.get("Status") or "unknown",
            "restarts": int(doc.get("RestartCount") or 0),
            "started_at": state.get("StartedAt"),
            "finished_at": state.get("FinishedAt"),
            "oom": bool(state.get("OOMKilled")),
            "health": health,
        }
    return out


def fingerprint(facts: dict) -> str:
    return "|".join(
        str(facts.get(k))
        for k in ("status", "restarts", "started_at", "finished_at", "oom", "health")
    )


def changes(
    previous: dict[str, dict], current: dict[str, dict], now: datetime
) -> list[ContainerChange]:
    """What happened between two snapshots, one change per container (the most telling one)."""
    out = []
    for cid, facts in sorted(current.items()):
        before = previous.get(cid)
        if before is not None and fingerprint(before) == fingerprint(facts):
            continue
        started, finished = _time(facts["started_at"]), _time(facts["finished_at"])
        if before is None:
            kind, at = "new", started or now
        elif facts["oom"] and not before.get("oom"):
            kind, at = "oom", finished or now
        elif facts["restarts"] != before.get("restarts") or (
            facts["started_at"] != before.get("started_at") and facts["status"] == "running"
        ):
            kind, at = (
                "restart" if facts["restarts"] != before.get("restarts") else "start",
                started or now,
            )
        elif (
            facts["finished_at"] != before.get("finished_at")
            or facts["status"] in ("exited", "dead")
            and before.get("status") != facts["status"]
        ):
            kind, at = "die", finished or now
        elif facts["health"] != before.get("health"):
            kind, at = "health", now
        else:
            kind, at = "state", now
        out.append(ContainerChange(cid, facts["name"], kind, fingerprint(facts), at))
    for cid in sorted(set(previous) - set(current)):
        out.append(ContainerChange(cid, previous[cid]["name"], "gone", "gone", now))
    return out
