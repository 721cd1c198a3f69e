"""The bundled demo inbox: a small candle business's to-do list, dated relative to today.

The data lives in `sample_data/demo_inbox.json`, shipped inside the package as
`triage_tui.sample_data` and read with `importlib.resources`, so it works from a plain
`pip install .`. Pure code: no Textual, no TinyDB.

File shape::

    {
      "version": 1,                      # this shape; bump when it changes
      "business": "Wick & Willow Candle Co.",
      "about": "...",                    # one line for humans
      "owner": "ines",                   # a key of "people"; `created_by` of every item
      "roles": {"va": {"capacity_hours": 20}, "om": {"capacity_hours": 10}},
      "people": {"maya": {"name": "Maya Okafor", "role": "va"}, ...},   # role: owner/va/om
      "items": [ {...}, ... ]
    }

Every item is an object with these keys (only `title` and `created_days_ago` are required;
any other key is an error, so typos do not pass silently):

    title              str, one line, kept literally (markup brackets, quotes, emoji)
    lane               "unsorted" (default) | "task" | "ops" | "keep"
    status             "open" (default) | "done" | "dropped"
    due_in_days        int: due that many days from today (negative: overdue)
    due_weekday        "MO".."SU": due on that day of the week `due_week` weeks from this one
    due_week           int, default 0: 0 this week (Monday to Sunday), 1 next week, ...;
                       a day of this week that has already passed becomes today, so "this week"
                       items stay this week's and never turn overdue by accident
    due_time           "HH:MM": the due becomes an aware datetime in `now`'s time zone
    estimate_minutes   int
    recurrence         an RFC 5545 RRULE ("FREQ=WEEKLY;BYDAY=MO"); the due is the rule's first
                       occurrence on or after the day given by the due keys (default today),
                       with the rule started (dtstart) on the creation day, at `due_time` or at
                       midnight (naive) when there is none
    tags               list of str, without "#"
    assignee           a key of "people"
    claimed_by         a key of "people"; with claimed_hours_ago (number), when it was claimed
    notes              str, several lines allowed
    created_days_ago   int; created_hours_ago (number, default 0) adds hours
    completed_days_ago int, for done items: when it was finished
    updated_days_ago   int: last touched then (keep items left alone for weeks; dropped items)
    updated_by         a key of "people"; by default whoever last touched it

`load_demo_items(now)` turns the file into complete item dicts in the contract field names of
`Item.to_dict()`. Times of day are spread a little (deterministically, by position) so the
timestamps look typed by people, and elapsed time is exact across DST changes.
"""

from __future__ import annotations

import json
from datetime import UTC, date, datetime, time, timedelta
from importlib import resources
from typing import Any

from dateutil.rrule import rrulestr

from .model import (
    LANES,
    ROLE_OF_LANE,
    STATUSES,
    Item,
    clean_notes,
    clean_text,
    new_item_id,
    now_iso,
)

DEMO_PACKAGE = "triage_tui.sample_data"
DEMO_FILE = "demo_inbox.json"
DEMO_VERSION = 1

WEEKDAYS = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")

_ITEM_KEYS = frozenset(
    {
        "title",
        "lane",
        "status",
        "due_in_days",
        "due_weekday",
        "due_week",
        "due_time",
        "estimate_minutes",
        "recurrence",
        "tags",
        "assignee",
        "claimed_by",
        "claimed_hours_ago",
        "notes",
        "created_days_ago",
        "created_hours_ago",
        "completed_days_ago",
        "updated_days_ago",
        "updated_by",
    }
)


class DemoDataError(ValueError):
    """The demo file is malformed or inconsistent (a bug in the bundled data)."""


def read_demo_document() -> dict[str, Any]:
    """The demo file as it is stored, read through `importlib.resources`."""
    text = resources.files(DEMO_PACKAGE).joinpath(DEMO_FILE).read_text(encoding="utf-8")
    document = json.loads(text)
    if not isinstance(document, dict) or document.get("version") != DEMO_VERSION:
        raise DemoDataError(f"{DEMO_FILE}: expected a version {DEMO_VERSION} object")
    return document


def demo_people() -> dict[str, dict[str, Any]]:
    """The demo business's people: identity → {"name", "role"}."""
    return dict(read_demo_document()["people"])


def load_demo_items(now: datetime) -> list[dict[str, Any]]:
    """Every demo item as a complete `Item.to_dict()` dict, dated relative to `now`.

    A naive `now` is taken as local time. Ids are fresh random ones on every call.
    """
    return build_demo_items(read_demo_document(), now)


def build_demo_items(document: dict[str, Any], now: datetime) -> list[dict[str, Any]]:
    """Turn a demo document (see the module docstring) into item dicts. Pure."""
    if now.tzinfo is None:
        now = now.astimezone()
    people = document.get("people") or {}
    owner = document.get("owner")
    if owner not in people:
        raise DemoDataError(f"{DEMO_FILE}: owner {owner!r} is not one of the people")
    items: list[dict[str, Any]] = []
    ids: set[str] = set()
    for index, spec in enumerate(document.get("items") or []):
        try:
            item = _build_item(spec, index, now, people, owner)
        except DemoDataError as error:
            title = spec.get("title") if isinstance(spec, dict) else spec
            raise DemoDataError(f"{DEMO_FILE} item {index} ({title!r}): {error}") from None
        while item["id"] in ids:
            item["id"] = new_item_id()
        ids.add(item["id"])
        items.append(item)
    return items


def _build_item(
    spec: Any, index: int, now: datetime, people: dict[str, Any], owner: str
) -> dict[str, Any]:
    if not isinstance(spec, dict):
        raise DemoDataError("not an object")
    unknown = set(spec) - _ITEM_KEYS
    if unknown:
        raise DemoDataError(f"unknown keys {sorted(unknown)}")
    if "title" not in spec or "created_days_ago" not in spec:
        raise DemoDataError("title and created_days_ago are required")

    lane = spec.get("lane", "unsorted")
    status = spec.get("status", "open")
    if lane not in LANES:
        raise DemoDataError(f"lane {lane!r}")
    if status not in STATUSES:
        raise DemoDataError(f"status {status!r}")
    for key in ("assignee", "claimed_by", "updated_by"):
        if spec.get(key) is not None and spec[key] not in people:
            raise DemoDataError(f"{key} {spec[key]!r} is not one of the people")

    tz = now.tzinfo
    created = _ago(
        now,
        days=spec["created_days_ago"],
        hours=spec.get("created_hours_ago", 0),
        minutes=15 + (index * 37) % 300,
    )

    completed = None
    if status == "done":
        if "completed_days_ago" not in spec:
            raise DemoDataError("a done item needs completed_days_ago")
        completed = _ago(now, days=spec["completed_days_ago"], minutes=5 + (index * 53) % 240)
    elif "completed_days_ago" in spec:
        raise DemoDataError("completed_days_ago on an item that is not done")

    claimed_by = spec.get("claimed_by")
    claimed = None
    if claimed_by is not None:
        if status != "open":
            raise DemoDataError("only open items are claimed")
        claimed = _ago(now, hours=spec.get("claimed_hours_ago", 0))

    touched = None
    if "updated_days_ago" in spec:
        touched = _ago(now, days=spec["updated_days_ago"], minutes=10 + (index * 29) % 200)
    elif status == "dropped":
        raise DemoDataError("a dropped item needs updated_days_ago")

    candidates = [created]
    if lane != "unsorted":
        candidates.append(min(created + timedelta(minutes=25), now))  # sorted soon after
    candidates += [moment for moment in (completed, claimed, touched) if moment is not None]
    updated = max(candidates)

    for label, moment in (("completed", completed), ("claimed", claimed), ("updated", touched)):
        if moment is not None and not created < moment <= now:
            raise DemoDataError(f"{label} time is not between creation and now")

    due = _due(spec, now.date(), created, tz)

    if spec.get("updated_by") is not None:
        updated_by = spec["updated_by"]
    elif status == "done":
        updated_by = spec.get("assignee") or _carrier(lane, people, owner)
    elif claimed_by is not None:
        updated_by = claimed_by
    else:
        updated_by = owner

    version = 1 + sum(
        (lane != "unsorted", claimed is not None, status != "open", touched is not None)
    )

    item = Item(
        id=new_item_id(),
        title=clean_text(str(spec["title"])),
        notes=clean_notes(str(spec.get("notes", ""))),
        lane=lane,
        lane_source="manual",
        suggestion=None,
        status=status,
        due=due,
        estimate_minutes=spec.get("estimate_minutes"),
        recurrence=spec.get("recurrence"),
        tags=[str(tag) for tag in spec.get("tags") or []],
        assignee=spec.get("assignee"),
        claimed_by=claimed_by,
        claimed_at=now_iso(claimed) if claimed else None,
        created_at=now_iso(created),
        updated_at=now_iso(updated),
        completed_at=now_iso(completed) if completed else None,
        created_by=owner,
        updated_by=updated_by,
        version=version,
    )
    return item.to_dict()


def _ago(now: datetime, days: float = 0, hours: float = 0, minutes: float = 0) -> datetime:
    """`now` minus exactly that much elapsed time, in `now`'s time zone."""
    delta = timedelta(days=days, hours=hours, minutes=minutes)
    return (now.astimezone(UTC) - delta).astimezone(now.tzinfo)


def _carrier(lane: str, people: dict[str, Any], owner: str) -> str:
    """The first person whose role carries `lane` (the owner for keep and unsorted)."""
    role = ROLE_OF_LANE.get(lane, "owner")
    for name, person in people.items():
        if person.get("role") == role:
            return name
    return owner


def _due(spec: dict[str, Any], today: date, created: datetime, tz: Any) -> str | None:
    """The stored `due`: an ISO date, or an aware ISO datetime when `due_time` is given."""
    has_day = "due_in_days" in spec or "due_weekday" in spec
    rule = spec.get("recurrence")
    if not has_day and not rule:
        if "due_time" in spec or "due_week" in spec:
            raise DemoDataError("due_time/due_week without a due day")
        return None
    if "due_in_days" in spec and "due_weekday" in spec:
        raise DemoDataError("give due_in_days or due_weekday, not both")

    day = today
    if "due_in_days" in spec:
        day = today + timedelta(days=int(spec["due_in_days"]))
    elif "due_weekday" in spec:
        weekday = spec["due_weekday"]
        if weekday not in WEEKDAYS:
            raise DemoDataError(f"due_weekday {weekday!r}")
        week = int(spec.get("due_week", 0))
        monday = today - timedelta(days=today.weekday())
        day = monday + timedelta(weeks=week, days=WEEKDAYS.index(weekday))
        if week == 0 and day < today:
            day = today
    elif "due_week" in spec:
        raise DemoDataError("due_week without due_weekday")

    at = None
    if "due_time" in spec:
        try:
            at = time.fromisoformat(spec["due_time"])
        except (TypeError, ValueError):
            raise DemoDataError(f"due_time {spec['due_time']!r}") from None

    if rule:
        return _next_occurrence(rule, day, created.date(), at, tz)
    if at is None:
        return day.isoformat()
    return datetime.combine(day, at, tzinfo=tz).isoformat()


def _next_occurrence(rule: str, day: date, created: date, at: time | None, tz: Any) -> str:
    """The first occurrence of `rule` (started on the creation day) on or after `day`."""
    if at is None:
        start = datetime.combine(created, time())
        anchor = datetime.combine(max(day, created), time())
    else:
        start = datetime.combine(created, at, tzinfo=tz)
        anchor = datetime.combine(max(day, created), time(), tzinfo=tz)
    try:
        occurrence = rrulestr(rule, dtstart=start).after(anchor, inc=True)
    except (ValueError, TypeError) as error:
        raise DemoDataError(f"recurrence {rule!r}: {error}") from None
    if occurrence is None:
        raise DemoDataError(f"recurrence {rule!r} has no occurrence on or after {day}")
    return occurrence.date().isoformat() if at is None else occurrence.isoformat()
