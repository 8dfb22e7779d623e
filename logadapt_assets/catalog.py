"""Service catalog: who a container is (service, environment, cluster, broker) and how to parse it.

Context comes from the container's labels, the operator's catalog file and the container's env
vars; the parser from a label, the catalog, the image repository or a sniff of sample lines.
All key lists and image patterns are data in `rules/parsers.yaml`.
"""

import fnmatch
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl
import yaml

from logadapt_assets.parsing.base import ParseOptions
from logadapt_assets.parsing.registry import DEFAULT_PARSER, PARSER_MODULES
from logadapt_assets.sources.base import ContainerInfo

RULES_PATH = Path(__file__).resolve().parent / "rules" / "parsers.yaml"
_ENTRY_KEYS = {
    "parser",
    "environment",
    "cluster_id",
    "cluster",
    "host",
    "timezone",
    "log_line_prefix",
    "postgres_log_line_prefix",
    "options",
    "name",
}


@dataclass(frozen=True)
class ServiceContext:
    """Everything enrichment and parsing need to know about one container."""

    service: str
    environment: str | None = None
    cluster_id: str | None = None
    host: str | None = None
    container_id: str = ""
    container_name: str | None = None
    image: str | None = None
    parser: str = DEFAULT_PARSER
    options: ParseOptions = field(default_factory=ParseOptions)
    broker_id: int | None = None


@cache
def _rules() -> dict[str, Any]:
    return yaml.safe_load(RULES_PATH.read_text())


def _first(mapping: dict[str, str], keys: list[str]) -> str | None:
    for key in keys:
        value = mapping.get(key)
        if value is not None and str(value).strip():
            return str(value).strip()
    return None


def _valid_zone(name: str | None) -> str | None:
    """A usable IANA zone name, or None (a container's TZ may be junk like ':/etc/localtime')."""
    if not name:
        return None
    name = name.strip()
    if name.startswith(":"):
        name = name[1:]
    try:
        ZoneInfo(name)
    except (ValueError, OSError, KeyError):  # ZoneInfoNotFoundError is a KeyError
        return None
    return name


def _int_or_none(value: str | None) -> int | None:
    if value is None:
        return None
    try:
        return int(value.strip())
    except ValueError:
        return None


def _otel_attributes(env: dict[str, str]) -> dict[str, str]:
    raw = env.get("OTEL_RESOURCE_ATTRIBUTES") or ""
    out = {}
    for part in raw.split(","):
        key, sep, value = part.partition("=")
        if sep:
            out[key.strip()] = value.strip()
    return out


def image_repository(image: str | None) -> str | None:
    """`registry:5000/org/name:tag@sha256:..` -> `org/name` (lower case, no `library/`)."""
    if not image:
        return None
    ref = image.strip().lower()
    if ref.startswith("sha256:") or re.fullmatch(r"[0-9a-f]{12,64}", ref):
        return None  # an image id, not a reference
    ref = ref.split("@", 1)[0]
    parts = ref.split("/")
    last = parts[-1]
    if ":" in last:
        parts[-1] = last.split(":", 1)[0]
    if len(parts) > 1 and ("." in parts[0] or ":" in parts[0] or parts[0] == "localhost"):
        parts = parts[1:]
    if parts and parts[0] == "library" and len(parts) > 1:
        parts = parts[1:]
    repo = "/".join(p for p in parts if p)
    return repo or None


def parser_for_image(image: str | None) -> str | None:
    """The parser whose image patterns match the image's repository (or its trailing path)."""
    repo = image_repository(image)
    if repo is None:
        return None
    for parser, patterns in _rules()["images"].items():
        for pattern in patterns:
            if fnmatch.fnmatchcase(repo, pattern) or fnmatch.fnmatchcase(repo, "*/" + pattern):
                return parser
    return None


def sniff_parser(sample: list[str] | None) -> str | None:
    """Guess the parser from sample lines (vectorised over the sample), None when unsure."""
    if not sample:
        return None
    conf = _rules()["sniff"]
    lines = pl.Series("line", sample[: int(conf["max_lines"])], dtype=pl.String)
    # blank and indented lines continue a record (stack traces, Kafka's config dump): no evidence
    lines = lines.filter(
        (lines.str.strip_chars().str.len_chars() > 0) & ~lines.str.contains(r"^[ \t]")
    )
    if lines.is_empty():
        return None
    best, best_hits = None, 0
    for parser, patterns in conf["patterns"].items():
        hit = pl.Series([False] * lines.len())
        for pattern in patterns:
            hit = hit | lines.str.contains(pattern).fill_null(False)
        hits = int(hit.sum())
        if hits > best_hits:
            best, best_hits = parser, hits
    if best is None or best_hits < max(1.0, float(conf["min_share"]) * lines.len()):
        return None
    return best


def _check_parser(name: Any, where: str) -> str:
    if name not in PARSER_MODULES:
        raise ValueError(f"{where}: unknown parser {name!r} (known: {sorted(PARSER_MODULES)})")
    return str(name)


def _normalise_entry(entry: dict[str, Any], where: str) -> dict[str, Any]:
    if not isinstance(entry, dict):
        raise ValueError(f"{where}: expected a mapping, got {type(entry).__name__}")
    unknown = set(entry) - _ENTRY_KEYS
    if unknown:
        raise ValueError(f"{where}: unknown keys {sorted(unknown)}")
    out = dict(entry)
    if "cluster" in out:
        out.setdefault("cluster_id", out.pop("cluster"))
    if "postgres_log_line_prefix" in out:
        out.setdefault("log_line_prefix", out.pop("postgres_log_line_prefix"))
    if "parser" in out:
        out["parser"] = _check_parser(out["parser"], where)
    if "timezone" in out and _valid_zone(str(out["timezone"])) is None:
        raise ValueError(f"{where}: unknown timezone {out['timezone']!r}")
    options = out.get("options", {})
    if not isinstance(options, dict):
        raise ValueError(f"{where}: options must be a mapping")
    out["options"] = {str(k): str(v) for k, v in options.items()}
    for key in ("environment", "cluster_id", "host", "timezone", "log_line_prefix"):
        if key in out and out[key] is not None:
            out[key] = str(out[key])
    return out


class ServiceCatalog:
    """Operator-declared facts per service (YAML), plus the rules that resolve a container.

    File format::

        defaults: {environment: prod, timezone: UTC}     # optional, for every service
        services:
          kafka: {parser: kafka, cluster_id: orders-kafka}
          "pg-*": {parser: postgres, log_line_prefix: "%m [%p] %q%u@%d "}

    Service keys are exact names or fnmatch globs (exact names win, then globs in file order).
    `services` may also be a list of mappings with a `name` key.
    """

    def __init__(
        self,
        services: dict[str, dict[str, Any]] | None = None,
        defaults: dict[str, Any] | None = None,
    ) -> None:
        self.services = {
            str(k): _normalise_entry(v, f"service {k!r}") for k, v in (services or {}).items()
        }
        self.defaults = _normalise_entry(defaults or {}, "defaults")

    @classmethod
    def load(cls, path: str | Path | None) -> "ServiceCatalog":
        """Read a catalog file; None means no catalog (every fact from labels, env, image)."""
        if path is None:
            return cls()
        doc = yaml.safe_load(Path(path).read_text()) or {}
        if not isinstance(doc, dict):
            raise ValueError(f"{path}: a service catalog is a mapping")
        services = doc.get("services") or {}
        if isinstance(services, list):
            as_dict = {}
            for i, item in enumerate(services):
                if not isinstance(item, dict) or not item.get("name"):
                    raise ValueError(f"{path}: services[{i}] needs a name")
                as_dict[str(item["name"])] = {k: v for k, v in item.items() if k != "name"}
            services = as_dict
        if not isinstance(services, dict):
            raise ValueError(f"{path}: services must be a mapping or a list")
        return cls(services=services, defaults=doc.get("defaults") or {})

    def entry_for(self, service: str) -> dict[str, Any]:
        """The catalog facts for `service`: defaults overlaid by its exact or glob entry."""
        entry = self.services.get(service)
        if entry is None:
            for pattern, candidate in self.services.items():
                if fnmatch.fnmatchcase(service, pattern):
                    entry = candidate
                    break
        merged = dict(self.defaults)
        merged.update(entry or {})
        merged["options"] = {**self.defaults.get("options", {}), **(entry or {}).get("options", {})}
        return merged

    def context_for(
        self, container: ContainerInfo, sample: list[str] | None = None
    ) -> ServiceContext:
        """Resolve one container into its ServiceContext (never raises on label/env content)."""
        keys = _rules()["context"]
        labels = {str(k): str(v) for k, v in (container.labels or {}).items() if v is not None}
        env = {str(k): str(v) for k, v in (container.env or {}).items() if v is not None}
        name = (container.name or "").lstrip("/") or None

        service = _first(labels, keys["service_labels"]) or name or container.id[:12]
        entry = self.entry_for(service)

        environment = (
            _first(labels, keys["environment_labels"])
            or entry.get("environment")
            or _first(env, keys["environment_env"])
            or _first(_otel_attributes(env), keys["environment_otel"])
        )
        cluster_id = (
            _first(labels, keys["cluster_labels"])
            or entry.get("cluster_id")
            or _first(env, keys["cluster_env"])
        )
        broker_id = _int_or_none(_first(labels, keys["broker_id_labels"]))
        if broker_id is None:
            broker_id = _int_or_none(_first(env, keys["broker_id_env"]))

        label_parser = _first(labels, keys["parser_labels"])
        parser = (
            (label_parser if label_parser in PARSER_MODULES else None)
            or entry.get("parser")
            or parser_for_image(container.image)
            or sniff_parser(sample)
            or DEFAULT_PARSER
        )

        timezone = (
            _valid_zone(_first(labels, keys["timezone_labels"]))
            or entry.get("timezone")
            or _valid_zone(_first(env, keys["timezone_env"]))
            or "UTC"
        )
        prefix = _first(labels, keys["log_line_prefix_labels"]) or entry.get("log_line_prefix")
        options = ParseOptions(
            timezone=timezone,
            postgres_log_line_prefix=prefix,
            extra=dict(entry.get("options", {})),
        )
        return ServiceContext(
            service=service,
            environment=environment,
            cluster_id=cluster_id,
            host=container.host or entry.get("host"),
            container_id=container.id,
            container_name=name,
            image=container.image,
            parser=parser,
            options=options,
            broker_id=broker_id,
        )
