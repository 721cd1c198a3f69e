"""From normalised tokens to the named features the model weighs.

Besides words and word pairs, every item gets a few *structural* features that carry the
VA / OM distinction and generalise to words the corpus never used:

- `v1:<group>`: the kind of the first action (send, book, post, enter, pay... vs choose, design,
  improve, plan, oversee, audit...), or `amb` when the verb alone does not decide (create, set up,
  update, write) and `none` when the item names no action;
- `n:<class>` and `vx:<verb group>|<class>`: what it acts on (a process, a tool, a message, an
  invoice, travel...) and the pair, so "send invoice" and "set up invoicing" differ even though
  both say invoice;
- cues `c:*`: how/which/whether questions, scope over every case vs one instance (dates, people,
  numbers), going forward, improving or fixing something, comparing options.
"""

from __future__ import annotations

import re
from functools import lru_cache

from . import lexicon as lx
from .text import Token, stem

PLACEHOLDER_KINDS = frozenset(
    "tool social person date time number money percent period estimate year".split()
)
_SPECIFIC_KINDS = frozenset(("person", "date", "time", "number", "money"))
_SPECIFIC_NEXT = frozenset(stem(w) for w in lx.TIME_UNITS if w not in ("year", "years"))


class Lexicon:
    """The word lists, stemmed the same way as the text, for constant-time lookups."""

    def __init__(self) -> None:
        self.verbs: dict[str, str] = {}
        self.phrasal: dict[tuple[str, str], str] = {}
        for lane_groups in (lx.TASK_VERBS, lx.OPS_VERBS):
            for group, words in lane_groups.items():
                for word in words:
                    self._add_verb(word, group)
        for word in lx.AMBIGUOUS_VERBS:
            self._add_verb(word, "amb", override=True)
        self.nouns: dict[str, tuple[str, ...]] = {}
        for cls, words in lx.NOUN_CLASSES.items():
            for word in words:
                key = _stem_phrase(word)
                if cls not in self.nouns.get(key, ()):
                    self.nouns[key] = self.nouns.get(key, ()) + (cls,)
        self.fillers = frozenset(stem(w) for w in lx.FILLERS)
        self.stopwords = frozenset(stem(w) for w in lx.STOPWORDS) | lx.STOPWORDS
        self.scope_all = frozenset(stem(w) for w in lx.SCOPE_ALL)
        self.time_units = frozenset(stem(w) for w in lx.TIME_UNITS)
        self.improve = frozenset(stem(w) for w in lx.IMPROVE_PURPOSE)
        self.problem = frozenset(stem(w) for w in lx.PROBLEM_WORDS)
        self.compare = frozenset(stem(w) for w in lx.COMPARE_WORDS)
        self.forward = {(stem(a), stem(b) if b else "") for a, b in lx.GOING_FORWARD}
        self.cues = self._static_cues()
        self.context = self.scope_all | {a for a, _ in self.forward} | {"this", "next", "last"}
        self.info = self._word_info()

    def _word_info(self) -> dict[str, tuple[tuple[str, ...], str | None, tuple[str, ...], bool]]:
        """stem -> (object classes, verb group when not ambiguous, cues, needs context).

        One lookup per token instead of four; words in no list are absent.
        """
        gerunds = {stem(w) for w in _GERUND_FUNCTIONS}
        words = (set(self.nouns) | set(self.verbs) | set(self.cues) | self.context | gerunds)
        info = {}
        for word in words:
            group = self.verbs.get(word)
            info[word] = (self.nouns.get(word, ()), group if group != "amb" else None,
                          self.cues.get(word, ()), word in self.context)
        return info

    def _static_cues(self) -> dict[str, tuple[str, ...]]:
        """Cues a word gives whatever its neighbours: one dict lookup per token."""
        cues: dict[str, tuple[str, ...]] = {}

        def add(word: str, feature: str) -> None:
            if feature not in cues.get(word, ()):
                cues[word] = cues.get(word, ()) + (feature,)

        for word, question in lx.QUESTION_WORDS.items():
            for form in (word, word + "'s", word + "'re"):
                add(form, "c:" + question)
        for word in ("our", "we", "we're", "we've", "we'll", "ours", "ourselves"):
            add(word, "c:our")
        for words, feature in ((self.improve, "c:purpose"), (self.problem, "c:problem"),
                               (self.compare, "c:compare")):
            for word in words:
                add(word, feature)
        return cues

    def _add_verb(self, word: str, group: str, override: bool = False) -> None:
        parts = word.split("-")
        if len(parts) == 2 and parts[1]:
            key = (stem(parts[0]), stem(parts[1]))
            if override or key not in self.phrasal:
                self.phrasal[key] = group
            return
        key = stem(word.replace("-", ""))
        if override or key not in self.verbs:
            self.verbs[key] = group


def _stem_phrase(word: str) -> str:
    return stem(word.replace("-", ""))


@lru_cache(maxsize=1)
def lexicon() -> Lexicon:
    """The stemmed lexicon, built once on first use (not at import)."""
    return Lexicon()


def first_verb(stems: list[str], lex: Lexicon) -> tuple[int, int, str]:
    """(start, end, group) of the first action word; (-1, -1, "none") when there is none.

    Fillers ("pls", "need to", "remember to") are skipped; phrasal verbs ("follow up",
    "set up", "figure out") are read as one.
    """
    for i, word in enumerate(stems):
        if word in lex.fillers:
            continue
        if i + 1 < len(stems):
            group = lex.phrasal.get((word, stems[i + 1]))
            if group is not None:
                return i, i + 2, group
        group = lex.verbs.get(word)
        if group is not None:
            return i, i + 1, group
    return -1, -1, "none"


def phrase_cues(line: str) -> list[str]:
    """Cues read from the whole line: "keep X up to date", "send me options", "?"."""
    low = line.lower()
    cues = []
    # Few lines have these phrases; a substring test keeps the regexes off the hot path.
    if "to date" in low or "to-date" in low or "keep " in low or " me" in low or "back" in low:
        cues = ["c:" + name for name, pattern in _phrase_patterns() if pattern.search(low)]
    if "?" in line:
        cues.append("c:question")
    return cues


@lru_cache(maxsize=1)
def _phrase_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    return tuple((name, re.compile(rx)) for name, rx in _PHRASE_PATTERNS)


_PHRASE_PATTERNS = (
    ("maintain", r"\bup[ -]to[ -]date\b|\bkeep (?:\S+ ){0,3}(?:updated|current|tidy|clean)\b"),
    ("for_me", r"\b(?:send|email|give|text|forward|bring|show)(?: \S+){0,3} (?:to )?me\b"
               r"|\blet me know\b|\breport back\b|\bget back to me\b"
               r"|\bfor me to (?:review|approve|sign|pick|choose|decide|look)"),
)


def featurize(tokens: list[Token], cues: list[str] | tuple[str, ...] = ()) -> list[str]:
    """The named features of one tokenised item, without duplicates, in a stable order.

    `cues` are the whole-line cues from `phrase_cues`. One pass over the tokens (this runs
    10,000 times for a big inbox): words and word pairs, other verbs, object classes, cues.
    """
    lex = lexicon()
    stems = [t[0] for t in tokens]
    feats: dict[str, None] = dict.fromkeys(cues)
    start, end, group = first_verb(stems, lex)
    feats["v1:" + group] = None
    if start >= 0:
        feats["v1w:" + "_".join(stems[start:end])] = None
    verb = "vx:" + (group if group != "none" else "nov") + "|"
    info, stopwords = lex.info, lex.stopwords
    n = len(tokens)
    previous = ""
    for i, (word, raw, kind) in enumerate(tokens):
        if kind != "word":
            feats["k:" + word] = None
            if kind in _SPECIFIC_KINDS:
                feats["c:specific"] = None
        elif word not in stopwords and not start <= i < end:
            # The first verb is already `v1w:`; as a plain word "process this week's orders"
            # (a verb) would weigh like "the refund process" (a noun).
            feats["w:" + word] = None
        if word not in stopwords:
            if previous:
                feats["b:" + previous + "_" + word] = None
            previous = word
        about = info.get(word)
        if about is None or kind != "word":
            continue
        classes, other_verb, static, context = about
        if not start <= i < end:
            for cls in classes:
                feats["n:" + cls] = None
                feats[verb + cls] = None
        if i >= end:
            if other_verb:
                feats["v:" + other_verb] = None
            if raw in _GERUND_FUNCTIONS:
                # A gerund after the action names a whole function ("streamline invoicing").
                feats["c:gerund"] = None
        for feature in static:
            feats[feature] = None
        if context:
            _context_cue(i, word, raw, stems, n, lex, feats)
    return list(feats)


_GERUND_FUNCTIONS = frozenset(
    "invoicing onboarding offboarding hiring billing bookkeeping scheduling fulfillment "
    "fulfilment recruiting reporting purchasing procurement operations collections intake "
    "budgeting forecasting staffing training ordering receiving payroll".split()
)


def _context_cue(
    i: int, word: str, raw: str, stems: list[str], n: int, lex: Lexicon, feats: dict[str, None]
) -> None:
    """Cues that depend on the next word: "every client" vs "every monday", "next week"."""
    nxt = stems[i + 1] if i + 1 < n else ""
    if (word, nxt) in lex.forward or (word, "") in lex.forward:
        feats["c:forward"] = None
    elif raw in ("this", "next", "last") and nxt in _SPECIFIC_NEXT:
        feats["c:specific"] = None
    if word in lex.scope_all:
        after = stems[i + 2] if i + 2 < n else ""
        recurring = raw in ("every", "each") and (nxt in lex.time_units or after in lex.time_units)
        feats["c:recurring" if recurring else "c:scope_all"] = None
