"""Buffers Arrow tables per (dataset, partition) until the final write, within a memory budget.

Streaming input arrives container by container, but the lake wants one sorted file per
service-hour. Tables are kept in memory up to `budget_bytes`; past that the largest buffer is
spilled to an Arrow IPC file in a temporary directory, so memory stays bounded whatever the input.
"""

import itertools
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Hashable, Iterator

import pyarrow as pa
import pyarrow.ipc as ipc

DEFAULT_BUDGET_BYTES = 384 * 1024 * 1024


class StagingArea:
    def __init__(self, budget_bytes: int = DEFAULT_BUDGET_BYTES) -> None:
        self.budget_bytes = budget_bytes
        self._memory: dict[Hashable, list[pa.Table]] = defaultdict(list)
        self._memory_bytes: dict[Hashable, int] = defaultdict(int)
        self._spilled: dict[Hashable, list[str]] = defaultdict(list)
        self._dir: str | None = None
        self._total = 0
        self._counter = itertools.count()

    def add(self, key: Hashable, table: pa.Table) -> None:
        if table.num_rows == 0:
            return
        self._memory[key].append(table)
        self._memory_bytes[key] += table.nbytes
        self._total += table.nbytes
        while self._total > self.budget_bytes and self._memory_bytes:
            self._spill(max(self._memory_bytes, key=self._memory_bytes.__getitem__))

    def keys(self) -> list[Hashable]:
        return list(dict.fromkeys([*self._spilled, *self._memory]))

    def take(self, key: Hashable) -> pa.Table | None:
        """Everything staged under `key`, in the order it was added; frees it."""
        tables = [t for path in self._spilled.pop(key, []) for t in _read_ipc(path)]
        tables += self._memory.pop(key, [])
        self._total -= self._memory_bytes.pop(key, 0)
        if not tables:
            return None
        return pa.concat_tables(tables, promote_options="permissive")

    def drain(self) -> Iterator[tuple[Hashable, pa.Table]]:
        for key in self.keys():
            table = self.take(key)
            if table is not None:
                yield key, table

    def close(self) -> None:
        if self._dir:
            shutil.rmtree(self._dir, ignore_errors=True)
            self._dir = None

    def _spill(self, key: Hashable) -> None:
        if self._dir is None:
            self._dir = tempfile.mkdtemp(prefix="logadapt-staging-")
        tables = self._memory.pop(key)
        self._total -= self._memory_bytes.pop(key)
        path = f"{self._dir}/{next(self._counter)}.arrow"
        with ipc.new_file(path, tables[0].schema) as writer:
            for t in tables:
                writer.write_table(t.cast(tables[0].schema))
        self._spilled[key].append(path)

    def __enter__(self) -> "StagingArea":
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _read_ipc(path: str) -> list[pa.Table]:
    with ipc.open_file(path) as reader:
        return [reader.read_all()]
