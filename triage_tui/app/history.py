"""History: who changed what and when, for one item or the whole queue (`h`)."""

from __future__ import annotations

from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import DataTable

from triage_tui.domain.model import Item
from triage_tui.service import TriageService
from triage_tui.store.db import AuditEntry

MAX_ROWS = 2000
"""The newest rows shown; the full log is `triage log`."""


def _value(value: object, limit: int = 30) -> str:
    if value is None:
        return "∅"
    if isinstance(value, str):
        text = value
    elif isinstance(value, list) and all(isinstance(part, str) for part in value):
        text = " ".join(value)  # tags
    else:  # a suggestion and the like: JSON, as `triage log` shows it
        import json

        text = json.dumps(value, ensure_ascii=False)
    return text if len(text) <= limit else text[: limit - 1] + "…"


class HistoryScreen(ModalScreen[None]):
    """The audit log, newest first; `a` switches between this item and the whole queue."""

    BINDINGS = [
        Binding("escape,q,h", "dismiss", "Close", id="historyview.close"),
        Binding("a", "toggle_scope", "Item / whole queue", id="historyview.scope"),
    ]

    def __init__(self, service: TriageService, item: Item | None) -> None:
        super().__init__()
        self._service = service
        self._item = item
        self._whole = item is None

    def compose(self) -> ComposeResult:
        with Vertical(id="history"):
            yield DataTable(id="history-table", cursor_type="row", zebra_stripes=True)

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("when", "who", "action", "item", "field", "old", "new")
        self._fill()
        table.focus()

    def _fill(self) -> None:
        everything = self._service.history(None if self._whole else self._item.id)
        rows = everything[-MAX_ROWS:][::-1]
        table = self.query_one(DataTable)
        table.clear()
        titles = {item.id: item.title for item in self._service.store.items()}
        table.add_rows([self._cells(row, titles) for row in rows])
        scope = "whole queue" if self._whole else f"“{self._item.title[:40]}”"
        box = self.query_one("#history")
        # A title is user text: Content is never parsed as markup.
        count = f"{len(rows)} change{'s' if len(rows) != 1 else ''}"
        if len(everything) > len(rows):
            count = f"the latest {len(rows):,} of {len(everything):,} changes (triage log has all)"
        box.border_title = Content(f"History: {scope} · {count}")
        box.border_subtitle = "a: item/queue · Esc closes"

    @staticmethod
    def _cells(row: AuditEntry, titles: dict[str, str]) -> tuple[Text, ...]:
        when = row.at[:16].replace("T", " ")
        item = titles.get(row.item_id, row.item_id)
        return tuple(Text(cell) for cell in (
            when, row.user, row.action, _value(item, 24), row.field, _value(row.old),
            _value(row.new)))

    def action_toggle_scope(self) -> None:
        if self._item is None:
            return
        self._whole = not self._whole
        self._fill()
