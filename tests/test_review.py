"""The weekly review: pure maths with a fixed day, the Markdown and JSON, and `triage review`.

One hand-built week (2026-W48, reviewed on Wednesday 25 November 2026); every expected number
is worked out in the comments beside the data.
"""

from __future__ import annotations

import json
from datetime import date, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from triage_tui.cli import main
from triage_tui.config import Settings
from triage_tui.domain.model import Item, Suggestion
from triage_tui.domain.review import (
    AuditRow,
    build_review,
    md_escape,
    parse_iso_week,
    render_markdown,
    review_to_json,
    sparkline,
    week_label,
)
from triage_tui.service import TriageService
from triage_tui.store.db import Store

TODAY = date(2026, 11, 25)  # a Wednesday
WEEK = date(2026, 11, 23)  # Monday of 2026-W48
SETTINGS = Settings()  # VA 20 h, OM 10 h, owner 40 h; defaults task 30, ops 60, keep 60


def make(item_id: str, title: str, lane: str, *, status: str = "open", due: str | None = None,
         minutes: int | None = None, rule: str | None = None,
         created: str = "2026-11-01T09:00:00+00:00", updated: str = "2026-11-24T09:00:00+00:00",
         completed: str | None = None) -> Item:
    return Item(id=item_id, title=title, lane=lane, status=status, due=due,
                estimate_minutes=minutes, recurrence=rule, created_at=created, updated_at=updated,
                completed_at=completed)


ITEMS = [
    # Done in W48: VA d1 30 + d2 15 + d6 20 = 65 min; OM d3 60 (assumed); d5 has no role.
    make("d1", "send November invoices", "task", status="done", minutes=30,
         completed="2026-11-24T10:00:00+00:00", created="2026-11-10T09:00:00+00:00"),
    make("d2", "open the shop", "task", status="done", minutes=15,  # a recurring done copy
         completed="2026-11-23T09:05:00+00:00", created="2026-11-23T09:05:00+00:00"),
    make("d3", "pick a CRM", "ops", status="done", completed="2026-11-25T08:00:00+00:00"),
    make("d4", "sunday night wrap-up", "keep", status="done", minutes=45,  # W47 on its clock
         completed="2026-11-22T23:30:00+00:00"),
    make("d5", "mystery chore", "unsorted", status="done", minutes=10,
         completed="2026-11-24T12:00:00+00:00", created="2026-11-24T11:00:00+00:00"),
    make("d6", "early monday filing", "task", status="done", minutes=20,  # Monday at +01:00
         completed="2026-11-23T00:10:00+01:00"),
    make("d7", "october filing", "task", status="done", minutes=90,  # W41: the trend's first
         completed="2026-10-06T10:00:00+00:00"),
    make("d8", "dropped idea", "task", status="dropped", minutes=500),
    make("d9", "september filing", "task", status="done", minutes=500,  # W40: too old
         completed="2026-09-28T10:00:00+00:00"),
    # Open work.
    make("o1", "call the accountant", "task", due="2026-11-24", minutes=15,
         created="2026-11-23T10:00:00+00:00"),
    make("o2", "post the newsletter", "task", due="2026-11-30", minutes=30,
         rule="FREQ=WEEKLY;BYDAY=MO"),
    make("o3", "book flights to Lisbon", "task", due="2026-12-02",
         created="2026-11-25T08:00:00+00:00"),
    make("o4", "design the onboarding process", "ops", due="2026-12-01", minutes=660),
    make("o5", "tidy the shared drive", "unsorted", created="2026-11-24T15:00:00+00:00"),
    make("o6", "email Priya back", "unsorted", due="2026-11-20",
         created="2026-11-18T09:00:00+00:00"),
    # The owner's own items, for the delegation advice.
    make("k1", "answer customer emails", "keep", due="2026-11-26", minutes=20,
         rule="FREQ=DAILY"),
    make("k2", "post on Instagram", "keep", due="2026-11-27", minutes=30,
         rule="FREQ=WEEKLY;BYDAY=FR"),
    make("k3", "choose accounting software", "keep", minutes=120),
    make("k4", "monthly customer newsletter", "keep", due="2026-12-01", minutes=60,
         rule="FREQ=MONTHLY"),
    make("k5", "write the keynote", "keep", due="2026-12-04", minutes=240,
         updated="2026-11-15T09:00:00+00:00"),
    make("k6", "renew passport", "keep", updated="2026-11-05T09:00:00+00:00"),
    make("k7", "plan the team retreat", "keep", due="2026-11-18", minutes=90,
         updated="2026-10-26T09:00:00+00:00"),
]

AUDIT = [
    AuditRow("2026-11-23T09:05:00+00:00", "d2", "title", None, "open the shop", "done"),
    AuditRow("2026-11-23T10:05:00+00:00", "o1", "lane", "unsorted", "task", "tag task"),
    AuditRow("2026-11-24T09:00:00+00:00", "o3", "lane", "unsorted", "task", "accept"),
    AuditRow("2026-11-24T09:10:00+00:00", "o3", "lane", "task", "ops", "edit"),
    AuditRow("2026-11-24T11:00:00+00:00", "k3", "lane", "unsorted", "keep", "tag keep (forced)"),
    AuditRow("2026-11-20T09:00:00+00:00", "o2", "lane", "unsorted", "task", "tag task"),
    AuditRow("2026-11-24T12:00:00+00:00", "o4", "lane", "ops", "unsorted", "undo"),
    AuditRow("2026-11-24T12:30:00+00:00", "o4", "lane", "unsorted", "ops", "redo"),
    AuditRow("2026-11-24T13:00:00+00:00", "o5", "suggestion", None, {"lane": "task"},
             "reclassify"),
    AuditRow("2026-11-30T09:00:00+00:00", "o6", "lane", "unsorted", "task", "tag task"),
]

SUGGESTIONS = {
    "answer customer emails": Suggestion("task", 0.9, ["replies to messages"]),
    "post on Instagram": Suggestion("task", 0.85, ["posts prepared content"]),
    "choose accounting software": Suggestion("ops", 0.95, ["chooses a tool"]),
    "monthly customer newsletter": Suggestion("task", 0.8, ["sends a newsletter"]),
    "write the keynote": Suggestion("task", 0.79, ["writes"]),
    "plan the team retreat": Suggestion("ops", 0.6, ["plans"]),
    "sunday night wrap-up": Suggestion("task", 0.99, ["done already"]),
    "post the newsletter": Suggestion("task", 0.99, ["not the owner's"]),
}


def review_of(items=ITEMS, audit=AUDIT, week=WEEK, today=TODAY, suggestions=SUGGESTIONS):
    return build_review(items, audit, week, today,
                        capacity_minutes=SETTINGS.capacity_minutes,
                        default_minutes=SETTINGS.default_estimate_minutes,
                        suggest=suggestions.get)


def ids(items: list[Item]) -> list[str]:
    return [item.id for item in items]


# ---------------------------------------------------------------- the review by hand


def test_done_per_role_counts_occurrence_copies_on_their_own_clock():
    review = review_of()
    assert ids(review.done) == ["d6", "d2", "d1", "d5", "d3"]
    assert {role: ids(week.done) for role, week in review.roles.items()} == {
        "va": ["d6", "d2", "d1"], "om": ["d3"], "owner": []}
    assert {role: week.done_minutes for role, week in review.roles.items()} == {
        "va": 65, "om": 60, "owner": 0}


def test_added_leaves_out_done_copies_and_triaged_counts_people_only():
    review = review_of()
    assert sorted(ids(review.added)) == ["d5", "o1", "o3", "o5"]
    assert review.triaged == {"o1": "task", "o3": "ops", "k3": "keep"}
    assert review.triaged_lanes() == {"task": 1, "ops": 1, "keep": 1}


def test_state_now_unsorted_overdue_and_open_counts():
    review = review_of()
    assert ids(review.unsorted) == ["o5", "o6"]
    assert ids(review.overdue) == ["k7", "o6", "o1"]
    assert {role: week.open_count for role, week in review.roles.items()} == {
        "va": 3, "om": 1, "owner": 7}


def test_next_weeks_load_against_capacity():
    loads = review_of().next_load
    # VA: newsletter Mon 30 Nov 30 + flights 30 assumed; the overdue call counts this week only.
    assert (loads["va"].load_minutes, loads["va"].assumed_count) == (60, 1)
    # OM: 11 h against 10 h.
    assert (loads["om"].load_minutes, loads["om"].over_capacity) == (660, True)
    # Owner: daily 7 × 20 + Friday 30 + monthly 1 Dec 60 + keynote 240; anytime and overdue
    # items belong to the current week.
    assert loads["owner"].load_minutes == 470


def test_eight_week_trend_of_hours_done_ends_with_the_reviewed_week():
    review = review_of()
    assert [week_label(day) for day in review.trend_starts] == [
        f"2026-W{number}" for number in range(41, 49)]
    assert review.roles["va"].trend == [90, 0, 0, 0, 0, 0, 0, 65]
    assert review.roles["om"].trend == [0, 0, 0, 0, 0, 0, 0, 60]
    assert review.roles["owner"].trend == [0, 0, 0, 0, 0, 0, 45, 0]


def test_delegation_advice_frequent_first_then_untouched():
    advice = review_of().advice
    assert [(entry.item.id, entry.to, entry.per_year) for entry in advice] == [
        ("k1", "va", 364), ("k2", "va", 52), ("k4", "va", 12), ("k3", "om", 0),
        ("k7", "om", 0), ("k6", "va", 0),
    ]
    assert advice[0].why == (
        "repeats every day, 364 times a year; routine task work (90%): replies to messages")
    assert advice[1].why.startswith("repeats every Friday, 52 times a year")
    assert advice[3].why == "operations work (95%): chooses a tool"
    assert advice[4].why == "untouched for 30 days: hand it over or drop it"
    assert advice[5].why == "untouched for 20 days: hand it over or drop it"


def test_a_past_week_has_its_own_history_and_no_next_week_to_plan():
    review = review_of(week=date(2026, 11, 16))
    assert ids(review.done) == ["d4"] and review.roles["owner"].done_minutes == 45
    assert review.next_is_past is False  # next week is this week: still ahead
    older = review_of(week=date(2026, 11, 2))
    assert older.next_is_past and older.next_load["va"].load_minutes == 0


def test_the_week_can_be_given_by_any_of_its_days():
    assert review_of(week=date(2026, 11, 29)).start == WEEK


# ---------------------------------------------------------------- ISO weeks and sparklines


@pytest.mark.parametrize(
    ("text", "monday"),
    [("2026-W48", date(2026, 11, 23)), ("2026w48", date(2026, 11, 23)),
     (" 2026-W01 ", date(2025, 12, 29)), ("2026-W53", date(2026, 12, 28))],
)
def test_parse_iso_week(text, monday):
    assert parse_iso_week(text) == monday


@pytest.mark.parametrize(
    ("text", "message"),
    [("2026-W54", "2026 has weeks 1 to 53"), ("2025-W53", "2025 has weeks 1 to 52"),
     ("2026-W00", "2026 has weeks 1 to 53"), ("abc", "not an ISO week such as 2026-W48"),
     ("", "not an ISO week"), ("2026-11-23", "not an ISO week")],
)
def test_parse_iso_week_refuses_junk_with_a_clear_message(text, message):
    with pytest.raises(ValueError, match=message):
        parse_iso_week(text)


def test_sparkline_scales_to_the_largest_and_keeps_little_above_nothing():
    assert sparkline([90, 0, 0, 0, 0, 0, 0, 65]) == "█▁▁▁▁▁▁▆"
    assert sparkline([0, 1, 4, 8]) == "▁▂▅█"
    assert sparkline([0, 0, 0]) == "▁▁▁"


# ---------------------------------------------------------------- Markdown


def test_markdown_fit_for_a_status_email():
    text = render_markdown(review_of())
    assert text.startswith("# Weekly review 2026-W48 (Mon 23 Nov – Sun 29 Nov 2026)\n")
    assert "\x1b" not in text
    lines = text.splitlines()
    assert ("**Added** 4 · **Triaged** 3 (task 1, ops 1, keep 1) · **Still unsorted** 2 · "
            "**Overdue** 3") in lines
    for expected in (
        "| VA | 3 | 1h05 | 3 | █▁▁▁▁▁▁▆ |",
        "| OM | 1 | 1h | 1 | ▁▁▁▁▁▁▁█ |",
        "## Next week's load (2026-W49)",
        "| VA | 1h | 20h | 5% | 2 (1 assumed) |",
        "| OM | 11h | 10h | 110% **over capacity** | 1 |",
        "| Owner | 7h50 | 40h | 20% | 4 |",
        "- plan the team retreat (Owner, due Wed 18 Nov, 7 days late)",
        "- call the accountant (VA, due Tue 24 Nov, 1 day late)",
        "- **choose accounting software** → OM: operations work (95%): chooses a tool",
        "- **VA** (3): early monday filing; open the shop; send November invoices",
    ):
        assert expected in lines


def test_markdown_escapes_titles():
    assert md_escape("# urgent | [x] *now* _ok_ `code` <b>") == (
        r"\# urgent \| \[x\] \*now\* \_ok\_ \`code\` \<b\>")
    assert md_escape("1. first") == r"1\. first"
    assert md_escape("- not a list") == r"\- not a list"
    items = [make("x", "# drop | the *table*", "keep", minutes=5)]
    text = render_markdown(review_of(items=items, audit=[], suggestions={
        "# drop | the *table*": Suggestion("task", 0.9, ["a | pipe"])}))
    assert r"- **\# drop \| the \*table\*** → VA: routine task work (90%): a \| pipe" in text


def test_markdown_for_an_empty_week():
    text = render_markdown(review_of(items=[], audit=[]))
    assert "Nothing to hand over this week." in text
    assert "Nothing was completed this week." in text


# ---------------------------------------------------------------- JSON contract

CONTRACT_KEYS = {"week", "start", "end", "roles", "overdue", "unsorted", "done", "suggestions"}


def test_json_has_exactly_the_contract_shape():
    data = review_to_json(review_of())
    assert json.loads(json.dumps(data)) == data  # plain JSON types only
    assert CONTRACT_KEYS <= set(data)
    assert set(data) - CONTRACT_KEYS == {"added", "triaged", "triaged_by_lane", "next_week",
                                         "trend"}
    assert (data["week"], data["start"], data["end"]) == ("2026-W48", "2026-11-23", "2026-11-29")
    assert set(data["roles"]) == {"va", "om", "owner"}
    for role in data["roles"].values():
        assert set(role) == {"load_minutes", "capacity_minutes", "done", "open", "items"}
    assert {name: (role["load_minutes"], role["capacity_minutes"], role["done"], role["open"])
            for name, role in data["roles"].items()} == {
        "va": (60, 1200, 3, 3), "om": (660, 600, 1, 1), "owner": (470, 2400, 0, 7)}
    assert [entry["id"] for entry in data["done"]] == ["d6", "d2", "d1", "d5", "d3"]
    assert [entry["id"] for entry in data["overdue"]] == ["k7", "o6", "o1"]
    assert data["unsorted"] == 2
    assert all(set(entry) == {"id", "title", "to", "why"} for entry in data["suggestions"])
    assert [(entry["id"], entry["to"]) for entry in data["suggestions"]][:2] == [
        ("k1", "va"), ("k2", "va")]


def test_json_role_items_are_item_dicts_with_their_minutes():
    data = review_to_json(review_of())
    (newsletter, flights) = sorted(data["roles"]["va"]["items"], key=lambda entry: entry["id"])[:2]
    assert newsletter["id"] == "o2" and newsletter["title"] == "post the newsletter"
    assert (newsletter["minutes"], newsletter["occurrences"], newsletter["kind"],
            newsletter["assumed"]) == (30, 1, "recurring", False)
    assert (flights["id"], flights["minutes"], flights["assumed"]) == ("o3", 30, True)
    assert flights["estimate_minutes"] is None  # the stored estimate, untouched
    assert data["next_week"] == {"week": "2026-W49", "start": "2026-11-30", "end": "2026-12-06"}
    assert data["trend"]["minutes_done"]["va"] == [90, 0, 0, 0, 0, 0, 0, 65]


# ---------------------------------------------------------------- `triage review`

LONDON = ZoneInfo("Europe/London")
NOW = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)


class FakeClassifier:
    def suggest(self, text: str) -> Suggestion | None:
        return Suggestion("task", 0.9, ["routine"]) if "invoice" in text else None

    def suggest_many(self, texts):
        return [self.suggest(text) for text in texts]

    def with_examples(self, pairs):
        return self


@pytest.fixture
def cli_db(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A database with a few items, and a service whose clock and classifier are fixed."""
    monkeypatch.setattr(TriageService, "classifier", lambda self: FakeClassifier())
    monkeypatch.setattr(TriageService, "now", lambda self: NOW)
    path = tmp_path / "queue.json"
    service = TriageService(Store(path).open(), "ines")
    service.add_items([
        {"title": "send invoices", "lane": "keep", "estimate_minutes": 30},
        {"title": "call | the bank", "lane": "task", "due": "2026-11-20", "estimate_minutes": 15},
        {"title": "tidy drive"},
        {"title": "filed receipts", "lane": "task", "status": "done", "estimate_minutes": 45,
         "completed_at": "2026-11-24T10:00:00+00:00"},
    ])
    return path


def test_cli_markdown_this_week_by_default(cli_db, capsys):
    assert main(["--db", str(cli_db), "review"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("# Weekly review 2026-W48 ")
    assert "| VA | 1 | 45m | 1 | ▁▁▁▁▁▁▁█ |" in out.splitlines()
    assert r"- call \| the bank (VA, due Fri 20 Nov, 5 days late)" in out
    assert "- **send invoices** → VA: routine task work (90%): routine" in out


def test_cli_json_for_a_given_week(cli_db, capsys):
    assert main(["--db", str(cli_db), "review", "--week", "2026-W47", "--format", "json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (data["week"], data["start"], data["end"]) == ("2026-W47", "2026-11-16", "2026-11-22")
    assert CONTRACT_KEYS <= set(data)
    assert data["done"] == [] and data["unsorted"] == 1
    assert data["roles"]["va"]["load_minutes"] == 15  # the overdue call: this week is W48
    assert data["suggestions"][0]["title"] == "send invoices"


def test_cli_writes_a_file_with_o(cli_db, tmp_path, capsys):
    target = tmp_path / "review.md"
    assert main(["--db", str(cli_db), "review", "-o", str(target)]) == 0
    captured = capsys.readouterr()
    assert captured.out == ""
    assert "review of 2026-W48 written to" in captured.err
    assert target.read_text(encoding="utf-8").startswith("# Weekly review 2026-W48")


@pytest.mark.parametrize("week", ["2026-W54", "abc", "2026-W00"])
def test_cli_bad_week_is_exit_2_with_one_line(cli_db, capsys, week):
    assert main(["--db", str(cli_db), "review", "--week", week]) == 2
    captured = capsys.readouterr()
    assert captured.out == ""
    assert captured.err.count("\n") == 1 and captured.err.startswith("triage: --week: ")


def test_cli_review_of_a_missing_database_is_refused(tmp_path, capsys):
    assert main(["--db", str(tmp_path / "nothing.json"), "review"]) == 2
    assert capsys.readouterr().err.count("\n") == 1
