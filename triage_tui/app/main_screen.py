"""The screen that owns the triage workflow: inbox, triage and workload panes.

It holds the open items, turns keys into service calls, and applies what the service returns.
Every change is saved by the service before the screen shows it; a failure is a notification
and a reload of the stored truth.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from textual import on, work
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import Container, Vertical
from textual.message import Message
from textual.reactive import reactive
from textual.screen import Screen
from textual.timer import Timer
from textual.widgets import Footer, Header, Input, Static

from triage_tui.app.inbox_list import InboxList, InboxRow
from triage_tui.app.panes import DetailPane, WorkloadPane
from triage_tui.app.presenters import SORTS, inbox_row, sort_items
from triage_tui.domain.fuzzy import fuzzy_filter
from triage_tui.domain.model import Item
from triage_tui.domain.workload import week_load
from triage_tui.gcpause import paused_gc
from triage_tui.service import ChangeResult, ServiceError, TriageService
from triage_tui.store.db import StoreError

WIDE_LAYOUT_COLUMNS = 120
"""From this width the three panes stand side by side; below it the side panes stack."""

WORKLOAD_DELAY_SECONDS = 0.3
"""At start-up the workload pane fills this long after the inbox has painted."""

MAX_MERGED_NEW_ITEMS = 200
"""More new items than this in one reload re-sort the whole inbox instead of being merged."""

RESUGGEST_DELAY_SECONDS = 2.0
"""How long after the last hand triage the unsorted items' suggestions are refreshed."""

CLAIM_CHECK_SECONDS = 30.0
"""How often rows showing a claim are checked for expiry when nothing else changed."""

POLL_SECONDS = 0.5
"""How often to look for another process's change (one stat call: cheap when idle)."""

_VERBS = {
    "create": "added", "import": "imported", "accept": "accepted", "done": "completed",
    "dropped": "dropped", "open": "reopened", "claim": "claimed", "release": "released",
    "assign": "assigned", "edit": "edited", "undo": "undid", "redo": "redid",
    "done occurrence": "completed", "reclassify": "re-suggested",
}


@dataclass
class _Pending:
    """A refused action that `F` can repeat with force."""

    label: str
    run: Callable[[bool], ChangeResult]


class MainScreen(Screen):
    """Inbox, triage and workload: the owner empties the inbox here."""

    BINDINGS = [
        # First, so that the footer shows it even at 80 columns, where the others get cut.
        Binding("question_mark", "app.help", "Help", key_display="?", id="screen.help"),
        Binding("t", "triage('task')", "→ VA", id="triage.task",
                tooltip="Send to the VA (task management)"),
        Binding("o", "triage('ops')", "→ OM", id="triage.ops",
                tooltip="Send to the OM (operations management)"),
        Binding("m", "triage('keep')", "Mine", id="triage.keep", tooltip="Keep it yourself (keep)"),
        Binding("a", "accept", "Accept", id="triage.accept", tooltip="Accept the suggestion"),
        Binding("n", "quick_add", "Add", id="item.add"),
        Binding("e", "edit", "Edit", id="item.edit", show=False),
        Binding("ctrl+e", "edit_notes", "Edit notes in $EDITOR", id="item.notes", show=False),
        Binding("d", "done", "Done", id="item.done"),
        Binding("x", "drop", "Drop", id="item.drop", show=False),
        Binding("c", "claim", "Claim", id="item.claim", show=False),
        Binding("at", "assign", "Assign", key_display="@", id="item.assign", show=False),
        Binding("F", "force", "Force last refused", key_display="F", id="item.force",
                show=False),
        Binding("u", "undo", "Undo", id="history.undo"),
        Binding("ctrl+r", "redo", "Redo", id="history.redo", show=False),
        Binding("h", "history", "History", id="history.item", show=False),
        Binding("slash", "filter", "Filter", key_display="/", id="inbox.filter"),
        Binding("escape", "clear", "Clear filter/selection", id="inbox.clear", show=False),
        Binding("s", "cycle_sort", "Sort", id="inbox.sort", show=False),
        Binding("v", "toggle_mine", "Mine / everything", id="inbox.mine", show=False),
        Binding("tab", "next_pane", "Next pane", id="pane.next"),
        Binding("shift+tab", "previous_pane", "Previous pane", id="pane.previous", show=False),
        Binding("w", "review", "Review", id="review.open", show=False),
    ]

    narrow: reactive[bool] = reactive(False)
    """Below WIDE_LAYOUT_COLUMNS the side panes stack under the inbox, one at a time."""
    side: reactive[str] = reactive("detail")
    """Which side pane shows in the narrow layout: `detail` or `workload`."""
    sort_index: reactive[int] = reactive(0, init=False)
    """Index into SORTS."""
    mine_only: reactive[bool] = reactive(False, init=False)
    """Show only what is claimed by or assigned to this user."""

    class ItemsLoaded(Message):
        """The store's items, read off the UI thread."""

        def __init__(
            self, items: list[Item], rows: dict[str, InboxRow], order: list[Item],
            signature: object, external: bool, audit_mark: str | None, sort_index: int,
        ) -> None:
            super().__init__()
            self.items = items
            self.rows = rows
            self.order = order
            self.signature = signature
            self.external = external
            self.audit_mark = audit_mark
            self.sort_index = sort_index

    def __init__(self, service: TriageService) -> None:
        super().__init__()
        self.service = service
        self._items: dict[str, Item] = {}
        self._rows: dict[str, InboxRow] = {}
        self._order: list[str] = []
        self._titles: list[str] = []
        self._filter = ""
        self._seen_signature: object = None
        self._loading = False
        self._loaded_once = False
        self._pending: _Pending | None = None
        self._history_mark: str | None = None
        self._load_error: str | None = None
        self._failed_signature: object = None
        self._resuggest_timer: Timer | None = None
        self._claims_checked_at = 0.0

    # -- layout ----------------------------------------------------------------------------
    def compose(self) -> ComposeResult:
        yield Header()
        if self.service.read_only:
            yield Static("Read-only: you can read this queue but not change it "
                         f"({self.service.store.path})", id="banner", markup=False)
        with Container(id="panes"):
            with Vertical(id="inbox-pane"):
                yield Input(placeholder="filter: type to narrow, Enter keeps, Esc clears",
                            id="filter")
                yield InboxList(id="inbox")
            yield DetailPane(self.service, id="detail")
            yield WorkloadPane(id="workload")
        yield Footer()

    def on_mount(self) -> None:
        inbox = self.query_one(InboxList)
        inbox.empty_message = "Loading…"
        self.query_one("#inbox-pane").border_title = "Inbox"
        self.query_one("#filter").display = False
        inbox.focus()
        # The first frame must show the inbox and its count: read before it, on this thread,
        # rather than race the first paint for the GIL from a worker.
        try:
            self.on_main_screen_items_loaded(self._snapshot(False, {}, {}, self.sort_index))
        except StoreError as error:
            self._report(str(error), "error")
        self.set_interval(POLL_SECONDS, self._poll)

    def on_resize(self) -> None:
        self.narrow = self.size.width < WIDE_LAYOUT_COLUMNS

    def watch_narrow(self, narrow: bool) -> None:
        self.set_class(narrow, "-narrow")

    def watch_side(self, side: str) -> None:
        self.set_class(side == "workload", "-side-workload")

    # -- loading and live refresh ----------------------------------------------------------
    def _load(self, external: bool) -> None:
        self._loading = True
        self._read_items(external, dict(self._items), dict(self._rows), self.sort_index)

    # A description, or Textual names the worker by repr() of every item and row passed in.
    @work(thread=True, exclusive=True, group="load", description="read the inbox")
    def _read_items(
        self, external: bool, old_items: dict[str, Item], old_rows: dict[str, InboxRow],
        sort_index: int,
    ) -> None:
        try:
            loaded = self._snapshot(external, old_items, old_rows, sort_index)
        except StoreError as error:
            # Said once, and not read again until the files change: a damaged database must
            # not cost a parse and a notification every poll.
            self._failed_signature = self.service.store.signature()
            if str(error) != self._load_error:
                self._load_error = str(error)
                self.app.call_from_thread(self._report_load_error, str(error))
            self._loading = False
            return
        self.post_message(loaded)

    def _report_load_error(self, text: str) -> None:
        self.notify(f"{text}. Showing what was read before; nothing is written until it reads "
                    "again.", title="Cannot read the database", severity="error", markup=False,
                    timeout=30)

    def _snapshot(
        self, external: bool, old_items: dict[str, Item], old_rows: dict[str, InboxRow],
        sort_index: int,
    ) -> ItemsLoaded:
        """Read, build rows and sort; rows of unchanged items are reused."""
        items = self.service.items()
        signature = self.service.store.known_signature
        audit_mark = self.service.store.audit_mark()
        today = self.service.now().date()
        open_items = [item for item in items if item.status == "open"]
        rows = {}
        with paused_gc(freeze=True):
            for item in open_items:
                row = old_rows.get(item.id)
                old = old_items.get(item.id)
                # Re-suggesting changes a suggestion without a new version, and a claim
                # expires with time alone: those rows are built again.
                if (row is None or old is None or old.version != item.version
                        or old.suggestion != item.suggestion or item.claimed_by):
                    row = inbox_row(item, self.service, today)
                rows[item.id] = row
        sort_items(open_items, sort_index)
        return self.ItemsLoaded(items, rows, open_items, signature, external, audit_mark,
                                sort_index)

    def on_main_screen_items_loaded(self, message: ItemsLoaded) -> None:
        self._loading = False
        if self._load_error is not None:
            self._load_error = None
            self._report("The database reads correctly again")
        self._seen_signature = message.signature
        self._items = {item.id: item for item in message.items}
        self._rows = message.rows
        if message.sort_index != self.sort_index:
            self._resort()
        else:
            sorted_ids = [item.id for item in message.order]
            # A reload keeps rows where they are (no jumping under the cursor); only the
            # first load and `s` sort the whole list.
            self._order = self._merge_order(sorted_ids) if self._loaded_once else sorted_ids
            self._titles = [self._items[item_id].title for item_id in self._order]
            self._show_rows()
        self._refresh_panes()
        if message.external and self._loaded_once:
            self._announce_others()
        self._loaded_once = True
        self._history_mark = message.audit_mark

    def _merge_order(self, sorted_ids: list[str]) -> list[str]:
        """The current order without closed items, new items placed by their sorted neighbour.

        Many new items at once (an import elsewhere) take the freshly sorted order instead.
        """
        present = set(sorted_ids)
        kept = [item_id for item_id in self._order if item_id in present]
        kept_set = set(kept)
        new_ids = [item_id for item_id in sorted_ids if item_id not in kept_set]
        if len(new_ids) > MAX_MERGED_NEW_ITEMS:
            return sorted_ids
        for position, item_id in enumerate(sorted_ids):
            if item_id in kept_set:
                continue
            anchor = next((sorted_ids[back] for back in range(position - 1, -1, -1)
                           if sorted_ids[back] in kept_set), None)
            kept.insert(kept.index(anchor) + 1 if anchor else 0, item_id)
            kept_set.add(item_id)
        return kept

    def _poll(self) -> None:
        if self._loading:
            return
        try:
            signature = self.service.store.signature()
        except OSError:
            return
        if signature != self._seen_signature and signature != self._failed_signature:
            self._load(external=True)
        elif time.monotonic() >= self._claims_checked_at + CLAIM_CHECK_SECONDS:
            self._redraw_expired_claims()

    def _redraw_expired_claims(self) -> None:
        """Claims expire with time alone, without a change to the file: redraw those rows."""
        self._claims_checked_at = time.monotonic()
        expired = [
            item for item_id in self._order
            if (item := self._items[item_id]).claimed_by and item_id in self._rows
            and self._rows[item_id].who.startswith("⚑") and not self.service.claim_holder(item)
        ]
        if expired:
            for item in expired:
                self._rows.pop(item.id, None)
            self.query_one(InboxList).update_rows(self._row(item) for item in expired)

    def _announce_others(self) -> None:
        """A quiet summary of what other people just did ("alice tagged 3 items")."""
        rows = self.service.store.audit_after(self._history_mark)
        done: Counter[tuple[str, str]] = Counter()
        seen: set[tuple[str, str, str]] = set()
        for row in rows:
            if row.user == self.service.user:
                continue
            verb = "tagged" if row.action.startswith("tag") else _VERBS.get(
                row.action.replace(" (forced)", ""), "changed")
            if (row.user, verb, row.item_id) not in seen:
                seen.add((row.user, verb, row.item_id))
                done[(row.user, verb)] += 1
        if done:
            lines = [f"{user} {verb} {n} item{'s' if n != 1 else ''}"
                     for (user, verb), n in done.most_common(3)]
            self.notify("; ".join(lines), title="Others", timeout=4, markup=False)

    # -- showing ---------------------------------------------------------------------------
    def _row(self, item: Item) -> InboxRow:
        row = self._rows.get(item.id)
        if row is None:
            row = self._rows[item.id] = inbox_row(item, self.service, self._today())
        return row

    def _today(self):
        return self.service.now().date()

    def _resort(self) -> None:
        open_items = [item for item in self._items.values() if item.status == "open"]
        sort_items(open_items, self.sort_index)
        self._order = [item.id for item in open_items]
        self._titles = [item.title for item in open_items]
        self._show_rows()

    def _show_rows(self) -> None:
        inbox = self.query_one(InboxList)
        if self._filter:
            indices = fuzzy_filter(self._filter, self._titles)
            visible = [self._order[index] for index in indices]
        else:
            visible = self._order
        if self.mine_only:
            visible = [item_id for item_id in visible if self._is_mine(self._items[item_id])]
        inbox.highlight_query = self._filter
        inbox.set_rows([self._row(self._items[item_id]) for item_id in visible])
        inbox.empty_message = self._empty_message()
        self._update_title(len(visible))
        self._show_detail(inbox.cursor_item_id)

    def _empty_message(self) -> str:
        if self._filter:
            return "Nothing matches the filter. Esc clears it."
        if self.mine_only:
            return "Nothing is claimed by or assigned to you. v shows everything."
        return "Inbox zero. Press n to add an item, or run: triage add \"call the bank fri\""

    def _is_mine(self, item: Item) -> bool:
        user = self.service.user
        return item.assignee == user or self.service.claim_holder(item) == user

    def _update_title(self, shown: int) -> None:
        total = len(self._order)
        narrowed = self._filter or self.mine_only
        count = f"{shown} of {total}" if narrowed else f"{total}"
        sort = list(SORTS)[self.sort_index]
        pane = self.query_one("#inbox-pane")
        pane.border_title = f"{'Mine' if self.mine_only else 'Inbox'} {count}"
        pane.border_subtitle = f"sort: {sort}"

    def action_toggle_mine(self) -> None:
        self.mine_only = not self.mine_only

    def watch_mine_only(self) -> None:
        if self._loaded_once:
            self._show_rows()

    def _show_detail(self, item_id: str | None) -> None:
        self.query_one(DetailPane).item = self._items.get(item_id) if item_id else None

    def _refresh_panes(self) -> None:
        if self._loaded_once or WORKLOAD_DELAY_SECONDS <= 0:
            self._compute_workload()
        else:
            # After the first frame: the inbox comes first, the workload a moment later.
            self.set_timer(WORKLOAD_DELAY_SECONDS, self._compute_workload)

    def _compute_workload(self) -> None:
        """Recompute the workload pane off the UI thread, from a copy of the items."""
        self._workload_worker(list(self._items.values()))

    @work(thread=True, exclusive=True, group="workload", description="workload")
    def _workload_worker(self, items: list[Item]) -> None:
        settings = self.service.settings
        today = self.service.now().date()
        try:
            loads = week_load(items, today, today, settings.capacity_minutes,
                              settings.default_estimate_minutes)
        except Exception as error:  # noqa: BLE001 - a worker's exception would end the app
            self.app.call_from_thread(self._report, f"Workload not updated: {error}", "error")
            return
        self.app.call_from_thread(self._show_workload, loads)

    def _show_workload(self, loads) -> None:
        panes = self.query(WorkloadPane)
        if panes:
            panes.first().loads = loads

    @on(InboxList.Highlighted)
    def _highlighted(self, event: InboxList.Highlighted) -> None:
        self._show_detail(event.item_id)

    @on(InboxList.Activated)
    def _activated(self, event: InboxList.Activated) -> None:
        self.action_accept()

    # -- changing --------------------------------------------------------------------------
    def _targets(self) -> list[str]:
        inbox = self.query_one(InboxList)
        if inbox.selected_ids:
            return [item_id for item_id in self._order if item_id in inbox.selected_ids]
        return [inbox.cursor_item_id] if inbox.cursor_item_id else []

    def _run(self, label: str, call: Callable[..., ChangeResult], advance: bool = False) -> None:
        """Save a change through the service, then show what was stored."""
        if self.service.read_only:
            self._report("Read-only session: this queue cannot be changed by you", "warning")
            return
        ids = self._targets()
        if not ids:
            self._report("No item here: move to one with j/k first", "warning")
            return
        versions = {item_id: self._items[item_id].version for item_id in ids
                    if item_id in self._items}

        def run(force: bool) -> ChangeResult:
            return call(ids, expected_versions=versions, force=force)

        self._execute(label, run, force=False, advance=advance)

    def _execute(
        self, label: str, run: Callable[[bool], ChangeResult], force: bool, advance: bool
    ) -> None:
        try:
            result = run(force)
        except (ServiceError, StoreError) as error:
            self._report(str(error), "error")
            self._load(external=False)
            return
        self._apply(result.changed)
        self.query_one(InboxList).clear_selection()
        if advance and result.changed:
            self._advance_to_unsorted()
        if result.refused:
            # F overrides claims; a stale version is refused again however often it is forced.
            stale = all("since you loaded" in reason for _, reason in result.refused)
            self._pending = None if stale else _Pending(label, run)
            hint = "the fresh state is shown: try again" if stale else "F forces it"
            self._report(f"{result.summary} ({hint})", "warning")
            if any("since you loaded" in reason for _, reason in result.refused):
                self._load(external=False)
        elif result.changed:
            count = len(result.changed)
            self.notify(f"{label}: {count} item{'s' if count != 1 else ''}", timeout=2,
                        markup=False)

    def _apply(self, changed: Iterable[Item]) -> None:
        """Show stored items without a reload: rows update in place, closed ones leave."""
        changed = list(changed)
        if not changed:
            return
        for item in changed:
            self._items[item.id] = item
            self._rows.pop(item.id, None)
        # The signature stays the one last loaded: the save re-read the file, so it may hold
        # other people's changes this screen has not shown; the next poll loads them.
        inbox = self.query_one(InboxList)
        closed = {item.id for item in changed if item.status != "open"}
        if closed:
            self._order = [item_id for item_id in self._order if item_id not in closed]
            self._titles = [self._items[item_id].title for item_id in self._order]
            inbox.remove_ids(closed)
        inbox.update_rows(self._row(item) for item in changed if item.status == "open")
        self._update_title(inbox.row_count)
        self._show_detail(inbox.cursor_item_id)
        self._compute_workload()

    def _advance_to_unsorted(self) -> None:
        inbox = self.query_one(InboxList)
        rows = inbox.rows
        start = inbox.cursor_index
        for offset in range(1, len(rows) + 1):
            row = rows[(start + offset) % len(rows)]
            if row.lane == "unsorted":
                inbox.move_cursor_to(row.item_id)
                return

    def _report(self, text: str, severity: str = "information") -> None:
        self.notify(text, severity=severity, markup=False, timeout=5)

    # -- actions ---------------------------------------------------------------------------
    def action_triage(self, lane: str) -> None:
        label = {"task": "Sent to the VA", "ops": "Sent to the OM", "keep": "Kept"}[lane]
        self._run(label, lambda ids, **kw: self.service.set_lane(ids, lane, **kw), advance=True)
        if lane in ("task", "ops"):
            self._schedule_resuggest()

    def _schedule_resuggest(self) -> None:
        """After a pause in triage, refresh the other items' suggestions from the corrections.

        Not on every key: re-suggesting 5,000 unsorted items takes a few hundred ms, and
        every correction in a burst of keys feeds the same pass.
        """
        if self._resuggest_timer is not None:
            self._resuggest_timer.stop()
        self._resuggest_timer = self.set_timer(RESUGGEST_DELAY_SECONDS, self._resuggest)

    @work(thread=True, exclusive=True, group="resuggest", description="re-suggest")
    def _resuggest(self) -> None:
        try:
            changed = self.service.reclassify()
        except (ServiceError, StoreError) as error:
            self.app.call_from_thread(self._report, f"Suggestions not refreshed: {error}",
                                      "warning")
            return
        if changed:
            self.app.call_from_thread(self._load, False)

    def action_accept(self) -> None:
        self._run("Accepted", self.service.accept, advance=True)

    def action_done(self) -> None:
        self._run("Done", self.service.complete)

    def action_drop(self) -> None:
        self._run("Dropped", self.service.drop)

    def action_claim(self) -> None:
        ids = self._targets()
        mine = all(self._items[i].claimed_by == self.service.user for i in ids if i in self._items)
        if ids and mine:
            self._run("Released", self.service.release)
        else:
            self._run("Claimed", self.service.claim)

    def action_force(self) -> None:
        if self._pending is None:
            self._report("Nothing to force: no action was refused", "warning")
            return
        pending, self._pending = self._pending, None
        self._execute(f"{pending.label} (forced)", pending.run, force=True, advance=False)

    def action_undo(self) -> None:
        self._history_step(self.service.undo)

    def action_redo(self) -> None:
        self._history_step(self.service.redo)

    def _history_step(self, step: Callable[[], str]) -> None:
        try:
            message = step()
        except (ServiceError, StoreError) as error:
            self._report(str(error), "warning")
            return
        self.notify(message.capitalize(), timeout=2, markup=False)
        self._load(external=False)

    def action_filter(self) -> None:
        field = self.query_one("#filter", Input)
        field.display = True
        field.focus()

    @on(Input.Changed, "#filter")
    def _filter_changed(self, event: Input.Changed) -> None:
        self._filter = event.value.strip()
        self._show_rows()

    @on(Input.Submitted, "#filter")
    def _filter_submitted(self) -> None:
        if not self._filter:
            self.query_one("#filter").display = False
        self.query_one(InboxList).focus()

    def action_clear(self) -> None:
        field = self.query_one("#filter", Input)
        inbox = self.query_one(InboxList)
        if self._filter or field.display:
            field.value = ""
            field.display = False
            self._filter = ""
            self._show_rows()
            inbox.focus()
        elif inbox.selected_ids:
            inbox.clear_selection()

    def action_cycle_sort(self) -> None:
        self.sort_index = (self.sort_index + 1) % len(SORTS)

    def watch_sort_index(self) -> None:
        self._resort()
        self.notify(f"Sorted by {list(SORTS)[self.sort_index]}", timeout=2)

    _PANES = ("#inbox", "#detail", "#workload")

    def action_next_pane(self) -> None:
        self._cycle_pane(+1)

    def action_previous_pane(self) -> None:
        self._cycle_pane(-1)

    def _cycle_pane(self, step: int) -> None:
        focused = self.focused
        current = next((i for i, sel in enumerate(self._PANES)
                        if focused is not None and focused.id == sel[1:]), 0)
        target = self._PANES[(current + step) % len(self._PANES)]
        if target in ("#detail", "#workload"):
            self.side = target[1:]
        self.query_one(target).focus()

    def action_quick_add(self) -> None:
        if self.service.read_only:
            self._report("Read-only session: you cannot add items here", "warning")
            return
        from triage_tui.app.quick_add import QuickAddScreen

        self.app.push_screen(QuickAddScreen(self.service), self._added)

    def _added(self, item: Item | None) -> None:
        if item is None:
            return
        self._items[item.id] = item  # the next poll loads what others changed before it
        self._resort()
        self.query_one(InboxList).move_cursor_to(item.id)
        self._compute_workload()

    def _cursor_item(self) -> Item | None:
        item_id = self.query_one(InboxList).cursor_item_id
        return self._items.get(item_id) if item_id else None

    def action_edit(self) -> None:
        item = self._cursor_item()
        if item is None or self.service.read_only:
            self._report("Nothing to edit here" if item is None else
                         "Read-only session: you cannot edit items", "warning")
            return
        from triage_tui.app.edit import EditScreen

        self.app.push_screen(EditScreen(self.service, item), self._edited)

    def _edited(self, result: ChangeResult | None) -> None:
        if result is None:
            return
        self._apply(result.changed)
        if result.refused:
            self._report(result.summary, "warning")
            self._load(external=False)

    def action_edit_notes(self) -> None:
        item = self._cursor_item()
        if item is None or self.service.read_only:
            self._report("Nothing to edit here" if item is None else
                         "Read-only session: you cannot edit items", "warning")
            return
        from triage_tui.app.edit import edit_notes_externally

        edit_notes_externally(self, item, self._edited)

    def action_assign(self) -> None:
        item = self._cursor_item()
        if item is None:
            return
        from triage_tui.app.edit import PromptScreen

        def assign(person: str | None) -> None:
            if person is not None:
                self._run(f"Assigned to {person or 'nobody'}",
                          lambda ids, **kw: self.service.assign(ids, person, **kw))

        prompt = PromptScreen("Assign to (empty unassigns), Enter saves", item.assignee or "",
                              "maya")
        self.app.push_screen(prompt, lambda person: assign(
            None if person is None else person.lstrip("@")))

    def refresh_workload(self) -> None:
        """Recompute the workload pane (after capacities change)."""
        self._compute_workload()

    def action_history(self) -> None:
        from triage_tui.app.history import HistoryScreen

        item = self._cursor_item()
        self.app.push_screen(HistoryScreen(self.service, item))

    def action_review(self) -> None:
        from triage_tui.app.review import ReviewScreen

        self.app.push_screen(ReviewScreen(self.service), lambda _: self._load(external=False))
