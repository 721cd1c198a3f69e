"""Fuzzy filtering of item titles, for the inbox filter (pure; no Textual).

A query is split on whitespace; every word must occur in the text as a subsequence
("inv acm" matches "Send invoice to Acme"). Matching ignores case and accents ("cafe"
matches "Café").

Results keep the order of the texts given (the inbox's own sort), not a relevance order:
the inbox is sorted on purpose (unsorted first, then by due), and rows that reshuffle on every
keystroke are hard to follow. The filter narrows the list; it does not re-sort it.
"""

from __future__ import annotations

import re
import unicodedata
from collections import OrderedDict
from collections.abc import Sequence
from functools import lru_cache

__all__ = ["FuzzyIndex", "fold", "fuzzy_filter", "match_positions"]

# How many distinct text lists fuzzy_filter keeps folded copies of (the inbox and a spare).
_INDEX_CACHE_SIZE = 4


@lru_cache(maxsize=4096)
def _fold_char(char: str) -> str:
    """One character lowercased without its accent; always exactly one character."""
    lowered = char.lower()[0]  # "İ".lower() is two characters: keep the base one
    return unicodedata.normalize("NFD", lowered)[0]


def fold(text: str) -> str:
    """Lowercase `text` and strip accents, keeping one character per character of `text`.

    Keeping the length lets match positions in the folded text point at the original text.
    """
    if text.isascii():
        return text.lower()  # the common case, at C speed
    return "".join(map(_fold_char, text))


@lru_cache(maxsize=256)
def _word_pattern(word: str) -> re.Pattern[str]:
    """A regex that matches when `word` is a subsequence of the text.

    `[^c]*c` takes the first `c` each time, which is always a valid choice for a subsequence,
    so the regex never backtracks and stays linear in the length of the text.
    """
    parts = []
    for char in word:
        escaped = re.escape(char)
        parts.append(f"[^{escaped}]*{escaped}")
    return re.compile("".join(parts), re.DOTALL)


def _query_words(query: str) -> list[str]:
    """The folded, whitespace-separated words of a query, without duplicates."""
    return list(dict.fromkeys(fold(query).split()))


class FuzzyIndex:
    """Folded copies of a fixed list of texts, filtered keystroke after keystroke.

    When a query extends the previous one (the user typed one more character), only the
    previous matches are searched again: a longer query can only match fewer texts.
    """

    def __init__(self, texts: Sequence[str]) -> None:
        self._folded = [fold(text) for text in texts]
        self._last_query = ""
        self._last_matches: list[int] = list(range(len(self._folded)))

    def __len__(self) -> int:
        return len(self._folded)

    def filter(self, query: str) -> list[int]:
        """The indices of the texts that match `query`, in their original order."""
        words = _query_words(query)
        if not words:
            return list(range(len(self._folded)))
        candidates: Sequence[int] = range(len(self._folded))
        if self._last_query and query.startswith(self._last_query):
            candidates = self._last_matches
        matches = self._narrow(words, candidates)
        self._last_query, self._last_matches = query, matches
        return list(matches)

    def _narrow(self, words: list[str], candidates: Sequence[int]) -> list[int]:
        """Keep the candidates whose folded text contains every word as a subsequence."""
        folded = self._folded
        survivors = list(candidates)
        # Longest word first: it is the most selective, so later words scan fewer texts.
        for word in sorted(words, key=len, reverse=True):
            match = _word_pattern(word).match
            survivors = [index for index in survivors if match(folded[index])]
            if not survivors:
                break
        return survivors


_index_cache: OrderedDict[tuple[str, ...], FuzzyIndex] = OrderedDict()


def _index_for(texts: Sequence[str]) -> FuzzyIndex:
    """A cached FuzzyIndex for these texts, so they are folded once, not per keystroke."""
    key = tuple(texts)
    index = _index_cache.get(key)
    if index is None:
        index = _index_cache[key] = FuzzyIndex(key)
        if len(_index_cache) > _INDEX_CACHE_SIZE:
            _index_cache.popitem(last=False)
    else:
        _index_cache.move_to_end(key)
    return index


def fuzzy_filter(query: str, texts: Sequence[str]) -> list[int]:
    """The indices of `texts` that match `query`, in the order of `texts`.

    Every whitespace-separated word of the query must occur in the text as a subsequence,
    ignoring case and accents. An empty or blank query matches every text. Any characters are
    allowed in the query; regex metacharacters are matched literally.
    """
    return _index_for(texts).filter(query)


def _word_positions(word: str, folded_text: str) -> list[int]:
    """Where `word` matches in `folded_text`: a contiguous run if there is one, else the
    earliest subsequence; empty if it does not match."""
    start = folded_text.find(word)
    if start >= 0:
        return list(range(start, start + len(word)))
    positions = []
    cursor = 0
    for char in word:
        cursor = folded_text.find(char, cursor)
        if cursor < 0:
            return []
        positions.append(cursor)
        cursor += 1
    return positions


def match_positions(query: str, text: str) -> list[int]:
    """The sorted indices of the characters of `text` that `query` matches, for highlighting.

    Empty when the query is blank or does not match the text as a whole.
    """
    folded_text = fold(text)
    positions: set[int] = set()
    for word in _query_words(query):
        word_positions = _word_positions(word, folded_text)
        if not word_positions:
            return []
        positions.update(word_positions)
    return sorted(positions)
