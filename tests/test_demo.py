"""The bundled demo inbox: complete, valid items dated relative to the day it is loaded."""

from __future__ import annotations

import ast
import inspect
import json
from collections import Counter
from datetime import date, datetime, time, timedelta
from importlib import resources
from zoneinfo import ZoneInfo

import pytest
from dateutil.rrule import rrulestr

from triage_tui.domain import demo
from triage_tui.domain.demo import DemoDataError, build_demo_items, load_demo_items
from triage_tui.domain.model import (
    LANE_SOURCES,
    LANES,
    STATUSES,
    TRIAGE_LANES,
    Item,
    clean_text,
    parse_due,
)

LONDON = ZoneInfo("Europe/London")
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=LONDON)
NOWS = [
    MONDAY,
    datetime(2027, 2, 28, 18, 30, tzinfo=LONDON),  # a Sunday and a month end
    datetime(2027, 3, 31, 23, 45, tzinfo=LONDON),  # a month end just after the clocks change
]


@pytest.fixture(params=NOWS, ids=lambda moment: moment.date().isoformat())
def now(request) -> datetime:
    return request.param


@pytest.fixture
def items(now) -> list[dict]:
    return load_demo_items(now)


def _week(now: datetime) -> tuple[date, date]:
    monday = now.date() - timedelta(days=now.date().weekday())
    return monday, monday + timedelta(days=6)


def _open_due(items: list[dict]) -> list[tuple[dict, date]]:
    return [
        (item, parse_due(item["due"])[0])
        for item in items
        if item["status"] == "open" and item["due"]
    ]


def test_size_and_round_trip(items):
    assert 120 <= len(items) <= 200
    field_names = set(Item.from_dict({"id": "x", "title": "x"}).to_dict())
    for item in items:
        assert set(item) == field_names
        assert Item.from_dict(item).to_dict() == item
    assert len({item["id"] for item in items}) == len(items)
    assert all(len(item["id"]) == 8 and int(item["id"], 16) >= 0 for item in items)


def test_enum_values_and_sources(items):
    for item in items:
        assert item["lane"] in LANES
        assert item["status"] in STATUSES
        assert item["lane_source"] in LANE_SOURCES
        assert item["suggestion"] is None
        if item["lane"] != "unsorted":
            assert item["lane_source"] == "manual"
    lanes = Counter(item["lane"] for item in items)
    statuses = Counter(item["status"] for item in items)
    assert all(lanes[lane] for lane in LANES)
    assert all(statuses[status] for status in STATUSES)


def test_unsorted_share_and_only_open(items):
    unsorted = [item for item in items if item["lane"] == "unsorted"]
    assert 0.35 <= len(unsorted) / len(items) <= 0.55
    assert all(item["status"] == "open" for item in unsorted)


def test_timestamps_are_aware_and_ordered(items, now):
    for item in items:
        created = datetime.fromisoformat(item["created_at"])
        updated = datetime.fromisoformat(item["updated_at"])
        assert created.tzinfo is not None and updated.tzinfo is not None
        assert created < now and created <= updated <= now
        if item["completed_at"]:
            assert item["status"] == "done"
            assert created < datetime.fromisoformat(item["completed_at"]) <= now
        else:
            assert item["status"] != "done"
        if item["claimed_by"]:
            claimed = datetime.fromisoformat(item["claimed_at"])
            assert item["status"] == "open"
            assert created < claimed <= now
            assert now - claimed < timedelta(days=2)
        else:
            assert item["claimed_at"] is None
        assert item["version"] >= 1
        assert item["created_by"] == "ines"
        assert item["updated_by"] in demo.demo_people()


def test_due_values_are_dates_or_aware_datetimes(items):
    for item in items:
        if item["due"] is None:
            continue
        day, moment = parse_due(item["due"])
        if moment is not None:
            assert moment.tzinfo is not None
            assert moment.date() == day


def test_due_dates_relative_to_now(items, now):
    today = now.date()
    monday, sunday = _week(now)
    dated = _open_due(items)
    overdue = [item for item, day in dated if day < today]
    this_week = [item for item, day in dated if today <= day <= sunday]
    next_week = [item for item, day in dated if sunday < day <= sunday + timedelta(days=7)]
    undated = [item for item in items if item["status"] == "open" and not item["due"]]
    assert len(overdue) >= 3
    assert len(this_week) >= 20
    assert len(next_week) >= 5
    assert len(undated) >= 20
    # Nothing in the demo is due more than about a year out or overdue by weeks.
    assert all(-14 <= (day - today).days <= 370 for _, day in dated)


def test_recurrences_parse_and_due_is_an_occurrence(items):
    recurring = [item for item in items if item["recurrence"]]
    assert len(recurring) >= 10
    rules = {item["recurrence"].split(";")[0] for item in recurring}
    assert {"FREQ=DAILY", "FREQ=WEEKLY", "FREQ=MONTHLY", "FREQ=YEARLY"} <= rules
    for item in recurring:
        created = datetime.fromisoformat(item["created_at"])
        day, moment = parse_due(item["due"])
        if moment is None:
            start, due = datetime.combine(created.date(), time()), datetime.combine(day, time())
        else:
            start, due = datetime.combine(created.date(), moment.timetz()), moment
        rule = rrulestr(item["recurrence"], dtstart=start)
        assert rule.between(due, due, inc=True) == [due], item["title"]
        assert day >= created.date()


def test_month_end_close_lands_on_the_last_day(items):
    (close,) = [item for item in items if item["recurrence"] == "FREQ=MONTHLY;BYMONTHDAY=-1"]
    day = date.fromisoformat(close["due"])
    assert (day + timedelta(days=1)).day == 1


def test_done_items_spread_over_eight_weeks(items, now):
    done = [item for item in items if item["status"] == "done"]
    assert len(done) >= 24
    assert {item["lane"] for item in done} == set(TRIAGE_LANES)
    weeks = set()
    for item in done:
        completed = datetime.fromisoformat(item["completed_at"])
        assert now - timedelta(weeks=8) <= completed <= now
        weeks.add(completed.isocalendar()[:2])
    assert len(weeks) >= 6
    dropped = [item for item in items if item["status"] == "dropped"]
    assert 2 <= len(dropped) <= 10


def test_claims_assignees_estimates_tags_notes(items):
    people = demo.demo_people()
    claimed = [item for item in items if item["claimed_by"]]
    assigned = [item for item in items if item["assignee"]]
    assert len(claimed) >= 3 and len(assigned) >= 20
    assert all(item["claimed_by"] in people for item in claimed)
    assert all(item["assignee"] in people for item in assigned)
    estimates = [item["estimate_minutes"] for item in items]
    assert sum(estimate is None for estimate in estimates) >= 3
    assert sum(estimate is not None for estimate in estimates) >= 0.8 * len(items)
    assert all(5 <= estimate <= 360 for estimate in estimates if estimate is not None)
    assert sum(bool(item["tags"]) for item in items) >= 0.8 * len(items)
    assert all(tag and not tag.startswith("#") for item in items for tag in item["tags"])
    multi_line = [item for item in items if "\n" in item["notes"]]
    assert len(multi_line) >= 5


def test_titles_are_clean_single_lines_kept_literally(items):
    titles = [item["title"] for item in items]
    for title in titles:
        assert title and title == clean_text(title)
        assert not any(
            ord(char) < 32 or ord(char) == 127 or 0x80 <= ord(char) < 0xA0 for char in title
        )
    joined = "\n".join(titles)
    for literal in ("[URGENT]", "[b]", "Q&A", '"', "é", "🕯"):
        assert literal in joined
    for tool in (
        "QuickBooks",
        "HubSpot",
        "Canva",
        "Calendly",
        "Shopify",
        "Mailchimp",
        "Asana",
        "Gusto",
        "Notion",
        "Slack",
        "Zapier",
    ):
        assert tool in joined


def test_keep_lane_has_delegable_and_stale_items(items, now):
    keep = [item for item in items if item["lane"] == "keep" and item["status"] == "open"]
    frequent = [
        item
        for item in keep
        if item["recurrence"] and item["recurrence"].startswith(("FREQ=DAILY", "FREQ=WEEKLY"))
    ]
    assert len(frequent) >= 2
    stale = [
        item
        for item in keep
        if now - datetime.fromisoformat(item["updated_at"]) > timedelta(weeks=3)
    ]
    assert len(stale) >= 3


def _hours_this_week(items: list[dict], lane: str, now: datetime) -> float:
    """Open estimates due from today to Sunday, recurring items expanded over the week."""
    monday, sunday = _week(now)
    minutes = 0
    for item, day in _open_due(items):
        if item["lane"] != lane:
            continue
        estimate = item["estimate_minutes"] or 0
        if item["recurrence"]:
            moment = parse_due(item["due"])[1]
            start = moment or datetime.combine(day, time())
            low = datetime.combine(monday, time(), tzinfo=start.tzinfo)
            high = datetime.combine(sunday, time(23, 59), tzinfo=start.tzinfo)
            rule = rrulestr(item["recurrence"], dtstart=start)
            minutes += estimate * len(rule.between(low, high, inc=True))
        elif now.date() <= day <= sunday:
            minutes += estimate
    return minutes / 60


def test_workload_on_a_monday():
    items = load_demo_items(MONDAY)
    roles = demo.read_demo_document()["roles"]
    va = _hours_this_week(items, "task", MONDAY)
    om = _hours_this_week(items, "ops", MONDAY)
    assert 0.95 * roles["va"]["capacity_hours"] <= va <= 1.15 * roles["va"]["capacity_hours"]
    assert 0.6 * roles["om"]["capacity_hours"] <= om <= 0.8 * roles["om"]["capacity_hours"]


def test_this_week_items_never_turn_overdue_by_accident():
    sunday = datetime(2026, 11, 29, 20, 0, tzinfo=LONDON)
    monday_items = load_demo_items(MONDAY)
    sunday_items = load_demo_items(sunday)
    overdue_monday = {item["title"] for item, day in _open_due(monday_items) if day < MONDAY.date()}
    overdue_sunday = {item["title"] for item, day in _open_due(sunday_items) if day < sunday.date()}
    assert overdue_monday == overdue_sunday


def test_same_now_same_data_except_ids(now):
    first = [dict(item, id="") for item in load_demo_items(now)]
    second = [dict(item, id="") for item in load_demo_items(now)]
    assert first == second


def test_naive_now_is_taken_as_local_time():
    items = load_demo_items(datetime(2026, 11, 23, 10, 0))
    assert all(datetime.fromisoformat(item["created_at"]).tzinfo for item in items)


def test_file_is_read_through_importlib_resources():
    resource = resources.files("triage_tui.sample_data").joinpath("demo_inbox.json")
    document = json.loads(resource.read_text(encoding="utf-8"))
    assert document == demo.read_demo_document()
    assert document["version"] == 1
    assert document["business"]
    assert document["owner"] in document["people"]
    roles = {person["role"] for person in document["people"].values()}
    assert roles == {"owner", "va", "om"}
    assert 150 <= len(document["items"]) <= 180


def test_bad_documents_are_refused_with_the_item_named():
    base = {"version": 1, "owner": "o", "people": {"o": {"role": "owner"}}}
    cases = [
        {"title": "typo", "created_days_ago": 1, "lane": "tsak"},
        {"title": "typo key", "created_days_ago": 1, "due_in_day": 3},
        {
            "title": "done before created",
            "created_days_ago": 1,
            "status": "done",
            "completed_days_ago": 3,
        },
        {"title": "bad rule", "created_days_ago": 1, "recurrence": "FREQ=SOMETIMES"},
        {"title": "stranger", "created_days_ago": 1, "assignee": "nobody"},
    ]
    for spec in cases:
        with pytest.raises(DemoDataError, match=spec["title"]):
            build_demo_items(dict(base, items=[spec]), MONDAY)


def test_demo_module_is_pure():
    tree = ast.parse(inspect.getsource(demo))
    imported = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            imported |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            imported.add(node.module.split(".")[0])
    assert not imported & {"textual", "tinydb", "rich"}
