"""Quick add: one line of text → title, due, estimate, repeat, tags, assignee, lane.

Every test uses a fixed clock. MONDAY is 2026-11-23 10:00 at a fixed +01:00 offset; the process
time zone is pinned to UTC so that offset is never taken for the system zone.
"""

from __future__ import annotations

from collections import Counter
from datetime import datetime, timedelta, timezone

import pytest
from dateutil import tz
from hypothesis import given, settings
from hypothesis import strategies as st

from triage_tui.domain.model import MAX_TITLE_CHARS, clean_text
from triage_tui.domain.quickadd import (
    TOKEN_KINDS,
    QuickAdd,
    Token,
    parse_duration,
    parse_quick_add,
)
from triage_tui.domain.recurrence import validate_rrule

PLUS_ONE = timezone(timedelta(hours=1))
MONDAY = datetime(2026, 11, 23, 10, 0, tzinfo=PLUS_ONE)
FRIDAY = datetime(2026, 11, 27, 10, 0, tzinfo=PLUS_ONE)
SATURDAY = datetime(2026, 11, 28, 10, 0, tzinfo=PLUS_ONE)
YEAR_END = datetime(2026, 12, 31, 18, 0, tzinfo=PLUS_ONE)
JANUARY_END = datetime(2027, 1, 31, 8, 0, tzinfo=PLUS_ONE)


# The process zone is pinned to UTC (conftest's utc_process_zone), so a fixed offset in a
# test is never the system's own.
pytestmark = pytest.mark.usefixtures("utc_process_zone")


def parse(text: str, now: datetime = MONDAY) -> QuickAdd:
    return parse_quick_add(text, now)


def check_tokens(text: str, result: QuickAdd) -> None:
    """Tokens are in order, do not overlap, quote the input exactly and cover every word."""
    position = 0
    for token in result.tokens:
        assert token.kind in TOKEN_KINDS
        assert token.start >= position and token.end > token.start
        assert text[token.start : token.end] == token.text
        assert text[position : token.start].strip() == ""
        position = token.end
    assert text[position:].strip() == ""


# ---------------------------------------------------------------- the issue's example


def test_the_issue_example():
    text = "Renew the shop domain in 3 days ~15m #admin @bob every month"
    result = parse(text)
    assert result.title == "Renew the shop domain"
    assert result.due == "2026-11-26"
    assert result.estimate_minutes == 15
    assert result.tags == ["admin"]
    assert result.assignee == "bob"
    assert result.recurrence == "FREQ=MONTHLY"
    assert result.lane is None
    assert result.problems == []
    assert result.tokens == [
        Token("title", "Renew the shop domain", 0, 21),
        Token("due", "in 3 days", 22, 31),
        Token("estimate", "~15m", 32, 36),
        Token("tag", "#admin", 37, 43),
        Token("assignee", "@bob", 44, 48),
        Token("recurrence", "every month", 49, 60),
    ]


def test_the_design_example():
    result = parse("renew domain fri ~15m #admin")
    assert (result.title, result.due, result.estimate_minutes, result.tags) == (
        "renew domain", "2026-11-27", 15, ["admin"],
    )


# ---------------------------------------------------------------- dates


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("x today", "2026-11-23"),
        ("x tomorrow", "2026-11-24"),
        ("x Tomorrow", "2026-11-24"),
        ("x tmrw", "2026-11-24"),
        ("x fri", "2026-11-27"),
        ("x friday", "2026-11-27"),
        ("x FRIDAY", "2026-11-27"),
        ("x thurs", "2026-11-26"),
        ("x mon", "2026-11-23"),  # a weekday name includes today
        ("x monday", "2026-11-23"),
        ("x this fri", "2026-11-27"),
        ("x next week", "2026-11-30"),
        ("x next fri", "2026-12-04"),  # Friday of next week
        ("x next mon", "2026-11-30"),
        ("x next month", "2026-12-01"),
        ("x in 3 days", "2026-11-26"),
        ("x in 1 day", "2026-11-24"),
        ("x in 0 days", "2026-11-23"),
        ("x in a week", "2026-11-30"),
        ("x in 2 weeks", "2026-12-07"),
        ("x in one month", "2026-12-23"),
        ("x in 2 months", "2027-01-23"),
        ("x in a year", "2027-11-23"),
        ("x eow", "2026-11-27"),
        ("x eom", "2026-11-30"),
        ("x dec 5", "2026-12-05"),
        ("x Dec 5", "2026-12-05"),
        ("x 5 dec", "2026-12-05"),
        ("x december 5th", "2026-12-05"),
        ("x 5th December", "2026-12-05"),
        ("x sept 3", "2027-09-03"),
        ("x dec 5 2027", "2027-12-05"),
        ("x 5 dec 2027", "2027-12-05"),
        ("x december 5, 2027", "2027-12-05"),
        ("x jan 5", "2027-01-05"),  # no year: the next such day
        ("x nov 23", "2026-11-23"),
        ("x nov 20", "2027-11-20"),
        ("x feb 29", "2028-02-29"),  # the next leap day
        ("x 2026-12-01", "2026-12-01"),
        ("x 2025-01-01", "2025-01-01"),  # an explicit past date is kept
        ("x by fri", "2026-11-27"),
        ("x on dec 5", "2026-12-05"),
        ("x due fri", "2026-11-27"),
        ("x due by fri", "2026-11-27"),
        ("x due on dec 5", "2026-12-05"),
    ],
)
def test_dates(text, due):
    result = parse(text)
    assert (result.title, result.due, result.problems) == ("x", due, [])
    check_tokens(text, result)
    assert [token.kind for token in result.tokens] == ["title", "due"]


@pytest.mark.parametrize(
    ("now", "text", "due"),
    [
        (FRIDAY, "x fri", "2026-11-27"),  # on a Friday, "fri" is today
        (FRIDAY, "x next fri", "2026-12-04"),
        (FRIDAY, "x eow", "2026-11-27"),
        (FRIDAY, "x mon", "2026-11-30"),
        (FRIDAY, "x next week", "2026-11-30"),
        (SATURDAY, "x eow", "2026-12-04"),  # the weekend's end of week is next Friday
        (SATURDAY, "x next week", "2026-11-30"),
        (SATURDAY, "x next mon", "2026-11-30"),
        (YEAR_END, "x eom", "2026-12-31"),
        (YEAR_END, "x tomorrow", "2027-01-01"),
        (YEAR_END, "x in 1 month", "2027-01-31"),
        (YEAR_END, "x in 2 months", "2027-02-28"),  # months clamp to the month end
        (YEAR_END, "x dec 5", "2027-12-05"),
        (YEAR_END, "x next month", "2027-01-01"),
        (JANUARY_END, "x in 1 month", "2027-02-28"),
        (JANUARY_END, "x eom", "2027-01-31"),
        (JANUARY_END, "x eow", "2027-02-05"),
    ],
)
def test_dates_on_other_days(now, text, due):
    result = parse(text, now)
    assert (result.title, result.due, result.problems) == ("x", due, [])


@pytest.mark.parametrize(
    ("text", "due"),
    [
        ("x 3pm", "2026-11-23T15:00:00+01:00"),
        ("x 3PM", "2026-11-23T15:00:00+01:00"),
        ("x 3:30pm", "2026-11-23T15:30:00+01:00"),
        ("x 15:30", "2026-11-23T15:30:00+01:00"),
        ("x 3 pm", "2026-11-23T15:00:00+01:00"),
        ("x at 3pm", "2026-11-23T15:00:00+01:00"),
        ("x at 15:30", "2026-11-23T15:30:00+01:00"),
        ("x noon", "2026-11-23T12:00:00+01:00"),
        ("x 12am", "2026-11-24T00:00:00+01:00"),
        ("x 10am", "2026-11-23T10:00:00+01:00"),  # now, not yet passed
        ("x 9am", "2026-11-24T09:00:00+01:00"),  # passed: tomorrow
        ("x 9:59", "2026-11-24T09:59:00+01:00"),
        ("x fri 9am", "2026-11-27T09:00:00+01:00"),
        ("x fri at 9am", "2026-11-27T09:00:00+01:00"),
        ("x 9am fri", "2026-11-27T09:00:00+01:00"),
        ("x tomorrow 15:30", "2026-11-24T15:30:00+01:00"),
        ("x 3pm tomorrow", "2026-11-24T15:00:00+01:00"),
        ("x today 9am", "2026-11-23T09:00:00+01:00"),  # an explicit day is kept, even if past
        ("x dec 5 at 3pm", "2026-12-05T15:00:00+01:00"),
        ("x 9am on dec 5", "2026-12-05T09:00:00+01:00"),
        ("x at 9am on dec 5", "2026-12-05T09:00:00+01:00"),
        ("x next fri 8:15am", "2026-12-04T08:15:00+01:00"),
        ("x 2026-12-01 9am", "2026-12-01T09:00:00+01:00"),
        ("x 2026-12-01T09:00", "2026-12-01T09:00:00+01:00"),
        ("x 2026-12-01T09:00:30", "2026-12-01T09:00:30+01:00"),
        ("x 2026-12-01T09:00+05:00", "2026-12-01T09:00:00+05:00"),
        ("x 2026-12-01T09:00Z", "2026-12-01T09:00:00+00:00"),
        ("x in 2 hours", "2026-11-23T12:00:00+01:00"),
        ("x in 30 minutes", "2026-11-23T10:30:00+01:00"),
        ("x in an hour", "2026-11-23T11:00:00+01:00"),
        ("x by 3pm", "2026-11-23T15:00:00+01:00"),
        ("x by 3pm fri", "2026-11-27T15:00:00+01:00"),
        ("x due at 3pm", "2026-11-23T15:00:00+01:00"),
        ("x due 3pm", "2026-11-23T15:00:00+01:00"),
    ],
)
def test_times(text, due):
    result = parse(text)
    assert (result.title, result.due, result.problems) == ("x", due, [])
    check_tokens(text, result)


def test_a_time_alone_at_the_current_minute_is_today():
    now = datetime(2026, 11, 23, 10, 0, 45, tzinfo=PLUS_ONE)
    assert parse("x 10am", now).due == "2026-11-23T10:00:00+01:00"


def test_times_take_the_offset_of_their_own_day_in_a_real_zone():
    london = datetime(2026, 10, 23, 10, 0, tzinfo=tz.gettz("Europe/London"))
    assert parse("x fri 9am", london).due == "2026-10-23T09:00:00+01:00"
    assert parse("x mon 9am", london).due == "2026-10-26T09:00:00+00:00"
    new_york = datetime(2026, 10, 30, 10, 0, tzinfo=tz.gettz("America/New_York"))
    assert parse("x sat 9am", new_york).due == "2026-10-31T09:00:00-04:00"
    assert parse("x next mon 9am", new_york).due == "2026-11-02T09:00:00-05:00"


def test_a_fixed_offset_that_is_the_system_zone_follows_its_dst_rules(utc_process_zone):
    utc_process_zone("Europe/London")
    now = datetime(2026, 10, 23, 10, 0).astimezone()  # what datetime.now().astimezone() gives
    assert now.utcoffset() == timedelta(hours=1)
    assert parse("x mon 9am", now).due == "2026-10-26T09:00:00+00:00"
    assert parse("x 9am", now).due == "2026-10-24T09:00:00+01:00"


def test_a_time_in_the_spring_forward_gap_moves_forward():
    london = datetime(2027, 3, 27, 10, 0, tzinfo=tz.gettz("Europe/London"))
    assert parse("x sun 1:30am", london).due == "2027-03-28T02:30:00+01:00"


# ---------------------------------------------------------------- unreadable dates


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("Meet on feb 30", 'could not read the date "feb 30"'),
        ("Meet feb 30", 'could not read the date "feb 30"'),
        ("Meet dec 32", 'could not read the date "dec 32"'),
        ("Meet feb 29 2027", 'could not read the date "feb 29 2027"'),
        ("Meet 2026-13-45", 'could not read the date "2026-13-45"'),
        ("Meet 2026-02-30", 'could not read the date "2026-02-30"'),
        ("Meet 2026-1-5", 'could not read the date "2026-1-5"'),
        ("Meet 2026-12-01T25:00", 'could not read the date "2026-12-01T25:00"'),
        ("Meet in 999999 years", 'could not read the date "in 999999 years"'),
        ("Meet 25:00", 'could not read the time "25:00"'),
        ("Meet 13pm", 'could not read the time "13pm"'),
        ("Meet 0am", 'could not read the time "0am"'),
        ("Meet at 3:75pm", 'could not read the time "3:75pm"'),
        ("Meet 12/05", 'ambiguous date "12/05"'),
        ("Meet 1/2/2027", 'ambiguous date "1/2/2027"'),
    ],
)
def test_unreadable_dates_stay_in_the_title_with_a_problem(text, problem):
    result = parse(text)
    assert result.title == text
    assert result.due is None
    assert len(result.problems) == 1 and result.problems[0].startswith(problem)
    assert [token.kind for token in result.tokens] == ["title"]


def test_an_unreadable_time_after_a_date_leaves_the_date():
    result = parse("Meet fri 25:00")
    assert (result.title, result.due) == ("Meet 25:00", "2026-11-27")
    assert result.problems == ['could not read the time "25:00"']


# ---------------------------------------------------------------- titles keep their words


@pytest.mark.parametrize(
    "text",
    [
        "Call 3 suppliers",
        "Book 2 flights",
        "May newsletter",
        "March madness planning",
        "Read chapter 3",
        "Look in 3 boxes",
        "Check every box",
        "Plan next steps",
        "Plan this week's menu",
        "Buy sun cream",
        "Sat exam prep",
        "Wed planner order",
        "Write weekly report",
        "Send monthly newsletter",
        "daily standup notes",
        "24/7 support rota",
        "50/50 raffle",
        "Learn C# basics",
        "Reply to bob@example.com",
        "Close issue #123",
        "Clean ~/Downloads",
        "Approx ~ value",
        "Urgent!!! !important",
        "@ and # and ! and ~",
        "[bold red]x[/] & <b>\"quoted\"</b> 'single'",
        "ünïcödé — 日本語 🎉 emoji",
        "Order dec 5th, things",
        "Call bob tomorrow.",
        "Ping @bob, then @carol.",
        "Score 2:1 win",
        "every 3 apples",
        "Sit by the window",
        "Look at the 9 things",
        "Things due soon",
    ],
)
def test_ordinary_titles_are_kept_whole(text):
    result = parse(text)
    assert result.title == text
    assert (result.due, result.recurrence, result.estimate_minutes) == (None, None, None)
    assert (result.tags, result.assignee, result.lane) == ([], None, None)
    assert result.problems == []
    assert result.tokens == [Token("title", text, 0, len(text))]


def test_markup_and_unicode_survive_around_tokens():
    text = '[bold red]x[/] & "quotes" ünï 🎉 tomorrow <tag> C# bob@example.com #real'
    result = parse(text)
    assert result.title == '[bold red]x[/] & "quotes" ünï 🎉 <tag> C# bob@example.com'
    assert (result.due, result.tags, result.assignee) == ("2026-11-24", ["real"], None)
    check_tokens(text, result)


def test_whitespace_runs_collapse_to_single_spaces():
    text = "  Call \t bob\u00a0\u00a0now   tomorrow  \n"
    result = parse(text)
    assert (result.title, result.due) == ("Call bob now", "2026-11-24")
    check_tokens(text, result)


def test_control_characters_are_removed_from_the_title_only():
    text = "Call\x1b[31m bob\x07 tomorrow"
    result = parse(text)
    assert result.title == clean_text("Call\x1b[31m bob\x07")  # the model's own cleaning
    assert "\x1b" not in result.title and "\x07" not in result.title
    assert result.tokens[0].text == "Call\x1b[31m bob\x07"


# ---------------------------------------------------------------- soft words


@pytest.mark.parametrize(
    ("text", "title", "due", "rule"),
    [
        ("Call bob sun", "Call bob", "2026-11-29", None),
        ("Call bob sun #x", "Call bob", "2026-11-29", None),
        ("Brunch sat 9am with mum", "Brunch with mum", "2026-11-28T09:00:00+01:00", None),
        ("Brunch on sat with mum", "Brunch with mum", "2026-11-28", None),
        ("Sat exam prep", "Sat exam prep", None, None),
        ("Pay rent monthly", "Pay rent", "2026-11-23", "FREQ=MONTHLY"),
        ("Pay rent monthly @bob", "Pay rent", "2026-11-23", "FREQ=MONTHLY"),
        ("Review finances weekly", "Review finances", "2026-11-23", "FREQ=WEEKLY"),
        ("Water plants daily", "Water plants", "2026-11-23", "FREQ=DAILY"),
        ("File taxes yearly", "File taxes", "2026-11-23", "FREQ=YEARLY"),
        ("Check audit annually", "Check audit", "2026-11-23", "FREQ=YEARLY"),
        ("Clean fridge fortnightly", "Clean fridge", "2026-11-23", "FREQ=WEEKLY;INTERVAL=2"),
        ("weekly sun", "weekly sun", "2026-11-29", "FREQ=WEEKLY"),  # no title word follows
        ("Write weekly report sun", "Write weekly report", "2026-11-29", None),
    ],
)
def test_soft_words_count_only_at_the_end(text, title, due, rule):
    result = parse(text)
    assert (result.title, result.due, result.recurrence) == (title, due, rule)


# ---------------------------------------------------------------- estimates


@pytest.mark.parametrize(
    ("text", "minutes"),
    [
        ("x ~15m", 15),
        ("x ~1.5h", 90),
        ("x ~1,5h", 90),
        ("x ~2h30m", 150),
        ("x ~2h30", 150),
        ("x ~90m", 90),
        ("x ~1h", 60),
        ("x ~45min", 45),
        ("x ~45mins", 45),
        ("x ~2hrs", 120),
        ("x ~1hour", 60),
        ("x ~0.25h", 15),
        ("x ~15M", 15),
    ],
)
def test_estimates(text, minutes):
    result = parse(text)
    assert (result.title, result.estimate_minutes, result.problems) == ("x", minutes, [])


@pytest.mark.parametrize("word", ["~abc", "~30", "~0m", "~15x", "~h", "~1.5.5h", "~99999h"])
def test_unreadable_estimates_stay_in_the_title(word):
    result = parse(f"x {word}")
    assert result.title == f"x {word}"
    assert result.estimate_minutes is None
    assert result.problems == [f'could not read the estimate "{word}"']


@pytest.mark.parametrize(
    ("text", "minutes"),
    [("25h", 1500), ("90m", 90), ("1h30m", 90), ("~1.5h", 90), (" 2h30 ", 150), ("0m", 0),
     ("30", None), ("", None), ("abc", None), ("1h30m15m", None)],
)
def test_parse_duration(text, minutes):
    assert parse_duration(text) == minutes


# ---------------------------------------------------------------- repeats


@pytest.mark.parametrize(
    ("text", "rule", "due"),
    [
        ("x every day", "FREQ=DAILY", "2026-11-23"),
        ("x every weekday", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "2026-11-23"),
        ("x every weekend", "FREQ=WEEKLY;BYDAY=SA,SU", "2026-11-28"),
        ("x every week", "FREQ=WEEKLY", "2026-11-23"),
        ("x every month", "FREQ=MONTHLY", "2026-11-23"),
        ("x every year", "FREQ=YEARLY", "2026-11-23"),
        ("x every monday", "FREQ=WEEKLY;BYDAY=MO", "2026-11-23"),
        ("x every Mondays", "FREQ=WEEKLY;BYDAY=MO", "2026-11-23"),
        ("x every fri", "FREQ=WEEKLY;BYDAY=FR", "2026-11-27"),
        ("x every sun", "FREQ=WEEKLY;BYDAY=SU", "2026-11-29"),
        ("x every 2 weeks", "FREQ=WEEKLY;INTERVAL=2", "2026-11-23"),
        ("x every 3 days", "FREQ=DAILY;INTERVAL=3", "2026-11-23"),
        ("x every 6 months", "FREQ=MONTHLY;INTERVAL=6", "2026-11-23"),
        ("x every other week", "FREQ=WEEKLY;INTERVAL=2", "2026-11-23"),
        ("x every other fri", "FREQ=WEEKLY;INTERVAL=2;BYDAY=FR", "2026-11-27"),
        ("x every tue,thu", "FREQ=WEEKLY;BYDAY=TU,TH", "2026-11-24"),
        ("x every tue, thu", "FREQ=WEEKLY;BYDAY=TU,TH", "2026-11-24"),
        ("x every tue and thu", "FREQ=WEEKLY;BYDAY=TU,TH", "2026-11-24"),
        ("x every thu,tue,thu", "FREQ=WEEKLY;BYDAY=TU,TH", "2026-11-24"),
        ("x daily", "FREQ=DAILY", "2026-11-23"),
        ("x weekly", "FREQ=WEEKLY", "2026-11-23"),
        ("x monthly", "FREQ=MONTHLY", "2026-11-23"),
        ("x yearly", "FREQ=YEARLY", "2026-11-23"),
        # With a due, the due is kept; with a time, the first time from now.
        ("x every month dec 5", "FREQ=MONTHLY", "2026-12-05"),
        ("x every monday 9am", "FREQ=WEEKLY;BYDAY=MO", "2026-11-30T09:00:00+01:00"),
        ("x every monday 11am", "FREQ=WEEKLY;BYDAY=MO", "2026-11-23T11:00:00+01:00"),
        ("x every day at 9am", "FREQ=DAILY", "2026-11-24T09:00:00+01:00"),
        ("x every fri 9am", "FREQ=WEEKLY;BYDAY=FR", "2026-11-27T09:00:00+01:00"),
    ],
)
def test_repeats(text, rule, due):
    result = parse(text)
    assert (result.title, result.recurrence, result.due, result.problems) == ("x", rule, due, [])
    assert validate_rrule(result.recurrence) == rule


def test_a_repeat_without_a_due_starts_on_its_first_day():
    assert parse("x every weekday", SATURDAY).due == "2026-11-30"
    assert parse("x every mon", FRIDAY).due == "2026-11-30"


@pytest.mark.parametrize("text", ["x every 0 days", "x every 5000 weeks"])
def test_unreadable_repeats_stay_in_the_title(text):
    result = parse(text)
    assert (result.title, result.recurrence) == (text, None)
    assert result.problems == [f'could not read the repeat "{text[2:]}"']


@pytest.mark.parametrize("text", ["x every mon, cream", "x every other weekday", "x every"])
def test_half_repeats_stay_in_the_title_quietly(text):
    result = parse(text)
    assert (result.title, result.recurrence, result.problems) == (text, None, [])


# ---------------------------------------------------------------- assignee, tags, lane


@pytest.mark.parametrize(
    ("text", "assignee"),
    [("x @bob", "bob"), ("x @Bob.Smith", "Bob.Smith"), ("x @ana_m", "ana_m"), ("x @zoë", "zoë")],
)
def test_assignee(text, assignee):
    result = parse(text)
    assert (result.title, result.assignee, result.problems) == ("x", assignee, [])


def test_a_second_assignee_is_a_problem_and_stays_in_the_title():
    result = parse("x @bob @carol")
    assert (result.title, result.assignee) == ("x @carol", "bob")
    assert result.problems == ['only one assignee: "@carol" stays in the title']


def test_tags_are_lower_cased_and_deduplicated():
    result = parse("x #Admin #billing/q4 #a-b_c #ADMIN #2026-plan #café")
    assert result.title == "x"
    assert result.tags == ["admin", "billing/q4", "a-b_c", "2026-plan", "café"]


@pytest.mark.parametrize(
    ("word", "lane"),
    [("!task", "task"), ("!va", "task"), ("!ops", "ops"), ("!om", "ops"), ("!OPS", "ops"),
     ("!keep", "keep"), ("!mine", "keep"), ("!me", "keep")],
)
def test_lanes(word, lane):
    result = parse(f"x {word}")
    assert (result.title, result.lane, result.problems) == ("x", lane, [])


def test_lane_conflicts_and_repeats():
    assert parse("x !ops !om").lane == "ops"
    assert parse("x !ops !om").problems == []
    result = parse("x !ops !keep")
    assert (result.title, result.lane) == ("x !keep", "ops")
    assert result.problems == ['a second, different lane: "!keep" stays in the title']
    assert parse("x !urgent").title == "x !urgent"


@pytest.mark.parametrize(
    ("text", "title", "problem"),
    [
        ("x fri dec 5", "x dec 5", 'only one due date: "dec 5" stays in the title'),
        ("x 3pm 4pm", "x 4pm", 'only one due time: "4pm" stays in the title'),
        ("x fri 9am sat 10am", "x sat 10am", 'only one due date: "sat 10am" stays in the title'),
        ("x ~1h ~2h", "x ~2h", 'only one estimate: "~2h" stays in the title'),
        ("x every day weekly", "x weekly", 'only one repeat: "weekly" stays in the title'),
    ],
)
def test_duplicates_stay_in_the_title(text, title, problem):
    result = parse(text)
    assert result.title == title
    assert result.problems == [problem]


def test_a_separate_date_and_time_combine():
    result = parse("fri call bob 9am")
    assert (result.title, result.due) == ("call bob", "2026-11-27T09:00:00+01:00")


# ---------------------------------------------------------------- nothing left, too long


@pytest.mark.parametrize("text", ["tomorrow", "#admin @bob", "every monday 9am", "  fri  "])
def test_when_everything_is_consumed_the_title_is_the_whole_text(text):
    result = parse(text)
    assert result.title == " ".join(text.split())
    assert result.problems == []
    assert all(token.kind != "title" for token in result.tokens)


@pytest.mark.parametrize("text", ["", "   ", "\t\n"])
def test_a_blank_text_gives_an_empty_title_and_a_problem(text):
    result = parse(text)
    assert result.title == ""
    assert result.problems == ["there is nothing to add: the text is empty"]


def test_a_megabyte_line_is_read_without_raising():
    text = ("word tomorrow ~15m #tag " * 50_000)[:1_000_000]
    result = parse(text)
    assert len(result.title) <= MAX_TITLE_CHARS
    assert any("only the start was read" in problem for problem in result.problems)
    assert any(f"cut to {MAX_TITLE_CHARS}" in problem for problem in result.problems)
    check_tokens(text[: max(token.end for token in result.tokens)], result)


def test_a_megabyte_word_is_read_without_raising():
    result = parse("x" * 1_000_000)
    assert result.title == "x" * MAX_TITLE_CHARS


def test_a_naive_now_is_read_as_local_time():
    result = parse("x fri 9am", datetime(2026, 11, 23, 10, 0))
    assert result.due == "2026-11-27T09:00:00+00:00"


# ---------------------------------------------------------------- properties

# Ordinary words can never be part of a token. Bare numbers are left out on purpose: "3 dec"
# is a date, so a number next to a month is rightly read (see the concrete title tests).
ORDINARY = [
    "Call", "suppliers", "v2", "3rd-party", "Book", "flights", "[bold]", "[/]", "&", '"quoted"',
    "C#", "bob@example.com", "ünï", "🎉", "#123", "~/tmp", "!!", "24/7", "—", "x", "report", "(ok)",
]  # fmt: skip
SYNTAX = [
    "tomorrow", "fri", "next week", "in 3 days", "~15m", "~abc", "#admin", "#Billing", "@bob",
    "@carol", "!ops", "!keep", "every monday", "every 2 weeks", "dec 5", "feb 30", "3pm",
    "at 9am", "eow", "2026-12-01", "2026-13-45", "12/05", "weekly", "sun", "on", "by", "every",
    "in", "next", "may", "25:00",
]  # fmt: skip


@settings(max_examples=300, deadline=None)
@given(st.lists(st.sampled_from(ORDINARY + SYNTAX), max_size=14))
def test_ordinary_words_are_never_lost(words):
    text = " ".join(words)
    result = parse(text)
    check_tokens(text, result)
    kept = [t.text for t in result.tokens if t.kind == "title"]
    if not kept:  # everything was understood: the title is the whole text
        assert result.title == text.strip()
        return
    assert result.title.split() == " ".join(kept).split()
    title_spans = [(t.start, t.end) for t in result.tokens if t.kind == "title"]
    position = 0
    for word in words:  # every ordinary word lies inside a title token, in its place
        if word in ORDINARY:
            assert any(lo <= position and position + len(word) <= hi for lo, hi in title_spans)
        position += len(word) + 1
    ordinary = Counter(word for word in words if word in ORDINARY)
    in_title = Counter(result.title.split())
    assert all(in_title[word] >= count for word, count in ordinary.items())


@settings(max_examples=300, deadline=None)
@given(st.text(max_size=200))
def test_parsing_never_raises(text):
    result = parse(text)
    check_tokens(text, result)
    assert isinstance(result.title, str) and "\x1b" not in result.title
    assert all(isinstance(problem, str) and problem for problem in result.problems)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet=st.sampled_from("0123456789:-/~@#!amphdecfriT ,.") , max_size=40))
def test_parsing_syntax_like_junk_never_raises(text):
    result = parse(text)
    check_tokens(text, result)
    if result.due:
        assert len(result.due) in (10, 25)
    if result.recurrence:
        assert validate_rrule(result.recurrence) == result.recurrence


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("water plants every blursday", 'could not read the repeat "every blursday"'),
        ("call mum every thrusday", 'could not read the repeat "every thrusday"'),
        ("pay rent every 3 mnoths", 'could not read the repeat "every 3 mnoths"'),
    ],
)
def test_a_misspelt_repeat_stays_in_the_title_and_is_pointed_out(text, problem):
    parsed = parse_quick_add(text, MONDAY)
    assert parsed.title == text
    assert parsed.recurrence is None
    assert parsed.problems == [problem]


@pytest.mark.parametrize("text", ["check every invoice", "every holiday card", "every birthday"])
def test_every_before_an_ordinary_word_is_just_english(text):
    parsed = parse_quick_add(text, MONDAY)
    assert (parsed.title, parsed.recurrence, parsed.problems) == (text, None, [])
