"""Plain Python baseline: a loop over lines with json.loads and re, rows to pyarrow Parquet.

What a script written without a dataframe library looks like: every line goes through the
interpreter. Rows are buffered per hive partition and flushed in row groups, so memory stays
bounded.
"""

import gzip
import json
import re
from datetime import datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from bench.tools.common import COLUMNS, LEADING_TIME, OUTPUT_COLUMNS, args, container_map, log_files

FLUSH_ROWS = 50_000
TYPES = {"str": pa.string(), "upper": pa.string(), "int": pa.int32(), "float": pa.float64()}
SCHEMA = pa.schema(
    [
        ("timestamp", pa.timestamp("us", "UTC")),
        ("observed_at", pa.timestamp("us", "UTC")),
        *[(c, TYPES[COLUMNS[c][1]]) for c in ("severity", "component", "message")],
        ("container", pa.string()),
        ("stream", pa.string()),
        *[(c, TYPES[cast]) for c, (_, cast) in COLUMNS.items() if c not in OUTPUT_COLUMNS[2:5]],
    ]
)
COMPILED = [(name, [re.compile(p) for p in pats], cast) for name, (pats, cast) in COLUMNS.items()]
LEAD = re.compile(LEADING_TIME)


def extract(line: str) -> dict:
    row = {}
    for name, patterns, cast in COMPILED:
        value = None
        for p in patterns:
            m = p.search(line)
            if m and m.group(1):
                value = m.group(1)
                break
        if value is not None:
            if cast == "upper":
                value = value.upper()
            elif cast == "int":
                try:
                    value = int(value)
                except ValueError:
                    value = None
            elif cast == "float":
                try:
                    value = float(value)
                except ValueError:
                    value = None
        row[name] = value
    return row


class Sink:
    def __init__(self, out: str):
        self.out = Path(out)
        self.rows: dict[tuple[str, str, str], list[dict]] = {}
        self.writers: dict[tuple[str, str, str], pq.ParquetWriter] = {}

    def add(self, key: tuple[str, str, str], row: dict) -> None:
        rows = self.rows.setdefault(key, [])
        rows.append(row)
        if len(rows) >= FLUSH_ROWS:
            self.flush(key)

    def flush(self, key: tuple[str, str, str]) -> None:
        rows = self.rows.pop(key, [])
        if not rows:
            return
        if key not in self.writers:
            d = self.out / f"service={key[0]}" / f"date={key[1]}" / f"hour={key[2]}"
            d.mkdir(parents=True, exist_ok=True)
            self.writers[key] = pq.ParquetWriter(d / "part-0.parquet", SCHEMA, compression="zstd")
        self.writers[key].write_table(pa.Table.from_pylist(rows, schema=SCHEMA))

    def close(self) -> None:
        for key in list(self.rows):
            self.flush(key)
        for w in self.writers.values():
            w.close()


def main() -> None:
    a = args()
    mapping = container_map(a.roots)
    sink = Sink(a.out)
    for path in log_files(a.roots):
        service, name = mapping.get(path.parent.name, (None, None))
        opener = gzip.open if path.suffix == ".gz" else open
        with opener(path, "rt", encoding="utf-8") as fh:
            for raw in fh:
                rec = json.loads(raw)
                line = rec["log"].removesuffix("\n")
                observed = datetime.fromisoformat(rec["time"][:26].rstrip("Z") + "+00:00")
                m = LEAD.search(line)
                ts = None
                if m:
                    try:
                        ts = datetime.fromisoformat(m.group(1).replace("T", " ") + "+00:00")
                    except ValueError:
                        ts = None
                row = extract(line)
                row.update(
                    timestamp=ts or observed,
                    observed_at=observed,
                    container=name,
                    stream=rec.get("stream"),
                )
                key = (service, observed.strftime("%Y-%m-%d"), observed.strftime("%H"))
                sink.add(key, row)
    sink.close()


if __name__ == "__main__":
    main()
