"""Settings changed from inside the app: capacities from the command palette."""

from __future__ import annotations

import json

import pytest
from app_support import build_app, make_deterministic, new_db_path, seed, settle, wait_until
from textual.command import CommandPalette
from textual.widgets import OptionList, Static

from triage_tui.app.main_screen import MainScreen


@pytest.fixture(autouse=True)
def _deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    make_deterministic(monkeypatch)


async def _run_palette(pilot, text: str) -> None:
    await pilot.press("ctrl+p")
    assert isinstance(pilot.app.screen, CommandPalette)
    for char in text:
        await pilot.press("space" if char == " " else char)
    results = pilot.app.screen.query_one(OptionList)
    assert await wait_until(pilot, lambda: results.option_count > 0)
    await pilot.press("enter")
    await pilot.pause()


def _workload_text(app) -> str:
    return str(app.screen.query_one("#workload-body", Static).render())


async def test_va_capacity_is_set_from_the_palette_saved_and_shown(tmp_path) -> None:
    path = new_db_path(tmp_path)
    seed(path)
    settings_file = tmp_path / "config.json"
    app = build_app(path, settings_file=settings_file)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        assert await wait_until(pilot, lambda: "of 20h" in _workload_text(app))
        await _run_palette(pilot, "Capacity: set VA")
        field = app.screen.query_one("#prompt-input")
        field.value = ""
        for char in "25h":
            await pilot.press(char)
        await pilot.press("enter")
        await settle(pilot)
        assert isinstance(app.screen, MainScreen)
        assert await wait_until(pilot, lambda: "of 25h" in _workload_text(app))
    assert json.loads(settings_file.read_text())["capacity_minutes"]["va"] == 25 * 60


async def test_a_capacity_that_is_not_a_duration_changes_nothing(tmp_path) -> None:
    path = new_db_path(tmp_path)
    seed(path)
    settings_file = tmp_path / "config.json"
    app = build_app(path, settings_file=settings_file)
    async with app.run_test(size=(140, 40)) as pilot:
        await settle(pilot)
        await _run_palette(pilot, "Capacity: set OM")
        app.screen.query_one("#prompt-input").value = "lots"
        await pilot.press("enter")
        await settle(pilot)
        messages = [notification.message for notification in app._notifications]
        assert any("not a duration" in message for message in messages)
        assert app.settings.capacity_minutes["om"] == 10 * 60
    assert not settings_file.exists()
