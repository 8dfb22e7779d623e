import dagster as dg
from pydantic import Field

from logadapt_assets.catalog import ServiceCatalog
from logadapt_assets.lake import Lake
from logadapt_assets.sources.base import LogSource
from logadapt_assets.sources.open import SourceError, drop_failed_connections, open_source

DEFAULT_JSON_FILE_ROOT = "/var/lib/docker/containers"


class LakeResource(dg.ConfigurableResource):
    """Where the lake lives: a local directory or a pyarrow filesystem URI (s3://...)."""

    root: str = Field(default="data/lake", description="lake root directory or URI")

    def lake(self) -> Lake:
        return Lake(self.root)


class LogSourceResource(dg.ConfigurableResource):
    """Where container logs come from: `docker://` (the engine), a json-file `containers/` root,
    a CRI root, or a file. `auto` uses the local engine when it answers, else `fallback`."""

    spec: str = Field(default="auto", description="docker://, docker://NAME, a path, or auto")
    fallback: str = Field(default=DEFAULT_JSON_FILE_ROOT, description="path used when no engine")
    format: str = Field(default="auto", description="auto|docker-json|cri|docker-logs|plain")

    def open(self) -> LogSource:
        if self.spec != "auto":
            return open_source(self.spec, self.format)
        try:
            return open_source("docker://", self.format)
        except SourceError:
            return open_source(self.fallback, self.format)

    def container_docs(self) -> list[dict] | None:
        """`docker inspect` documents of the containers this source covers (all of the engine's,
        or the one `docker://NAME` names); None when the engine does not answer."""
        import docker

        docs = None
        client = None
        try:
            client = docker.from_env(timeout=10)
            engine = self.spec.startswith("docker://")
            wanted = self.spec.removeprefix("docker://") if engine else ""
            docs = [
                c.attrs
                for c in client.containers.list(all=True)
                if not wanted or wanted in (c.name, c.id) or c.id.startswith(wanted)
            ]
        except Exception:  # noqa: BLE001 - engine down, or a container vanished mid-listing
            pass
        finally:
            if client is not None:
                client.close()
        if docs is None:
            drop_failed_connections()  # outside the except: its traceback holds the socket
        return docs


class CatalogResource(dg.ConfigurableResource):
    """The service catalog (YAML): environments, clusters, parsers, time zones per service."""

    path: str | None = Field(default=None, description="service catalog YAML, optional")

    def catalog(self) -> ServiceCatalog:
        return ServiceCatalog.load(self.path)
