"""Workload maths: a role's week against capacity, recurrence, DST weeks and month ends.

Every expectation is worked out by hand in the comments next to it. The last tests check that
completing a recurring item moves it correctly across a DST change and a month end.
"""

from __future__ import annotations

import os
import time as time_module
from datetime import UTC, date, datetime, timedelta, timezone
from pathlib import Path

import pytest

from triage_tui.config import Settings
from triage_tui.domain.model import Item
from triage_tui.domain.workload import week_load, week_start
from triage_tui.service import TriageService
from triage_tui.store.db import Store

CAPACITY = {"va": 200, "om": 60, "owner": 600}
DEFAULTS = {"task": 30, "ops": 60, "keep": 45, "unsorted": 30}


def item(title: str, lane: str = "task", due: str | None = None, minutes: int | None = None,
         rule: str | None = None, status: str = "open") -> Item:
    return Item(id=title, title=title, lane=lane, due=due, estimate_minutes=minutes,
                recurrence=rule, status=status)


def loads(items: list[Item], week: date, today: date) -> dict[str, int]:
    found = week_load(items, week, today, CAPACITY, DEFAULTS)
    return {role: load.load_minutes for role, load in found.items()}


def entries(items: list[Item], week: date, today: date, role: str = "va") -> dict[str, tuple]:
    found = week_load(items, week, today, CAPACITY, DEFAULTS)[role]
    return {entry.item.id: (entry.minutes, entry.occurrences, entry.kind, entry.assumed)
            for entry in found.entries}


@pytest.fixture
def process_zone():
    """Set the process time zone (as a user's machine has it) and put it back afterwards."""
    saved = os.environ.get("TZ")

    def set_zone(name: str) -> None:
        os.environ["TZ"] = name
        time_module.tzset()

    yield set_zone
    if saved is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = saved
    time_module.tzset()


# ---------------------------------------------------------------- a week by hand

WEDNESDAY = date(2026, 11, 25)  # ISO week 2026-W48: Monday 23 to Sunday 29 November
NEXT_MONDAY = date(2026, 11, 30)
LAST_MONDAY = date(2026, 11, 16)

VA_ITEMS = [
    item("due thursday", due="2026-11-26", minutes=30),
    item("overdue monday, no estimate", due="2026-11-23"),
    item("anytime", minutes=45),
    item("daily from today", due="2026-11-25", minutes=10, rule="FREQ=DAILY"),
    item("weekly monday, overdue", due="2026-11-16", minutes=20, rule="FREQ=WEEKLY;BYDAY=MO"),
    item("daily, overdue since monday", due="2026-11-23", minutes=5, rule="FREQ=DAILY"),
    item("due next monday", due="2026-11-30", minutes=60),
    item("done thursday", due="2026-11-26", minutes=500, status="done"),
    item("dropped", minutes=500, status="dropped"),
]


def test_the_current_week_by_hand():
    # due thursday 30 + overdue 30 (task default, assumed) + anytime 45
    # + daily Wed..Sun 5 × 10 + weekly overdue once 20 (Mon 23 has passed)
    # + daily overdue: once for Mon..Wed, then Thu..Sun: 5 × 5 = 25  → 200
    assert entries(VA_ITEMS, WEDNESDAY, WEDNESDAY) == {
        "due thursday": (30, 1, "due", False),
        "overdue monday, no estimate": (30, 1, "overdue", True),
        "anytime": (45, 1, "anytime", False),
        "daily from today": (50, 5, "recurring", False),
        "weekly monday, overdue": (20, 1, "overdue", False),
        "daily, overdue since monday": (25, 5, "overdue", False),
    }
    assert loads(VA_ITEMS, WEDNESDAY, WEDNESDAY)["va"] == 200


def test_next_week_has_no_overdue_or_anytime_but_every_occurrence():
    # daily 7 × 10 + weekly Monday 20 + daily 7 × 5 + due next monday 60  → 185
    assert loads(VA_ITEMS, NEXT_MONDAY, WEDNESDAY)["va"] == 185
    assert "overdue monday, no estimate" not in entries(VA_ITEMS, NEXT_MONDAY, WEDNESDAY)


def test_a_past_week_carries_nothing_overdue_counts_once_this_week():
    assert loads(VA_ITEMS, LAST_MONDAY, WEDNESDAY) == {"va": 0, "om": 0, "owner": 0}


def test_roles_capacity_assumed_estimates_and_over_capacity():
    items = [
        item("choose a CRM", lane="ops", due="2026-11-27", minutes=90),
        item("keynote", lane="keep"),
        item("unsorted things are nobody's yet", lane="unsorted", minutes=999),
    ]
    found = week_load(items, WEDNESDAY, WEDNESDAY, CAPACITY, DEFAULTS)
    assert (found["om"].load_minutes, found["om"].capacity_minutes) == (90, 60)
    assert found["om"].over_capacity and found["om"].fraction == 1.5
    assert (found["owner"].load_minutes, found["owner"].assumed_count) == (45, 1)
    assert not found["owner"].over_capacity
    assert found["va"].load_minutes == 0 and found["va"].entries == []


def test_an_unreadable_rule_counts_once_as_a_plain_due():
    items = [item("broken rule", due="2026-11-27", minutes=15, rule="FREQ=HOURLY")]
    assert entries(items, WEDNESDAY, WEDNESDAY) == {"broken rule": (15, 1, "recurring", False)}


def test_week_start_is_monday():
    assert week_start(date(2026, 11, 29)) == date(2026, 11, 23)
    assert week_start(date(2026, 11, 23)) == date(2026, 11, 23)


# ---------------------------------------------------------------- daylight saving

# (zone, Monday of the week whose Sunday the clocks go back, offset before, offset after)
DST_WEEKS = [
    ("Europe/London", date(2026, 10, 19), "+01:00", "+00:00"),
    ("America/New_York", date(2026, 10, 26), "-04:00", "-05:00"),
]


def dst_items(monday: date, before: str, after: str) -> list[Item]:
    sunday, next_monday = monday + timedelta(days=6), monday + timedelta(days=7)
    return [
        item("daily 9:00", due=f"{monday}T09:00:00{before}", minutes=15, rule="FREQ=DAILY"),
        # Late on Sunday after the change: an hour later on the old offset it is Monday.
        item("sunday 23:30", due=f"{sunday}T23:30:00{after}", minutes=60),
        # 01:30 on the change day happens twice; the first one, still on the old offset.
        item("weekly sunday 1:30", due=f"{sunday}T01:30:00{before}", minutes=30,
             rule="FREQ=WEEKLY"),
        item("next monday 0:30", due=f"{next_monday}T00:30:00{after}", minutes=40,
             rule="FREQ=WEEKLY"),
    ]


@pytest.mark.parametrize("system_zone", ["own", "UTC"])
@pytest.mark.parametrize(("zone", "monday", "before", "after"), DST_WEEKS)
def test_a_week_with_a_daylight_saving_change(process_zone, system_zone, zone, monday, before,
                                              after):
    process_zone(zone if system_zone == "own" else "UTC")
    items = dst_items(monday, before, after)
    # 7 × 15 daily + 60 Sunday night + 30 Sunday 1:30  → 195
    assert entries(items, monday, monday) == {
        "daily 9:00": (105, 7, "recurring", False),
        "sunday 23:30": (60, 1, "due", False),
        "weekly sunday 1:30": (30, 1, "recurring", False),
    }
    # Next week: 7 × 15 daily + the next Sunday 30 + Monday 0:30 40  → 175
    assert loads(items, monday + timedelta(days=7), monday)["va"] == 175


# ---------------------------------------------------------------- month ends


MONTH_END_ITEMS = [
    item("last day of the month", due="2026-01-31", minutes=20, rule="FREQ=MONTHLY;BYMONTHDAY=-1"),
    item("monthly from Jan 31", due="2026-01-31", minutes=40, rule="FREQ=MONTHLY"),
    item("on the 31st only", due="2026-01-31", minutes=10, rule="FREQ=MONTHLY;BYMONTHDAY=31"),
]


@pytest.mark.parametrize(
    ("monday", "expected"),
    [
        (date(2026, 1, 26), 70),  # Sat 31 Jan: all three
        (date(2026, 2, 2), 0),
        (date(2026, 2, 23), 60),  # Sat 28 Feb: month ends, not "the 31st"
        (date(2026, 3, 30), 70),  # Tue 31 Mar: all three
        (date(2026, 4, 27), 60),  # Thu 30 Apr: month ends only
    ],
)
def test_month_end_monthly_recurrence(monday, expected):
    assert loads(MONTH_END_ITEMS, monday, date(2026, 1, 26))["va"] == expected


def test_overdue_month_end_item_counts_once_plus_its_next_occurrence():
    # Due 31 Jan, still open on Wed 25 Feb: once overdue, then Sat 28 Feb  → 2 × 20
    items = MONTH_END_ITEMS[:1]
    assert entries(items, date(2026, 2, 25), date(2026, 2, 25)) == {
        "last day of the month": (40, 2, "overdue", False)}


# ---------------------------------------------------------------- completing recurring items


class SilentClassifier:
    """No suggestions: these tests are about dates, not lanes."""

    def suggest(self, text: str) -> None:
        return None

    def suggest_many(self, texts: list[str]) -> list[None]:
        return [None for _ in texts]

    def with_examples(self, pairs) -> SilentClassifier:
        return self


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


@pytest.fixture
def silent(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(TriageService, "classifier", lambda self: SilentClassifier())


def open_service(tmp_path: Path, clock: Clock) -> TriageService:
    return TriageService(Store(tmp_path / "queue.json").open(), "ines", Settings(), clock)


def done_copies(service: TriageService) -> list[Item]:
    return sorted((found for found in service.store.items() if found.status == "done"),
                  key=lambda found: found.completed_at)


@pytest.mark.parametrize(("zone", "monday", "before", "after"), DST_WEEKS)
def test_complete_a_daily_item_across_the_clock_change(tmp_path, silent, process_zone, zone,
                                                      monday, before, after):
    process_zone(zone)
    saturday = monday + timedelta(days=5)
    hours = int(before[:3])
    # The app's clock: the system's local time with a fixed offset, as `astimezone()` gives.
    clock = Clock(datetime(saturday.year, saturday.month, saturday.day, 9, 30,
                           tzinfo=timezone(timedelta(hours=hours))))
    service = open_service(tmp_path, clock)
    (daily,) = service.add_items([{"title": "open the shop", "lane": "task",
                                   "due": f"{saturday}T09:00:00{before}", "estimate_minutes": 15,
                                   "recurrence": "FREQ=DAILY"}])
    service.complete([daily.id])
    sunday = saturday + timedelta(days=1)
    assert service.store.get(daily.id).due == f"{sunday}T09:00:00{after}"
    clock.now = datetime.fromisoformat(f"{sunday}T09:40:00{after}")
    service.complete([daily.id])
    assert service.store.get(daily.id).due == f"{sunday + timedelta(days=1)}T09:00:00{after}"
    copies = done_copies(service)
    assert [copy.due for copy in copies] == [f"{saturday}T09:00:00{before}",
                                            f"{sunday}T09:00:00{after}"]
    assert all(copy.recurrence is None and copy.estimate_minutes == 15 for copy in copies)
    assert copies[0].completed_at == f"{saturday}T09:30:00{before}"


@pytest.mark.parametrize("rule", ["FREQ=MONTHLY", "FREQ=MONTHLY;BYMONTHDAY=-1"])
def test_complete_a_month_end_item_keeps_to_month_ends(tmp_path, silent, rule):
    clock = Clock(datetime(2026, 1, 31, 17, 0, tzinfo=UTC))
    service = open_service(tmp_path, clock)
    (books,) = service.add_items([{"title": "close the books", "lane": "task",
                                   "due": "2026-01-31", "recurrence": rule}])
    service.complete([books.id])
    assert service.store.get(books.id).due == "2026-02-28"
    clock.now = datetime(2026, 2, 28, 17, 0, tzinfo=UTC)
    service.complete([books.id])
    assert service.store.get(books.id).due == "2026-03-31"
    assert [copy.due for copy in done_copies(service)] == ["2026-01-31", "2026-02-28"]
    # The next week's load sees the moved item: Tue 31 March is in 2026-W14.
    items = service.store.items()
    assert loads(items, date(2026, 3, 30), date(2026, 2, 28))["va"] == 30
