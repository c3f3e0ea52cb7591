"""Train the CRF NER on ThaiNER 1.5 train: `python -m pipeline.train_ner`.

Reproducible: the corpus, the features and the trainer settings fully determine the model
(L-BFGS is deterministic). `--holdout` trains on 90% of train and scores the other 10%
(the last tenth of the file), which is how the settings below were chosen; test.txt is never used.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import pycrfsuite

from pipeline.ner import MODEL_PATH, O_PENALTY, TAGGED_LABELS, sequence_features
from pipeline.thainer import Example, read_corpus, score
from pipeline.tokenise import segment

DEFAULT_CORPUS = Path(
    os.environ.get("BMA_NEWS_THAINER_DIR", Path(__file__).parents[1] / ".." / "shared" / "data" / "thainer-1.5")
)
# Chosen on the held-out tenth of train (see docs/annotation.md for the figures).
AUGMENT = False
TRAINER_PARAMS = {
    "c1": 0.1,
    "c2": 0.1,
    "max_iterations": 200,
    "feature.possible_transitions": True,
}


def _inference_tokens(example: Example) -> tuple[list[str], list[int]]:
    """The whole line tokenised as at inference, tokens that straddle an entity boundary
    split there."""
    cuts = sorted({x for s, e, _ in example.spans for x in (s, e)})
    words: list[str] = []
    starts: list[int] = []
    pos = 0
    for w in segment(example.text):
        end = pos + len(w)
        inner = [c for c in cuts if pos < c < end]
        for a, b in zip([pos, *inner], [*inner, end], strict=True):
            words.append(example.text[a:b])
            starts.append(a)
        pos = end
    return words, starts


def training_sequence(example: Example, as_inference: bool = False) -> tuple[list[str], list[str]]:
    """Tokens and BIO labels; no entity starts or ends inside a token."""
    if as_inference:
        words, starts = _inference_tokens(example)
        return words, _bio(example, words, starts)
    # Each stretch between entity boundaries is tokenised on its own. (Tokenising the whole
    # line and splitting only the tokens that straddle a boundary matches inference more
    # closely but scored 0.783 micro-F1 on the held-out tenth against 0.826 for this.)
    cuts = sorted({0, len(example.text)} | {x for s, e, _ in example.spans for x in (s, e)})
    words: list[str] = []
    starts: list[int] = []
    for a, b in zip(cuts, cuts[1:], strict=False):
        pos = a
        for w in segment(example.text[a:b]):
            words.append(w)
            starts.append(pos)
            pos += len(w)
    return words, _bio(example, words, starts)


def _bio(example: Example, words: list[str], starts: list[int]) -> list[str]:
    labels = ["O"] * len(words)
    by_start = {s: (e, label) for s, e, label in example.spans if label in TAGGED_LABELS}
    i = 0
    while i < len(words):
        hit = by_start.get(starts[i])
        if hit is None:
            i += 1
            continue
        end, label = hit
        labels[i] = f"B-{label}"
        i += 1
        while i < len(words) and starts[i] < end:
            labels[i] = f"I-{label}"
            i += 1
    return labels


def train(
    examples: list[Example], model_path: Path, params: dict | None = None, augment: bool = AUGMENT
) -> None:
    trainer = pycrfsuite.Trainer(verbose=False)
    for ex in examples:
        words, labels = training_sequence(ex)
        if words:
            trainer.append(sequence_features(words), labels)
        if augment:
            # the line as the tagger will see it too, where that segmentation differs
            other, other_labels = training_sequence(ex, as_inference=True)
            if other and other != words:
                trainer.append(sequence_features(other), other_labels)
    trainer.set_params(params or TRAINER_PARAMS)
    model_path.parent.mkdir(parents=True, exist_ok=True)
    trainer.train(str(model_path))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus-dir", type=Path, default=DEFAULT_CORPUS)
    parser.add_argument("--output", type=Path, default=MODEL_PATH)
    parser.add_argument("--holdout", action="store_true", help="train on 9/10, score the rest")
    parser.add_argument("--c1", type=float, default=TRAINER_PARAMS["c1"])
    parser.add_argument("--c2", type=float, default=TRAINER_PARAMS["c2"])
    parser.add_argument("--augment", action=argparse.BooleanOptionalAction, default=AUGMENT,
                        help="also train on each line segmented as at inference")
    parser.add_argument("--o-penalties", type=lambda v: [float(x) for x in v.split(",")],
                        default=[O_PENALTY], help="holdout: score these O penalties, e.g. 0,0.5,1")
    parser.add_argument("--keep", action="store_true", help="keep the holdout model")
    parser.add_argument("--hybrid", action="store_true",
                        help="holdout: also score the full pipeline (gazetteer and rules)")
    parser.add_argument("--iterations", type=int, default=TRAINER_PARAMS["max_iterations"])
    args = parser.parse_args(argv)
    examples = read_corpus(args.corpus_dir / "train.txt")
    params = dict(TRAINER_PARAMS, c1=args.c1, c2=args.c2, max_iterations=args.iterations)
    t0 = time.time()
    if args.holdout:
        from pipeline.entities import crf_spans_texts

        # The last tenth, as one block: near-duplicate lines sit next to each other in
        # ThaiNER, so every-tenth-line sampling leaks them and flatters memorisation.
        cut = len(examples) - len(examples) // 10
        train_part, held = examples[:cut], examples[cut:]
        out = args.output.with_suffix(f".holdout-{args.c1}-{args.c2}.crfsuite")
        train(train_part, out, params, args.augment)
        from pipeline.evaluate import hybrid_spans
        from pipeline.ner import CrfTagger

        texts = [ex.text for ex in held]
        for penalty in args.o_penalties:
            tagger = CrfTagger(out, o_penalty=penalty)
            for mode in ("crf", "hybrid") if args.hybrid else ("crf",):
                predicted = (crf_spans_texts(texts, tagger) if mode == "crf"
                             else hybrid_spans(texts, tagger))
                table = score([ex.spans for ex in held], predicted).table()
                print(f"O penalty {penalty}, {mode}")
                for label, row in table.items():
                    print(f"  {label:13s} P={row['precision']:.4f} R={row['recall']:.4f} "
                          f"F1={row['f1']:.4f}")
        if not args.keep:
            out.unlink()
    else:
        train(examples, args.output, params, args.augment)
        from pipeline.viterbi import export_weights

        export_weights(args.output)  # the decoder's copy of the weights, next to the model
        size = args.output.stat().st_size
        print(f"wrote {args.output} ({size / 1e6:.1f} MB)")
    print(f"params {params}; {time.time() - t0:.0f}s", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
