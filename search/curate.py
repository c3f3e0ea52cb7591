"""Making a curation (merge, alias, split) against the index: the CLI and the web page
share it, so both check the same things before the curations file changes."""

from __future__ import annotations

from elasticsearch import Elasticsearch

from search.curations import OPS, Change, CurationError, Curations, clean_name, current, editing
from search.entities import entity_exists


def require_entity(client: Elasticsearch, index: str, label: str, name: str) -> None:
    if not entity_exists(client, index, label, name):
        raise CurationError(f"no release names the {label} {name!r}; check the spelling",
                            f"ไม่พบข่าวที่กล่าวถึง {name}")


def curate(client: Elasticsearch, index: str, op: str, label: str, canonical: str,
           spelling: str, *, dry_run: bool = False) -> Change:
    """`merge`: SPELLING (named in the index) becomes a spelling of CANONICAL; `alias`: the
    same for a spelling the index may not have yet; `split`: undo either. CANONICAL must be
    named in the index. With `dry_run` nothing is written (the web page's confirmation)."""
    if op not in OPS:
        raise CurationError(f"the operation must be merge, alias or split, not {op[:20]!r}")
    canonical, spelling = clean_name(canonical), clean_name(spelling)
    require_entity(client, index, label, canonical)
    if op == "merge":
        require_entity(client, index, label, spelling)
    if dry_run:
        return _change(Curations.from_json(current().to_json()), op, label, canonical, spelling)
    with editing() as curations:
        return _change(curations, op, label, canonical, spelling)


def _change(curations: Curations, op: str, label: str, canonical: str, spelling: str) -> Change:
    if op == "split":
        return curations.split(label, canonical, spelling)
    return curations.merge(label, canonical, spelling, op)

