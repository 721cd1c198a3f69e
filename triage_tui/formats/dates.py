"""Dates on the way in: every one becomes ISO, a plain `YYYY-MM-DD` or an aware datetime.

`now` (passed by the caller) stands for the local time zone: naive times in a file are read as
local, and Taskwarrior's UTC stamps are shown in local time. An impossible date is a RowError,
never guessed at.
"""

from __future__ import annotations

import re
import warnings
from datetime import UTC, date, datetime, timezone, tzinfo

from dateutil import parser as date_parser

from .common import RowError

_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_DATE_LIKE = re.compile(r"^\d{4}-\d{1,2}-\d{1,2}")
_ISO_DAY_PREFIX = re.compile(r"^\d{4}-\d{2}-\d{2}")


def looks_like_date(value: str) -> bool:
    """True for text shaped like `YYYY-MM-DD...`: meant as a date, so an invalid one is an error."""
    return bool(_DATE_LIKE.match(value))


def _uses_system_zone(now: datetime) -> bool:
    """Whether `now` is the machine's local time: then use the system zone, with its DST rules.

    `datetime.now().astimezone()` carries only today's fixed offset; converting a winter date
    with a summer offset would be an hour off, so the system's own rules are used instead.
    """
    if now.tzinfo is None:
        return True
    if not isinstance(now.tzinfo, timezone):
        return False  # a real zone (zoneinfo) knows its own DST rules
    return now.utcoffset() == now.astimezone().utcoffset()


def to_local(moment: datetime, now: datetime) -> datetime:
    """An aware datetime in the zone of `now`; a naive one is read as local time."""
    if _uses_system_zone(now):
        return moment.astimezone()  # naive: read as system local; aware: converted
    zone: tzinfo = now.tzinfo  # type: ignore[assignment]
    if moment.tzinfo is None:
        return moment.replace(tzinfo=zone)
    return moment.astimezone(zone)


def iso_date(value: str, what: str = "date") -> str:
    """A strict `YYYY-MM-DD`, checked to be a real day (`2026-02-30` is an error)."""
    if not _ISO_DATE.match(value):
        raise RowError(f"{what} {value!r} is not a YYYY-MM-DD date")
    try:
        return date.fromisoformat(value).isoformat()
    except ValueError:
        raise RowError(f"{what} {value!r} is not a real date") from None


def iso_date_or_datetime(value: str, now: datetime, what: str = "date") -> str:
    """An ISO date kept as a date, or an ISO datetime made aware (naive means local)."""
    text = value.strip()
    if len(text) == 10:
        return iso_date(text, what)
    try:
        moment = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        raise RowError(f"{what} {value!r} is not an ISO date or datetime") from None
    return to_local(moment, now).isoformat() if moment.tzinfo is None else moment.isoformat()


# Two defaults that differ in every field: whatever dateutil fills in from the default (because
# the text did not say it) comes out different, which is how "no year" and "no time" are seen.
_DEFAULT_A = datetime(2000, 1, 1, 0, 0, 0)
_DEFAULT_B = datetime(2001, 2, 2, 13, 17, 19)


def _parse_all_ways(text: str, default: datetime) -> set[datetime]:
    """Every reading dateutil gives under each day-first/year-first convention."""
    readings = set()
    for dayfirst in (False, True):
        for yearfirst in (False, True):
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # an unknown zone name must not be ignored
                try:
                    readings.add(
                        date_parser.parse(
                            text, default=default, dayfirst=dayfirst, yearfirst=yearfirst
                        )
                    )
                except (ValueError, OverflowError, Warning):
                    continue
    return readings


def loose_date(value: str, now: datetime, what: str = "date") -> str:
    """ISO, or any text dateutil reads one way only (`30 Nov 2026`, `11/30/2026 5pm`).

    Ambiguous text (`03/04/2026`), text without a full date (`Nov 30`, `friday`) and unknown
    zone names are errors: a due date is never guessed.
    """
    text = value.strip()
    try:
        return iso_date_or_datetime(text, now, what)
    except RowError:
        day = _ISO_DAY_PREFIX.match(text)
        if day:  # an impossible day is not reinterpreted by dateutil; `2026-11-30 5pm` may be
            iso_date(day[0], what)
    readings_a = _parse_all_ways(text, _DEFAULT_A)
    readings_b = _parse_all_ways(text, _DEFAULT_B)
    if not readings_a or len(readings_a) != len(readings_b):
        raise RowError(f"{what} {value!r} is not a date")
    if len(readings_a) > 1:
        raise RowError(f"{what} {value!r} is ambiguous; write it as YYYY-MM-DD")
    moment_a, moment_b = readings_a.pop(), readings_b.pop()
    if moment_a.date() != moment_b.date():
        raise RowError(f"{what} {value!r} is not a full date with day, month and year")
    if moment_a.hour != moment_b.hour:
        return moment_a.date().isoformat()  # no time in the text
    return to_local(moment_a, now).isoformat() if moment_a.tzinfo is None else moment_a.isoformat()


def taskwarrior_moment(value: object, now: datetime, what: str) -> datetime:
    """A Taskwarrior stamp (`20261130T170000Z`, always UTC) as an aware local datetime."""
    if not isinstance(value, str):
        raise RowError(f"{what} {value!r} is not a Taskwarrior date")
    try:
        moment = datetime.strptime(value, "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    except ValueError:
        try:  # some tools write extended ISO instead
            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
        except ValueError:
            raise RowError(f"{what} {value!r} is not a Taskwarrior date") from None
    return to_local(moment, now)


def day_or_moment(moment: datetime) -> str:
    """A plain date when the local time is exactly midnight, else the aware ISO datetime.

    Taskwarrior has no date-only values: `due:2026-12-20` is stored as local midnight. Reading
    midnight back as a plain date keeps "due that day" instead of inventing a 00:00 deadline.
    """
    if (moment.hour, moment.minute, moment.second) == (0, 0, 0):
        return moment.date().isoformat()
    return moment.replace(microsecond=0).isoformat()
