"""The dashboard driven through Pilot: every key of issue 4, checked on screen and in the file.

Each test builds a fresh app on a temp database seeded at a fixed Monday (see app_support).
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest
from app_support import (
    NOW,
    REAL_CLASSIFIER,
    USER,
    build_app,
    make_deterministic,
    new_db_path,
    seed,
    service_as,
    settle,
    stored,
    wait_until,
)
from textual.command import CommandPalette
from textual.content import Content
from textual.widget import Widget
from textual.widgets import Input, OptionList, Static, TextArea

from triage_tui.app.edit import EditScreen
from triage_tui.app.help import HelpScreen
from triage_tui.app.inbox_list import InboxList
from triage_tui.app.main_screen import MainScreen
from triage_tui.app.panes import DetailPane, WorkloadPane
from triage_tui.app.quick_add import QuickAddScreen
from triage_tui.config import Settings, config_dir
from triage_tui.domain.model import Item, now_iso
from triage_tui.service import TriageService
from triage_tui.store.db import Store, StoreError

WIDE = (140, 40)
NARROW = (80, 24)

# Seeded ids, in the default order ("unsorted first", then due): see SEED_ROWS.
INVOICES, FLIGHTS, CRM, SUPPLIERS, DRIVE = "00000004", "00000001", "00000002", "00000005", \
    "00000003"
NEWSLETTER, ACCOUNTANT = "00000007", "00000006"
UNSORTED_ORDER = [INVOICES, FLIGHTS, CRM, SUPPLIERS, DRIVE]


# -- helpers ------------------------------------------------------------------------------------
def main(app) -> MainScreen:
    """The main screen, even while a modal is on top of it."""
    screen = app.screen_stack[0]
    assert isinstance(screen, MainScreen)
    return screen


def inbox(app) -> InboxList:
    return main(app).query_one(InboxList)


def row_ids(app) -> list[str]:
    return [row.item_id for row in inbox(app).rows]


def row_of(app, item_id: str):
    return next(row for row in inbox(app).rows if row.item_id == item_id)


def line_of(app, item_id: str) -> str:
    """The rendered text of the item's inbox line (it must be on screen)."""
    widget = inbox(app)
    index = row_ids(app).index(item_id) - widget.scroll_offset.y
    assert 0 <= index < widget.scrollable_content_region.height, "row is not on screen"
    return widget.render_line(index).text


def title(app) -> str:
    return str(main(app).query_one("#inbox-pane").border_title)


def subtitle(app) -> str:
    return str(main(app).query_one("#inbox-pane").border_subtitle)


def plain(static: Static) -> str:
    content = static.content
    return content.plain if isinstance(content, Content) else str(content)


def detail(app) -> str:
    return plain(main(app).query_one("#detail-body", Static))


def messages(app) -> list[str]:
    return [notification.message for notification in app._notifications]


def screen_text(app) -> list[str]:
    """What the terminal would show now, line by line."""
    return [strip.text for strip in app.screen._compositor.render_strips()]


def audit_of(path: Path, item_id: str) -> list:
    return [row for row in Store(path).open().audit() if row.item_id == item_id]


async def type_text(pilot, text: str, keys: int = 2) -> None:
    """Type into the focused field: the last `keys` characters as key presses, the rest pasted
    in one go (each press costs ~50 ms; both paths post the same Changed messages)."""
    head, tail = text[:-keys], text[-keys:]
    if head:
        field = pilot.app.focused
        if isinstance(field, TextArea):
            field.insert(head)
        else:
            assert isinstance(field, Input)
            field.insert_text_at_cursor(head)
    await pilot.press(*[{" ": "space"}.get(char, char) for char in tail])


@pytest.fixture(autouse=True)
def _deterministic(monkeypatch: pytest.MonkeyPatch) -> None:
    """The keyword fake classifier and counting ids (see app_support)."""
    make_deterministic(monkeypatch)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    return new_db_path(tmp_path)


@pytest.fixture
def seeded(db_path: Path) -> dict[str, Item]:
    """The twelve seed items, by id."""
    return {item.id: item for item in seed(db_path)}


# -- start ---------------------------------------------------------------------------------------
async def test_start_shows_the_inbox_its_count_sort_and_the_first_item(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert title(app) == "Inbox 12"
        assert subtitle(app) == "sort: unsorted first"
        assert row_ids(app)[:5] == UNSORTED_ORDER
        assert inbox(app).cursor_item_id == INVOICES
        first = line_of(app, INVOICES)
        assert first.startswith("▸ ···· send November invoices")
        assert "→task 90%" in first and "overdue 2d" in first and "30m" in first
        assert "→task 55%?" in line_of(app, DRIVE)  # needs review
        assert "@maya" in line_of(app, ACCOUNTANT)
        text = detail(app)
        assert text.startswith("send November invoices\nunsorted · 00000004")
        assert "Suggested task (VA)" in text and "90%" in text and "#billing" in text
        assert "2 days ago" in text
        workload = plain(main(app).query_one("#workload-body", Static))
        assert "VA" in workload and "OM" in workload and "Owner" in workload
        assert app.sub_title == f"{USER} · queue.json"
        assert app.focused is inbox(app)


async def test_j_k_and_the_arrows_move_the_cursor_and_the_detail_follows(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("j")
        assert inbox(app).cursor_item_id == FLIGHTS
        assert line_of(app, FLIGHTS).startswith("▸")
        assert not line_of(app, INVOICES).startswith("▸")
        await pilot.press("down")
        assert inbox(app).cursor_item_id == CRM
        await pilot.pause()
        assert detail(app).startswith("choose a CRM platform")
        await pilot.press("k")
        assert inbox(app).cursor_item_id == FLIGHTS
        await pilot.press("up", "up", "k")  # stops at the top
        assert inbox(app).cursor_item_id == INVOICES
        await pilot.pause()
        assert detail(app).startswith("send November invoices")
    assert {item.version for item in stored(db_path).values()} == {1}  # moving changes nothing


# -- triage keys ---------------------------------------------------------------------------------
@pytest.mark.parametrize(("key", "lane", "badge", "label"), [
    ("t", "task", "TASK", "Sent to the VA: 1 item"),
    ("o", "ops", "OPS ", "Sent to the OM: 1 item"),
    ("m", "keep", "KEEP", "Kept: 1 item"),
])
async def test_a_triage_key_sets_the_lane_and_moves_to_the_next_unsorted_item(
    db_path, seeded, key, lane, badge, label
) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press(key)
        await pilot.pause()
        item = stored(db_path)[INVOICES]
        assert (item.lane, item.lane_source, item.version, item.updated_by) == (
            lane, "manual", 2, USER)
        rows = [row for row in audit_of(db_path, INVOICES) if row.field == "lane"]
        assert [(row.action, row.user, row.old, row.new) for row in rows] == [
            (f"tag {lane}", USER, "unsorted", lane)]
        assert row_of(app, INVOICES).lane == lane
        assert line_of(app, INVOICES)[2:6] == badge
        assert inbox(app).cursor_item_id == FLIGHTS
        assert line_of(app, FLIGHTS).startswith("▸ ····")
        assert detail(app).startswith("book flights to Lisbon")
        assert label in messages(app)
        assert title(app) == "Inbox 12"
    others = {item_id: item for item_id, item in stored(db_path).items() if item_id != INVOICES}
    assert all(item.version == 1 for item in others.values())


async def test_rows_keep_their_places_after_a_triage_key(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        before = row_ids(app)
        await pilot.press("t")
        assert row_ids(app) == before  # updated in place at once
        await pilot.pause(1.1)  # two polls
        assert row_ids(app) == before


async def test_after_the_last_unsorted_item_the_cursor_wraps_to_the_first(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("j", "j", "j", "j")
        assert inbox(app).cursor_item_id == DRIVE
        await pilot.press("o")
        assert stored(db_path)[DRIVE].lane == "ops"
        assert inbox(app).cursor_item_id == INVOICES


async def test_a_and_enter_accept_the_suggestion(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("a")
        await pilot.pause()
        assert inbox(app).cursor_item_id == FLIGHTS
        await pilot.press("enter")
        await pilot.pause()
        assert inbox(app).cursor_item_id == CRM
        await pilot.press("a")
        await pilot.pause()
        db = stored(db_path)
        for item_id, lane in [(INVOICES, "task"), (FLIGHTS, "task"), (CRM, "ops")]:
            assert (db[item_id].lane, db[item_id].lane_source, db[item_id].version) == (
                lane, "suggested", 2)
            assert row_of(app, item_id).lane == lane
            assert [row.action for row in audit_of(db_path, item_id)][-1] == "accept"
        assert line_of(app, CRM)[2:6] == "OPS "
        assert "→" not in line_of(app, CRM)  # a sorted item shows no suggestion
        assert "Accepted: 1 item" in messages(app)
        assert inbox(app).cursor_item_id == SUPPLIERS


async def test_enter_on_an_item_i_kept_does_not_hand_it_over(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        inbox(app).move_cursor_to("0000000c")  # "coffee with our best client", kept
        assert "→" not in line_of(app, "0000000c")  # no suggestion on screen
        await pilot.press("enter")
        await pilot.pause()
        item = stored(db_path)["0000000c"]
        assert (item.lane, item.lane_source) == ("keep", "manual")


async def test_space_selects_and_a_triage_key_applies_to_the_whole_selection(
    db_path, seeded
) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("space", "space")
        assert inbox(app).selected_ids == {INVOICES, FLIGHTS}
        assert inbox(app).cursor_item_id == CRM
        assert line_of(app, INVOICES)[1] == "●" and line_of(app, FLIGHTS)[1] == "●"
        assert line_of(app, CRM)[1] == " "
        await pilot.press("o")
        await pilot.pause()
        db = stored(db_path)
        assert db[INVOICES].lane == db[FLIGHTS].lane == "ops"
        assert db[CRM].lane == "unsorted"
        assert row_of(app, INVOICES).lane == row_of(app, FLIGHTS).lane == "ops"
        assert inbox(app).selected_ids == frozenset()
        assert line_of(app, INVOICES)[1] == " "
        assert "Sent to the OM: 2 items" in messages(app)
        assert inbox(app).cursor_item_id == SUPPLIERS  # the next unsorted after the cursor
        await pilot.press("space", "escape")  # Escape clears the selection
        assert inbox(app).selected_ids == frozenset()
        await pilot.press("k", "t")
        db = stored(db_path)
        assert (db[SUPPLIERS].lane, db[DRIVE].lane) == ("task", "unsorted")  # the cursor item only


# -- quick add -----------------------------------------------------------------------------------
QUICK_LINE = "schedule team call fri 3pm ~1.5h every 2 weeks #team @maya"


async def test_n_shows_a_live_preview_and_enter_saves_the_item(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        assert isinstance(app.screen, QuickAddScreen)
        preview = app.screen.query_one("#quick-add-preview", Static)
        assert "preview shows what the line will become" in plain(preview)
        await type_text(pilot, "schedule team", keys=13)
        assert plain(preview).splitlines()[2] == "Title     schedule team"
        await type_text(pilot, QUICK_LINE.removeprefix("schedule team"))
        shown = plain(preview)
        assert shown.startswith(QUICK_LINE + "\n\n")
        for expected in ["Title     schedule team call", "Due       ", "Friday",
                         "Estimate  1h30", "Repeats   ", "Tags      #team",
                         "Assignee  maya", "Suggested task (VA) 90%"]:
            assert expected in shown, expected
        assert stored(db_path).keys() == seeded.keys()  # nothing saved while typing
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        new = stored(db_path)["0000000d"]
        assert (new.title, new.due, new.estimate_minutes, new.recurrence, new.tags,
                new.assignee, new.lane, new.created_by) == (
            "schedule team call", "2026-11-27T15:00:00+00:00", 90, "FREQ=WEEKLY;INTERVAL=2",
            ["team"], "maya", "unsorted", USER)
        assert (new.suggestion.lane, new.suggestion.confidence) == ("task", 0.9)
        assert title(app) == "Inbox 13"
        assert inbox(app).cursor_item_id == "0000000d"
        line = line_of(app, "0000000d")
        assert "schedule team call" in line and "fri" in line and "1h30" in line
        assert detail(app).startswith("schedule team call")
        assert "Added “schedule team call”" in messages(app)


async def test_quick_add_with_a_lane_saves_it_in_that_lane(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        await type_text(pilot, "renew domain fri ~15m #admin !ops")
        assert "Lane      ops (OM)" in plain(app.screen.query_one("#quick-add-preview", Static))
        await pilot.press("enter")
        await pilot.pause()
        new = stored(db_path)["0000000d"]
        assert (new.title, new.lane, new.due, new.estimate_minutes) == (
            "renew domain", "ops", "2026-11-27", 15)
        assert row_of(app, "0000000d").lane == "ops"


async def test_quick_add_refuses_an_empty_line_and_escape_cancels(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n", "space", "enter")
        assert isinstance(app.screen, QuickAddScreen)
        assert "Type something first, or Esc to cancel" in messages(app)
        await type_text(pilot, "never saved fri")
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert title(app) == "Inbox 12"
        assert "never saved" not in {row.title for row in inbox(app).rows}
    assert stored(db_path).keys() == seeded.keys()


async def test_quick_add_points_out_what_it_could_not_read(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        await type_text(pilot, "pay rent feb 30")
        assert '! could not read the date "feb 30"' in plain(
            app.screen.query_one("#quick-add-preview", Static))
        await pilot.press("enter")
        await pilot.pause()
        new = stored(db_path)["0000000d"]
        assert (new.title, new.due) == ("pay rent feb 30", None)  # nothing silently dropped
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert warnings == ['Added “pay rent feb 30” (could not read the date "feb 30")']


# -- edit ----------------------------------------------------------------------------------------
async def test_e_edits_title_due_and_estimate_and_ctrl_s_saves(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("e")
        assert isinstance(app.screen, EditScreen)
        assert app.focused.id == "edit-field-title"
        await pilot.press("ctrl+u")
        await type_text(pilot, "send the invoices")
        await pilot.press("tab")
        assert app.focused.id == "edit-field-due"
        app.focused.value = "fri"
        app.screen.query_one("#edit-field-estimate", Input).value = "1h"
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        item = stored(db_path)[INVOICES]
        assert (item.title, item.due, item.estimate_minutes, item.version) == (
            "send the invoices", "2026-11-27", 60, 2)
        fields = {row.field for row in audit_of(db_path, INVOICES) if row.action == "edit"}
        assert fields == {"title", "due", "estimate_minutes"}
        line = line_of(app, INVOICES)
        assert "send the invoices" in line and "fri" in line and " 1h" in line
        assert "overdue" not in line
        assert detail(app).startswith("send the invoices")
        assert "Saved" in messages(app)


async def test_an_impossible_due_date_is_refused_and_nothing_is_saved(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("e", "tab", "ctrl+u")
        await type_text(pilot, "feb 30")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)  # the form stays open to fix it
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == ['due: could not read the date "feb 30"']
        assert stored(db_path)[INVOICES] == seeded[INVOICES]
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert "overdue 2d" in line_of(app, INVOICES)
    assert stored(db_path)[INVOICES] == seeded[INVOICES]


async def test_ctrl_e_falls_back_to_the_in_app_notes_editor(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("ctrl+e")  # App.suspend is not supported under run_test
        await pilot.pause()
        assert isinstance(app.screen, EditScreen)
        assert isinstance(app.focused, TextArea) and app.focused.id == "edit-field-notes"
        await type_text(pilot, "Ask Sam for the PO numbers")
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        item = stored(db_path)[INVOICES]
        assert (item.notes, item.version) == ("Ask Sam for the PO numbers", 2)
        assert detail(app).endswith("\nAsk Sam for the PO numbers")


# -- done, drop, undo, redo ----------------------------------------------------------------------
async def test_d_marks_done_and_the_item_leaves_the_inbox(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("d")
        await pilot.pause()
        item = stored(db_path)[INVOICES]
        assert (item.status, item.completed_at) == ("done", now_iso(NOW))
        assert INVOICES not in row_ids(app)
        assert title(app) == "Inbox 11"
        assert inbox(app).cursor_item_id == FLIGHTS
        assert detail(app).startswith("book flights to Lisbon")
        assert "Done: 1 item" in messages(app)


async def test_d_on_a_recurring_item_moves_it_to_its_next_date(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        inbox(app).move_cursor_to(NEWSLETTER)
        assert "today" in line_of(app, NEWSLETTER)
        await pilot.press("d")
        await pilot.pause()
        db = stored(db_path)
        assert (db[NEWSLETTER].status, db[NEWSLETTER].due) == ("open", "2026-11-30")
        occurrence = db["0000000d"]
        assert (occurrence.status, occurrence.recurrence) == ("done", None)
        assert "in 7d" in line_of(app, NEWSLETTER)
        assert title(app) == "Inbox 12"


async def test_x_drops_the_item(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("x")
        await pilot.pause()
        assert stored(db_path)[INVOICES].status == "dropped"
        assert INVOICES not in row_ids(app)
        assert title(app) == "Inbox 11"
        assert "Dropped: 1 item" in messages(app)


async def test_u_undoes_and_ctrl_r_redoes_a_triage(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("u")
        assert "nothing to undo" in messages(app)
        assert {item.version for item in stored(db_path).values()} == {1}
        await pilot.press("t")
        assert stored(db_path)[INVOICES].lane == "task"
        await pilot.press("u")
        assert await wait_until(pilot, lambda: row_of(app, INVOICES).lane == "unsorted")
        assert stored(db_path)[INVOICES].lane == "unsorted"
        assert line_of(app, INVOICES)[2:6] == "····"
        assert "Undid tag task" in messages(app)
        await pilot.press("ctrl+r")
        assert await wait_until(pilot, lambda: row_of(app, INVOICES).lane == "task")
        item = stored(db_path)[INVOICES]
        assert (item.lane, item.lane_source) == ("task", "manual")
        assert "Redid tag task" in messages(app)


async def test_u_brings_back_a_done_item(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("d")
        assert INVOICES not in row_ids(app)
        await pilot.press("u")
        assert await wait_until(pilot, lambda: INVOICES in row_ids(app))
        item = stored(db_path)[INVOICES]
        assert (item.status, item.completed_at) == ("open", None)
        assert title(app) == "Inbox 12"


# -- filter, sort, panes -------------------------------------------------------------------------
async def test_slash_filters_live_enter_keeps_it_and_escape_clears_it(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash")
        field = main(app).query_one("#filter", Input)
        assert field.display and app.focused is field
        await pilot.press("p")
        narrowed = len(row_ids(app))
        assert 1 < narrowed < 12
        assert title(app) == f"Inbox {narrowed} of 12"
        await type_text(pilot, "lan")
        assert [row.title for row in inbox(app).rows] == ["plan Q1 hiring"]
        assert title(app) == "Inbox 1 of 12"
        await pilot.press("enter")
        assert app.focused is inbox(app)
        assert field.display and field.value == "plan"
        assert title(app) == "Inbox 1 of 12"
        await pilot.press("j", "k")  # the list works with the filter on
        assert row_ids(app) == ["0000000a"]
        await pilot.press("escape")
        assert title(app) == "Inbox 12"
        assert len(row_ids(app)) == 12
        assert not field.display and field.value == ""
        assert app.focused is inbox(app)


async def test_escape_while_typing_the_filter_clears_it(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("slash")
        await type_text(pilot, "xero")
        assert row_ids(app) == ["00000008"]
        await pilot.press("z", "z")
        assert row_ids(app) == [] and title(app) == "Inbox 0 of 12"
        await pilot.pause()
        widget = inbox(app)
        middle = widget.scrollable_content_region.height // 2
        assert "Nothing matches the filter. Esc clears it." in widget.render_line(middle).text
        await pilot.press("escape")
        assert title(app) == "Inbox 12" and len(row_ids(app)) == 12
        assert app.focused is inbox(app)


async def test_s_cycles_the_sort_and_the_subtitle_says_which(db_path, seeded) -> None:
    from triage_tui.app.presenters import SORTS

    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("s")
        assert subtitle(app) == "sort: due"
        assert "Sorted by due" in messages(app)
        ids = row_ids(app)
        assert ids[:4] == [INVOICES, NEWSLETTER, ACCOUNTANT, FLIGHTS]
        dues = [seeded[item_id].due for item_id in ids if seeded[item_id].due]
        assert dues == sorted(dues)
        assert inbox(app).cursor_item_id == INVOICES  # the cursor stays on its item
        seen = ["due"]
        for _ in range(len(SORTS) - 1):
            await pilot.press("s")
            seen.append(subtitle(app).removeprefix("sort: "))
            if seen[-1] == "title":
                titles = [row.title.casefold() for row in inbox(app).rows]
                assert titles == sorted(titles)
        assert seen == [*list(SORTS)[1:], "unsorted first"]
        assert row_ids(app)[:5] == UNSORTED_ORDER


async def test_tab_moves_focus_through_the_three_panes_when_wide(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        screen = main(app)
        assert app.focused is inbox(app)
        await pilot.press("tab")
        assert isinstance(app.focused, DetailPane)
        await pilot.press("tab")
        assert isinstance(app.focused, WorkloadPane)
        await pilot.press("tab")
        assert app.focused is inbox(app)
        await pilot.press("shift+tab")
        assert isinstance(app.focused, WorkloadPane)
        for pane in ("#inbox-pane", "#detail", "#workload"):  # side by side, all visible
            region = screen.query_one(pane).region
            assert region.width > 20 and region.height > 20 and region.y == 1, pane


async def test_tab_switches_the_side_pane_at_80x24(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        screen = main(app)
        detail_pane, workload_pane = screen.query_one(DetailPane), screen.query_one(WorkloadPane)
        assert detail_pane.region.width == 80 and workload_pane.region.width == 0
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is detail_pane and detail_pane.region.height > 2
        await pilot.press("tab")
        await pilot.pause()
        assert app.focused is workload_pane
        assert workload_pane.region.width == 80 and workload_pane.region.height > 2
        assert not detail_pane.display
        assert "VA" in "\n".join(screen_text(app))
        await pilot.press("tab")
        assert app.focused is inbox(app)
        assert inbox(app).region.width == 78 and inbox(app).region.height >= 8


@pytest.mark.parametrize("size", [NARROW, WIDE], ids=["80x24", "140x40"])
async def test_no_shown_widget_has_zero_width(db_path, seeded, size) -> None:
    app = build_app(db_path)
    async with app.run_test(size=size) as pilot:
        for _pane in range(3):  # inbox, detail, workload
            await settle(pilot)
            screen = main(app)
            shown = [widget for widget in screen.query(Widget)
                     if all(node.display for node in widget.ancestors_with_self
                            if isinstance(node, Widget))]
            assert len(shown) > 8
            empty = [widget for widget in shown if widget.region.width == 0]
            assert empty == [], f"zero width at {size}: {empty}"
            await pilot.press("tab")
        text = "\n".join(screen_text(app))
        assert "Inbox 12" in text and "send November invoices" in text


# -- help, palette, quit -------------------------------------------------------------------------
async def test_question_mark_lists_every_key_and_escape_closes_it(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("question_mark")
        assert isinstance(app.screen, HelpScreen)
        text = plain(app.screen.query_one("#help Static", Static))
        for binding in MainScreen.BINDINGS:
            assert binding.description in text, binding
        for line in ["t           → VA", "o           → OM", "m           Mine",
                     "a           Accept", "n           Add", "ctrl+r      Redo",
                     "/           Filter", "s           Sort", "tab         Next pane",
                     "j           down", "space       select", "ctrl+p      Command palette",
                     "q           Quit", "?           Help", "ctrl+e      Edit notes"]:
            assert line in text, line
        assert "Keys" in str(app.screen.query_one("#help").border_title)
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


async def test_help_says_what_enter_does(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("question_mark")
        text = plain(app.screen.query_one("#help Static", Static))
        enter_line = next(line for line in text.splitlines() if line.strip().startswith("Enter"))
        assert "ccept" in enter_line


async def test_ctrl_p_finds_drop_and_runs_it(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("ctrl+p")
        assert isinstance(app.screen, CommandPalette)
        await type_text(pilot, "Drop")
        results = app.screen.query_one(OptionList)
        assert await wait_until(pilot, lambda: results.option_count > 0)
        prompts = [str(results.get_option_at_index(i).prompt)
                   for i in range(results.option_count)]
        assert prompts[0] == "Drop\nkey: x"
        await pilot.press("enter")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        assert stored(db_path)[INVOICES].status == "dropped"
        assert INVOICES not in row_ids(app)


async def test_the_palette_lists_every_action_of_the_screen(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW):
        titles = {command.title for command in app.get_system_commands(main(app))}
        for binding in MainScreen.BINDINGS:
            assert binding.description in titles, binding


async def test_q_quits(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("q")
        await pilot.pause()
        assert not app.is_running
    assert app.return_code == 0


# -- claims --------------------------------------------------------------------------------------
async def test_c_claims_for_this_user_and_c_again_releases(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("F")
        assert "Nothing to force: no action was refused" in messages(app)
        await pilot.press("c")
        item = stored(db_path)[INVOICES]
        assert (item.claimed_by, item.claimed_at) == (USER, now_iso(NOW))
        assert f"⚑{USER}" in line_of(app, INVOICES)
        assert f"Claimed  {USER} (since 10:00)" in detail(app)
        assert "Claimed: 1 item" in messages(app)
        await pilot.press("c")
        assert stored(db_path)[INVOICES].claimed_by is None
        assert "⚑" not in line_of(app, INVOICES)


async def test_another_users_claim_refuses_t_until_f_forces_it(db_path, seeded) -> None:
    service_as(db_path, "bob").claim([INVOICES])
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        assert "⚑bob" in line_of(app, INVOICES)
        await pilot.press("t")
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert warnings == ["0 changed, 1 refused: “send November invoices” is claimed by bob "
                            "(F forces it)"]
        assert stored(db_path)[INVOICES].lane == "unsorted"
        assert row_of(app, INVOICES).lane == "unsorted"
        assert inbox(app).cursor_item_id == INVOICES  # a refusal does not move on
        await pilot.press("F")
        item = stored(db_path)[INVOICES]
        assert (item.lane, item.claimed_by) == ("task", "bob")
        assert [row.action for row in audit_of(db_path, INVOICES) if row.field == "lane"] == [
            "tag task (forced)"]
        assert row_of(app, INVOICES).lane == "task"
        assert "Sent to the VA (forced): 1 item" in messages(app)


async def test_a_change_to_an_item_someone_changed_since_is_refused(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        service_as(db_path, "bob").set_lane([INVOICES], "ops")
        main(app).action_triage("task")  # before the app has seen bob's change
        await pilot.pause()
        assert any("bob changed “send November invoices” since you loaded it" in message
                   for message in messages(app))
        item = stored(db_path)[INVOICES]
        assert (item.lane, item.updated_by) == ("ops", "bob")  # bob's work is not overwritten
        assert await wait_until(pilot, lambda: row_of(app, INVOICES).lane == "ops")


async def test_an_edit_refused_because_someone_changed_the_item_keeps_what_was_typed(
    db_path, seeded
) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("e")
        assert isinstance(app.screen, EditScreen)
        app.screen.query_one("#edit-field-notes", TextArea).text = "Ask for the PO numbers"
        service_as(db_path, "bob").edit(INVOICES, {"title": "send the November invoices now"})
        await pilot.press("ctrl+s")
        await pilot.pause()
        assert isinstance(app.screen, EditScreen), "the form stays, with what was typed"
        assert app.screen.query_one("#edit-field-notes", TextArea).text == (
            "Ask for the PO numbers")
        assert any("bob changed" in m and "Your edits are still here" in m
                   for m in messages(app))
        assert stored(db_path)[INVOICES].notes == ""
        await pilot.press("ctrl+s")  # over bob's version: only the field this user changed
        await pilot.pause()
        assert isinstance(app.screen, MainScreen)
        item = stored(db_path)[INVOICES]
        assert (item.title, item.notes) == ("send the November invoices now",
                                           "Ask for the PO numbers")


async def test_a_failed_save_is_reported_and_the_screen_keeps_the_stored_truth(
    db_path, seeded, monkeypatch
) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        def broken(*args, **kwargs):
            raise StoreError(f"{db_path}: could not save (No space left on device)")

        monkeypatch.setattr(app.service.store, "transaction", broken)
        await pilot.press("t")
        await settle(pilot)
        errors = [n.message for n in app._notifications if n.severity == "error"]
        assert errors == [f"{db_path}: could not save (No space left on device)"]
        assert row_of(app, INVOICES).lane == "unsorted"
        assert inbox(app).cursor_item_id == INVOICES
    assert stored(db_path) == seeded


# -- live refresh --------------------------------------------------------------------------------
async def test_another_users_change_shows_within_a_second(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        await pilot.press("slash")
        await type_text(pilot, "the")
        await pilot.press("enter", "j")
        visible = row_ids(app)
        assert len(visible) >= 3 and title(app) == f"Inbox {len(visible)} of 12"
        cursor = inbox(app).cursor_item_id
        assert cursor == visible[1]
        target = visible[2]
        assert row_of(app, target).lane != "ops"
        service_as(db_path, "bob").set_lane([target], "ops")
        assert await wait_until(pilot, lambda: row_of(app, target).lane == "ops")
        assert line_of(app, target)[2:6] == "OPS "
        assert inbox(app).cursor_item_id == cursor
        assert row_ids(app) == visible
        assert title(app) == f"Inbox {len(visible)} of 12"
        assert main(app).query_one("#filter", Input).value == "the"
        others = [n for n in app._notifications if n.title == "Others"]
        assert [n.message for n in others] == ["bob tagged 1 item"]


async def test_another_users_new_item_and_done_item_show_up(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        bob = service_as(db_path, "bob")
        bob.add("book the venue fri")
        bob.complete([FLIGHTS])
        assert await wait_until(pilot, lambda: "0000000d" in row_ids(app))
        assert FLIGHTS not in row_ids(app)
        assert title(app) == "Inbox 12"
        assert inbox(app).cursor_item_id == INVOICES
        summary = next(n.message for n in app._notifications if n.title == "Others")
        assert "bob added 1 item" in summary and "bob completed 1 item" in summary


async def test_another_users_change_is_not_hidden_by_my_own_save(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        service_as(db_path, "bob").set_lane([CRM], "ops")
        main(app).action_triage("task")  # my change lands before the next poll
        assert stored(db_path)[INVOICES].lane == "task"
        assert await wait_until(pilot, lambda: row_of(app, CRM).lane == "ops")


# -- text shown literally ------------------------------------------------------------------------
LITERAL_TITLES = ["[bold red]x[/]", "[link=http://x]y[/link]", "[/]", "\x1b[31mred\x1b[0m"]


async def test_markup_and_escapes_in_titles_show_literally(db_path) -> None:
    seed(db_path, [{"title": title, "notes": f"notes {title}"} for title in LITERAL_TITLES])
    expected = ["[bold red]x[/]", "[link=http://x]y[/link]", "[/]", "red"]
    assert sorted(item.title for item in stored(db_path).values()) == sorted(expected)
    app = build_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await settle(pilot)
        assert [row.title for row in inbox(app).rows] == expected
        for index, text in enumerate(expected):
            item_id = f"{index + 1:08x}"
            inbox(app).move_cursor_to(item_id)
            await pilot.pause()
            assert line_of(app, item_id)[7:].startswith(text + " ")
            assert detail(app).startswith(text + "\n")
            assert detail(app).endswith(f"\nnotes {text}")
            screen = "\n".join(screen_text(app))
            assert f"│ {text} " in screen  # the detail pane's first line, as typed
            assert "\x1b" not in screen
        await pilot.press("n")
        await type_text(pilot, "[b]fix[/b] [/] it")
        assert "Title     [b]fix[/b] [/] it" in plain(
            app.screen.query_one("#quick-add-preview", Static))
        await pilot.press("enter")
        await pilot.pause()
        assert stored(db_path)["00000005"].title == "[b]fix[/b] [/] it"
        assert "[b]fix[/b] [/] it" in line_of(app, "00000005")
        assert "Added “[b]fix[/b] [/] it”" in messages(app)
        assert app.is_running


async def test_escape_sequences_written_to_the_file_directly_never_reach_the_terminal(
    db_path,
) -> None:
    Store(db_path).open()
    with Store(db_path).open().transaction("mallory") as tx:  # another tool, not the service
        tx.insert([Item(id="raw00001", title="raw \x1b[31mred\x1b]0;pwned\x07 end",
                        notes="line\x1b[2Jwiped", created_at=now_iso(NOW),
                        updated_at=now_iso(NOW))])
    app = build_app(db_path)
    async with app.run_test(size=WIDE) as pilot:
        await pilot.pause()
        assert "\x1b" not in line_of(app, "raw00001")
        segments = [segment.text for strip in app.screen._compositor.render_strips()
                    for segment in strip]
        assert not [text for text in segments if re.search("[\x00-\x1f\x7f-\x9f]", text)]


async def test_history_of_an_item_with_markup_in_its_title(db_path) -> None:
    seed(db_path, [{"title": "[/]"}])
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("h")
        await pilot.pause()
        assert "History: “[/]” · 1 change" in "\n".join(screen_text(app))


async def test_h_shows_the_history_of_the_item(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("t")
        inbox(app).move_cursor_to(INVOICES)
        await pilot.press("h")
        await pilot.pause()
        box = app.screen.query_one("#history")
        assert str(box.border_title) == "History: “send November invoices” · 2 changes"
        text = "\n".join(screen_text(app))
        assert "tag task" in text and "create" in text
        await pilot.press("escape")
        assert isinstance(app.screen, MainScreen)


# -- empty, read-only, other keys ------------------------------------------------------------------
async def test_an_empty_database_shows_the_friendly_empty_state(db_path) -> None:
    Store(db_path).open()
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        widget = inbox(app)
        assert widget.rows == () and title(app) == "Inbox 0"
        middle = widget.scrollable_content_region.height // 2
        assert "Inbox zero. Press n to add an item" in widget.render_line(middle).text
        assert "Nothing selected" in detail(app)
        await pilot.press("t")
        assert "No item here: move to one with j/k first" in messages(app)
        await pilot.press("n")
        await type_text(pilot, "first thing")
        await pilot.press("enter")
        await pilot.pause()
        assert title(app) == "Inbox 1" and row_ids(app) == ["00000001"]
        assert stored(db_path)["00000001"].title == "first thing"
        await pilot.press("u")  # undo takes the new item away again
        assert await wait_until(pilot, lambda: title(app) == "Inbox 0")
        assert stored(db_path) == {}


async def test_a_read_only_database_shows_a_banner_and_refuses_changes(
    db_path, seeded, monkeypatch
) -> None:
    real_access = os.access

    def access(path, mode, *args, **kwargs) -> bool:
        if Path(path) == db_path and mode & os.W_OK:
            return False
        return real_access(path, mode, *args, **kwargs)

    monkeypatch.setattr(os, "access", access)
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        banner = main(app).query_one("#banner", Static)
        assert plain(banner).startswith("Read-only: you can read this queue but not change it")
        assert banner.region.width == 80
        for key in ("t", "d", "c"):
            await pilot.press(key)
        assert messages(app).count(
            "Read-only session: this queue cannot be changed by you") == 3
        await pilot.press("n")
        assert isinstance(app.screen, MainScreen)
        assert "Read-only session: you cannot add items here" in messages(app)
        assert row_of(app, INVOICES).lane == "unsorted" and title(app) == "Inbox 12"
    assert stored(db_path) == seeded


async def test_at_assigns_and_v_shows_only_mine(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("at")
        await type_text(pilot, USER)
        await pilot.press("enter")
        await pilot.pause()
        assert stored(db_path)[INVOICES].assignee == USER
        assert f"@{USER}" in line_of(app, INVOICES)
        await pilot.press("j", "c", "v")
        assert set(row_ids(app)) == {INVOICES, FLIGHTS}
        assert title(app) == "Mine 2 of 12"
        await pilot.press("v")
        assert title(app) == "Inbox 12"


async def test_w_opens_the_review_and_escape_closes_it(db_path, seeded) -> None:
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("w")
        await pilot.pause()
        assert type(app.screen).__name__ == "ReviewScreen"
        await pilot.press("escape")
        await pilot.pause()
        assert isinstance(app.screen, MainScreen) and title(app) == "Inbox 12"


# -- themes --------------------------------------------------------------------------------------
async def test_switching_the_theme_is_remembered_in_the_settings_file(
    db_path, seeded, tmp_path
) -> None:
    settings_file = tmp_path / "settings" / "config.json"
    app = build_app(db_path, settings_file=settings_file)
    async with app.run_test(size=NARROW) as pilot:
        assert app.theme == "triage-dark"
        assert {"triage-dark", "triage-light", "triage-contrast"} <= set(app.available_themes)
        app.theme = "triage-light"
        await settle(pilot)  # quit once the workload worker, which queries the DOM, is done
    assert json.loads(settings_file.read_text())["theme"] == "triage-light"
    again = build_app(db_path, settings=Settings(theme="triage-light"))
    async with again.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert again.theme == "triage-light"


USER_THEME = """
name = "sunrise"
dark = true
primary = "#ff8800"
background = "#101010"
[variables]
lane-task = "#ffaa00"
"""


async def test_a_user_theme_file_is_registered(db_path, seeded) -> None:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "sunrise.toml").write_text(USER_THEME)
    app = build_app(db_path, settings=Settings(theme="sunrise"))
    async with app.run_test(size=NARROW) as pilot:
        assert "sunrise" in app.available_themes
        assert app.theme == "sunrise"
        await pilot.pause()
        assert not [n for n in app._notifications if n.severity != "information"]


async def test_a_broken_user_theme_is_named_and_the_app_still_starts(db_path, seeded) -> None:
    folder = config_dir() / "themes"
    folder.mkdir(parents=True)
    (folder / "broken.toml").write_text('name = "broken"\nprimary = "not a colour"\n')
    (folder / "garbage.toml").write_text("this is [not toml")
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert app.theme == "triage-dark"
        warnings = [n.message for n in app._notifications if n.severity == "warning"]
        assert any("broken.toml" in message and "not a colour" in message
                   for message in warnings), warnings
        assert any("garbage.toml" in message and "not valid TOML" in message
                   for message in warnings), warnings
        assert "broken" not in app.available_themes
        assert title(app) == "Inbox 12"


async def test_an_unknown_theme_in_the_settings_falls_back_to_the_default(
    db_path, seeded
) -> None:
    app = build_app(db_path, settings=Settings(theme="nope"))
    async with app.run_test(size=NARROW):
        assert app.theme == "triage-dark"
        assert "theme 'nope' not found; using triage-dark" in messages(app)


async def test_the_high_contrast_theme_starts(db_path, seeded) -> None:
    app = build_app(db_path, settings=Settings(theme="triage-contrast"))
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        assert app.theme == "triage-contrast"
        assert title(app) == "Inbox 12"


def _contrast(first: str, second: str) -> float:
    """The WCAG contrast ratio of two hex colours (1 = the same, 21 = black on white)."""

    def luminance(colour: str) -> float:
        channels = [int(colour[i:i + 2], 16) / 255 for i in (1, 3, 5)]
        linear = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in channels]
        return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]

    light, dark = sorted([luminance(first), luminance(second)], reverse=True)
    return (light + 0.05) / (dark + 0.05)


async def test_the_inbox_columns_are_readable_in_the_light_theme(db_path, seeded) -> None:
    app = build_app(db_path, settings=Settings(theme="triage-light"))
    async with app.run_test(size=NARROW) as pilot:
        await pilot.pause()
        segments = {segment.text.strip(): segment.style for segment in
                    inbox(app).render_line(row_ids(app).index(FLIGHTS))}
        for text in ("book flights to Lisbon", "→task 90%", "wed", "45m"):
            style = segments[text]
            ratio = _contrast(style.color.triplet.hex, style.bgcolor.triplet.hex)
            assert ratio >= 3.0, f"{text!r}: {style.color.triplet.hex} on " \
                                 f"{style.bgcolor.triplet.hex} ({ratio:.1f}:1)"


# -- the real classifier -------------------------------------------------------------------------
def _real_classifier_or_skip() -> None:
    try:
        from triage_tui.classify import Classifier

        Classifier.default().suggest("book flights")
    except Exception as error:  # noqa: BLE001 - anything means "not ready yet"
        pytest.skip(f"the real classifier does not work yet: {error!r}")


async def test_quick_add_with_the_real_classifier(db_path, monkeypatch) -> None:
    _real_classifier_or_skip()
    monkeypatch.setattr(TriageService, "classifier", REAL_CLASSIFIER)
    Store(db_path).open()
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await pilot.press("n")
        await type_text(pilot, "book flights to Lisbon fri")
        assert "Suggested" in plain(app.screen.query_one("#quick-add-preview", Static))
        await pilot.press("enter")
        await pilot.pause()
        item = stored(db_path)["00000001"]
        assert item.suggestion is not None and item.suggestion.lane in ("task", "ops")
        assert title(app) == "Inbox 1"


async def test_the_demo_opens_with_the_real_classifier(monkeypatch) -> None:
    _real_classifier_or_skip()
    monkeypatch.setattr(TriageService, "classifier", REAL_CLASSIFIER)
    from triage_tui.app.main import make_app

    app = make_app(user=USER, demo=True, settings=Settings(), clock=lambda: NOW)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        assert len(row_ids(app)) > 5
        assert title(app) == f"Inbox {len(row_ids(app))}"
