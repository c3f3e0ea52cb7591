"""The ground floor: what every part of bma-news shares, importing nothing else of ours.

settings (the one `BMA_NEWS_*` settings object), errors (transient, permanent, duplicate;
exit codes), limits (every safety limit with its reason), records (the contracts as types),
thai_calendar (months, digits, eras, Bangkok's time zone), landing (the landing zone's
paths, run ids, dead letters, JSONL), es (the Elasticsearch client and the local node).
"""
