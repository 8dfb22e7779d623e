"""Parquet writer options for log_events, measured: `python -m bench.lake_options LAKE [NAMES]`.

Reads every log_events file of an existing lake (written by `logadapt convert`) once, then
rewrites all of them in memory with each candidate setting and reports total bytes, bytes per
column and write seconds (min of --repeats), against `base` (logadapt_assets.lake as it is).
The rows stay in the file's order (sorted by timestamp, the v1 contract) except for the
`sort_*` what-ifs, which re-sort each file to show what another order would save.
"""

import argparse
import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from logadapt_assets import lake as lake_mod

MiB = 1 << 20


@dataclass
class Candidate:
    """Changes against the writer in logadapt_assets.lake (None: keep)."""

    level: int | dict[str, int] | None = None
    encodings: dict[str, str] = field(default_factory=dict)  # column -> encoding (no dict)
    dictionary_on: set[str] = field(default_factory=set)
    dictionary_off: set[str] = field(default_factory=set)
    options: dict = field(default_factory=dict)  # other write_table keywords
    sort: list[str] | None = None  # re-sort rows (what-if, breaks the v1 sort contract)


def writer_kwargs(table: pa.Table, c: Candidate) -> dict:
    encodings, dictionary = lake_mod.column_encodings(table.schema)
    encodings = {**encodings, **c.encodings}
    dictionary = [
        d for d in {*dictionary, *c.dictionary_on} if d not in c.dictionary_off | set(encodings)
    ]
    for col in c.dictionary_on:
        encodings.pop(col, None)
    sort = c.sort or ["timestamp"]
    leaves = [p for f in table.schema for p, _ in lake_mod._leaves(f.name, f.type)]
    lake_levels = {p: lake_mod.COLUMN_LEVELS.get(p, lake_mod.ZSTD_LEVEL) for p in leaves}
    level: int | dict[str, int] = lake_levels if c.level is None else c.level
    if isinstance(c.level, dict):  # per column; every other column keeps the lake's level
        level = {**lake_levels, **c.level}
    kw = {
        "compression": "zstd",
        "compression_level": level,
        "use_dictionary": sorted(dictionary),
        "column_encoding": encodings or None,
        "write_statistics": True,
        "write_page_index": True,
        "row_group_size": lake_mod.ROW_GROUP_ROWS,
        "sorting_columns": [pq.SortingColumn(table.schema.get_field_index(sort[0]))],
        "store_schema": True,
    }
    return {**kw, **c.options}


def rewrite(tables: list[pa.Table], c: Candidate) -> tuple[int, float, dict[str, int]]:
    """(bytes, write seconds, compressed bytes per column) of every table written with c."""
    total, seconds, columns = 0, 0.0, {}
    for table in tables:
        if c.sort:
            table = table.sort_by([(s, "ascending") for s in c.sort])
        kw = writer_kwargs(table, c)
        sink = pa.BufferOutputStream()
        t0 = time.perf_counter()
        pq.write_table(table, sink, **kw)
        seconds += time.perf_counter() - t0
        buf = sink.getvalue()
        total += buf.size
        meta = pq.ParquetFile(pa.BufferReader(buf)).metadata
        for g in range(meta.num_row_groups):
            for i in range(meta.num_columns):
                col = meta.row_group(g).column(i)
                columns[col.path_in_schema] = (
                    columns.get(col.path_in_schema, 0) + col.total_compressed_size
                )
    return total, seconds, columns


BSS = "BYTE_STREAM_SPLIT"
DLBA = "DELTA_LENGTH_BYTE_ARRAY"
IDS = {"request_id", "trace_id"}
ATTR_VALUE = "attributes.key_value.value"
ATTR_KEY = "attributes.key_value.key"
SORT_CONTAINER = ["container_id", "stream", "observed_at"]
# random ids and numbers: zstd finds little to match at any level, so a fast level loses little
FAST_COLUMNS = {"request_id", "trace_id", "observed_at"}


def _levels(fast: int, rest: int) -> dict[str, int]:
    """FAST_COLUMNS at `fast`, every other leaf column at `rest`."""
    leaves = ["message", ATTR_VALUE, ATTR_KEY, "component", "template_id", "event_type"]
    return {**{c: rest for c in leaves}, **{c: fast for c in FAST_COLUMNS}}


def combo(**changes) -> Candidate:
    """What pays on its own, together: DLBA ids, plain durations, 128k rows per page."""
    c = Candidate(
        encodings={c: DLBA for c in IDS},
        dictionary_off={"duration_ms"},
        options={"max_rows_per_page": 131_072},
    )
    for k, v in changes.items():
        setattr(c, k, v)
    return c


CANDIDATES: dict[str, Callable[[], Candidate]] = {
    "base": Candidate,
    "zstd3": lambda: Candidate(level=3),
    "zstd6": lambda: Candidate(level=6),
    "zstd12": lambda: Candidate(level=12),
    "zstd15": lambda: Candidate(level=15),
    "zstd19": lambda: Candidate(level=19),
    "duration_bss": lambda: Candidate(encodings={"duration_ms": BSS}),
    "duration_plain": lambda: Candidate(dictionary_off={"duration_ms"}),
    "ids_dict_8m": lambda: Candidate(
        dictionary_on=IDS, options={"dictionary_pagesize_limit": 8 * MiB}
    ),
    "ids_dlba": lambda: Candidate(encodings={c: DLBA for c in IDS}),
    "attr_value_dlba": lambda: Candidate(encodings={ATTR_VALUE: DLBA}),
    "attr_value_dict_8m": lambda: Candidate(
        dictionary_on={ATTR_VALUE}, options={"dictionary_pagesize_limit": 8 * MiB}
    ),
    "attr_key_plain": lambda: Candidate(dictionary_off={ATTR_KEY}),
    "message_plain": lambda: Candidate(dictionary_off={"message"}),
    "message_dlba": lambda: Candidate(encodings={"message": DLBA}),
    "dict_limit_256k": lambda: Candidate(options={"dictionary_pagesize_limit": 256 << 10}),
    "dict_limit_8m": lambda: Candidate(options={"dictionary_pagesize_limit": 8 * MiB}),
    "page_64k": lambda: Candidate(options={"data_page_size": 64 << 10}),
    "page_4m": lambda: Candidate(options={"data_page_size": 4 * MiB}),
    "page_8m": lambda: Candidate(options={"data_page_size": 8 * MiB}),
    "page_32m": lambda: Candidate(options={"data_page_size": 32 * MiB}),
    "rowgroup_1m": lambda: Candidate(options={"row_group_size": 1 << 20}),
    "rowgroup_32k": lambda: Candidate(options={"row_group_size": 32_768}),
    "page_v2": lambda: Candidate(options={"data_page_version": "2.0"}),
    "no_page_index": lambda: Candidate(options={"write_page_index": False}),
    "no_stats_no_index": lambda: Candidate(
        options={"write_page_index": False, "write_statistics": False}
    ),
    "rows_128k": lambda: Candidate(options={"max_rows_per_page": 131_072}),
    "rows_128k_page_4m": lambda: Candidate(
        options={"max_rows_per_page": 131_072, "data_page_size": 4 * MiB}
    ),
    "rows_128k_page_8m": lambda: Candidate(
        options={"max_rows_per_page": 131_072, "data_page_size": 8 * MiB}
    ),
    "times_bss": lambda: Candidate(encodings={"observed_at": BSS, "timestamp": BSS}),
    "message_attr_zstd15": lambda: Candidate(level={"message": 15, ATTR_VALUE: 15}),
    "ids_dlba_duration_plain": lambda: Candidate(
        encodings={c: DLBA for c in IDS}, dictionary_off={"duration_ms"}
    ),
    "levels_ids1": lambda: Candidate(level={c: 1 for c in FAST_COLUMNS}),
    "levels_ids3": lambda: Candidate(level={c: 3 for c in FAST_COLUMNS}),
    "levels_ids1_text12": lambda: Candidate(
        level={**{c: 1 for c in FAST_COLUMNS}, "message": 12, ATTR_VALUE: 12}
    ),
    "levels_ids1_rest6": lambda: Candidate(level=_levels(1, 6)),
    "levels_ids1_rest7": lambda: Candidate(level=_levels(1, 7)),
    "levels_all1": lambda: Candidate(level=1),
    "combo": lambda: combo(),
    "combo_zstd12": lambda: combo(level=12),
    "combo_zstd15": lambda: combo(level=15),
    "combo_zstd19": lambda: combo(level=19),
    "combo_sort_container": lambda: combo(sort=SORT_CONTAINER),
    "sort_container": lambda: Candidate(sort=SORT_CONTAINER),
    "sort_container_ts": lambda: Candidate(sort=["container_id", "stream", "timestamp"]),
}


def load(lake: Path) -> list[pa.Table]:
    """Every log_events file as written, with its key-value metadata (the contract's)."""
    tables = []
    for path in sorted((lake / "log_events").rglob("*.parquet")):
        pf = pq.ParquetFile(path)
        meta = {k: v for k, v in (pf.schema_arrow.metadata or {}).items() if k != b"ARROW:schema"}
        tables.append(pf.read().replace_schema_metadata(meta))
    return tables


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.lake_options", description=__doc__)
    p.add_argument("lake")
    p.add_argument("names", nargs="*", help=f"candidates (default all): {', '.join(CANDIDATES)}")
    p.add_argument("--repeats", type=int, default=1, help="write seconds: min of this many")
    p.add_argument("--json", help="write the results here too")
    a = p.parse_args(argv)
    tables = load(Path(a.lake))
    rows = sum(t.num_rows for t in tables)
    print(f"{len(tables)} files, {rows:,} rows")
    results = {}
    base_cols: dict[str, int] = {}
    for name in a.names or list(CANDIDATES):
        runs = [rewrite(tables, CANDIDATES[name]()) for _ in range(a.repeats)]
        size, _, cols = runs[0]
        seconds = min(r[1] for r in runs)
        if name == "base":
            base_cols = cols
        base = results.get("base", {}).get("bytes")
        moved = sorted(
            ((c, n - base_cols.get(c, 0)) for c, n in cols.items()), key=lambda kv: kv[1]
        )
        moved = [f"{c} {d:+,}" for c, d in moved if abs(d) >= 20_000][:4] if base_cols else []
        results[name] = {"bytes": size, "seconds": seconds, "columns": cols}
        rel = f"{size / base - 1:+.2%}" if base else ""
        print(f"{name:20s} {size:>12,} {rel:>8s} {seconds:6.2f} s  {'; '.join(moved)}", flush=True)
    if a.json:
        Path(a.json).write_text(json.dumps(results, indent=1) + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
