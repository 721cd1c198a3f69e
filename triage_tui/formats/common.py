"""Shared pieces of every importer: results, problems, text cleaning, lanes, estimates, tags.

Pure code: no Textual, no TinyDB.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

from triage_tui.domain.model import LANES, STATUSES, clean_notes, clean_text, strip_escapes

MAX_IMPORT_BYTES = 50 * 1024 * 1024
"""Inputs over this size are refused: a to-do inbox is never 50 MB, a wrong file often is."""

FORMATS = ("csv", "json", "todotxt", "taskwarrior")
EXPORT_FORMATS = ("csv", "json", "todotxt")


@dataclass(slots=True, frozen=True)
class ImportIssue:
    """One rejected row: where it is and a one-line message.

    `unit` says what `line` counts: "line" is a 1-based line of the file, "item" is the 1-based
    position in a JSON array. `line` is 0 when the problem is the whole file.
    """

    line: int
    message: str
    unit: str = "line"

    def __str__(self) -> str:
        if self.line <= 0:
            return self.message
        return f"{self.unit} {self.line}: {self.message}"


@dataclass(slots=True)
class ImportResult:
    """What an import produced: item dicts ready for the store, the rows it refused, the format."""

    items: list[dict[str, Any]] = field(default_factory=list)
    errors: list[ImportIssue] = field(default_factory=list)
    format: str = ""


class RowError(ValueError):
    """Raised inside a parser for a bad row; the parser turns it into an ImportIssue."""


def title_text(value: str) -> str:
    """A title as stored: escapes and control characters removed, every other character kept."""
    return clean_text(strip_escapes(value))


def notes_text(value: str) -> str:
    """Notes as stored: like `title_text` but newlines kept."""
    return clean_notes(strip_escapes(value))


def short_text(value: str | None) -> str | None:
    """An optional one-line field (assignee, recurrence); empty becomes None."""
    if value is None:
        return None
    cleaned = clean_text(strip_escapes(value), 200)
    return cleaned or None


_LANE_ALIASES = {
    "": "unsorted",
    "unsorted": "unsorted",
    "task": "task",
    "va": "task",
    "ops": "ops",
    "om": "ops",
    "keep": "keep",
    "mine": "keep",
    "owner": "keep",
}


def parse_lane(value: str | None) -> str:
    """A lane from its name or a role alias (`va`, `om`, `mine`); RowError otherwise."""
    key = (value or "").strip().lower()
    if key not in _LANE_ALIASES:
        raise RowError(f"unknown lane {value!r} (use one of {', '.join(LANES)})")
    return _LANE_ALIASES[key]


_STATUS_ALIASES = {
    "": "open",
    "open": "open",
    "pending": "open",
    "todo": "open",
    "done": "done",
    "completed": "done",
    "complete": "done",
    "x": "done",
    "dropped": "dropped",
    "deleted": "dropped",
    "cancelled": "dropped",
    "canceled": "dropped",
}


def parse_status(value: str | None) -> str:
    """A status from its name or a common synonym (`completed`, `deleted`); RowError otherwise."""
    key = (value or "").strip().lower()
    if key not in _STATUS_ALIASES:
        raise RowError(f"unknown status {value!r} (use one of {', '.join(STATUSES)})")
    return _STATUS_ALIASES[key]


_ESTIMATE = re.compile(
    r"^(?:(?P<hours>\d+(?:\.\d+)?)\s*h(?:ours?|rs?)?)?\s*"
    r"(?:(?P<minutes>\d+(?:\.\d+)?)\s*(?:m|min|mins|minutes?)?)?$",
    re.IGNORECASE,
)


def parse_estimate(value: str) -> int:
    """Minutes from `30`, `30m`, `1.5h`, `1h30m`, `2 hours`; a bare number is minutes."""
    text = value.strip()
    match = _ESTIMATE.match(text)
    if not text or not match or not (match["hours"] or match["minutes"]):
        raise RowError(f"estimate {value!r} is not a duration like 30, 30m or 1.5h")
    minutes = float(match["hours"] or 0) * 60 + float(match["minutes"] or 0)
    return round(minutes)


def normalise_tag(value: str) -> str:
    """A tag as stored: cleaned, a leading `#` dropped, inner whitespace turned into `-`.

    Tags are single words everywhere triage reads or writes them (quick add `#tag`, todo.txt
    `+tag`, Taskwarrior tags), so a space inside one can only come from a hand-written file.
    Case is kept: `+Billing` stays `Billing`, so every round trip is exact.
    """
    tag = clean_text(strip_escapes(value), 200)
    if tag.startswith("#"):
        tag = tag[1:]
    return re.sub(r"\s+", "-", tag)


def unique_tags(values: list[str]) -> list[str]:
    """Normalised tags in their first-seen order, empties and repeats removed.

    Repeats are found ignoring case (a Taskwarrior project `Travel` and tag `travel` are one
    tag); the first spelling wins.
    """
    seen: dict[str, str] = {}
    for value in values:
        tag = normalise_tag(value)
        if tag:
            seen.setdefault(tag.casefold(), tag)
    return list(seen.values())


def split_tags(cell: str) -> list[str]:
    """Tags from one cell: `;`-separated if it has a `;`, else `,`, else whitespace."""
    for separator in (";", ","):
        if separator in cell:
            return unique_tags(cell.split(separator))
    return unique_tags(cell.split())


def new_item(title: str) -> dict[str, Any]:
    """An imported item dict with every field an importer sets, at its default."""
    return {
        "title": title,
        "notes": "",
        "lane": "unsorted",
        "lane_source": "import",
        "status": "open",
        "due": None,
        "estimate_minutes": None,
        "recurrence": None,
        "tags": [],
        "assignee": None,
        "completed_at": None,
    }
