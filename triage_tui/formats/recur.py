"""Recurrence: Taskwarrior `recur:` and todo.txt `rec:` to RRULE and back.

Recurrence is stored as the domain stores it (triage_tui.domain.recurrence): a bare RRULE body
in dateutil's canonical form (`FREQ=WEEKLY;INTERVAL=2`, INTERVAL=1 left out), DAILY to YEARLY.
"""

from __future__ import annotations

import re
from datetime import datetime

from triage_tui.domain.recurrence import validate_rrule

from .common import RowError

WEEKDAYS_RULE = "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"


def rule(freq: str, interval: int = 1) -> str:
    """An RRULE body for "every `interval` `freq`"."""
    return f"FREQ={freq}" if interval == 1 else f"FREQ={freq};INTERVAL={interval}"


def check_rrule(value: str) -> str:
    """The rule in the domain's canonical form (`validate_rrule`); RowError if it is not one."""
    try:
        return validate_rrule(value)
    except ValueError as error:
        raise RowError(str(error)) from None


def with_until(rrule: str, until: datetime) -> str:
    """The rule with UNTIL as local wall-clock time, the way the domain's rules run."""
    return check_rrule(f"{rrule};UNTIL={until.strftime('%Y%m%dT%H%M%S')}")


# Taskwarrior 2.6 recurrence periods (its Duration table). Months, quarters and years are
# calendar steps in Taskwarrior's own recurrence code, so they map to MONTHLY/YEARLY, not days.
_TW_NAMED = {
    "daily": ("DAILY", 1),
    "day": ("DAILY", 1),
    "weekly": ("WEEKLY", 1),
    "week": ("WEEKLY", 1),
    "biweekly": ("WEEKLY", 2),
    "fortnight": ("WEEKLY", 2),
    "monthly": ("MONTHLY", 1),
    "month": ("MONTHLY", 1),
    "bimonthly": ("MONTHLY", 2),
    "quarterly": ("MONTHLY", 3),
    "quarter": ("MONTHLY", 3),
    "semiannual": ("MONTHLY", 6),
    "annual": ("YEARLY", 1),
    "yearly": ("YEARLY", 1),
    "year": ("YEARLY", 1),
    "biannual": ("YEARLY", 2),  # Taskwarrior reads biannual as every two years
    "biyearly": ("YEARLY", 2),
}

_TW_UNITS = {
    **dict.fromkeys(("d", "day", "days"), ("DAILY", 1)),
    **dict.fromkeys(("w", "wk", "wks", "week", "weeks"), ("WEEKLY", 1)),
    **dict.fromkeys(("m", "mo", "mos", "mth", "mths", "mnths", "month", "months"), ("MONTHLY", 1)),
    **dict.fromkeys(("q", "qtr", "qtrs", "qrtr", "qrtrs", "quarter", "quarters"), ("MONTHLY", 3)),
    **dict.fromkeys(("y", "yr", "yrs", "year", "years"), ("YEARLY", 1)),
}

_TW_COUNTED = re.compile(r"^(\d+)\s*([a-z]+)$")
_ISO_PERIOD = re.compile(r"^P(\d+)([DWMY])$")
_ISO_UNITS = {"D": "DAILY", "W": "WEEKLY", "M": "MONTHLY", "Y": "YEARLY"}


def taskwarrior_rrule(recur: str) -> str | None:
    """The RRULE for a Taskwarrior `recur` value (`weekly`, `2w`, `weekdays`, `P1M`), or None."""
    text = recur.strip()
    lower = text.lower()
    if lower == "weekdays":
        return WEEKDAYS_RULE
    if lower in _TW_NAMED:
        return rule(*_TW_NAMED[lower])
    counted = _TW_COUNTED.match(lower)
    if counted and counted[2] in _TW_UNITS and int(counted[1]) > 0:
        freq, factor = _TW_UNITS[counted[2]]
        return rule(freq, int(counted[1]) * factor)
    iso = _ISO_PERIOD.match(text.upper())
    if iso and int(iso[1]) > 0:
        return rule(_ISO_UNITS[iso[2]], int(iso[1]))
    return None  # hourly and shorter too: the domain's rules repeat daily at most


# todo.txt recurrence extension (SimpleTask, topydo, todotxt-machine): rec:[+][N]d|w|m|y|b.
# `+` means "from the due date" rather than "from completion"; RRULEs are calendar-based, so
# both read as the same rule and export writes the `+` form, which is the faithful one.
_TODO_REC = re.compile(r"^\+?(\d*)([dwmyb])$")
_TODO_UNITS = {"d": "DAILY", "w": "WEEKLY", "m": "MONTHLY", "y": "YEARLY"}
_TODO_UNITS_BACK = {freq: unit for unit, freq in _TODO_UNITS.items()}
_SIMPLE_RULE = re.compile(r"^FREQ=(DAILY|WEEKLY|MONTHLY|YEARLY)(?:;INTERVAL=(\d+))?$")


def todotxt_rrule(value: str) -> str | None:
    """The RRULE for a todo.txt `rec:` value (`1w`, `+2d`, `3m`, a raw RRULE), or None."""
    match = _TODO_REC.match(value)
    if match:
        count = int(match[1] or 1)
        if count == 0:
            return None
        if match[2] == "b":  # business days: only "every weekday" is an RRULE
            return WEEKDAYS_RULE if count == 1 else None
        return rule(_TODO_UNITS[match[2]], count)
    if value.upper().startswith(("FREQ=", "RRULE:")):
        try:
            return check_rrule(value)
        except RowError:
            return None
    return None


def rrule_to_todotxt(recurrence: str) -> str:
    """The `rec:` value for an RRULE: `+2w` when todo.txt can say it, else the RRULE itself."""
    if recurrence == WEEKDAYS_RULE:
        return "+1b"
    # Only the exact form the importer produces is shortened, so the round trip is exact.
    simple = _SIMPLE_RULE.match(recurrence)
    if simple and recurrence == rule(simple[1], int(simple[2] or 1)):
        return f"+{int(simple[2] or 1)}{_TODO_UNITS_BACK[simple[1]]}"
    return recurrence.replace(" ", "")
