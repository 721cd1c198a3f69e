"""Pictures of the dashboard (pytest-textual-snapshot): regenerate on purpose, then look at them.

The data is the fixed seed inbox at a fixed Monday, with the keyword fake classifier and counting
ids, so a picture changes only when the app's look does.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import build_app, make_deterministic, new_db_path, seed, settle
from textual.pilot import Pilot
from textual.widgets import Input

from triage_tui.config import Settings
from triage_tui.store.db import Store


@pytest.fixture(autouse=True)
def _deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyword fake classifier and counting ids (see app_support)."""
    make_deterministic(monkeypatch)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return new_db_path(tmp_path)


def seeded_app(db_path: Path, theme: str = "triage-dark"):
    seed(db_path)
    return build_app(db_path, settings=Settings(theme=theme))


async def workload_filled(pilot: Pilot) -> None:
    """The workload pane fills just after the first frame: wait for it."""
    await settle(pilot)


async def quick_add_typed(pilot: Pilot) -> None:
    await workload_filled(pilot)
    await pilot.press("n")
    field = pilot.app.screen.query_one("#quick-add-input", Input)
    field.cursor_blink = False
    field.insert_text_at_cursor("schedule team call fri 3pm ~1.5h every 2 weeks #team @maya")
    await pilot.pause()


def test_main_dark_80x24(db_path, snap_compare) -> None:
    """Dark, stacked: inbox on top (11 rows, unsorted first, cursor on the overdue invoice),
    the triage pane below it, footer keys; nothing cut mid-word except with an ellipsis."""
    assert snap_compare(seeded_app(db_path), terminal_size=(80, 24), run_before=workload_filled)


def test_main_light_80x24(db_path, snap_compare) -> None:
    """The same screen in triage-light: dark text on a light background, readable badges."""
    assert snap_compare(seeded_app(db_path, "triage-light"), terminal_size=(80, 24),
                        run_before=workload_filled)


def test_main_dark_140x40(db_path, snap_compare) -> None:
    """Dark, side by side: inbox (all 12 rows), triage pane with meter and reasons, and the
    workload pane with VA, OM and owner bars."""
    assert snap_compare(seeded_app(db_path), terminal_size=(140, 40), run_before=workload_filled)


def test_main_light_140x40(db_path, snap_compare) -> None:
    """The three panes side by side in triage-light."""
    assert snap_compare(seeded_app(db_path, "triage-light"), terminal_size=(140, 40),
                        run_before=workload_filled)


def test_workload_pane_80x24(db_path, snap_compare) -> None:
    """Stacked, after tab tab: the workload pane replaces the triage pane under the inbox."""
    assert snap_compare(seeded_app(db_path), press=["tab", "tab"], terminal_size=(80, 24),
                        run_before=workload_filled)


def test_help_80x24(db_path, snap_compare) -> None:
    """The help modal over the main screen: "Keys" box listing the inbox-list keys first."""
    assert snap_compare(seeded_app(db_path), press=["question_mark"], terminal_size=(80, 24),
                        run_before=workload_filled)


def test_quick_add_preview_80x24(db_path, snap_compare) -> None:
    """Quick add with a typed line: the line coloured by part, then title, due Friday 15:00,
    estimate 1h30, repeats every 2 weeks, tags, assignee and the suggested lane."""
    assert snap_compare(seeded_app(db_path), terminal_size=(80, 24), run_before=quick_add_typed)


def test_empty_state_80x24(db_path, snap_compare) -> None:
    """An empty database: "Inbox 0" and the centred "Inbox zero. Press n to add an item" text."""
    Store(db_path).open()
    assert snap_compare(build_app(db_path), terminal_size=(80, 24), run_before=workload_filled)
