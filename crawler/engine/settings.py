"""Scrapy settings, derived from the project's one settings object (`BMA_NEWS_*`)."""

from __future__ import annotations

from pathlib import Path

from core.errors import TRANSIENT_HTTP_STATUSES
from core.limits import MAX_REDIRECTS, MAX_RETRIES
from core.settings import Settings


def scrapy_settings(settings: Settings, *, jobdir: Path | None, log_file: Path | None) -> dict:
    delay = max(0.0, settings.download_delay)
    return {
        "BOT_NAME": "bma-news",
        "USER_AGENT": settings.user_agent,
        "ROBOTSTXT_OBEY": True,
        # Politeness: one request at a time per host, AutoThrottle adapting the delay to
        # the server's latency, never below the configured delay.
        "CONCURRENT_REQUESTS": 8,
        "CONCURRENT_REQUESTS_PER_DOMAIN": 1,
        "DOWNLOAD_DELAY": delay,
        "AUTOTHROTTLE_ENABLED": True,
        "AUTOTHROTTLE_START_DELAY": delay,
        "AUTOTHROTTLE_MAX_DELAY": 60.0,
        "AUTOTHROTTLE_TARGET_CONCURRENCY": 1.0,
        "DOWNLOAD_DELAY_JITTER": 0.5 if delay > 0 else 0.0,
        # Safety limits: a page bigger than this is not a press release; the limit also
        # applies to the decompressed size, which stops compression bombs.
        "DOWNLOAD_MAXSIZE": settings.max_response_bytes,
        "DOWNLOAD_WARNSIZE": settings.max_response_bytes // 2,
        "DOWNLOAD_TIMEOUT": settings.crawl_download_timeout,
        "REDIRECT_MAX_TIMES": MAX_REDIRECTS,
        "RETRY_TIMES": MAX_RETRIES,
        "RETRY_HTTP_CODES": sorted(TRANSIENT_HTTP_STATUSES),
        # Only http(s): file://, ftp://, s3:// and data: links must never be fetched.
        "DOWNLOAD_HANDLERS": {"file": None, "s3": None, "ftp": None, "data": None},
        "DOWNLOADER_MIDDLEWARES": {
            "crawler.engine.middlewares.HostSafetyMiddleware": 10,
            "scrapy.downloadermiddlewares.offsite.OffsiteMiddleware": None,
            "scrapy.downloadermiddlewares.robotstxt.RobotsTxtMiddleware": None,
            "crawler.engine.middlewares.StrictRobotsTxtMiddleware": 100,
            "scrapy.downloadermiddlewares.retry.RetryMiddleware": None,
            "crawler.engine.middlewares.BackoffRetryMiddleware": 550,
            # After HttpCompressionMiddleware (590) and redirects (600) in the response
            # direction, before retries (550): every attempt is archived.
            "crawler.engine.middlewares.ArchiveMiddleware": 580,
        },
        "ITEM_PIPELINES": {"crawler.engine.pipelines.LandingZonePipeline": 300},
        "JOBDIR": str(jobdir) if jobdir else None,
        "TELNETCONSOLE_ENABLED": False,
        "LOG_LEVEL": "INFO",
        "LOG_FILE": str(log_file) if log_file else None,
        "LOG_FILE_APPEND": True,
        "COOKIES_ENABLED": False,
        "MEMUSAGE_ENABLED": False,
        "STATS_DUMP": True,
    }
