"""Editing an item: a form for its fields, a one-line assign prompt, and notes in $EDITOR."""

from __future__ import annotations

import os
import shlex
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from textual import on
from textual.app import ComposeResult, SuspendNotSupported
from textual.binding import Binding
from textual.containers import Horizontal, Vertical, VerticalScroll
from textual.screen import ModalScreen, Screen
from textual.widgets import Button, Input, Label, Select, TextArea

from triage_tui.app.presenters import format_minutes
from triage_tui.domain.forms import FieldError, read_field
from triage_tui.domain.model import LANE_LABELS, LANES, Item
from triage_tui.service import ChangeResult, ServiceError, TriageService
from triage_tui.store.db import StoreError


class EditScreen(ModalScreen[ChangeResult | None]):
    """Every editable field of one item; ctrl+s saves, Escape cancels."""

    BINDINGS = [
        Binding("escape", "cancel", "Cancel", id="edit.cancel"),
        Binding("ctrl+s", "save", "Save", id="edit.save"),
    ]

    def __init__(self, service: TriageService, item: Item, focus_notes: bool = False) -> None:
        super().__init__()
        self._service = service
        self._item = item  # as the form was filled: what the user's edits are measured from
        self._base_version = item.version  # the version a save expects to replace
        self._focus_notes = focus_notes

    def compose(self) -> ComposeResult:
        item = self._item
        with VerticalScroll(id="edit"):
            yield Label("Edit item", id="edit-title")
            yield Label("Title")
            yield Input(item.title, id="edit-field-title")
            with Horizontal(classes="edit-row"):
                with Vertical():
                    yield Label("Due (fri, 2026-12-01 3pm, …)")
                    yield Input(item.due or "", id="edit-field-due")
                with Vertical():
                    yield Label("Estimate (30m, 1.5h)")
                    yield Input(format_minutes(item.estimate_minutes), id="edit-field-estimate")
            with Horizontal(classes="edit-row"):
                with Vertical():
                    yield Label("Repeats (every monday; RRULE)")
                    yield Input(item.recurrence or "", id="edit-field-recurrence")
                with Vertical():
                    yield Label("Lane")
                    yield Select([(LANE_LABELS[lane], lane) for lane in LANES], value=item.lane,
                                 allow_blank=False, id="edit-field-lane")
            with Horizontal(classes="edit-row"):
                with Vertical():
                    yield Label("Tags (space separated)")
                    yield Input(" ".join(item.tags), id="edit-field-tags")
                with Vertical():
                    yield Label("Assignee")
                    yield Input(item.assignee or "", id="edit-field-assignee")
            yield Label("Notes")
            yield TextArea(item.notes, id="edit-field-notes", soft_wrap=True)
            with Horizontal(id="edit-buttons"):
                yield Button("Save (ctrl+s)", variant="primary", id="edit-save")
                yield Button("Cancel (esc)", id="edit-cancel")

    def on_mount(self) -> None:
        target = "#edit-field-notes" if self._focus_notes else "#edit-field-title"
        self.query_one(target).focus()

    @on(Button.Pressed, "#edit-save")
    def action_save(self) -> None:
        try:
            fields = self._changed_fields()
        except FieldError as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if not fields:
            self.dismiss(None)
            return
        try:
            result = self._service.edit(self._item.id, fields,
                                        expected_versions={self._item.id: self._base_version})
        except (ServiceError, StoreError) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if result.refused and not result.changed and self._someone_changed_it():
            # Keep what was typed: a second ctrl+s applies the same edits to their version.
            reason = result.refused[0][1]
            self.notify(f"{reason}. Your edits are still here: ctrl+s saves them over that "
                        "version (only the fields you changed), Esc drops them.",
                        severity="warning", markup=False, timeout=10)
            return
        if result.changed:
            self.notify("Saved", timeout=2)
        self.dismiss(result)

    def _someone_changed_it(self) -> bool:
        """True (and the next save expects the new version) when the item still exists, open
        to edits, in a version newer than the one this form was filled from."""
        fresh = self._service.store.get(self._item.id)
        if fresh is None or fresh.version == self._base_version:
            return False
        self._base_version = fresh.version
        return True

    @on(Button.Pressed, "#edit-cancel")
    def action_cancel(self) -> None:
        self.dismiss(None)

    def _value(self, name: str) -> str:
        return self.query_one(f"#edit-field-{name}", Input).value

    def _changed_fields(self) -> dict[str, Any]:
        """Only the fields that differ from the item; raise FieldError for unreadable ones."""
        item, now = self._item, self._service.now()
        fields: dict[str, Any] = {
            "title": self._value("title"),
            "tags": [tag.lstrip("#").lower() for tag in self._value("tags").split() if tag],
            "assignee": self._value("assignee").strip().lstrip("@") or None,
            "lane": self.query_one("#edit-field-lane", Select).value,
            "notes": self.query_one("#edit-field-notes", TextArea).text,
        }
        due = self._value("due").strip()
        fields["due"] = item.due if due == (item.due or "") else _field("due", due, now)
        estimate = self._value("estimate").strip()
        fields["estimate_minutes"] = (
            item.estimate_minutes if estimate == format_minutes(item.estimate_minutes)
            else _field("estimate", estimate, now)
        )
        repeat = self._value("recurrence").strip()
        fields["recurrence"] = (
            item.recurrence if repeat == (item.recurrence or "") else _recurrence(repeat, now)
        )
        current = item.to_dict()
        return {name: value for name, value in fields.items() if current.get(name) != value}


def _field(kind: str, text: str, now) -> Any:
    try:
        return read_field(kind, text, now)
    except FieldError as error:
        raise FieldError(f"{kind}: {error}") from None


def _recurrence(text: str, now) -> str | None:
    if text.upper().startswith(("FREQ=", "RRULE:")):
        from triage_tui.domain.recurrence import validate_rrule

        try:
            return validate_rrule(text.removeprefix("RRULE:"))
        except ValueError as error:
            raise FieldError(f"repeats: {error}") from None
    return _field("recurrence", text, now)


class PromptScreen(ModalScreen[str | None]):
    """One line of input (assignee, capacity, …); Enter returns it, Escape returns None."""

    BINDINGS = [Binding("escape", "cancel", "Cancel", id="prompt.cancel")]

    def __init__(self, question: str, value: str = "", placeholder: str = "") -> None:
        super().__init__()
        self._question = question
        self._value = value
        self._placeholder = placeholder

    def compose(self) -> ComposeResult:
        with Vertical(id="prompt"):
            yield Label(self._question, markup=False)
            yield Input(self._value, placeholder=self._placeholder, id="prompt-input")

    @on(Input.Submitted)
    def _submitted(self, event: Input.Submitted) -> None:
        self.dismiss(event.value.strip())

    def action_cancel(self) -> None:
        self.dismiss(None)


def edit_notes_externally(
    screen: Screen, item: Item, done: Callable[[ChangeResult | None], None]
) -> None:
    """Edit the notes in $VISUAL/$EDITOR; where the app cannot suspend, use the in-app form."""
    service: TriageService = screen.app.service
    editor = os.environ.get("VISUAL") or os.environ.get("EDITOR") or "vi"
    with tempfile.TemporaryDirectory(prefix="triage-notes-") as folder:
        path = Path(folder) / f"{item.id}.md"
        path.write_text(item.notes, encoding="utf-8")
        try:
            with screen.app.suspend():
                completed = subprocess.run([*shlex.split(editor), str(path)], check=False)
        except SuspendNotSupported:
            screen.app.push_screen(EditScreen(service, item, focus_notes=True), done)
            return
        except OSError as error:
            screen.notify(f"Could not run {editor}: {error.strerror}", severity="error",
                          markup=False)
            return
        if completed.returncode != 0:
            screen.notify(f"{editor} exited with {completed.returncode}; notes unchanged",
                          severity="warning", markup=False)
            return
        notes = path.read_text(encoding="utf-8", errors="replace").rstrip("\n")
    if notes == item.notes:
        return
    try:
        done(service.edit(item.id, {"notes": notes}, expected_versions={item.id: item.version}))
    except (ServiceError, StoreError) as error:
        screen.notify(str(error), severity="error", markup=False)
