"""Quick add: one line of text, with a live preview of what it will become before saving."""

from __future__ import annotations

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Vertical
from textual.content import Content
from textual.screen import ModalScreen
from textual.widgets import Input, Label, Static

from triage_tui.app.presenters import Parts, format_minutes
from triage_tui.domain.dates import describe_due
from triage_tui.domain.model import LANE_LABELS, Item, confidence_percent
from triage_tui.domain.quickadd import QuickAdd
from triage_tui.service import ServiceError, TriageService
from triage_tui.store.db import StoreError

_TOKEN_STYLES = {
    "due": "bold $accent", "estimate": "bold $secondary", "recurrence": "bold $secondary",
    "tag": "bold $primary", "assignee": "bold $success", "lane": "bold $warning",
}


class QuickAddScreen(ModalScreen[Item | None]):
    """Type one line; Enter saves it, Escape cancels. Returns the stored item or None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="quickadd.cancel")]

    def __init__(self, service: TriageService) -> None:
        super().__init__()
        self._service = service

    def compose(self) -> ComposeResult:
        with Vertical(id="quick-add"):
            yield Label("Add an item", id="quick-add-title")
            yield Input(placeholder="renew domain fri ~15m #admin @maya every year !task",
                        id="quick-add-input")
            yield Static(id="quick-add-preview", markup=False)
            yield Static("Enter saves · Esc cancels · dates: today, fri, next week, in 3 days, "
                         "2026-12-01 3pm · ~30m · every monday · @name · #tag · !task/!ops/!keep",
                         id="quick-add-help", markup=False)

    def on_mount(self) -> None:
        self._show_preview("")

    @on(Input.Changed, "#quick-add-input")
    def _changed(self, event: Input.Changed) -> None:
        self._show_preview(event.value)

    def _show_preview(self, text: str) -> None:
        preview = self.query_one("#quick-add-preview", Static)
        if not text.strip():
            preview.update(Content.styled("The preview shows what the line will become.",
                                          "$text-muted"))
            return
        parsed = self._service.parse(text)
        preview.update(Content.assemble(*preview_parts(text, parsed, self._service)))

    @on(Input.Submitted, "#quick-add-input")
    def _submitted(self, event: Input.Submitted) -> None:
        if not event.value.strip():
            self.notify("Type something first, or Esc to cancel", severity="warning")
            return
        try:
            item, parsed = self._service.add(event.value)
        except (ServiceError, StoreError) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        note = f" ({'; '.join(parsed.problems)})" if parsed.problems else ""
        self.notify(f"Added “{item.title}”{note}", markup=False,
                    severity="warning" if parsed.problems else "information")
        self.dismiss(item)

    def action_cancel(self) -> None:
        self.dismiss(None)


def preview_parts(text: str, parsed: QuickAdd, service: TriageService) -> Parts:
    """The line with understood parts coloured, then each field in words."""
    parts: Parts = []
    position = 0
    for token in sorted(parsed.tokens, key=lambda token: token.start):
        if token.start > position:
            parts.append(text[position:token.start])
        parts.append((token.text, _TOKEN_STYLES.get(token.kind, "")))
        position = max(position, token.end)
    parts.append(text[position:])
    parts.append("\n\n")
    today = service.now().date()
    _line(parts, "Title", parsed.title or "(empty)")
    if parsed.due:
        _line(parts, "Due", describe_due(parsed.due, today))
    if parsed.estimate_minutes is not None:
        _line(parts, "Estimate", format_minutes(parsed.estimate_minutes))
    if parsed.recurrence:
        from triage_tui.domain.recurrence import describe_rrule

        _line(parts, "Repeats", describe_rrule(parsed.recurrence))
    if parsed.tags:
        _line(parts, "Tags", " ".join(f"#{tag}" for tag in parsed.tags))
    if parsed.assignee:
        _line(parts, "Assignee", parsed.assignee)
    if parsed.lane:
        _line(parts, "Lane", LANE_LABELS.get(parsed.lane, parsed.lane))
    elif parsed.title.strip():
        suggestion = service.suggest(parsed.title)
        if suggestion is not None:
            shown = confidence_percent(suggestion.confidence)
            reasons = "; ".join(suggestion.reasons[:2])
            _line(parts, "Suggested", f"{LANE_LABELS[suggestion.lane]} {shown} — {reasons}")
    for problem in parsed.problems:
        parts.append(("! " + problem + "\n", "bold $warning"))
    return parts


def _line(parts: Parts, label: str, value: str) -> None:
    parts.extend([(f"{label:<10}", "$text-muted"), value, "\n"])
