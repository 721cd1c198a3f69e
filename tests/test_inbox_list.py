"""The inbox list widget, driven through a tiny App with Pilot."""

from __future__ import annotations

from dataclasses import replace

from rich.cells import cell_len
from textual.app import App, ComposeResult
from textual.message import Message
from textual.strip import Strip
from textual.widgets import Input

from triage_tui.app.inbox_list import InboxList, InboxRow, visible_columns

LANES = ("unsorted", "task", "ops", "keep")


def make_row(index: int, **changes: object) -> InboxRow:
    """A row with every column filled, so the tests can see each one."""
    row = InboxRow(
        item_id=f"id{index}",
        lane=LANES[index % 4],
        title=f"item {index}",
        suggestion="ops 92%",
        needs_review=False,
        due="tue",
        overdue=False,
        estimate="1h30",
        who="@bob",
    )
    return replace(row, **changes)


def make_rows(count: int) -> list[InboxRow]:
    return [make_row(index) for index in range(count)]


class CountingInboxList(InboxList):
    """Counts the lines the compositor asks for, to prove only visible lines are rendered."""

    lines_rendered = 0

    def render_line(self, y: int) -> Strip:
        CountingInboxList.lines_rendered += 1
        return super().render_line(y)


class ListApp(App[None]):
    """One InboxList and an Input to move the focus to; records the list's messages."""

    def __init__(self, rows: list[InboxRow]) -> None:
        super().__init__()
        self.rows = rows
        self.messages: list[Message] = []

    def compose(self) -> ComposeResult:
        yield CountingInboxList(self.rows)
        yield Input()

    def on_inbox_list_highlighted(self, message: InboxList.Highlighted) -> None:
        self.messages.append(message)

    def on_inbox_list_activated(self, message: InboxList.Activated) -> None:
        self.messages.append(message)

    def on_inbox_list_selection_changed(self, message: InboxList.SelectionChanged) -> None:
        self.messages.append(message)

    @property
    def inbox(self) -> InboxList:
        return self.query_one(InboxList)

    def highlighted_ids(self) -> list[str | None]:
        return [m.item_id for m in self.messages if isinstance(m, InboxList.Highlighted)]


def screen_lines(inbox: InboxList) -> list[str]:
    """The text of every visible line of the list, as painted."""
    return [inbox.render_line(y).text for y in range(inbox.size.height)]


async def test_keys_move_the_cursor_and_post_highlighted() -> None:
    app = ListApp(make_rows(100))
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        assert inbox.has_focus
        assert inbox.cursor_item_id == "id0"
        steps = [
            ("j", "id1"),
            ("down", "id2"),
            ("k", "id1"),
            ("up", "id0"),
            ("up", "id0"),
            ("end", "id99"),
            ("home", "id0"),
            ("G", "id99"),
            ("g", "id0"),
        ]
        for key, expected in steps:
            await pilot.press(key)
            assert inbox.cursor_item_id == expected, key
        assert app.highlighted_ids()[-1] == "id0"
        assert "id99" in app.highlighted_ids()


async def test_page_keys_move_a_page_and_keep_the_cursor_visible() -> None:
    app = ListApp(make_rows(100))
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        await pilot.press("pagedown")
        page = inbox.cursor_index
        assert page > 5
        await pilot.press("pagedown", "pagedown")
        await pilot.pause()
        top = inbox.scroll_offset.y
        assert top <= inbox.cursor_index < top + inbox.scrollable_content_region.height
        assert inbox.cursor_index == 3 * page
        await pilot.press("pageup")
        assert inbox.cursor_index == 2 * page
        assert app.highlighted_ids()[-1] == f"id{2 * page}"


async def test_space_selects_and_moves_down() -> None:
    app = ListApp(make_rows(10))
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        await pilot.press("space", "space")
        assert inbox.selected_ids == {"id0", "id1"}
        assert inbox.cursor_item_id == "id2"
        await pilot.press("k", "space")
        assert inbox.selected_ids == {"id0"}
        counts = [m.count for m in app.messages if isinstance(m, InboxList.SelectionChanged)]
        assert counts == [1, 2, 1]
        lines = screen_lines(inbox)
        assert lines[0][1] == "●" and lines[1][1] == " "


async def test_select_all_and_clear_selection() -> None:
    app = ListApp(make_rows(5))
    async with app.run_test(size=(80, 24)):
        inbox = app.inbox
        inbox.select_all_visible()
        assert inbox.selected_ids == {f"id{i}" for i in range(5)}
        inbox.clear_selection()
        assert inbox.selected_ids == frozenset()


async def test_enter_posts_activated() -> None:
    app = ListApp(make_rows(5))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j", "enter")
        activated = [m for m in app.messages if isinstance(m, InboxList.Activated)]
        assert [m.item_id for m in activated] == ["id1"]
        assert activated[0].control is app.inbox


async def test_click_puts_the_cursor_on_the_row() -> None:
    app = ListApp(make_rows(20))
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.click(InboxList, offset=(20, 3))
        assert app.inbox.cursor_item_id == "id3"


async def test_set_rows_keeps_the_cursor_on_its_item_when_reordered() -> None:
    rows = make_rows(10)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        await pilot.press("j", "j", "j", "space")  # id3 selected, cursor on id4
        inbox.set_rows(list(reversed(rows)))
        await pilot.pause()
        assert inbox.cursor_item_id == "id4"
        assert inbox.cursor_index == 5
        assert inbox.selected_ids == {"id3"}
        assert app.highlighted_ids()[-1] == "id4"


async def test_set_rows_with_a_filter_clamps_the_cursor_and_drops_hidden_selection() -> None:
    rows = make_rows(10)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        await pilot.press("j", "space", "end")  # id1 selected, cursor on id9
        inbox.set_rows([row for row in rows if row.item_id in {"id1", "id2", "id9"}])
        await pilot.pause()
        assert inbox.cursor_item_id == "id9"
        assert inbox.selected_ids == {"id1"}
        inbox.set_rows(rows[:2])  # id9 filtered out: same index, clamped to the last row
        await pilot.pause()
        assert inbox.cursor_item_id == "id1"
        assert inbox.selected_ids == {"id1"}
        inbox.set_rows(rows[2:3])  # hidden items leave the selection: bulk keys act on what shows
        assert inbox.selected_ids == frozenset()
        assert inbox.row_count == 1


async def test_update_rows_changes_one_line_in_place() -> None:
    rows = make_rows(50)
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        await pilot.press("j", "j")
        before = screen_lines(inbox)
        inbox.update_rows([replace(rows[1], title="renamed", lane="ops"), make_row(999)])
        await pilot.pause()
        after = screen_lines(inbox)
        assert "renamed" in after[1] and "OPS" in after[1]
        assert after[0] == before[0] and after[2:] == before[2:]
        assert inbox.cursor_item_id == "id2"
        assert inbox.row_count == 50


async def test_remove_ids_moves_the_cursor_to_the_next_row() -> None:
    app = ListApp(make_rows(10))
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        await pilot.press("j", "j", "space")  # id2 selected, cursor on id3
        inbox.remove_ids(["id3", "id2"])
        await pilot.pause()
        assert inbox.cursor_item_id == "id4"
        assert inbox.selected_ids == frozenset()
        inbox.remove_ids(["id0"])
        assert inbox.cursor_item_id == "id4"
        assert inbox.move_cursor_to("id9") is True
        assert inbox.move_cursor_to("id3") is False


async def test_markup_in_titles_is_shown_literally() -> None:
    titles = ["[bold red]x[/]", "[link=https://x.io]pay[/link]", "[/]", "a\x1b[31mb\x07"]
    rows = [make_row(i, title=title) for i, title in enumerate(titles)]
    app = ListApp(rows)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        lines = screen_lines(app.inbox)
        assert "[bold red]x[/]" in lines[0]
        assert "[link=https://x.io]pay[/link]" in lines[1]
        assert "[/]" in lines[2]
        assert "a�[31mb�" in lines[3]
        title_segment = next(s for s in app.inbox.render_line(0) if "[bold" in s.text)
        assert not title_segment.style.link
        assert "[bold red]x[/]" in app.export_screenshot().replace("&#160;", " ")


async def test_empty_list_shows_the_message() -> None:
    app = ListApp([])
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        assert inbox.cursor_item_id is None
        message = "Inbox zero. Press n to add an item."
        lines = screen_lines(inbox)
        middle = lines[inbox.size.height // 2]
        assert middle.strip() == message
        assert middle.index(message) == (inbox.size.width - len(message)) // 2
        inbox.empty_message = "[b]Nothing[/b] matches"
        await pilot.pause()
        assert "[b]Nothing[/b] matches" in screen_lines(inbox)[inbox.size.height // 2]
        inbox.set_rows(make_rows(1))
        await pilot.pause()
        assert app.highlighted_ids() == ["id0"]


def test_columns_give_way_in_order() -> None:
    order = ("who", "estimate", "suggestion", "due")
    for width in range(10, 140):
        shown = visible_columns(width)
        dropped = [name for name in order if name not in shown]
        assert dropped == list(order[: len(dropped)]), width
        if width < 60:
            assert "who" not in shown, width
        if width >= 70:
            assert shown == ("suggestion", "due", "estimate", "who")


async def test_narrow_pane_drops_who_then_estimate() -> None:
    app = ListApp(make_rows(3))
    async with app.run_test(size=(54, 10)):
        line = screen_lines(app.inbox)[0]
        assert "item 0" in line and "tue" in line
        assert "@bob" not in line
        assert "1h30" not in line


async def test_every_line_fits_the_width_with_wide_characters() -> None:
    titles = [
        "日本語のタイトルはとても長いです、本当に長いです、まだ続きます",
        "📦📦📦 ship the parcels 📦📦📦 today",
        "plain",
    ]
    rows = [make_row(i, title=title, who="⚑アリス") for i, title in enumerate(titles)]
    for size in [(80, 10), (41, 10), (140, 10)]:
        app = ListApp(rows)
        async with app.run_test(size=size):
            inbox = app.inbox
            width = inbox.scrollable_content_region.width
            for y in range(inbox.size.height):
                strip = inbox.render_line(y)
                assert strip.cell_length == width
                assert cell_len(strip.text) == width
            first = screen_lines(inbox)[0]
            assert first.startswith("▸ ···· 日本語")
            if size[0] < 100:
                assert "…" in first


async def test_highlight_query_emphasises_matched_characters() -> None:
    app = ListApp([make_row(0, title="Send invoice to Acme")])
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        inbox.highlight_query = "inv acm"
        await pilot.pause()
        underlined = "".join(s.text for s in inbox.render_line(0) if s.style and s.style.underline)
        assert underlined == "invAcm"
        inbox.highlight_query = ""
        await pilot.pause()
        assert not any(s.style and s.style.underline for s in inbox.render_line(0))


async def test_overdue_and_review_use_their_component_styles() -> None:
    row = make_row(0, due="overdue 2d", overdue=True, needs_review=True)
    app = ListApp([row, make_row(1)])
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("j")  # keep row 0 off the cursor so its own colours show
        inbox = app.inbox
        segments = {s.text.strip(): s.style for s in inbox.render_line(0)}
        error = inbox.get_component_rich_style("inbox-list--overdue").color
        warning = inbox.get_component_rich_style("inbox-list--review").color
        assert segments["overdue 2d"].color == error
        assert segments["→ops 92%?"].color == warning


async def test_cursor_is_dimmer_without_focus_and_follows_the_theme() -> None:
    app = ListApp(make_rows(3))
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        focused = inbox.render_line(0).text, inbox.render_line(0)._segments[0].style
        app.query_one(Input).focus()
        await pilot.pause()
        blurred = inbox.render_line(0).text, inbox.render_line(0)._segments[0].style
        assert focused[0] == blurred[0] and blurred[0].startswith("▸")
        assert focused[1].bgcolor != blurred[1].bgcolor
        inbox.focus()
        app.theme = "ansi-dark"
        await pilot.pause()
        assert inbox.render_line(0)._segments[0].style.bgcolor != focused[1].bgcolor


def test_bindings_have_ids_and_descriptions() -> None:
    for binding in InboxList.BINDINGS:
        assert binding.id and binding.id.startswith("inbox-list.")
        assert binding.description
    shown = [b.key for b in InboxList.BINDINGS if b.show]
    assert shown == ["j", "k"]


async def test_ten_thousand_rows_render_only_visible_lines() -> None:
    app = ListApp(make_rows(10_000))
    async with app.run_test(size=(80, 24)) as pilot:
        inbox = app.inbox
        assert inbox.virtual_size.height == 10_000
        CountingInboxList.lines_rendered = 0
        await pilot.press("G")
        await pilot.pause()
        assert inbox.cursor_item_id == "id9999"
        assert "item 9999" in screen_lines(inbox)[-1]
        await pilot.press("k", "k", "g")
        await pilot.pause()
        assert inbox.cursor_item_id == "id0"
        assert CountingInboxList.lines_rendered < 10 * inbox.size.height
        inbox.set_rows(make_rows(10_000)[::7])
        await pilot.pause()
        assert inbox.row_count == 1429
