"""The inbox list: a virtual list that renders only the lines on screen (Textual's Line API).

A stock DataTable needs over a second to take 10,000 rows and blocks the event loop while it
does; this widget keeps the rows in a plain list, renders a line only when it is painted and
caches the rendered lines, so a keystroke costs a handful of lines whatever the inbox size.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from typing import ClassVar

from rich.cells import cell_len, set_cell_size
from rich.segment import Segment
from rich.style import Style
from textual import events
from textual.binding import Binding, BindingType
from textual.cache import LRUCache
from textual.geometry import Region, Size
from textual.message import Message
from textual.reactive import reactive
from textual.scroll_view import ScrollView
from textual.strip import Strip

from triage_tui.domain.fuzzy import match_positions

__all__ = ["InboxList", "InboxRow", "visible_columns"]


@dataclass(slots=True, unsafe_hash=True)
class InboxRow:
    """What one inbox line shows; built by the screen from an Item (the list reads no database).

    Treat it as immutable (derive changed rows with `dataclasses.replace`): it is hashed as a
    line-cache key. Not `frozen` only because a frozen init is six times slower, and the
    screen builds 10,000 of these at start-up.
    """

    item_id: str
    lane: str  # "unsorted" | "task" | "ops" | "keep"
    title: str  # user text: rendered literally, never as markup
    suggestion: str  # e.g. "ops 92%", or "" when there is none
    needs_review: bool  # the suggestion is below the confidence threshold
    due: str  # already in words: "tue", "in 3d", "overdue 2d", ""
    overdue: bool
    estimate: str  # "15m", "1h30", ""
    who: str  # "@bob" (assignee), "⚑alice" (claimed) or ""
    done: bool = False  # shown struck and dim, e.g. just completed and about to leave


# Terminal controls and the invisible bidi/zero-width marks that can reorder or hide text;
# upstream strips them already, this is the last line of defence before the terminal.
_UNSAFE_CHARS = re.compile("[\x00-\x1f\x7f-\x9f\u200b-\u200f\u202a-\u202e\u2066-\u2069]")

LANE_BADGES: dict[str, str] = {"task": "TASK", "ops": "OPS", "keep": "KEEP", "unsorted": "····"}
_BADGE_WIDTH = 4
_GUTTER_WIDTH = 2  # cursor glyph + selection mark
_CURSOR_GLYPH = "▸"  # the cursor stays findable where colours cannot show it (16 colours, blur)
_SELECTED_MARK = "●"
_ELLIPSIS = "…"

# Optional columns after the title: (name, width in cells, right-aligned).
_COLUMNS: tuple[tuple[str, int, bool], ...] = (
    ("suggestion", 10, False),  # "→task 92%?"
    ("due", 11, False),  # "overdue 12d"
    ("estimate", 5, True),  # "10h30"
    ("who", 8, False),  # "⚑alice"
)
_COLUMN_WIDTHS = {name: width for name, width, _ in _COLUMNS}
# Which column goes first when the pane is too narrow for a readable title.
_DROP_ORDER = ("who", "estimate", "suggestion", "due")
_MIN_TITLE_WIDTH = 20


def _sanitize(text: str) -> str:
    """Replace anything that would act on the terminal instead of being shown."""
    return _UNSAFE_CHARS.sub("\ufffd", text)


def _fit(text: str, width: int, right: bool = False) -> str:
    """`text` cut with an ellipsis or padded with spaces to exactly `width` cells."""
    if width <= 0:
        return ""
    if text.isascii():  # one cell per character: skip the cell-width tables
        if len(text) > width:
            return text[: width - 1] + _ELLIPSIS
        return text.rjust(width) if right else text.ljust(width)
    cells = cell_len(text)
    if cells > width:
        # set_cell_size pads with a space where it splits a double-width character.
        return set_cell_size(text, width - 1) + _ELLIPSIS
    padding = " " * (width - cells)
    return padding + text if right else text + padding


def _title_width(width: int, columns: Iterable[str]) -> int:
    """Cells left for the title once the gutter, the badge and `columns` are placed."""
    fixed = _GUTTER_WIDTH + _BADGE_WIDTH + 1 + sum(_COLUMN_WIDTHS[name] + 1 for name in columns)
    return width - fixed


@lru_cache(maxsize=64)
def visible_columns(width: int) -> tuple[str, ...]:
    """The optional columns shown at `width` cells: who, then estimate, then suggestion (then
    due) give way until the title has room to be read."""
    shown = [name for name, _, _ in _COLUMNS]
    for name in _DROP_ORDER:
        if _title_width(width, shown) >= _MIN_TITLE_WIDTH:
            break
        shown.remove(name)
    return tuple(shown)


def _column_text(row: InboxRow, name: str) -> str:
    """The text of one optional column for `row`."""
    if name == "suggestion":
        if not row.suggestion:
            return "?" if row.needs_review else ""
        return f"→{row.suggestion}{'?' if row.needs_review else ''}"
    return getattr(row, name)


def _column_classes(row: InboxRow, name: str) -> tuple[str, ...]:
    """The component classes that colour one optional column of `row`."""
    if name == "suggestion":
        return ("inbox-list--review",) if row.needs_review else ("inbox-list--meta",)
    if name == "due":
        return ("inbox-list--overdue",) if row.overdue else ()
    return ("inbox-list--meta",)


class InboxList(ScrollView, can_focus=True):
    """The inbox rows: lane badge, title, suggestion, due, estimate and who, one line each.

    Rows are `InboxRow` values given by the screen; the list owns the cursor and the
    selection, and reports them with messages.
    """

    _MOVE = Binding.Group("move")
    BINDINGS: ClassVar[list[BindingType]] = [
        # j and k share one footer entry ("j k move"); the arrows do the same, unadvertised.
        Binding("j", "cursor_down", "down", id="inbox-list.down", group=_MOVE),
        Binding("k", "cursor_up", "up", id="inbox-list.up", group=_MOVE),
        Binding("down", "cursor_down", "down", show=False, id="inbox-list.down-arrow"),
        Binding("up", "cursor_up", "up", show=False, id="inbox-list.up-arrow"),
        Binding("pagedown", "page_down", "page down", show=False, id="inbox-list.page-down"),
        Binding("pageup", "page_up", "page up", show=False, id="inbox-list.page-up"),
        Binding("home,g", "first", "first item", show=False, id="inbox-list.first"),
        Binding("end,G", "last", "last item", show=False, id="inbox-list.last"),
        Binding("space", "toggle_selected", "select", show=False, id="inbox-list.select"),
        Binding("enter", "activate", "Accept the suggestion", show=False, id="inbox-list.activate"),
    ]

    COMPONENT_CLASSES: ClassVar[set[str]] = {
        "inbox-list--cursor",
        "inbox-list--selected",
        "inbox-list--mark",
        "inbox-list--lane-task",
        "inbox-list--lane-ops",
        "inbox-list--lane-keep",
        "inbox-list--lane-unsorted",
        "inbox-list--overdue",
        "inbox-list--review",
        "inbox-list--meta",
        "inbox-list--match",
        "inbox-list--dim",
        "inbox-list--empty",
    }
    """
    | Class | Styles |
    | :- | :- |
    | `inbox-list--cursor` | The cursor row (dimmer when the list does not have focus). |
    | `inbox-list--selected` | Selected rows. |
    | `inbox-list--mark` | The selection mark. |
    | `inbox-list--lane-<lane>` | The lane badge, per lane (task, ops, keep, unsorted). |
    | `inbox-list--overdue` | The due column of an overdue item. |
    | `inbox-list--review` | A suggestion that needs review. |
    | `inbox-list--meta` | Suggestion, estimate and who. |
    | `inbox-list--match` | Title characters that match `highlight_query`. |
    | `inbox-list--dim` | Done items. |
    | `inbox-list--empty` | The message shown when there are no rows. |
    """

    DEFAULT_CSS = """
    InboxList {
        background: $surface;
        color: $foreground;
        overflow-x: hidden;
        overflow-y: auto;
        scrollbar-size-vertical: 1;
        & > .inbox-list--cursor {
            color: $block-cursor-blurred-foreground;
            background: $block-cursor-blurred-background;
            text-style: $block-cursor-blurred-text-style;
        }
        &:focus > .inbox-list--cursor {
            color: $block-cursor-foreground;
            background: $block-cursor-background;
            text-style: $block-cursor-text-style;
        }
        & > .inbox-list--selected { background: $accent 20%; }
        & > .inbox-list--mark { color: $accent; text-style: bold; }
        & > .inbox-list--lane-task { color: $primary; text-style: bold; }
        & > .inbox-list--lane-ops { color: $success; text-style: bold; }
        & > .inbox-list--lane-keep { color: $warning; text-style: bold; }
        & > .inbox-list--lane-unsorted { color: $text-muted; }
        & > .inbox-list--overdue { color: $error; text-style: bold; }
        & > .inbox-list--review { color: $warning; text-style: bold; }
        & > .inbox-list--meta { color: $text-muted; }
        & > .inbox-list--match { text-style: bold underline; }
        & > .inbox-list--dim { color: $text-muted; text-style: strike; }
        & > .inbox-list--empty { color: $text-muted; text-style: italic; }
    }
    """

    @dataclass
    class Highlighted(Message):
        """The cursor moved to another item, or to none (`item_id` is None)."""

        inbox_list: InboxList
        item_id: str | None

        @property
        def control(self) -> InboxList:
            """The list whose cursor moved."""
            return self.inbox_list

        def can_replace(self, message: Message) -> bool:
            """A burst of cursor moves is reported once, with where the cursor ended up."""
            return (
                isinstance(message, InboxList.Highlighted) and message.inbox_list is self.inbox_list
            )

    @dataclass
    class Activated(Message):
        """Enter (or a double click) on an item."""

        inbox_list: InboxList
        item_id: str

        @property
        def control(self) -> InboxList:
            """The list the item was activated in."""
            return self.inbox_list

    @dataclass
    class SelectionChanged(Message):
        """The set of selected items changed; `count` is how many are selected now."""

        inbox_list: InboxList
        count: int

        @property
        def control(self) -> InboxList:
            """The list whose selection changed."""
            return self.inbox_list

    cursor_index: reactive[int] = reactive(0, repaint=False, init=False)
    """Index of the cursor row in the current rows (0 when there are none)."""

    empty_message: reactive[str] = reactive("Inbox zero. Press n to add an item.")
    """Shown, centred, when there are no rows."""

    highlight_query: reactive[str] = reactive("")
    """A fuzzy filter query whose matched title characters are emphasised ("" for none)."""

    def __init__(
        self,
        rows: Sequence[InboxRow] = (),
        *,
        name: str | None = None,
        id: str | None = None,
        classes: str | None = None,
        disabled: bool = False,
    ) -> None:
        super().__init__(name=name, id=id, classes=classes, disabled=disabled)
        self._rows: list[InboxRow] = list(rows)
        self._index_by_id: dict[str, int] = {}
        self._selected: set[str] = set()
        # Rendered lines keyed by everything that changes how a line looks.
        self._line_cache: LRUCache[tuple[object, ...], Strip] = LRUCache(1024)
        self._style_cache: dict[tuple[object, ...], Style] = {}
        self._style_generation = 0
        self._reported_item_id: str | None = None
        self._reindex()

    # Public API -----------------------------------------------------------------------------

    @property
    def row_count(self) -> int:
        """How many rows the list holds."""
        return len(self._rows)

    @property
    def rows(self) -> Sequence[InboxRow]:
        """A copy of the rows in display order (change them with the methods)."""
        return tuple(self._rows)

    @property
    def cursor_row(self) -> InboxRow | None:
        """The row under the cursor, or None when the list is empty."""
        if not self._rows:
            return None
        return self._rows[self.cursor_index]

    @property
    def cursor_item_id(self) -> str | None:
        """The item under the cursor, or None when the list is empty."""
        row = self.cursor_row
        return row.item_id if row is not None else None

    @property
    def selected_ids(self) -> frozenset[str]:
        """The selected items."""
        return frozenset(self._selected)

    def set_rows(self, rows: Sequence[InboxRow]) -> None:
        """Replace all rows.

        The cursor stays on the same item if it is still listed, else at the same index
        (clamped); the selection keeps the items still listed.
        """
        cursor_item_id = self.cursor_item_id
        old_index = self.cursor_index
        self._rows = list(rows)
        self._reindex()
        self._prune_selection()
        new_index = self._index_by_id.get(cursor_item_id, old_index) if cursor_item_id else 0
        self._relayout(new_index)

    def update_rows(self, rows: Iterable[InboxRow]) -> None:
        """Replace rows in place, matched by `item_id`; rows not listed are ignored.

        Only the changed lines are repainted: the row count and positions stay the same.
        """
        for row in rows:
            index = self._index_by_id.get(row.item_id)
            if index is not None:
                self._rows[index] = row
                self.refresh_line(index)  # the line cache is keyed by the row: no purge

    def remove_ids(self, ids: Iterable[str]) -> None:
        """Remove these items; the cursor stays on its item, or on the row that took its place."""
        doomed = set(ids) & self._index_by_id.keys()
        if not doomed:
            return
        # Rows above the cursor that go shift it up; if its own row goes, the next one moves in.
        index = self.cursor_index
        index -= sum(1 for item_id in doomed if self._index_by_id[item_id] < index)
        self._rows = [row for row in self._rows if row.item_id not in doomed]
        self._reindex()
        self._prune_selection()
        self._relayout(index)

    def move_cursor_to(self, item_id: str) -> bool:
        """Put the cursor on `item_id`; False if it is not listed."""
        index = self._index_by_id.get(item_id)
        if index is None:
            return False
        self.cursor_index = index
        return True

    def toggle_selected(self, item_id: str | None = None) -> None:
        """Select or unselect `item_id` (the cursor row by default)."""
        item_id = item_id if item_id is not None else self.cursor_item_id
        if item_id is None or item_id not in self._index_by_id:
            return
        if item_id in self._selected:
            self._selected.discard(item_id)
        else:
            self._selected.add(item_id)
        self.refresh_line(self._index_by_id[item_id])
        self._report_selection()

    def clear_selection(self) -> None:
        """Unselect everything."""
        if self._selected:
            self._selected.clear()
            self.refresh()
            self._report_selection()

    def select_all_visible(self) -> None:
        """Select every listed row (with a filter on, the rows that pass it)."""
        self._selected = set(self._index_by_id)
        self.refresh()
        self._report_selection()

    # Actions ---------------------------------------------------------------------------------

    def action_cursor_down(self) -> None:
        """Move the cursor one row down."""
        self.cursor_index += 1

    def action_cursor_up(self) -> None:
        """Move the cursor one row up."""
        self.cursor_index -= 1

    def action_page_down(self) -> None:
        """Move the cursor and the view one page down."""
        self._page(+1)

    def action_page_up(self) -> None:
        """Move the cursor and the view one page up."""
        self._page(-1)

    def action_first(self) -> None:
        """Move the cursor to the first row."""
        self.cursor_index = 0

    def action_last(self) -> None:
        """Move the cursor to the last row."""
        self.cursor_index = len(self._rows) - 1

    def action_toggle_selected(self) -> None:
        """Select or unselect the cursor row, then move down (space, space, space…)."""
        self.toggle_selected()
        self.cursor_index += 1

    def action_activate(self) -> None:
        """Report the cursor row as activated."""
        item_id = self.cursor_item_id
        if item_id is not None:
            self.post_message(self.Activated(self, item_id))

    # Reactive watchers and events ------------------------------------------------------------

    def validate_cursor_index(self, index: int) -> int:
        """Keep the cursor on a row."""
        return max(0, min(index, len(self._rows) - 1))

    def watch_cursor_index(self, old_index: int, new_index: int) -> None:
        """Repaint the two rows that changed and keep the cursor in view."""
        self.refresh_line(old_index)
        self.refresh_line(new_index)
        self._scroll_cursor_into_view()
        self._report_cursor()

    def watch_highlight_query(self) -> None:
        """Matches are part of the rendered lines: render them again."""
        self._line_cache.clear()

    def notify_style_update(self) -> None:
        """The theme or a pseudo-class changed: every cached line may have the old colours."""
        super().notify_style_update()
        self._style_generation += 1
        self._style_cache.clear()
        self._line_cache.clear()

    def on_mount(self) -> None:
        """Show the first rows and report where the cursor is."""
        self._relayout(self.cursor_index)

    def on_resize(self) -> None:
        """Columns depend on the width: lay them out again and keep the cursor in view."""
        self._line_cache.clear()
        self._update_virtual_size()
        self._scroll_cursor_into_view()

    def on_click(self, event: events.Click) -> None:
        """A click puts the cursor on the row under the pointer; a double click activates it."""
        offset = event.get_content_offset(self)
        if offset is None:
            return
        index = self.scroll_offset.y + offset.y
        if 0 <= index < len(self._rows):
            self.cursor_index = index
            if event.chain == 2:
                self.action_activate()

    # Rendering -------------------------------------------------------------------------------

    def render_line(self, y: int) -> Strip:
        """Render line `y` of the visible area (the Line API calls this per painted line)."""
        width = self.scrollable_content_region.width
        if not self._rows:
            return self._render_empty_line(y, width)
        index = self.scroll_offset.y + y
        if index >= len(self._rows):
            return Strip.blank(width, self.rich_style)
        row = self._rows[index]
        is_cursor = index == self.cursor_index
        is_selected = row.item_id in self._selected
        # The row itself (not only its id) is in the key, so update_rows needs no purge.
        key = (row, width, is_cursor, is_selected, self.has_focus, self._style_generation)
        strip = self._line_cache.get(key)
        if strip is None:
            strip = self._render_row(row, width, is_cursor, is_selected)
            self._line_cache.set(key, strip)
        return strip

    def _render_empty_line(self, y: int, width: int) -> Strip:
        """A line of the empty state: the message on the middle line, blank elsewhere."""
        if y != self.scrollable_content_region.height // 2:
            return Strip.blank(width, self.rich_style)
        message = _sanitize(self.empty_message)
        shown = _fit(message, width) if cell_len(message) > width else message
        left = (width - cell_len(shown)) // 2
        style = self.rich_style + self.get_component_rich_style("inbox-list--empty")
        segments = [Segment(" " * left, self.rich_style), Segment(shown, style)]
        return Strip(segments).extend_cell_length(width, self.rich_style)

    def _render_row(self, row: InboxRow, width: int, is_cursor: bool, is_selected: bool) -> Strip:
        """Build one row from plain Segments: user text is never parsed as markup."""

        def style(*classes: str) -> Style:
            return self._compose_style(classes, is_cursor, is_selected, row.done)

        segments = [
            Segment(_CURSOR_GLYPH if is_cursor else " ", style()),
            Segment(_SELECTED_MARK if is_selected else " ", style("inbox-list--mark")),
            Segment(
                _fit(LANE_BADGES.get(row.lane, row.lane.upper()), _BADGE_WIDTH),
                style(f"inbox-list--lane-{row.lane}"),
            ),
            Segment(" ", style()),
        ]
        columns = visible_columns(width)
        segments.extend(self._title_segments(row.title, _title_width(width, columns), style))
        for name in columns:
            text = _fit(
                _sanitize(_column_text(row, name)), _COLUMN_WIDTHS[name], right=name == "estimate"
            )
            segments.append(Segment(" ", style()))
            segments.append(Segment(text, style(*_column_classes(row, name))))
        return Strip(segments).adjust_cell_length(width, style())

    def _title_segments(self, title: str, width: int, style: Callable[..., Style]) -> list[Segment]:
        """The title cut to `width` cells, with `highlight_query` matches emphasised."""
        title = _sanitize(title)
        shown = _fit(title, width)
        positions = match_positions(self.highlight_query, title) if self.highlight_query else []
        # Only characters still shown as themselves can be highlighted (not the cut ones).
        marked = {p for p in positions if p < len(shown) and shown[p] == title[p]}
        if not marked:
            return [Segment(shown, style())]
        plain, match = style(), style("inbox-list--match")
        segments: list[Segment] = []
        start = 0
        for end in range(1, len(shown) + 1):
            if end == len(shown) or ((end in marked) != (start in marked)):
                segments.append(Segment(shown[start:end], match if start in marked else plain))
                start = end
        return segments

    def _compose_style(
        self, classes: tuple[str, ...], is_cursor: bool, is_selected: bool, is_done: bool
    ) -> Style:
        """The Rich style of one cell run: widget, then selection, column, done, and the
        cursor last so that its colours win (a lane colour may equal the cursor's)."""
        key = (classes, is_cursor, is_selected, is_done)
        style = self._style_cache.get(key)
        if style is None:
            component = self.get_component_rich_style
            style = self.rich_style
            if is_selected:
                style += component("inbox-list--selected")
            for name in classes:
                style += self._column_style(name)
            if is_done:
                style += component("inbox-list--dim", partial=True)
            if is_cursor:
                style += component("inbox-list--cursor")
            self._style_cache[key] = style
        return style

    def _column_style(self, name: str) -> Style:
        """A column's own rules, with its colour blended as the full style blends it.

        The partial style keeps only what the class sets, so a selection background shows
        through; but it cannot blend a translucent colour such as `$text-muted`, which
        comes out white. The full style's colour is the blended one.
        """
        partial = self.get_component_rich_style(name, partial=True, default=Style.null())
        if partial.color is None:
            return partial
        return partial + Style(color=self.get_component_rich_style(name).color)

    # Internals -------------------------------------------------------------------------------

    def _reindex(self) -> None:
        """Rebuild the item_id → index map (one pass; ids are unique)."""
        self._index_by_id = {row.item_id: index for index, row in enumerate(self._rows)}

    def _prune_selection(self) -> None:
        """Forget selected items that are no longer listed, and say so if any went."""
        before = len(self._selected)
        self._selected &= self._index_by_id.keys()
        if len(self._selected) != before:
            self._report_selection()

    def _relayout(self, cursor_index: int) -> None:
        """After the rows changed: new size, cursor placed, everything repainted."""
        self._update_virtual_size()
        self.set_reactive(InboxList.cursor_index, self.validate_cursor_index(cursor_index))
        self.refresh()
        self._scroll_cursor_into_view()
        self._report_cursor()

    def _update_virtual_size(self) -> None:
        """One virtual line per row; as wide as the pane (nothing scrolls sideways)."""
        self.virtual_size = Size(self.scrollable_content_region.width, len(self._rows))

    def _page(self, direction: int) -> None:
        """Move the view and the cursor by one page, keeping the cursor's place on screen."""
        page = max(1, self.scrollable_content_region.height - 1)
        self.scroll_to(y=self.scroll_offset.y + direction * page, animate=False)
        self.cursor_index += direction * page

    def _scroll_cursor_into_view(self) -> None:
        """Scroll the least distance that shows the cursor row."""
        if not self.is_mounted or not self.scrollable_content_region.height or not self._rows:
            return
        cursor_region = Region(0, self.cursor_index, max(1, self.virtual_size.width), 1)
        self.scroll_to_region(cursor_region, animate=False, force=True, immediate=True)

    def _report_cursor(self) -> None:
        """Post Highlighted when the cursor's item differs from the one last reported."""
        item_id = self.cursor_item_id
        if item_id != self._reported_item_id and self.is_attached:
            self._reported_item_id = item_id
            self.post_message(self.Highlighted(self, item_id))

    def _report_selection(self) -> None:
        """Post SelectionChanged with the new count."""
        if self.is_attached:
            self.post_message(self.SelectionChanged(self, len(self._selected)))
