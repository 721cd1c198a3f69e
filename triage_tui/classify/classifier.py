"""The classifier the app and the CLI use: base model + the user's corrections + reasons."""

from __future__ import annotations

import os
import threading
from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from triage_tui.domain.model import SUGGESTED_LANES, Suggestion
from triage_tui.gcpause import paused_gc

from . import DEFAULT_THRESHOLD  # noqa: F401  (re-exported: one definition of the default)
from . import lexicon as lx
from .features import lexicon
from .memory import Memory
from .model import Model, build, corpus_path, load_cached, model_key, read_examples, save_cached
from .text import clean

EXACT_CONFIDENCE = 0.97
"""Confidence when the very same text was tagged by hand: the user has already answered."""

MAX_REASONS = 3
VECTOR_CACHE_MIN = 100
"""With this many corrections or more, their word vectors are kept on disk beside the model:
tokenising 2,000 corrections takes ~45 ms, reading them back ~7 ms (`triage add` has 150)."""
# Words whose cue already has a better phrase ("asks how things should work").
_UNQUOTABLE = frozenset("how what which whether why who we our new get set".split())
_RELATIVE_CUTOFF = 0.35  # a reason must weigh at least this share of the strongest one


class Classifier:
    """Suggests `task` or `ops` for a line of text, with a calibrated confidence and reasons.

    Immutable apart from `learn`, which adds a correction in place. `with_examples` returns a
    new classifier sharing the (read-only) base model.
    """

    def __init__(self, model: Model, memory: Memory | None = None,
                 vectors: Path | None = None) -> None:
        self.model = model
        self.memory = memory if memory is not None else Memory(
            model.doc_freq, model.n_docs, model.tokens
        )
        self._vectors = vectors  # where many corrections' word vectors are kept, if anywhere

    # -- construction ------------------------------------------------------------------------
    @classmethod
    def default(cls, cache_dir: str | os.PathLike[str] | None = None) -> Classifier:
        """The classifier built from the shipped corpus; one per process, built on first use.

        The trained model is cached on disk (in `cache_dir`, else `TRIAGE_CACHE_DIR`, else the
        user's cache folder) under a key made of the corpus, this package's source and the
        Python version, so any change rebuilds it; an unreadable cache is rebuilt, not fatal.
        The instance is shared: `learn` on it teaches every user of `default()` in the process.
        """
        global _DEFAULT
        with _LOCK:
            if _DEFAULT is None:
                model, folder = _load_default_model(cache_dir)
                vectors = folder / f"vectors-{model.key}.json" if folder is not None else None
                _DEFAULT = cls(model, vectors=vectors)
            return _DEFAULT

    @classmethod
    def from_examples(cls, examples: Sequence[tuple[str, str]]) -> Classifier:
        """A classifier trained on the given (text, lane) examples only (no cache)."""
        return cls(build([(t, lane) for t, lane in examples if lane in SUGGESTED_LANES]))

    def with_examples(self, examples: Iterable[tuple[str, str]]) -> Classifier:
        """A new classifier that also knows these user corrections (`keep` ones are ignored).

        Cheap: no retraining, so the app can call it after every re-tag.
        """
        examples = list(examples)
        memory = self.memory.copy() if len(self.memory) else self.memory.empty()
        vectors = self._vectors if len(examples) >= VECTOR_CACHE_MIN else None
        if vectors is not None and vectors not in _LOADED_VECTORS:
            _LOADED_VECTORS.add(vectors)
            memory.load_vectors(vectors)
        new = vectors is not None and any(
            lane in SUGGESTED_LANES and isinstance(text, str) and not memory.has_vector(text)
            for text, lane in examples
        )
        clone = Classifier(self.model, memory, self._vectors)
        for text, lane in examples:
            clone.learn(text, lane)
        if new:
            memory.save_vectors(vectors)
        return clone

    def learn(self, text: str, lane: str) -> None:
        """Take one manual re-tag into account at once (in place).

        Only `task` and `ops` are learnt: `keep` means the owner keeps the item, which says
        nothing about whether it is execution or operations work.
        """
        if lane in SUGGESTED_LANES and isinstance(text, str):
            self.memory.add(text, lane)

    # -- suggesting --------------------------------------------------------------------------
    def suggest(self, text: str) -> Suggestion | None:
        """The suggested lane for one line, or None when it has no text."""
        if not isinstance(text, str):
            return None
        line = clean(text)
        if not line.strip():
            return None
        model = self.model
        feats, tokens = model.features(line)
        raw, known = model.weigh(feats)
        near: list[tuple[float, str, str]] = []
        user = 0.0
        if len(self.memory):
            user, exact, near = self.memory.evidence(line, tokens)
            if exact is not None:
                return _exact(exact, near[0][1])
        p = model.probability(raw, known, user)
        lane = "ops" if p >= 0.5 else "task"
        confidence = round(min(max(p, 1.0 - p), 0.999), 4)
        reasons = _reasons(known, model.quiet, tokens, lane, user, near)
        return Suggestion(lane, confidence, reasons)

    def suggest_many(self, texts: Iterable[str]) -> list[Suggestion | None]:
        """`suggest` for each line, in order; repeated lines are worked out once."""
        # Hundreds of thousands of short-lived tuples and strings, no cycles: the cyclic
        # collector's passes would only slow the batch down.
        with paused_gc():
            return self._suggest_many(texts)

    def _suggest_many(self, texts: Iterable[str]) -> list[Suggestion | None]:
        seen: dict[str, Suggestion | None] = {}
        out: list[Suggestion | None] = []
        for text in texts:
            if text in seen:
                done = seen[text]
                out.append(None if done is None else
                           Suggestion(done.lane, done.confidence, list(done.reasons)))
                continue
            result = self.suggest(text)
            if isinstance(text, str):
                seen[text] = result
            out.append(result)
        return out

    def explain_features(self, text: str) -> list[tuple[str, float]]:
        """Every feature of a line with its weight, strongest first (for debugging)."""
        feats, _ = self.model.features(clean(text))
        weights = self.model.weights
        return sorted(((f, weights.get(f, 0.0)) for f in feats), key=lambda fw: -abs(fw[1]))



def _reasons(known: list[tuple[float, str]], quiet: frozenset[str],
             tokens: list[tuple[str, str, str]], lane: str, user: float,
             near: list[tuple[float, str, str]]) -> list[str]:
    """1-3 phrases naming what pushed hardest toward `lane`, the user's corrections first.

    `quiet` features ("names a tool") count in the score but are not worth saying.
    """
    positive = lane == "ops"
    pushes = [(w if positive else -w, f) for w, f in known
              if (w > 0) is positive and f not in quiet]
    pushes.sort(reverse=True)
    reasons: list[str] = []
    if (user > 0.5 and positive) or (user < -0.5 and not positive):
        match = next((text for _, text, tagged in near if tagged == lane), None)
        if match is not None:
            reasons.append(f"like '{_short(match)}', which you tagged {lane}")
    # "books travel" says more than "schedules or books" or "about travel": the action named
    # with its object stands in for either half.
    specific: dict[str, str] = {}
    pairs = _named_pairs()
    for _, feature in pushes:
        halves = pairs.get(feature)
        if halves is not None:
            specific.setdefault(halves[0], feature)
            specific.setdefault(halves[1], feature)
    said = _Said()
    top = pushes[0][0] if pushes else 0.0
    for push, feature in pushes:
        if len(reasons) >= MAX_REASONS or push < _RELATIVE_CUTOFF * top:
            break
        if said.redundant(feature):
            continue  # "mentions 'policy'" after "writes a policy" says nothing new
        pair = specific.get(feature)
        phrase = lx.REASON_PHRASES[pair] if pair else _phrase(feature, tokens)
        if phrase is None:
            continue
        reason = f"{phrase} → {lane}"
        if reason not in reasons:
            reasons.append(reason)
        said.add(feature)
        if pair:
            said.add(pair)
    return reasons or [f"no strong cue; leans {lane}"]


class _Said:
    """What the reasons given so far already cover: verb groups, object classes, words."""

    def __init__(self) -> None:
        self.groups: set[str] = set()
        self.classes: set[str] = set()
        self.stems: set[str] = set(_UNQUOTABLE)

    def add(self, feature: str) -> None:
        kind, group, cls, parts = _parse(feature)
        if group:
            self.groups.add(group)
        if cls:
            self.classes.add(cls)
        self.stems.update(parts)

    def redundant(self, feature: str) -> bool:
        kind, group, cls, parts = _parse(feature)
        if kind == "n":
            return cls in self.classes
        if kind in ("v1", "v"):
            return group in self.groups
        if kind == "vx":
            return group in self.groups and cls in self.classes
        return any(self._covered(part) for part in parts)

    def _covered(self, stem: str) -> bool:
        if stem in self.stems:
            return True
        about = lexicon().info.get(stem)
        return about is not None and (about[1] in self.groups
                                      or any(c in self.classes for c in about[0]))


@lru_cache(maxsize=1)
def _named_pairs() -> dict[str, tuple[str, str]]:
    """Action-with-object features that have their own phrase -> their action and object."""
    pairs = {}
    for feature in lx.REASON_PHRASES:
        if feature.startswith("vx:"):
            verb, _, cls = feature[3:].partition("|")
            pairs[feature] = ("v1:" + verb, "n:" + cls)
    return pairs


@lru_cache(maxsize=65536)
def _parse(feature: str) -> tuple[str, str, str, tuple[str, ...]]:
    """(kind, verb group, object class, words) of a feature name."""
    kind, _, value = feature.partition(":")
    if kind in ("v1", "v"):
        return kind, value, "", ()
    if kind == "vx":
        group, _, cls = value.partition("|")
        return kind, group, cls, ()
    if kind == "n":
        return kind, "", value, ()
    if kind in ("w", "b", "v1w"):
        return kind, "", "", tuple(value.split("_"))
    return kind, "", "", ()


def _phrase(feature: str, tokens: list[tuple[str, str, str]]) -> str | None:
    """A few plain words for one feature; words are quoted as the line wrote them."""
    known = lx.REASON_PHRASES.get(feature)
    if known is not None:
        return known
    kind, _, value = feature.partition(":")
    if kind in ("w", "b", "v1w"):
        text = " ".join(_surface(part, tokens) for part in value.split("_"))
        return f"starts with '{text}'" if kind == "v1w" else f"mentions '{text}'"
    if kind == "v":
        return lx.REASON_PHRASES.get("v1:" + value)
    if kind == "vx":
        verb, _, noun = value.partition("|")
        return lx.REASON_PHRASES.get("v1:" + verb) or lx.REASON_PHRASES.get("n:" + noun)
    return None


def _surface(stem: str, tokens: list[tuple[str, str, str]]) -> str:
    return next((surface for term, surface, _ in tokens if term == stem), stem)


def _short(text: str, limit: int = 40) -> str:
    text = " ".join(clean(text).split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _exact(lane: str, text: str) -> Suggestion:
    return Suggestion(lane, EXACT_CONFIDENCE, [f"like '{_short(text)}', which you tagged {lane}"])


# -- the shared default ----------------------------------------------------------------------

_DEFAULT: Classifier | None = None
_LOCK = threading.Lock()


def _load_default_model(cache_dir: str | os.PathLike[str] | None) -> tuple[Model, Path | None]:
    """The model, from the cache folder (returned too) when it holds a current one."""
    path = corpus_path()
    data = path.read_bytes()
    key = model_key(data)
    folder = _cache_folder(cache_dir)
    model = load_cached(folder, key) if folder is not None else None
    if model is None:
        model = build(read_examples(path), key)
        if folder is not None:
            save_cached(folder, model)
    return model, folder


_LOADED_VECTORS: set[Path] = set()
"""Vector files already read into the (process-wide) default memory's cache."""


def _cache_folder(cache_dir: str | os.PathLike[str] | None) -> Path | None:
    """Where the trained model is cached; None when there is nowhere to put it."""
    if cache_dir is not None:
        return Path(cache_dir)
    override = os.environ.get("TRIAGE_CACHE_DIR")
    if override:
        return Path(override).expanduser()
    try:
        from platformdirs import user_cache_path  # deferred: only needed on first build
    except ImportError:
        return None
    return user_cache_path("triage") / "classifier"


def reset_default() -> None:
    """Forget the process-wide default (tests, or after the corpus file changed)."""
    global _DEFAULT
    with _LOCK:
        _DEFAULT = None
        _LOADED_VECTORS.clear()  # the next default's memory starts with an empty vector cache
