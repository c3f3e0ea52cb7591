"""`bma-news status` and `bma-news dead-letters retry` on what the real nightly flow leaves
behind: run summaries and dead letters produced for real, a cause fixed, a retry."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from core.dead_letters import iter_dead_letters
from core.runs import RUN_COUNTS, read_run
from flows.nightly import nightly
from flows.summary import RunSummary


def _cli(*args: str, env: dict, timeout: float = 300) -> subprocess.CompletedProcess:
    """The command as a user runs it; no PREFECT_API_URL, so the local server is asked."""
    full = {k: v for k, v in {**os.environ, **env}.items() if k != "PREFECT_API_URL"}
    return subprocess.run([sys.executable, "-m", "bma_news.cli", *args], capture_output=True,
                          text=True, env=full, timeout=timeout)


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]  # closed again when the socket is


def _raw_file(data_dir: str, name: str, records: list[dict], extra: str = "") -> Path:
    raw = Path(data_dir, "raw", "pr-bangkok", "2024-05-23", f"{name}.jsonl")
    raw.parent.mkdir(parents=True, exist_ok=True)
    raw.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records) + extra,
                   encoding="utf-8")
    return raw


def _raw_records(numbers) -> list[dict]:
    from tests.load.test_loader import enriched

    records = [enriched(i) for i in numbers]
    for record in records:
        for key in ("title_tokens", "body_tokens", "entities", "officials", "enrichment_version"):
            record.pop(key)
    return records


def _concrete_index(es_client, alias: str) -> str:
    return next(iter(es_client.indices.get_alias(name=alias)))


@pytest.fixture
def two_runs(prefect_harness, es_client, flow_env):
    """Run 1: 4 releases load, a mapping-rejected one and an unreadable line are
    dead-lettered. Run 2: the index refuses writes, so its 3 releases are dead-lettered."""
    from tests.load.test_loader import IMMENSE_KEYWORD

    first = _raw_records(range(5))
    first[4]["categories"] = [IMMENSE_KEYWORD]
    _raw_file(flow_env["data_dir"], "run-1", first, extra="{not json\n")
    one = nightly(sources=[], **flow_env)
    assert (one["indexed"], one["dead_lettered"]) == (4, 2)

    index = _concrete_index(es_client, flow_env["index"])
    es_client.indices.put_settings(index=index, settings={"index.blocks.write": True})
    _raw_file(flow_env["data_dir"], "run-2", _raw_records(range(10, 13)))
    two = nightly(sources=[], **flow_env)
    assert (two["indexed"], two["dead_lettered"]) == (0, 3), two
    return {"runs": (one, two), "index": index, "env": {
        "BMA_NEWS_DATA_DIR": flow_env["data_dir"], "BMA_NEWS_INDEX": flow_env["index"],
        "BMA_NEWS_PREFECT_PORT": str(closed_port())}}


def test_status_shows_the_runs_counts_node_and_dead_letters(two_runs, es_client):
    proc = _cli("status", "--json", env=two_runs["env"])
    assert proc.returncode == 0, proc.stderr
    status = json.loads(proc.stdout)
    one, two = two_runs["runs"]
    assert [r["run_id"] for r in status["runs"]] == [two["run_id"], one["run_id"]]
    newest = status["runs"][0]["counts"]
    assert newest["indexed"] == 0 and newest["dead_lettered"] == 3
    assert status["runs"][1]["counts"]["indexed"] == 4
    for key in ("created", "updated"):  # recorded only once the loader counts them
        assert status["runs"][1]["counts"][key] == one.get(key)
    assert status["node"]["up"] and status["node"]["docs"] == 4
    assert status["node"]["indices"] == [two_runs["index"]]
    assert status["schedule"]["next_run"] is None
    letters = status["dead_letters"]
    assert letters["total"] == 5
    by_reason = {(r["stage"], r["reason"].split(":")[0]): r["count"] for r in letters["reasons"]}
    assert by_reason[("load", "cluster_block_exception")] == 3
    assert by_reason[("read", "unreadable JSON")] == 1
    assert sum(by_reason.values()) == 5

    text = _cli("status", env=two_runs["env"])
    assert text.returncode == 0, text.stderr
    assert two["run_id"] in text.stdout and "dead letters: 5" in text.stdout
    assert "next scheduled run: none: no schedule (Prefect server not running)" in text.stdout
    assert "node: up at" in text.stdout and "4 documents" in text.stdout


def test_retry_after_the_cause_is_fixed_loads_once_and_keeps_the_hopeless(two_runs, es_client):
    env, alias = two_runs["env"], two_runs["env"]["BMA_NEWS_INDEX"]
    data_dir = env["BMA_NEWS_DATA_DIR"]
    blocked = [e for e in iter_dead_letters(data_dir) if "cluster_block" in e.reason]
    assert len(blocked) == 3

    still = _cli("dead-letters", "retry", blocked[0].id, "--json", env=env)
    assert still.returncode == 1, "the index still refuses writes"
    assert json.loads(still.stdout)["failed"] == 1
    assert len(list(iter_dead_letters(data_dir))) == 5, "a failed retry adds no dead letter"
    assert blocked[0].id in {e.id for e in iter_dead_letters(data_dir)}

    es_client.indices.put_settings(index=two_runs["index"], settings={"index.blocks.write": False})
    retried = _cli("dead-letters", "retry", "--all", env=env)
    assert retried.returncode == 1, "two of them fail again, whatever is retried"
    assert "retried 5: indexed 3, unchanged 0, superseded 0, failed again 2" in retried.stdout
    assert es_client.count(index=alias)["count"] == 7
    left = list(iter_dead_letters(data_dir))
    assert sorted(e.stage for e in left) == ["load", "read"]
    assert all(e.id not in {b.id for b in blocked} for e in left)
    moved = [json.loads(line) for p in Path(data_dir, "dead-letter", "retried").glob("*.jsonl")
             for line in p.read_text().splitlines()]
    assert sorted(m["id"] for m in moved) == sorted(b.id for b in blocked)
    assert {m["outcome"] for m in moved} == {"indexed"}

    again = _cli("dead-letters", "retry", "--all", "--json", env=env)
    report = json.loads(again.stdout)
    assert (report["retried"], report["indexed"], report["failed"]) == (2, 0, 2)
    assert es_client.count(index=alias)["count"] == 7, "retrying twice duplicates nothing"
    gone = _cli("dead-letters", "retry", blocked[1].id, env=env)
    assert gone.returncode == 2
    assert gone.stderr.strip() == (f"error: no dead letter with id {blocked[1].id} "
                                   "(`bma-news status` lists them)")


def test_a_repaired_unreadable_line_goes_through(two_runs, es_client):
    env, data_dir = two_runs["env"], two_runs["env"]["BMA_NEWS_DATA_DIR"]
    es_client.indices.put_settings(index=two_runs["index"], settings={"index.blocks.write": False})
    letter_file = next(Path(data_dir, "dead-letter").glob("*.jsonl"))
    repaired = _raw_records([20])[0]
    lines = []
    for line in letter_file.read_text(encoding="utf-8").splitlines():
        entry = json.loads(line)
        if entry["stage"] == "read":  # what an operator does by hand in the file
            entry["record"]["line"] = json.dumps(repaired, ensure_ascii=False)
        lines.append(json.dumps(entry, ensure_ascii=False))
    letter_file.write_text("\n".join(lines) + "\n", encoding="utf-8")
    fixed = next(e for e in iter_dead_letters(data_dir) if e.stage == "read")
    proc = _cli("dead-letters", "retry", fixed.id[:8], "--json", env=env)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["indexed"] == 1
    assert es_client.exists(index=env["BMA_NEWS_INDEX"], id=repaired["id"])
    assert fixed.id not in {e.id for e in iter_dead_letters(data_dir)}


def test_node_down_is_one_line_and_the_rest_still_shows(tmp_path):
    env = {"BMA_NEWS_DATA_DIR": str(tmp_path),
           "BMA_NEWS_ES_URL": f"http://127.0.0.1:{closed_port()}",
           "BMA_NEWS_PREFECT_PORT": str(closed_port())}
    proc = _cli("status", env=env)
    assert proc.returncode == 3
    down = [line for line in proc.stdout.splitlines() if line.startswith("node:")]
    assert down == [f"node: DOWN at {env['BMA_NEWS_ES_URL']}: unreachable (ConnectionError)"]
    assert "last runs: none yet" in proc.stdout and "dead letters: 0" in proc.stdout
    assert "Traceback" not in proc.stderr + proc.stdout
    as_json = json.loads(_cli("status", "--json", env=env).stdout)
    assert as_json["node"]["up"] is False

    retry = _cli("dead-letters", "retry", "--all", env=env)
    assert retry.returncode == 0 and retry.stdout.strip() == "no dead letters to retry"
    letters = tmp_path / "dead-letter"
    letters.mkdir()
    (letters / "2024-05-23.jsonl").write_text(json.dumps(
        {"at": "2024-05-23T10:00:00+00:00", "stage": "enrich", "id": "x",
         "reason": "record has no string `body`", "record": {"id": "x"}}) + "\n")
    retry = _cli("dead-letters", "retry", "--all", env=env)
    assert retry.returncode == 3
    assert retry.stderr.strip().startswith("error: Elasticsearch at http://127.0.0.1:")
    assert len(retry.stderr.strip().splitlines()) == 1


@pytest.mark.parametrize("args", [["status", "--runs", "-1"], ["status", "--dead-letters", "9999"],
                                  ["dead-letters", "retry"], ["dead-letters", "retry", "a", "--all"],
                                  ["dead-letters", "show", "nope"]])
def test_bad_input_is_one_line(args, tmp_path):
    proc = _cli(*args, env={"BMA_NEWS_DATA_DIR": str(tmp_path)})
    assert proc.returncode == 2
    assert proc.stderr.startswith("error: ") and len(proc.stderr.strip().splitlines()) == 1


def test_the_reader_reads_what_the_run_summary_writes(tmp_path):
    """Fails when RunSummary's JSON and core.runs drift apart."""
    summary = RunSummary("nightly", "nightly-20240523T190000Z-abcdef", index="bma-news")
    summary.crawl["pr-bangkok"] = {"fetched": 7, "new": 2}
    summary.crawl["prbangkok-legacy"] = {"fetched": 3}
    summary.add({"records": 9, "enriched": 8, "indexed": 5, "unchanged": 2, "dead_lettered": 1,
                 "skipped": {"superseded within batch": 1}})
    summary.finish("completed")
    view = read_run(summary.save(tmp_path))
    written = summary.as_result()
    assert (view.run_id, view.flow, view.status) == (summary.run_id, "nightly", "completed")
    assert (view.started_at, view.finished_at) == (written["started_at"], written["finished_at"])
    assert view.counts["fetched"] == 10
    for key, _label, _thai in RUN_COUNTS[1:]:
        assert view.counts[key] == written.get(key), key
    # every count the writer records is shown: in the main columns or beside them
    ints = {k for k, v in written.items() if isinstance(v, int) and not isinstance(v, bool)}
    assert ints <= set(view.counts) | set(view.other_counts)
    assert {"indexed", "unchanged", "dead_lettered"} <= ints
    assert view.skipped == {"superseded within batch": 1} and view.reconciles is True
