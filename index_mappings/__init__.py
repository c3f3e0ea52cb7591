"""Versioned Elasticsearch index definitions behind one alias.

`bma-news-v<N>.json` holds settings and a `dynamic: strict` mapping. A concrete index is
named `<alias>-v<N>-<timestamp>` so that a rebuild can create a fresh one from the landing
zone (the local distribution has no `_reindex`) and swap the alias atomically.
"""

from __future__ import annotations

import json
import re
import time
from functools import cache
from importlib import resources

from elasticsearch import Elasticsearch, NotFoundError

from core.errors import ConfigError

CURRENT_VERSION = 1


@cache
def load_definition(version: int = CURRENT_VERSION) -> dict:
    text = resources.files(__name__).joinpath(f"bma-news-v{version}.json").read_text("utf-8")
    return json.loads(text)


def mapping_properties(version: int = CURRENT_VERSION) -> dict:
    return load_definition(version)["mappings"]["properties"]


def concrete_index_name(alias: str, version: int = CURRENT_VERSION) -> str:
    # Milliseconds keep two rebuilds in the same second apart.
    return f"{alias}-v{version}-{time.strftime('%Y%m%d%H%M%S')}{int(time.time() * 1000) % 1000:03d}"


def indices_behind(client: Elasticsearch, alias: str) -> list[str]:
    try:
        return sorted(client.indices.get_alias(name=alias).keys())
    except NotFoundError:
        return []


def create_index(client: Elasticsearch, alias: str, version: int = CURRENT_VERSION) -> str:
    """Create a new concrete index from the definition (not yet behind the alias)."""
    from core.settings import get_settings

    definition = load_definition(version)
    name = concrete_index_name(alias, version)
    settings = dict(definition["settings"])
    replicas = get_settings().index_replicas
    if replicas is not None:  # a cluster of several nodes: copies so a lost node loses nothing
        settings["number_of_replicas"] = replicas
    client.indices.create(index=name, settings=settings, mappings=definition["mappings"])
    client.cluster.health(index=name, wait_for_status="yellow", timeout="30s")
    return name


def point_alias(client: Elasticsearch, alias: str, index: str) -> list[str]:
    """Move the alias to `index` in one atomic `_aliases` call; return the indices it left."""
    previous = [i for i in indices_behind(client, alias) if i != index]
    actions = [{"remove": {"index": old, "alias": alias}} for old in previous]
    actions.append({"add": {"index": index, "alias": alias, "is_write_index": True}})
    client.indices.update_aliases(actions=actions)
    return previous


def add_missing_fields(client: Elasticsearch, index: str,
                       version: int = CURRENT_VERSION) -> list[str]:
    """Fields the definition has gained since `index` was made are added to it (an additive
    mapping change; documents already indexed simply lack them until re-indexed)."""
    wanted = mapping_properties(version)
    have = client.indices.get_mapping(index=index)[index]["mappings"].get("properties", {})
    missing = {name: spec for name, spec in wanted.items() if name not in have}
    if missing:
        client.indices.put_mapping(index=index, properties=missing)
    return sorted(missing)


def ensure_index(client: Elasticsearch, alias: str, version: int = CURRENT_VERSION) -> str:
    """The index behind the alias, creating a versioned one (and the alias) if none exists."""
    if not re.fullmatch(r"[a-z0-9][a-z0-9_.-]*", alias):
        raise ConfigError(f"index alias {alias!r} is not a valid Elasticsearch name "
                          "(lowercase letters, digits, '-', '_', '.')")
    current = indices_behind(client, alias)
    if current:
        add_missing_fields(client, current[-1], version)
        return current[-1]
    if client.indices.exists(index=alias):
        raise ConfigError(f"{alias!r} is a concrete index, not an alias; set BMA_NEWS_INDEX "
                          "to another name or delete that index")
    index = create_index(client, alias, version)
    point_alias(client, alias, index)
    return index
