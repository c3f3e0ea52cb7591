"""The baselines `bma-news eval-search` scores us against, on the same documents.

`WordPressSearch` is WordPress's own search box (WP_Query with `s=`, WordPress 6.x,
wp-includes/class-wp-query.php `parse_search` / `parse_search_order`): the query is split
at spaces (quoted phrases kept), every term must occur as a substring (SQL `LIKE
'%term%'`) in the title, excerpt or content, and results are ordered by: title contains
the whole query, title contains every term, title contains some term, excerpt contains
the whole query, content contains the whole query, then newest first. With one term:
title contains it first, then newest first.

`Bm25Search` is a plain index: PyThaiNLP's newmm tokens (no custom dictionary, no
folding), Okapi BM25 (k1 = 1.2, b = 0.75, the Lucene defaults), any term may match.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict

_QUOTED = re.compile(r'"[^"]+"|\S+')


def _date(doc: dict) -> str:
    return doc.get("published_at") or ""


class WordPressSearch:
    name = "wordpress"

    def __init__(self, docs: list[dict]) -> None:
        self.docs = [(d["id"], (d.get("title") or "").lower(), (d.get("body") or "").lower(),
                      _date(d)) for d in docs]

    def search(self, text: str, k: int = 10) -> list[str]:
        text = text.strip().lower()
        terms = [t.strip('"') for t in _QUOTED.findall(text)]
        terms = [t for t in terms if t]
        if not terms:
            return []
        hits = []
        for doc_id, title, body, date in self.docs:
            # the excerpt of a post without one is empty: title or content then
            if not all(t in title or t in body for t in terms):
                continue
            if len(terms) == 1:
                order = 1 if terms[0] in title else 2
            elif text in title:
                order = 1
            elif all(t in title for t in terms):
                order = 2
            elif any(t in title for t in terms):
                order = 3
            elif text in body:
                order = 5
            else:
                order = 6
            hits.append((order, date, doc_id))
        hits.sort(key=lambda h: (h[0], _neg(h[1])))
        return [h[2] for h in hits[:k]]


def _neg(date: str) -> tuple:
    # newest first within an order: sort on the negated characters of the ISO date
    return tuple(-ord(c) for c in date)


def newmm(text: str) -> list[str]:
    from pythainlp.tokenize import word_tokenize

    return [t.lower() for t in word_tokenize(text, engine="newmm", keep_whitespace=False)
            if any(c.isalnum() for c in t)]


class Bm25Search:
    name = "bm25"
    K1 = 1.2
    B = 0.75

    def __init__(self, docs: list[dict]) -> None:
        self.ids = [d["id"] for d in docs]
        self.postings: dict[str, list[tuple[int, int]]] = defaultdict(list)
        self.lengths: list[int] = []
        for n, doc in enumerate(docs):
            tokens = newmm(f"{doc.get('title') or ''}\n{doc.get('body') or ''}")
            self.lengths.append(len(tokens))
            for term, tf in Counter(tokens).items():
                self.postings[term].append((n, tf))
        self.avg = sum(self.lengths) / max(1, len(self.lengths))

    def search(self, text: str, k: int = 10) -> list[str]:
        scores: dict[int, float] = defaultdict(float)
        total = len(self.ids)
        for term in set(newmm(text)):
            postings = self.postings.get(term, [])
            if not postings:
                continue
            idf = math.log(1 + (total - len(postings) + 0.5) / (len(postings) + 0.5))
            for n, tf in postings:
                norm = self.K1 * (1 - self.B + self.B * self.lengths[n] / self.avg)
                scores[n] += idf * tf * (self.K1 + 1) / (tf + norm)
        best = sorted(scores.items(), key=lambda kv: -kv[1])[:k]
        return [self.ids[n] for n, _ in best]
