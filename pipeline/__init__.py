"""Thai text processing: normalise, tokenise, entities, officials; then load."""

from __future__ import annotations

import hashlib
from pathlib import Path

# The modules whose code decides what `enrich` outputs (not loading, CLI or training).
_ENRICHMENT_MODULES = ("normalise", "tokenise", "lexicon", "gazetteer", "ner", "viterbi",
                       "entities", "dates", "officials", "nlp", "enrich")


def _enrichment_version() -> str:
    """Changes whenever the model, the domain data or the rules (this package's code) do."""
    here = Path(__file__).parent
    digest = hashlib.sha1()
    rules = [here / f"{name}.py" for name in _ENRICHMENT_MODULES]
    files = sorted([*rules, *here.glob("data/*"), *here.glob("models/*.crfsuite")])
    for path in files:
        if not path.is_file():
            continue
        digest.update(path.name.encode())
        digest.update(path.read_bytes())
    return f"1.{digest.hexdigest()[:12]}"


def __getattr__(name: str) -> str:
    # Computed on first use, not at import: it hashes the 3 MB model, and most importers
    # (the CLI's --help, the web app's tokeniser, enrichment workers) never ask for it.
    if name == "ENRICHMENT_VERSION":
        value = _enrichment_version()
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
