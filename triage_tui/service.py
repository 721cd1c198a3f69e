"""The one service layer the app and the CLI both use.

Every change goes through `TriageService`: it resolves ids, checks claims and versions, writes
through one store transaction, records who did it, and keeps this session's undo history.
No Textual here.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from triage_tui.config import Settings
from triage_tui.domain.model import (
    LANES,
    TRIAGE_LANES,
    Item,
    Suggestion,
    clean_notes,
    clean_text,
    new_item_id,
    now_iso,
)
from triage_tui.store.db import AuditEntry, Store

if TYPE_CHECKING:
    from triage_tui.classify import Classifier
    from triage_tui.domain.quickadd import QuickAdd


class ServiceError(Exception):
    """A request that cannot be done; the message is one line for a person."""


class NotFoundError(ServiceError):
    """No item matches the id given."""


@dataclass(slots=True)
class ChangeResult:
    """What a change did: the items as stored now, and the ids it refused with why."""

    changed: list[Item] = field(default_factory=list)
    refused: list[tuple[str, str]] = field(default_factory=list)

    @property
    def summary(self) -> str:
        """One line for a notification or the CLI."""
        if not self.refused:
            return f"{len(self.changed)} changed"
        reasons = "; ".join(reason for _, reason in self.refused[:2])
        return f"{len(self.changed)} changed, {len(self.refused)} refused: {reasons}"


Transition = tuple[Item | None, Item | None]
"""`(expected, target)`: the item must be stored as `expected` (None: must not exist) and
becomes `target` (None: deleted)."""


@dataclass(slots=True)
class _UndoStep:
    """One user action, as the transitions that take it back."""

    label: str
    transitions: list[Transition]


Mutation = Callable[[Item], Item | None]


RESUGGEST_MIN_CHANGE = 0.02
"""A fresh suggestion replaces the stored one when its lane or first reason differs, or its
confidence moved by at least this much: a correction nudges hundreds of confidences by a hair,
and storing each nudge would rewrite hundreds of items for nothing anyone sees."""


def _worth_storing(old: Suggestion | None, new: Suggestion | None) -> bool:
    if old is None or new is None:
        return old != new
    return (old.lane != new.lane or old.reasons[:1] != new.reasons[:1]
            or abs(old.confidence - new.confidence) >= RESUGGEST_MIN_CHANGE)


class TriageService:
    """Reads and changes one store on behalf of one user."""

    def __init__(
        self,
        store: Store,
        user: str,
        settings: Settings | None = None,
        clock: Callable[[], datetime] | None = None,
    ) -> None:
        self.store = store
        self.user = user
        self.settings = settings or Settings()
        self._clock = clock or (lambda: datetime.now().astimezone())
        self._undo: list[_UndoStep] = []
        self._redo: list[_UndoStep] = []
        self._classifier_cache: tuple[int, Classifier] | None = None

    # -- time and identity -------------------------------------------------------------
    def now(self) -> datetime:
        return self._clock()

    @property
    def read_only(self) -> bool:
        return self.store.read_only

    # -- reading -------------------------------------------------------------------------
    def items(self, status: str = "open", lane: str | None = None) -> list[Item]:
        """Items filtered by status (`all` for every one) and lane."""
        return [
            item for item in self.store.items()
            if (status == "all" or item.status == status) and (lane is None or item.lane == lane)
        ]

    def get(self, ref: str) -> Item:
        """The item whose id is `ref` or starts with it (at least 4 characters)."""
        ref = ref.strip()
        item = self.store.get(ref)
        if item is not None:
            return item
        if len(ref) < 4:
            raise NotFoundError(f"no item with id {ref!r} (give at least 4 characters)")
        matches = [item for item in self.store.items() if item.id.startswith(ref)]
        if not matches:
            raise NotFoundError(f"no item with id {ref!r}")
        if len(matches) > 1:
            raise NotFoundError(f"id {ref!r} is ambiguous: {len(matches)} items start with it")
        return matches[0]

    def history(
        self, item_id: str | None = None, user: str | None = None, since: datetime | None = None
    ) -> list[AuditEntry]:
        """Audit rows, oldest first, filtered by item, user and time."""
        rows = self.store.audit()
        if item_id:
            rows = [row for row in rows if row.item_id == item_id]
        if user:
            rows = [row for row in rows if row.user == user]
        if since:
            rows = [row for row in rows if datetime.fromisoformat(row.at) >= since]
        return rows

    def claim_holder(self, item: Item) -> str | None:
        """Who holds a live claim on the item (claims older than the limit have expired)."""
        if not item.claimed_by:
            return None
        if item.claimed_at:
            try:
                claimed = datetime.fromisoformat(item.claimed_at)
            except ValueError:
                return item.claimed_by
            if self.now() - claimed > timedelta(hours=self.settings.claim_hours):
                return None
        return item.claimed_by

    # -- classification ------------------------------------------------------------------
    def classifier(self) -> Classifier:
        """The shipped model plus every lane people chose by hand in this database."""
        examples = self.store.examples()
        if self._classifier_cache is None or self._classifier_cache[0] != len(examples):
            from triage_tui.classify import Classifier  # deferred: only when suggesting

            pairs = [(row["text"], row["lane"]) for row in examples if row.get("lane")]
            self._classifier_cache = (len(examples), Classifier.default().with_examples(pairs))
        return self._classifier_cache[1]

    def suggest(self, text: str) -> Suggestion | None:
        return self.classifier().suggest(text)

    def needs_review(self, item: Item) -> bool:
        """An unsorted item whose suggestion is missing or below the threshold."""
        if item.lane != "unsorted":
            return False
        return item.suggestion is None or (
            item.suggestion.confidence < self.settings.review_threshold
        )

    def reclassify(self, only_unsorted: bool = True) -> int:
        """Refresh stored suggestions after the model or the corrections changed."""
        classifier = self.classifier()
        targets = [
            item for item in self.items()
            if not only_unsorted or item.lane == "unsorted"
        ]
        fresh = classifier.suggest_many([item.title for item in targets])
        updates = {
            item.id: suggestion for item, suggestion in zip(targets, fresh, strict=True)
            if _worth_storing(item.suggestion, suggestion)
        }
        if not updates:
            return 0
        with self.store.transaction(self.user) as tx:
            for item_id, suggestion in updates.items():
                current = tx.get(item_id)
                if current is not None:
                    # The classifier's, not a person's: no history rows, no version.
                    tx.replace(current, dataclasses.replace(current, suggestion=suggestion),
                               "reclassify", audit=False)
        return len(updates)

    # -- adding --------------------------------------------------------------------------
    def parse(self, text: str) -> QuickAdd:
        from triage_tui.domain.quickadd import parse_quick_add

        return parse_quick_add(text, self.now())

    def add(self, text: str) -> tuple[Item, QuickAdd]:
        """Quick add: parse one line, suggest a lane, store it. Returns the item and the parse."""
        parsed = self.parse(clean_text(text))
        if not parsed.title.strip():
            raise ServiceError("nothing to add: the text is empty")
        fields = {
            "title": parsed.title, "due": parsed.due, "estimate_minutes": parsed.estimate_minutes,
            "recurrence": parsed.recurrence, "tags": parsed.tags, "assignee": parsed.assignee,
            "lane": parsed.lane or "unsorted",
        }
        (item,) = self.add_items([fields], action="create")
        return item, parsed

    def add_items(self, rows: Sequence[dict[str, Any]], action: str = "create") -> list[Item]:
        """Store new items from field dicts (quick add, imports, the demo)."""
        stamp = now_iso(self.now())
        titles = [clean_text(str(row.get("title", ""))) for row in rows]
        suggestions = self.classifier().suggest_many(titles) if rows else []
        items = []
        for row, title, suggestion in zip(rows, titles, suggestions, strict=True):
            items.append(self._new_item(row, title, suggestion, stamp, action))
        items = self.store.add_items(items, self.user, self.now(), action)
        self._remember(f"add {len(items)}", [(item, None) for item in items])
        return items

    def _new_item(
        self, row: dict[str, Any], title: str, suggestion: Suggestion | None, stamp: str,
        action: str,
    ) -> Item:
        data = dict(row)
        data.update(
            id=new_item_id(), title=title, suggestion=suggestion,
            notes=clean_notes(str(row.get("notes") or "")),
            created_at=row.get("created_at") or stamp, updated_at=stamp,
            created_by=row.get("created_by") or self.user, updated_by=self.user,
            version=1,
        )
        if data.get("lane") not in LANES:
            data["lane"] = "unsorted"
        data.setdefault("lane_source", "import" if action == "import" else "manual")
        for name in ("created_at", "completed_at", "claimed_at"):
            data[name] = self._aware_timestamp(data.get(name))
        item = Item.from_dict(data)
        item.suggestion = suggestion
        return item

    def _aware_timestamp(self, value: object) -> str | None:
        """Timestamps are aware ISO datetimes; a plain date (todo.txt) means its local midnight."""
        if not value:
            return None
        text = str(value)
        try:
            moment = datetime.fromisoformat(text)
        except ValueError:
            return None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=self.now().tzinfo)
        return now_iso(moment)

    # -- changing ------------------------------------------------------------------------
    def change(
        self,
        ids: Iterable[str],
        mutate: Mutation,
        action: str,
        *,
        force: bool = False,
        expected_versions: dict[str, int] | None = None,
        learn: bool = False,
        spawn: Callable[[Item], Item | None] | None = None,
    ) -> ChangeResult:
        """Apply `mutate` to each item in one transaction, refusing what it must.

        Refused: an item that no longer exists, one changed since the version the caller saw
        (`expected_versions`), and one claimed by someone else (unless `force`, which is
        recorded in the history). `spawn` may return a new item to store beside a change.
        """
        result = ChangeResult()
        undo: list[Transition] = []
        with self.store.transaction(self.user, self.now()) as tx:
            for item_id in dict.fromkeys(ids):
                current = tx.get(item_id)
                reason = self._refusal(current, item_id, expected_versions, force)
                if reason:
                    result.refused.append((item_id, reason))
                    continue
                updated = mutate(current)
                if updated is None or updated == current:
                    continue
                extra = spawn(current) if spawn else None
                updated = self._stamp(updated, current)
                forced = force and self.claim_holder(current) not in (None, self.user)
                tx.replace(current, updated, f"{action} (forced)" if forced else action)
                if learn and updated.lane in ("task", "ops"):
                    tx.add_example(updated.title, updated.lane)
                undo.append((updated, current))
                if extra is not None:
                    tx.insert([extra], action)
                    undo.append((extra, None))
                result.changed.append(updated)
        if undo:
            self._remember(action, undo)
        return result

    def _refusal(
        self, current: Item | None, item_id: str, expected: dict[str, int] | None, force: bool
    ) -> str | None:
        if current is None:
            return f"{item_id} no longer exists"
        if expected and item_id in expected and expected[item_id] != current.version:
            who = current.updated_by or "someone"
            return f"{who} changed “{_short(current.title)}” since you loaded it"
        holder = self.claim_holder(current)
        if holder and holder != self.user and not force:
            return f"“{_short(current.title)}” is claimed by {holder}"
        return None

    def _stamp(self, updated: Item, current: Item) -> Item:
        return dataclasses.replace(
            updated, version=current.version + 1, updated_at=now_iso(self.now()),
            updated_by=self.user,
        )

    def set_lane(self, ids: Iterable[str], lane: str, **options: Any) -> ChangeResult:
        """Triage by hand: the lane is the person's choice and a training example."""
        if lane not in LANES:
            raise ServiceError(f"unknown lane {lane!r}: use one of {', '.join(TRIAGE_LANES)}")

        def mutate(item: Item) -> Item | None:
            if item.lane == lane and item.lane_source == "manual":
                return None
            return dataclasses.replace(item, lane=lane, lane_source="manual")

        return self.change(ids, mutate, f"tag {lane}", learn=True, **options)

    def accept(self, ids: Iterable[str], **options: Any) -> ChangeResult:
        """Take the suggested lane for each unsorted item that has a suggestion.

        An item someone already sorted keeps its lane: accepting is for the inbox, not a way
        to overrule a person's choice.
        """

        def mutate(item: Item) -> Item | None:
            if item.suggestion is None or item.lane != "unsorted":
                return None
            return dataclasses.replace(item, lane=item.suggestion.lane, lane_source="suggested")

        return self.change(ids, mutate, "accept", **options)

    def complete(self, ids: Iterable[str], **options: Any) -> ChangeResult:
        """Mark done; a recurring item records the occurrence and moves to its next one."""
        stamp = now_iso(self.now())
        next_dues: dict[str, str | None] = {}

        def next_due(item: Item) -> str | None:
            if item.id not in next_dues:
                next_dues[item.id] = self._next_due(item) if item.recurrence and item.due else None
            return next_dues[item.id]

        def mutate(item: Item) -> Item | None:
            if item.status == "done":
                return None
            if next_due(item):
                return dataclasses.replace(item, due=next_due(item), claimed_by=None,
                                           claimed_at=None)
            return dataclasses.replace(item, status="done", completed_at=stamp)

        def spawn(item: Item) -> Item | None:
            return self._occurrence(item, stamp) if next_due(item) else None

        return self.change(ids, mutate, "done", spawn=spawn, **options)

    def _next_due(self, item: Item) -> str | None:
        from triage_tui.domain.recurrence import next_occurrence

        try:
            return next_occurrence(item.recurrence, item.due, self.now())
        except ValueError:
            return None

    def _occurrence(self, item: Item, stamp: str) -> Item:
        """A done copy of one occurrence of a recurring item, so reviews count it."""
        return dataclasses.replace(
            item, id=new_item_id(), status="done", completed_at=stamp, recurrence=None,
            claimed_by=None, claimed_at=None, created_at=stamp, updated_at=stamp,
            created_by=self.user, updated_by=self.user, version=1,
            notes=(item.notes + "\n" if item.notes else "") + f"occurrence of {item.id}",
        )

    def drop(self, ids: Iterable[str], **options: Any) -> ChangeResult:
        return self.set_status(ids, "dropped", **options)

    def reopen(self, ids: Iterable[str], **options: Any) -> ChangeResult:
        return self.set_status(ids, "open", **options)

    def set_status(self, ids: Iterable[str], status: str, **options: Any) -> ChangeResult:
        stamp = now_iso(self.now())

        def mutate(item: Item) -> Item | None:
            completed = stamp if status == "done" else None
            return dataclasses.replace(item, status=status, completed_at=completed)

        return self.change(ids, mutate, status, **options)

    def edit(self, item_id: str, fields: dict[str, Any], **options: Any) -> ChangeResult:
        """Change named fields of one item (the edit form, `triage edit`)."""
        allowed = {"title", "notes", "due", "estimate_minutes", "recurrence", "tags",
                   "assignee", "lane"}
        unknown = set(fields) - allowed
        if unknown:
            raise ServiceError(f"cannot edit {', '.join(sorted(unknown))}")
        if "title" in fields:
            fields["title"] = clean_text(fields["title"])
            if not fields["title"]:
                raise ServiceError("the title cannot be empty")
        if "notes" in fields:
            fields["notes"] = clean_notes(fields["notes"] or "")

        def mutate(item: Item) -> Item:
            return dataclasses.replace(item, **fields)

        return self.change([item_id], mutate, "edit", learn="lane" in fields, **options)

    def claim(self, ids: Iterable[str], **options: Any) -> ChangeResult:
        stamp = now_iso(self.now())

        def mutate(item: Item) -> Item | None:
            return dataclasses.replace(item, claimed_by=self.user, claimed_at=stamp)

        return self.change(ids, mutate, "claim", **options)

    def release(self, ids: Iterable[str], **options: Any) -> ChangeResult:
        def mutate(item: Item) -> Item | None:
            if not item.claimed_by:
                return None
            return dataclasses.replace(item, claimed_by=None, claimed_at=None)

        return self.change(ids, mutate, "release", **options)

    def assign(self, ids: Iterable[str], person: str | None, **options: Any) -> ChangeResult:
        person = clean_text(person or "").lstrip("@") or None

        def mutate(item: Item) -> Item:
            return dataclasses.replace(item, assignee=person)

        return self.change(ids, mutate, "assign", **options)

    # -- undo ------------------------------------------------------------------------------
    def _remember(self, label: str, transitions: list[Transition]) -> None:
        self._undo.append(_UndoStep(label, transitions))
        del self._undo[:-200]
        self._redo.clear()

    @property
    def can_undo(self) -> bool:
        return bool(self._undo)

    @property
    def can_redo(self) -> bool:
        return bool(self._redo)

    def undo(self) -> str:
        """Undo this session's last change; refuse if anyone changed those items since."""
        if not self._undo:
            raise ServiceError("nothing to undo")
        step = self._undo[-1]
        reverse = self._apply(step.transitions, "undo")
        self._redo.append(_UndoStep(step.label, reverse))
        self._undo.pop()
        _rebase(self._undo, step.transitions, reverse)
        return f"undid {step.label}"

    def redo(self) -> str:
        """Redo the last undone change; refuse if anyone changed those items since."""
        if not self._redo:
            raise ServiceError("nothing to redo")
        step = self._redo[-1]
        reverse = self._apply(step.transitions, "redo")
        self._undo.append(_UndoStep(step.label, reverse))
        self._redo.pop()
        _rebase(self._redo, step.transitions, reverse)
        return f"redid {step.label}"

    def _apply(self, transitions: list[Transition], action: str) -> list[Transition]:
        """Carry out transitions all or nothing; return the ones that take them back."""
        reverse: list[Transition] = []
        with self.store.transaction(self.user, self.now()) as tx:
            for expected, target in transitions:
                item_id = (expected or target).id
                current = tx.get(item_id)
                self._check_unchanged(current, expected, item_id, action)
                if target is None:
                    tx.delete([item_id], action)
                    reverse.append((None, current))
                elif current is None:
                    tx.insert([target], action)
                    reverse.append((target, None))
                else:
                    written = self._stamp(target, current)
                    tx.replace(current, written, action)
                    reverse.append((written, current))
        return reverse

    @staticmethod
    def _check_unchanged(
        current: Item | None, expected: Item | None, item_id: str, action: str
    ) -> None:
        if expected is None and current is None:
            return
        if current is None:
            raise ServiceError(f"cannot {action}: {item_id} no longer exists")
        if expected is None or current.version != expected.version:
            raise ServiceError(
                f"cannot {action}: {current.updated_by or 'someone'} changed "
                f"“{_short(current.title)}” since"
            )


def _rebase(stack: list[_UndoStep], done: list[Transition], reverse: list[Transition]) -> None:
    """Older steps expect the states an undo or redo just restored, which it wrote with new
    versions: let them expect those, so undoing twice is not refused as someone else's change."""
    restored = {
        (target.id, target.version): written
        for (_, target), (written, _) in zip(done, reverse, strict=True)
        if target is not None and written is not None
    }
    for step in stack:
        step.transitions = [
            (restored.get((expected.id, expected.version), expected) if expected else None, target)
            for expected, target in step.transitions
        ]


def _short(title: str, limit: int = 40) -> str:
    return title if len(title) <= limit else title[: limit - 1] + "…"
