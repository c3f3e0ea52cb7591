"""The legacy archive's parser: the version is chosen by what the page says.

`/index.php/...` addresses and Joomla markup are the 2017-18 system (`parser_v1_joomla`);
everything else, `/th/<section>/view/<token>` and the "เผยแพร่โดย" header, is the custom
system of 2019-21 (`parser_v2_custom`). A layout change gets a new version next to these.
"""

from __future__ import annotations

from crawler.parsing.article import Article
from crawler.parsing.document import parse_document
from crawler.sources.prbangkok_legacy.page import LegacyParser
from crawler.sources.prbangkok_legacy.parser_v1_joomla import JoomlaParser
from crawler.sources.prbangkok_legacy.parser_v2_custom import CustomParser
from crawler.sources.prbangkok_legacy.site import is_joomla_url

VERSIONS: tuple[LegacyParser, ...] = (JoomlaParser(), CustomParser())
_JOOMLA_MARKS = ('//meta[@name="generator"][contains(@content, "Joomla")]',
                 '//*[contains(@class, "item-page") or contains(@class, "itemFullText")]')


def parser_for(doc, url: str) -> LegacyParser:
    if is_joomla_url(url) or any(doc.xpath(x) for x in _JOOMLA_MARKS):
        return VERSIONS[0]
    return VERSIONS[1]


def parse(body: bytes, url: str, content_type: str | None = None) -> Article:
    """A legacy article page (either system, UTF-8 or TIS-620/windows-874) as an Article."""
    doc = parse_document(body, content_type)
    return parser_for(doc, url).parse(doc, url)
