"""The weekly review screen (`w`): one ISO week at a time, with delegation advice to act on.

The review is computed off the UI thread (it reads every item, the audit log and runs the
classifier) and shown when it arrives; a late answer for a week no longer shown is dropped.
"""

from __future__ import annotations

import os
from datetime import date, timedelta
from pathlib import Path

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Footer, Header, OptionList, Static
from textual.widgets.option_list import Option, OptionDoesNotExist

from triage_tui.app.presenters import Parts, meter
from triage_tui.domain.dates import format_minutes
from triage_tui.domain.model import ROLE_OF_LANE, Item
from triage_tui.domain.review import (
    Advice,
    AuditRow,
    Review,
    build_review,
    day_words,
    percent,
    render_markdown,
    sparkline,
    week_label,
    week_range_words,
)
from triage_tui.domain.workload import LANE_OF_ROLE, ROLE_LABELS, ROLES, RoleLoad, week_start
from triage_tui.service import ServiceError, TriageService
from triage_tui.store.db import StoreError

OVERDUE_SHOWN = 5
"""The oldest overdue items listed on screen; the Markdown export lists more."""

_HANDED_TO = {"task": "the VA (task)", "ops": "the OM (ops)"}


class ReviewScreen(Screen[None]):
    """What got done per role, what came in, next week's load, and what to hand over."""

    BINDINGS = [
        Binding("left,left_square_bracket", "change_week(-1)", "Prev week",
                key_display="←", id="review.previous"),
        Binding("right,right_square_bracket", "change_week(1)", "Next week", key_display="→",
                id="review.next"),
        Binding("t", "hand_over('task')", "→ VA", id="review.to_va",
                tooltip="Hand the advice line's item to the VA"),
        Binding("o", "hand_over('ops')", "→ OM", id="review.to_om",
                tooltip="Hand the advice line's item to the OM"),
        Binding("e", "export", "Export", id="review.export",
                tooltip="Write the review as Markdown to a file in the current folder"),
        Binding("escape,q", "close", "Close", id="review.close"),
    ]

    def __init__(self, service: TriageService, week: date | None = None) -> None:
        super().__init__()
        self.service = service
        self.week = week_start(week or service.now().date())
        self.review: Review | None = None
        self._advice: dict[str, Advice] = {}

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        with VerticalScroll(id="review-stats"):
            yield Static(id="review-counts", markup=False)
            yield Static(id="review-roles", markup=False)
            yield Static(id="review-load", markup=False)
            yield Static(id="review-overdue", markup=False)
        yield OptionList(id="review-advice")
        yield Footer()

    def on_mount(self) -> None:
        self.query_one("#review-advice").border_subtitle = "t → VA · o → OM · Enter: as advised"
        self.query_one("#review-stats").border_subtitle = "← → or [ ] change the week"
        self.query_one(OptionList).focus()
        self._show_loading()
        self.compute()

    def _show_loading(self) -> None:
        self.query_one("#review-stats").border_title = (
            f"Review {week_label(self.week)} · {week_range_words(self.week)}")
        self.query_one("#review-counts", Static).update(Content.styled("Loading…",
                                                                       "$text-muted"))

    # -- computing -------------------------------------------------------------------------
    @work(thread=True, exclusive=True, group="review")
    def compute(self) -> None:
        week = self.week
        try:
            review = self._build(week)
        except Exception as error:  # noqa: BLE001 - a worker's exception would end the app
            self.app.call_from_thread(self._failed, f"{type(error).__name__}: {error}")
            return
        self.app.call_from_thread(self._show, review)

    def _build(self, week: date) -> Review:
        service = self.service
        settings = service.settings
        return build_review(
            service.items("all"), [AuditRow.of(row) for row in service.history()], week,
            service.now().date(), capacity_minutes=settings.capacity_minutes,
            default_minutes=settings.default_estimate_minutes, suggest=self._suggest(),
        )

    def _suggest(self):
        try:
            return self.service.classifier().suggest
        except Exception as error:  # noqa: BLE001 - a broken model must not block the review
            self.app.call_from_thread(
                self.notify, f"No classifier ({error}); advice lists only untouched items",
                severity="warning", markup=False)
            return lambda text: None

    def _failed(self, message: str) -> None:
        self.query_one("#review-counts", Static).update(
            Content.styled(f"Could not build the review: {message}", "$error"))

    def _show(self, review: Review) -> None:
        if review.start != self.week:
            return  # an answer for a week the user has already left
        self.review = review
        width = max(self.query_one("#review-stats").scrollable_content_region.width, 40)
        self.query_one("#review-counts", Static).update(counts_content(review))
        self.query_one("#review-roles", Static).update(roles_content(review))
        self.query_one("#review-load", Static).update(load_content(review, width))
        self.query_one("#review-overdue", Static).update(overdue_content(review))
        self._fill_advice(review.advice)

    def _fill_advice(self, advice: list[Advice]) -> None:
        options = self.query_one(OptionList)
        keep = options.highlighted or 0
        self._advice = {entry.item.id: entry for entry in advice}
        options.clear_options()
        options.border_title = f"Delegation advice · {len(advice)}"
        if not advice:
            options.add_option(Option(Content.styled(
                "Nothing to hand over: no owner item looks like VA or OM work, none is stale.",
                "$text-muted"), disabled=True))
            return
        options.add_options(Option(advice_content(entry), id=entry.item.id) for entry in advice)
        options.highlighted = min(keep, len(advice) - 1)

    # -- actions ---------------------------------------------------------------------------
    def action_change_week(self, step: int) -> None:
        self.week += timedelta(weeks=step)
        self.review = None  # `e` must not export the week just left
        self._show_loading()
        self.compute()

    def action_close(self) -> None:
        self.dismiss(None)

    def action_hand_over(self, lane: str) -> None:
        advice = self._highlighted_advice()
        if advice is not None:
            self._hand_over(advice, lane)

    @on(OptionList.OptionSelected)
    def _apply_advice(self, event: OptionList.OptionSelected) -> None:
        advice = self._advice.get(event.option_id or "")
        if advice is not None:
            self._hand_over(advice, advice.lane)

    def _highlighted_advice(self) -> Advice | None:
        options = self.query_one(OptionList)
        if options.highlighted is None or not self._advice:
            self.notify("No advice line to act on", severity="warning")
            return None
        return self._advice.get(options.get_option_at_index(options.highlighted).id or "")

    def _hand_over(self, advice: Advice, lane: str) -> None:
        if self.service.read_only:
            self.notify("Read-only: this queue cannot be changed from here", severity="warning")
            return
        try:
            result = self.service.set_lane([advice.item.id], lane)
        except (ServiceError, StoreError) as error:
            self.notify(str(error), severity="error", markup=False)
            return
        if result.refused:
            self.notify(result.refused[0][1], severity="error", markup=False)
            return
        self._drop_line(advice.item.id)
        self.notify(f"“{advice.item.title}” handed to {_HANDED_TO[lane]}", markup=False)
        self.compute()

    def _drop_line(self, item_id: str) -> None:
        """Remove the line at once; the recomputed review follows a moment later."""
        options = self.query_one(OptionList)
        self._advice.pop(item_id, None)
        try:
            options.remove_option(item_id)
        except OptionDoesNotExist:  # already gone with a reload: nothing to remove
            return
        options.border_title = f"Delegation advice · {len(self._advice)}"

    def action_export(self) -> None:
        if self.review is None:
            self.notify("The review is still loading", severity="warning")
            return
        path = Path.cwd() / f"triage-review-{self.review.label}.md"
        try:
            _write_atomically(path, render_markdown(self.review))
        except OSError as error:
            self.notify(f"Could not write {path}: {error.strerror or error}", severity="error",
                        markup=False)
            return
        self.notify(f"Review saved to {path}", markup=False, timeout=8)


def _write_atomically(path: Path, text: str) -> None:
    temp = path.with_name(f".{path.name}.tmp")
    temp.write_text(text, encoding="utf-8")
    os.replace(temp, path)


# -- what the sections show (user text always as plain Content, never markup) ---------------
def _role_style(role: str) -> str:
    return f"bold $lane-{LANE_OF_ROLE[role]}"


def counts_content(review: Review) -> Content:
    """Added, triaged, still unsorted and overdue, on one line."""
    parts: Parts = []
    for label, count, alarm in (
        ("Added", len(review.added), False), ("Triaged", len(review.triaged), False),
        ("Still unsorted", len(review.unsorted), True), ("Overdue", len(review.overdue), True),
    ):
        if parts:
            parts.append(("  ·  ", "$text-muted"))
        parts.append((f"{label} ", "$text-muted"))
        parts.append((str(count), "bold $error" if alarm and count else "bold"))
    return Content.assemble(*parts)


def roles_content(review: Review) -> Content:
    """Done per role in the week, open now, and the 8-week trend of hours done."""
    first = week_label(review.trend_starts[0])[-3:]
    parts: Parts = [(f"{'':<7}{'done':>5}{'hours':>7}{'open':>6}   hours done {first}–"
                     f"{week_label(review.start)[-3:]}", "bold")]
    for role in ROLES:
        week = review.roles[role]
        parts.append((f"\n{ROLE_LABELS[role]:<7}", _role_style(role)))
        parts.append(f"{len(week.done):>5}{format_minutes(week.done_minutes):>7}"
                     f"{week.open_count:>6}   ")
        parts.append((sparkline(week.trend), f"$lane-{LANE_OF_ROLE[role]}"))
        parts.append((f" {format_minutes(week.trend[-1])}", "$text-muted"))
    return Content.assemble(*parts)


def load_content(review: Review, width: int) -> Content:
    """Next week's load against capacity, one bar per role, over capacity in the error colour."""
    parts: Parts = [(f"Next week {week_label(review.next_start)} against capacity", "bold")]
    if review.next_is_past:
        parts.append(("\nThat week is over: open work counts in the current week.",
                      "$text-muted"))
        return Content.assemble(*parts)
    bar = max(min(width - 50, 30), 8)
    for role in ROLES:
        parts.extend(_load_line(review.next_load[role], bar))
    return Content.assemble(*parts)


def _load_line(load: RoleLoad, bar: int) -> Parts:
    over = load.over_capacity
    colour = "$error" if over else f"$lane-{LANE_OF_ROLE[load.role]}"
    detail = f" {format_minutes(load.load_minutes)}/{format_minutes(load.capacity_minutes)}"
    count = len(load.entries)
    detail += f" · {count} item{'' if count == 1 else 's'}"
    if load.assumed_count:
        detail += f", {load.assumed_count} assumed"
    return [
        (f"\n{ROLE_LABELS[load.role]:<7}", _role_style(load.role)),
        (meter(load.fraction, bar), colour),
        (f" {percent(load):>3}%", "bold $error" if over else "bold"),
        (" over" if over else "", "bold $error"),
        (detail, "$text-muted"),
    ]


def overdue_content(review: Review) -> Content:
    """The oldest overdue items (all lanes), with how late they are."""
    if not review.overdue:
        return Content.styled("Nothing overdue.", "$text-muted")
    parts: Parts = [(f"Overdue now · {len(review.overdue)}", "bold")]
    for item in review.overdue[:OVERDUE_SHOWN]:
        parts.extend(_overdue_line(item, review.today))
    if len(review.overdue) > OVERDUE_SHOWN:
        parts.append((f"\n… and {len(review.overdue) - OVERDUE_SHOWN} more", "$text-muted"))
    return Content.assemble(*parts)


def _overdue_line(item: Item, today: date) -> Parts:
    due = item.due_date()
    role = ROLE_OF_LANE.get(item.lane)
    who = ROLE_LABELS[role] if role else "—"
    return [
        (f"\n{day_words(due):<11}", "$error"),
        (f"{who:<6}", _role_style(role) if role else "$text-muted"),
        item.title,
        (f"  {(today - due).days}d late", "$text-muted"),
    ]


def advice_content(advice: Advice) -> Content:
    """One piece of advice on two lines: to whom and the item's title (plain text), then why.

    The stylesheet keeps each line to the width with an ellipsis, so every piece of advice
    takes the same two lines whatever the terminal's width.
    """
    # A badge, not coloured text: the highlighted line's background can be the lane's colour.
    badge = f"bold $background on $lane-{LANE_OF_ROLE[advice.to]}"
    return Content.assemble(
        (f" → {ROLE_LABELS[advice.to]:<2} ", badge),
        " ",
        advice.item.title,
        (f"\n       {advice.why}", "$text-muted"),
    )
