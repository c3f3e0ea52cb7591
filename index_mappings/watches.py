"""The watches' own indexes (saved searches and the releases each one matched).

They live beside the documents' alias, not behind it: a rebuild or a reprocess makes a new
documents index and swaps the alias, and the watches and their history stay. Their names
come from the alias (`<alias>-watches-v1`, `<alias>-watch-matches-v1`), so a test's
throwaway alias gets throwaway watches. Each is created on first use from its definition
(`bma-news-watches-v<N>.json`, `bma-news-watch-matches-v<N>.json`, `dynamic: strict`).
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources

from elasticsearch import BadRequestError, Elasticsearch

WATCHES_VERSION = 1
KINDS = ("watches", "watch-matches")


@cache
def load_watch_definition(kind: str, version: int = WATCHES_VERSION) -> dict:
    path = resources.files(__package__).joinpath(f"bma-news-{kind}-v{version}.json")
    return json.loads(path.read_text("utf-8"))


def watch_index_name(alias: str, kind: str, version: int = WATCHES_VERSION) -> str:
    if kind not in KINDS:
        raise ValueError(f"unknown watch index kind {kind!r}")
    return f"{alias}-{kind}-v{version}"


def ensure_watch_index(client: Elasticsearch, alias: str, kind: str) -> str:
    """The index of `kind` for `alias`, created from its definition if it does not exist."""
    from core.settings import get_settings

    name = watch_index_name(alias, kind)
    if client.indices.exists(index=name):
        return name
    definition = load_watch_definition(kind)
    settings = dict(definition["settings"])
    replicas = get_settings().index_replicas
    if replicas is not None:
        settings["number_of_replicas"] = replicas
    try:
        client.indices.create(index=name, settings=settings, mappings=definition["mappings"])
    except BadRequestError as exc:  # made meanwhile by another process: fine
        if exc.error != "resource_already_exists_exception":
            raise
    client.cluster.health(index=name, wait_for_status="yellow", timeout="30s")
    return name
