"""The `bma-news` command groups, one module each; each exposes `register(app)`.

Heavy dependencies (Scrapy, spaCy, Prefect, Elasticsearch) are imported inside the
commands, so `bma-news --help` stays quick.
"""

COMMAND_MODULES = ("es", "prefect", "crawl", "nlp", "flows", "search", "curate", "watch", "status", "web")

# The top-level commands each module registers, so that running one command imports only
# its own module (`enrich` never imports the crawler's sources or pydantic-settings). A
# module missing here is imported for every command; tests/test_cli_dispatch.py fails
# when a module registers other names than these.
COMMANDS_BY_MODULE = {
    "es": ("es",),
    "prefect": ("prefect",),
    "crawl": ("crawl",),
    "nlp": ("enrich", "eval-ner", "train-ner"),
    "flows": ("run", "nightly", "backfill", "rebuild", "reprocess", "deploy"),
    "search": ("search", "eval-search"),
    "curate": ("entities",),
    "watch": ("watch",),
    "status": ("status", "dead-letters"),
    "web": ("serve",),
}


def modules_for(argv: list[str]) -> tuple[str, ...]:
    """The command modules to import for a command line (`sys.argv[1:]`): the one owning
    the command named first, with every module not in COMMANDS_BY_MODULE; all of them for
    `--help`, no command, or a name no module owns (so the usage error lists them all)."""
    command = argv[0] if argv else None
    owner = next((m for m, names in COMMANDS_BY_MODULE.items() if command in names), None)
    if owner is None:
        return COMMAND_MODULES
    return tuple(m for m in COMMAND_MODULES if m == owner or m not in COMMANDS_BY_MODULE)
