"""One settings object for the whole project, read from `BMA_NEWS_*` environment variables.

Defaults run locally with no configuration at all: a node managed by `bma-news es up`
on loopback, the landing zone under ./data, the alias `bma-news`.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from core.limits import MAX_DEFAULT_ENRICH_WORKERS, MAX_RESPONSE_BYTES, WP_MAX_PER_PAGE
from core.thai_calendar import TIME_ZONE_NAME


def default_enrich_workers() -> int:
    """One enrichment process per core, at most MAX_DEFAULT_ENRICH_WORKERS."""
    return max(1, min(os.cpu_count() or 1, MAX_DEFAULT_ENRICH_WORKERS))


def default_cache_dir() -> Path:
    """Where the Elasticsearch download and the local node live, outside any clone.

    Root's home is not readable by the dedicated non-root user that runs the node,
    so root uses /var/cache (the FHS place for a system-wide cache) instead.
    """
    if os.geteuid() == 0:
        return Path("/var/cache/bma-news")
    xdg = os.environ.get("XDG_CACHE_HOME")
    return (Path(xdg) if xdg else Path.home() / ".cache") / "bma-news"


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="BMA_NEWS_", extra="ignore")

    # --- Elasticsearch -------------------------------------------------------------
    es_url: str | None = Field(
        default=None,
        description="An existing cluster to use (several nodes: comma-separated URLs); unset means the local node of `bma-news es up`.",
    )
    es_api_key: SecretStr | None = None
    es_username: str | None = None
    es_password: SecretStr | None = None
    es_ca_certs: Path | None = None
    es_request_timeout: float = 30.0
    index: str = Field(default="bma-news", description="The alias searches and loads go through.")
    index_replicas: int | None = Field(
        default=None, ge=0, le=10,
        description="Replicas of each new index; unset means the definition's (0, for one node). "
                    "On a cluster, 1 or more: a node lost mid-load then loses nothing.")

    # --- local node ----------------------------------------------------------------
    cache_dir: Path = Field(default_factory=default_cache_dir)
    es_version: str = "9.2.0"
    es_port: int = 9200
    es_heap: str = Field(default="1g", description="JVM heap of the local node (-Xms = -Xmx).")
    es_user: str = Field(default="bma-news-es", description="Dedicated user when run as root.")
    es_start_timeout: float = 180.0

    # --- data ----------------------------------------------------------------------
    data_dir: Path = Field(default=Path("data"), description="Landing zone, state, dead letters.")

    # --- crawling ------------------------------------------------------------------
    user_agent: str = "bma-news/0.1 (+https://github.com/bma-news/bma-news)"
    download_delay: float = 1.0
    max_response_bytes: int = MAX_RESPONSE_BYTES
    crawl_download_timeout: float = Field(default=30.0, description="Seconds before a request is given up (then retried).")
    crawl_page_size: int = Field(default=WP_MAX_PER_PAGE, description="Posts per WordPress REST page (WordPress allows 1-100).")

    # --- orchestration -------------------------------------------------------------
    prefect_port: int = Field(default=4200, ge=1, le=65535,
                              description="Port of the local Prefect server of `bma-news prefect up` (loopback).")
    prefect_home: Path | None = Field(
        default=None,
        description="PREFECT_HOME of the local Prefect server; unset means <cache_dir>/prefect-<port>.")
    prefect_ui: bool = Field(default=True, description="Whether the local Prefect server serves its UI.")
    prefect_start_timeout: float = 120.0
    schedule_cron: str = "0 2 * * *"
    schedule_timezone: str = TIME_ZONE_NAME
    enrich_workers: int = Field(default_factory=default_enrich_workers, ge=1, le=64,
                                description="Processes the flows enrich with (default: one per "
                                            "core, at most 4; a file of fewer than 256 "
                                            "records is enriched in the flow's own process).")
    bulk_chunk_size: int = 500
    dask_address: str | None = Field(
        default=None, description="A Dask scheduler (tcp://host:8786) to enrich raw files on, one task each.")
    dask_workers: int = Field(default=0, ge=0, le=64,
                              description="Without an address: a LocalCluster of this many worker processes (0: no Dask).")

    @property
    def uses_local_node(self) -> bool:
        return not self.es_url

    @property
    def local_node_url(self) -> str:
        return f"http://127.0.0.1:{self.es_port}"

    @property
    def effective_es_url(self) -> str:
        return self.es_url or self.local_node_url

    @property
    def es_hosts(self) -> list[str]:
        """The cluster's nodes: BMA_NEWS_ES_URL may name several, separated by commas
        (the client spreads requests over them and skips a node that is down)."""
        return [h.strip() for h in self.effective_es_url.split(",") if h.strip()]


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
