"""The service layer on a real database file: lanes, claims, versions, undo, ids."""

from __future__ import annotations

import importlib.util
from datetime import timedelta
from pathlib import Path

import pytest

from triage_tui import service as service_module
from triage_tui.config import Settings
from triage_tui.domain.model import Item, Suggestion, now_iso
from triage_tui.service import NotFoundError, ServiceError, TriageService
from triage_tui.store import db as db_module
from triage_tui.store.db import ReadOnlyError, Store


def has_module(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


class StubClassifier:
    """Suggests what the test put in its table, by exact title; nothing otherwise."""

    def __init__(self, table: dict[str, Suggestion]) -> None:
        self.table = table

    def suggest(self, text: str) -> Suggestion | None:
        return self.table.get(text)

    def suggest_many(self, texts: list[str]) -> list[Suggestion | None]:
        return [self.suggest(text) for text in texts]


@pytest.fixture
def suggestions(monkeypatch: pytest.MonkeyPatch) -> dict[str, Suggestion]:
    table: dict[str, Suggestion] = {}
    stub = StubClassifier(table)
    monkeypatch.setattr(TriageService, "classifier", lambda self: stub)
    return table


@pytest.fixture
def settings() -> Settings:
    return Settings(claim_hours=2.0)


@pytest.fixture
def alice(tmp_db: Path, clock, settings, suggestions) -> TriageService:
    return TriageService(Store(tmp_db).open(), "alice", settings, clock)


@pytest.fixture
def bob(tmp_db: Path, clock, settings, suggestions, alice) -> TriageService:
    """Bob has his own Store object, as he would in his own process."""
    return TriageService(Store(tmp_db).open(), "bob", settings, clock)


def add(service: TriageService, *titles: str) -> list[Item]:
    return service.add_items([{"title": title} for title in titles])


def fresh(service: TriageService, item: Item) -> Item:
    return service.store.get(item.id)


def actions(service: TriageService, item: Item) -> list[str]:
    return [row.action for row in service.history(item_id=item.id)]


# -- adding ---------------------------------------------------------------------------------
def test_add_items_stores_them_with_who_when_and_suggestion(alice, clock, suggestions) -> None:
    suggestions["Book the team offsite"] = Suggestion("task", 0.91, ["booking"])
    item, plain = add(alice, "Book the team offsite", "Write the refund policy")
    stored = fresh(alice, item)
    assert stored == item
    assert stored.suggestion == Suggestion("task", 0.91, ["booking"])
    assert fresh(alice, plain).suggestion is None
    assert (stored.version, stored.created_by, stored.updated_by) == (1, "alice", "alice")
    assert stored.created_at == now_iso(clock())
    assert (stored.lane, stored.lane_source, stored.status) == ("unsorted", "manual", "open")
    assert actions(alice, item) == ["create"]


def test_titles_lose_terminal_escapes_and_keep_markup(alice) -> None:
    (item,) = add(alice, "\x1b[31mPay [b]the[/b] <vendor> & co\x07")
    assert fresh(alice, item).title == "Pay [b]the[/b] <vendor> & co"


# -- triage ---------------------------------------------------------------------------------
def test_set_lane_records_an_example_for_task_and_ops_not_keep(alice) -> None:
    a, b, c = add(alice, "Update the CRM contacts", "Choose a payroll provider", "Pitch Acme")
    result = alice.set_lane([a.id], "task")
    assert [item.id for item in result.changed] == [a.id] and not result.refused
    alice.set_lane([b.id], "ops")
    alice.set_lane([c.id], "keep")
    assert {(row["text"], row["lane"], row["user"]) for row in alice.store.examples()} == {
        ("Update the CRM contacts", "task", "alice"),
        ("Choose a payroll provider", "ops", "alice"),
    }
    stored = fresh(alice, c)
    assert (stored.lane, stored.lane_source, stored.version) == ("keep", "manual", 2)
    assert stored.updated_by == "alice"


def test_set_lane_again_is_a_no_op(alice) -> None:
    (item,) = add(alice, "Update the CRM contacts")
    alice.set_lane([item.id], "task")
    again = alice.set_lane([item.id], "task")
    assert again.changed == [] and again.refused == []
    assert fresh(alice, item).version == 2
    assert len(alice.store.examples()) == 1


def test_unknown_lane_is_refused(alice) -> None:
    (item,) = add(alice, "Update the CRM contacts")
    with pytest.raises(ServiceError, match="unknown lane"):
        alice.set_lane([item.id], "marketing")
    assert fresh(alice, item).version == 1


def test_accept_takes_the_suggested_lane(alice, suggestions) -> None:
    suggestions["Set up the KPI dashboard"] = Suggestion("ops", 0.88, ["kpi"])
    suggested, plain = add(alice, "Set up the KPI dashboard", "Something vague")
    result = alice.accept([suggested.id, plain.id])
    assert [item.id for item in result.changed] == [suggested.id]
    stored = fresh(alice, suggested)
    assert (stored.lane, stored.lane_source, stored.version) == ("ops", "suggested", 2)
    assert fresh(alice, plain).lane == "unsorted"
    assert alice.store.examples() == [], "accepting is not a correction to learn from"


# -- versions and claims ----------------------------------------------------------------------
def test_a_stale_version_is_refused_naming_who_changed_it(alice, bob) -> None:
    (item,) = add(alice, "Renew the shop domain")
    seen = fresh(alice, item).version
    bob.edit(item.id, {"title": "Renew the shop domain for 2 years"})
    result = alice.set_lane([item.id], "task", expected_versions={item.id: seen})
    assert result.changed == []
    ((refused_id, reason),) = result.refused
    assert refused_id == item.id and "bob" in reason and "since" in reason
    stored = fresh(alice, item)
    assert (stored.lane, stored.version, stored.title) == (
        "unsorted", 2, "Renew the shop domain for 2 years"
    )
    assert "refused" in result.summary
    # With the version it has now, the change goes through.
    assert alice.set_lane([item.id], "task", expected_versions={item.id: 2}).changed


def test_a_claim_refuses_other_users_until_forced(alice, bob) -> None:
    (item,) = add(alice, "Reconcile the bank feed")
    assert alice.claim([item.id]).changed
    claimed = fresh(alice, item)
    assert claimed.claimed_by == "alice" and claimed.claimed_at
    for attempt in (
        lambda **kw: bob.set_lane([item.id], "task", **kw),
        lambda **kw: bob.edit(item.id, {"title": "mine now"}, **kw),
        lambda **kw: bob.complete([item.id], **kw),
        lambda **kw: bob.drop([item.id], **kw),
        lambda **kw: bob.claim([item.id], **kw),
        lambda **kw: bob.release([item.id], **kw),
        lambda **kw: bob.assign([item.id], "bob", **kw),
    ):
        result = attempt()
        assert result.changed == []
        assert "alice" in result.refused[0][1] and "claimed" in result.refused[0][1]
    assert fresh(alice, item) == claimed, "nothing changed"

    # The holder herself is not refused, and her changes are not "forced".
    alice.set_lane([item.id], "ops", force=True)
    forced = bob.set_lane([item.id], "task", force=True)
    assert [changed.lane for changed in forced.changed] == ["task"]
    bob.edit(item.id, {"estimate_minutes": 45}, force=True)
    assert actions(alice, item) == [
        "create", "claim", "claim", "tag ops", "tag task (forced)", "edit (forced)"
    ]
    forced_rows = [row for row in alice.history(user="bob")]
    assert {row.field for row in forced_rows} == {"lane", "estimate_minutes"}
    assert fresh(alice, item).claimed_by == "alice", "forcing a change does not take the claim"


def test_a_claim_expires_after_the_configured_hours(alice, bob, clock, settings) -> None:
    (item,) = add(alice, "Reconcile the bank feed")
    alice.claim([item.id])
    clock.advance(hours=settings.claim_hours, minutes=-1)
    assert bob.set_lane([item.id], "task").refused
    assert bob.claim_holder(fresh(bob, item)) == "alice"
    clock.advance(minutes=2)
    assert bob.claim_holder(fresh(bob, item)) is None
    result = bob.set_lane([item.id], "task")
    assert result.changed and not result.refused
    assert actions(bob, item)[-1] == "tag task", "an expired claim needs no force"
    assert bob.claim([item.id]).changed
    assert fresh(bob, item).claimed_by == "bob"


def test_release_and_assign(alice, bob) -> None:
    (item,) = add(alice, "Order office chairs")
    alice.claim([item.id])
    alice.release([item.id])
    assert fresh(alice, item).claimed_by is None and fresh(alice, item).claimed_at is None
    assert alice.release([item.id]).changed == [], "releasing an unclaimed item does nothing"
    bob.assign([item.id], "@carol")
    assert fresh(bob, item).assignee == "carol"
    bob.assign([item.id], None)
    assert fresh(bob, item).assignee is None


def test_a_missing_item_is_refused(alice) -> None:
    result = alice.set_lane(["deadbeef"], "task")
    assert result.refused == [("deadbeef", "deadbeef no longer exists")]


# -- completing, dropping, editing ---------------------------------------------------------
def test_complete_a_plain_item(alice, clock) -> None:
    (item,) = add(alice, "File the VAT return")
    clock.advance(hours=3)
    alice.complete([item.id])
    stored = fresh(alice, item)
    assert (stored.status, stored.completed_at) == ("done", now_iso(clock()))
    assert stored.version == 2 and stored.due is None
    assert len(alice.store.items()) == 1, "a plain item spawns no occurrence"
    audit_rows = len(alice.store.audit())
    assert alice.complete([item.id]).changed == [], "done twice is a no-op"
    assert len(alice.store.audit()) == audit_rows
    alice.reopen([item.id])
    assert (fresh(alice, item).status, fresh(alice, item).completed_at) == ("open", None)


def test_drop(alice) -> None:
    (item,) = add(alice, "Try the new invoicing app")
    alice.drop([item.id])
    assert fresh(alice, item).status == "dropped"
    assert [item.id for item in alice.items()] == []
    assert [item.id for item in alice.items(status="dropped")] == [item.id]


def test_edit_checks_its_fields(alice) -> None:
    (item,) = add(alice, "Write the onboarding SOP")
    with pytest.raises(ServiceError, match="cannot edit"):
        alice.edit(item.id, {"version": 9})
    with pytest.raises(ServiceError, match="empty"):
        alice.edit(item.id, {"title": " \x1b[2J "})
    alice.edit(item.id, {"title": "Write the \x1b]0;pwned\x07onboarding SOP v2", "tags": ["hr"],
                         "notes": "step 1\nstep 2"})
    stored = fresh(alice, item)
    assert (stored.title, stored.tags, stored.notes) == (
        "Write the onboarding SOP v2", ["hr"], "step 1\nstep 2"
    )
    rows = alice.history(item_id=item.id)
    assert sorted((row.field, row.old, row.new) for row in rows if row.action == "edit") == [
        ("notes", "", "step 1\nstep 2"),
        ("tags", [], ["hr"]),
        ("title", "Write the onboarding SOP", "Write the onboarding SOP v2"),
    ]


def test_read_only_store_refuses_changes(tmp_db: Path, clock, monkeypatch, suggestions) -> None:
    writer = TriageService(Store(tmp_db).open(), "alice", clock=clock)
    (item,) = add(writer, "Order toner")
    before = tmp_db.read_bytes()
    monkeypatch.setattr(db_module.os, "access", lambda path, mode: mode != 2)
    viewer = TriageService(Store(tmp_db).open(), "bob", clock=clock)
    assert viewer.read_only
    assert [found.id for found in viewer.items()] == [item.id]
    with pytest.raises(ReadOnlyError):
        viewer.set_lane([item.id], "task")
    assert tmp_db.read_bytes() == before


# -- undo and redo --------------------------------------------------------------------------
def test_undo_and_redo(alice) -> None:
    (item,) = add(alice, "Book flights to Lisbon")
    alice.set_lane([item.id], "task")
    assert alice.undo() == "undid tag task"
    stored = fresh(alice, item)
    assert (stored.lane, stored.lane_source, stored.version) == ("unsorted", "manual", 3)
    assert alice.redo() == "redid tag task"
    stored = fresh(alice, item)
    assert (stored.lane, stored.version) == ("task", 4)
    assert actions(alice, item) == ["create", "tag task", "undo", "redo"]
    alice.undo()
    alice.undo()  # the add itself
    assert fresh(alice, item) is None
    with pytest.raises(ServiceError, match="nothing to undo"):
        alice.undo()
    alice.redo()
    assert fresh(alice, item).lane == "unsorted"
    alice.redo()
    assert fresh(alice, item).lane == "task"
    with pytest.raises(ServiceError, match="nothing to redo"):
        alice.redo()


def test_undo_several_own_changes_to_one_item_in_turn(alice) -> None:
    """Each undo writes a new version; the older steps must not mistake it for someone else's."""
    first, second = add(alice, "Send the newsletter", "Post the launch video")
    alice.set_lane([first.id, second.id], "task")
    alice.edit(first.id, {"title": "Send the March newsletter"})
    alice.claim([first.id])
    for _ in range(3):
        alice.undo()
    assert fresh(alice, first).title == "Send the newsletter"
    assert (fresh(alice, first).lane, fresh(alice, second).lane) == ("unsorted", "unsorted")
    assert fresh(alice, first).claimed_by is None
    for _ in range(3):
        alice.redo()
    stored = fresh(alice, first)
    assert (stored.title, stored.lane, stored.claimed_by) == (
        "Send the March newsletter", "task", "alice"
    )
    for _ in range(4):
        alice.undo()
    assert alice.store.items() == [] and not alice.can_undo


def test_undo_refuses_when_someone_changed_the_item_since(alice, bob) -> None:
    first, second = add(alice, "Send the newsletter", "Post the launch video")
    alice.set_lane([first.id, second.id], "task")
    bob.edit(second.id, {"title": "Post the launch video on Friday"})
    before = (fresh(alice, first), fresh(alice, second))
    with pytest.raises(ServiceError) as caught:
        alice.undo()
    assert "bob" in str(caught.value) and "\n" not in str(caught.value)
    # All or nothing: the first item was not undone either.
    assert (fresh(alice, first), fresh(alice, second)) == before
    assert alice.can_undo and not alice.can_redo


def test_redo_refuses_when_someone_changed_the_item_since(alice, bob) -> None:
    (item,) = add(alice, "Send the newsletter")
    alice.set_lane([item.id], "task")
    alice.undo()
    bob.set_lane([item.id], "ops")
    with pytest.raises(ServiceError, match="bob"):
        alice.redo()
    assert fresh(alice, item).lane == "ops"


def test_a_new_change_clears_redo(alice) -> None:
    (item,) = add(alice, "Send the newsletter")
    alice.set_lane([item.id], "task")
    alice.undo()
    alice.set_lane([item.id], "ops")
    assert not alice.can_redo


# -- ids and history ------------------------------------------------------------------------
def test_get_by_id_or_unique_prefix(alice, monkeypatch) -> None:
    ids = iter(["abcd1234", "abcd5678", "ef001122"])
    monkeypatch.setattr(service_module, "new_item_id", lambda: next(ids))
    add(alice, "One", "Two", "Three")
    assert alice.get("abcd1234").title == "One"
    assert alice.get(" ef00 ").title == "Three"
    assert alice.get("abcd5").title == "Two"
    with pytest.raises(NotFoundError, match="ambiguous"):
        alice.get("abcd")
    with pytest.raises(NotFoundError, match="at least 4"):
        alice.get("ef0")
    with pytest.raises(NotFoundError, match="no item"):
        alice.get("9999")


def test_history_filters(alice, bob, clock) -> None:
    (item,) = add(alice, "Plan the Q3 offsite")
    clock.advance(days=1)
    bob.set_lane([item.id], "ops")
    bob.edit(item.id, {"estimate_minutes": 90})
    assert [row.user for row in alice.history(item_id=item.id)] == ["alice", "bob", "bob"]
    assert {row.field for row in alice.history(user="bob")} == {"lane", "estimate_minutes"}
    since = clock() - timedelta(hours=1)
    assert [row.user for row in alice.history(since=since)] == ["bob", "bob"]


# -- parts that need the quick-add and recurrence modules ----------------------------------
@pytest.mark.skipif(not has_module("triage_tui.domain.recurrence"), reason="no recurrence yet")
def test_complete_a_recurring_item_moves_it_on_and_records_the_occurrence(alice, clock) -> None:
    today = clock().date().isoformat()
    (item,) = alice.add_items([{"title": "Send the weekly report", "due": today,
                                "recurrence": "FREQ=WEEKLY"}])
    alice.claim([item.id])
    result = alice.complete([item.id])
    assert len(result.changed) == 1
    stored = fresh(alice, item)
    assert stored.status == "open" and stored.due > today and stored.claimed_by is None
    done = [found for found in alice.items(status="done")]
    assert len(done) == 1 and done[0].id != item.id
    assert done[0].recurrence is None and f"occurrence of {item.id}" in done[0].notes
    alice.undo()
    assert fresh(alice, item).due == today and alice.items(status="done") == []


@pytest.mark.skipif(not has_module("triage_tui.domain.quickadd"), reason="no quick add yet")
def test_quick_add_through_the_service(alice) -> None:
    item, parsed = alice.add("Renew the shop domain ~15m #admin @bob")
    stored = fresh(alice, item)
    assert stored.title == "Renew the shop domain" == parsed.title
    assert (stored.estimate_minutes, stored.tags, stored.assignee) == (15, ["admin"], "bob")
    assert (stored.created_by, stored.lane) == ("alice", "unsorted")
    with pytest.raises(ServiceError, match="empty"):
        alice.add("   ")



def has_real_classifier() -> bool:
    try:
        from triage_tui.classify import Classifier  # noqa: F401
    except ImportError:
        return False
    return True


@pytest.mark.skipif(not has_real_classifier(), reason="no classifier yet")
def test_the_real_classifier_learns_from_set_lane(tmp_db: Path, clock) -> None:
    service = TriageService(Store(tmp_db).open(), "alice", clock=clock)
    (item,) = service.add_items([{"title": "book flights to the denver trade show"}])
    assert item.suggestion is not None and item.suggestion.lane in ("task", "ops")
    other = "ops" if item.suggestion.lane == "task" else "task"
    service.set_lane([item.id], other)
    assert service.suggest("book flights to the denver trade show").lane == other
