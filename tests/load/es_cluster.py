"""A real 3-node Elasticsearch cluster on loopback for the fault tests, built from the same
verified distribution as the local node (`core.es.node.LocalNode`), one node per process.

HTTP ports 9310-9312 and transport ports 9410-9412 by default (other clones of the project
use 9200-9202); every node's directory is removed when the cluster stops.
"""

from __future__ import annotations

import json
import shutil
import threading
import time

import httpx

from core.es.node import LocalNode, NodeStatus
from core.processes import pid_alive, port_in_use
from core.settings import Settings

CLUSTER_NAME = "bma-news-test-cluster"


class ClusterNode(LocalNode):
    def __init__(self, settings: Settings, name: str, http_port: int, transport_port: int,
                 seeds: list[str], masters: list[str]):
        super().__init__(settings.model_copy(update={"es_port": http_port, "es_heap": "384m",
                                                     "es_url": None}))
        self.name, self.transport_port = name, transport_port
        self.seeds, self.masters = seeds, masters

    def _write_config(self, java, owner) -> None:
        super()._write_config(java, owner)
        yml = {
            "cluster.name": CLUSTER_NAME,
            "node.name": self.name,
            "network.host": "127.0.0.1",
            "http.port": self.settings.es_port,
            "transport.port": self.transport_port,
            "discovery.seed_hosts": self.seeds,
            "cluster.initial_master_nodes": self.masters,
            "path.data": str(self.node_dir / "data"),
            "path.logs": str(self.node_dir / "logs"),
            "xpack.security.enabled": False,
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "action.destructive_requires_name": False,
        }
        config = self.config_dir / "elasticsearch.yml"
        config.write_text("".join(f"{k}: {json.dumps(v)}\n" for k, v in yml.items()))
        if owner:
            import os

            os.chown(config, *owner)

    def _wait_ready(self, pid: int) -> NodeStatus:
        """This node is up once its HTTP port answers; the cluster is waited for as a whole."""
        deadline = time.monotonic() + self.settings.es_start_timeout
        while time.monotonic() < deadline:
            if port_in_use(self.settings.es_port):
                return NodeStatus(True, self.url, None, pid)
            if not pid_alive(pid):
                raise RuntimeError(self._failure("the node exited during start-up"))
            time.sleep(0.5)
        raise RuntimeError(self._failure("the node did not open its port in time"))

    def pid(self) -> int | None:
        state = self.read_state()
        return state.pid if state else None


class LocalCluster:
    def __init__(self, settings: Settings, size: int = 3, http_base: int = 9310,
                 transport_base: int = 9410):
        names = [f"node-{i + 1}" for i in range(size)]
        seeds = [f"127.0.0.1:{transport_base + i}" for i in range(size)]
        self.nodes = [ClusterNode(settings, names[i], http_base + i, transport_base + i, seeds,
                                  names) for i in range(size)]

    @property
    def urls(self) -> list[str]:
        return [node.url for node in self.nodes]

    def start(self, timeout: float = 300) -> None:
        for node in self.nodes:
            shutil.rmtree(node.node_dir, ignore_errors=True)  # a fresh cluster every time
        errors: list[BaseException] = []

        def up(node: ClusterNode) -> None:
            try:
                node.up(report=lambda _msg: None)
            except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
                errors.append(exc)

        threads = [threading.Thread(target=up, args=(node,)) for node in self.nodes]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        if errors:
            self.stop()
            raise errors[0]
        self.wait_health("green", len(self.nodes), timeout)

    def health(self) -> dict | None:
        for url in self.urls:
            try:
                response = httpx.get(f"{url}/_cluster/health", timeout=5)
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                return response.json()
        return None

    def wait_health(self, status: str, nodes: int, timeout: float = 300,
                    index: str | None = None) -> dict:
        order = ["red", "yellow", "green"]
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            health = self.health()
            if health and health["number_of_nodes"] == nodes and \
                    order.index(health["status"]) >= order.index(status):
                return health
            time.sleep(1)
        raise AssertionError(f"cluster not {status} with {nodes} nodes in {timeout:.0f} s: "
                             f"{self.health()}")

    def master_name(self) -> str:
        for url in self.urls:
            try:
                response = httpx.get(f"{url}/_cat/master?format=json", timeout=5)
            except httpx.HTTPError:
                continue
            if response.status_code == 200:
                return response.json()[0]["node"]
        raise AssertionError("no node names a master")

    def stop(self) -> None:
        for node in self.nodes:
            node.down()
            shutil.rmtree(node.node_dir, ignore_errors=True)
