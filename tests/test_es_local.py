"""The local-node manager's failure paths, each a clear one-line error.

Maven is stood in for by a small script on PATH so the download, corruption and failure
paths run without 100 MB of network traffic; the real download is exercised by the
first `make test` on a machine.
"""

from __future__ import annotations

import hashlib
import os
import socket
import stat
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from core.es import node as local
from core.es.node import LocalNode, NodeError, find_java
from core.settings import Settings

FAKE_VERSION = "9.9.9"


def _fake_jdk(root: Path, name: str, version: str) -> Path:
    home = root / name
    (home / "bin").mkdir(parents=True)
    java = home / "bin" / "java"
    java.write_text("#!/bin/sh\nexit 0\n")
    java.chmod(0o755)
    (home / "release").write_text(f'JAVA_VERSION="{version}"\n')
    return home


def test_find_java_picks_newest_suitable(tmp_path, monkeypatch):
    monkeypatch.delenv("ES_JAVA_HOME", raising=False)
    homes = [_fake_jdk(tmp_path, "jdk17", "17.0.15"), _fake_jdk(tmp_path, "jdk21", "21.0.2"),
             _fake_jdk(tmp_path, "jdk25", "25.0.3")]
    assert find_java(21, homes).major == 25


def test_find_java_names_what_is_needed(tmp_path, monkeypatch):
    monkeypatch.delenv("ES_JAVA_HOME", raising=False)
    homes = [_fake_jdk(tmp_path, "jdk17", "17.0.15"), _fake_jdk(tmp_path, "old", "1.8.0_392")]
    with pytest.raises(NodeError) as info:
        find_java(21, homes)
    assert "Java 21 or newer" in str(info.value)
    assert "Java 17" in str(info.value) and "Java 8" in str(info.value)


@pytest.fixture
def fake_distribution(tmp_path, monkeypatch):
    """A tiny zip in the distribution's shape, its pinned checksum, and a stand-in `mvn`."""
    src = tmp_path / "src"
    src.mkdir()
    dist_zip = src / f"elasticsearch-{FAKE_VERSION}.zip"
    with zipfile.ZipFile(dist_zip, "w") as archive:
        info = zipfile.ZipInfo(f"elasticsearch-{FAKE_VERSION}/bin/elasticsearch")
        info.external_attr = (stat.S_IFREG | 0o755) << 16
        archive.writestr(info, "#!/bin/sh\n")
        archive.writestr(f"elasticsearch-{FAKE_VERSION}/config/jvm.options", "-Xss1m\n")
    digest = hashlib.sha512(dist_zip.read_bytes()).hexdigest()
    monkeypatch.setitem(local.DISTRIBUTION_SHA512, FAKE_VERSION, digest)

    bindir = tmp_path / "bin"
    bindir.mkdir()
    calls = tmp_path / "mvn-calls.log"
    mvn = bindir / "mvn"
    mvn.write_text(
        "#!/bin/sh\n"
        f'echo "$@" >> {calls}\n'
        'if [ -n "$FAKE_MVN_FAIL" ]; then echo "[ERROR] Could not find artifact (offline)"; exit 1; fi\n'
        'for a in "$@"; do case "$a" in -DoutputDirectory=*) out="${a#-DoutputDirectory=}";; esac; done\n'
        f'mkdir -p "$out" && cp {dist_zip} "$out/"\n'
    )
    mvn.chmod(0o755)
    monkeypatch.setenv("PATH", f"{bindir}{os.pathsep}{os.environ['PATH']}")
    node = LocalNode(Settings(cache_dir=tmp_path / "cache", es_version=FAKE_VERSION))
    return node, calls


def _mvn_calls(calls: Path) -> int:
    return len(calls.read_text().splitlines()) if calls.exists() else 0


def test_download_verifies_unpacks_and_is_reused(fake_distribution):
    node, calls = fake_distribution
    home = node.ensure_distribution(report=lambda _msg: None)
    launcher = home / "bin" / "elasticsearch"
    assert launcher.is_file() and os.access(launcher, os.X_OK)
    assert _mvn_calls(calls) == 1
    node.ensure_distribution(report=lambda _msg: None)
    assert _mvn_calls(calls) == 1, "a second run must download nothing"


def test_corrupted_cached_zip_is_detected_and_fetched_again(fake_distribution):
    node, calls = fake_distribution
    node.zip_path.parent.mkdir(parents=True)
    node.zip_path.write_bytes(b"PK\x03\x04 truncated download")
    messages: list[str] = []
    node.ensure_distribution(report=messages.append)
    assert any("fails its checksum" in m for m in messages)
    assert _mvn_calls(calls) == 1
    assert hashlib.sha512(node.zip_path.read_bytes()).hexdigest() == node.expected_sha512()


def test_download_failure_is_one_clear_error(fake_distribution, monkeypatch):
    node, _calls = fake_distribution
    monkeypatch.setenv("FAKE_MVN_FAIL", "1")
    with pytest.raises(NodeError, match="Maven could not download Elasticsearch 9.9.9: .*Could not find artifact"):
        node.ensure_distribution(report=lambda _msg: None)


def test_maven_missing_is_one_clear_error(tmp_path, monkeypatch):
    monkeypatch.setitem(local.DISTRIBUTION_SHA512, FAKE_VERSION, "0" * 128)
    monkeypatch.setenv("PATH", str(tmp_path))  # nothing on it
    node = LocalNode(Settings(cache_dir=tmp_path / "cache", es_version=FAKE_VERSION))
    with pytest.raises(NodeError, match=r"Maven \(mvn\) is needed"):
        node.ensure_distribution(report=lambda _msg: None)


def test_unpinned_version_is_refused(tmp_path):
    node = LocalNode(Settings(cache_dir=tmp_path, es_version="1.2.3"))
    with pytest.raises(NodeError, match="no pinned checksum for Elasticsearch 1.2.3"):
        node.ensure_distribution()


def _cli(*args: str, **env: str) -> subprocess.CompletedProcess:
    full_env = {**os.environ, **env}
    return subprocess.run([sys.executable, "-m", "bma_news.cli", *args], capture_output=True,
                          text=True, env=full_env, timeout=120)


def _assert_one_line_error(proc: subprocess.CompletedProcess, needle: str) -> None:
    assert proc.returncode != 0
    assert "Traceback" not in proc.stderr
    lines = [line for line in proc.stderr.splitlines() if line.strip()]
    assert len(lines) == 1, proc.stderr
    assert needle in lines[0]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_unreachable_es_url_is_one_line(tmp_path):
    url = f"http://127.0.0.1:{_free_port()}"
    proc = _cli("es", "status", BMA_NEWS_ES_URL=url)
    _assert_one_line_error(proc, f"Elasticsearch at {url} is unreachable")


def test_credentials_never_printed(tmp_path):
    url = f"http://elastic:hunter2@127.0.0.1:{_free_port()}"
    proc = _cli("es", "status", BMA_NEWS_ES_URL=url, BMA_NEWS_ES_API_KEY="sekrit-api-key")
    assert "hunter2" not in proc.stderr + proc.stdout
    assert "sekrit-api-key" not in proc.stderr + proc.stdout


def test_port_already_taken_is_one_line(tmp_path):
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]
        proc = _cli("es", "up", BMA_NEWS_ES_PORT=str(port), BMA_NEWS_CACHE_DIR=str(tmp_path))
    _assert_one_line_error(proc, f"port {port} is already taken")


def test_bad_setting_is_one_line():
    proc = _cli("es", "status", BMA_NEWS_ES_PORT="not-a-port")
    _assert_one_line_error(proc, "invalid setting BMA_NEWS_ES_PORT")


def test_status_of_a_node_never_started_exits_non_zero(tmp_path):
    proc = _cli("es", "status", BMA_NEWS_ES_PORT=str(_free_port()),
                BMA_NEWS_CACHE_DIR=str(tmp_path))
    assert proc.returncode == 1
    assert "is down" in proc.stdout


def test_stale_state_with_a_reused_pid_is_not_taken_for_the_node(tmp_path):
    """After a reboot the recorded PID may be some other process: it is not our node."""
    import json

    port = _free_port()
    node = LocalNode(Settings(cache_dir=tmp_path, es_port=port))
    node.state_file.parent.mkdir(parents=True)
    node.state_file.write_text(json.dumps({"pid": os.getpid(), "url": node.url,
                                           "version": "9.2.0", "port": port}))
    status = node.status()
    assert not status.running and status.pid is None
    assert not node.state_file.exists()
