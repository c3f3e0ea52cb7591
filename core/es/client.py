"""The one place an Elasticsearch client is built, from the settings."""

from __future__ import annotations

import logging
import re
from typing import Any

from elasticsearch import ApiError, Elasticsearch
from elasticsearch import ConnectionError as ESConnectionError

from core.errors import ElasticsearchUnavailable
from core.settings import Settings, get_settings

# The transport logs a warning per failed attempt; the errors we raise say it once.
logging.getLogger("elastic_transport.node_pool").setLevel(logging.ERROR)


def redact_url(url: str) -> str:
    """Drop credentials from a URL before it is printed or logged."""
    return re.sub(r"//[^/@]+@", "//***@", url)


def make_client(settings: Settings | None = None, **overrides: Any) -> Elasticsearch:
    settings = settings or get_settings()
    kwargs: dict = {
        "request_timeout": settings.es_request_timeout,
        "retry_on_timeout": True,
        "max_retries": 3,
    }
    if settings.es_api_key:
        kwargs["api_key"] = settings.es_api_key.get_secret_value()
    if settings.es_username:
        password = settings.es_password.get_secret_value() if settings.es_password else ""
        kwargs["basic_auth"] = (settings.es_username, password)
    if settings.es_ca_certs:
        kwargs["ca_certs"] = str(settings.es_ca_certs)
    kwargs.update(overrides)
    hosts = settings.es_hosts
    return Elasticsearch(hosts if len(hosts) > 1 else hosts[0], **kwargs)


def connect(settings: Settings | None = None) -> Elasticsearch:
    """A client whose cluster has answered `_cluster/health`, or one clear error."""
    settings = settings or get_settings()
    # No retries on one node (an unreachable one is said at once); with several, each is tried.
    client = make_client(settings, max_retries=len(settings.es_hosts) - 1)
    where = redact_url(settings.effective_es_url)
    try:
        client.cluster.health(timeout="5s")
    except ESConnectionError:
        hint = (
            "start the local node with `bma-news es up`"
            if settings.uses_local_node
            else "check BMA_NEWS_ES_URL"
        )
        raise ElasticsearchUnavailable(f"Elasticsearch at {where} is unreachable; {hint}") from None
    except ApiError as exc:
        if exc.meta.status >= 500:
            raise ElasticsearchUnavailable(
                f"Elasticsearch at {where} is unavailable (HTTP {exc.meta.status}); "
                "try again once it is healthy") from None
        raise ElasticsearchUnavailable(
            f"Elasticsearch at {where} refused the request (HTTP {exc.meta.status}): "
            f"{exc.message}") from None
    return make_client(settings)
