"""The statistical NER: a CRF (python-crfsuite) over newmm tokens.

Features are computed once per distinct word and cached, so tagging a token costs a few
list concatenations in Python and the Viterbi search in C.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

import pycrfsuite

from core.thai_calendar import MONTH_WORDS, TO_ARABIC_DIGITS
from pipeline.lexicon import ORG_HEADS, PLACE_PREFIXES, lexicon

MODEL_PATH = Path(__file__).parent / "models" / "thainer-crf.crfsuite"
TAGGED_LABELS = ("PERSON", "ORGANIZATION", "LOCATION", "DATE")
# ±3 context and an out-of-vocabulary flag did not help on the held-out tenth of train.
WINDOW = (-2, -1, 1, 2)
# The CRF is more precise than it recalls (0.86 vs 0.75 on held-out train). Lowering the O
# label's score per token would trade one for the other, but every penalty tried on the
# held-out last tenth of train (0.25 to 1.5) lowered micro-F1, so none is applied.
O_PENALTY = 0.0
_PLACE_PREFIX_WORDS = frozenset(p for p, _ in PLACE_PREFIXES)


def _shape(word: str) -> str:
    kinds = []
    for ch in word[:8]:
        if ch.isdigit():  # Thai digits too
            k = "D"
        elif "\u0e00" <= ch <= "\u0e7f":
            k = "T"
        elif ch.isalpha():
            k = "U" if ch.isupper() else "L"
        elif ch.isspace():
            k = "S"
        else:
            k = ch
        if not kinds or kinds[-1] != k:
            kinds.append(k)
    return "".join(kinds)


@lru_cache(maxsize=1)
def _word_sets() -> dict[str, frozenset[str]]:
    from pythainlp.corpus import thai_words

    lex = lexicon()
    return {
        "title": frozenset(lex.titles),
        "pos": frozenset(lex.positions),
        "agency": frozenset(lex.agencies),
        "prov": lex.provinces | {f"จังหวัด{p}" for p in lex.provinces},
        "country": lex.countries,
        "bkk": frozenset(f"เขต{d}" for d in lex.bangkok_districts)
        | frozenset(f"แขวง{s}" for s in lex.bangkok_subdistricts),
        "given": lex.given_names,
        "family": lex.family_names,
        "dict": frozenset(thai_words()),
        "month": MONTH_WORDS,
        "placepre": _PLACE_PREFIX_WORDS,
    }


def word_features(word: str) -> list[str]:
    """Features of one word on its own (no context)."""
    sets = _word_sets()
    # ThaiNER writes numbers with Arabic digits; releases often use Thai ones (๒๕๖๗).
    lw = word.lower().translate(TO_ARABIC_DIGITS)
    feats = [f"w={lw}", f"sh={_shape(word)}"]
    if word.isspace():
        feats.append("space" if "\n" not in word else "nl")
        return feats
    n = len(word)
    feats += [f"p1={lw[:1]}", f"p2={lw[:2]}", f"p3={lw[:3]}", f"s1={lw[-1:]}",
              f"s2={lw[-2:]}", f"s3={lw[-3:]}", f"len={min(n, 8)}"]
    if word.endswith(".") and n > 1:
        feats.append("abbr")
    for name, words in sets.items():
        if word in words:
            feats.append(name)
    if n > 3:
        if word.startswith(ORG_HEADS):  # one C call for the common case: no head
            head = next(h for h in ORG_HEADS if word.startswith(h))
            feats.append("orghead" if n == len(head) else "orgstart")
        titles = sets["title"]
        if word.startswith(_title_prefixes()) and any(word[:i] in titles for i in range(2, n)):
            feats.append("titlestart")  # a title (2+ chars) glued to more text
    return feats


@lru_cache(maxsize=1)
def _title_prefixes() -> tuple[str, ...]:
    return tuple(t for t in lexicon().titles if len(t) > 1)


_CONTEXT_KEEP = ("w=", "sh=", "title", "pos", "agency", "prov", "country", "bkk", "given",
                 "family", "dict", "month", "placepre", "orghead", "orgstart", "space", "nl",
                 "abbr", "s2=", "p2=", "titlestart")



# ±2 neighbours without shape and affixes: 0.8140 vs 0.8110 micro-F1 on held-out train
_NOT_FAR = ("sh=", "s2=", "p2=")


def context_offsets(feature: str) -> tuple[int, ...]:
    """The offsets at which a word's feature is also a feature of a neighbour."""
    if not feature.startswith(_CONTEXT_KEEP):
        return ()
    if feature.startswith(_NOT_FAR):
        return tuple(k for k in WINDOW if abs(k) == 1)
    return WINDOW


@lru_cache(maxsize=200_000)
def _cached(word: str) -> tuple[list[str], dict[int, list[str]]]:
    own = word_features(word)
    ctx: dict[int, list[str]] = {k: [] for k in WINDOW}
    for f in own:
        for k in context_offsets(f):
            ctx[k].append(f"{k}:{f}")
    return own, ctx


def sequence_features(words: list[str]) -> list[list[str]]:
    """Features of each token with its ±2 neighbours and word bigrams."""
    n = len(words)
    cached = [_cached(w) for w in words]
    out: list[list[str]] = []
    for i in range(n):
        feats = list(cached[i][0])
        if i == 0:
            feats.append("BOS")
        if i == n - 1:
            feats.append("EOS")
        for k in WINDOW:
            j = i + k
            if 0 <= j < n:
                feats.extend(cached[j][1][k])
        if i > 0:
            feats.append(f"bi-={words[i - 1]}|{words[i]}")
        if i + 1 < n:
            feats.append(f"bi+={words[i]}|{words[i + 1]}")
        out.append(feats)
    return out


def decode(words: list[str], labels: list[str], offset: int = 0) -> list[tuple[int, int, str]]:
    """BIO labels -> (start, end, label) character spans, whitespace trimmed at the edges."""
    spans: list[tuple[int, int, str]] = []
    pos = offset
    cur: list[int | str] | None = None  # [start, end, label]
    for word, tag in zip(words, labels, strict=True):
        end = pos + len(word)
        if tag == "O" or word.isspace() and tag.startswith("B-"):
            if cur is not None:
                spans.append((cur[0], cur[1], cur[2]))  # type: ignore[arg-type]
                cur = None
        else:
            kind, label = tag[0], tag[2:]
            if kind == "B" or cur is None or cur[2] != label:
                if cur is not None:
                    spans.append((cur[0], cur[1], cur[2]))  # type: ignore[arg-type]
                cur = [pos, end, label]
            elif not word.isspace():
                cur[1] = end
        pos = end
    if cur is not None:
        spans.append((cur[0], cur[1], cur[2]))  # type: ignore[arg-type]
    return spans


class CrfTagger:
    """Loads the committed CRF once. `tag_many` decodes with the compiled weights
    (pipeline.viterbi); `tag_crfsuite` is crfsuite's own decoder, kept as the reference."""

    def __init__(self, model_path: Path = MODEL_PATH, o_penalty: float | None = None) -> None:
        from pipeline.viterbi import CompiledCrf

        if not model_path.exists():
            raise FileNotFoundError(
                f"NER model {model_path} is missing; train it with `python -m pipeline.train_ner`"
            )
        self._model_path = model_path
        self._tagger: pycrfsuite.Tagger | None = None
        self._compiled = CompiledCrf(
            model_path, WINDOW, word_features, context_offsets,
            O_PENALTY if o_penalty is None else o_penalty,
        )

    def tag_crfsuite(self, words: list[str]) -> list[str]:
        if not words:
            return []
        if self._tagger is None:
            self._tagger = pycrfsuite.Tagger()
            self._tagger.open(str(self._model_path))
        return self._tagger.tag(sequence_features(words))

    def tag(self, words: list[str]) -> list[str]:
        return self.tag_many([words])[0]

    def tag_many(self, sequences: list[list[str]]) -> list[list[str]]:
        return self._compiled.tag_many(sequences)


@lru_cache(maxsize=1)
def default_tagger() -> CrfTagger:
    return CrfTagger()
