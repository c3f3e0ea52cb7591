"""The `bma-news` command groups, one module each; each exposes `register(app)`.

Heavy dependencies (Scrapy, spaCy, Prefect, Elasticsearch) are imported inside the
commands, so `bma-news --help` stays quick.
"""

COMMAND_MODULES = ("es", "prefect", "crawl", "nlp", "flows", "search", "curate", "watch", "status", "web")
