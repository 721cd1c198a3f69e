"""Due dates in words, both ways.

Reading: the relative words python-dateutil does not know (`tomorrow`, `next fri`, `eow`,
`in 3 weeks`) as small functions on top of `relativedelta`, for the quick-add parser.
Writing: `due_in_words` for the narrow inbox column and `describe_due` for the detail pane.

Decisions (tested in tests/test_dates.py):
- A weekday name means its next occurrence *including today*: "fri" on a Friday is today,
  as `relativedelta(weekday=FR(+1))` has it. "next fri" is the Friday of next week.
- Weeks start on Monday. "next week" is next Monday.
- "eow" (end of week) is the coming Friday, the end of the working week (today on a Friday,
  next week's Friday on a weekend). "eom" is the last day of this month.

Pure code: no Textual, no TinyDB.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone, tzinfo

from dateutil.relativedelta import FR, MO, SA, SU, TH, TU, WE, relativedelta

from triage_tui.domain.model import parse_due

WEEKDAY_NAMES: dict[str, int] = {
    "mon": 0, "monday": 0,
    "tue": 1, "tues": 1, "tuesday": 1,
    "wed": 2, "weds": 2, "wednesday": 2,
    "thu": 3, "thur": 3, "thurs": 3, "thursday": 3,
    "fri": 4, "friday": 4,
    "sat": 5, "saturday": 5,
    "sun": 6, "sunday": 6,
}  # fmt: skip
"""Weekday words (lower case) to Python's weekday number, Monday = 0."""

MONTH_NAMES: dict[str, int] = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january"), ("feb", "february"), ("mar", "march"), ("apr", "april"),
            ("may",), ("jun", "june"), ("jul", "july"), ("aug", "august"),
            ("sep", "sept", "september"), ("oct", "october"), ("nov", "november"),
            ("dec", "december"),
        ),
        start=1,
    )
    for name in names
}  # fmt: skip
"""Month words (lower case) to month number, January = 1."""

DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTH_TITLES = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip

DATEUTIL_WEEKDAYS = (MO, TU, WE, TH, FR, SA, SU)
"""dateutil's weekday constants, indexed like `date.weekday()`."""

SHIFT_UNITS = {
    "minute": "minutes", "minutes": "minutes", "min": "minutes", "mins": "minutes",
    "hour": "hours", "hours": "hours",
    "day": "days", "days": "days",
    "week": "weeks", "weeks": "weeks",
    "month": "months", "months": "months",
    "year": "years", "years": "years",
}  # fmt: skip
"""Unit words accepted after `in N` to the `relativedelta` keyword they become."""


def dateutil_tz():  # noqa: ANN201 - the module `dateutil.tz`
    """`dateutil.tz`, imported on first use: it costs ~6 ms (ctypes, importlib.resources) and
    `triage add` with no time of day never needs it."""
    from dateutil import tz

    return tz


def local_zone(moment: datetime) -> tzinfo:
    """The zone whose wall clock `moment` is read on, with its daylight-saving rules if known.

    `datetime.now().astimezone()` carries only today's fixed offset, so a date across a DST
    change would be an hour off. When `moment` has a fixed offset equal to the system's own
    offset at that instant, the system zone (`tz.tzlocal()`) is used; a real zone is kept;
    any other fixed offset is kept as it is (it cannot follow DST).
    """
    tz = dateutil_tz()
    zone = moment.tzinfo
    if zone is None:
        return tz.tzlocal()
    if not isinstance(zone, timezone | tz.tzoffset | tz.tzutc):
        return zone
    if moment.utcoffset() == moment.astimezone().utcoffset():
        return tz.tzlocal()
    return zone


def weekday_on_or_after(today: date, weekday: int) -> date:
    """The next `weekday` (0 = Monday), today included."""
    return today + relativedelta(weekday=DATEUTIL_WEEKDAYS[weekday](+1))


def start_of_next_week(today: date) -> date:
    """Monday of next week (never today, even on a Monday)."""
    return today + relativedelta(days=+1, weekday=MO(+1))


def weekday_next_week(today: date, weekday: int) -> date:
    """`weekday` in next calendar week: on Monday 23 Nov, "next fri" is Friday 4 Dec."""
    return weekday_on_or_after(start_of_next_week(today), weekday)


def end_of_week(today: date) -> date:
    """The coming Friday, today included: the end of the working week."""
    return weekday_on_or_after(today, 4)


def end_of_month(today: date) -> date:
    """The last day of today's month (relativedelta clamps day=31)."""
    return today + relativedelta(day=31)


def start_of_next_month(today: date) -> date:
    """The first day of next month."""
    return today + relativedelta(months=+1, day=1)


def shift(moment: date | datetime, amount: int, unit: str) -> date | datetime:
    """`moment` moved by `amount` units (a key of SHIFT_UNITS); months clamp to the month end.

    Raises ValueError or OverflowError when the result is out of range.
    """
    return moment + relativedelta(**{SHIFT_UNITS[unit]: amount})


_ONE_WORD_DAYS = {
    "today": lambda today: today,
    "tomorrow": lambda today: today + relativedelta(days=+1),
    "tmrw": lambda today: today + relativedelta(days=+1),
    "tmr": lambda today: today + relativedelta(days=+1),
    "eow": end_of_week,
    "eom": end_of_month,
}


def relative_day(word: str, today: date) -> date | None:
    """The day a single relative word names (`today`, `tmrw`, `eow`, `fri`), or None."""
    word = word.lower()
    if word in _ONE_WORD_DAYS:
        return _ONE_WORD_DAYS[word](today)
    if word in WEEKDAY_NAMES:
        return weekday_on_or_after(today, WEEKDAY_NAMES[word])
    return None


def next_relative_day(word: str, today: date) -> date | None:
    """The day `next <word>` names: a weekday of next week, next week, next month, or None."""
    word = word.lower()
    if word in WEEKDAY_NAMES:
        return weekday_next_week(today, WEEKDAY_NAMES[word])
    if word == "week":
        return start_of_next_week(today)
    if word == "month":
        return start_of_next_month(today)
    return None


# ---------------------------------------------------------------- writing dates as words


def short_time(moment: time | datetime) -> str:
    """A compact clock time: 9am, 9:30am, 12pm, 3:05pm."""
    hour = moment.hour % 12 or 12
    suffix = "am" if moment.hour < 12 else "pm"
    if moment.minute:
        return f"{hour}:{moment.minute:02d}{suffix}"
    return f"{hour}{suffix}"


def _read_due(due: str, zone: tzinfo | None) -> tuple[date, datetime | None]:
    """The due day and its moment, shown in `zone` when the due has a time and a zone is given."""
    day, moment = parse_due(due)
    if moment is not None and moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
        day = moment.date()
    return day, moment


def _zone_of(now: datetime | None) -> tzinfo | None:
    return local_zone(now) if now is not None else None


def format_minutes(minutes: int | None) -> str:
    """`15m`, `1h`, `1h30`; empty for no estimate."""
    if minutes is None:
        return ""
    hours, rest = divmod(int(minutes), 60)
    if not hours:
        return f"{rest}m"
    return f"{hours}h{rest:02d}" if rest else f"{hours}h"


def due_in_words(due: str | None, today: date, now: datetime | None = None) -> str:
    """Short words for the inbox column, never longer than 12 characters.

    "" (no due), "today", "3pm" (a time today), "overdue 2h" (a time today that has passed,
    when `now` is given), "tomorrow", "tmrw 9am", "fri" / "fri 9am" (within 6 days),
    "in 12d" / "in 5mo" / "in 2y", "yesterday", "overdue 2d". "?" for an unreadable due.
    Times are shown in `now`'s zone when `now` is given.
    """
    if not due:
        return ""
    try:
        day, moment = _read_due(due, _zone_of(now))
    except (TypeError, ValueError):
        return "?"
    days = (day - today).days
    if days < 0:
        return _overdue_words(-days)
    if days == 0:
        return _today_words(moment, now)
    clock = f" {short_time(moment)}" if moment is not None else ""
    if days == 1:
        return f"tmrw{clock}" if clock else "tomorrow"
    if days <= 6:
        return DAY_NAMES[day.weekday()][:3].lower() + clock
    return _far_words(days)


def _overdue_words(days: int) -> str:
    if days == 1:
        return "yesterday"
    if days < 1000:
        return f"overdue {days}d"
    return f"overdue {days // 365}y"


def _today_words(moment: datetime | None, now: datetime | None) -> str:
    if moment is None:
        return "today"
    if now is not None and moment.tzinfo is not None and now.tzinfo is not None:
        late = now - moment
        if late >= timedelta(hours=1):
            return f"overdue {int(late.total_seconds() // 3600)}h"
        if late > timedelta(0):
            return f"overdue {int(late.total_seconds() // 60)}m"
    return short_time(moment)


def _far_words(days: int) -> str:
    if days < 100:
        return f"in {days}d"
    if days < 730:
        return f"in {days // 30}mo"
    return f"in {days // 365}y"


def describe_due(due: str | None, today: date, now: datetime | None = None) -> str:
    """A longer phrase for the detail pane: "Friday 27 November 2026, 9:00 (in 4 days)".

    "" for no due; "unreadable due date: …" for a value that is not an ISO date or datetime.
    Times are shown in `now`'s zone when `now` is given, else in the due's own offset.
    """
    if not due:
        return ""
    try:
        day, moment = _read_due(due, _zone_of(now))
    except (TypeError, ValueError):
        return f"unreadable due date: {due}"
    text = f"{DAY_NAMES[day.weekday()]} {day.day} {MONTH_TITLES[day.month - 1]} {day.year}"
    if moment is not None:
        text += f", {moment.hour}:{moment.minute:02d}"
    return f"{text} ({days_in_words((day - today).days)})"


def days_in_words(days: int) -> str:
    """A day difference as words: "today", "tomorrow", "in 4 days", "yesterday", "3 days ago"."""
    if days == 0:
        return "today"
    if days == 1:
        return "tomorrow"
    if days == -1:
        return "yesterday"
    if days > 0:
        return f"in {days} days"
    return f"{-days} days ago"
