"""The Prefect server the flows are scheduled on: the one in PREFECT_API_URL, or a local one
that the project starts, records and stops itself (as `core.es.node` does for Elasticsearch).

A schedule fires only on a real server: Prefect's temporary (ephemeral) server has no
scheduler. So on one machine `bma-news prefect up` (or `bma-news nightly --serve`, which
starts it when needed) runs `prefect server start` from the project's own environment,
bound to loopback, with a PREFECT_HOME of its own:

    <cache_dir>/prefect-<port>/               PREFECT_HOME (SQLite database, UI build)
    <cache_dir>/prefect-<port>/server.json    PID and URL, so `status`/`down` work from any process
    <cache_dir>/prefect-<port>/server.log     the server's output

`PREFECT_API_URL` set (in the environment or the active Prefect profile) means "use that
server": nothing is started and `down` refuses to stop it.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import httpx

from core.errors import EXIT_BAD_INPUT, EXIT_UNAVAILABLE, UserFacingError
from core.processes import pid_alive, port_in_use, stop
from core.settings import Settings

Report = Callable[[str], object]

STOP_TIMEOUT_S = 30.0


class PrefectServerError(UserFacingError):
    exit_code = EXIT_UNAVAILABLE


class PrefectConfigError(UserFacingError):
    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class ServerState:
    pid: int
    url: str
    port: int
    home: str


@dataclass(frozen=True)
class ServerStatus:
    running: bool
    url: str
    pid: int | None
    version: str | None = None
    detail: str = ""


def configured_api_url() -> str | None:
    """PREFECT_API_URL as Prefect reads it (environment first, then the active profile)."""
    from prefect.settings import get_current_settings

    url = get_current_settings().api.url
    return str(url).rstrip("/") if url else None


def get_retrying(url: str, timeout: float, attempts: int = 5) -> httpx.Response:
    """GET, again after a pause while a busy server answers 503 (SQLite "database is
    locked"), as Prefect's own client does."""
    response = httpx.get(url, timeout=timeout)
    for attempt in range(1, attempts):
        if response.status_code not in (429, 503):
            break
        time.sleep(0.5 * attempt)
        response = httpx.get(url, timeout=timeout)
    return response


def server_version(api_url: str, timeout: float = 3.0) -> str:
    """The version of the Prefect server at `api_url`; a one-line error when none answers."""
    if not api_url.startswith(("http://", "https://")):
        raise PrefectConfigError(f"PREFECT_API_URL must be an http(s) URL, not {api_url!r}")
    try:
        health = get_retrying(f"{api_url}/health", timeout)
        version = get_retrying(f"{api_url}/admin/version", timeout)
    except httpx.InvalidURL:
        raise PrefectConfigError(f"PREFECT_API_URL {api_url!r} is not a valid URL") from None
    except httpx.HTTPError as exc:
        raise PrefectServerError(
            f"no Prefect server answers at {api_url} ({type(exc).__name__}); start one with "
            "`bma-news prefect up` (one machine) or `prefect server start`"
        ) from None
    try:
        ok = health.status_code == 200 and health.json() is True
        value = version.json() if version.status_code == 200 else None
    except ValueError:
        ok, value = False, None
    if not ok or not isinstance(value, str):
        raise PrefectConfigError(
            f"{api_url} does not answer as a Prefect server API (HTTP {health.status_code} on "
            "/health); PREFECT_API_URL should end in /api, e.g. http://127.0.0.1:4200/api"
        )
    return value


def check_compatible(api_url: str) -> str:
    """The server's version, after checking that this client can work with it."""
    import prefect
    from packaging.version import InvalidVersion, Version

    found = server_version(api_url)
    try:
        server, client = Version(found), Version(prefect.__version__)
    except InvalidVersion:
        raise PrefectServerError(
            f"the Prefect server at {api_url} reports an unreadable version {found!r}") from None
    if (server.major, server.minor) != (client.major, client.minor):
        raise PrefectServerError(
            f"the Prefect server at {api_url} runs Prefect {found}, this project's client is "
            f"{prefect.__version__}: run a {client.major}.{client.minor}.x server (e.g. "
            "`bma-news prefect up`, or `prefect server start` from this project's .venv)"
        )
    return found


def _is_prefect_server(pid: int) -> bool:
    """Whether `pid` is still a `prefect server start` (a recorded PID may be reused)."""
    if not pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True
    return b"prefect" in cmdline and b"server" in cmdline


def _answers(api_url: str) -> str | None:
    try:
        return server_version(api_url, timeout=2.0)
    except UserFacingError:
        return None


class LocalPrefectServer:
    """The loopback server under `settings.cache_dir`, managed by `bma-news prefect up|down|status`.

    `extra_env` adds settings for the server process (the tests make its scheduler fast).
    """

    def __init__(self, settings: Settings, extra_env: Mapping[str, str] | None = None):
        self.settings = settings
        self.port = settings.prefect_port
        self.home = Path(settings.prefect_home or settings.cache_dir / f"prefect-{self.port}")
        self.url = f"http://127.0.0.1:{self.port}/api"
        self.state_file = self.home / "server.json"
        self.log_file = self.home / "server.log"
        self.extra_env = dict(extra_env or {})

    def read_state(self) -> ServerState | None:
        try:
            return ServerState(**json.loads(self.state_file.read_text()))
        except (OSError, ValueError, TypeError):
            return None

    def status(self) -> ServerStatus:
        state = self.read_state()
        if state and not _is_prefect_server(state.pid):
            self.state_file.unlink(missing_ok=True)  # stale: that server is long gone
            state = None
        version = _answers(self.url)
        if state:
            if version:
                return ServerStatus(True, self.url, state.pid, version)
            return ServerStatus(False, self.url, state.pid, None, "process alive but not answering")
        if version:
            return ServerStatus(True, self.url, None, version, "answering, but not started by bma-news")
        return ServerStatus(False, self.url, None, None, "not running")

    def server_env(self) -> dict[str, str]:
        # The server's own settings (PREFECT_SERVER_*) pass through; a client's (the API URL,
        # another home or profile) must not point this server somewhere else.
        env = {k: v for k, v in os.environ.items()
               if not k.startswith("PREFECT_") or k.startswith("PREFECT_SERVER_")}
        env.update({
            "PREFECT_HOME": str(self.home),
            "PREFECT_SERVER_ANALYTICS_ENABLED": "false",
            "PREFECT_SERVER_UI_ENABLED": "true" if self.settings.prefect_ui else "false",
            "PREFECT_SERVER_API_HOST": "127.0.0.1",
            "PREFECT_SERVER_API_PORT": str(self.port),
        })
        env.update(self.extra_env)
        return env

    def up(self, report: Report = print) -> ServerStatus:
        current = self.status()
        if current.running:
            return current
        if current.pid:  # ours, still starting (or hung): give it the start timeout
            return self._wait_ready(current.pid)
        if port_in_use(self.port):
            raise PrefectServerError(
                f"port {self.port} is already taken by another process; stop it or set "
                "BMA_NEWS_PREFECT_PORT to a free port")
        self.home.mkdir(parents=True, exist_ok=True)
        prefect = Path(sys.executable).with_name("prefect")
        command = [str(prefect)] if prefect.is_file() else [sys.executable, "-m", "prefect"]
        command += ["server", "start", "--host", "127.0.0.1", "--port", str(self.port)]
        report(f"starting a Prefect server on {self.url} (home {self.home})")
        with self.log_file.open("ab") as log:
            process = subprocess.Popen(command, env=self.server_env(), cwd=self.home,
                                       stdout=log, stderr=subprocess.STDOUT,
                                       stdin=subprocess.DEVNULL, start_new_session=True)
        state = ServerState(pid=process.pid, url=self.url, port=self.port, home=str(self.home))
        self.state_file.write_text(json.dumps(state.__dict__))
        return self._wait_ready(process.pid)

    def _wait_ready(self, pid: int) -> ServerStatus:
        deadline = time.monotonic() + self.settings.prefect_start_timeout
        while time.monotonic() < deadline:
            version = _answers(self.url)
            if version:
                return ServerStatus(True, self.url, pid, version)
            if not pid_alive(pid):
                self.state_file.unlink(missing_ok=True)
                raise PrefectServerError(self._failure("the server exited during start-up"))
            time.sleep(0.5)
        raise PrefectServerError(self._failure("the server did not answer in time"))

    def _failure(self, what: str) -> str:
        telling = ""
        if self.log_file.is_file():
            for line in self.log_file.read_text(errors="replace").splitlines()[-200:]:
                if any(word in line for word in ("Error", "ERROR", "error:")):
                    telling = line.strip()[:300]
        hint = f": {telling}" if telling else ""
        return f"the Prefect server failed to start ({what}){hint} (log: {self.log_file})"

    def down(self) -> bool:
        """Stop our server (and whatever it started); True if one was running."""
        state = self.read_state()
        if not state or not _is_prefect_server(state.pid):
            self.state_file.unlink(missing_ok=True)
            return False
        stop(state.pid, STOP_TIMEOUT_S, group=True)  # its own session: the group is the server's
        self.state_file.unlink(missing_ok=True)
        return True


def ensure_prefect_server(settings: Settings, report: Report = print) -> str:
    """The API URL to schedule on: PREFECT_API_URL when set (checked), else the local server,
    started if needed."""
    configured = configured_api_url()
    if configured:
        check_compatible(configured)
        return configured
    return LocalPrefectServer(settings).up(report=report).url
