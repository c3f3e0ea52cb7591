"""The node's health as the operators' status shows it: never raises, a node that is down
is an answer ("down", and why), not an error."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from elasticsearch import ApiError, Elasticsearch, NotFoundError, TransportError

from core.limits import HEALTH_TIMEOUT_S


@dataclass(frozen=True)
class NodeHealth:
    up: bool
    where: str  # the cluster's address, without credentials
    status: str | None = None  # green, yellow, red
    nodes: int | None = None
    alias: str | None = None
    indices: tuple[str, ...] = ()  # the indices behind the alias
    docs: int | None = None  # documents searchable through the alias
    detail: str = ""  # why it is down, or what is missing

    def as_dict(self) -> dict:
        return asdict(self) | {"indices": list(self.indices)}


def node_health(client: Elasticsearch, alias: str, where: str) -> NodeHealth:
    """`_cluster/health`, the indices behind `alias` and its document count."""
    quick = client.options(request_timeout=HEALTH_TIMEOUT_S, max_retries=0)
    try:
        health = quick.cluster.health()
    except ApiError as exc:
        return NodeHealth(False, where, detail=f"the cluster answered HTTP {exc.meta.status}")
    except TransportError as exc:
        return NodeHealth(False, where, detail=f"unreachable ({type(exc).__name__})")
    status, nodes = health.get("status"), health.get("number_of_nodes")
    try:
        indices = tuple(sorted(quick.indices.get_alias(name=alias)))
        docs = quick.count(index=alias)["count"]
    except NotFoundError:
        return NodeHealth(True, where, status, nodes, alias,
                          detail=f"no index behind the alias '{alias}' yet")
    except (ApiError, TransportError) as exc:
        return NodeHealth(True, where, status, nodes, alias,
                          detail=f"could not count the alias '{alias}' ({type(exc).__name__})")
    return NodeHealth(True, where, status, nodes, alias, indices, docs)
