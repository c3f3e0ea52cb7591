"""Thai text processing: a raw record becomes an enriched, indexable one.

The steps, in the order they run (`pipeline.language` assembles them as a spaCy Language):

    normalise   NFC, Thai mark repairs, spaces, with a map back to the original offsets
    tokenise    newmm (nlpo3) with the BMA dictionary; the same tokens serve search
    gazetteer   places (geothai) and BMA agencies (the registry) matched on token bounds
    ner         the CRF trained on ThaiNER 1.5 (`viterbi` decodes it)
    entities    CRF + gazetteer + rules, canonical names, offsets back into the original
    officials   each person with the position written next to the name

Around them: `enrich` (records in, EnrichedRecord/Rejected out), `batch` (a raw file to
its enriched file to the loader, with counts and dead letters), `load` (Elasticsearch).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

STEPS = ("normalise", "tokenise", "gazetteer", "ner", "entities", "officials")

_HERE = Path(__file__).parent
# The modules that decide what `enrich` outputs (not loading, batching, training or scoring).
_ENRICHMENT_MODULES = (*STEPS, "analysis", "lexicon", "viterbi", "language", "enrich", "rules",
                       "roles")


def _enrichment_version() -> str:
    """Changes whenever the model, the domain data or the rules (their code) do."""
    import core.thai_calendar  # DATE entities

    code = [_HERE / f"{name}.py" for name in _ENRICHMENT_MODULES]
    code.append(Path(core.thai_calendar.__file__))
    digest = hashlib.sha1()
    files = sorted([*code, *_HERE.glob("data/*"), *_HERE.glob("models/*.crfsuite")])
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
