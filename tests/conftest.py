"""Shared fixtures: a client for the real Elasticsearch node, and throwaway aliases.

`make test` starts the local node (or uses BMA_NEWS_ES_URL) before pytest runs; the
integration tests fail with one clear message when no node answers.
"""

from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest

os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("BMA_NEWS_SHARED_DIR", REPO.parent / "shared"))
ARTIFACTS = REPO / "test-artifacts"


def pytest_collection_modifyitems(config, items):
    for item in items:
        if "es_client" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.integration)


@pytest.fixture(scope="session")
def es_client():
    from core.errors import ElasticsearchUnavailable
    from core.es.client import connect

    try:
        client = connect()
    except ElasticsearchUnavailable as exc:
        pytest.fail(f"{exc} (integration tests need a node: run them with `make test`)",
                    pytrace=False)
    yield client
    client.close()


@pytest.fixture
def es_alias(es_client):
    """A unique alias for one test; every index behind it is deleted afterwards."""
    alias = f"bma-news-test-{uuid.uuid4().hex[:10]}"
    yield alias
    es_client.indices.delete(index=f"{alias}-*", ignore_unavailable=True, allow_no_indices=True)


@pytest.fixture(scope="session")
def artifacts_dir() -> Path:
    ARTIFACTS.mkdir(exist_ok=True)
    return ARTIFACTS
