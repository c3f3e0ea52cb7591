"""A local Elasticsearch node that the project downloads, configures, starts and stops itself.

The official `integ-test-zip` distribution from Maven Central is used because it needs
no Docker and no network beyond the package registries. It holds the server, transport
and x-pack core/security only: no analysis-common (so no `thai` analyzer), no painless,
no `_reindex`, no `GET /`. The rest of the project is designed for that: Thai is segmented
in Python, indexes are rebuilt from the landing zone, readiness is `_cluster/health`.

Layout under the cache directory (shared by every clone of the project):

    downloads/elasticsearch-<v>.zip      verified against a pinned SHA-512
    dist/elasticsearch-<v>/              the unpacked distribution (never modified)
    node-<port>/config/                  our elasticsearch.yml, jvm options, keystore
    node-<port>/data/, logs/, tmp/       the node's state
    node-<port>/node.json                PID and URL, so `status`/`down` work from any process
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import re
import shutil
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx

from core.errors import UserFacingError
from core.processes import pid_alive, port_in_use, stop
from core.settings import Settings

if TYPE_CHECKING:
    from elasticsearch import Elasticsearch

# Where progress messages go (the CLI passes its stderr console's print).
Report = Callable[[str], object]

MAVEN_GROUP = "org.elasticsearch.distribution.integ-test-zip"
MAVEN_ARTIFACT = "elasticsearch"
# Maven 3.8.7 cannot resolve the short plugin prefix to a version that has `copy` with
# `-Dartifact`, so the plugin is named in full.
MAVEN_COPY_GOAL = "org.apache.maven.plugins:maven-dependency-plugin:3.3.0:copy"

# SHA-512 of each distribution we have verified by hand. A version not listed here is
# refused: an unverified 100 MB archive is not something we unpack and run.
DISTRIBUTION_SHA512 = {
    "9.2.0": (
        "2c624e913bb8712fb1698fc1ab3a241c868228183f089ff3cde17ad7bc7b5a96"
        "63454c2af939c65e075663826371e3d4344dca43a55a8aab9594f9a64b01d2c7"
    ),
}

# Elasticsearch 9 runs on Java 21 or newer; 8.x on 17 or newer.
MIN_JAVA_BY_ES_MAJOR = {8: 17, 9: 21}

READY_STATUSES = ("yellow", "green")
# How long `down` waits for a clean shutdown before it kills the JVM.
STOP_TIMEOUT_S = 60.0


class NodeError(UserFacingError):
    pass


@dataclass(frozen=True)
class NodeState:
    pid: int
    url: str
    version: str
    port: int


@dataclass(frozen=True)
class NodeStatus:
    running: bool
    url: str
    health: str | None
    pid: int | None
    detail: str = ""


@dataclass(frozen=True)
class Java:
    home: Path
    major: int


def _sha512(path: Path) -> str:
    digest = hashlib.sha512()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _java_major(version: str) -> int:
    """'25.0.3' -> 25, '1.8.0_392' -> 8, '21' -> 21."""
    parts = re.findall(r"\d+", version)
    if not parts:
        return 0
    major = int(parts[0])
    return int(parts[1]) if major == 1 and len(parts) > 1 else major


def _probe_java_home(home: Path) -> Java | None:
    java = home / "bin" / "java"
    if not java.is_file() or not os.access(java, os.X_OK):
        return None
    release = home / "release"
    if release.is_file():
        match = re.search(r'^JAVA_VERSION="([^"]+)"', release.read_text(errors="replace"), re.M)
        if match:
            return Java(home=home.resolve(), major=_java_major(match.group(1)))
    try:
        out = subprocess.run(
            [str(java), "-version"], capture_output=True, text=True, timeout=30, check=False
        ).stderr
    except (OSError, subprocess.TimeoutExpired):
        return None
    match = re.search(r'version "([^"]+)"', out)
    return Java(home=home.resolve(), major=_java_major(match.group(1))) if match else None


def java_candidates() -> list[Path]:
    """Every JDK we can see: ES_JAVA_HOME, JAVA_HOME, /usr/lib/jvm/*, the `java` on PATH."""
    homes: list[Path] = []
    for var in ("ES_JAVA_HOME", "JAVA_HOME"):
        if os.environ.get(var):
            homes.append(Path(os.environ[var]))
    jvm_root = Path("/usr/lib/jvm")
    if jvm_root.is_dir():
        homes.extend(sorted(p for p in jvm_root.iterdir() if p.is_dir()))
    on_path = shutil.which("java")
    if on_path:
        homes.append(Path(on_path).resolve().parent.parent)
    unique: list[Path] = []
    for home in homes:
        if home.resolve() not in [u.resolve() for u in unique]:
            unique.append(home)
    return unique


def find_java(min_major: int, candidates: list[Path] | None = None) -> Java:
    """The newest JDK that is at least `min_major`; an explicit ES_JAVA_HOME wins if it fits."""
    found = [j for j in (_probe_java_home(h) for h in (candidates or java_candidates())) if j]
    explicit = os.environ.get("ES_JAVA_HOME")
    if explicit:
        for java in found:
            if java.home == Path(explicit).resolve() and java.major >= min_major:
                return java
    suitable = [j for j in found if j.major >= min_major]
    if suitable:
        return max(suitable, key=lambda j: j.major)
    seen = ", ".join(f"Java {j.major} at {j.home}" for j in found) or "none"
    raise NodeError(
        f"Elasticsearch needs Java {min_major} or newer and none was found (seen: {seen}); "
        f"install a JDK {min_major}+ under /usr/lib/jvm or set ES_JAVA_HOME"
    )


def _is_elasticsearch(pid: int) -> bool:
    """Whether `pid` is an Elasticsearch JVM: after a reboot the recorded PID may belong to
    something else entirely."""
    if not pid_alive(pid):
        return False
    try:
        cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return True  # no /proc to ask: trust the liveness check
    return b"org.elasticsearch" in cmdline or b"elasticsearch" in cmdline


def cluster_health(url: str, timeout: float = 2.0) -> str | None:
    """The cluster's health colour, or None when nothing answers as Elasticsearch."""
    try:
        resp = httpx.get(f"{url}/_cluster/health", timeout=timeout)
    except httpx.HTTPError:
        return None
    if resp.status_code != 200 or resp.headers.get("x-elastic-product") != "Elasticsearch":
        return None
    return resp.json().get("status")


class LocalNode:
    """The node under `settings.cache_dir`, managed by `bma-news es up|down|status`."""

    def __init__(self, settings: Settings):
        self.settings = settings
        self.version = settings.es_version
        self.cache = settings.cache_dir
        self.zip_path = self.cache / "downloads" / f"elasticsearch-{self.version}.zip"
        self.dist_root = self.cache / "dist"
        self.home = self.dist_root / f"elasticsearch-{self.version}"
        self.node_dir = self.cache / f"node-{settings.es_port}"
        self.config_dir = self.node_dir / "config"
        self.state_file = self.node_dir / "node.json"
        self.pid_file = self.node_dir / "es.pid"
        self.log_file = self.node_dir / "logs" / "launcher.log"
        self.url = settings.local_node_url

    # --- download ------------------------------------------------------------------
    def expected_sha512(self) -> str:
        try:
            return DISTRIBUTION_SHA512[self.version]
        except KeyError:
            known = ", ".join(sorted(DISTRIBUTION_SHA512))
            raise NodeError(
                f"no pinned checksum for Elasticsearch {self.version} (known: {known}); "
                "set BMA_NEWS_ES_VERSION to one of those"
            ) from None

    def ensure_distribution(self, report: Report = print) -> Path:
        """Download (once), verify and unpack the distribution; return its home."""
        expected = self.expected_sha512()
        marker = self.home / ".bma-news-sha512"
        if marker.is_file() and marker.read_text().strip() == expected:
            return self.home
        if self.zip_path.is_file() and _sha512(self.zip_path) != expected:
            report(f"cached {self.zip_path.name} fails its checksum; fetching it again")
            self.zip_path.unlink()
        if not self.zip_path.is_file():
            report(f"downloading Elasticsearch {self.version} from Maven Central (about 100 MB)")
            self._fetch_with_maven()
            if _sha512(self.zip_path) != expected:
                self.zip_path.unlink()
                raise NodeError(
                    f"downloaded Elasticsearch {self.version} does not match its pinned "
                    "SHA-512; refusing to use it (try again, or check the Maven mirror)"
                )
        self._unpack(expected)
        return self.home

    def _fetch_with_maven(self) -> None:
        mvn = shutil.which("mvn")
        if not mvn:
            raise NodeError(
                "Maven (mvn) is needed to download Elasticsearch from Maven Central; install it "
                "(apt-get install maven) or point BMA_NEWS_ES_URL at an existing cluster"
            )
        self.zip_path.parent.mkdir(parents=True, exist_ok=True)
        # A private local repository, emptied after the copy: a corrupted artifact in it
        # would otherwise be copied again on every retry. No --strict-checksums: some
        # mirrors serve no .sha1 files; the pinned SHA-512 below is the real check.
        with tempfile.TemporaryDirectory(dir=self.zip_path.parent) as tmp:
            cmd = [
                mvn, "-B", "-q", MAVEN_COPY_GOAL,
                f"-Dartifact={MAVEN_GROUP}:{MAVEN_ARTIFACT}:{self.version}:zip",
                f"-DoutputDirectory={tmp}/out",
                f"-Dmaven.repo.local={tmp}/m2",
            ]
            try:
                proc = subprocess.run(
                    cmd, capture_output=True, text=True, timeout=1800, check=False, cwd=tmp
                )
            except subprocess.TimeoutExpired:
                raise NodeError("downloading Elasticsearch with Maven timed out") from None
            fetched = Path(tmp) / "out" / f"{MAVEN_ARTIFACT}-{self.version}.zip"
            if proc.returncode != 0 or not fetched.is_file():
                lines = [ln for ln in (proc.stdout + proc.stderr).splitlines() if "ERROR" in ln]
                why = re.sub(r"\x1b\[[0-9;]*m", "", lines[0]).strip() if lines else "no output"
                raise NodeError(f"Maven could not download Elasticsearch {self.version}: {why}")
            os.replace(fetched, self.zip_path)

    def _unpack(self, expected: str) -> None:
        self.dist_root.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=self.dist_root, prefix=".unpack-"))
        try:
            with zipfile.ZipFile(self.zip_path) as archive:
                for info in archive.infolist():
                    target = Path(archive.extract(info, staging))
                    mode = (info.external_attr >> 16) & 0o777
                    if mode:  # zipfile drops the Unix mode; bin/ needs its exec bits.
                        target.chmod(mode)
            unpacked = staging / f"elasticsearch-{self.version}"
            (unpacked / ".bma-news-sha512").write_text(expected)
            if self.home.exists():
                shutil.rmtree(self.home)
            os.replace(unpacked, self.home)
        finally:
            shutil.rmtree(staging, ignore_errors=True)

    # --- state ---------------------------------------------------------------------
    def read_state(self) -> NodeState | None:
        try:
            raw = json.loads(self.state_file.read_text())
            return NodeState(**raw)
        except (OSError, ValueError, TypeError):
            return None

    def status(self) -> NodeStatus:
        state = self.read_state()
        health = cluster_health(self.url)
        if state and not _is_elasticsearch(state.pid):
            self.state_file.unlink(missing_ok=True)  # stale: that node is long gone
            state = None
        if state:
            if health:
                return NodeStatus(True, self.url, health, state.pid)
            return NodeStatus(False, self.url, None, state.pid, "process alive but not answering")
        if health:
            return NodeStatus(
                True, self.url, health, None, "answering, but not started by bma-news"
            )
        return NodeStatus(False, self.url, None, None, "not running")

    # --- start / stop --------------------------------------------------------------
    def _run_as(self) -> tuple[int, int] | None:
        """The (uid, gid) to run the node as: a dedicated system user when we are root."""
        if os.geteuid() != 0:
            return None
        name = self.settings.es_user
        try:
            entry = pwd.getpwnam(name)
        except KeyError:
            useradd = shutil.which("useradd") or "/usr/sbin/useradd"
            proc = subprocess.run(
                [useradd, "--system", "--no-create-home", "--home-dir", "/nonexistent",
                 "--shell", "/usr/sbin/nologin", name],
                capture_output=True, text=True, check=False,
            )
            if proc.returncode != 0:
                raise NodeError(
                    f"Elasticsearch refuses to run as root and the user {name!r} could not be "
                    f"created: {proc.stderr.strip()}"
                ) from None
            entry = pwd.getpwnam(name)
        return entry.pw_uid, entry.pw_gid

    def _write_config(self, java: Java, owner: tuple[int, int] | None) -> None:
        for sub in ("config", "data", "logs", "tmp", "config/jvm.options.d"):
            (self.node_dir / sub).mkdir(parents=True, exist_ok=True)
        for name in ("jvm.options", "log4j2.properties", "users", "users_roles", "roles.yml",
                     "role_mapping.yml"):
            src = self.home / "config" / name
            if src.is_file():
                shutil.copy2(src, self.config_dir / name)
        heap = self.settings.es_heap
        (self.config_dir / "jvm.options.d" / "bma-news.options").write_text(
            f"-Xms{heap}\n-Xmx{heap}\n-XX:HeapDumpPath={self.node_dir / 'logs'}\n"
        )
        yml = {
            "cluster.name": "bma-news-local",
            "node.name": "bma-news-local-1",
            "discovery.type": "single-node",
            "network.host": "127.0.0.1",
            "http.port": self.settings.es_port,
            "path.data": str(self.node_dir / "data"),
            "path.logs": str(self.node_dir / "logs"),
            # Security is off only for this loopback-bound development node.
            "xpack.security.enabled": False,
            # A shared developer disk is often fuller than ES's 85/90% watermarks.
            "cluster.routing.allocation.disk.threshold_enabled": False,
            "action.destructive_requires_name": False,
        }
        lines = [f"{k}: {json.dumps(v)}" for k, v in yml.items()]
        (self.config_dir / "elasticsearch.yml").write_text("\n".join(lines) + "\n")
        if owner:
            for path in [self.node_dir, *self.node_dir.rglob("*")]:
                os.chown(path, *owner)
            self.cache.chmod(0o755)

    def up(self, report: Report = print) -> NodeStatus:
        if not self.settings.uses_local_node:
            raise NodeError("BMA_NEWS_ES_URL is set, so there is no local node to start")
        current = self.status()
        if current.running:
            return current
        if current.pid:  # our JVM is still coming up or hung: give it the start timeout
            return self._wait_ready(current.pid)
        if port_in_use(self.settings.es_port):
            raise NodeError(
                f"port {self.settings.es_port} is already taken by another process; "
                "stop it or set BMA_NEWS_ES_PORT to a free port"
            )
        major = int(self.version.split(".")[0])
        java = find_java(MIN_JAVA_BY_ES_MAJOR.get(major, 21))
        self.ensure_distribution(report=report)
        owner = self._run_as()
        self._write_config(java, owner)
        self.pid_file.unlink(missing_ok=True)
        env = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "ES_JAVA_HOME": str(java.home),
            "ES_PATH_CONF": str(self.config_dir),
            "ES_TMPDIR": str(self.node_dir / "tmp"),
            "LANG": "C.UTF-8",
        }
        report(f"starting Elasticsearch {self.version} on {self.url} (Java {java.major})")
        with self.log_file.open("ab") as log:
            kwargs: dict[str, Any] = (
                {"user": owner[0], "group": owner[1], "extra_groups": []} if owner else {})
            launcher = subprocess.Popen(
                [str(self.home / "bin" / "elasticsearch"), "-d", "-p", str(self.pid_file)],
                env=env, cwd=self.node_dir, stdout=log, stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL, start_new_session=True, **kwargs,
            )
            try:
                rc = launcher.wait(timeout=self.settings.es_start_timeout)
            except subprocess.TimeoutExpired:
                launcher.kill()
                raise NodeError(self._failure("the launcher did not return")) from None
        if rc != 0 or not self.pid_file.is_file():
            raise NodeError(self._failure(f"the launcher exited with status {rc}"))
        pid = int(self.pid_file.read_text().strip())
        state = NodeState(pid=pid, url=self.url, version=self.version, port=self.settings.es_port)
        self.state_file.write_text(json.dumps(state.__dict__))
        return self._wait_ready(pid)

    def _wait_ready(self, pid: int) -> NodeStatus:
        deadline = time.monotonic() + self.settings.es_start_timeout
        while time.monotonic() < deadline:
            health = cluster_health(self.url)
            if health in READY_STATUSES:
                return NodeStatus(True, self.url, health, pid)
            if not pid_alive(pid):
                raise NodeError(self._failure("the node exited during start-up"))
            time.sleep(0.5)
        raise NodeError(self._failure("the node did not become ready in time"))

    def _failure(self, what: str) -> str:
        """One line: what happened, the most telling log line, and where the full log is."""
        telling = ""
        for log in (self.log_file, self.node_dir / "logs" / "bma-news-local.log"):
            if log.is_file():
                for line in log.read_text(errors="replace").splitlines()[-200:]:
                    if re.search(r"ERROR|FATAL|Exception|error:", line):
                        telling = line.strip()[:300]
        hint = f": {telling}" if telling else ""
        return f"Elasticsearch failed to start ({what}){hint} (logs in {self.node_dir / 'logs'})"

    def down(self) -> bool:
        """Stop our node; True if one was running."""
        state = self.read_state()
        pid = state.pid if state else None
        if pid is None and self.pid_file.is_file():
            pid = int(self.pid_file.read_text().strip() or 0) or None
        if not pid or not pid_alive(pid):
            self.state_file.unlink(missing_ok=True)
            return False
        stop(pid, STOP_TIMEOUT_S)
        self.state_file.unlink(missing_ok=True)
        self.pid_file.unlink(missing_ok=True)
        return True


def ensure_elasticsearch(settings: Settings, report: Report = print) -> Elasticsearch:
    """A connected client: the local node is started first when the settings use it."""
    from core.es.client import connect

    if settings.uses_local_node:
        LocalNode(settings).up(report=report)
    return connect(settings)
