"""The weekly review: one ISO week of what got done, what came in, and what to hand over.

`build_review` turns items, audit rows and a classifier callable into a `Review`;
`render_markdown` and `review_to_json` write it out for a status email or a script.
Pure code: no Textual, no TinyDB.

Decisions (tested in tests/test_review.py):
- A stamp's week is read on its own wall clock: the first ten characters of an aware ISO
  timestamp are the local day of whoever recorded it.
- Per-week history (done, added, triaged, the trend) is about the reviewed week; the state
  (open counts, still unsorted, overdue, advice) is as it is now, on `today`.
- Done: items completed in the week, recurring occurrences' done copies included, with their
  estimates (or the lane's default) as hours. Added: items created in the week, without those
  done copies (the audit shows them inserted by a "done"). Triaged: items whose lane a person
  set (tag, edit) or accepted in the week, counted once each, by the last lane set.
- Next week's load is the week after the reviewed one, seen from today (`workload`).
- The trend is hours done per role per week, 8 weeks ending with the reviewed week.
- Delegation advice: open owner-kept items the classifier gives to the VA or OM with
  confidence >= 0.8, most frequent first (occurrences per year: daily > weekdays > weekly >
  monthly > yearly > one-off), then owner items untouched for more than 14 days, longest first.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from functools import lru_cache
from typing import Any, NamedTuple

from triage_tui.domain.dates import format_minutes
from triage_tui.domain.model import (
    ROLE_OF_LANE,
    TRIAGE_LANES,
    Item,
    Suggestion,
    confidence_percent,
)
from triage_tui.domain.recurrence import describe_rrule, first_occurrence, occurrences_between
from triage_tui.domain.workload import (
    LANE_OF_ROLE,
    ROLE_LABELS,
    ROLES,
    RoleLoad,
    estimate_for,
    week_load,
    week_start,
)

ADVICE_CONFIDENCE = 0.8
"""The classifier must be at least this sure before it advises handing an item over."""

STALE_DAYS = 14
"""An owner item untouched for more than this many days is worth handing over (or dropping)."""

TREND_WEEKS = 8

SPARK_BARS = "▁▂▃▄▅▆▇█"

Suggest = Callable[[str], Suggestion | None]


class AuditRow(NamedTuple):
    """The fields of one audit row the review reads (`store.db.AuditEntry` has them all)."""

    at: str
    item_id: str
    field: str
    old: Any
    new: Any
    action: str

    @classmethod
    def of(cls, entry: Any) -> AuditRow:
        """Copy the fields from any object that has them, such as an AuditEntry."""
        return cls(entry.at, entry.item_id, entry.field, entry.old, entry.new, entry.action)


@dataclass(frozen=True, slots=True)
class Advice:
    """One owner-kept item the owner could hand over: to whom (`va`/`om`) and why."""

    item: Item
    to: str
    why: str
    kind: str
    """`classifier` (the classifier is sure it is VA or OM work) or `stale` (left alone)."""
    per_year: int = 0
    """How often it repeats in a year; 0 for a one-off."""

    @property
    def lane(self) -> str:
        return LANE_OF_ROLE[self.to]


@dataclass(slots=True)
class RoleWeek:
    """One role in the reviewed week: what it finished, what it holds now, its trend."""

    role: str
    done: list[Item] = field(default_factory=list)
    done_minutes: int = 0
    open_count: int = 0
    trend: list[int] = field(default_factory=list)
    """Minutes done per week, oldest first, the reviewed week last."""


@dataclass(slots=True)
class Review:
    """Everything the weekly review shows for one ISO week."""

    start: date
    today: date
    roles: dict[str, RoleWeek]
    next_load: dict[str, RoleLoad]
    done: list[Item]
    added: list[Item]
    triaged: dict[str, str]
    """Item id → the lane a person last set or accepted in the week."""
    unsorted: list[Item]
    overdue: list[Item]
    advice: list[Advice]

    @property
    def end(self) -> date:
        """The Sunday that closes the week (inclusive)."""
        return self.start + timedelta(days=6)

    @property
    def label(self) -> str:
        return week_label(self.start)

    @property
    def next_start(self) -> date:
        return self.start + timedelta(days=7)

    @property
    def next_is_past(self) -> bool:
        """Next week is over already: nothing open is left to plan there."""
        return self.next_start + timedelta(days=7) <= self.today

    @property
    def trend_starts(self) -> list[date]:
        """The Mondays of the trend's weeks, oldest first."""
        return [self.start - timedelta(weeks=back) for back in range(TREND_WEEKS - 1, -1, -1)]

    def triaged_lanes(self) -> dict[str, int]:
        """How many items were triaged into each lane in the week (lanes with none left out)."""
        counts = {lane: 0 for lane in TRIAGE_LANES}
        for lane in self.triaged.values():
            counts[lane] += 1
        return {lane: count for lane, count in counts.items() if count}


# ---------------------------------------------------------------- ISO weeks

_WEEK = re.compile(r"(\d{4})-?W(\d{1,2})", re.IGNORECASE)


def parse_iso_week(text: str) -> date:
    """The Monday of an ISO week written `2026-W48` (or `2026W48`, `2026-w48`).

    Raises ValueError with a one-line message for anything else, such as `2026-W54` or `abc`.
    """
    match = _WEEK.fullmatch(text.strip())
    if not match:
        raise ValueError(f"{text!r} is not an ISO week such as 2026-W48")
    year, week = int(match[1]), int(match[2])
    weeks_in_year = date(year, 12, 28).isocalendar().week
    if not 1 <= week <= weeks_in_year:
        raise ValueError(f"{text!r}: {year} has weeks 1 to {weeks_in_year}")
    return date.fromisocalendar(year, week, 1)


def week_label(day: date) -> str:
    """`2026-W48` for any day of that ISO week."""
    year, week, _ = day.isocalendar()
    return f"{year}-W{week:02d}"


def day_words(day: date) -> str:
    """`Mon 23 Nov`."""
    return f"{day:%a} {day.day} {day:%b}"


def week_range_words(start: date) -> str:
    """`Mon 23 Nov – Sun 29 Nov 2026`."""
    end = start + timedelta(days=6)
    return f"{day_words(start)} – {day_words(end)} {end.year}"


# ---------------------------------------------------------------- building the review


def build_review(
    items: Iterable[Item],
    audit: Iterable[AuditRow],
    week: date,
    today: date,
    *,
    capacity_minutes: Mapping[str, int],
    default_minutes: Mapping[str, int],
    suggest: Suggest,
) -> Review:
    """The review of the ISO week that contains `week`, as things stand on `today`."""
    items = list(items)
    start = week_start(week)
    rows = list(audit)
    copies = _occurrence_copy_ids(rows)
    added = [item for item in items if _in_week(item.created_at, start) and item.id not in copies]
    done = _done_in(items, start, start + timedelta(days=7))
    roles = _role_weeks(items, done, start, default_minutes)
    open_items = [item for item in items if item.status == "open"]
    return Review(
        start=start,
        today=today,
        roles=roles,
        next_load=week_load(open_items, start + timedelta(days=7), today, capacity_minutes,
                            default_minutes),
        done=done,
        added=added,
        triaged=_triaged(rows, start),
        unsorted=[item for item in open_items if item.lane == "unsorted"],
        overdue=_overdue(open_items, today),
        advice=delegation_advice(open_items, today, suggest),
    )


def _in_week(stamp: str | None, start: date) -> bool:
    """Whether an ISO date or timestamp falls in the week, on its own wall clock."""
    if not stamp:
        return False
    day = stamp[:10]
    return start.isoformat() <= day < (start + timedelta(days=7)).isoformat()


def _done_in(items: list[Item], start: date, end: date) -> list[Item]:
    low, high = start.isoformat(), end.isoformat()
    found = [
        item for item in items
        if item.status == "done" and item.completed_at and low <= item.completed_at[:10] < high
    ]
    return sorted(found, key=lambda item: item.completed_at or "")


def _occurrence_copy_ids(rows: list[AuditRow]) -> set[str]:
    """Items inserted by completing a recurring item: a done copy is not new work."""
    return {
        row.item_id for row in rows
        if row.field == "title" and row.old is None and _base_action(row.action) == "done"
    }


def _base_action(action: str) -> str:
    return action.removesuffix(" (forced)")


def _triaged(rows: list[AuditRow], start: date) -> dict[str, str]:
    triaged: dict[str, str] = {}
    for row in rows:
        if row.field != "lane" or row.new not in TRIAGE_LANES or not _in_week(row.at, start):
            continue
        action = _base_action(row.action)
        if action.startswith("tag ") or action in ("accept", "edit"):
            triaged[row.item_id] = row.new
    return triaged


def _overdue(open_items: list[Item], today: date) -> list[Item]:
    late = []
    for item in open_items:
        try:
            due_day = item.due_date()
        except ValueError:
            continue
        if due_day is not None and due_day < today:
            late.append(item)
    return sorted(late, key=lambda item: (item.due or "", item.title.casefold()))


def _role_weeks(
    items: list[Item], done: list[Item], start: date, default_minutes: Mapping[str, int]
) -> dict[str, RoleWeek]:
    roles = {role: RoleWeek(role) for role in ROLES}
    for item in done:
        role = ROLE_OF_LANE.get(item.lane)
        if role is not None:
            roles[role].done.append(item)
            roles[role].done_minutes += estimate_for(item, default_minutes)[0]
    for item in items:
        role = ROLE_OF_LANE.get(item.lane)
        if role is not None and item.status == "open":
            roles[role].open_count += 1
    trend = done_trend(items, start, default_minutes)
    for role in ROLES:
        roles[role].trend = trend[role]
    return roles


def done_trend(
    items: Iterable[Item], last_week: date, default_minutes: Mapping[str, int],
    weeks: int = TREND_WEEKS,
) -> dict[str, list[int]]:
    """Minutes done per role per week, for `weeks` weeks ending with `last_week`'s."""
    last = week_start(last_week)
    first = last - timedelta(weeks=weeks - 1)
    trend = {role: [0] * weeks for role in ROLES}
    for item in items:
        role = ROLE_OF_LANE.get(item.lane)
        if role is None or item.status != "done" or not item.completed_at:
            continue
        try:
            day = date.fromisoformat(item.completed_at[:10])
        except ValueError:
            continue
        index = (day - first).days // 7
        if 0 <= index < weeks:
            trend[role][index] += estimate_for(item, default_minutes)[0]
    return trend


# ---------------------------------------------------------------- delegation advice


def delegation_advice(
    open_items: Iterable[Item], today: date, suggest: Suggest,
    confidence: float = ADVICE_CONFIDENCE, stale_days: int = STALE_DAYS,
) -> list[Advice]:
    """Owner-kept items to hand over: classifier-sure ones (most frequent first), then stale."""
    sure: list[tuple[Advice, float]] = []
    stale: list[tuple[Advice, int]] = []
    for item in open_items:
        if item.lane != "keep" or item.status != "open":
            continue
        suggestion = suggest(item.title)
        untouched = _days_untouched(item, today)
        if _is_sure(suggestion, confidence):
            sure.append((_classifier_advice(item, suggestion, today, untouched, stale_days),
                         suggestion.confidence))
        elif untouched is not None and untouched > stale_days:
            stale.append((_stale_advice(item, suggestion, untouched), untouched))
    sure.sort(key=lambda pair: (-pair[0].per_year, -pair[1], pair[0].item.title.casefold()))
    stale.sort(key=lambda pair: (-pair[1], pair[0].item.title.casefold()))
    return [advice for advice, _ in sure] + [advice for advice, _ in stale]


def _is_sure(suggestion: Suggestion | None, confidence: float) -> bool:
    return (
        suggestion is not None and suggestion.lane in ROLE_OF_LANE
        and suggestion.lane != "keep" and suggestion.confidence >= confidence
    )


def _classifier_advice(
    item: Item, suggestion: Suggestion, today: date, untouched: int | None, stale_days: int
) -> Advice:
    per_year = occurrences_per_year(item.recurrence, today) if item.recurrence else 0
    kind_of_work = "routine task work" if suggestion.lane == "task" else "operations work"
    parts = [f"{kind_of_work} ({confidence_percent(suggestion.confidence)})"]
    if suggestion.reasons:
        parts[0] += f": {suggestion.reasons[0]}"
    if per_year:
        parts.insert(0, _repeat_words(item.recurrence, per_year))
    if untouched is not None and untouched > stale_days:
        parts.append(f"untouched for {untouched} days")
    return Advice(item, ROLE_OF_LANE[suggestion.lane], "; ".join(parts), "classifier", per_year)


def _repeat_words(rule: str, per_year: int) -> str:
    described = describe_rrule(rule)
    if "(" in described:  # rule text in brackets: the count alone says it better
        return f"repeats {per_year} times a year"
    return f"repeats {described}, {per_year} times a year"


def _stale_advice(item: Item, suggestion: Suggestion | None, untouched: int) -> Advice:
    # With no confident suggestion the VA is the default: dreaded, postponed chores are the
    # first thing the "what to outsource" guidance hands to an assistant.
    lane = suggestion.lane if suggestion is not None and suggestion.lane in ("task", "ops") else (
        "task")
    why = f"untouched for {untouched} days: hand it over or drop it"
    return Advice(item, ROLE_OF_LANE[lane], why, "stale")


def _days_untouched(item: Item, today: date) -> int | None:
    try:
        return (today - date.fromisoformat(item.updated_at[:10])).days
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=256)
def occurrences_per_year(rule: str, today: date) -> int:
    """How many times a rule happens in the 52 weeks from its first day on or after `today`
    (0 for an unreadable rule): 364 daily, 260 on weekdays, 52 weekly, 12 monthly, 1 yearly.

    52 whole weeks, not 365 days, so that a weekly rule is 52 whatever weekday it falls on.
    """
    try:
        first = first_occurrence(rule, today)
        if first is None:
            return 0
        return len(occurrences_between(rule, first.isoformat(), first,
                                       first + timedelta(weeks=52)))
    except ValueError:
        return 0


# ---------------------------------------------------------------- writing it out


def sparkline(values: list[int]) -> str:
    """One bar per value, scaled to the largest; zero is the lowest bar, anything more is
    at least the second lowest so that a little work never looks like none."""
    top = max(values, default=0)
    if top <= 0:
        return SPARK_BARS[0] * len(values)
    steps = len(SPARK_BARS) - 1
    return "".join(
        SPARK_BARS[0] if value <= 0 else SPARK_BARS[max(1, round(value / top * steps))]
        for value in values
    )


def percent(load: RoleLoad) -> int:
    return round(load.fraction * 100)


_MD_SPECIAL = re.compile(r"([\\`*_\[\]<>|~])")
_MD_LEADING = re.compile(r"^(\s*)([#+\-=]|\d+(?=[.)]))")


def md_escape(text: str) -> str:
    """Text shown literally in Markdown: inline markers and `|` escaped, and a leading `#`,
    list marker or number that would start a heading or a list (`1\\. first`)."""
    text = _MD_SPECIAL.sub(r"\\\1", text)
    return _MD_LEADING.sub(_escape_leading, text)


def _escape_leading(match: re.Match[str]) -> str:
    marker = match[2]
    if marker[0].isdigit():
        return match[1] + marker + "\\"  # the `.` or `)` after the number is what counts
    return match[1] + "\\" + marker


LIST_LIMIT = 15
"""Longer lists in the Markdown end with "… and N more"."""


def render_markdown(review: Review) -> str:
    """The review as Markdown for a status email: headings, short tables and bullet lists."""
    lines = [f"# Weekly review {review.label} ({week_range_words(review.start)})", ""]
    lines += [_md_counts(review), ""]
    lines += _md_roles(review)
    lines += _md_load(review)
    lines += _md_list("Overdue", [_md_overdue(item, review.today) for item in review.overdue])
    lines += _md_list("Delegation advice", [_md_advice(advice) for advice in review.advice],
                      empty="Nothing to hand over this week.")
    lines += _md_done(review)
    return "\n".join(lines).rstrip() + "\n"


def _md_counts(review: Review) -> str:
    by_lane = ", ".join(f"{lane} {count}" for lane, count in review.triaged_lanes().items())
    triaged = f"{len(review.triaged)}" + (f" ({by_lane})" if by_lane else "")
    return (f"**Added** {len(review.added)} · **Triaged** {triaged} · "
            f"**Still unsorted** {len(review.unsorted)} · **Overdue** {len(review.overdue)}")


def _md_roles(review: Review) -> list[str]:
    first, last = review.trend_starts[0], review.start
    lines = ["## Done per role", "",
             f"| Role | Done | Hours | Open now | Hours done, {week_label(first)} to "
             f"{week_label(last)} |",
             "|---|--:|--:|--:|---|"]
    for role in ROLES:
        week = review.roles[role]
        lines.append(f"| {ROLE_LABELS[role]} | {len(week.done)} | "
                     f"{format_minutes(week.done_minutes)} | {week.open_count} | "
                     f"{sparkline(week.trend)} |")
    return lines + [""]


def _md_load(review: Review) -> list[str]:
    heading = f"## Next week's load ({week_label(review.next_start)})"
    if review.next_is_past:
        return [heading, "", "That week is over: open work counts in the current week.", ""]
    lines = [heading, "", "| Role | Load | Capacity | Used | Items |", "|---|--:|--:|--:|--:|"]
    for role in ROLES:
        load = review.next_load[role]
        used = f"{percent(load)}%" + (" **over capacity**" if load.over_capacity else "")
        items = f"{len(load.entries)}" + (
            f" ({load.assumed_count} assumed)" if load.assumed_count else "")
        lines.append(f"| {ROLE_LABELS[role]} | {format_minutes(load.load_minutes)} | "
                     f"{format_minutes(load.capacity_minutes)} | {used} | {items} |")
    return lines + [""]


def _md_list(heading: str, entries: list[str], empty: str = "None.") -> list[str]:
    lines = [f"## {heading}", ""]
    if not entries:
        return lines + [empty, ""]
    lines += [f"- {entry}" for entry in entries[:LIST_LIMIT]]
    if len(entries) > LIST_LIMIT:
        lines.append(f"- … and {len(entries) - LIST_LIMIT} more")
    return lines + [""]


def _lane_word(item: Item) -> str:
    role = ROLE_OF_LANE.get(item.lane)
    return ROLE_LABELS[role] if role else "unsorted"


def _md_overdue(item: Item, today: date) -> str:
    due = item.due_date()
    late = (today - due).days
    days = "1 day" if late == 1 else f"{late} days"
    return f"{md_escape(item.title)} ({_lane_word(item)}, due {day_words(due)}, {days} late)"


def _md_advice(advice: Advice) -> str:
    return f"**{md_escape(advice.item.title)}** → {ROLE_LABELS[advice.to]}: {md_escape(advice.why)}"


def _md_done(review: Review) -> list[str]:
    lines = ["## Completed", ""]
    if not review.done:
        return lines + ["Nothing was completed this week.", ""]
    for role in ROLES:
        titles = [md_escape(item.title) for item in review.roles[role].done]
        if titles:
            shown = "; ".join(titles[:LIST_LIMIT])
            more = f"; … and {len(titles) - LIST_LIMIT} more" if len(titles) > LIST_LIMIT else ""
            lines.append(f"- **{ROLE_LABELS[role]}** ({len(titles)}): {shown}{more}")
    return lines + [""]


def review_to_json(review: Review) -> dict[str, Any]:
    """The review in the JSON contract of `triage review --format json`.

    `roles.<role>`: `load_minutes`/`capacity_minutes` and `items` (item dicts plus `minutes`,
    `occurrences`, `kind`, `assumed`) are next week's load; `done` is how many items the role
    completed in the reviewed week; `open` how many open items its lane holds now.
    """
    return {
        "week": review.label,
        "start": review.start.isoformat(),
        "end": review.end.isoformat(),
        "roles": {role: _role_json(review, role) for role in ROLES},
        "overdue": [item.to_dict() for item in review.overdue],
        "unsorted": len(review.unsorted),
        "done": [item.to_dict() for item in review.done],
        "suggestions": [
            {"id": advice.item.id, "title": advice.item.title, "to": advice.to,
             "why": advice.why}
            for advice in review.advice
        ],
        "added": len(review.added),
        "triaged": len(review.triaged),
        "triaged_by_lane": review.triaged_lanes(),
        "next_week": {"week": week_label(review.next_start),
                      "start": review.next_start.isoformat(),
                      "end": (review.next_start + timedelta(days=6)).isoformat()},
        "trend": {"weeks": [week_label(day) for day in review.trend_starts],
                  "minutes_done": {role: list(review.roles[role].trend) for role in ROLES}},
    }


def _role_json(review: Review, role: str) -> dict[str, Any]:
    load = review.next_load[role]
    return {
        "load_minutes": load.load_minutes,
        "capacity_minutes": load.capacity_minutes,
        "done": len(review.roles[role].done),
        "open": review.roles[role].open_count,
        "items": [
            {**entry.item.to_dict(), "minutes": entry.minutes, "occurrences": entry.occurrences,
             "kind": entry.kind, "assumed": entry.assumed}
            for entry in load.entries
        ],
    }
