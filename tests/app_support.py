"""Shared helpers for the app tests: a fixed clock, a fake classifier, fixed ids and seed data.

Each app test module has an autouse fixture that calls `make_deterministic`.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterable
from datetime import datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot

from triage_tui import service as service_module
from triage_tui.app import main_screen
from triage_tui.config import Settings
from triage_tui.domain.model import Item, Suggestion
from triage_tui.service import TriageService
from triage_tui.store.db import Store

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
"""A Monday morning: every date in the seed data is relative to it."""

USER = "ines"


def fixed_clock() -> datetime:
    """The app's clock in every test: always NOW."""
    return NOW


class FakeClassifier:
    """A keyword classifier whose answers never change when the real model is retrained."""

    TASK_WORDS = frozenset({"book", "send", "post", "schedule", "call", "enter"})
    OPS_WORDS = frozenset({"choose", "plan", "design", "process", "policy", "strategy"})

    def suggest(self, text: str) -> Suggestion | None:
        words = set(re.findall(r"[a-z]+", text.lower()))
        if not words:
            return None
        if found := sorted(words & self.OPS_WORDS):
            return Suggestion("ops", 0.9, [f"“{found[0]}” is systems work"])
        if found := sorted(words & self.TASK_WORDS):
            return Suggestion("task", 0.9, [f"“{found[0]}” is routine execution"])
        return Suggestion("task", 0.55, ["no strong words; routine by default"])

    def suggest_many(self, texts: Iterable[str]) -> list[Suggestion | None]:
        return [self.suggest(text) for text in texts]

    def with_examples(self, pairs: Iterable[tuple[str, str]]) -> FakeClassifier:
        return self


FAKE_CLASSIFIER = FakeClassifier()

REAL_CLASSIFIER = TriageService.classifier
"""The service's own method, kept before any test replaces it with the fake."""


def make_deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    """Suggest with the keyword fake, not the trained model, count item ids up (`00000001`,
    ...) so that pictures and lookups are reproducible, and fill the workload pane right after
    the first frame rather than 0.3 s later (no test waits for it)."""
    monkeypatch.setattr(TriageService, "classifier", lambda self: FAKE_CLASSIFIER)
    counter = itertools.count(1)
    monkeypatch.setattr(service_module, "new_item_id", lambda: f"{next(counter):08x}")
    monkeypatch.setattr(main_screen, "WORKLOAD_DELAY_SECONDS", 0.01)


def new_db_path(tmp_path: Path) -> Path:
    """Where a test's database lives (created by `seed` or by the app)."""
    folder = tmp_path / "db"
    folder.mkdir()
    return folder / "queue.json"


# Twelve open items: five unsorted (two that need review), and some in every lane.
SEED_ROWS: list[dict[str, Any]] = [
    {"title": "book flights to Lisbon", "due": "2026-11-25", "estimate_minutes": 45,
     "tags": ["travel"], "notes": "Window seat, hand luggage only."},
    {"title": "choose a CRM platform", "due": "2026-11-27", "estimate_minutes": 120},
    {"title": "tidy the shared drive"},
    {"title": "send November invoices", "due": "2026-11-21", "estimate_minutes": 30,
     "tags": ["billing"]},
    {"title": "review supplier contracts", "due": "2026-12-02", "estimate_minutes": 60},
    {"title": "call the accountant", "lane": "task", "assignee": "maya", "due": "2026-11-24",
     "estimate_minutes": 15},
    {"title": "post the weekly newsletter", "lane": "task", "recurrence": "FREQ=WEEKLY;BYDAY=MO",
     "due": "2026-11-23", "estimate_minutes": 30},
    {"title": "enter receipts into Xero", "lane": "task", "estimate_minutes": 90},
    {"title": "design the onboarding process", "lane": "ops", "due": "2026-11-26",
     "estimate_minutes": 180},
    {"title": "plan Q1 hiring", "lane": "ops", "estimate_minutes": 120},
    {"title": "write the keynote talk", "lane": "keep", "due": "2026-11-30",
     "estimate_minutes": 240},
    {"title": "coffee with our best client", "lane": "keep", "due": "2026-11-25"},
]


def seed(path: Path, rows: list[dict[str, Any]] | None = None, user: str = USER) -> list[Item]:
    """Store `rows` (SEED_ROWS by default) through the service, at NOW; returns the items."""
    service = TriageService(Store(path).open(), user, clock=fixed_clock)
    return service.add_items(SEED_ROWS if rows is None else rows)


def service_as(path: Path, user: str) -> TriageService:
    """Another person's session on the same file (its own Store, as another process has)."""
    return TriageService(Store(path).open(), user, clock=fixed_clock)


def stored(path: Path) -> dict[str, Item]:
    """What the database file holds now, by id, read by a fresh Store."""
    return {item.id: item for item in Store(path).open().items()}


def build_app(
    path: Path, settings: Settings | None = None, settings_file: Path | None = None,
    user: str = USER,
):
    """The app as the CLI builds it, on `path`, at NOW."""
    from triage_tui.app.main import make_app

    return make_app(db=path, user=user, settings=settings or Settings(),
                    settings_file=settings_file, clock=fixed_clock)


async def settle(pilot: Pilot) -> None:
    """Wait until the workload pane has its figures and no worker or message is pending."""
    from triage_tui.app.panes import WorkloadPane

    def filled() -> bool:  # the screen may not be composed yet when a snapshot starts
        panes = pilot.app.screen_stack[0].query(WorkloadPane)
        return bool(panes) and panes.first().loads is not None

    assert await wait_until(pilot, filled), "the workload pane never filled"
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def wait_until(pilot: Pilot, condition: Callable[[], bool], timeout: float = 3.0) -> bool:
    """Poll `condition` while the app runs; True as soon as it holds, False after `timeout`."""
    steps = int(timeout / 0.05)
    for _ in range(steps):
        if condition():
            return True
        await pilot.pause(0.05)
    return condition()
