"""What each role carries in a week, against its capacity. Pure code, fixed-clock testable.

A week's load for a role: the estimates of its open items due that week, plus one estimate for
every occurrence of its open recurring items in that week. Overdue open items and items with no
date ("anytime") count in the current week only. A missing estimate takes the lane's default
and is marked as assumed.

Decisions (tested in tests/test_workload.py):
- Load looks forward from `today`: days before today never add load, in any week. An open item
  due before today is overdue and counts once, in the current week only; a past week's load is
  therefore 0.
- An overdue recurring item counts once for all its missed occurrences, today's included
  (completing it today moves it past today), plus one per occurrence from tomorrow on.
- Occurrences are counted in the item's own wall-clock time (see `recurrence`), so a week
  with a daylight-saving change still has seven days of a daily item.
- A recurring item whose rule cannot be read counts once, as a plain due.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from triage_tui.domain.model import ROLE_OF_LANE, Item
from triage_tui.domain.recurrence import occurrences_between

ROLES = ("va", "om", "owner")
LANE_OF_ROLE = {role: lane for lane, role in ROLE_OF_LANE.items()}
ROLE_LABELS = {"va": "VA", "om": "OM", "owner": "Owner"}


@dataclass(frozen=True, slots=True)
class LoadEntry:
    """One item's share of a week: why it counts, how many times, and its minutes."""

    item: Item
    minutes: int
    occurrences: int
    kind: str  # "due", "overdue", "anytime" or "recurring"
    assumed: bool


@dataclass(slots=True)
class RoleLoad:
    """A role's week: total minutes against capacity, and the entries behind them."""

    role: str
    capacity_minutes: int
    entries: list[LoadEntry] = field(default_factory=list)

    @property
    def load_minutes(self) -> int:
        return sum(entry.minutes for entry in self.entries)

    @property
    def fraction(self) -> float:
        """Load over capacity (0 capacity with any load counts as fully over)."""
        if self.capacity_minutes <= 0:
            return 1.0 if self.load_minutes else 0.0
        return self.load_minutes / self.capacity_minutes

    @property
    def over_capacity(self) -> bool:
        return self.load_minutes > self.capacity_minutes

    @property
    def overdue_count(self) -> int:
        return sum(1 for entry in self.entries if entry.kind == "overdue")

    @property
    def assumed_count(self) -> int:
        return sum(1 for entry in self.entries if entry.assumed)


def week_start(day: date) -> date:
    """The Monday of `day`'s ISO week."""
    return day - timedelta(days=day.weekday())


def estimate_for(item: Item, default_minutes: Mapping[str, int]) -> tuple[int, bool]:
    """The item's estimate, or the lane's default and True when it had to be assumed."""
    if item.estimate_minutes is not None:
        return item.estimate_minutes, False
    return int(default_minutes.get(item.lane, 30)), True


def week_load(
    items: Iterable[Item],
    week: date,
    today: date,
    capacity_minutes: Mapping[str, int],
    default_minutes: Mapping[str, int],
) -> dict[str, RoleLoad]:
    """Each role's load in the ISO week that contains `week`, seen from `today`."""
    start = week_start(week)
    end = start + timedelta(days=7)
    current = week_start(today) == start
    loads = {role: RoleLoad(role, int(capacity_minutes.get(role, 0))) for role in ROLES}
    for item in items:
        role = ROLE_OF_LANE.get(item.lane)
        if role is None or item.status != "open":
            continue
        entry = _entry(item, start, end, today, current, default_minutes)
        if entry is not None:
            loads[role].entries.append(entry)
    for load in loads.values():
        load.entries.sort(key=lambda entry: (-entry.minutes, entry.item.due or "9999"))
    return loads


def _entry(
    item: Item, start: date, end: date, today: date, current: bool, defaults: Mapping[str, int]
) -> LoadEntry | None:
    minutes, assumed = estimate_for(item, defaults)
    due_day = _due_day(item)
    if due_day is None:
        return LoadEntry(item, minutes, 1, "anytime", assumed) if current else None
    overdue = due_day < today
    count = 1 if overdue and current else 0
    occurrences = _occurrences_from(item, max(start, _first_countable(today, overdue)), end)
    if occurrences is not None:
        count += occurrences
    elif not overdue and start <= due_day < end:
        count += 1
    if count == 0:
        return None
    kind = "overdue" if overdue and current else ("recurring" if item.recurrence else "due")
    return LoadEntry(item, minutes * count, count, kind, assumed)


def _due_day(item: Item) -> date | None:
    """The due day; an unreadable due is treated as no date (anytime) rather than lost."""
    try:
        return item.due_date()
    except ValueError:
        return None


def _first_countable(today: date, overdue: bool) -> date:
    """The first day whose occurrences still count on their own.

    Days before today are never counted: their work is either done or overdue. An overdue
    recurring item done today moves past today's occurrence as well (see
    `recurrence.next_occurrence`), so its single overdue count already stands for today's.
    """
    return today + timedelta(days=1) if overdue else today


def _occurrences_from(item: Item, start: date, end: date) -> int | None:
    """How many occurrences of a recurring item fall in [start, end); None when it does not
    recur (or its rule cannot be read, so it counts once, as a plain due)."""
    if not item.recurrence:
        return None
    if start >= end:
        return 0
    try:
        found = occurrences_between(
            item.recurrence, item.due, datetime.combine(start, time()),
            datetime.combine(end, time()),
        )
    except ValueError:
        return None
    return len(found)
