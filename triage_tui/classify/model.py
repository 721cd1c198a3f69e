"""The trained base model: built from the shipped corpus, calibrated, cached on disk.

Building = featurise the corpus, fit a logistic regression, and fit Platt calibration on
*out-of-fold* scores from contiguous-block cross-validation (blocks of the corpus file are whole
domains, so the calibration is learnt on text unlike what the fold was trained on, which keeps
it honest for phrasing the corpus never saw). The result is a small JSON-able table of weights.
"""

from __future__ import annotations

import contextlib
import json
import math
import os
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from . import lexicon as lx
from . import logreg
from .features import featurize, phrase_cues
from .text import Speller, clean, raw_tokens, tokenize

CODE_VERSION = 1
"""Bumped by hand for changes the source hash cannot see (there should be none)."""

EPOCHS = 30
RATE = 0.4
L2 = 3e-3
CV_FOLDS = 5
_CACHE_PREFIX = "classifier-"
QUIET_FEATURES = ("k:TOOL", "k:SOCIAL", "v1:none")


@dataclass(slots=True)
class Model:
    """Weights per named feature, a bias, Platt's (a, b), and the corpus statistics."""

    weights: dict[str, float]
    bias: float
    platt: tuple[float, float]
    vocabulary: dict[str, int]
    doc_freq: dict[str, int]
    n_docs: int
    key: str = ""
    prior: float = 0.0
    """Log-odds of ops in the corpus: the answer when a line says nothing familiar."""
    _speller: Speller | None = field(default=None, repr=False)
    _quiet: frozenset[str] | None = field(default=None, repr=False)

    @property
    def quiet(self) -> frozenset[str]:
        """Features that count in the score but make poor reasons ("names a tool")."""
        if self._quiet is None:
            self._quiet = frozenset(f for f in self.weights if f.startswith(QUIET_FEATURES))
        return self._quiet

    @property
    def speller(self) -> Speller:
        """The typo corrector over the corpus vocabulary (built on first use)."""
        if self._speller is None:
            self._speller = Speller(self.vocabulary)
        return self._speller

    def features(self, text: str) -> tuple[list[str], list[tuple[str, str, str]]]:
        """The features of one (already cleaned) line, and its tokens for the reasons."""
        tokens = tokenize(text, self.speller)
        return featurize(tokens, phrase_cues(text)), tokens

    def tokens(self, text: str) -> list[tuple[str, str, str]]:
        """The tokens of one (already cleaned) line, spell-corrected against the corpus."""
        return tokenize(text, self.speller)

    def raw_score(self, feats: Sequence[str]) -> float:
        """Uncalibrated log-odds of ops."""
        return self.weigh(feats)[0]

    def weigh(self, feats: Sequence[str]) -> tuple[float, list[tuple[float, str]]]:
        """Uncalibrated log-odds of ops, and (weight, feature) for every known feature.

        Unknown features still count in the length normalisation, as in training: a line of
        mostly unfamiliar words gets a milder score.
        """
        get = self.weights.get
        known = []
        total = 0.0
        for f in feats:
            w = get(f)
            if w is not None:
                total += w
                known.append((w, f))
        if not feats:
            return self.bias, known
        return self.bias + total / math.sqrt(len(feats)), known

    def probability(self, raw: float, known: Iterable[tuple[float, str]], user: float) -> float:
        """Calibrated P(ops): Platt on the raw score, pulled to the corpus prior when the line
        holds too little familiar content to judge, plus the user's corrections' log-odds."""
        a, b = self.platt
        factor = evidence_factor(f for _, f in known)
        z = factor * (a * raw + b) + (1.0 - factor) * self.prior
        return logreg.sigmoid(z + user)

    def to_json(self) -> dict:
        return {
            "key": self.key, "weights": self.weights, "bias": self.bias,
            "platt": list(self.platt), "vocabulary": self.vocabulary,
            "doc_freq": self.doc_freq, "n_docs": self.n_docs, "prior": self.prior,
        }

    @classmethod
    def from_json(cls, data: dict) -> Model:
        """Rebuild from `to_json` output; raises (KeyError, TypeError, ValueError) if damaged."""
        weights = {str(k): float(v) for k, v in data["weights"].items()}
        a, b = (float(x) for x in data["platt"])
        return cls(
            weights, float(data["bias"]), (a, b),
            {str(k): int(v) for k, v in data["vocabulary"].items()},
            {str(k): int(v) for k, v in data["doc_freq"].items()},
            int(data["n_docs"]), str(data["key"]), float(data["prior"]),
        )


def evidence_factor(known: Iterable[str]) -> float:
    """How much of a score to believe: 0 with no familiar content, 1 with two or more pieces.

    "Names no action" is known for many lines; on its own it is a prior, not evidence, and
    "zxqv blorf" must not come out 80% sure.
    """
    content = 0
    for feature in known:
        if not feature.startswith(_PRIOR_ONLY):
            content += 1
            if content >= 2:
                return 1.0
    return content / 2


_PRIOR_ONLY = ("v1:none",)


# -- the corpus --------------------------------------------------------------------------------

def corpus_path() -> Path:
    """The shipped corpus: `sample_data/` at the top of a checkout, or inside the package."""
    here = Path(__file__).resolve().parent
    for candidate in (here.parent.parent / "sample_data", here.parent / "sample_data"):
        path = candidate / "corpus.jsonl"
        if path.is_file():
            return path
    raise FileNotFoundError("sample_data/corpus.jsonl not found next to triage_tui")


def read_examples(path: Path) -> list[tuple[str, str]]:
    """(text, lane) pairs from a JSONL file; lines that are not a task/ops example are skipped."""
    out = []
    with path.open(encoding="utf-8") as handle:
        for line in handle:
            try:
                row = json.loads(line)
            except ValueError:
                continue
            if isinstance(row, dict) and row.get("lane") in ("task", "ops") and row.get("text"):
                out.append((str(row["text"]), row["lane"]))
    return out


def model_key(corpus_bytes: bytes) -> str:
    """Changes whenever the corpus, this package's source, or the Python version changes.

    CRC-32 and Adler-32 over every byte (64 bits together): a cache key against accidental
    change, not a defence against forgery, and `zlib` loads in a fraction of the time
    `hashlib` (OpenSSL) does at every start of the CLI.
    """
    import sys
    import zlib

    crc, adler = zlib.crc32(corpus_bytes), zlib.adler32(corpus_bytes)
    for source in sorted(Path(__file__).resolve().parent.glob("*.py")):
        for chunk in (source.name.encode(), source.read_bytes()):
            crc, adler = zlib.crc32(chunk, crc), zlib.adler32(chunk, adler)
    tag = f"{CODE_VERSION}/{sys.version_info[:2]}".encode()
    crc, adler = zlib.crc32(tag, crc), zlib.adler32(tag, adler)
    return f"{crc:08x}{adler:08x}{len(corpus_bytes):x}"


# -- building ----------------------------------------------------------------------------------

def vocabulary(texts: Iterable[str]) -> dict[str, int]:
    """Known words for the speller: lexicon words, and corpus words that are not typos.

    A corpus word seen once that is one edit from a more common known word ("stratgy") is a
    typo, not vocabulary; keeping it would stop the speller from ever correcting it.
    """
    counts: Counter[str] = Counter()
    for text in texts:
        counts.update(w for w in raw_tokens(clean(text)) if w.isalpha())
    known: dict[str, int] = {}
    for words in (*lx.TASK_VERBS.values(), *lx.OPS_VERBS.values(), *lx.NOUN_CLASSES.values(),
                  lx.AMBIGUOUS_VERBS, lx.IMPROVE_PURPOSE, lx.PROBLEM_WORDS, lx.SCOPE_ALL):
        for word in words:
            for part in word.split("-"):
                known[part] = known.get(part, 0) + 1
    for word, count in counts.items():
        if count >= 2 or word in known:
            known[word] = known.get(word, 0) + count
    speller = Speller(known)
    for word, count in counts.items():
        if word not in known and speller.correct(word) == word:
            known[word] = count
    return known


def build(examples: Sequence[tuple[str, str]], key: str = "") -> Model:
    """Train and calibrate a model on (text, lane) examples."""
    from triage_tui.gcpause import paused_gc

    with paused_gc():  # many small containers, no cycles
        return _build(examples, key)


def _build(examples: Sequence[tuple[str, str]], key: str) -> Model:
    texts = [text for text, _ in examples]
    labels = [1 if lane == "ops" else 0 for _, lane in examples]
    seed = Model({}, 0.0, (1.0, 0.0), vocabulary(texts), {}, len(texts), key)
    featurised = [seed.features(clean(text)) for text in texts]
    feats = [row for row, _ in featurised]
    tokens = [toks for _, toks in featurised]
    oof = _out_of_fold_scores(feats, labels)
    index: dict[str, int] = {}
    rows = [[index.setdefault(f, len(index)) for f in row] for row in feats]
    weights, bias = logreg.train(rows, labels, len(index), epochs=EPOCHS, rate=RATE, l2=L2)
    names = list(index)
    seed.weights = {names[j]: round(w, 6) for j, w in enumerate(weights) if abs(w) > 1e-6}
    seed.bias = bias
    seed.platt = logreg.fit_platt(oof, labels)
    seed.doc_freq = _doc_freq(tokens)
    ops = sum(labels)
    seed.prior = math.log((ops + 1) / (len(labels) - ops + 1))
    return seed


def _out_of_fold_scores(feats: list[list[str]], labels: list[int]) -> list[float]:
    scores = [0.0] * len(feats)
    for fold in logreg.folds(len(feats), CV_FOLDS, contiguous=True):
        held = set(fold)
        index: dict[str, int] = {}
        train_ids = [i for i in range(len(feats)) if i not in held]
        rows = [[index.setdefault(f, len(index)) for f in feats[i]] for i in train_ids]
        weights, bias = logreg.train(rows, [labels[i] for i in train_ids], len(index),
                                     epochs=EPOCHS, rate=RATE, l2=L2)
        for i in fold:
            known = [index[f] for f in feats[i] if f in index]
            scores[i] = logreg.score(known, weights, bias, len(feats[i]))
    return scores


def _doc_freq(tokenised: Iterable[list[tuple[str, str, str]]]) -> dict[str, int]:
    """In how many corpus items each memory term occurs (rare terms weigh more)."""
    from .memory import terms  # the memory layer defines what a term is

    counts: Counter[str] = Counter()
    for tokens in tokenised:
        counts.update(set(terms(tokens)))
    return dict(counts)


# -- the disk cache ----------------------------------------------------------------------------

def load_cached(cache_dir: Path, key: str) -> Model | None:
    """The cached model for `key`, or None if missing, stale or unreadable (never raises)."""
    import orjson  # a third of json's time on this 150 kB file, at every CLI start

    path = cache_dir / f"{_CACHE_PREFIX}{key}.json"
    try:
        model = Model.from_json(orjson.loads(path.read_bytes()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    return model if model.key == key else None


def save_cached(cache_dir: Path, model: Model) -> None:
    """Write atomically (temp file + rename) and drop stale models; failures are ignored."""
    import tempfile

    with contextlib.suppress(OSError):  # a cache: the model is built again next time
        cache_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=".classifier-", suffix=".tmp", dir=cache_dir)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as handle:
                json.dump(model.to_json(), handle, separators=(",", ":"))
            os.replace(tmp, cache_dir / f"{_CACHE_PREFIX}{model.key}.json")
        finally:
            if os.path.exists(tmp):
                os.unlink(tmp)
        _drop_stale(cache_dir, model.key)


def _drop_stale(cache_dir: Path, key: str) -> None:
    # Models for other keys older than a day: another checkout sharing the folder keeps its own.
    import time

    keep = {f"{_CACHE_PREFIX}{key}.json", f"vectors-{key}.json"}
    horizon = time.time() - 86_400
    for pattern in (f"{_CACHE_PREFIX}*.json", "vectors-*.json"):
        for stale in cache_dir.glob(pattern):
            if stale.name not in keep and stale.stat().st_mtime < horizon:
                stale.unlink(missing_ok=True)
