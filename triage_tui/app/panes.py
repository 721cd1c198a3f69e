"""The triage (detail) pane and the workload pane. Each owns its state and renders it."""

from __future__ import annotations

from textual.containers import VerticalScroll
from textual.content import Content
from textual.css.query import NoMatches
from textual.reactive import reactive
from textual.widgets import Static

from triage_tui.app.presenters import Parts, detail_content, format_minutes, meter
from triage_tui.domain.model import Item
from triage_tui.domain.workload import LANE_OF_ROLE, ROLE_LABELS, ROLES, RoleLoad
from triage_tui.service import TriageService


class DetailPane(VerticalScroll, can_focus=True):
    """The selected item in full: suggestion with meter and reasons, dates, who changed it."""

    BORDER_TITLE = "Triage"
    item: reactive[Item | None] = reactive(None, always_update=True)
    """The item shown; None shows a hint."""

    def __init__(self, service: TriageService, **kwargs) -> None:
        super().__init__(**kwargs)
        self._service = service

    def compose(self):
        yield Static(id="detail-body", markup=False)

    def on_mount(self) -> None:
        self.item = self.item  # shows what was set before the body existed

    def watch_item(self, item: Item | None) -> None:
        try:
            body = self.query_one("#detail-body", Static)
        except NoMatches:
            return  # set before compose: `on_mount` shows it
        if item is None:
            body.update(Content.styled("Nothing selected. Move with j/k, or add with n.",
                                       "$text-muted"))
            return
        body.update(detail_content(item, self._service, self._service.now().date()))


class WorkloadPane(VerticalScroll, can_focus=True):
    """This week's hours per role against capacity, with counts and the top items."""

    BORDER_TITLE = "Workload"
    loads: reactive[dict[str, RoleLoad] | None] = reactive(None, always_update=True)
    """The current week's loads, computed by the screen."""

    TOP_ITEMS = 3

    def compose(self):
        yield Static(id="workload-body", markup=False)

    def on_mount(self) -> None:
        self.loads = self.loads  # shows what was set before the body existed

    def watch_loads(self, loads: dict[str, RoleLoad] | None) -> None:
        try:
            body = self.query_one("#workload-body", Static)
        except NoMatches:
            return  # set before compose: `on_mount` shows it
        if loads is None:
            body.update(Content.styled("Loading…", "$text-muted"))
            return
        width = max(self.scrollable_content_region.width, 20)
        parts: Parts = []
        for role in ROLES:
            parts.extend(self._role_parts(loads[role], width))
        body.update(Content.assemble(*parts))

    def on_resize(self) -> None:
        self.loads = self.loads

    def _role_parts(self, load: RoleLoad, width: int) -> Parts:
        lane = LANE_OF_ROLE[load.role]
        over = load.over_capacity
        parts: Parts = [(f"{ROLE_LABELS[load.role]:<6}", f"bold $lane-{lane}")]
        parts.append((meter(load.fraction, min(width - 12, 30)), "$error" if over else
                      f"$lane-{lane}"))
        parts.append((f" {round(load.fraction * 100):>3}%\n", "bold $error" if over else "bold"))
        used = format_minutes(load.load_minutes) or "0m"
        count = len(load.entries)
        summary = (f"{used} of {format_minutes(load.capacity_minutes)} · {count} "
                   f"item{'s' if count != 1 else ''}")
        parts.append((_cut(summary, width) + "\n", "$text-muted"))
        notes = [f"{load.overdue_count} overdue"] if load.overdue_count else []
        if load.assumed_count:
            notes.append(f"{load.assumed_count} estimate{'s' if load.assumed_count > 1 else ''}"
                         " assumed")
        if over:
            parts.append(("over capacity" + (" · " if notes else ""), "bold $error"))
        if notes or over:
            parts.append((_cut(" · ".join(notes), width) + "\n", "$text-muted"))
        for entry in load.entries[: self.TOP_ITEMS]:
            times = f"×{entry.occurrences}" if entry.occurrences > 1 else ""
            lead = f"{format_minutes(entry.minutes):>5}{times:<3} "
            parts.append((lead, "$text-muted"))
            parts.append(_cut(entry.item.title, width - len(lead)) + "\n")
        parts.append("\n")
        return parts


def _cut(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"

