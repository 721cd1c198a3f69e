"""Refreshing suggestions: only changes worth seeing are stored, and none becomes history."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

from triage_tui.domain.model import Suggestion
from triage_tui.service import TriageService
from triage_tui.store.db import Store


class Scripted:
    """Answers from a dict title -> Suggestion, like a classifier that learnt something."""

    def __init__(self, answers: dict[str, Suggestion]) -> None:
        self.answers = answers

    def suggest_many(self, texts: Iterable[str]) -> list[Suggestion | None]:
        return [self.answers.get(text) for text in texts]

    def suggest(self, text: str) -> Suggestion | None:
        return self.answers.get(text)


def test_only_meaningful_changes_are_stored_and_none_is_history(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    service = TriageService(Store(path).open(), "ines")
    before = {
        "book flights": Suggestion("task", 0.90, ["books travel → task"]),
        "pick a CRM": Suggestion("ops", 0.80, ["chooses a tool → ops"]),
        "send invoices": Suggestion("task", 0.95, ["pays or bills → task"]),
        "plan hiring": Suggestion("ops", 0.70, ["plans → ops"]),
    }
    service.classifier = lambda: Scripted(before)
    items = {item.title: item for item in service.add_items([{"title": t} for t in before])}
    rows_before = len(service.history())
    after = {
        "book flights": Suggestion("task", 0.91, ["books travel → task"]),  # a hair: kept
        "pick a CRM": Suggestion("task", 0.60, ["like 'pick a tool', which you tagged task"]),
        "send invoices": Suggestion("task", 0.99, ["pays or bills → task"]),  # +0.04
        "plan hiring": Suggestion("ops", 0.70, ["like 'plan Q1', which you tagged ops"]),
    }
    service.classifier = lambda: Scripted(after)
    assert service.reclassify() == 3
    fresh = {item.title: item for item in Store(path).open().items()}
    assert fresh["book flights"].suggestion == before["book flights"]
    for title in ("pick a CRM", "send invoices", "plan hiring"):
        assert fresh[title].suggestion == after[title]
    assert all(fresh[t].version == items[t].version for t in before), "no new version"
    assert len(service.history()) == rows_before, "no history rows for the classifier"
    assert service.reclassify() == 0
