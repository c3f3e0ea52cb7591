"""The Scrapy machinery every source shares: the base spider, the downloader middlewares
(host safety, strict robots.txt, backoff, WARC archive), the landing-zone item pipeline,
the settings and the per-source state (watermark, hashes)."""
