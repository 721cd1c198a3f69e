"""The user's own corrections: every manual re-tag, remembered and used at once.

The base model is trained once; corrections must count immediately and strongly, with no
retraining. So they live beside it as a nearest-neighbour memory: each corrected item is a
sparse vector of its content words, weighted by how rare the word is in the shipped corpus
(a word the corpus never used, like "hive" or "varroa", weighs most; "send" or "client" weigh
little, because the base model already knows them). A new item's most similar corrections add
log-odds toward their lanes, in proportion to the square of their similarity: one near-copy of a
correction, or a handful of items sharing its unusual words, is enough to turn a suggestion.

Only `task` and `ops` corrections are kept. A `keep` re-tag says "the owner does this", not
whether the work is execution or operations, so it is no evidence for either lane and is ignored.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable
from pathlib import Path

from . import lexicon as lx
from .text import Token, clean, stem

STRENGTH = 8.0
"""Log-odds added by one correction of similarity 1 (a near-copy)."""
NEIGHBOURS = 5
MIN_SIMILARITY = 0.2
COMMON_SHARE = 0.04
"""Words in more than this share of corpus items are left to the base model (speed, and noise)."""

_STOP = lx.STOPWORDS | lx.FILLERS | {stem(w) for w in lx.STOPWORDS | lx.FILLERS}
_KEEP_KINDS = frozenset(("word", "tool", "social"))


def text_key(text: str) -> str:
    """The form under which two lines count as the same item: case and spacing ignored."""
    return " ".join(clean(text).lower().split())


def terms(tokens: list[Token]) -> list[str]:
    """The content words of a tokenised line: stems, and tools by their own name.

    The tokens are the model's (spell-corrected against the corpus). A word of the user's own
    vocabulary ("zorblat", "varroa") is far from every corpus word and stays itself; and since
    corrections and new items go through the same mapping, similarity is unaffected.
    """
    out = []
    for term, surface, kind in tokens:
        if kind not in _KEEP_KINDS:
            continue
        if kind != "word":
            out.append(surface)
        elif term not in _STOP and len(term) > 1:
            out.append(term)
    return out


class Memory:
    """Corrections as (text, lane) with an inverted index from word to correction."""

    def __init__(self, doc_freq: dict[str, int], n_docs: int,
                 tokenizer: Callable[[str], list[Token]], vectors: dict | None = None) -> None:
        self._tokenizer = tokenizer
        self._doc_freq = doc_freq
        self._n_docs = n_docs
        self._common = max(3, int(n_docs * COMMON_SHARE))
        # raw text -> (key, vector); shared by copies, since it depends only on the corpus
        self._vectors: dict[str, tuple[str, dict[str, float]]] = {} if vectors is None else vectors
        self.examples: dict[str, tuple[str, str, dict[str, float]]] = {}
        self._postings: dict[str, dict[str, float]] = {}

    def __len__(self) -> int:
        return len(self.examples)

    def has_vector(self, text: str) -> bool:
        """Whether the vector of `text` is cached (shared by every copy of this memory)."""
        return text in self._vectors

    def load_vectors(self, path: Path) -> None:
        """Add vectors saved by `save_vectors` (for the same model) to the cache; a missing or
        damaged file is ignored: the vectors are computed again."""
        import orjson

        try:
            saved = orjson.loads(path.read_bytes())
            for text, (key, vector) in saved.items():
                if isinstance(key, str) and isinstance(vector, dict) and all(
                    isinstance(weight, float) for weight in vector.values()
                ):
                    self._vectors.setdefault(text, (key, vector))
        except (OSError, ValueError, TypeError, AttributeError):
            return

    def save_vectors(self, path: Path) -> None:
        """Write the vectors of this memory's corrections (temp file and rename; the cache of
        other lines' vectors is left out); failures are ignored."""
        import tempfile

        import orjson

        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, temp = tempfile.mkstemp(prefix=".vectors-", suffix=".tmp", dir=path.parent)
            try:
                with os.fdopen(fd, "wb") as handle:
                    texts = (text for text, _, _ in self.examples.values())
                    handle.write(orjson.dumps({text: self._vectors[text] for text in texts
                                               if text in self._vectors}))
                os.replace(temp, path)
            finally:
                if os.path.exists(temp):
                    os.unlink(temp)
        except OSError:
            return

    def empty(self) -> Memory:
        """A memory with no corrections over the same corpus (shares the vector cache)."""
        return Memory(self._doc_freq, self._n_docs, self._tokenizer, self._vectors)

    def copy(self) -> Memory:
        """An independent copy (shares only the vector cache, which never changes meaning)."""
        other = self.empty()
        other.examples = dict(self.examples)
        other._postings = {term: dict(post) for term, post in self._postings.items()}
        return other

    def add(self, text: str, lane: str) -> None:
        """Remember that `text` belongs in `lane`; a later tag of the same text replaces it."""
        key, vector = self.entry(text, None)
        if not key:
            return
        if key in self.examples:
            self._forget(key)
        self.examples[key] = (text, lane, vector)
        for term, weight in vector.items():
            post = self._postings.get(term)
            if post is None:
                self._postings[term] = {key: weight}
            else:
                post[key] = weight

    def _forget(self, key: str) -> None:
        _, _, vector = self.examples.pop(key)
        for term in vector:
            post = self._postings.get(term)
            if post is not None:
                post.pop(key, None)
                if not post:
                    del self._postings[term]

    def entry(self, text: str, tokens: list[Token] | None) -> tuple[str, dict[str, float]]:
        """The key of a line and the unit-length, rarity-weighted vector of its words (cached).

        `tokens` are the line's tokens when the caller already has them.
        """
        cached = self._vectors.get(text)
        if cached is not None:
            return cached
        key = text_key(text)
        if tokens is None:
            tokens = self._tokenizer(clean(text))
        weights: dict[str, float] = {}
        for term in terms(tokens):
            df = self._doc_freq.get(term, 0)
            if df <= self._common:
                weights[term] = math.log((self._n_docs + 1) / (df + 1)) + 1.0
        norm = math.sqrt(sum(w * w for w in weights.values())) or 1.0
        result = key, {term: w / norm for term, w in weights.items()}
        if len(self._vectors) < 50_000:
            self._vectors[text] = result
        return result

    def evidence(
        self, text: str, tokens: list[Token] | None = None
    ) -> tuple[float, str | None, list[tuple[float, str, str]]]:
        """(log-odds toward ops, the lane if this exact text was tagged, nearest corrections).

        Nearest corrections are (similarity, text, lane), most similar first.
        """
        key, vector = self.entry(text, tokens)
        exact = self.examples.get(key)
        if exact is not None:
            return 0.0, exact[1], [(1.0, exact[0], exact[1])]
        sims: dict[str, float] = {}
        postings = self._postings
        for term, weight in vector.items():
            post = postings.get(term)
            if post is not None:
                for other, other_weight in post.items():
                    sims[other] = sims.get(other, 0.0) + weight * other_weight
        if not sims:
            return 0.0, None, []
        # Most candidates share one common word; only the close ones are sorted.
        close = [(-sim, other) for other, sim in sims.items() if sim >= MIN_SIMILARITY]
        close.sort()
        total = 0.0
        near = []
        for negative, other in close[:NEIGHBOURS]:
            sim = -negative
            original, lane, _ = self.examples[other]
            total += (STRENGTH if lane == "ops" else -STRENGTH) * sim * sim
            near.append((sim, original, lane))
        return total, None, near
