"""BMA_NEWS_ES_URL may name several nodes: the client spreads requests over them and
goes on when one of them is down."""

from __future__ import annotations

import socket

from core.es.client import connect
from core.settings import Settings, get_settings


def _dead_url() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_several_hosts_are_read_from_one_setting():
    settings = Settings(es_url="http://10.0.0.1:9200, https://10.0.0.2:9200,,")
    assert settings.es_hosts == ["http://10.0.0.1:9200", "https://10.0.0.2:9200"]
    assert Settings(es_url="http://10.0.0.1:9200").es_hosts == ["http://10.0.0.1:9200"]


def test_a_node_down_among_several_does_not_stop_reads_or_writes(es_client, es_alias):
    live = get_settings().effective_es_url
    client = connect(Settings(es_url=f"{_dead_url()},{live}"))
    index = f"{es_alias}-hosts"
    for n in range(10):
        client.index(index=index, id=str(n), document={"n": n})
    client.indices.refresh(index=index)
    assert client.count(index=index)["count"] == 10
