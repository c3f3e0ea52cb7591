"""Watches: saved searches that collect the new releases they match, for a page and a feed.

A watch is a query with optional person/organization/place filters, exactly as
`bma-news search` takes them (`SearchParams`), and it matches what that search lists
first: the releases matching every part of the query and every filter
(`search.query.all_concepts_query`; a watch with filters only matches on them). It does
not take the graded fallback, which adds releases matching part of the query: an alert on
"น้ำท่วม บางเขน" is about both words, not every release naming บางเขน.

The nightly flow hands the ids of the releases each run added or changed (the loader's
results: releases skipped as unchanged are not new) to `evaluate_watches`, which matches
every watch restricted to those ids and records one match per watch and release (its id
`<watch id>-<release id>`, so a re-run never doubles one) with the time it was first seen.
A release edited later that still matches keeps its first-seen time and gets a new
`updated` time. "New matches" are those the watch's latest evaluation recorded.

Watches and matches live in indexes of their own (`index_mappings.watches`), beside the
documents' alias, so a rebuild or a reprocess keeps them.
"""

from __future__ import annotations

import hashlib
import json
import unicodedata
from collections.abc import Iterable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass
from pathlib import Path

from elasticsearch import ApiError, Elasticsearch, NotFoundError
from elasticsearch import ConnectionError as ESConnectionError

from core.errors import ElasticsearchUnavailable, InputError
from core.landing import Landing
from core.limits import MAX_FEED_ENTRIES, MAX_WATCH_NAME_CHARS, MAX_WATCHES, WATCH_IDS_PER_QUERY
from core.thai_calendar import bangkok_timestamp, parse_iso_datetime, to_bangkok_iso
from index_mappings.watches import ensure_watch_index, watch_index_name
from search.highlight import lead
from search.params import SearchInputError, SearchParams, clean_query
from search.query import QueryTerms, all_concepts_query, filters

WATCH_ID_CHARS = 12
MATCH_FIELDS = ["title", "url", "canonical_url", "published_at", "body", "content_hash"]


class WatchNotFound(InputError):
    """No watch has that name or id."""


@dataclass(frozen=True)
class Watch:
    id: str
    name: str
    query: str = ""
    persons: tuple[str, ...] = ()
    organizations: tuple[str, ...] = ()
    places: tuple[str, ...] = ()
    created_at: str = ""
    last_run_id: str | None = None
    last_evaluated_at: str | None = None
    last_matches: int = 0

    def params(self, sort: str = "date") -> SearchParams:
        """The search this watch stands for (newest first, as a journalist reads it)."""
        return SearchParams.build(self.query, persons=self.persons,
                                  organizations=self.organizations, places=self.places,
                                  sort=sort)

    def to_source(self) -> dict:
        return asdict(self) | {"persons": list(self.persons),
                               "organizations": list(self.organizations),
                               "places": list(self.places)}

    @classmethod
    def from_source(cls, source: dict) -> Watch:
        return cls(**{**source, "persons": tuple(source.get("persons") or ()),
                      "organizations": tuple(source.get("organizations") or ()),
                      "places": tuple(source.get("places") or ())})


@dataclass(frozen=True)
class WatchMatch:
    watch_id: str
    doc_id: str
    title: str
    url: str
    published_at: str | None
    summary: str
    content_hash: str
    first_seen: str
    updated: str
    run_id: str


def clean_name(name: str | None) -> str:
    text = " ".join(unicodedata.normalize("NFC", clean_query(name)).split())
    if not text:
        raise SearchInputError("a watch needs a name", "กรุณาตั้งชื่อการติดตาม")
    if len(text) > MAX_WATCH_NAME_CHARS:
        raise SearchInputError(f"the watch name is longer than {MAX_WATCH_NAME_CHARS} "
                               "characters", f"ชื่อยาวเกิน {MAX_WATCH_NAME_CHARS} ตัวอักษร")
    return text


def watch_id(name: str) -> str:
    """Stable for a name (whatever its case or spacing): the hash of its cleaned form."""
    return hashlib.sha256(clean_name(name).casefold().encode()).hexdigest()[:WATCH_ID_CHARS]


def matching_query(params: SearchParams) -> dict:
    """What a watch matches: the search's all-concepts query, or its filters alone."""
    strict = all_concepts_query(params, QueryTerms.of(params.query))
    return strict if strict is not None else {"bool": {"filter": filters(params)}}


@contextmanager
def _reachable() -> Iterator[None]:
    try:
        yield
    except ESConnectionError:
        raise ElasticsearchUnavailable("Elasticsearch is unreachable; check BMA_NEWS_ES_URL "
                                       "or start it with `bma-news es up`") from None


def _indexes(client: Elasticsearch, alias: str, create: bool) -> tuple[str, str] | None:
    """The watches' and the matches' index names; None when there are no watches yet."""
    names = (watch_index_name(alias, "watches"), watch_index_name(alias, "watch-matches"))
    if create:
        return (ensure_watch_index(client, alias, "watches"),
                ensure_watch_index(client, alias, "watch-matches"))
    return names if client.indices.exists(index=names[0]) else None


def add_watch(client: Elasticsearch, alias: str, name: str, query: str = "", *,
              persons: Iterable[str] | None = None, organizations: Iterable[str] | None = None,
              places: Iterable[str] | None = None) -> Watch:
    """Validate and store a new watch; a name already taken is an error (remove it first)."""
    cleaned = clean_name(name)
    params = SearchParams.build(query, persons=list(persons or ()),
                                organizations=list(organizations or ()),
                                places=list(places or ()))
    if not params.query and not params.has_filters():
        raise SearchInputError("a watch needs a query, a --person, an --org or a --place",
                               "กรุณาระบุคำค้นหรือบุคคล หน่วยงาน สถานที่")
    matching_query(params)  # a query with nothing to search for fails here, not at night
    watch = Watch(id=watch_id(cleaned), name=cleaned, query=params.query,
                  persons=params.persons, organizations=params.organizations,
                  places=params.places, created_at=bangkok_timestamp())
    with _reachable():
        watches, _matches = _indexes(client, alias, create=True)
        if client.count(index=watches)["count"] >= MAX_WATCHES:
            raise SearchInputError(f"there are already {MAX_WATCHES} watches; remove some "
                                   "first")
        try:
            client.create(index=watches, id=watch.id, document=watch.to_source(),
                          refresh="wait_for")
        except ApiError as exc:
            if exc.meta.status == 409:
                raise SearchInputError(
                    f"a watch named {cleaned!r} exists already; `bma-news watch remove` "
                    "it first to change it", f"มีการติดตามชื่อ {cleaned} อยู่แล้ว") from None
            raise
    return watch


def list_watches(client: Elasticsearch, alias: str) -> list[Watch]:
    """Every watch, by name."""
    with _reachable():
        found = _indexes(client, alias, create=False)
        if found is None:
            return []
        answer = client.search(index=found[0], size=MAX_WATCHES, sort=[{"name": "asc"}],
                               query={"match_all": {}})
    return [Watch.from_source(h["_source"]) for h in answer["hits"]["hits"]]


def get_watch(client: Elasticsearch, alias: str, name_or_id: str) -> Watch | None:
    """The watch with this id, or with this name."""
    with _reachable():
        found = _indexes(client, alias, create=False)
        if found is None or not name_or_id or len(name_or_id) > MAX_WATCH_NAME_CHARS * 4:
            return None
        candidates = [name_or_id.strip()]
        with suppress(SearchInputError):
            candidates.append(watch_id(name_or_id))
        for candidate in dict.fromkeys(candidates):
            try:
                return Watch.from_source(client.get(index=found[0], id=candidate)["_source"])
            except NotFoundError:
                continue
    return None


def remove_watch(client: Elasticsearch, alias: str, name_or_id: str) -> Watch:
    """Delete a watch and the matches it recorded."""
    watch = get_watch(client, alias, name_or_id)
    if watch is None:
        raise WatchNotFound(f"no watch named {name_or_id[:80]!r}; `bma-news watch list` "
                            "shows them")
    with _reachable():
        watches, matches = _indexes(client, alias, create=True)
        _delete_matches(client, matches, watch.id)
        client.delete(index=watches, id=watch.id, refresh="wait_for")
    return watch


def _delete_matches(client: Elasticsearch, index: str, watch_id: str) -> None:
    # The local distribution has no _delete_by_query (it is in the reindex module).
    while True:
        found = client.search(index=index, size=WATCH_IDS_PER_QUERY, source=False,
                              query={"term": {"watch_id": watch_id}})["hits"]["hits"]
        if not found:
            return
        client.bulk(operations=[{"delete": {"_index": index, "_id": h["_id"]}} for h in found],
                    refresh="wait_for")


def matches_of(client: Elasticsearch, alias: str, watch: Watch,
               size: int = MAX_FEED_ENTRIES) -> list[WatchMatch]:
    """The watch's latest matches, most recently updated first."""
    with _reachable():
        found = _indexes(client, alias, create=False)
        if found is None or not client.indices.exists(index=found[1]):
            return []
        answer = client.search(index=found[1], size=size,
                               query={"term": {"watch_id": watch.id}},
                               sort=[{"updated": "desc"}, {"first_seen": "desc"},
                                     {"doc_id": "asc"}])
    return [WatchMatch(**h["_source"]) for h in answer["hits"]["hits"]]


def _chunks(ids: list[str], size: int) -> Iterator[list[str]]:
    for start in range(0, len(ids), size):
        yield ids[start:start + size]


def _match_from(watch: Watch, hit: dict, now: str, run_id: str) -> WatchMatch:
    src = hit["_source"]
    published = parse_iso_datetime(src.get("published_at"))
    summary = lead(src.get("body") or "")
    return WatchMatch(
        watch_id=watch.id, doc_id=hit["_id"], title=src.get("title") or "",
        url=src.get("url") or src.get("canonical_url") or "",
        published_at=to_bangkok_iso(published) if published else None,
        summary=summary.text + ("…" if summary.cut_after else ""),
        content_hash=src.get("content_hash") or "", first_seen=now, updated=now,
        run_id=run_id)


def _watch_hits(client: Elasticsearch, alias: str, watch: Watch,
                doc_ids: list[str]) -> Iterator[list[dict]]:
    """The releases among `doc_ids` the watch matches, a chunk of ids at a time."""
    query = matching_query(watch.params())
    for chunk in _chunks(doc_ids, WATCH_IDS_PER_QUERY):
        answer = client.search(index=alias, size=len(chunk), source=MATCH_FIELDS,
                               track_total_hits=False, query={"bool": {"filter": [
                                   query, {"ids": {"values": chunk}}]}})
        yield answer["hits"]["hits"]


def evaluate_watches(client: Elasticsearch, alias: str, doc_ids: Iterable[str], run_id: str,
                     now: str | None = None) -> dict[str, int]:
    """Match every watch against the releases `doc_ids` (a run's new and changed ones) and
    record the matches. Returns, per watch name, how many of them it matched (new matches
    and changed releases it had matched before); a re-run with the same ids records
    nothing twice."""
    ids = sorted(set(doc_ids))
    watches = list_watches(client, alias)
    if not watches:
        return {}
    now = now or bangkok_timestamp()
    watch_index, match_index = _indexes(client, alias, create=True)
    counts: dict[str, int] = {}
    with _reachable():
        for watch in watches:
            recorded = sum(_record(client, match_index,
                                   [_match_from(watch, hit, now, run_id) for hit in hits])
                           for hits in _watch_hits(client, alias, watch, ids))
            counts[watch.name] = recorded
            client.update(index=watch_index, id=watch.id, doc={
                "last_run_id": run_id, "last_evaluated_at": now, "last_matches": recorded})
        client.indices.refresh(index=f"{watch_index},{match_index}")
    return counts


def _record(client: Elasticsearch, index: str, found: list[WatchMatch]) -> int:
    """Store new matches and changed ones (keeping their first-seen time); return how many."""
    if not found:
        return 0
    ids = [f"{m.watch_id}-{m.doc_id}" for m in found]
    known = {d["_id"]: d["_source"] for d in client.mget(index=index, ids=ids)["docs"]
             if d.get("found")}
    operations: list[dict] = []
    for match_id, match in zip(ids, found, strict=True):
        before = known.get(match_id)
        if before and before.get("content_hash") == match.content_hash:
            continue  # re-indexed (a new enrichment) but not edited: not news
        if before:
            match = WatchMatch(**{**asdict(match), "first_seen": before["first_seen"]})
        operations += [{"index": {"_index": index, "_id": match_id}}, asdict(match)]
    if operations:
        answer = client.bulk(operations=operations)  # refreshed once, at the end
        if answer.get("errors"):
            failed = next(i["index"] for i in answer["items"] if i["index"].get("error"))
            raise RuntimeError(f"could not record a watch match: {failed['error']}")
    return len(operations) // 2


class WatchQueue:
    """The ids of loaded releases no watch has been evaluated against yet, on disk.

    The flow adds a raw file's new and changed ids before marking the file loaded, and
    clears them once every watch has seen them: a run that fails in between leaves them
    for the next run, which evaluates them then (matches are idempotent)."""

    def __init__(self, data_dir: Path | str):
        self.path = Landing(data_dir).watch_queue()

    def add(self, doc_ids: Iterable[str]) -> None:
        ids = list(doc_ids)
        if not ids:
            return
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as out:
            out.write(json.dumps(ids) + "\n")

    def pending(self) -> list[str]:
        if not self.path.is_file():
            return []
        ids: dict[str, None] = {}
        for line in self.path.read_text("utf-8").splitlines():
            try:
                ids.update(dict.fromkeys(json.loads(line)))
            except (ValueError, TypeError):
                continue  # a line cut short by a crash (its ids are the one thing lost)
        return list(ids)

    def clear(self) -> None:
        self.path.unlink(missing_ok=True)


def evaluate_pending(client: Elasticsearch, alias: str, data_dir: Path | str,
                     run_id: str) -> dict[str, int]:
    """Evaluate every watch against the queued ids, then clear the queue."""
    queue = WatchQueue(data_dir)
    counts = evaluate_watches(client, alias, queue.pending(), run_id)
    queue.clear()
    return counts
