"""Hand triage re-suggests the rest of the inbox, after a pause, from the user's corrections."""

from __future__ import annotations

import re
from collections.abc import Iterable

import pytest
from app_support import build_app, new_db_path, seed, settle, stored, wait_until

from triage_tui.app import main_screen
from triage_tui.app.inbox_list import InboxList
from triage_tui.domain.model import Suggestion
from triage_tui.service import TriageService


class LearningFake:
    """Suggests task, except for titles sharing a word with a title the user tagged ops."""

    def __init__(self, ops_words: frozenset[str] = frozenset()) -> None:
        self.ops_words = ops_words

    def suggest(self, text: str) -> Suggestion | None:
        words = set(re.findall(r"[a-z]+", text.lower()))
        if words & self.ops_words:
            return Suggestion("ops", 0.95, ["like what you tagged ops"])
        return Suggestion("task", 0.9, ["routine"])

    def suggest_many(self, texts: Iterable[str]) -> list[Suggestion | None]:
        return [self.suggest(text) for text in texts]

    def with_examples(self, pairs: Iterable[tuple[str, str]]) -> LearningFake:
        words = {word for text, lane in pairs if lane == "ops"
                 for word in re.findall(r"[a-z]+", text.lower()) if len(word) > 4}
        return LearningFake(frozenset(words))


@pytest.fixture(autouse=True)
def _learning_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    base = LearningFake()

    def classifier(self: TriageService) -> LearningFake:
        pairs = [(row["text"], row["lane"]) for row in self.store.examples()]
        return base.with_examples(pairs)

    monkeypatch.setattr(TriageService, "classifier", classifier)
    monkeypatch.setattr(main_screen, "RESUGGEST_DELAY_SECONDS", 0.2)


async def test_tagging_ops_by_hand_re_suggests_similar_unsorted_items(tmp_path) -> None:
    path = new_db_path(tmp_path)
    first, similar, other = seed(path, [
        {"title": "zorblat inventory review"},
        {"title": "quarterly zorblat audit"},
        {"title": "send the invoice"},
    ])
    assert stored(path)[similar.id].suggestion.lane == "task"
    app = build_app(path)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        app.screen.query_one(InboxList).move_cursor_to(first.id)
        await pilot.press("o")
        assert await wait_until(
            pilot, lambda: stored(path)[similar.id].suggestion.lane == "ops", timeout=5)
        assert stored(path)[other.id].suggestion.lane == "task"
        rows = {row.item_id: row for row in app.screen.query_one(InboxList).rows}
        assert await wait_until(pilot, lambda: {
            row.item_id: row for row in app.screen.query_one(InboxList).rows
        }[similar.id].suggestion.startswith("ops"))
        assert rows[other.id].suggestion.startswith("task")
