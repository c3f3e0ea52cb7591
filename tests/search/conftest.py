"""Fixtures: the hand-built releases of releases.py indexed into the `es_alias` alias,
and the web app over them (in-process and served by uvicorn on a loopback port)."""

from __future__ import annotations

import pytest

from .releases import RELEASES, Release, index_releases


@pytest.fixture
def releases() -> dict[str, Release]:
    return {r.key: r for r in RELEASES}


@pytest.fixture
def search_index(es_client, es_alias) -> str:
    """The alias, holding every release in RELEASES."""
    index_releases(es_client, es_alias, RELEASES)
    return es_alias


@pytest.fixture
def web_app(es_client, search_index):
    from search.web.app import create_app

    return create_app(client=es_client, index=search_index)


@pytest.fixture
def web_client(web_app):
    from fastapi.testclient import TestClient

    with TestClient(web_app, raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def bare_web_client(es_client):
    """The app over an index that does not exist: enough for input validation."""
    from fastapi.testclient import TestClient

    from search.web.app import create_app

    with TestClient(create_app(client=es_client, index="bma-news-test-never-created"),
                    raise_server_exceptions=False) as client:
        yield client


@pytest.fixture
def live_server(web_app):
    """The app served by uvicorn on an ephemeral loopback port, in a background thread."""
    import threading
    import time

    import uvicorn

    from search.web.server import server_config

    server = uvicorn.Server(server_config(web_app, port=0))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture
def curations_file(tmp_path, monkeypatch):
    """A data dir of this test's own: its curations.json (absent at first) is the one the
    CLI (given `BMA_NEWS_DATA_DIR`), the web app and the search functions read."""
    from core.settings import get_settings

    data_dir = tmp_path / "data"
    monkeypatch.setenv("BMA_NEWS_DATA_DIR", str(data_dir))
    get_settings.cache_clear()
    yield data_dir / "curations.json"
    get_settings.cache_clear()
