"""Logs through the Docker Engine API (the `docker` SDK), identical to what json-file holds.

Each stream is read on its own (`stdout=True, stderr=False`, then the reverse) so they stay
apart, with `timestamps=True`. The multiplexed response carries one log message per frame,
`<RFC3339Nano> <text>`, and a message Docker cut at 16 KiB is a frame without a trailing newline,
so frame by frame we get exactly the json-file records: same capture time, same partial flags.
(Reading the merged text instead glues partial records together with timestamps inside.)

A TTY container's logs are not multiplexed: that raw text is parsed like `docker logs -t`.
"""

import io
import math
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any

import polars as pl

from logadapt_assets.sources.base import BATCH_RECORDS, ContainerInfo, SourceBatch
from logadapt_assets.sources.json_file import container_info
from logadapt_assets.sources.text import (
    WINDOW_SLACK,
    Skipped,
    TextChunkParser,
    date_quarantine,
    empty_quarantine_frame,
    iter_chunks,
    parse_rfc3339,
    quarantine_rows,
    strip_newline,
    to_quarantine_table,
    to_raw_table,
    utc,
    window_filter,
)


class DockerApiSource:
    """All containers of the engine (`target=None`) or one container by name or id."""

    def __init__(self, target: str | None = None, client: Any = None):
        import docker

        self.target = target
        self.uri = f"docker://{target or ''}"
        self.client = client if client is not None else docker.from_env()
        self.skipped: list[Skipped] = []
        self.batch_records = BATCH_RECORDS

    def close(self) -> None:
        """Close the SDK client's connections."""
        self.client.close()

    def __enter__(self) -> "DockerApiSource":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def _inspect_all(self) -> list[dict]:
        import docker.errors

        if self.target:
            return [self.client.api.inspect_container(self.target)]
        out = []
        for c in self.client.api.containers(all=True):
            try:
                out.append(self.client.api.inspect_container(c["Id"]))
            except docker.errors.NotFound:
                self.skipped.append(Skipped(c["Id"], self.uri, "vanished", "removed meanwhile"))
        return out

    def containers(self) -> list[ContainerInfo]:
        return [container_info(doc, doc.get("Id", "")) for doc in self._inspect_all()]

    def read(
        self,
        since: datetime | None = None,
        until: datetime | None = None,
        select: Callable[[ContainerInfo], bool] | None = None,
    ) -> Iterator[SourceBatch]:
        """Records with since <= observed_at < until, per container, one stream after the other."""
        import docker.errors

        since, until = utc(since), utc(until)
        for doc in self._inspect_all():
            info = container_info(doc, doc.get("Id", ""))
            if select is not None and not select(info):
                continue
            tty = bool((doc.get("Config") or {}).get("Tty"))
            try:
                if tty:
                    yield from self._read_tty(info, since, until)
                else:
                    for stream in ("stdout", "stderr"):
                        yield from self._read_stream(info, stream, since, until)
            except docker.errors.NotFound as exc:
                self.skipped.append(Skipped(info.id, self.uri, "vanished", str(exc)))
            except docker.errors.APIError as exc:  # e.g. a log driver that cannot be read back
                self.skipped.append(Skipped(info.id, self.uri, "unreadable", str(exc)))

    def _log_args(self, since: datetime | None, until: datetime | None) -> dict:
        """The engine filters by whole seconds: ask for a wider window, filter exactly here."""
        args: dict[str, Any] = {"timestamps": True}
        if since is not None and since.timestamp() >= 2:
            args["since"] = math.floor(since.timestamp()) - 1
        if until is not None:
            args["until"] = math.ceil((until + WINDOW_SLACK).timestamp())
        return args

    def _read_stream(
        self, info: ContainerInfo, stream: str, since: datetime | None, until: datetime | None
    ) -> Iterator[SourceBatch]:
        frames = self.client.api.logs(
            info.id,
            stdout=stream == "stdout",
            stderr=stream == "stderr",
            stream=True,
            follow=False,
            **self._log_args(since, until),
        )
        source = f"docker://{info.id}"
        texts: list[str] = []
        bad: list[dict] = []
        first = 0  # frame number of texts[0]
        number = 0
        for frame in frames:
            try:
                texts.append(frame.decode("utf-8"))
            except UnicodeDecodeError as exc:
                texts.append("")  # keeps frame numbers aligned; dropped below
                bad.append(self._bad(info, stream, source, number, frame, exc))
            number += 1
            if len(texts) >= self.batch_records:
                yield self._batch(info, stream, source, texts, first, bad, since, until)
                first, texts, bad = number, [], []
        if texts:
            yield self._batch(info, stream, source, texts, first, bad, since, until)

    def _batch(self, info, stream, source, texts, first, bad, since, until) -> SourceBatch:
        df = pl.DataFrame({"frame": texts}).with_row_index("position", offset=first)
        if bad:
            skip = pl.Series([b["position"] for b in bad], dtype=pl.Int64)
            df = df.filter(~pl.col("position").cast(pl.Int64).is_in(skip.implode()))
        head = df["frame"].str.splitn(" ", 2)
        body = head.struct.field("field_1").fill_null("")
        final = body.str.ends_with("\n")
        raw = pl.DataFrame(
            {
                "container_id": pl.Series([info.id] * df.height, dtype=pl.String),
                "stream": pl.Series([stream] * df.height, dtype=pl.String),
                "observed_at": parse_rfc3339(head.struct.field("field_0")),
                "body": body,
                "partial": ~final,
                "source": pl.Series([source] * df.height, dtype=pl.String),
                "position": df["position"].cast(pl.Int64),
                "frame": df["frame"],
            }
        )
        raw = raw.with_columns(strip_newline(raw["body"]).alias("line"))
        no_time = raw.filter(pl.col("observed_at").is_null())
        rows = list(bad)
        for pos, text in no_time.select("position", "frame").rows():
            rows.append(
                {
                    "container_id": info.id,
                    "stream": stream,
                    "observed_at": None,
                    "source": source,
                    "position": pos,
                    "reason": "invalid_format",
                    "detail": "frame without a timestamp",
                    "raw": text.encode(),
                }
            )
        raw = raw.filter(pl.col("observed_at").is_not_null())
        quarantine = quarantine_rows(rows)
        if quarantine.height:
            quarantine = date_quarantine(raw, quarantine, None, datetime.now(UTC))
        return SourceBatch(
            info,
            to_raw_table(window_filter(raw, "observed_at", since, until)),
            to_quarantine_table(window_filter(quarantine, "observed_at", since, until)),
        )

    def _bad(self, info, stream, source, number, frame: bytes, exc) -> dict:
        ts = parse_rfc3339(pl.Series([frame.split(b" ", 1)[0].decode("ascii", "replace")]))[0]
        return {
            "container_id": info.id,
            "stream": stream,
            "observed_at": ts,
            "source": source,
            "position": number,
            "reason": "invalid_utf8",
            "detail": f"invalid UTF-8 at byte {exc.start}",
            "raw": frame,
        }

    def _read_tty(
        self, info: ContainerInfo, since: datetime | None, until: datetime | None
    ) -> Iterator[SourceBatch]:
        """TTY logs arrive as one text stream, like `docker logs -t` (all on stdout)."""
        data = self.client.api.logs(
            info.id, stdout=True, stderr=True, stream=False, **self._log_args(since, until)
        )
        parser = TextChunkParser(info.id, docker_logs=True)
        source = f"docker://{info.id}"
        parser.start_file(source, datetime.now(UTC))
        for offset, chunk in iter_chunks(io.BytesIO(data)):
            raw, quarantine = parser.parse(chunk, offset, source)
            if quarantine.height:
                quarantine = date_quarantine(raw, quarantine, parser.last, datetime.now(UTC))
            quarantine = window_filter(quarantine, "observed_at", since, until)
            raw = window_filter(raw, "observed_at", since, until)
            for start in range(0, max(raw.height, 1), self.batch_records):
                part = raw.slice(start, self.batch_records)
                q = quarantine if start == 0 else empty_quarantine_frame()
                if part.height or q.height:
                    yield SourceBatch(info, to_raw_table(part), to_quarantine_table(q))
