"""Due dates in words: the relative-word helpers, `due_in_words` and `describe_due`."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone

import pytest
from dateutil import tz

from triage_tui.domain import dates

MONDAY = date(2026, 11, 23)
FRIDAY = date(2026, 11, 27)
SATURDAY = date(2026, 11, 28)
SUNDAY = date(2026, 11, 29)
PLUS_ONE = timezone(timedelta(hours=1))
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=PLUS_ONE)


# The process zone is pinned to UTC (conftest's utc_process_zone), so a fixed offset in a
# test is never the system's own.
pytestmark = pytest.mark.usefixtures("utc_process_zone")


# ---------------------------------------------------------------- reading relative words


@pytest.mark.parametrize(
    ("today", "weekday", "expected"),
    [
        (MONDAY, 4, FRIDAY),
        (MONDAY, 0, MONDAY),  # today counts
        (FRIDAY, 4, FRIDAY),
        (SATURDAY, 4, date(2026, 12, 4)),
        (SUNDAY, 0, date(2026, 11, 30)),
    ],
)
def test_weekday_on_or_after_includes_today(today, weekday, expected):
    assert dates.weekday_on_or_after(today, weekday) == expected


@pytest.mark.parametrize("today", [MONDAY, FRIDAY, SATURDAY, SUNDAY])
def test_start_of_next_week_is_the_following_monday(today):
    assert dates.start_of_next_week(today) == date(2026, 11, 30)


def test_weekday_next_week_is_in_the_next_calendar_week():
    assert dates.weekday_next_week(MONDAY, 4) == date(2026, 12, 4)
    assert dates.weekday_next_week(FRIDAY, 4) == date(2026, 12, 4)
    assert dates.weekday_next_week(SUNDAY, 0) == date(2026, 11, 30)


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (MONDAY, FRIDAY),
        (FRIDAY, FRIDAY),
        (SATURDAY, date(2026, 12, 4)),
        (SUNDAY, date(2026, 12, 4)),
    ],
)
def test_end_of_week_is_the_coming_friday(today, expected):
    assert dates.end_of_week(today) == expected


@pytest.mark.parametrize(
    ("today", "expected"),
    [
        (MONDAY, date(2026, 11, 30)),
        (date(2026, 11, 30), date(2026, 11, 30)),
        (date(2028, 2, 3), date(2028, 2, 29)),
        (date(2027, 2, 3), date(2027, 2, 28)),
        (date(2026, 12, 1), date(2026, 12, 31)),
    ],
)
def test_end_of_month(today, expected):
    assert dates.end_of_month(today) == expected


def test_shift_clamps_month_ends_and_handles_every_unit():
    assert dates.shift(date(2027, 1, 31), 1, "month") == date(2027, 2, 28)
    assert dates.shift(date(2028, 1, 31), 1, "months") == date(2028, 2, 29)
    assert dates.shift(MONDAY, 3, "days") == date(2026, 11, 26)
    assert dates.shift(MONDAY, 2, "weeks") == date(2026, 12, 7)
    assert dates.shift(MONDAY, 1, "year") == date(2027, 11, 23)
    assert dates.shift(NOW, 90, "mins") == NOW + timedelta(minutes=90)


def test_shift_out_of_range_raises_a_value_or_overflow_error():
    with pytest.raises((ValueError, OverflowError)):
        dates.shift(MONDAY, 10**7, "years")


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("today", MONDAY),
        ("TODAY", MONDAY),
        ("tomorrow", date(2026, 11, 24)),
        ("tmrw", date(2026, 11, 24)),
        ("eow", FRIDAY),
        ("eom", date(2026, 11, 30)),
        ("fri", FRIDAY),
        ("Friday", FRIDAY),
        ("thurs", date(2026, 11, 26)),
        ("mon", MONDAY),
        ("sun", SUNDAY),
        ("may", None),
        ("3", None),
        ("", None),
    ],
)
def test_relative_day(word, expected):
    assert dates.relative_day(word, MONDAY) == expected


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("week", date(2026, 11, 30)),
        ("month", date(2026, 12, 1)),
        ("fri", date(2026, 12, 4)),
        ("monday", date(2026, 11, 30)),
        ("steps", None),
    ],
)
def test_next_relative_day(word, expected):
    assert dates.next_relative_day(word, MONDAY) == expected


def test_local_zone(utc_process_zone):
    london = tz.gettz("Europe/London")
    assert dates.local_zone(datetime(2026, 11, 23, tzinfo=london)) is london
    assert dates.local_zone(NOW) is PLUS_ONE  # not the system's offset: kept as it is
    utc_process_zone("Europe/London")
    system = dates.local_zone(datetime(2026, 10, 23, 10, 0).astimezone())
    assert datetime(2026, 10, 26, 9, 0, tzinfo=system).utcoffset() == timedelta(0)
    assert datetime(2026, 10, 23, 9, 0, tzinfo=system).utcoffset() == timedelta(hours=1)
    assert dates.local_zone(NOW) is PLUS_ONE


def test_month_and_weekday_tables_cover_every_name():
    assert sorted(set(dates.MONTH_NAMES.values())) == list(range(1, 13))
    assert sorted(set(dates.WEEKDAY_NAMES.values())) == list(range(7))
    assert dates.MONTH_NAMES["sept"] == 9


# ---------------------------------------------------------------- writing dates as words


@pytest.mark.parametrize(
    ("clock", "expected"),
    [
        (time(9, 0), "9am"),
        (time(9, 30), "9:30am"),
        (time(12, 0), "12pm"),
        (time(0, 0), "12am"),
        (time(15, 5), "3:05pm"),
        (time(23, 59), "11:59pm"),
    ],
)
def test_short_time(clock, expected):
    assert dates.short_time(clock) == expected


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (None, ""),
        ("", ""),
        ("2026-11-23", "today"),
        ("2026-11-24", "tomorrow"),
        ("2026-11-24T09:00:00+01:00", "tmrw 9am"),
        ("2026-11-27", "fri"),
        ("2026-11-27T09:00:00+01:00", "fri 9am"),
        ("2026-11-29T12:30:00+01:00", "sun 12:30pm"),
        ("2026-11-30", "in 7d"),
        ("2026-12-05", "in 12d"),
        ("2027-06-01", "in 6mo"),
        ("2030-01-01", "in 3y"),
        ("2026-11-22", "yesterday"),
        ("2026-11-21", "overdue 2d"),
        ("2026-11-21T09:00:00+01:00", "overdue 2d"),
        ("2020-01-01", "overdue 6y"),
        ("not a date", "?"),
        ("2026-13-45", "?"),
    ],
)
def test_due_in_words(due, expected):
    assert dates.due_in_words(due, MONDAY) == expected


def test_due_in_words_shows_a_time_today_and_how_late_it_is():
    assert dates.due_in_words("2026-11-23T15:00:00+01:00", MONDAY) == "3pm"
    assert dates.due_in_words("2026-11-23T15:00:00+01:00", MONDAY, NOW) == "3pm"
    assert dates.due_in_words("2026-11-23T08:00:00+01:00", MONDAY, NOW) == "overdue 2h"
    assert dates.due_in_words("2026-11-23T09:45:00+01:00", MONDAY, NOW) == "overdue 15m"


def test_due_in_words_shows_times_in_the_zone_of_now():
    new_york = datetime(2026, 11, 23, 10, 0, tzinfo=tz.gettz("America/New_York"))
    # 02:00 in London on Tuesday is 21:00 on Monday in New York.
    assert dates.due_in_words("2026-11-24T02:00:00+00:00", MONDAY, new_york) == "9pm"
    assert dates.due_in_words("2026-11-24T02:00:00+00:00", MONDAY) == "tmrw 2am"


def test_due_in_words_never_exceeds_twelve_characters():
    for offset in range(-4000, 4000, 7):
        day = MONDAY + timedelta(days=offset)
        for clock in (None, time(0, 0), time(12, 30), time(23, 59)):
            due = day.isoformat() if clock is None else datetime.combine(
                day, clock, tzinfo=PLUS_ONE
            ).isoformat()
            assert len(dates.due_in_words(due, MONDAY, NOW)) <= 12, due


@pytest.mark.parametrize(
    ("due", "expected"),
    [
        (None, ""),
        ("2026-11-27T09:00:00+01:00", "Friday 27 November 2026, 9:00 (in 4 days)"),
        ("2026-12-05", "Saturday 5 December 2026 (in 12 days)"),
        ("2026-11-23", "Monday 23 November 2026 (today)"),
        ("2026-11-24T15:30:00+01:00", "Tuesday 24 November 2026, 15:30 (tomorrow)"),
        ("2026-11-22", "Sunday 22 November 2026 (yesterday)"),
        ("2026-11-20", "Friday 20 November 2026 (3 days ago)"),
        ("garbage", "unreadable due date: garbage"),
    ],
)
def test_describe_due(due, expected):
    assert dates.describe_due(due, MONDAY) == expected


def test_describe_due_in_the_zone_of_now():
    london = datetime(2026, 11, 23, 10, 0, tzinfo=tz.gettz("Europe/London"))
    text = dates.describe_due("2026-11-27T09:00:00+01:00", MONDAY, london)
    assert text == "Friday 27 November 2026, 8:00 (in 4 days)"


@pytest.mark.parametrize(
    ("days", "expected"),
    [(0, "today"), (1, "tomorrow"), (-1, "yesterday"), (4, "in 4 days"), (-3, "3 days ago")],
)
def test_days_in_words(days, expected):
    assert dates.days_in_words(days) == expected
