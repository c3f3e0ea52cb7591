"""Check evals/ner-bma/releases.jsonl without running the NER: the format, and that every gold
name, form, alias and position occurs in its release's text. Prints counts; exit 1 on problems.

    .venv/bin/python evals/ner-bma/check.py [PATH]
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from core.errors import InputError  # noqa: E402
from pipeline.evaluate_bma import check_release, read_releases  # noqa: E402


def main(argv: list[str]) -> int:
    try:
        releases = read_releases(Path(argv[0]) if argv else None)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    problems = [p for r in releases for p in check_release(r)]
    for problem in problems:
        print(problem)
    splits = Counter(r.split for r in releases)
    labels = Counter(g.label for r in releases for g in r.gold)
    positions = sum(1 for r in releases for g in r.gold if g.position)
    print(f"{len(releases)} releases (dev {splits['dev']}, holdout {splits['holdout']}); "
          f"PERSON {labels['PERSON']} ({positions} with a position), ORG {labels['ORG']}, "
          f"LOC {labels['LOC']}; {len(problems)} problems")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
