"""Fast CRF decoding with the weights of a crfsuite model.

Every feature of `pipeline.ner` is an indicator of one word at a fixed offset (plus word
bigrams and BOS/EOS), so a token's emission scores are a sum of per-word vectors that we
compute once per distinct word. Viterbi then runs over many sequences at once in numpy.
The labels are the ones crfsuite's own Viterbi gives (tests compare them).
"""

from __future__ import annotations

import contextlib
import hashlib
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pycrfsuite

from core.limits import MAX_CACHED_WORDS
from core.limits import MAX_DECODE_BATCH_TOKENS as MAX_BATCH_TOKENS


def _model_digest(model_path: Path) -> str:
    return hashlib.sha1(model_path.read_bytes()).hexdigest()


def weights_path(model_path: Path) -> Path:
    return model_path.with_suffix(".weights.npz")


def export_weights(model_path: Path) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Read a crfsuite model's weights (slow: crfsuite dumps them as text) and save them
    next to the model, tagged with the model's digest."""
    tagger = pycrfsuite.Tagger()
    tagger.open(str(model_path))
    info = tagger.info()
    labels = list(tagger.labels())
    index = {label: i for i, label in enumerate(labels)}
    rows: dict[str, np.ndarray] = {}
    for (attr, label), weight in info.state_features.items():
        vec = rows.get(attr)
        if vec is None:
            vec = rows[attr] = np.zeros(len(labels))
        vec[index[label]] += weight
    attrs = list(rows)
    weights = np.vstack([np.zeros(len(labels)), *rows.values()])
    transitions = np.zeros((len(labels), len(labels)))
    for (a, b), weight in info.transitions.items():
        transitions[index[a], index[b]] = weight
    # a read-only install still works, only slower to start
    with contextlib.suppress(OSError):
        np.savez_compressed(
            weights_path(model_path), digest=np.array(_model_digest(model_path)),
            labels=np.array(labels), attrs=np.array(attrs), weights=weights,
            transitions=transitions,
        )
    return labels, attrs, weights, transitions


def load_weights(model_path: Path) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    cache = weights_path(model_path)
    if cache.exists():
        data = np.load(cache)
        if str(data["digest"]) == _model_digest(model_path):
            return (data["labels"].tolist(), data["attrs"].tolist(), data["weights"],
                    data["transitions"])
    return export_weights(model_path)


class CompiledCrf:
    def __init__(
        self,
        model_path: Path,
        window: tuple[int, ...],
        word_features: Callable[[str], list[str]],
        context_offsets: Callable[[str], tuple[int, ...]],
        o_penalty: float = 0.0,
    ) -> None:
        labels, attrs, weights, transitions = load_weights(model_path)
        self.labels = labels
        n = len(labels)
        self._attr = {attr: weights[i] for i, attr in enumerate(attrs, 1)}
        # row 0 is all zeros: the id of every attribute the model does not know
        self._attr_id = {attr: i for i, attr in enumerate(attrs, 1)}
        self._weights = weights
        self.transitions = transitions
        # subtracted from the O label's score at every token: trades precision for recall
        self.o_penalty = o_penalty
        self._o_index = labels.index("O") if "O" in labels else None
        self._zero = np.zeros(n)
        self._bos = self._attr.get("BOS", self._zero)
        self._eos = self._attr.get("EOS", self._zero)
        self._window = window
        self._offsets = (0, *window)
        self._word_features = word_features
        self._context_offsets = context_offsets
        # a feature's contributions as the word's own and as each neighbour's (F, offsets, L)
        self._feature_ids: dict[str, int] = {}
        self._feature_table = np.zeros((1, len(self._offsets), n))
        self._word_ids: dict[str, int] = {}
        self._used_rows = 1  # row 0 stays zero
        self._table = np.zeros((4096, len(self._offsets), n))
        self._bigram_minus = {a[4:]: v for a, v in self._attr.items() if a.startswith("bi-=")}
        self._bigram_plus = {a[4:]: v for a, v in self._attr.items() if a.startswith("bi+=")}

    def _forget_words(self) -> None:
        self._word_ids = {}
        self._used_rows = 1
        self._feature_ids = {}
        self._feature_table = self._feature_table[:1]

    def _add_words(self, words: set[str]) -> None:
        """Compute the emission rows of unseen words, all in a few numpy operations."""
        feature_ids = self._feature_ids
        attr_id = self._attr_id.get
        slot = {k: i for i, k in enumerate(self._offsets)}
        new_features: list[list[int]] = []
        word_features: list[list[int]] = []
        for word in words:
            ids = []
            for f in self._word_features(word):
                fid = feature_ids.get(f)
                if fid is None:
                    fid = feature_ids[f] = len(self._feature_table) + len(new_features)
                    row = [0] * len(self._offsets)
                    row[0] = attr_id(f, 0)
                    for k in self._context_offsets(f):
                        row[slot[k]] = attr_id(f"{k}:{f}", 0)
                    new_features.append(row)
                ids.append(fid)
            word_features.append(ids)
        if new_features:
            # (new, offsets, labels): each offset's row of the weights
            self._feature_table = np.concatenate(
                [self._feature_table, self._weights[np.array(new_features)]]
            )
        flat = [fid for ids in word_features for fid in ids]
        bounds = np.cumsum([0] + [len(ids) for ids in word_features[:-1]])
        rows = np.add.reduceat(self._feature_table[flat], bounds)  # every word has features
        first = self._used_rows
        need = first + len(word_features)
        if need > len(self._table):
            grown = np.zeros((max(need, 2 * len(self._table)), *self._table.shape[1:]))
            grown[: len(self._table)] = self._table
            self._table = grown
        self._table[first:need] = rows
        for i, word in enumerate(words, first):
            self._word_ids[word] = i
        self._used_rows = need

    def _batch_emissions(self, seqs: list[list[str]]) -> tuple[np.ndarray, np.ndarray]:
        """Emission scores of all sequences in one array: each sequence is preceded and
        followed by `pad` zero rows (row 0 of the word table), so one shifted sum adds
        every neighbour's contribution without crossing into the next sequence."""
        known = self._word_ids
        pad = max(abs(k) for k in self._window)
        ids: list[int] = []
        starts: list[int] = []
        for seq in seqs:
            ids.extend([0] * pad)
            starts.append(len(ids))
            ids.extend([known[w] for w in seq])
        ids.extend([0] * pad)
        rows = self._table[ids]
        emit = rows[:, 0].copy()
        for slot, k in enumerate(self._window, 1):
            if k < 0:
                emit[-k:] += rows[:k, slot]
            else:
                emit[:-k] += rows[k:, slot]
        first = np.array(starts)
        emit[first] += self._bos
        emit[first + np.array([len(s) for s in seqs]) - 1] += self._eos
        if self.o_penalty and self._o_index is not None:
            emit[:, self._o_index] -= self.o_penalty
        bm, bp = self._bigram_minus, self._bigram_plus
        for start, seq in zip(starts, seqs, strict=True):
            keys = [f"{a}|{b}" for a, b in zip(seq, seq[1:], strict=False)]
            for i, v in enumerate(map(bm.get, keys), start + 1):
                if v is not None:
                    emit[i] += v
            for i, v in enumerate(map(bp.get, keys), start):
                if v is not None:
                    emit[i] += v
        return emit, first

    def tag_many(self, sequences: list[list[str]]) -> list[list[str]]:
        """Viterbi labels for each non-empty token sequence."""
        if self._used_rows > MAX_CACHED_WORDS:
            self._forget_words()
        known = self._word_ids
        unseen = {w for seq in sequences for w in seq if w not in known}
        if unseen:
            self._add_words(unseen)
        out: list[list[str]] = [[] for _ in sequences]
        order = sorted(range(len(sequences)), key=lambda i: len(sequences[i]))
        batch: list[int] = []
        longest = 0
        for i in order:
            n = len(sequences[i])
            if n == 0:
                continue
            if batch and max(longest, n) * (len(batch) + 1) > MAX_BATCH_TOKENS:
                self._decode(sequences, batch, out)
                batch, longest = [], 0
            batch.append(i)
            longest = max(longest, n)
        if batch:
            self._decode(sequences, batch, out)
        return out

    def _decode(self, sequences, batch: list[int], out: list[list[str]]) -> None:
        batch = sorted(batch, key=lambda i: -len(sequences[i]))
        lengths = np.array([len(sequences[i]) for i in batch])
        T, B, L = int(lengths.max()), len(batch), len(self.labels)
        flat, starts = self._batch_emissions([sequences[i] for i in batch])
        steps = np.arange(T)
        where = np.where(steps[None, :] < lengths[:, None], starts[:, None] + steps[None, :], 0)
        emit = flat[where]  # (B, T, L); positions past a sequence's end are never used
        back = np.zeros((B, T, L), dtype=np.int16)
        delta = emit[:, 0].copy()
        trans = self.transitions[None]
        # sequences are sorted by length, so the active ones at step t are a prefix
        active_until = np.searchsorted(-lengths, -np.arange(T), side="left")
        for t in range(1, T):
            m = int(active_until[t])
            cand = delta[:m, :, None] + trans  # (m, from, to)
            back[:m, t] = cand.argmax(1)
            delta[:m] = cand.max(1) + emit[:m, t]
        last = delta.argmax(1)
        labels = self.labels
        for b, i in enumerate(batch):
            n = int(lengths[b])
            path = [0] * n
            y = int(last[b])
            path[n - 1] = y
            back_b = back[b]
            for t in range(n - 1, 0, -1):
                y = int(back_b[t, y])
                path[t - 1] = y
            out[i] = [labels[y] for y in path]
