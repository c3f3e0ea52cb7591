"""The loader against the real node: idempotent, unchanged skipped, faults classified."""

from __future__ import annotations

import hashlib
import json
from collections import Counter

import pytest

from core.es.client import make_client
from core.landing import DeadLetter
from core.settings import Settings, get_settings
from index_mappings import ensure_index
from pipeline.load import Loader, LoadInterrupted
from tests.faultproxy import FaultProxy

# Over Lucene's 32,766-byte term limit for a keyword: the node rejects the document.
IMMENSE_KEYWORD = "ก" * 12000


def enriched(n: int, version: str = "v-test", body: str = "ประกาศ") -> dict:
    body = f"{body} ฉบับที่ {n}"
    return {
        "id": hashlib.sha1(f"https://pr-bangkok.com/?p={n}".encode()).hexdigest(),
        "url": f"https://pr-bangkok.com/?p={n}", "canonical_url": f"https://pr-bangkok.com/?p={n}",
        "source": "pr-bangkok", "source_id": str(n), "title": f"ข่าว {n}", "body": body,
        "title_tokens": f"ข่าว {n}", "body_tokens": " ".join(body.split()),
        "published_at": "2024-05-23T16:30:00+07:00", "modified_at": "2024-05-23T16:30:00+07:00",
        "content_hash": hashlib.sha256(body.encode()).hexdigest(), "enrichment_version": version,
        "entities": [], "officials": [], "categories": ["ข่าว"],
    }


@pytest.fixture
def loader_for(es_client, es_alias, tmp_path):
    ensure_index(es_client, es_alias)

    def build(client=es_client, sleep=lambda _s: None, chunk_size=50, **options):
        return Loader(client, es_alias, DeadLetter(tmp_path / "dead-letter"), chunk_size, sleep,
                      **options)

    return build


def _count(es_client, alias) -> int:
    return es_client.count(index=alias)["count"]


def test_load_is_searchable_on_return_and_idempotent(es_client, es_alias, loader_for):
    records = [enriched(i) for i in range(120)]
    report = loader_for().load(records)
    assert (report.indexed, report.unchanged, report.dead_lettered) == (120, 0, 0)
    assert _count(es_client, es_alias) == 120, "searchable when load returns"
    versions = {h["_id"]: h["_version"] for h in es_client.search(
        index=es_alias, size=200, version=True)["hits"]["hits"]}

    again = loader_for().load(records)
    assert (again.indexed, again.unchanged) == (0, 120)
    assert again.reconciles()
    after = {h["_id"]: h["_version"] for h in es_client.search(
        index=es_alias, size=200, version=True)["hits"]["hits"]}
    assert after == versions, "unchanged documents are not rewritten"


def test_changed_content_or_enrichment_is_rewritten(es_client, es_alias, loader_for):
    loader_for().load([enriched(i) for i in range(5)])
    changed = [enriched(0, body="แก้ไขแล้ว"), enriched(1, version="v-next")] + [
        enriched(i) for i in range(2, 5)]
    report = loader_for().load(changed)
    assert (report.indexed, report.unchanged) == (2, 3)
    assert _count(es_client, es_alias) == 5


def test_rejected_documents_are_dead_lettered_with_reason(es_client, es_alias, loader_for,
                                                          tmp_path):
    records = [enriched(i) for i in range(30)]
    for i in (3, 17):
        records[i]["categories"] = [IMMENSE_KEYWORD]
    records[20]["published_at"] = "not a date at all"
    report = loader_for().load(records)
    assert report.indexed == 27
    assert report.dead_lettered == 3
    assert report.reconciles()
    letters = [json.loads(line) for path in (tmp_path / "dead-letter").glob("*.jsonl")
               for line in path.read_text().splitlines()]
    reasons = {entry["id"]: entry["reason"] for entry in letters}
    assert "immense term" in reasons[records[3]["id"]]
    assert "published_at" in reasons[records[20]["id"]]
    assert all(entry["record"]["id"] == entry["id"] for entry in letters)
    assert _count(es_client, es_alias) == 27


def test_duplicate_ids_in_one_batch_are_counted(es_client, es_alias, loader_for):
    records = [enriched(1), enriched(2), enriched(1, body="ฉบับแก้ไข")]
    report = loader_for().load(records)
    assert report.skipped == Counter({"superseded within batch": 1})
    assert report.indexed == 2 and report.reconciles()
    doc = es_client.get(index=es_alias, id=records[0]["id"])["_source"]
    assert doc["body"].startswith("ฉบับแก้ไข"), "the later version wins"


def test_injected_429s_are_retried_and_permanent_failures_are_not(es_client, es_alias,
                                                                  loader_for):
    """Fault test 2: injected 429s plus a share of mapping-invalid documents."""
    n = 400
    records = [enriched(i) for i in range(n)]
    for i in range(0, n, 10):  # 10% the mapping rejects
        records[i]["categories"] = [IMMENSE_KEYWORD]
    with FaultProxy(get_settings().effective_es_url, reject_every_nth_bulk=2) as proxy:
        client = make_client(Settings(es_url=proxy.url), max_retries=0)
        report = loader_for(client=client).load(records)
    rejected_ids = [records[i]["id"] for i in range(0, n, 10)]
    # A permanent failure reached the node once; any further delivery would be a retry.
    permanent_retries = sum(proxy.forwarded_ids[i] - 1 for i in rejected_ids)
    print(f"\nfault figures: N={n} indexed={report.indexed} dead_lettered={report.dead_lettered}"
          f" injected_429={proxy.rejected} transient_retries={report.transient_retries}"
          f" permanent_retries={permanent_retries}")
    assert proxy.rejected >= 4
    assert report.transient_retries == proxy.rejected
    assert report.indexed + report.dead_lettered == n
    assert report.dead_lettered == n // 10
    assert all(proxy.forwarded_ids[i] >= 1 for i in rejected_ids)
    assert permanent_retries == 0
    assert _count(es_client, es_alias) == n - n // 10


def test_unreachable_node_raises_one_clear_error(es_alias, tmp_path):
    client = make_client(Settings(es_url="http://127.0.0.1:9"), max_retries=0)
    loader = Loader(client, es_alias, DeadLetter(tmp_path), sleep=lambda _s: None)
    with pytest.raises(LoadInterrupted, match="stopped answering"):
        loader.load([enriched(1)])


def test_same_batch_loaded_concurrently_changes_nothing(es_client, es_alias, loader_for):
    """Fault test 3: the same batch twice and concurrently: change in document count = 0."""
    from concurrent.futures import ThreadPoolExecutor

    records = [enriched(i) for i in range(200)]
    loader_for().load(records)
    before = _count(es_client, es_alias)
    with ThreadPoolExecutor(max_workers=3) as pool:
        reports = list(pool.map(lambda _i: loader_for().load(records), range(3)))
    delta = _count(es_client, es_alias) - before
    print(f"\nfault figures: concurrent double load, change in document count = {delta}")
    assert delta == 0
    assert all(r.reconciles() for r in reports)


def _proxied_loader(loader_for, proxy: FaultProxy, **options) -> Loader:
    return loader_for(client=make_client(Settings(es_url=proxy.url), max_retries=0), **options)


def test_new_and_changed_documents_are_counted_created_and_updated(es_client, es_alias,
                                                                   loader_for):
    first = loader_for().load([enriched(i) for i in range(5)])
    assert (first.created, first.updated, first.indexed) == (5, 0, 5)
    second = loader_for().load([enriched(0, body="แก้ไขแล้ว"), enriched(1, version="v-next")]
                               + [enriched(i) for i in range(2, 7)])
    assert (second.created, second.updated, second.unchanged) == (2, 2, 3)
    assert second.indexed == 4 and second.reconciles()
    assert second.as_dict()["created"] == 2 and second.as_dict()["updated"] == 2


def test_new_documents_cost_no_lookup_and_an_unchanged_rerun_no_write(es_client, es_alias,
                                                                      loader_for):
    """The unchanged check makes no request of its own for new documents: the node's own
    get counter stays put and only bulk requests are sent; a re-run of an unchanged batch
    looks the documents up and sends them no more than once."""
    records = [enriched(i) for i in range(120)]
    ensure_index(es_client, es_alias)

    def gets() -> int:
        return es_client.indices.stats(index=es_alias, metric="get")["_all"]["primaries"][
            "get"]["total"]

    before = gets()
    with FaultProxy(get_settings().effective_es_url) as proxy:
        report = _proxied_loader(loader_for, proxy, connections=1).load(records)
    assert report.created == 120
    assert gets() == before, "no document was looked up"
    assert proxy.requests["_bulk"] == 3 and proxy.requests["_mget"] == 0

    with FaultProxy(get_settings().effective_es_url) as proxy:
        again = _proxied_loader(loader_for, proxy, connections=1).load(records)
    assert (again.unchanged, again.indexed) == (120, 0)
    assert gets() - before == 120, "each document looked up once"
    # The first batch is offered as `create` (refused: all exist); after that the loader
    # looks up first, so the unchanged ones are not sent again.
    assert proxy.requests["_bulk"] == 1 and proxy.requests["_mget"] == 3
    assert max(proxy.forwarded_ids.values()) == 1 and len(proxy.forwarded_ids) == 50


def test_bulk_requests_are_bounded_by_bytes(es_client, es_alias, loader_for):
    records = [enriched(i, body="ประกาศ" * 2000) for i in range(12)]  # about 36 kB each
    limit = 100_000
    with FaultProxy(get_settings().effective_es_url) as proxy:
        report = _proxied_loader(loader_for, proxy, chunk_size=500, max_bytes=limit).load(
            records)
    assert report.created == 12 and _count(es_client, es_alias) == 12
    assert len(proxy.bulk_bytes) >= 4, "a count limit of 500 alone would send one request"
    assert max(proxy.bulk_bytes) <= limit


def test_a_document_over_the_byte_limit_goes_alone(es_client, es_alias, loader_for):
    records = [enriched(0, body="ประกาศ" * 2000), enriched(1), enriched(2)]
    with FaultProxy(get_settings().effective_es_url) as proxy:
        report = _proxied_loader(loader_for, proxy, max_bytes=5_000).load(records)
    assert report.created == 3
    # Requests in flight together may reach the proxy in either order.
    alone, together = sorted(proxy.bulk_bytes, reverse=True)
    assert alone > 5_000 >= together


def test_parallel_batches_keep_the_later_version_of_an_id(es_client, es_alias, loader_for):
    records = [enriched(i) for i in range(30)]
    records[25] = enriched(2, body="ฉบับแก้ไข")  # batch 3 holds a newer version of batch 1's
    report = loader_for(chunk_size=10, connections=3).load(records)
    assert (report.created, report.updated) == (29, 1) and report.reconciles()
    doc = es_client.get(index=es_alias, id=records[2]["id"])["_source"]
    assert doc["body"].startswith("ฉบับแก้ไข")
    assert _count(es_client, es_alias) == 29
