"""The fuzzy filter behind the inbox's `/` search."""

from __future__ import annotations

import time

from triage_tui.domain.fuzzy import FuzzyIndex, fold, fuzzy_filter, match_positions

TITLES = [
    "Send invoice to Acme",
    "Renew domain before Friday",
    "Choose a CRM",
    "Call Bob about the Acme contract",
    "Book café lunch",
    "東京オフィスの契約を更新する",
    "[URGENT] fix (broken) \\ backup",
]


def test_every_word_must_match_as_a_subsequence() -> None:
    assert fuzzy_filter("inv acm", TITLES) == [0]
    assert fuzzy_filter("acme", TITLES) == [0, 3]
    assert fuzzy_filter("rnw dmn", TITLES) == [1]
    assert fuzzy_filter("crm", TITLES) == [2]
    assert fuzzy_filter("acm inv", TITLES) == [0]  # word order does not matter


def test_non_matches() -> None:
    assert fuzzy_filter("zebra", TITLES) == []
    assert fuzzy_filter("acme zebra", TITLES) == []
    assert fuzzy_filter("emca", ["Acme"]) == []  # letters out of order
    assert fuzzy_filter("xx", ["x"]) == []  # a repeated letter needs two occurrences


def test_case_is_ignored_both_ways() -> None:
    assert fuzzy_filter("ACME", TITLES) == [0, 3]
    assert fuzzy_filter("CrM", TITLES) == [2]
    assert fuzzy_filter("urgent", TITLES) == [6]


def test_results_keep_the_order_of_the_texts() -> None:
    texts = ["b acme", "a acme", "c acme exact"]
    assert fuzzy_filter("acme exact", texts) == [2]
    assert fuzzy_filter("acme", texts) == [0, 1, 2]
    assert fuzzy_filter("ae", texts) == [0, 1, 2]


def test_blank_query_matches_everything() -> None:
    assert fuzzy_filter("", TITLES) == list(range(len(TITLES)))
    assert fuzzy_filter("   \t ", TITLES) == list(range(len(TITLES)))
    assert fuzzy_filter("anything", []) == []


def test_unicode_accents_and_cjk() -> None:
    assert fuzzy_filter("cafe", TITLES) == [4]
    assert fuzzy_filter("CAFÉ", TITLES) == [4]
    assert fuzzy_filter("東京 契約", TITLES) == [5]
    assert fuzzy_filter("İstanbul", ["istanbul trip"]) == [0]
    assert fuzzy_filter("strasse", ["Hauptstraße 1"]) == []  # no multi-letter folding
    assert len(fold("İstanbul Straße")) == len("İstanbul Straße")


def test_regex_metacharacters_are_literal_and_never_raise() -> None:
    for query in ["(", ")", "[", "]", "\\", "*", "+?", ".*", "^$", "{2}", "|", "[^a]", "a-z"]:
        fuzzy_filter(query, TITLES)
        match_positions(query, TITLES[6])
    assert fuzzy_filter("[urg", TITLES) == [6]
    assert fuzzy_filter("(broken)", TITLES) == [6]
    assert fuzzy_filter("\\ back", TITLES) == [6]
    assert fuzzy_filter(".*", TITLES) == []


def test_match_positions_prefer_a_contiguous_run() -> None:
    assert match_positions("inv acm", "Send invoice to Acme") == [5, 6, 7, 16, 17, 18]
    assert match_positions("acm", "Call Acme") == [5, 6, 7]
    assert match_positions("cl", "Call") == [0, 2]
    assert match_positions("cafe", "Le Café") == [3, 4, 5, 6]


def test_match_positions_empty_when_not_all_words_match() -> None:
    assert match_positions("acme zebra", "Send invoice to Acme") == []
    assert match_positions("", "anything") == []


def naive_filter(query: str, texts: list[str]) -> list[int]:
    """The definition, slowly: every word is a subsequence of the lowercased text."""

    def is_subsequence(word: str, text: str) -> bool:
        rest = iter(text)
        return all(char in rest for char in word)

    words = query.lower().split()
    return [
        i for i, text in enumerate(texts) if all(is_subsequence(w, text.lower()) for w in words)
    ]


def test_index_narrows_as_the_query_grows_and_widens_on_backspace() -> None:
    index = FuzzyIndex(TITLES)
    for query in ["a", "ac", "acm", "ac", "acm c", "acm co", "acm con", "", "t", "te", "tea"]:
        assert index.filter(query) == naive_filter(query, TITLES), query
    assert index.filter("acm con") == [3]


def test_ten_thousand_titles_filter_quickly() -> None:
    """A generous bound that only catches an accidental quadratic; bench/ measures for real."""
    titles = [f"{TITLES[i % len(TITLES)]} number {i}" for i in range(10_000)]
    fuzzy_filter("warm", titles)
    start = time.perf_counter()
    for query in ["i", "in", "inv", "inv a", "inv ac", "inv acm"]:
        assert fuzzy_filter(query, titles)
    assert (time.perf_counter() - start) / 6 < 0.2
