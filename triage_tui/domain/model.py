"""The item model: one to-do in the inbox, and the words that describe it.

Field names are a contract: `triage list --json` and the JSON export use them as they are.
Pure code: no Textual, no TinyDB.
"""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Any

LANES = ("unsorted", "task", "ops", "keep")
"""Every lane an item can be in; `unsorted` means not yet triaged."""

TRIAGE_LANES = ("task", "ops", "keep")
"""The lanes a person sorts into."""

SUGGESTED_LANES = ("task", "ops")
"""The lanes the classifier suggests; `keep` is only ever the owner's own choice."""

LANE_SOURCES = ("manual", "suggested", "import")
STATUSES = ("open", "done", "dropped")

ROLE_OF_LANE = {"task": "va", "ops": "om", "keep": "owner"}
"""Who carries a lane: a virtual assistant, an operations manager, or the owner."""

LANE_LABELS = {
    "unsorted": "unsorted", "task": "task (VA)", "ops": "ops (OM)", "keep": "keep (mine)",
}

MAX_TITLE_CHARS = 2000
"""Titles longer than this are cut on the way in; a to-do title is one line, not a document."""

MAX_NOTES_CHARS = 100_000


def new_item_id() -> str:
    """A short, stable, random id that people can type (`triage done 3f9a2c1b`)."""
    return os.urandom(4).hex()  # what secrets.token_hex does, without importing hashlib


def confidence_percent(confidence: float) -> str:
    """A confidence as people read it: rounded down and never "100%" (it is a probability)."""
    return f"{max(0, min(int(confidence * 100), 99))}%"


@dataclass(slots=True)
class Suggestion:
    """The classifier's suggested lane, how sure it is (0..1) and why, in plain words."""

    lane: str
    confidence: float
    reasons: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        # Four decimals say all a calibrated probability can; seventeen digits only cost bytes.
        confidence = round(self.confidence, 4)
        return {"lane": self.lane, "confidence": confidence, "reasons": list(self.reasons)}

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Suggestion | None:
        if not isinstance(data, dict) or data.get("lane") not in SUGGESTED_LANES:
            return None
        confidence, reasons = data.get("confidence"), data.get("reasons")
        if type(confidence) is float and 0.0 <= confidence <= 1.0 and type(reasons) is list:
            # Fast path for what the store wrote itself (10,000 of these at start-up).
            return cls(data["lane"], confidence, reasons)
        try:
            confidence = float(data.get("confidence", 0.0))
        except (TypeError, ValueError):
            confidence = 0.0
        reasons = [str(reason) for reason in data.get("reasons") or []]
        return cls(data["lane"], min(max(confidence, 0.0), 1.0), reasons)


@dataclass(slots=True)
class Item:
    """One to-do. Dates are ISO 8601 strings so they store as they are in JSON."""

    id: str
    title: str
    notes: str = ""
    lane: str = "unsorted"
    lane_source: str = "manual"
    suggestion: Suggestion | None = None
    status: str = "open"
    due: str | None = None
    estimate_minutes: int | None = None
    recurrence: str | None = None
    tags: list[str] = field(default_factory=list)
    assignee: str | None = None
    claimed_by: str | None = None
    claimed_at: str | None = None
    created_at: str = ""
    updated_at: str = ""
    completed_at: str | None = None
    created_by: str = ""
    updated_by: str = ""
    version: int = 1

    def to_dict(self) -> dict[str, Any]:
        """The contract form used in `list --json` and JSON export: every field, in order."""
        data = {name: getattr(self, name) for name in _FIELD_NAMES}
        data["suggestion"] = self.suggestion.to_dict() if self.suggestion else None
        data["tags"] = list(self.tags)
        return data

    def to_storage(self) -> dict[str, Any]:
        """The stored form: fields still at their empty default are left out (`from_dict`
        restores them), which makes a 10,000-item file about a fifth smaller and faster."""
        data = self.to_dict()
        for name in _SPARSE_FIELDS:
            if data[name] in (None, "", []):
                del data[name]
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Item:
        """Build an item from stored data, ignoring unknown keys and defaulting missing ones."""
        if data.keys() <= _FIELD_SET:
            # Fast path for what the store wrote itself: 10,000 items load at start-up.
            known = dict(data)
        else:
            known = {name: data[name] for name in _FIELD_NAMES if name in data}
        suggestion = known.get("suggestion")
        known["suggestion"] = Suggestion.from_dict(suggestion) if suggestion else None
        tags = known.get("tags")
        known["tags"] = [str(tag) for tag in tags] if tags else []
        return cls(**known)

    @property
    def is_open(self) -> bool:
        return self.status == "open"

    def due_date(self) -> date | None:
        """The due day, whether `due` holds a date or a datetime."""
        return parse_due(self.due)[0] if self.due else None


_FIELD_NAMES = tuple(f.name for f in fields(Item))
_FIELD_SET = frozenset(_FIELD_NAMES)
_SPARSE_FIELDS = (
    "notes", "suggestion", "due", "estimate_minutes", "recurrence", "tags", "assignee",
    "claimed_by", "claimed_at", "completed_at",
)


def parse_due(value: str) -> tuple[date, datetime | None]:
    """Split a stored `due` into its day and, when it has one, its aware datetime.

    Raises ValueError for a string that is neither an ISO date nor an ISO datetime.
    """
    if len(value) == 10:
        return date.fromisoformat(value), None
    moment = datetime.fromisoformat(value)
    return moment.date(), moment


def now_iso(moment: datetime | None = None) -> str:
    """An aware local timestamp, to the second, as stored in `created_at` and friends."""
    moment = moment or datetime.now().astimezone()
    if moment.tzinfo is None:
        moment = moment.astimezone()
    return moment.replace(microsecond=0).isoformat()


# Terminal escape sequences, whole: CSI (ESC [ ... final), OSC (ESC ] ... BEL or ST), the string
# commands DCS/SOS/PM/APC (ESC P/X/^/_ ... ST), their 8-bit C1 forms, and the short ESC + one or
# two character sequences. Dropping control characters one by one would leave `[31m` behind.
# Payloads never cross a newline so that one broken sequence cannot swallow the next lines.
_ESCAPES = re.compile(
    r"\x1b\[[0-?]*[ -/]*[@-~]"
    r"|\x9b[0-?]*[ -/]*[@-~]"
    r"|\x1b\][^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"
    r"|\x9d[^\x07\x1b\x9c\n]*(?:\x07|\x1b\\|\x9c)"
    r"|\x1b[PX^_][^\x1b\x9c\n]*(?:\x1b\\|\x9c)"
    r"|[\x90\x98\x9e\x9f][^\x1b\x9c\n]*(?:\x1b\\|\x9c)"
    r"|\x1b[ -/]*[0-~]"
)


def strip_escapes(text: str) -> str:
    """Remove whole terminal escape sequences (colours, titles, hyperlinks, cursor moves)."""
    if "\x1b" not in text and not any("\x90" <= char <= "\x9f" for char in text):
        return text
    return _ESCAPES.sub("", text)


def clean_text(text: str, limit: int = MAX_TITLE_CHARS) -> str:
    """Remove terminal control characters (escape sequences, bells, NULs) and cut to `limit`.

    Tabs become spaces; newlines in a title become spaces. Every printable character, markup
    brackets included, is kept exactly: display code shows it literally.
    """
    text = strip_escapes(text[: limit * 4])[: limit * 2]
    text = _CONTROL.sub("", _LINE_BREAKS.sub(" ", text))
    return text.strip()[:limit]


_LINE_BREAKS = re.compile(r"[\t\n\r]")
_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def clean_notes(text: str) -> str:
    """Like `clean_text` but keeps newlines: notes are several lines."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return "\n".join(clean_text(line, MAX_NOTES_CHARS) for line in lines)[:MAX_NOTES_CHARS]
