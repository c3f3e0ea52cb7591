"""spaCy, imported without its command line.

`import spacy` also imports `spacy.cli` (typer, requests, the download, training and debug
commands) only to offer `spacy.info`: a third of spaCy's import time, 0.15-0.3 s of every
`bma-news enrich` process. Nothing here runs spaCy's CLI. A placeholder stands in for
`spacy.cli.info` while spaCy imports, then goes: `spacy.info` imports the real one on its
first call, and `import spacy.cli` imports the real package.
"""

from __future__ import annotations

import sys
import types
from typing import Any

_CLI_INFO = "spacy.cli.info"


def _info(*args: Any, **kwargs: Any) -> Any:
    from spacy.cli.info import info

    return info(*args, **kwargs)


def _import_spacy() -> types.ModuleType:
    if "spacy" in sys.modules:
        return sys.modules["spacy"]
    placeholder = types.ModuleType(_CLI_INFO)
    placeholder.info = _info  # type: ignore[attr-defined]
    sys.modules.setdefault(_CLI_INFO, placeholder)
    try:
        import spacy
    finally:
        if sys.modules.get(_CLI_INFO) is placeholder:
            del sys.modules[_CLI_INFO]
    return spacy


spacy = _import_spacy()
