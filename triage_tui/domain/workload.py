"""What each role carries in a week, against its capacity. Pure code, fixed-clock testable.

A week's load for a role: the estimates of its open items due that week, plus one estimate for
every occurrence of its open recurring items in that week. Overdue open items and items with no
date ("anytime") count in the current week only. A missing estimate takes the lane's default
and is marked as assumed.
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
    try:
        due_day = item.due_date()
    except ValueError:
        due_day = None
    if due_day is None:
        return LoadEntry(item, minutes, 1, "anytime", assumed) if current else None
    overdue = current and due_day < today
    if item.recurrence:
        count = _upcoming_occurrences(item, start, end, today if current else None)
    else:
        count = 1 if start <= due_day < end and not overdue else 0
    count += 1 if overdue else 0
    if count == 0:
        return None
    kind = "overdue" if overdue else ("recurring" if item.recurrence else "due")
    return LoadEntry(item, minutes * count, count, kind, assumed)


def _upcoming_occurrences(item: Item, start: date, end: date, today: date | None) -> int:
    """Occurrences of a recurring item in the week, from its due on, not before `today`.

    Missed occurrences before today are not counted one by one: completing the item moves it
    past them all, so the caller counts the overdue one once.
    """
    try:
        found = occurrences_between(
            item.recurrence, item.due, datetime.combine(start, time()),
            datetime.combine(end, time()),
        )
    except ValueError:
        return 0
    return sum(1 for moment in found if today is None or _day(moment) >= today)


def _day(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment
