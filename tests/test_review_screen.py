"""The review screen (`w`) driven through the real app: weeks, sections, advice acted on.

The data is built through the service at fixed times (Wednesday 25 November 2026, London) with
a fake classifier that answers from a table, so what the screen shows is known in advance.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from textual.pilot import Pilot
from textual.widgets import OptionList, Static

from triage_tui.app.main import make_app
from triage_tui.app.main_screen import MainScreen
from triage_tui.app.review import ReviewScreen
from triage_tui.config import Settings
from triage_tui.domain.model import Suggestion
from triage_tui.service import TriageService
from triage_tui.store.db import Store

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)

SUGGESTIONS = {
    "answer customer emails": Suggestion("task", 0.9, ["replies to messages"]),
    "choose accounting software": Suggestion("ops", 0.95, ["chooses a tool"]),
    "[bold]post[/] on Instagram": Suggestion("task", 0.85, ["posts prepared content"]),
    "call the accountant": Suggestion("task", 0.9, ["makes a call"]),
}


class TableClassifier:
    """Suggests what SUGGESTIONS says for a title, nothing otherwise."""

    def suggest(self, text: str) -> Suggestion | None:
        return SUGGESTIONS.get(text)

    def suggest_many(self, texts):
        return [self.suggest(text) for text in texts]

    def with_examples(self, pairs):
        return self


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture(autouse=True)
def _fake_classifier(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TriageService, "classifier", lambda self: TableClassifier())


def seed(path: Path) -> None:
    """An old owner item left alone, then this week's work, as people would have entered it."""
    clock = Clock(datetime(2026, 10, 20, 9, 0, tzinfo=LONDON))
    service = TriageService(Store(path).open(), "ines", Settings(), clock)
    service.add_items([{"title": "renew passport", "lane": "keep"}])
    clock.now = datetime(2026, 11, 23, 9, 0, tzinfo=LONDON)
    service.add_items([
        {"title": "answer customer emails", "lane": "keep", "due": "2026-11-26",
         "estimate_minutes": 20, "recurrence": "FREQ=DAILY"},
        {"title": "choose accounting software", "lane": "keep", "estimate_minutes": 120},
        {"title": "[bold]post[/] on Instagram", "lane": "keep", "estimate_minutes": 30,
         "claimed_by": "maya", "claimed_at": "2026-11-25T09:00:00+00:00"},
        {"title": "call the accountant", "lane": "task", "due": "2026-11-24",
         "estimate_minutes": 15},
        {"title": "design the onboarding process", "lane": "ops", "due": "2026-12-01",
         "estimate_minutes": 660},
        {"title": "filed receipts", "lane": "task", "status": "done", "estimate_minutes": 45,
         "completed_at": "2026-11-24T10:00:00+00:00"},
        {"title": "October filing", "lane": "task", "status": "done", "estimate_minutes": 90,
         "completed_at": "2026-10-06T10:00:00+00:00"},
    ])
    (drive,) = service.add_items([{"title": "tidy the shared drive"}])
    clock.now = datetime(2026, 11, 24, 11, 0, tzinfo=LONDON)
    service.set_lane([drive.id], "task")


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = tmp_path / "db" / "queue.json"
    path.parent.mkdir()
    seed(path)
    return path


def build(db_path: Path):
    return make_app(db=db_path, user="ines", settings=Settings(), clock=lambda: NOW)


async def settle(pilot: Pilot) -> None:
    await pilot.app.workers.wait_for_complete()
    await pilot.pause()


async def open_review(pilot: Pilot) -> ReviewScreen:
    await settle(pilot)
    await pilot.press("w")
    await settle(pilot)
    assert isinstance(pilot.app.screen, ReviewScreen)
    return pilot.app.screen


def text(screen: ReviewScreen, selector: str) -> str:
    return str(screen.query_one(selector, Static).content)


def advice_lines(screen: ReviewScreen) -> list[str]:
    options = screen.query_one(OptionList)
    return [options.get_option_at_index(index).prompt.plain.split("\n")[0].strip()
            for index in range(options.option_count)]


def lane_of(db_path: Path, title: str) -> str:
    (found,) = [item for item in Store(db_path).open().items() if item.title == title]
    return found.lane


def record_notes(app) -> list[str]:
    notes: list[str] = []
    original = app.notify

    def notify(message, **options):
        notes.append(message)
        return original(message, **options)

    app.notify = notify
    return notes


# ---------------------------------------------------------------- what it shows


async def test_w_opens_the_review_of_this_week(db_path):
    app = build(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_review(pilot)
        stats = screen.query_one("#review-stats")
        assert stats.border_title == "Review 2026-W48 · Mon 23 Nov – Sun 29 Nov 2026"
        # Added this week: 7 on Monday (two entered as done) + the drive; triaged: the drive.
        assert text(screen, "#review-counts") == (
            "Added 8  ·  Triaged 1  ·  Still unsorted 0  ·  Overdue 1")
        roles = text(screen, "#review-roles").splitlines()
        assert roles[0].split() == ["done", "hours", "open", "hours", "done", "W41–W48"]
        assert roles[1].split() == ["VA", "1", "45m", "2", "█▁▁▁▁▁▁▅", "45m"]
        load = text(screen, "#review-load")
        assert "Next week 2026-W49 against capacity" in load
        assert "110% over 11h/10h · 1 item" in load  # the onboarding design, 11 h of 10
        assert "Wed 25 Nov" not in text(screen, "#review-overdue")
        assert "call the accountant  1d late" in text(screen, "#review-overdue")
        # Most frequent first, then the surest; the untouched passport last.
        assert advice_lines(screen) == [
            "→ VA  answer customer emails",
            "→ OM  choose accounting software",
            "→ VA  [bold]post[/] on Instagram",  # markup in a title is shown as typed
            "→ VA  renew passport",
        ]
        second = screen.query_one(OptionList).get_option_at_index(0).prompt.plain
        assert second.endswith("repeats every day, 364 times a year; routine task work (90%): "
                               "replies to messages")


async def test_left_right_and_brackets_change_the_week(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        stats = screen.query_one("#review-stats")
        await pilot.press("right")
        await settle(pilot)
        assert stats.border_title.startswith("Review 2026-W49 ")
        assert text(screen, "#review-counts").startswith("Added 0  ·  Triaged 0")
        await pilot.press("left", "left")
        await settle(pilot)
        assert stats.border_title.startswith("Review 2026-W47 ")
        assert text(screen, "#review-roles").splitlines()[1].split()[:3] == ["VA", "0", "0m"]
        await pilot.press("right_square_bracket")
        await settle(pilot)
        assert stats.border_title.startswith("Review 2026-W48 ")
        await pilot.press("left_square_bracket", "left_square_bracket", "left_square_bracket")
        await settle(pilot)
        assert "That week is over" in text(screen, "#review-load")  # W45: next week was W46


# ---------------------------------------------------------------- acting on advice


async def test_t_o_and_enter_hand_items_over_and_the_lines_go(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        notes = record_notes(app)
        await pilot.press("t")  # the first line: answer customer emails
        await settle(pilot)
        assert lane_of(db_path, "answer customer emails") == "task"
        assert notes[-1] == "“answer customer emails” handed to the VA (task)"
        assert "→ VA  answer customer emails" not in advice_lines(screen)
        await pilot.press("enter")  # the cursor stays on the first line, now the software: OM
        await settle(pilot)
        assert lane_of(db_path, "choose accounting software") == "ops"
        assert notes[-1] == "“choose accounting software” handed to the OM (ops)"
        await pilot.press("down", "o")  # past Instagram to the passport: OM, not the VA advised
        await settle(pilot)
        assert lane_of(db_path, "renew passport") == "ops"
        assert advice_lines(screen) == ["→ VA  [bold]post[/] on Instagram"]
        assert text(screen, "#review-counts").startswith("Added 8  ·  Triaged 4")


async def test_a_claimed_item_is_refused_and_its_line_stays(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        notes = record_notes(app)
        await pilot.press("down", "down", "t")
        await settle(pilot)
        assert lane_of(db_path, "[bold]post[/] on Instagram") == "keep"
        assert notes[-1] == "“[bold]post[/] on Instagram” is claimed by maya"
        assert "→ VA  [bold]post[/] on Instagram" in advice_lines(screen)


async def test_a_read_only_session_refuses_with_a_message(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        app.service.store.read_only = True
        notes = record_notes(app)
        await pilot.press("t", "enter")
        await settle(pilot)
        assert lane_of(db_path, "answer customer emails") == "keep"
        assert notes == ["Read-only: this queue cannot be changed from here"] * 2
        assert len(advice_lines(screen)) == 4


# ---------------------------------------------------------------- export, close, sizes


async def test_e_exports_markdown_to_the_current_folder(db_path, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot)
        notes = record_notes(app)
        await pilot.press("e")
        target = tmp_path / "triage-review-2026-W48.md"
        assert notes == [f"Review saved to {target}"]
        written = target.read_text(encoding="utf-8")
        assert written.startswith("# Weekly review 2026-W48 (Mon 23 Nov – Sun 29 Nov 2026)")
        assert r"- **\[bold\]post\[/\] on Instagram** → VA" in written


@pytest.mark.parametrize("key", ["escape", "q"])
async def test_escape_and_q_close_the_review_not_the_app(db_path, key):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        await open_review(pilot)
        await pilot.press(key)
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert app.is_running


async def test_fits_80x24_by_scrolling_and_140x40_without(db_path):
    app = build(db_path)
    async with app.run_test(size=(80, 24)) as pilot:
        screen = await open_review(pilot)
        stats, advice = screen.query_one("#review-stats"), screen.query_one(OptionList)
        assert stats.max_scroll_y > 0 and stats.region.height >= 8
        assert advice.region.height >= 4 and advice.region.bottom <= 23
        assert screen.query_one("#review-overdue").region.height > 0
    app = build(db_path)
    async with app.run_test(size=(140, 40)) as pilot:
        screen = await open_review(pilot)
        assert screen.query_one("#review-stats").max_scroll_y == 0
        assert screen.query_one(OptionList).max_scroll_y == 0


# ---------------------------------------------------------------- the picture


def test_review_screen_80x24(db_path, snap_compare) -> None:
    """The review of 2026-W48 at 80×24: counts, done per role with sparklines, next week's
    bars (OM over capacity in the error colour), and four advice lines below, the first
    highlighted; markup in a title shown as typed."""

    async def reviewed(pilot: Pilot) -> None:
        await open_review(pilot)

    assert snap_compare(build(db_path), terminal_size=(80, 24), run_before=reviewed)
