"""Turning one line of owner shorthand into normalised tokens.

Owners write fragments with typos, tool names, people, dates, `#tags`, `@names` and `~30m`
estimates. This module maps all of that onto a small vocabulary the model can weigh: tool names
become TOOL (so "QuickBooks" vs "Xero" never decides), people and dates become placeholders,
words are lowercased and lightly stemmed, and unknown words within one edit of a known word are
corrected. Pure standard library; everything expensive is cached per word.
"""

from __future__ import annotations

import re

from . import lexicon as lx

MAX_CHARS = 500
"""Only the start of a huge line is classified: a to-do's meaning is in its first words."""

# Control characters (C0, DEL, C1) become spaces: harmless, never interpreted.
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]+")
_SHORTHAND = re.compile(r"\bw/o\b|\bw/|\bre:|->|=>|→|[&+’‘`]")
_SHORTHAND_FOR = {
    "w/o": " without ", "w/": " with ", "re:": " about ", "->": " to ", "=>": " to ",
    "→": " to ", "&": " and ", "+": " and ", "’": "'", "‘": "'", "`": "'",
}
_MULTIWORD_TOOLS = re.compile(
    r"\b(?:google (?:workspace|drive|docs?|sheets?|forms?|calendar|meet|ads|analytics)"
    r"|g ?suite|help ?scout|monday\.com|bill\.com|quickbooks online|microsoft (?:teams|365)"
    r"|office 365|constant contact|active ?campaign|zoho (?:crm|books)|go ?high ?level"
    r"|acuity scheduling|adobe (?:acrobat|sign|express)|apple pay)\b"
)
_TOKEN = re.compile(
    r"~\s?\d+(?:\.\d+)?\s?(?:minutes?|mins?|m|hours?|hrs?|h|days?|d)\b"  # ~30m estimate
    r"|[@#][^\W_][\w.-]*"  # @name, #tag
    r"|\$\s?\d[\d,.]*k?"  # money
    r"|\d+(?:[/.:-]\d+)+(?:am|pm)?"  # dates and times: 5/12, 10:30am
    r"|\d+%"  # percentages
    r"|[^\W_]+(?:'[^\W\d_]+)?"  # words, numbers and mixes (q3, 1099s, 10am), "don't"
)
_NUMBER = re.compile(r"\d+(?:[/.:-]\d+)*(?:st|nd|rd|th|am|pm|k|%)?$")
_ESTIMATE = re.compile(r"~\s?(\d+(?:\.\d+)?)\s?([a-z]+)")
_DATE_NUMBER = re.compile(r"\d{1,2}[/.-]\d{1,2}(?:[/.-]\d{2,4})?$|\d+(?:st|nd|rd|th)$")
_TIME_NUMBER = re.compile(r"\d{1,2}(?::\d\d)?(?:am|pm)$|\d{1,2}:\d\d$")
_YEAR = re.compile(r"(?:19|20)\d\d$")
_QUARTER = re.compile(r"q[1-4]$")
_CAPITALISED = re.compile(r"\b[A-Z][a-z]{2,}\b")


Token = tuple[str, str, str]
"""One normalised token: (stem or placeholder like TOOL, the words it came from, kind).

Kinds: word, tool, social, person, date, time, number, money, percent, year, period, estimate.
A plain tuple: tokenising 10,000 lines must stay in the tens of milliseconds.
"""


def clean(text: str) -> str:
    """Cut to MAX_CHARS and replace control characters; the result is safe to tokenise."""
    text = text[:MAX_CHARS]
    return text if text.isprintable() else _CONTROL.sub(" ", text)


def proper_names(text: str) -> set[str]:
    """Lowercased Capitalised words that are probably names of people, places or companies.

    Only used when the line is mostly lowercase: in Title Case Lines Every Word Is Capitalised,
    and the first word of a sentence is capitalised anyway.
    """
    if text.islower() or not text:
        return set()
    words = text.split()
    if len(words) < 3:
        return set()
    capitalised = _CAPITALISED.findall(text)
    if len(capitalised) * 2 > len(words):
        return set()
    first = words[0]
    names = set()
    for word in capitalised:
        low = word.lower()
        if word == first or low in _NOT_NAMES:
            continue
        names.add(low)
    return names


_NOT_NAMES = lx.KNOWN_CAPITALISED | lx.TOOLS | lx.SOCIAL | lx.WEEKDAYS | lx.MONTHS


def raw_tokens(text: str) -> list[str]:
    """Lowercased raw tokens of a cleaned line, shorthand expanded, multi-word tools merged."""
    low = text.lower()
    # The regex passes only run on lines that can need them (most lines do not).
    if any(mark in low for mark in _SHORTHAND_MARKS):
        low = _SHORTHAND.sub(_expand, low)
    tokens = _TOKEN.findall(low)
    if not _MULTIWORD_FIRST.isdisjoint(tokens):
        tokens = _TOKEN.findall(_MULTIWORD_TOOLS.sub(" zztool ", low))
    return tokens


_SHORTHAND_MARKS = ("/", ":", ">", "→", "&", "+", "’", "‘", "`")
_MULTIWORD_FIRST = frozenset(
    "google g gsuite help monday bill quickbooks microsoft office constant active zoho go "
    "acuity adobe apple".split()
)


def _expand(match: re.Match[str]) -> str:
    return _SHORTHAND_FOR[match.group()]


def stem(word: str) -> str:
    """A light, consistent suffix stripper: booking/booked/books -> book, policies -> policy.

    Consistency matters more than linguistics: the same stem for every form of a word.
    """
    cached = _STEMS.get(word)
    if cached is not None:
        return cached
    result = _stem(word)
    if len(_STEMS) < 200_000:
        _STEMS[word] = result
    return result


_STEMS: dict[str, str] = {}
_VOWELS = frozenset("aeiouy")


def _stem(word: str) -> str:
    if word in lx.IRREGULAR:
        return lx.IRREGULAR[word]
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("'s"):
        word = word[:-2]
    base = _strip_suffix(word)
    if base.endswith("e") and len(base) > 3:
        base = base[:-1]
    return base


def _strip_suffix(word: str) -> str:
    for suffix, replacement in (("isation", "iz"), ("ization", "iz"), ("ising", "iz"),
                                ("izing", "iz"), ("ised", "iz"), ("ized", "iz"),
                                ("ises", "iz"), ("izes", "iz"), ("ise", "iz"), ("ize", "iz")):
        if word.endswith(suffix) and len(word) - len(suffix) >= 3:
            return word[: -len(suffix)] + replacement
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("ied") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("sses", "shes", "ches", "xes", "zzes")):
        return word[:-2]
    if word.endswith("ation") and len(word) > 7:
        return word[:-5] + "at"
    for suffix in ("ing", "ed"):
        if word.endswith(suffix) and not word.endswith("eed"):
            base = word[: -len(suffix)]
            if len(base) >= 3 and _VOWELS.intersection(base):
                return _undouble(base)
    if word.endswith("s") and not word.endswith(("ss", "us", "is", "'s")):
        return word[:-1]
    return word


def _undouble(base: str) -> str:
    # planning -> plann -> plan, but billing -> bill and staffing -> staff keep their pair.
    if len(base) > 3 and base[-1] == base[-2] and base[-1] not in "lsfzaeiou":
        return base[:-1]
    return base


def estimate_bucket(token: str) -> str:
    """`~15m` -> EST_SHORT, `~1h` -> EST_MID, `~3h` -> EST_LONG (in minutes: <=30, <=90, more)."""
    match = _ESTIMATE.match(token)
    if not match:
        return "EST_MID"
    amount, unit = float(match.group(1)), match.group(2)
    minutes = amount * (60 if unit.startswith("h") else 480 if unit.startswith("d") else 1)
    if minutes <= 30:
        return "EST_SHORT"
    return "EST_MID" if minutes <= 90 else "EST_LONG"


def classify_number(token: str) -> str:
    """Name what a numeric token is: a date, a time, a year, money, a percentage or a number."""
    if token.startswith("$"):
        return "MONEY"
    if token.endswith("%"):
        return "PERCENT"
    if _TIME_NUMBER.match(token):
        return "TIME"
    if _DATE_NUMBER.match(token):
        return "DATE"
    if _YEAR.match(token):
        return "YEAR"
    return "NUMBER"


def tokenize(text: str, speller: Speller | None = None) -> list[Token]:
    """Normalised tokens of one line (already `clean`ed), in order.

    `speller` corrects unknown words to known ones; without it words are taken as written.
    """
    names = proper_names(text)
    cache = _WORDS if speller is None else speller.tokens
    blockers = lx.TOOL_BLOCKERS
    out: list[Token] = []
    previous = ""
    for raw in raw_tokens(text):
        # Fast path: a plain word seen before whose meaning does not depend on its neighbours.
        token = cache.get(raw)
        if token is None or raw in blockers or (names and raw in names):
            token = _token(raw, previous, names, speller)
        out.append(token)
        previous = raw
    return out


def _token(raw: str, previous: str, names: set[str], speller: Speller | None) -> Token:
    first = raw[0]
    if first == "~":
        return (estimate_bucket(raw), raw, "estimate")
    if first == "@":
        return ("PERSON", raw, "person")
    if first == "#":
        tag = raw[1:]
        if tag.isdigit():
            return ("NUMBER", raw, "number")
        return _word(tag.split(".")[0], previous, names, speller)
    if first == "$" or (first.isdigit() and _NUMBER.match(raw)):
        kind = classify_number(raw)
        return (kind, raw, kind.lower())
    if _QUARTER.match(raw):
        return ("QUARTER", raw, "period")
    return _word(raw, previous, names, speller)


def _word(word: str, previous: str, names: set[str], speller: Speller | None) -> Token:
    if word in names:
        return ("PERSON", word, "person")
    if word in lx.TOOL_BLOCKERS:
        if previous in lx.TOOL_BLOCKERS[word]:
            return (stem(word), word, "word")
        return ("TOOL", word, "tool")
    cache = _WORDS if speller is None else speller.tokens
    token = cache.get(word)
    if token is None:
        token = _plain_word(word, speller)
        if len(cache) < 200_000:
            cache[word] = token
    return token


_WORDS: dict[str, Token] = {}


def _plain_word(word: str, speller: Speller | None) -> Token:
    """The token of a word whose meaning does not depend on its neighbours (cached)."""
    if word == "zztool" or word in lx.TOOLS:
        return ("TOOL", word, "tool")
    if word in lx.SOCIAL:
        return ("SOCIAL", word, "social")
    if word in lx.WEEKDAYS or word in lx.MONTHS or word in lx.RELATIVE_DAYS:
        return ("DATE", word, "date")
    if word in lx.FIRST_NAMES or (word.endswith("'s") and word[:-2] in lx.FIRST_NAMES):
        return ("PERSON", word, "person")
    spelled = lx.ABBREVIATIONS.get(word, word)
    if speller is not None and spelled == word:
        spelled = speller.correct(word)
    return (stem(spelled), word, "word")


class Speller:
    """Corrects a word to a known one within one edit (symmetric-delete lookup).

    Only unknown alphabetic words are corrected: a dropped letter from four letters up
    ("ordr"), a changed, added or swapped letter from six ("stratgy", "improvee", "desgin"), so
    short real words the corpus lacks ("cells", "hive") are not turned into lookalikes.
    """

    def __init__(self, frequencies: dict[str, int]) -> None:
        self._known = frequencies
        self.tokens: dict[str, Token] = {}  # word -> token, for this speller's corrections
        self._cache: dict[str, str] = {}
        # Built on the first unknown word (~8 ms): most lines are all known words.
        self._stems_set: set[str] | None = None
        self._deletes_map: dict[str, str] | None = None

    @property
    def _stems(self) -> set[str]:
        """Stems of known words: another form of a known word ("sending") is not a typo."""
        if self._stems_set is None:
            self._stems_set = {stem(word) for word in self._known}
        return self._stems_set

    @property
    def _deletes(self) -> dict[str, str]:
        """Each one-letter deletion of a known word -> its most frequent source word."""
        if self._deletes_map is None:
            deletes: dict[str, str] = {}
            best: dict[str, int] = {}
            for word, count in self._known.items():
                if len(word) < 4 or not word.isalpha():
                    continue
                for variant in _deletes(word):
                    if count > best.get(variant, 0):
                        best[variant] = count
                        deletes[variant] = word
            self._deletes_map = deletes
        return self._deletes_map

    def correct(self, word: str) -> str:
        """The known word `word` most likely meant, or `word` itself."""
        if word in self._known or len(word) < 4 or not word.isalpha() or stem(word) in self._stems:
            return word
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        result = self._lookup(word)
        if len(self._cache) < 100_000:
            self._cache[word] = result
        return result

    def _lookup(self, word: str) -> str:
        # A dropped letter: the typo is itself a deletion of a known word ("ordr" -> "order").
        deletes = self._deletes
        direct = deletes.get(word)
        if direct is not None:
            return direct
        if len(word) < 6:
            # A changed letter in a short word is as likely another word ("cells", "calls").
            return word
        candidates = {deletes[v] for v in _deletes(word) if v in deletes}
        candidates.update(v for v in _deletes(word) if v in self._known and len(v) >= 4)
        if not candidates:
            return word
        return max(candidates, key=lambda w: (self._known.get(w, 0), w))


def _deletes(word: str) -> list[str]:
    return [word[:i] + word[i + 1 :] for i in range(len(word))]
