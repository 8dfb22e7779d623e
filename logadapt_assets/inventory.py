"""The container inventory kept beside the lake: what each container was (name, image, labels,
env, state, restarts) and when it was seen, so stages that re-read the lake (a re-parse, a
backfill) enrich with the same context the capture had, after the container is gone."""

import json
from dataclasses import asdict
from datetime import datetime

import pyarrow.fs as pafs

from logadapt_assets.lake import Lake
from logadapt_assets.sources.base import ContainerInfo

INVENTORY_PATH = "_inventory/containers.json"
_DATES = ("started_at", "finished_at")


def _to_json(info: ContainerInfo) -> dict:
    doc = asdict(info)
    for key in _DATES:
        doc[key] = doc[key].isoformat() if doc[key] else None
    return doc


def _from_json(doc: dict) -> ContainerInfo:
    doc = dict(doc)
    for key in _DATES:
        doc[key] = datetime.fromisoformat(doc[key]) if doc.get(key) else None
    known = ContainerInfo.__dataclass_fields__
    return ContainerInfo(**{k: v for k, v in doc.items() if k in known})


def load_inventory(lake: Lake) -> dict[str, ContainerInfo]:
    path = f"{lake.root}/{INVENTORY_PATH}"
    if lake.fs.get_file_info(path).type != pafs.FileType.File:
        return {}
    with lake.fs.open_input_stream(path) as f:
        docs = json.loads(f.read())
    return {d["id"]: _from_json(d) for d in docs}


def save_inventory(lake: Lake, containers: list[ContainerInfo]) -> dict[str, ContainerInfo]:
    """Merge `containers` into the inventory (newest description wins); written atomically."""
    merged = load_inventory(lake)
    merged.update({c.id: c for c in containers})
    docs = [_to_json(merged[k]) for k in sorted(merged)]
    directory = f"{lake.root}/{INVENTORY_PATH.rsplit('/', 1)[0]}"
    lake.fs.create_dir(directory, recursive=True)
    tmp = f"{lake.root}/{INVENTORY_PATH}.tmp"
    with lake.fs.open_output_stream(tmp) as f:
        f.write(json.dumps(docs, indent=1, sort_keys=True).encode())
    lake.fs.move(tmp, f"{lake.root}/{INVENTORY_PATH}")
    return merged
