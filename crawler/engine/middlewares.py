"""Downloader middlewares: host safety, strict robots.txt, retries with backoff, archiving."""

from __future__ import annotations

import asyncio
import ipaddress
import logging
import socket
from datetime import UTC
from email.utils import parsedate_to_datetime
from functools import lru_cache
from io import BytesIO
from urllib.parse import urlsplit, urlunsplit

from scrapy import signals
from scrapy.downloadermiddlewares.retry import RetryMiddleware
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest
from scrapy.http import Request, Response

from core.limits import MAX_RETRY_BACKOFF_S

logger = logging.getLogger(__name__)


@lru_cache(maxsize=1024)
def _resolve(host: str) -> tuple[str, ...]:
    try:
        return tuple({info[4][0] for info in socket.getaddrinfo(host, None)})
    except (OSError, UnicodeError):
        return ()


def is_private_address(address: str) -> bool:
    """True for loopback, private, link-local (cloud metadata), reserved and unspecified IPs."""
    try:
        ip = ipaddress.ip_address(address.strip("[]").split("%")[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped:
        ip = ip.ipv4_mapped
    return (ip.is_private or ip.is_loopback or ip.is_link_local or ip.is_reserved
            or ip.is_multicast or ip.is_unspecified)


def host_is_private(host: str, *, resolve: bool = True) -> bool:
    if not host:
        return True
    host = host.lower().rstrip(".")
    if host == "localhost" or host.endswith(".localhost"):
        return True
    if is_private_address(host):
        return True
    try:
        ipaddress.ip_address(host.strip("[]"))
        return False  # a public IP literal
    except ValueError:
        pass
    # A source's name pointed at a private address (DNS rebinding, split horizon).
    return resolve and any(is_private_address(a) for a in _resolve(host))


class HostSafetyMiddleware:
    """Only http(s), only the source's own hosts, never a private address.

    With `--base-url`, requests for the source's hosts go to the base origin instead (a
    mirror or a test server), and the base origin is the one private address allowed.
    Runs first (lowest order), so a refused request never even triggers a robots.txt fetch.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.resolve = crawler.settings.getbool("BMA_RESOLVE_HOSTS", True)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _refuse(self, reason: str, url: str) -> None:
        self.crawler.stats.inc_value(f"bma/blocked/{reason}")
        logger.info("refused %s (%s)", url, reason)
        raise IgnoreRequest(f"refused: {reason}")

    def process_request(self, request: Request):
        spider = self.crawler.spider
        parts = urlsplit(request.url)
        if parts.scheme not in ("http", "https"):
            self._refuse("scheme", request.url)
        netloc = parts.netloc.lower()
        base = getattr(spider, "base_netloc", None)
        if base and netloc == base:
            return None
        host = (parts.hostname or "").lower()
        own_hosts = set(getattr(spider, "source_domains", ()))
        if host in own_hosts and base:
            base_parts = urlsplit(spider.base_url)
            rewritten = urlunsplit((base_parts.scheme, base_parts.netloc, parts.path or "/",
                                    parts.query, ""))
            return request.replace(url=rewritten)
        if host_is_private(host, resolve=False):
            self._refuse("private_address", request.url)
        if host not in own_hosts:
            self._refuse("offsite", request.url)
        if host_is_private(host, resolve=self.resolve):
            # One of the source's own names resolving to a private address.
            self._refuse("private_address", request.url)
        return None


class _DisallowAll:
    """RFC 9309: a robots.txt that is unreachable (5xx, network error) means disallow all."""

    def allowed(self, url, user_agent) -> bool:
        return False

    def sitemaps(self):
        return iter(())


class StrictRobotsTxtMiddleware(RobotsTxtMiddleware):
    """Scrapy's robots.txt handling, made RFC 9309 strict.

    4xx: no rules (allow all). 5xx, timeouts, refused connections, an oversized file:
    disallow all, and the crawl reports it rather than guessing.
    """

    async def _parse_robots(self, response: Response, netloc: str, request: Request) -> None:
        status = response.status
        if status < 400:
            return await super()._parse_robots(response, netloc, request)
        self._stats.inc_value("robotstxt/response_count")
        self._stats.inc_value(f"robotstxt/response_status_count/{status}")
        if status >= 500:
            self._stats.inc_value("bma/robots/disallow_all")
            parser = _DisallowAll()
        else:
            from scrapy.utils.misc import build_from_crawler

            parser = build_from_crawler(self._parserimpl, self.crawler, b"")
        pending = self._parsers[netloc]
        self._parsers[netloc] = parser
        pending.callback(parser)

    def _robots_error(self, exc: Exception, netloc: str) -> None:
        # No answer at all (refused, DNS, timeout) is "unreachable"; an answer we could not
        # read (too big, cut off, refused by our own rules) only forbids the crawl.
        from scrapy.exceptions import (
            CannotResolveHostError,
            DownloadConnectionRefusedError,
            DownloadTimeoutError,
        )
        from twisted.internet.error import ConnectError, DNSLookupError, TimeoutError

        no_answer = (ConnectError, DNSLookupError, TimeoutError, ConnectionError,
                     DownloadConnectionRefusedError, CannotResolveHostError, DownloadTimeoutError)
        if isinstance(exc, no_answer):
            self._stats.inc_value("bma/robots/unreachable")
        else:
            self._stats.inc_value("bma/robots/unreadable")
        self._stats.inc_value("bma/robots/disallow_all")
        pending = self._parsers[netloc]
        parser = _DisallowAll()
        self._parsers[netloc] = parser
        pending.callback(parser)

    def process_request_2(self, rp, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            self._stats.inc_value("bma/blocked/robots")
            raise


class BackoffRetryMiddleware(RetryMiddleware):
    """Scrapy's retries (429, 5xx, timeouts) with exponential backoff and Retry-After."""

    def __init__(self, settings):
        super().__init__(settings)
        self.base_delay = max(settings.getfloat("DOWNLOAD_DELAY"), 0.05)

    def _delay(self, request: Request, response: Response | None = None) -> float:
        attempt = request.meta.get("retry_times", 0)
        delay = self.base_delay * (2 ** attempt)
        if response is not None and (header := response.headers.get(b"Retry-After")):
            value = header.decode("latin-1").strip()
            try:
                delay = max(delay, float(value))
            except ValueError:
                try:
                    from datetime import datetime

                    when = parsedate_to_datetime(value)
                    delay = max(delay, (when - datetime.now(UTC)).total_seconds())
                except (TypeError, ValueError):
                    pass
        return min(delay, MAX_RETRY_BACKOFF_S)

    async def process_response(self, request: Request, response: Response):
        if request.meta.get("dont_retry", False) or response.status not in self.retry_http_codes:
            return response
        delay = self._delay(request, response)
        retry = self._retry(request, f"HTTP {response.status}")
        if retry is None:
            return response
        self.crawler.stats.inc_value(f"bma/retried/{response.status}")
        await asyncio.sleep(delay)
        return retry

    async def process_exception(self, request: Request, exception: Exception):
        if not isinstance(exception, self.exceptions_to_retry) or request.meta.get("dont_retry"):
            return None
        delay = self._delay(request)
        retry = self._retry(request, exception)
        if retry is None:
            return None
        await asyncio.sleep(delay)
        return retry


class ArchiveMiddleware:
    """Every response, archived in a WARC file before anything parses it.

    Sits after decompression (see the order in `crawler.engine.settings`), so records hold the
    body as the spider sees it; the original Content-Encoding header is kept as
    `X-Original-Content-Encoding`.
    """

    def __init__(self, crawler):
        self.crawler = crawler
        self.writer = None
        self.handle = None
        self.path = None
        crawler.signals.connect(self.spider_closed, signal=signals.spider_closed)

    @classmethod
    def from_crawler(cls, crawler):
        return cls(crawler)

    def _open(self):
        from warcio.warcwriter import WARCWriter

        spider = self.crawler.spider
        self.path = spider.run.archive_path(spider.name)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.handle = open(self.path, "ab")  # noqa: SIM115 - closed on spider_closed
        self.writer = WARCWriter(self.handle, gzip=True)
        spider.run.archive_files.append(str(self.path))

    def process_response(self, request: Request, response: Response):
        from warcio.statusandheaders import StatusAndHeaders

        if self.writer is None:
            self._open()
        headers = []
        for name, values in response.headers.items():
            key = name.decode("latin-1")
            if key.lower() in ("content-encoding", "transfer-encoding", "content-length"):
                key = f"X-Original-{key}"
            headers.extend((key, v.decode("latin-1")) for v in values)
        headers.append(("Content-Length", str(len(response.body))))
        http_headers = StatusAndHeaders(f"{response.status} {_reason(response.status)}",
                                        headers, protocol="HTTP/1.1")
        record = self.writer.create_warc_record(
            response.url, "response", payload=BytesIO(response.body),
            http_headers=http_headers,
        )
        self.writer.write_record(record)
        self.handle.flush()
        self.crawler.stats.inc_value("bma/archived")
        return response

    def spider_closed(self, spider, reason):
        if self.handle is not None:
            self.handle.close()
            self.handle = None
            self.writer = None


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
