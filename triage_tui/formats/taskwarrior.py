"""Taskwarrior `task export` JSON (2.6), read only.

Mapping decisions:

- status: pending → open, waiting (or pending with `wait`) → open with a note line
  `waiting until: ...`, completed → done with `end` as `completed_at`, deleted → dropped.
- Recurrence: the hidden `recurring` parent and its instances (`parent` uuid, `imask`) become ONE
  recurring item, placed where the first of them appears. Its RRULE comes from `recur`
  (daily, weekdays, weekly, biweekly/fortnight, monthly, bimonthly, quarterly, semiannual,
  annual/yearly, biannual/biyearly (two years, as Taskwarrior reads it), `3d`, `2w`, `3mo`,
  `2q`, `1y`, ISO `P2W`) plus `until` as UNTIL, in local wall-clock time as the domain's rules
  run. A period the domain cannot repeat by (hourly and shorter) is kept as a note line. Its
  due is the earliest still-pending instance's due (the parent's when none is pending); its
  status is the parent's. Completed and deleted instances are history, not new items.
- Dates: Taskwarrior stores UTC. They are converted to the local zone (the zone of the `now`
  the caller passes). Taskwarrior has no date-only values, `due:2026-12-20` is stored as local
  midnight, so a due at exactly local midnight becomes the plain date `2026-12-20`.
- project → a tag with the project's exact name and case (`Ops.Reporting`), first; tags → tags
  (a tag equal to the project but for case is the same tag); priority H/M/L → the tag `pri:H`
  last (the same shape as todo.txt's `(A)` → `pri:A`), visible and filterable.
- annotations → note lines `2026-11-20: text` (local day of the annotation); `scheduled`,
  `wait`, `until` (non-recurring) and `depends` → note lines, as the model has no field for them.
- The uuid is the last note line, `taskwarrior:<uuid>`: the model has no source-id field and
  must not grow one for one importer; a note keeps it visible, searchable with the filter and
  available to a later "re-import without duplicates", at no cost to the contract.
- Not read: urgency, UDAs, `start`, `mask`/`imask` beyond grouping, virtual tags.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from .common import ImportIssue, RowError, new_item, title_text, unique_tags
from .dates import day_or_moment, taskwarrior_moment
from .recur import taskwarrior_rrule, with_until

_STATUSES = {
    "pending": "open",
    "waiting": "open",
    "recurring": "open",
    "completed": "done",
    "deleted": "dropped",
}


def looks_like_taskwarrior(data: Any) -> bool:
    """A JSON array whose objects all carry `uuid` and `entry`, as `task export` writes."""
    objects = [entry for entry in data if isinstance(entry, dict)] if isinstance(data, list) else []
    return bool(objects) and all("uuid" in entry and "entry" in entry for entry in objects)


@dataclass(slots=True)
class _Task:
    """One exported task, converted; recurring ones are merged later."""

    item: dict[str, Any]
    status: str
    uuid: str
    due: datetime | None
    recur: str | None
    until: datetime | None
    annotations: list[str] = field(default_factory=list)
    details: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _Series:
    """A recurring parent and its instances, gathered by the parent's uuid."""

    uuid: str
    parent: _Task | None = None
    instances: list[_Task] = field(default_factory=list)


def parse_taskwarrior(data: Any, now: datetime) -> tuple[list[dict[str, Any]], list[ImportIssue]]:
    """Items and per-entry errors (by array position, 1-based) from decoded `task export` JSON."""
    if not isinstance(data, list):
        return [], [ImportIssue(0, "a Taskwarrior export is a JSON array of tasks")]
    slots: list[_Task | _Series] = []
    series: dict[str, _Series] = {}
    errors: list[ImportIssue] = []
    for position, entry in enumerate(data, start=1):
        try:
            task = _convert(entry, now)
        except RowError as error:
            errors.append(ImportIssue(position, str(error), unit="item"))
            continue
        _place(task, entry, slots, series)
    items = [_series_item(slot) if isinstance(slot, _Series) else _single(slot) for slot in slots]
    return items, errors


def _place(
    task: _Task, entry: dict[str, Any], slots: list[_Task | _Series], series: dict[str, _Series]
) -> None:
    """Put a task in the output order, joining recurring ones to their series.

    A parent is the task with `recur` and no `parent`: status `recurring` while the series
    runs, `deleted` or `completed` once it ended, with its instances still pointing at it.
    """
    is_parent = task.recur is not None and "parent" not in entry
    key = task.uuid if is_parent else entry.get("parent")
    if not isinstance(key, str):
        slots.append(task)
        return
    if key not in series:
        series[key] = _Series(key)
        slots.append(series[key])
    if is_parent:
        series[key].parent = task
    else:
        series[key].instances.append(task)


def _convert(entry: Any, now: datetime) -> _Task:
    """Check and convert one exported task; RowError names what is wrong with it."""
    if not isinstance(entry, dict):
        raise RowError("not an object")
    description = entry.get("description")
    if not isinstance(description, str) or not title_text(description):
        raise RowError("missing description")
    status = entry.get("status")
    if status not in _STATUSES:
        raise RowError(f"unknown status {status!r}")
    uuid = entry.get("uuid")
    if not isinstance(uuid, str) or not uuid:
        raise RowError("missing uuid")
    item = new_item(title_text(description))
    item["status"] = _STATUSES[status]
    item["tags"] = _tags(entry)
    if "entry" in entry:
        item["created_at"] = _moment(entry, "entry", now).replace(microsecond=0).isoformat()
    if status == "completed" and "end" in entry:
        item["completed_at"] = _moment(entry, "end", now).replace(microsecond=0).isoformat()
    due = _moment(entry, "due", now) if "due" in entry else None
    until = _moment(entry, "until", now) if "until" in entry else None
    recur = entry.get("recur")
    task = _Task(item, status, uuid, due, recur if isinstance(recur, str) else None, until)
    task.annotations = _annotations(entry.get("annotations"), now)
    task.details = _details(entry, status, now)
    return task


def _moment(entry: dict[str, Any], name: str, now: datetime) -> datetime:
    """A date field of the entry as an aware local datetime."""
    return taskwarrior_moment(entry[name], now, name)


def _tags(entry: dict[str, Any]) -> list[str]:
    """Project, then tags, then `pri:H/M/L`."""
    tags = entry.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(tag, str) for tag in tags):
        raise RowError("tags must be a list of strings")
    project = entry.get("project")
    priority = entry.get("priority")
    head = [project] if isinstance(project, str) else []
    tail = [f"pri:{priority}"] if isinstance(priority, str) and priority else []
    return unique_tags(head + tags + tail)


def _annotations(value: Any, now: datetime) -> list[str]:
    """Note lines `YYYY-MM-DD: text` for the task's annotations."""
    if value is None:
        return []
    if not isinstance(value, list):
        raise RowError("annotations must be a list")
    lines = []
    for number, annotation in enumerate(value, start=1):
        if not isinstance(annotation, dict) or not isinstance(annotation.get("description"), str):
            raise RowError(f"annotation {number} has no description")
        day = taskwarrior_moment(annotation.get("entry"), now, f"annotation {number} entry")
        lines.append(f"{day.date().isoformat()}: {title_text(annotation['description'])}")
    return lines


def _details(entry: dict[str, Any], status: str, now: datetime) -> list[str]:
    """Note lines for what the item model has no field for: wait, scheduled, until, depends."""
    lines = []
    if "wait" in entry:
        lines.append(f"waiting until: {day_or_moment(_moment(entry, 'wait', now))}")
    if "scheduled" in entry:
        lines.append(f"scheduled: {day_or_moment(_moment(entry, 'scheduled', now))}")
    if "until" in entry and "recur" not in entry:
        lines.append(f"until: {day_or_moment(_moment(entry, 'until', now))}")
    depends = entry.get("depends")
    if isinstance(depends, str):  # Taskwarrior before 2.6 wrote a comma-separated string
        depends = depends.split(",")
    for uuid in depends if isinstance(depends, list) else []:
        lines.append(f"depends on: taskwarrior:{title_text(str(uuid))}")
    return lines


def _single(task: _Task) -> dict[str, Any]:
    """The item for a task that is not part of a recurring series."""
    item = task.item
    item["due"] = day_or_moment(task.due) if task.due else None
    _set_recurrence(item, task.recur, task.until, task.details)
    item["notes"] = _notes(task.annotations + task.details, task.uuid)
    return item


def _series_item(series: _Series) -> dict[str, Any]:
    """ONE recurring item for a parent and its instances."""
    template = series.parent or series.instances[0]
    item = template.item
    pending = [task.due for task in series.instances if task.status in ("pending", "waiting")]
    pending = [due for due in pending if due is not None]
    due = min(pending) if pending else template.due
    item["due"] = day_or_moment(due) if due else None
    if series.parent is None:  # the parent was not exported: the instances say how it stands
        open_now = any(task.status in ("pending", "waiting") for task in series.instances)
        item["status"] = "open" if open_now else series.instances[-1].item["status"]
        item["completed_at"] = None if open_now else series.instances[-1].item["completed_at"]
    details = list(template.details)
    _set_recurrence(item, template.recur, template.until, details)
    annotations = list(template.annotations)
    for task in series.instances:
        annotations.extend(line for line in task.annotations if line not in annotations)
    item["notes"] = _notes(annotations + details, series.uuid)
    return item


def _set_recurrence(
    item: dict[str, Any], recur: str | None, until: datetime | None, details: list[str]
) -> None:
    """Set the RRULE from `recur` and `until`; an unknown `recur` is kept as a note line."""
    if not recur:
        return
    rrule = taskwarrior_rrule(recur)
    try:
        item["recurrence"] = with_until(rrule, until) if rrule and until else rrule
    except RowError:
        item["recurrence"] = None
    if item["recurrence"] is None:
        details.append(f"recur: {title_text(recur)} (no RRULE for it)")


def _notes(lines: list[str], uuid: str) -> str:
    """Note lines with `taskwarrior:<uuid>` last."""
    return "\n".join([*lines, f"taskwarrior:{title_text(uuid)}"])
