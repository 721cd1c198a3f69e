"""Repeat rules: validation, words, the next due, and occurrences in a window."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone

import pytest
from dateutil import tz

from triage_tui.domain.recurrence import (
    MAX_OCCURRENCES,
    describe_rrule,
    first_occurrence,
    make_rrule,
    next_occurrence,
    occurrences_between,
    rule_parts,
    validate_rrule,
)

LONDON = tz.gettz("Europe/London")
NEW_YORK = tz.gettz("America/New_York")
PLUS_ONE = timezone(timedelta(hours=1))


# The process zone is pinned to UTC (conftest's utc_process_zone), so a fixed offset in a
# test is never the system's own.
pytestmark = pytest.mark.usefixtures("utc_process_zone")


# ---------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", "FREQ=WEEKLY;BYDAY=MO"),
        ("RRULE:FREQ=WEEKLY;INTERVAL=2", "FREQ=WEEKLY;INTERVAL=2"),
        ("rrule:freq=monthly;bymonthday=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("  FREQ=DAILY  ", "FREQ=DAILY"),
        ("FREQ=DAILY;", "FREQ=DAILY"),
        ("FREQ=MONTHLY;BYDAY=1MO", "FREQ=MONTHLY;BYDAY=+1MO"),
        ("FREQ=DAILY;UNTIL=20261231T000000Z", "FREQ=DAILY;UNTIL=20261231T000000"),
        ("FREQ=DAILY;UNTIL=20261231", "FREQ=DAILY;UNTIL=20261231T000000"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29", "FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=29"),
    ],
)
def test_validate_rrule_returns_the_canonical_form(text, expected):
    assert validate_rrule(text) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("junk", "could not read the repeat rule 'junk'"),
        ("FREQ=HOURLY", "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=SECONDLY", "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("INTERVAL=2", "FREQ=DAILY, WEEKLY, MONTHLY or YEARLY"),
        ("FREQ=DAILY;INTERVAL=0", "whole number from 1 to 1000"),
        ("FREQ=DAILY;INTERVAL=x", "whole number from 1 to 1000"),
        ("FREQ=DAILY;INTERVAL=²", "whole number from 1 to 1000"),
        ("FREQ=WEEKLY;BYDAY=XX", "could not read the repeat rule"),
        ("FREQ=DAILY;BYHOUR=9", "BYHOUR is not supported"),
        ("FREQ=DAILY;FOO=1", "FOO is not supported"),
        ("FREQ=DAILY;FREQ=WEEKLY", "twice"),
        ("DTSTART:20260101T000000\nRRULE:FREQ=DAILY", "one line"),
        ("FREQ=DAILY;BYMONTH=2;BYMONTHDAY=30", "never happens"),
        ("FREQ=MONTHLY;BYDAY=6MO", "never happens"),
        ("FREQ=DAILY;UNTIL=yesterday", "could not read the repeat rule"),
        ("FREQ=" + "D" * 600, "one line"),
    ],
)
def test_validate_rrule_rejects_junk_with_a_readable_message(text, message):
    with pytest.raises(ValueError, match=message.replace("(", r"\(")):
        validate_rrule(text)


@pytest.mark.parametrize("value", [None, 3, b"FREQ=DAILY"])
def test_validate_rrule_rejects_non_text(value):
    with pytest.raises(ValueError, match="must be text"):
        validate_rrule(value)


def test_rule_parts():
    assert rule_parts("freq=weekly;byday=mo,we") == {"FREQ": "WEEKLY", "BYDAY": "MO,WE"}


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (("DAILY",), "FREQ=DAILY"),
        (("DAILY", 3), "FREQ=DAILY;INTERVAL=3"),
        (("WEEKLY", 2, [0]), "FREQ=WEEKLY;INTERVAL=2;BYDAY=MO"),
        (("WEEKLY", 1, [4, 0, 2, 0]), "FREQ=WEEKLY;BYDAY=MO,WE,FR"),
        (("MONTHLY",), "FREQ=MONTHLY"),
        (("YEARLY",), "FREQ=YEARLY"),
    ],
)
def test_make_rrule_builds_valid_rules(args, expected):
    assert make_rrule(*args) == expected
    assert validate_rrule(expected) == expected


@pytest.mark.parametrize("args", [("HOURLY",), ("DAILY", 0), ("DAILY", 1001)])
def test_make_rrule_refuses_bad_input(args):
    with pytest.raises(ValueError):
        make_rrule(*args)


# ---------------------------------------------------------------- words


@pytest.mark.parametrize(
    ("rule", "expected"),
    [
        ("FREQ=DAILY", "every day"),
        ("FREQ=DAILY;INTERVAL=3", "every 3 days"),
        ("FREQ=WEEKLY", "every week"),
        ("FREQ=WEEKLY;INTERVAL=2", "every 2 weeks"),
        ("FREQ=WEEKLY;BYDAY=MO", "every Monday"),
        ("FREQ=WEEKLY;BYDAY=WE,MO", "every Monday and Wednesday"),
        ("FREQ=WEEKLY;BYDAY=MO,WE,FR", "every Monday, Wednesday and Friday"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("FREQ=WEEKLY;BYDAY=SA,SU", "every weekend day"),
        ("FREQ=WEEKLY;INTERVAL=2;BYDAY=MO", "every 2 weeks on Monday"),
        ("FREQ=MONTHLY", "every month"),
        ("FREQ=MONTHLY;INTERVAL=3", "every 3 months"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "every month on the last day"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "every month on the 15th"),
        ("FREQ=MONTHLY;BYMONTHDAY=1", "every month on the 1st"),
        ("FREQ=MONTHLY;BYMONTHDAY=22", "every month on the 22nd"),
        ("FREQ=MONTHLY;BYMONTHDAY=13", "every month on the 13th"),
        ("FREQ=MONTHLY;BYMONTHDAY=-2", "every month on the 2nd last day"),
        ("FREQ=MONTHLY;BYDAY=1MO", "every month on the first Monday"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "every month on the last Friday"),
        ("FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2", "every month on the second Tuesday"),
        ("FREQ=YEARLY", "every year"),
        ("FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=1", "every year on 1 March"),
        ("FREQ=YEARLY;BYMONTH=2;BYMONTHDAY=-1", "every year on the last day of February"),
        ("FREQ=DAILY;COUNT=5", "every day, 5 times"),
        ("FREQ=WEEKLY;BYDAY=FR;UNTIL=20261231", "every Friday, until 31 December 2026"),
        ("FREQ=MONTHLY;BYMONTHDAY=1,15", "every month (FREQ=MONTHLY;BYMONTHDAY=1,15)"),
        ("rrule:freq=weekly;byday=mo", "every Monday"),
        ("junk", "unreadable repeat rule"),
        ("", "unreadable repeat rule"),
    ],
)
def test_describe_rrule(rule, expected):
    assert describe_rrule(rule) == expected


# ---------------------------------------------------------------- the next due


@pytest.mark.parametrize(
    ("rule", "due", "after", "expected"),
    [
        ("FREQ=DAILY", "2026-11-23", date(2026, 11, 23), "2026-11-24"),
        ("FREQ=WEEKLY;BYDAY=MO", "2026-11-23", date(2026, 11, 23), "2026-11-30"),
        ("FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-23", date(2026, 11, 23), "2026-11-26"),
        ("FREQ=WEEKLY;INTERVAL=2", "2026-11-23", date(2026, 11, 23), "2026-12-07"),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-11-27", date(2026, 11, 27), "2026-11-30"),
        # Done early: the next due still follows the current one.
        ("FREQ=DAILY", "2026-11-25", date(2026, 11, 23), "2026-11-26"),
        # Done late: the occurrences that passed are skipped.
        ("FREQ=WEEKLY;BYDAY=MO", "2026-11-02", date(2026, 11, 25), "2026-11-30"),
        ("FREQ=DAILY", "2026-11-02", datetime(2026, 11, 25, 18, 0, tzinfo=PLUS_ONE), "2026-11-26"),
        ("FREQ=YEARLY", "2026-11-23", date(2026, 11, 23), "2027-11-23"),
        ("FREQ=MONTHLY;BYMONTHDAY=15", "2026-11-15", date(2026, 11, 15), "2026-12-15"),
        ("FREQ=MONTHLY;BYDAY=-1FR", "2026-11-27", date(2026, 11, 27), "2026-12-25"),
    ],
)
def test_next_occurrence_for_dates(rule, due, after, expected):
    assert next_occurrence(rule, due, after) == expected


def test_monthly_from_a_month_end_follows_month_ends():
    due = "2027-01-31"
    seen = []
    for _ in range(4):
        due = next_occurrence("FREQ=MONTHLY", due, date.fromisoformat(due))
        seen.append(due)
    assert seen == ["2027-02-28", "2027-03-31", "2027-04-30", "2027-05-31"]


def test_monthly_month_end_in_a_leap_year():
    assert next_occurrence("FREQ=MONTHLY", "2028-01-31", date(2028, 1, 31)) == "2028-02-29"
    assert next_occurrence("FREQ=MONTHLY", "2028-02-29", date(2028, 2, 29)) == "2028-03-31"


def test_monthly_on_the_30th_skips_february_as_rfc_5545_says():
    assert next_occurrence("FREQ=MONTHLY", "2027-01-30", date(2027, 1, 30)) == "2027-03-30"


def test_an_explicit_month_day_is_not_changed_by_the_month_end_rule():
    rule = "FREQ=MONTHLY;BYMONTHDAY=30"
    assert next_occurrence(rule, "2026-11-30", date(2026, 11, 30)) == "2026-12-30"


def test_yearly_on_29_february_falls_on_28_february_in_other_years():
    assert next_occurrence("FREQ=YEARLY", "2028-02-29", date(2028, 2, 29)) == "2029-02-28"


def test_next_occurrence_is_none_when_the_rule_has_ended():
    rule = "FREQ=DAILY;UNTIL=20261124T000000"
    assert next_occurrence(rule, "2026-11-23", date(2026, 11, 23)) == "2026-11-24"
    assert next_occurrence(rule, "2026-11-24", date(2026, 11, 24)) is None


def test_next_occurrence_refuses_junk():
    with pytest.raises(ValueError):
        next_occurrence("junk", "2026-11-23", date(2026, 11, 23))
    with pytest.raises(ValueError):
        next_occurrence("FREQ=DAILY", "someday", date(2026, 11, 23))


@pytest.mark.parametrize(
    ("due", "after", "expected"),
    [
        # London leaves summer time on Sunday 25 October 2026: 9:00 stays 9:00.
        (
            "2026-10-24T09:00:00+01:00",
            datetime(2026, 10, 24, 9, 30, tzinfo=LONDON),
            "2026-10-25T09:00:00+00:00",
        ),
        (
            "2026-10-25T09:00:00+00:00",
            datetime(2026, 10, 25, 9, 30, tzinfo=LONDON),
            "2026-10-26T09:00:00+00:00",
        ),
        # New York leaves daylight time on Sunday 1 November 2026.
        (
            "2026-10-31T09:00:00-04:00",
            datetime(2026, 10, 31, 9, 30, tzinfo=NEW_YORK),
            "2026-11-01T09:00:00-05:00",
        ),
        # London enters summer time on Sunday 28 March 2027.
        (
            "2027-03-27T09:00:00+00:00",
            datetime(2027, 3, 27, 10, 0, tzinfo=LONDON),
            "2027-03-28T09:00:00+01:00",
        ),
    ],
)
def test_next_occurrence_keeps_the_wall_clock_time_across_dst(due, after, expected):
    assert next_occurrence("FREQ=DAILY", due, after) == expected


def test_weekly_across_the_new_york_change():
    after = datetime(2026, 10, 26, 9, 5, tzinfo=NEW_YORK)
    found = next_occurrence("FREQ=WEEKLY;BYDAY=MO", "2026-10-26T09:00:00-04:00", after)
    assert found == "2026-11-02T09:00:00-05:00"


def test_a_time_in_the_spring_forward_gap_moves_forward():
    after = datetime(2027, 3, 27, 2, 0, tzinfo=LONDON)
    found = next_occurrence("FREQ=DAILY", "2027-03-27T01:30:00+00:00", after)
    assert found == "2027-03-28T02:30:00+01:00"  # 01:30 does not exist that day


def test_an_explicit_zone_wins_and_a_fixed_offset_keeps_the_offset():
    due = "2026-10-24T09:00:00+01:00"
    after = datetime(2026, 10, 24, 9, 30, tzinfo=PLUS_ONE)
    assert next_occurrence("FREQ=DAILY", due, after) == "2026-10-25T09:00:00+01:00"
    found = next_occurrence("FREQ=DAILY", due, after, zone=LONDON)
    assert found == "2026-10-25T09:00:00+00:00"


def test_a_fixed_offset_that_is_the_system_zone_follows_its_dst_rules(utc_process_zone):
    utc_process_zone("Europe/London")
    after = datetime(2026, 10, 24, 9, 30).astimezone()  # what datetime.now().astimezone() gives
    assert after.utcoffset() == timedelta(hours=1)
    found = next_occurrence("FREQ=DAILY", "2026-10-24T09:00:00+01:00", after)
    assert found == "2026-10-25T09:00:00+00:00"
    window = (datetime(2026, 10, 24), datetime(2026, 10, 26))
    found = occurrences_between("FREQ=DAILY", "2026-10-24T09:00:00+01:00", *window)
    assert [moment.isoformat() for moment in found] == [
        "2026-10-24T09:00:00+01:00",
        "2026-10-25T09:00:00+00:00",
    ]


def test_completing_a_timed_item_late_skips_to_the_next_time():
    after = datetime(2026, 11, 25, 10, 0, tzinfo=LONDON)
    found = next_occurrence("FREQ=DAILY", "2026-11-23T09:00:00+00:00", after)
    assert found == "2026-11-26T09:00:00+00:00"
    after_date = date(2026, 11, 25)
    found = next_occurrence("FREQ=DAILY", "2026-11-23T09:00:00+00:00", after_date, zone=LONDON)
    assert found == "2026-11-25T09:00:00+00:00"


# ---------------------------------------------------------------- occurrences in a window


def test_occurrences_between_for_a_date_item_in_one_week():
    week = (datetime(2026, 11, 23), datetime(2026, 11, 30))
    found = occurrences_between("FREQ=WEEKLY;BYDAY=MO,TH", "2026-11-02", *week)
    assert found == [date(2026, 11, 23), date(2026, 11, 26)]


def test_the_window_is_half_open_and_days_that_overlap_it_count():
    found = occurrences_between(
        "FREQ=DAILY", "2026-11-20", datetime(2026, 11, 23, 10, 0), datetime(2026, 11, 25)
    )
    assert found == [date(2026, 11, 23), date(2026, 11, 24)]


def test_occurrences_between_includes_the_current_due_even_off_the_rule():
    found = occurrences_between(
        "FREQ=WEEKLY;BYDAY=MO", "2026-11-28", date(2026, 11, 23), date(2026, 12, 8)
    )
    assert found == [date(2026, 11, 28), date(2026, 11, 30), date(2026, 12, 7)]


def test_occurrences_between_is_empty_before_the_due_and_after_until():
    before = occurrences_between("FREQ=DAILY", "2026-12-01", date(2026, 11, 1), date(2026, 11, 30))
    assert before == []
    rule = "FREQ=DAILY;UNTIL=20261125"
    found = occurrences_between(rule, "2026-11-23", date(2026, 11, 1), date(2026, 12, 31))
    assert found == [date(2026, 11, 23), date(2026, 11, 24), date(2026, 11, 25)]


def test_occurrences_between_is_capped_for_unbounded_rules_and_huge_windows():
    found = occurrences_between("FREQ=DAILY", "2026-01-01", date(2026, 1, 1), date(9000, 1, 1))
    assert len(found) == MAX_OCCURRENCES
    assert found[-1] == date(2026, 1, 1) + timedelta(days=MAX_OCCURRENCES - 1)
    year = (date(2026, 1, 1), date(2027, 1, 1))
    assert len(occurrences_between("FREQ=DAILY", "2026-01-01", *year, limit=10)) == 10
    assert occurrences_between("FREQ=DAILY", "2026-01-01", *year, limit=0) == []


def test_count_is_counted_from_the_current_due():
    assert next_occurrence("FREQ=DAILY;COUNT=1", "2026-11-23", date(2026, 11, 23)) is None
    assert next_occurrence("FREQ=DAILY;COUNT=3", "2026-11-23", date(2026, 11, 23)) == "2026-11-24"


def test_occurrences_between_for_a_timed_item_across_dst():
    start = datetime(2026, 10, 23, tzinfo=LONDON)
    end = datetime(2026, 10, 27, tzinfo=LONDON)
    found = occurrences_between("FREQ=DAILY", "2026-10-23T09:00:00+01:00", start, end)
    assert [moment.isoformat() for moment in found] == [
        "2026-10-23T09:00:00+01:00",
        "2026-10-24T09:00:00+01:00",
        "2026-10-25T09:00:00+00:00",
        "2026-10-26T09:00:00+00:00",
    ]


def test_occurrences_between_for_a_timed_item_with_a_naive_window():
    found = occurrences_between(
        "FREQ=WEEKLY;BYDAY=MO", "2026-11-02T09:00:00-05:00",
        datetime(2026, 11, 9), datetime(2026, 11, 17), zone=NEW_YORK,
    )
    assert [moment.isoformat() for moment in found] == [
        "2026-11-09T09:00:00-05:00",
        "2026-11-16T09:00:00-05:00",
    ]


def test_occurrences_follow_month_ends():
    found = occurrences_between("FREQ=MONTHLY", "2027-01-31", date(2027, 1, 1), date(2027, 5, 1))
    assert found == [date(2027, 1, 31), date(2027, 2, 28), date(2027, 3, 31), date(2027, 4, 30)]


# ---------------------------------------------------------------- the first occurrence


@pytest.mark.parametrize(
    ("rule", "start", "expected"),
    [
        ("FREQ=WEEKLY;BYDAY=MO", date(2026, 11, 23), date(2026, 11, 23)),
        ("FREQ=WEEKLY;BYDAY=MO", date(2026, 11, 24), date(2026, 11, 30)),
        ("FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", date(2026, 11, 28), date(2026, 11, 30)),
        ("FREQ=MONTHLY", date(2026, 11, 24), date(2026, 11, 24)),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", date(2026, 11, 24), date(2026, 11, 30)),
        ("FREQ=DAILY", datetime(2026, 11, 24, 9, 0), datetime(2026, 11, 24, 9, 0)),
    ],
)
def test_first_occurrence(rule, start, expected):
    assert first_occurrence(rule, start) == expected


def test_first_occurrence_keeps_an_aware_zone():
    start = datetime(2026, 10, 24, 9, 0, tzinfo=LONDON)
    found = first_occurrence("FREQ=WEEKLY;BYDAY=SU", start)
    assert found.isoformat() == "2026-10-25T09:00:00+00:00"


@pytest.mark.parametrize(
    ("rule", "words"),
    [
        ("FREQ=DAILY;BYDAY=MO,TU,WE,TH,FR", "every weekday"),
        ("FREQ=DAILY;BYDAY=MO,WE", "every Monday and Wednesday"),
    ],
)
def test_a_daily_rule_on_some_weekdays_reads_like_the_weekly_one(rule, words):
    assert describe_rrule(rule) == words
