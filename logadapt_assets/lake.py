"""The hive-partitioned Parquet lake: `<root>/<dataset>/service=/date=/hour=/part-0.parquet`.

One file per service-hour per write, replaced atomically: the new file is written under a
temporary name in the same directory and renamed over the old one, so a reader sees the old
partition or the new one, never both and never half. Re-writing an hour also removes that hour's
partitions of services that no longer have rows, so a re-run leaves no stale duplicates.
"""

import re
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

import pyarrow as pa
import pyarrow.fs as pafs
import pyarrow.parquet as pq

from logadapt_assets.schema import Contract

PART_FILE = "part-0.parquet"
TMP_PREFIX = ".part-0.parquet.tmp-"  # no .parquet suffix: no reader globs a half-written file
ROW_GROUP_ROWS = 131_072  # ~one row group per 128k events: prunable on timestamp stats
ZSTD_LEVEL = 9  # 6 -> 9: 2% smaller log_events, no slower once the encodings below are set
# Per-column encodings, measured on a generated 1M-line lake (bench/README.md, and
# `python -m bench.lake_options`): times sorted in the file are small deltas
# (DELTA_BINARY_PACKED: observed_at -38%, timestamp -55% against dictionary+zstd); event ids
# share long prefixes with their predecessor (DELTA_BYTE_ARRAY -22%); random hex ids all have
# the same length, so DELTA_LENGTH_BYTE_ARRAY leaves zstd the id bytes without a length prefix
# between every two of them (request_id -7.5%, trace_id -7.2% against plain; -2.2% of the lake).
DELTA_COLUMNS = {
    "observed_at": "DELTA_BINARY_PACKED",
    "timestamp": "DELTA_BINARY_PACKED",
    "event_id": "DELTA_BYTE_ARRAY",
    "request_id": "DELTA_LENGTH_BYTE_ARRAY",
    "trace_id": "DELTA_LENGTH_BYTE_ARRAY",
}
# Mostly-unique values (random ids, attribute values, float durations): a dictionary only grows
# until it falls back to plain after 1 MiB, and that detour costs 5-8% against plain + zstd from
# the start (duration_ms: -7.7%; BYTE_STREAM_SPLIT instead is +78%: the values have 3 decimals,
# so their float64 bits are anything but smooth). DELTA_LENGTH_BYTE_ARRAY does not pay for
# attribute values (+10%): they differ in length, and the prefixes help zstd find matches.
NO_DICTIONARY = {"request_id", "trace_id", "attributes.key_value.value", "duration_ms"}
# zstd level per column where 9 is not the best: random hex ids and nanosecond capture times
# leave zstd little to match, and level 1 finds it with less effort and smaller output
# (request_id -5.8%, trace_id -5.9%, observed_at -0.8%: -1.8% of log_events, -12% write time;
# event_id, duration_ms and timestamp grow at level 1, so they stay at 9).
COLUMN_LEVELS = {"request_id": 1, "trace_id": 1, "observed_at": 1}
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def sanitize(value: str | None) -> str:
    """A partition value that cannot escape its directory (`../../etc` -> `etc`)."""
    cleaned = _UNSAFE.sub("_", value or "").strip("._")
    return cleaned[:128] or "_unknown"


@dataclass(frozen=True)
class PartitionKey:
    service: str
    date: str  # YYYY-MM-DD (UTC)
    hour: str  # HH

    @classmethod
    def of(cls, service: str, hour_start: datetime) -> "PartitionKey":
        return cls(sanitize(service), hour_start.strftime("%Y-%m-%d"), hour_start.strftime("%H"))

    def path(self) -> str:
        return f"service={self.service}/date={self.date}/hour={self.hour}"


@dataclass(frozen=True)
class WrittenFile:
    dataset: str
    key: PartitionKey
    path: str
    rows: int
    bytes: int


class Lake:
    """A lake root: a local directory or any pyarrow filesystem URI (s3://bucket/prefix, ...)."""

    def __init__(self, root: str) -> None:
        if "://" in root:
            self.fs, self.root = pafs.FileSystem.from_uri(root)
        else:
            self.fs, self.root = pafs.LocalFileSystem(), str(root).rstrip("/")
        self.uri = root

    def dataset_path(self, dataset: str) -> str:
        return f"{self.root}/{dataset}"

    def partition_dir(self, dataset: str, key: PartitionKey) -> str:
        return f"{self.dataset_path(dataset)}/{key.path()}"

    def write_partition(
        self, dataset: str, contract: Contract, key: PartitionKey, table: pa.Table
    ) -> WrittenFile:
        """Write one service-hour, sorted by the contract's sort columns, atomically."""
        if contract.sort_by:
            table = table.sort_by([(c, "ascending") for c in contract.sort_by])
        directory = self.partition_dir(dataset, key)
        self.fs.create_dir(directory, recursive=True)
        self._remove_stale_temporaries(directory)
        tmp = f"{directory}/{TMP_PREFIX}{uuid.uuid4().hex}"
        final = f"{directory}/{PART_FILE}"
        sorting = [pq.SortingColumn(table.schema.get_field_index(c)) for c in contract.sort_by]
        encodings, dictionary = column_encodings(table.schema)
        levels = {
            path: COLUMN_LEVELS.get(path, ZSTD_LEVEL)
            for f in table.schema
            for path, _ in _leaves(f.name, f.type)
        }
        try:
            with self.fs.open_output_stream(tmp) as sink:
                pq.write_table(
                    table.replace_schema_metadata(contract.metadata),
                    sink,
                    compression="zstd",
                    compression_level=levels,
                    use_dictionary=dictionary,
                    column_encoding=encodings or None,
                    write_statistics=True,
                    write_page_index=True,
                    row_group_size=ROW_GROUP_ROWS,
                    sorting_columns=sorting or None,
                    store_schema=True,
                )
            self.fs.move(tmp, final)
        except BaseException:
            _delete_quietly(self.fs, tmp)
            raise
        size = self.fs.get_file_info(final).size or 0
        return WrittenFile(dataset, key, final, table.num_rows, size)

    def _remove_stale_temporaries(self, directory: str) -> None:
        """Left-overs of a writer killed mid-write: never visible to readers, removed here."""
        selector = pafs.FileSelector(directory, allow_not_found=True)
        for info in self.fs.get_file_info(selector):
            if info.base_name.startswith(TMP_PREFIX):
                _delete_quietly(self.fs, info.path)

    def remove_partition(self, dataset: str, key: PartitionKey) -> None:
        _delete_quietly(self.fs, f"{self.partition_dir(dataset, key)}/{PART_FILE}")

    def partitions(self, dataset: str) -> list[PartitionKey]:
        """Every service-hour that holds a file in `dataset`."""
        selector = pafs.FileSelector(
            self.dataset_path(dataset), recursive=True, allow_not_found=True
        )
        keys = []
        for info in self.fs.get_file_info(selector):
            if info.type == pafs.FileType.File and info.base_name == PART_FILE:
                parts = dict(p.split("=", 1) for p in info.path.split("/") if "=" in p)
                keys.append(PartitionKey(parts["service"], parts["date"], parts["hour"]))
        return sorted(keys, key=lambda k: (k.date, k.hour, k.service))

    def partitions_in(self, dataset: str, start: datetime, end: datetime) -> list[PartitionKey]:
        """Service-hours of `dataset` with start <= hour < end."""
        hours = {(h.strftime("%Y-%m-%d"), h.strftime("%H")) for h in hours_between(start, end)}
        return [k for k in self.partitions(dataset) if (k.date, k.hour) in hours]

    def files(self, dataset: str, keys: list[PartitionKey] | None = None) -> list[str]:
        keys = self.partitions(dataset) if keys is None else keys
        return [f"{self.partition_dir(dataset, k)}/{PART_FILE}" for k in keys]

    def read(self, dataset: str, keys: list[PartitionKey] | None = None) -> pa.Table:
        """Rows of the given partitions (all by default), with service/date/hour columns."""
        tables = []
        for key in self.partitions(dataset) if keys is None else keys:
            path = f"{self.partition_dir(dataset, key)}/{PART_FILE}"
            if self.fs.get_file_info(path).type != pafs.FileType.File:
                continue
            t = pq.read_table(path, filesystem=self.fs)
            n = t.num_rows
            t = t.append_column("service", pa.array([key.service] * n, pa.string()))
            t = t.append_column("date", pa.array([key.date] * n, pa.string()))
            tables.append(t.append_column("hour", pa.array([key.hour] * n, pa.string())))
        if not tables:
            return pa.table({})
        return pa.concat_tables(tables, promote_options="default")


def column_encodings(schema: pa.Schema) -> tuple[dict[str, str], list[str]]:
    """(column -> encoding, columns to dictionary-encode) for a table about to be written.

    Leaf paths as Parquet names them (`attributes.key_value.value`); an encoding applies only
    where the type allows it, so every dataset (raw_logs, quarantine, ...) can use this."""
    encodings: dict[str, str] = {}
    dictionary: list[str] = []
    for field in schema:
        for path, leaf in _leaves(field.name, field.type):
            wanted = DELTA_COLUMNS.get(path)
            if wanted == "DELTA_BINARY_PACKED" and (
                pa.types.is_integer(leaf) or pa.types.is_timestamp(leaf)
            ):
                encodings[path] = wanted
            elif wanted in ("DELTA_BYTE_ARRAY", "DELTA_LENGTH_BYTE_ARRAY") and (
                pa.types.is_string(leaf) or pa.types.is_binary(leaf)
            ):
                encodings[path] = wanted
            elif path not in NO_DICTIONARY:
                dictionary.append(path)
    return encodings, dictionary


def _leaves(path: str, dtype: pa.DataType) -> list[tuple[str, pa.DataType]]:
    """Parquet leaf column paths of an Arrow field (map -> key_value.key / .value, list ->
    list.element, struct -> fields)."""
    if pa.types.is_map(dtype):
        return [
            *_leaves(f"{path}.key_value.key", dtype.key_type),
            *_leaves(f"{path}.key_value.value", dtype.item_type),
        ]
    if pa.types.is_list(dtype) or pa.types.is_large_list(dtype):
        return _leaves(f"{path}.list.element", dtype.value_type)
    if pa.types.is_struct(dtype):
        return [leaf for f in dtype for leaf in _leaves(f"{path}.{f.name}", f.type)]
    return [(path, dtype)]


def hours_between(start: datetime, end: datetime) -> list[datetime]:
    """UTC hour starts h with start <= h < end (start is floored to the hour)."""
    h = start.replace(minute=0, second=0, microsecond=0)
    out = []
    while h < end:
        out.append(h)
        h += timedelta(hours=1)
    return out


def _delete_quietly(fs: pafs.FileSystem, path: str) -> None:
    try:
        fs.delete_file(path)
    except (FileNotFoundError, OSError):
        pass
