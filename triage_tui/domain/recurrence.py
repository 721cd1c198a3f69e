"""Repeating items: RRULE text (RFC 5545, without `RRULE:` and without DTSTART).

An item stores its rule as text (`FREQ=WEEKLY;BYDAY=MO`) and its current `due`; the rule's
start is always the current due. Everything is computed with `dateutil.rrule` in wall-clock
time: a due with a time is moved into its zone, the zone is dropped, the rule runs, and the
zone is put back, so "every day at 9:00" stays at 9:00 across daylight-saving changes.

Decisions (tested in tests/test_recurrence.py):
- Only DAILY, WEEKLY, MONTHLY and YEARLY rules: a to-do does not repeat within a day.
- A plain monthly rule on an item due on the last day of a month follows month ends
  (BYMONTHDAY=-1): 31 Jan → 28 Feb → 31 Mar. Due on the 29th or 30th that is not a month end,
  short months are skipped as RFC 5545 says (30 Jan → 30 Mar); a plain yearly rule on 29 Feb
  falls on 28 Feb in other years.
- Completing an item late skips the occurrences that passed: the next due is the first one
  after both the current due and the completion.
- UNTIL is read as wall-clock time (a trailing `Z` is dropped). COUNT is counted from the
  current due each time (no history is kept): COUNT=1 ends at once, a larger COUNT never does.

Pure code: no Textual, no TinyDB.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime, time, timedelta, timezone, tzinfo
from functools import lru_cache

from dateutil.rrule import DAILY, MONTHLY, WEEKLY, YEARLY, rrule, rrulestr

from triage_tui.domain.dates import DAY_NAMES, MONTH_TITLES, dateutil_tz, local_zone
from triage_tui.domain.model import parse_due

MAX_OCCURRENCES = 1000
"""`occurrences_between` never returns more than this many."""

MAX_INTERVAL = 1000
FREQUENCIES = ("DAILY", "WEEKLY", "MONTHLY", "YEARLY")
_KNOWN_PARTS = {
    "FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST", "BYDAY", "BYMONTHDAY", "BYMONTH", "BYSETPOS",
    "BYYEARDAY", "BYWEEKNO",
}  # fmt: skip
_ANCHOR = datetime(2000, 1, 3)
# A rule that never happens (BYMONTH=2;BYMONTHDAY=30) makes dateutil search up to year 9999,
# seconds of work. Probing from near the end of the calendar bounds that search to ~50 years.
_PROBE_START = datetime(9950, 1, 1)
_DAY_CODES = ("MO", "TU", "WE", "TH", "FR", "SA", "SU")


def validate_rrule(text: str) -> str:
    """Check a repeat rule and return it in dateutil's canonical form.

    Accepts an optional `RRULE:` prefix and any letter case. Raises ValueError with a short
    readable message for anything else: junk, unknown parts, several lines, sub-daily
    frequencies, or a rule that never happens.
    """
    if not isinstance(text, str):
        raise ValueError("a repeat rule must be text like FREQ=WEEKLY;BYDAY=MO")
    return _validate(text.strip())


@lru_cache(maxsize=1024)
def _validate(text: str) -> str:
    parts = _split_parts(text)
    _check_parts(parts, text)
    cleaned = ";".join(f"{key}={value}" for key, value in parts.items())
    try:
        rule = rrulestr(cleaned, dtstart=_ANCHOR)
    except (ValueError, TypeError, KeyError, IndexError, OverflowError) as error:
        raise ValueError(f"could not read the repeat rule {_quote(text)}: {error}") from None
    if not isinstance(rule, rrule) or _never_happens(rule):
        raise ValueError(f"the repeat rule {_quote(text)} never happens")
    return _rule_text(rule)


def _quote(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


def _split_parts(text: str) -> dict[str, str]:
    body = text.upper()
    if body.startswith("RRULE:"):
        body = body[len("RRULE:") :]
    if not body:
        raise ValueError("the repeat rule is empty")
    if len(body) > 500 or any(char in body for char in ":\n\r"):
        raise ValueError(f"a repeat rule is one line like FREQ=WEEKLY;BYDAY=MO, not {_quote(text)}")
    parts: dict[str, str] = {}
    for part in filter(None, body.split(";")):
        key, equals, value = part.partition("=")
        key, value = key.strip(), value.strip()
        if not equals or not value:
            raise ValueError(f"could not read the repeat rule {_quote(text)}")
        if key in parts:
            raise ValueError(f"{key} appears twice in the repeat rule")
        parts[key] = value
    return parts


def _check_parts(parts: dict[str, str], text: str) -> None:
    unknown = sorted(set(parts) - _KNOWN_PARTS)
    if unknown:
        raise ValueError(f"the repeat rule part {unknown[0]} is not supported")
    if parts.get("FREQ") not in FREQUENCIES:
        raise ValueError(f"a repeat rule needs FREQ=DAILY, WEEKLY, MONTHLY or YEARLY: {text!r}")
    interval = parts.get("INTERVAL", "1")
    if not re.fullmatch(r"[0-9]{1,4}", interval) or not 1 <= int(interval) <= MAX_INTERVAL:
        raise ValueError(f"the repeat interval must be a whole number from 1 to {MAX_INTERVAL}")
    if "UNTIL" in parts:
        # Rules run in wall-clock time, so a UTC `Z` would make dateutil refuse a naive start.
        parts["UNTIL"] = parts["UNTIL"].removesuffix("Z")


def _never_happens(rule: rrule) -> bool:
    try:
        probe = rule.replace(dtstart=_PROBE_START, until=None, count=None)
        return probe.after(_PROBE_START, inc=True) is None
    except (ValueError, OverflowError):
        return True


def _rule_text(rule: rrule) -> str:
    """dateutil's string form without the DTSTART line and the `RRULE:` prefix."""
    line = str(rule).splitlines()[-1]
    return line.removeprefix("RRULE:")


_FREQ_CONSTANTS = {"DAILY": DAILY, "WEEKLY": WEEKLY, "MONTHLY": MONTHLY, "YEARLY": YEARLY}


def make_rrule(freq: str, interval: int = 1, weekdays: Sequence[int] = ()) -> str:
    """Rule text built by dateutil: ("WEEKLY", 2, [0]) gives "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO".

    `weekdays` are Python weekday numbers (Monday = 0). Raises ValueError for a bad
    frequency or an interval outside 1..MAX_INTERVAL.
    """
    if freq not in _FREQ_CONSTANTS or not 1 <= interval <= MAX_INTERVAL:
        raise ValueError(f"cannot repeat {freq} every {interval}")
    days = tuple(sorted(set(weekdays))) or None
    built = rrule(_FREQ_CONSTANTS[freq], interval=interval, byweekday=days, dtstart=_ANCHOR)
    return _rule_text(built)


def rule_parts(rule: str) -> dict[str, str]:
    """The parts of a valid rule as upper-case strings: {"FREQ": "WEEKLY", "BYDAY": "MO"}."""
    return dict(part.split("=", 1) for part in validate_rrule(rule).split(";"))


# ---------------------------------------------------------------- computing occurrences


def _real_zone(value: object) -> tzinfo | None:
    """The tzinfo of `value` (or `value` itself) when it is a DST-aware zone, not a fixed offset."""
    zone = value if isinstance(value, tzinfo) else getattr(value, "tzinfo", None)
    tz = dateutil_tz()
    if zone is None or isinstance(zone, timezone | tz.tzoffset | tz.tzutc):
        return None
    return zone


def _pick_zone(moment: datetime, zone: tzinfo | None, *others: object) -> tzinfo:
    """The zone to compute in: `zone`, else the first real zone among `others`, else the
    zone of the due's own offset (`local_zone`: the system zone when the offsets agree)."""
    if zone is not None:
        return zone
    for other in others:
        found = _real_zone(other)
        if found is not None:
            return found
    return local_zone(moment)


def _wall(moment: date | datetime, zone: tzinfo | None) -> datetime:
    """A naive wall-clock datetime in `zone`; a date is its midnight."""
    if not isinstance(moment, datetime):
        return datetime.combine(moment, time())
    if moment.tzinfo is not None and zone is not None:
        moment = moment.astimezone(zone)
    return moment.replace(tzinfo=None)


def _localize(wall: datetime, zone: tzinfo) -> datetime:
    """Put the zone back on a wall-clock time; a time in a spring-forward gap moves forward."""
    return dateutil_tz().resolve_imaginary(wall.replace(tzinfo=zone))


def _effective_rule(rule: str, start: datetime) -> rrule:
    """The rule started at `start`, with the month-end and 29 February decisions applied."""
    canonical = validate_rrule(rule)
    parts = rule_parts(canonical)
    compiled = rrulestr(canonical, dtstart=start)
    pinned = {"BYMONTHDAY", "BYDAY", "BYYEARDAY", "BYWEEKNO", "BYSETPOS"} & set(parts)
    if pinned:
        return compiled
    month_end = (start + timedelta(days=1)).day == 1
    if parts["FREQ"] == "MONTHLY" and month_end:
        return compiled.replace(bymonthday=-1)
    if parts["FREQ"] == "YEARLY" and "BYMONTH" not in parts and (start.month, start.day) == (2, 29):
        return compiled.replace(bymonth=2, bymonthday=-1)
    return compiled


def _day_of(moment: date | datetime) -> date:
    return moment.date() if isinstance(moment, datetime) else moment


def next_occurrence(
    rule: str, due: str, after: datetime | date, zone: tzinfo | None = None
) -> str | None:
    """The due that follows completing the item due at `due`, or None when the rule has ended.

    The result keeps the form of `due`: a date stays a date; an aware datetime stays an aware
    datetime at the same wall-clock time, with the offset that is right on its day. The zone
    is `zone`, else `after`'s zone when it is a real zone (not a fixed offset), else the zone
    of the due's offset (see `dates.local_zone`). Raises ValueError for an invalid rule or due.
    """
    validate_rrule(rule)
    day, moment = parse_due(due)
    if moment is None:
        start = datetime.combine(day, time())
        floor = max(start, datetime.combine(_day_of(after), time()))
        found = _effective_rule(rule, start).after(floor, inc=False)
        return None if found is None else found.date().isoformat()
    if moment.tzinfo is None:
        found = _effective_rule(rule, moment).after(max(moment, _wall(after, None)), inc=False)
        return None if found is None else found.isoformat()
    zone = _pick_zone(moment, zone, after)
    start = _wall(moment, zone)
    found = _effective_rule(rule, start).after(max(start, _wall(after, zone)), inc=False)
    return None if found is None else _localize(found, zone).replace(microsecond=0).isoformat()


def occurrences_between(
    rule: str,
    due: str,
    start: datetime | date,
    end: datetime | date,
    zone: tzinfo | None = None,
    limit: int = MAX_OCCURRENCES,
) -> list[date | datetime]:
    """The item's dues in the window [start, end), the current `due` included, at most `limit`.

    A date-only item yields dates (a day counts when it overlaps the window); an item with a
    time yields aware datetimes in the zone chosen as in `next_occurrence`.
    """
    validate_rrule(rule)
    day, moment = parse_due(due)
    aware = moment is not None and moment.tzinfo is not None
    chosen = _pick_zone(moment, zone, start, end) if aware else None
    first = _wall(moment, chosen) if moment is not None else datetime.combine(day, time())
    low, high = _wall(start, chosen), _wall(end, chosen)
    if moment is None:
        low = datetime.combine(low.date(), time())
    compiled = _effective_rule(rule, first)
    walls = [first] if low <= first < high else []
    # xafter with a count is lazy and bounded, unlike list(rule) or between() on a long window.
    for found in compiled.xafter(max(low, first), count=limit + 1, inc=True):
        if found >= high or len(walls) >= limit:
            break
        if found != first:
            walls.append(found)
    walls = walls[: max(limit, 0)]
    if moment is None:
        return [found.date() for found in walls]
    if not aware:
        return list(walls)
    return [_localize(found, chosen) for found in walls]


def first_occurrence(rule: str, start: date | datetime) -> date | datetime | None:
    """The first occurrence on or after `start` of a rule started at `start`.

    A date gives a date, a naive datetime a naive datetime, an aware one an aware one in the
    same zone. Used by quick add when a repeat is given without a due date.
    """
    wall = _wall(start, None)
    found = _effective_rule(rule, wall).after(wall, inc=True)
    if found is None:
        return None
    if not isinstance(start, datetime):
        return found.date()
    return found if start.tzinfo is None else _localize(found, start.tzinfo)


# ---------------------------------------------------------------- describing rules

_UNITS = {"DAILY": "day", "WEEKLY": "week", "MONTHLY": "month", "YEARLY": "year"}
_ORDINAL_WORDS = {1: "first", 2: "second", 3: "third", 4: "fourth", 5: "fifth", -1: "last"}


def describe_rrule(rule: str) -> str:
    """The rule in words: "every Monday", "every 2 weeks", "every month on the last day".

    Never raises: an invalid rule is described as "unreadable repeat rule".
    """
    try:
        parts = rule_parts(rule)
    except ValueError:
        return "unreadable repeat rule"
    text = _describe_core(parts)
    if "COUNT" in parts:
        text += f", {parts['COUNT']} times"
    if "UNTIL" in parts:
        text += f", until {_until_words(parts['UNTIL'])}"
    return text


def _every(parts: dict[str, str]) -> str:
    unit = _UNITS[parts["FREQ"]]
    interval = int(parts.get("INTERVAL", "1"))
    return f"every {unit}" if interval == 1 else f"every {interval} {unit}s"


def _describe_core(parts: dict[str, str]) -> str:
    simple = {"FREQ", "INTERVAL", "COUNT", "UNTIL", "WKST"}
    extra = set(parts) - simple
    daily_on_days = parts["FREQ"] == "DAILY" and parts.get("INTERVAL", "1") == "1"
    if (parts["FREQ"] == "WEEKLY" or daily_on_days) and extra == {"BYDAY"} and _plain_days(
        parts["BYDAY"]
    ):
        # A daily rule limited to some weekdays reads like the weekly one (every weekday).
        return _describe_weekly({**parts, "FREQ": "WEEKLY"})
    if parts["FREQ"] == "MONTHLY" and extra in ({"BYMONTHDAY"}, {"BYDAY"}, {"BYDAY", "BYSETPOS"}):
        detail = _describe_month_part(parts)
        if detail:
            return f"{_every(parts)} on {detail}"
    if parts["FREQ"] == "YEARLY" and extra == {"BYMONTH", "BYMONTHDAY"}:
        detail = _describe_year_day(parts)
        if detail:
            return f"{_every(parts)} on {detail}"
    if not extra:
        return _every(parts)
    return f"{_every(parts)} ({';'.join(f'{k}={v}' for k, v in parts.items())})"


def _plain_days(byday: str) -> list[str] | None:
    codes = byday.split(",")
    return codes if all(code in _DAY_CODES for code in codes) else None


def _describe_weekly(parts: dict[str, str]) -> str:
    codes = sorted(_plain_days(parts["BYDAY"]) or [], key=_DAY_CODES.index)
    if codes == list(_DAY_CODES[:5]):
        days = "weekday"
    elif codes == ["SA", "SU"]:
        days = "weekend day"
    else:
        days = _and_list([DAY_NAMES[_DAY_CODES.index(code)] for code in codes])
    interval = int(parts.get("INTERVAL", "1"))
    if interval == 1:
        return f"every {days}"
    return f"every {interval} weeks on {days}"


def _and_list(words: list[str]) -> str:
    if len(words) <= 1:
        return "".join(words)
    return ", ".join(words[:-1]) + " and " + words[-1]


def _describe_month_part(parts: dict[str, str]) -> str | None:
    if "BYMONTHDAY" in parts:
        days = parts["BYMONTHDAY"].split(",")
        return None if len(days) != 1 else _month_day_words(int(days[0]))
    code = parts["BYDAY"]
    position = parts.get("BYSETPOS")
    if position is not None:
        if code not in _DAY_CODES or "," in position:
            return None
        code = position + code
    number, day_code = code[:-2], code[-2:]
    if day_code not in _DAY_CODES or not number.lstrip("+-").isdigit():
        return None
    ordinal = _ORDINAL_WORDS.get(int(number))
    return f"the {ordinal} {DAY_NAMES[_DAY_CODES.index(day_code)]}" if ordinal else None


def _month_day_words(day: int) -> str:
    if day == -1:
        return "the last day"
    if day < 0:
        return f"the {_ordinal(-day)} last day"
    return f"the {_ordinal(day)}"


def _ordinal(number: int) -> str:
    if 10 <= number % 100 <= 20:
        return f"{number}th"
    suffix = {1: "st", 2: "nd", 3: "rd"}.get(number % 10, "th")
    return f"{number}{suffix}"


def _describe_year_day(parts: dict[str, str]) -> str | None:
    months, days = parts["BYMONTH"].split(","), parts["BYMONTHDAY"].split(",")
    if len(months) != 1 or len(days) != 1:
        return None
    month, day = MONTH_TITLES[int(months[0]) - 1], int(days[0])
    return f"the last day of {month}" if day == -1 else f"{day} {month}" if day > 0 else None


def _until_words(until: str) -> str:
    try:
        moment = datetime.strptime(until[:8], "%Y%m%d")
    except ValueError:
        return until
    return f"{moment.day} {MONTH_TITLES[moment.month - 1]} {moment.year}"
