"""A landing zone for the status page tests, written by the project's own writers: run
summaries by `flows.summary.RunSummary.save`, dead letters by `core.landing.DeadLetter`.
(tests/flows/test_status.py does the same with the real flow end to end.)"""

from __future__ import annotations

import os
import time
from pathlib import Path

from core.landing import Landing, write_json_atomic
from flows.summary import RunSummary

HOSTILE_TITLE = "<script>window.__pwned = 1</script>ประกาศ กทม. ทดสอบ"


def write_landing_zone(data_dir: Path) -> dict:
    """Two runs (an older summary file without `created`/`updated`, a newer one with them, as
    the loader records them now) and three dead letters of two kinds."""
    landing = Landing(data_dir)
    old = RunSummary("nightly", "nightly-20240522T190000Z-aaaaaa", index="bma-news")
    old.crawl["pr-bangkok"] = {"fetched": 40, "new": 3}
    old.add({"records": 3, "enriched": 3, "indexed": 2, "unchanged": 0, "dead_lettered": 1})
    old.finish("completed")
    # a summary written before the loader counted created/updated: the file lacks the keys
    old_path = landing.run_summary(old.run_id)
    write_json_atomic(old_path, {k: v for k, v in old.as_result().items()
                                 if k not in ("created", "updated")})
    stamp = time.time() - 3600
    os.utime(old_path, (stamp, stamp))  # finished an hour before the next one

    new = RunSummary("nightly", "nightly-20240523T190000Z-bbbbbb", index="bma-news")
    new.crawl["pr-bangkok"] = {"fetched": 25}
    new.crawl["prbangkok-legacy"] = {"fetched": 12}
    new.add({"records": 6, "enriched": 6, "indexed": 4, "unchanged": 1, "dead_lettered": 1})
    new.finish("failed", "Elasticsearch kept refusing 1 documents (429/5xx) after 6 attempts")
    write_json_atomic(landing.run_summary(new.run_id),
                      new.as_result() | {"created": 3, "updated": 1})

    letters = landing.dead_letters()
    letters.write({"id": "a" * 40, "title": HOSTILE_TITLE, "body": "x",
                   "body_html": "<img src=x onerror=alert(1)>"},
                  "mapper_parsing_exception: failed to parse field [categories] of type "
                  "[keyword] in document with id 'aaaa'. Preview of field's value: 'กกกกกก'",
                  "load")
    letters.write({"id": "b" * 40, "title": "ข่าวที่สอง", "body": "y"},
                  "mapper_parsing_exception: failed to parse field [categories] of type "
                  "[keyword] in document with id 'bbbb'. Preview of field's value: 'ขขขขขข'",
                  "load")
    letters.write({"id": None, "line": "{not json"},
                  "unreadable JSON: Expecting property name enclosed in double quotes: "
                  "line 1 column 2 (char 1)", "read")
    return {"old": old, "new": new}
