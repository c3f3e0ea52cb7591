"""The sources the crawler knows: every package here that declares a `SOURCE`.

Adding a site = one package `crawler/sources/<site>/` (its `SOURCE`, a pure `parse`, a
spider that only navigates) plus fixtures under `tests/fixtures/<source name>/`; every list
of sources (the CLI's choices, the nightly flow's sources, the tests) derives from here,
and `tests/crawler/test_sources.py` fails when a registered source has no fixtures.
"""

from __future__ import annotations

import importlib
import pkgutil

from crawler.sources.registry import Source


def _discover() -> list[Source]:
    found = []
    for module in pkgutil.iter_modules(__path__):
        if module.ispkg:
            source = getattr(importlib.import_module(f"{__name__}.{module.name}"), "SOURCE", None)
            if isinstance(source, Source):
                found.append(source)
    # The primary site first: `all` crawls it first, `--base-url` means it.
    return sorted(found, key=lambda s: (not s.primary, s.name))


SOURCES: list[Source] = _discover()
SOURCE_NAMES: tuple[str, ...] = tuple(s.name for s in SOURCES)
PRIMARY_SOURCE: str = next((s.name for s in SOURCES if s.primary), SOURCE_NAMES[0])


def get_source(name: str) -> Source:
    for source in SOURCES:
        if source.name == name:
            return source
    raise KeyError(name)


__all__ = ["PRIMARY_SOURCE", "SOURCES", "SOURCE_NAMES", "Source", "get_source"]
