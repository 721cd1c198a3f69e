"""Read one form field (due, estimate, repeat) with the same words quick add understands."""

from __future__ import annotations

from datetime import datetime

from triage_tui.domain.quickadd import parse_quick_add

_PREFIX = {"due": "", "estimate": "~", "recurrence": ""}
"""What quick add needs in front of a bare field value to read it as that field."""
_ATTRIBUTE = {"due": "due", "estimate": "estimate_minutes", "recurrence": "recurrence"}


class FieldError(ValueError):
    """The text is not a value of that field; the message says what was not understood."""


def read_field(kind: str, text: str, now: datetime):
    """The value of `kind` (`due`, `estimate`, `recurrence`) that `text` says; None if blank.

    The whole text must be understood: a leftover word is an error, never silently dropped.
    """
    text = text.strip()
    if not text:
        return None
    if kind == "estimate" and text.startswith("~"):
        text = text[1:]
    attempts = [_PREFIX[kind] + text]
    if kind == "recurrence":
        attempts.append("every " + text)  # "monday" in a repeat field means every Monday
    problem = ""
    for attempt in attempts:
        parsed = parse_quick_add(attempt, now)
        leftover = [token.text for token in parsed.tokens if token.kind != kind]
        value = getattr(parsed, _ATTRIBUTE[kind])
        if not parsed.problems and not leftover and value is not None:
            return value
        problem = problem or "; ".join(parsed.problems) or (
            f"could not read {' '.join(leftover) or text!r}")
    raise FieldError(problem)
