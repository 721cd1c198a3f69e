"""The help screen: every key that works where you pressed `?`, with what it does."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import ModalScreen, Screen
from textual.widgets import Static

from triage_tui.app.inbox_list import InboxList
from triage_tui.app.presenters import Parts


def _key_name(binding: Binding) -> str:
    if binding.key_display:
        return binding.key_display
    keys = []
    for key in binding.key.split(","):
        key = key.strip()
        keys.append({"question_mark": "?", "slash": "/", "space": "space", "enter": "Enter",
                     "escape": "Esc", "at": "@"}.get(key, key))
    return "/".join(keys)


def key_sections(screen: Screen) -> list[tuple[str, list[tuple[str, str]]]]:
    """Groups of (keys, description) for the screen, the inbox list and the app."""
    groups = [("Inbox list", InboxList.BINDINGS), (type(screen).__name__.replace(
        "Screen", "") or "Screen", getattr(screen, "BINDINGS", [])),
        ("Everywhere", [*screen.app.BINDINGS,
                        Binding("ctrl+p", "command_palette", "Command palette (every action)"),
                        Binding("ctrl+q", "quit", "Quit")])]
    sections = []
    listed: set[str] = set()
    for title, bindings in groups:
        fresh = [b for b in bindings if isinstance(b, Binding) and b.description
                 and b.key not in listed]
        listed.update(b.key for b in fresh)
        rows = [(_key_name(b), f"{b.description} — {b.tooltip}" if b.tooltip else b.description)
                for b in fresh]
        if rows:
            sections.append((title, rows))
    return sections


class HelpScreen(ModalScreen[None]):
    """Lists every active key with its description; any of Esc, q or ? closes it."""

    BINDINGS = [
        Binding("escape,q,question_mark", "dismiss", "Close help", id="help.close"),
    ]

    def __init__(self, under: Screen) -> None:
        super().__init__()
        self._under = under

    def compose(self) -> ComposeResult:
        parts: Parts = []
        for title, rows in key_sections(self._under):
            parts.append((f"{title}\n", "bold $primary"))
            for keys, description in rows:
                parts.extend([(f"  {keys:<12}", "bold $accent"), f"{description}\n"])
            parts.append("\n")
        parts.append(("Esc, q or ? closes this help", "$text-muted"))
        with VerticalScroll(id="help"):
            yield Static(Content.assemble(*parts), markup=False)

    def on_mount(self) -> None:
        self.query_one("#help").border_title = "Keys"
