"""The production path on a real Prefect server: `prefect server start` from this .venv (via
`bma-news prefect up`), a process work pool, `bma-news deploy`, the scheduler's runs at
02:00 Bangkok, `prefect worker start` running a run against a local WordPress stand-in,
the release found by `bma-news search`; a worker killed mid-run re-run with nothing lost
or doubled; `bma-news nightly --serve` firing on the same server and stopping on SIGTERM.

One server for the whole session (its start is the slow part); every run has its own
landing zone and alias.
"""

from __future__ import annotations

import json
import signal
import socket
import subprocess
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest

from core.thai_calendar import BANGKOK
from demo.wordpress import WordPressSite, serve
from tests.flows.conftest import make_posts
from tests.flows.prefect_server import (
    BMA_NEWS,
    FAST_SERVER,
    PREFECT,
    TERMINAL,
    Api,
    Worker,
    clean_env,
    free_port,
    run,
    utc,
    wait_for,
)

FLOW = DEPLOYMENT = "bma-news-nightly"
POOL = "bma-news-test"
RUN_TIMEOUT = 300


@pytest.fixture(scope="session")
def prefect_server(tmp_path_factory):
    """`bma-news prefect up` on a free port with a home of its own and a fast scheduler;
    `bma-news prefect down` at the end."""
    home = tmp_path_factory.mktemp("prefect-server")
    port = free_port()
    manage = clean_env(BMA_NEWS_PREFECT_PORT=str(port), BMA_NEWS_PREFECT_HOME=str(home / "home"),
                       BMA_NEWS_PREFECT_UI="false", **FAST_SERVER)
    up = run([BMA_NEWS, "prefect", "up"], manage)
    assert up.returncode == 0, up.stdout + up.stderr
    status = run([BMA_NEWS, "prefect", "status"], manage)
    assert status.returncode == 0 and "Prefect 3.8" in status.stdout, status.stdout
    url = f"http://127.0.0.1:{port}/api"
    env = clean_env(PREFECT_API_URL=url, PREFECT_HOME=str(home / "client"),
                    BMA_NEWS_DOWNLOAD_DELAY="0")
    created = run([PREFECT, "work-pool", "create", POOL, "--type", "process"], env)
    try:
        assert created.returncode == 0, created.stdout + created.stderr
        yield SimpleNamespace(url=url, env=env, api=Api(url), home=home, manage=manage)
    finally:
        down = run([BMA_NEWS, "prefect", "down"], manage)
        assert down.returncode == 0 and "stopped" in down.stdout, down.stdout + down.stderr


def _deploy(server) -> dict:
    deployed = run([BMA_NEWS, "deploy", "--work-pool", POOL], server.env)
    output = deployed.stdout + deployed.stderr
    assert deployed.returncode == 0 and "Traceback" not in output, output
    return server.api.deployment(FLOW, DEPLOYMENT)


def _parameters(site_url: str, data_dir: Path, index: str) -> dict:
    since = (date.today() - timedelta(days=30)).isoformat()
    return {"base_url": site_url, "since": since, "index": index, "data_dir": str(data_dir)}


def _search(server, index: str, query: str) -> dict:
    found = run([BMA_NEWS, "search", query, "--json", "--size", "100"],
                {**server.env, "BMA_NEWS_INDEX": index})
    assert found.returncode == 0, found.stdout + found.stderr
    return json.loads(found.stdout)


def _tail(path: Path, lines: int = 30) -> str:
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def _assert_next_runs_at_two_in_bangkok(server, deployment_id: str) -> None:
    runs = wait_for("the scheduler's next runs",
                    lambda: server.api.scheduled_runs(deployment_id), timeout=90)
    starts = [utc(r["expected_start_time"]) for r in runs]
    now = datetime.now(UTC)
    assert all((s.hour, s.minute, s.second) == (19, 0, 0) for s in starts), starts
    assert all(s.astimezone(BANGKOK).hour == 2 for s in starts), starts
    assert now < starts[0] <= now + timedelta(days=1), "the next one is tonight's"
    assert len(set(starts)) == len(starts), "one run a night"


def test_deploy_schedules_runs_at_2am_bangkok_and_a_worker_runs_one_to_search(
        prefect_server, es_client, es_alias, wp_site, tmp_path):
    server = prefect_server
    site, site_url = wp_site
    # The worker starts first (it takes a while to import); it polls the pool meanwhile.
    worker = Worker(POOL, server.env, tmp_path / "worker.log")
    try:
        deployment = _deploy(server)
        assert deployment["work_pool_name"] == POOL
        _assert_next_runs_at_two_in_bangkok(server, deployment["id"])

        listed = run([PREFECT, "deployment", "ls"], server.env)
        assert listed.returncode == 0, listed.stdout + listed.stderr
        assert FLOW in listed.stdout

        flow_run = server.api.post(
            f"/deployments/{deployment['id']}/create_flow_run",
            {"parameters": _parameters(site_url, tmp_path / "data", es_alias)})
        state = server.api.wait_state(flow_run["id"], TERMINAL, RUN_TIMEOUT)
    finally:
        worker.stop()
    assert state == "COMPLETED", _tail(tmp_path / "worker.log")

    found = _search(server, es_alias, "เตรียมพร้อมรับมือน้ำท่วม ครั้งที่ 7")
    assert found["hits"], "the release is searchable"
    assert found["hits"][0]["title"] == "กทม. เตรียมพร้อมรับมือน้ำท่วม ครั้งที่ 7"
    assert es_client.count(index=es_alias)["count"] == 12


def test_a_worker_killed_mid_run_is_rerun_without_loss_or_duplicates(
        prefect_server, es_client, es_alias, tmp_path):
    server = prefect_server
    deployment = _deploy(server)
    posts = make_posts(12, start_id=3000)
    site = WordPressSite(posts)
    site.delay = 1.0  # every response is slow, so the crawl is under way when it dies
    with serve(site) as http:
        flow_run = server.api.post(
            f"/deployments/{deployment['id']}/create_flow_run",
            {"parameters": _parameters(http.url, tmp_path / "data", es_alias)})
        first = Worker(POOL, server.env, tmp_path / "worker-1.log")
        try:
            wait_for("the crawl to start", lambda: server.api.state(flow_run["id"]) == "RUNNING"
                     and any("rest_route" in r.path for r in http.requests), timeout=RUN_TIMEOUT)
        finally:
            first.kill()
        assert server.api.state(flow_run["id"]) == "RUNNING", "killed in the middle of the run"
        if es_client.indices.exists_alias(name=es_alias):
            assert es_client.count(index=es_alias)["count"] < len(posts), "not finished"

        site.delay = 0.0
        second = Worker(POOL, server.env, tmp_path / "worker-2.log")
        try:
            # What Prefect's missing-heartbeat automation does with a run whose worker is
            # gone, then the operator's retry: the same flow run, scheduled again.
            server.api.post(f"/flow_runs/{flow_run['id']}/set_state",
                            {"state": {"type": "CRASHED", "message": "worker killed"},
                             "force": True})
            retried = run([PREFECT, "flow-run", "retry", flow_run["id"]], server.env)
            assert retried.returncode == 0, retried.stdout + retried.stderr
            state = server.api.wait_state(flow_run["id"], TERMINAL, RUN_TIMEOUT)
        finally:
            second.stop()
        assert state == "COMPLETED", _tail(tmp_path / "worker-2.log")

    es_client.indices.refresh(index=es_alias)
    hits = es_client.search(index=es_alias, size=100, query={"match_all": {}})["hits"]["hits"]
    ids = [h["_source"]["source_id"] for h in hits]
    assert len(ids) == len(posts), "nothing lost, nothing doubled"
    assert sorted(ids) == sorted(str(p["id"]) for p in posts)


def test_nightly_serve_fires_on_the_server_and_stops_cleanly_on_sigterm(
        prefect_server, es_client, es_alias, wp_site, tmp_path):
    server = prefect_server
    site, site_url = wp_site
    out, err = tmp_path / "serve.out", tmp_path / "serve.err"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        serving = subprocess.Popen([BMA_NEWS, "nightly", "--serve"],
                                   env={**server.env, "PREFECT_RUNNER_POLL_FREQUENCY": "1"},
                                   stdout=stdout, stderr=stderr, stdin=subprocess.DEVNULL,
                                   start_new_session=True)
        try:
            wait_for("the served deployment", lambda: "serving" in err.read_text(), timeout=120)
            deployment = server.api.deployment(FLOW, DEPLOYMENT)
            assert deployment["work_pool_name"] is None, "served by this process, not a pool"
            assert deployment["paused"] is False
            _assert_next_runs_at_two_in_bangkok(server, deployment["id"])
            flow_run = server.api.post(
                f"/deployments/{deployment['id']}/create_flow_run",
                {"parameters": _parameters(site_url, tmp_path / "data", es_alias)})
            state = server.api.wait_state(flow_run["id"], TERMINAL, RUN_TIMEOUT)
            assert state == "COMPLETED", _tail(err)
        finally:
            serving.send_signal(signal.SIGTERM)
            rc = serving.wait(timeout=60)
    messages = err.read_text() + out.read_text()
    assert rc == 0, messages
    assert "Traceback" not in messages and "never awaited" not in messages, messages
    assert "stopped serving" in messages
    assert server.api.deployment(FLOW, DEPLOYMENT)["paused"] is True
    assert es_client.count(index=es_alias)["count"] == 12


def test_deploy_says_what_is_wrong_in_one_line(prefect_server):
    server = prefect_server
    cases = {
        "nothing answers": ({"PREFECT_API_URL": f"http://127.0.0.1:{free_port()}/api"},
                            POOL, "no Prefect server answers"),
        "not the API": ({"PREFECT_API_URL": server.url.removesuffix("/api")}, POOL,
                        "does not answer as a Prefect server API"),
        "no such pool": ({}, "no-such-pool", "work pool 'no-such-pool' does not exist"),
    }
    started = {name: subprocess.Popen([BMA_NEWS, "deploy", "--work-pool", pool],
                                      env={**server.env, **env}, stdout=subprocess.PIPE,
                                      stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                      text=True)
               for name, (env, pool, _) in cases.items()}
    for name, (_, _, message) in cases.items():
        stdout, stderr = started[name].communicate(timeout=180)
        result = subprocess.CompletedProcess([], started[name].returncode, stdout, stderr)
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert result.returncode != 0, name
        assert len(lines) == 1 and message in lines[0], (name, result.stderr)
        assert "Traceback" not in result.stdout + result.stderr, name


def test_local_server_commands_say_what_is_wrong_in_one_line(tmp_path):
    """No server needed: a taken port, and a deploy with no server to deploy to."""
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        env = clean_env(BMA_NEWS_PREFECT_PORT=str(port),
                        BMA_NEWS_PREFECT_HOME=str(tmp_path / "home"))
        procs = {name: subprocess.Popen([BMA_NEWS, *args], env=env, stdout=subprocess.PIPE,
                                        stderr=subprocess.PIPE, stdin=subprocess.DEVNULL,
                                        text=True)
                 for name, args in {"up": ["prefect", "up"], "deploy": ["deploy"],
                                    "down": ["prefect", "down"]}.items()}
        results = {name: (p.communicate(timeout=180), p.returncode)
                   for name, p in procs.items()}
    expected = {"up": f"port {port} is already taken",
                "deploy": "no Prefect server to deploy to"}
    for name, message in expected.items():
        (stdout, stderr), rc = results[name]
        lines = [line for line in stderr.splitlines() if line.strip()]
        assert rc != 0 and len(lines) == 1 and message in lines[0], (name, stderr)
        assert "Traceback" not in stdout + stderr
    (stdout, _), rc = results["down"]
    assert rc == 0 and "was not running" in stdout
