"""Helpers for the tests against a real Prefect server: its REST API, the CLI in subprocesses,
workers started and killed as an operator would."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import httpx

BIN = Path(sys.executable).parent
BMA_NEWS = str(BIN / "bma-news")
PREFECT = str(BIN / "prefect")

# The server's services, fast (names checked against Prefect 3.8.8's settings models).
FAST_SERVER = {
    "PREFECT_SERVER_SERVICES_SCHEDULER_LOOP_SECONDS": "2",
    "PREFECT_SERVER_SERVICES_SCHEDULER_RECENT_DEPLOYMENTS_LOOP_SECONDS": "1",
    "PREFECT_SERVER_SERVICES_LATE_RUNS_LOOP_SECONDS": "2",
    "PREFECT_SERVER_SERVICES_FOREMAN_LOOP_SECONDS": "2",
}
# A worker that polls every second and beats every five.
FAST_WORKER = {
    "PREFECT_WORKER_QUERY_SECONDS": "1",
    "PREFECT_WORKER_PREFETCH_SECONDS": "1",
    "PREFECT_WORKER_HEARTBEAT_SECONDS": "5",
}
TERMINAL = {"COMPLETED", "FAILED", "CRASHED", "CANCELLED"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without any Prefect client setting, plus `extra`."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env["PREFECT_SERVER_ANALYTICS_ENABLED"] = "false"
    env.update(extra)
    return env


def run(cmd: list[str], env: dict[str, str], timeout: float = 180) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout,
                          stdin=subprocess.DEVNULL, check=False)


class Api:
    """The server's REST API, called as any client would."""

    def __init__(self, url: str):
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=30)

    def _call(self, method: str, path: str, body: dict | None = None) -> httpx.Response:
        # A busy SQLite server answers 503 ("database is locked"); Prefect's own client
        # retries those, and so does this one.
        for attempt in range(10):
            response = self.http.request(method, path, json=body)
            if response.status_code not in (429, 503):
                break
            time.sleep(0.5 * (attempt + 1))
        response.raise_for_status()
        return response

    def get(self, path: str) -> dict:
        return self._call("GET", path).json()

    def post(self, path: str, body: dict) -> dict | list:
        response = self._call("POST", path, body)
        return response.json() if response.content else {}

    def deployment(self, flow: str, name: str) -> dict:
        return self.get(f"/deployments/name/{flow}/{name}")

    def scheduled_runs(self, deployment_id: str) -> list[dict]:
        return self.post("/flow_runs/filter", {
            "flow_runs": {"deployment_id": {"any_": [deployment_id]},
                          "state": {"type": {"any_": ["SCHEDULED"]}}},
            "sort": "EXPECTED_START_TIME_ASC", "limit": 50})

    def flow_run(self, run_id: str) -> dict:
        return self.get(f"/flow_runs/{run_id}")

    def state(self, run_id: str) -> str:
        return self.flow_run(run_id)["state"]["type"]

    def wait_state(self, run_id: str, wanted: set[str], timeout: float) -> str:
        deadline = time.monotonic() + timeout
        state = self.state(run_id)
        while state not in wanted and time.monotonic() < deadline:
            time.sleep(0.5)
            state = self.state(run_id)
        return state


def wait_for(what: str, check, timeout: float, every: float = 0.5):
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(every)


def utc(value: str) -> datetime:
    return datetime.fromisoformat(value.replace("Z", "+00:00"))


class Worker:
    """`prefect worker start --pool P` in a process group of its own; its log in a file."""

    def __init__(self, pool: str, env: dict[str, str], log: Path):
        self.log = log
        self.handle = log.open("ab")
        self.process = subprocess.Popen(
            [PREFECT, "worker", "start", "--pool", pool], env={**env, **FAST_WORKER},
            stdout=self.handle, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)

    def descendants(self) -> list[int]:
        """The worker's process tree (the flow run is a child process of the worker)."""
        children: dict[int, list[int]] = {}
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except OSError:
                continue
            children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
        found, todo = [], [self.process.pid]
        while todo:
            pid = todo.pop()
            found.append(pid)
            todo.extend(children.get(pid, []))
        return found

    def kill(self) -> None:
        """SIGKILL the worker and everything it started, as a crashed machine would."""
        for pid in self.descendants():
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
        self.process.wait(timeout=30)
        self.handle.close()

    def stop(self) -> None:
        if self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.kill()
        self.handle.close()
