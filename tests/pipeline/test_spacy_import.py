"""spaCy without its command line at start-up, and everything of spaCy still there."""

from __future__ import annotations

import subprocess
import sys

PROBE = """
import sys
from pipeline.language import load_nlp
doc = load_nlp()("นายสมชาย ใจดี ผู้อำนวยการเขตบางรัก")
print("cli imported:", "spacy.cli" in sys.modules, "requests" in sys.modules)
print("ents:", len(doc.ents) > 0)
import spacy
print("info:", spacy.info(silent=True)["spacy_version"] == spacy.__version__)
import spacy.cli
from spacy.cli.info import info
print("real cli:", callable(spacy.cli.download) and info is not spacy.info)
"""


def test_enrichment_imports_spacy_without_its_cli_and_the_cli_still_works():
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "cli imported: False False", "ents: True", "info: True", "real cli: True"]
