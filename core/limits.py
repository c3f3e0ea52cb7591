"""Every safety limit of the project, each with the reason it has the value it has.

A limit bounds work or memory on input we do not control (a site, a release, a query).
Tuning knobs that are not safety limits (batch sizes, boosts) stay next to their code.
Limits a user may need to change are also settings (`core.settings`), whose defaults
come from here.
"""

from __future__ import annotations

# --- Lucene / Elasticsearch ------------------------------------------------------------
# Lucene rejects a single term over 32,766 bytes of UTF-8.
LUCENE_MAX_TERM_BYTES = 32_766
# A keyword (a canonical name, a position) is cut to this many characters: at 4 bytes per
# character at most (emoji; Thai is 3), it stays under Lucene's term limit.
MAX_KEYWORD_CHARS = LUCENE_MAX_TERM_BYTES // 4
# Index tokens are cut far below Lucene's limit: no word, name or number anyone searches
# for is longer than this, and a run of 100+ characters without a break is noise.
MAX_INDEX_TOKEN_CHARS = 100
# The index's `max_result_window` (index_mappings/bma-news-v1.json): from + size beyond it
# fails; deeper reading goes through search_after (exports).
MAX_RESULT_WINDOW = 10_000

# --- enrichment ------------------------------------------------------------------------
# Enrichment processes by default: one per core, but no more than this (each holds its own
# model and dictionaries, about 330 MB).
MAX_DEFAULT_ENRICH_WORKERS = 4

# --- crawling --------------------------------------------------------------------------
# A page bigger than this is not a press release; the limit applies to the decompressed
# size too, which stops compression bombs.
MAX_RESPONSE_BYTES = 10 * 1024 * 1024
# More redirects than this is a loop or a trap.
MAX_REDIRECTS = 5
# Three retries with backoff 1-2-4 s (at the default delay) ride out a restarting server.
MAX_RETRIES = 3
# Backoff for 429/5xx never waits longer than this, even when Retry-After asks for more:
# a night's run must finish.
MAX_RETRY_BACKOFF_S = 60.0
# WordPress refuses per_page above 100.
WP_MAX_PER_PAGE = 100
# A sitemap index with more children than this is not WordPress's; stop rather than loop.
MAX_SITEMAPS = 1000
# HTML listings are the last resort; a site with more pages than this is not walked whole.
MAX_LISTING_PAGES = 5000
# Without the REST API a page gives no modification time, so an incremental run re-reads
# landed posts for edits: the newest (highest post ids) first, at most this many a run
# (about 35 minutes at the polite 1 s delay); edits to older ones wait for a backfill.
MAX_RECHECKED_POSTS = 2000
# A charset meta tag sits near the top of a page; looking further finds charset words in text.
META_CHARSET_SCAN_BYTES = 4096

# --- NLP -------------------------------------------------------------------------------
# The tokeniser and CRF are linear in text length, but a record this large is not a press
# release; it is reported instead of holding a worker for minutes.
MAX_BODY_CHARS = 2_000_000
# newmm explores every segmentation of an ambiguous run; nlpo3 never gets more than this
# many characters at once, so even 1 MB without spaces costs bounded work per chunk.
MAX_TOKENISER_CHUNK_CHARS = 1000
# The NER tags one sequence at a time; a paragraph longer than this many tokens is tagged
# in pieces (cut at whitespace where possible) so memory stays bounded.
MAX_SENTENCE_TOKENS = 400
# No real position is longer; it bounds the scans on pathological text without spaces.
MAX_POSITION_CHARS = 120
# The CRF decodes sequences together, padded to the longest; this caps the padded block.
MAX_DECODE_BATCH_TOKENS = 200_000
# Emission rows of distinct words are cached (360 bytes each); a long-running worker that
# has seen more words than this starts over, so memory stays bounded (~110 MB at most).
MAX_CACHED_WORDS = 300_000

# --- loading ---------------------------------------------------------------------------
# Attempts at one bulk request (429/5xx/connection) before the load gives up, pending.
MAX_LOAD_ATTEMPTS = 6
LOAD_BACKOFF_BASE_S = 0.5
LOAD_BACKOFF_CAP_S = 30.0
# One bulk request's documents, in bytes of JSON. Elastic's guidance is 5-15 MB a request;
# the node holds each request on its heap (1 GB locally) and answers 429 once the requests
# being indexed pass `indexing_pressure.memory.limit` (10% of the heap, about 100 MB), so
# a few of these in flight stay far below it. A count limit (`bulk_chunk_size`) applies
# too; by bytes, a batch of long releases cannot grow past what the node takes.
MAX_BULK_BYTES = 8 * 1024 * 1024
# Bulk requests in flight at once (by default one fewer than the node's write threads, a
# request to one shard being indexed by one thread) never exceed this, however many cores
# a cluster has: more would only queue on the node.
MAX_BULK_CONNECTIONS = 4

# --- search ----------------------------------------------------------------------------
# Longer than any real search phrase; it bounds the tokeniser's work and the query size.
MAX_QUERY_CHARS = 500
# One page of results; deeper reading goes through pagination or the export.
MAX_PAGE_SIZE = 100
# Canonical names are keywords; no real name is longer.
MAX_NAME_CHARS = 200
# Each filter value is one `term` clause; a handful is plenty for a person to type.
MAX_FILTER_VALUES = 10
# A terms aggregation this big is still cheap; more is not readable.
MAX_TOP_ENTITIES = 1000
# A name list is a journalist's working list (the people, agencies and places of a story or
# a beat); each name is a few clauses and aggregations, so a list this long answers in a few
# batched requests. More is an error, never a silent cut.
MAX_NAME_LIST = 500
# An uploaded or pasted name list larger than this is not a list of 500 names (500 names of
# MAX_NAME_CHARS Thai characters at 3 bytes each is 300 kB): refused before it is read whole.
MAX_NAME_LIST_BYTES = 1024 * 1024
# A streamed export reads the hits in pages of this many (search_after on a point in time):
# memory is bounded by one page, whatever the number of hits.
EXPORT_PAGE_SIZE = 1000
# How long Elasticsearch keeps the export's point in time between two pages.
EXPORT_KEEP_ALIVE = "2m"
# Curated entities fold spellings into one name; a terms aggregation asks for up to this
# many more buckets than it shows, to refill the slots folding frees (a few hundred
# curations is a large archive's worth; past that some slots may stay short).
MAX_CURATED_FACET_EXTRA = 200
# An export from the web page is a working list, not a dump of the archive.
MAX_WEB_EXPORT = 1000

# --- watches (saved searches) ------------------------------------------------------------
# A watch's name is a label a person types and reads in a feed reader's list.
MAX_WATCH_NAME_CHARS = 100
# Every watch is evaluated against every run's new releases: a few hundred is a newsroom's
# worth; more would make the nightly run's tail grow without bound.
MAX_WATCHES = 500
# A run's new releases are matched against a watch this many ids at a time (one `ids`
# clause each), so a backfill of 100k releases never sends one enormous request.
WATCH_IDS_PER_QUERY = 1000
# A feed carries the newest entries; feed readers keep what they have already seen.
MAX_FEED_ENTRIES = 100
# The watch list page shows this many of each watch's latest matches.
MAX_WATCH_PAGE_MATCHES = 10
# --- operators' status -----------------------------------------------------------------
# The status page must answer while a node or the Prefect server is away: each is asked
# once, with no retry, and given this long before it counts as down.
HEALTH_TIMEOUT_S = 3.0
# Runs and dead letters the status lists: a screen's worth; the counts cover them all.
MAX_STATUS_RUNS = 100
MAX_STATUS_DEAD_LETTERS = 500
