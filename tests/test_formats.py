"""Import and export formats: todo.txt, CSV, triage JSON, Taskwarrior export JSON."""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import fields
from datetime import datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from triage_tui.domain.model import Item, clean_text
from triage_tui.formats import (
    MAX_IMPORT_BYTES,
    ImportIssue,
    export_items,
    guess_format,
    parse_import,
    strip_escapes,
)
from triage_tui.formats.csv_format import EXPORT_COLUMNS, protect_cell, unprotect_cell
from triage_tui.formats.recur import rrule_to_todotxt, taskwarrior_rrule, todotxt_rrule

FIXTURES = Path(__file__).parent / "fixtures"
NOW = datetime(2026, 11, 23, 12, 0, tzinfo=ZoneInfo("Etc/UTC"))
TRICKY_TITLES = [
    'Say "hi" & <b>bye</b>',
    "[bold]not bold[/bold] [link=http://x]y[/link]",
    "Café façade — nettoyer 🧽 日本語 עברית",
    "100% of $5 \\ back/slash; semi, comma",
]


def parse(text: str | bytes, fmt: str | None = None, filename: str | None = None):
    """parse_import with the test clock."""
    data = text.encode() if isinstance(text, str) else text
    return parse_import(data, fmt, filename, NOW)


def one(text: str, fmt: str) -> dict:
    """The single item of a one-item import that must have no errors."""
    result = parse(text, fmt)
    assert result.errors == []
    assert len(result.items) == 1
    return result.items[0]


def lines_of(result) -> list[int]:
    return [error.line for error in result.errors]


# ---------------------------------------------------------------- todo.txt


def test_todotxt_done_line_with_everything() -> None:
    line = (
        "x 2026-11-20 2026-11-01 Call Mom +Family @phone due:2026-11-30 est:30m lane:ops "
        "rec:1w assignee:alice"
    )
    item = one(line, "todotxt")
    assert item == {
        "title": "Call Mom",
        "notes": "",
        "lane": "ops",
        "lane_source": "import",
        "status": "done",
        "due": "2026-11-30",
        "estimate_minutes": 30,
        "recurrence": "FREQ=WEEKLY",
        "tags": ["Family", "@phone"],
        "assignee": "alice",
        "completed_at": "2026-11-20",
        "created_at": "2026-11-01",
    }
    assert "id" not in item


def test_todotxt_priority_becomes_first_tag() -> None:
    item = one("(A) 2026-11-01 Thank Mom for the meatballs @phone", "todotxt")
    assert item["title"] == "Thank Mom for the meatballs"
    assert item["tags"] == ["pri:A", "@phone"]
    assert item["created_at"] == "2026-11-01"
    assert item["status"] == "open"


def test_todotxt_things_that_only_look_like_markers_stay_in_the_title() -> None:
    item = one("(a) xylophone lesson + @ a+b me@example.com", "todotxt")
    assert item["title"] == "(a) xylophone lesson + @ a+b me@example.com"
    assert item["tags"] == []
    assert one("x", "todotxt")["title"] == "x"


def test_todotxt_unknown_and_not_understood_key_values_stay_in_the_title() -> None:
    item = one("Read http://example.com/guide t:2026-12-01 due:friday rec:2b est:soon", "todotxt")
    assert item["title"] == "Read http://example.com/guide t:2026-12-01 due:friday rec:2b est:soon"
    assert (item["due"], item["recurrence"], item["estimate_minutes"]) == (None, None, None)


@pytest.mark.parametrize(
    ("value", "rule"),
    [
        ("1w", "FREQ=WEEKLY"),
        ("+2d", "FREQ=DAILY;INTERVAL=2"),
        ("3m", "FREQ=MONTHLY;INTERVAL=3"),
        ("y", "FREQ=YEARLY"),
        ("1b", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("FREQ=MONTHLY;BYMONTHDAY=-1", "FREQ=MONTHLY;BYMONTHDAY=-1"),
        ("2b", None),
        ("0w", None),
        ("weekly", None),
    ],
)
def test_todotxt_rec_values(value: str, rule: str | None) -> None:
    assert todotxt_rrule(value) == rule


@pytest.mark.parametrize(
    ("value", "minutes"), [("est:30m", 30), ("est:1.5h", 90), ("estimate:45", 45)]
)
def test_todotxt_estimates(value: str, minutes: int) -> None:
    assert one(f"Do it {value}", "todotxt")["estimate_minutes"] == minutes


def test_todotxt_due_with_a_time_is_kept_aware() -> None:
    assert (
        one("Call due:2026-11-30T17:00:00+01:00", "todotxt")["due"] == "2026-11-30T17:00:00+01:00"
    )
    assert one("Call due:2026-11-30T17:00", "todotxt")["due"] == "2026-11-30T17:00:00+00:00"


def test_todotxt_errors_carry_the_file_line_and_blank_lines_count() -> None:
    text = (
        "First\n"
        "\n"
        "Renew domain due:2026-02-30\n"
        "2026-13-01 Bad creation date\n"
        "Sort lane:nowhere\n"
        "+onlytags @andcontexts\n"
        "x 2026-02-29 Not a leap year\n"
        "Last status:dropped\n"
    )
    result = parse(text, "todotxt")
    assert [item["title"] for item in result.items] == ["First", "Last"]
    assert result.items[1]["status"] == "dropped"
    assert lines_of(result) == [3, 4, 5, 6, 7]
    assert "due '2026-02-30' is not a real date" in result.errors[0].message
    assert str(result.errors[0]).startswith("line 3: ")
    assert all("\n" not in error.message for error in result.errors)


def test_todotxt_fixture_file() -> None:
    result = parse((FIXTURES / "todo.txt").read_bytes(), None, "todo.txt")
    assert result.format == "todotxt"
    assert len(result.items) == 8
    assert lines_of(result) == [9]
    by_title = {item["title"]: item for item in result.items}
    accountant = by_title["Call the accountant about Q4"]
    assert accountant["tags"] == ["pri:A", "Finance"]
    assert (accountant["due"], accountant["estimate_minutes"], accountant["lane"]) == (
        "2026-11-30",
        30,
        "ops",
    )
    review = by_title["Review Tim's pull request"]
    assert review["status"] == "done"
    assert review["tags"] == ["TodoTxtTouch", "@github", "pri:B"]
    assert by_title["Pay rent"]["recurrence"] == "FREQ=MONTHLY"
    assert by_title["Eskimo pies"]["tags"] == ["@GroceryStore"]


# ---------------------------------------------------------------- CSV


def test_csv_good_rows_with_every_column() -> None:
    text = (
        "id,Title,lane,status,due,estimate_minutes,recurrence,tags,assignee,claimed_by,notes,"
        "created_at,completed_at\n"
        "abc123,Send invoice,task,done,2026-11-30,30,FREQ=WEEKLY,billing clients,@alice,bob,"
        '"line one\nline two",2026-11-01T09:00:00+01:00,2026-11-20T10:00:00+00:00\n'
    )
    item = one(text, "csv")
    assert item == {
        "title": "Send invoice",
        "notes": "line one\nline two",
        "lane": "task",
        "lane_source": "import",
        "status": "done",
        "due": "2026-11-30",
        "estimate_minutes": 30,
        "recurrence": "FREQ=WEEKLY",
        "tags": ["billing", "clients"],
        "assignee": "alice",
        "completed_at": "2026-11-20T10:00:00+00:00",
        "created_at": "2026-11-01T09:00:00+01:00",
        "claimed_by": "bob",
        "claimed_at": "2026-11-23T12:00:00+00:00",
    }


def test_csv_spreadsheet_fixture_bom_crlf_multiline_and_aliases() -> None:
    result = parse((FIXTURES / "spreadsheet.csv").read_bytes(), None, "export.csv")
    assert result.format == "csv"
    titles = [item["title"] for item in result.items]
    assert titles == [
        "Send invoice to ACME & Co",
        'Choose a CRM "properly"',
        '=HYPERLINK("http://evil")',
    ]
    first, second = result.items[0], result.items[1]
    assert first["notes"] == "First line\nsecond line, with a comma"
    assert (first["due"], first["estimate_minutes"], first["lane"]) == ("2026-11-30", 90, "task")
    assert first["tags"] == ["billing", "clients"]
    assert (second["due"], second["estimate_minutes"], second["lane"]) == ("2026-11-30", 45, "ops")
    assert second["tags"] == ["ops", "tools"]
    # The record on line 6 comes after a two-line record: the line is the file's line.
    assert lines_of(result) == [6]
    assert "ambiguous" in result.errors[0].message


def test_csv_missing_title_column_is_one_error_on_line_1() -> None:
    result = parse("name,due\nx,2026-11-30\ny,\n", "csv")
    assert result.items == []
    assert result.errors == [ImportIssue(1, "no title column (title, task or description)")]


@pytest.mark.parametrize("column", ["title", "Task", " DESCRIPTION "])
def test_csv_title_column_names(column: str) -> None:
    assert one(f"{column},due\nPay rent,\n", "csv")["title"] == "Pay rent"


def test_csv_bad_rows_report_their_start_line() -> None:
    text = (
        "title,lane,due,estimate,notes\n"  # 1
        "Fine,va,,,\n"  # 2
        ',ops,,,"empty title\nover two lines"\n'  # 3-4
        "Bad lane,sales,,,\n"  # 5
        "Bad date,,2026-02-30,,\n"  # 6
        "Bad estimate,,,soon,\n"  # 7
        "Too few,,\n"  # 8
        ",,,,\n"  # 9: an empty spreadsheet row is skipped
        '"Multi\nline title",mine,,,\n'  # 10-11
        "Too,many,cells,in,this,row\n"  # 12
        "Last,om,,-5,\n"  # 13
    )
    result = parse(text, "csv")
    assert [item["title"] for item in result.items] == ["Fine", "Multi line title"]
    assert result.items[1]["lane"] == "keep"
    assert lines_of(result) == [3, 5, 6, 7, 8, 12, 13]
    messages = [error.message for error in result.errors]
    assert messages[0] == "empty title"
    assert "unknown lane 'sales'" in messages[1]
    assert "not a real date" in messages[2]
    assert "estimate 'soon'" in messages[3]
    assert messages[4] == "3 cells where the header has 5"


@pytest.mark.parametrize(
    ("cell", "due"),
    [
        ("2026-11-30", "2026-11-30"),
        ("30 Nov 2026", "2026-11-30"),
        ("November 30, 2026", "2026-11-30"),
        ("13/04/2026", "2026-04-13"),
        ("2026-11-30 17:00", "2026-11-30T17:00:00+00:00"),
        ("2026-11-30T17:00:00-05:00", "2026-11-30T17:00:00-05:00"),
        ("11/30/2026 5pm", "2026-11-30T17:00:00+00:00"),
        ("2026-11-30 5pm", "2026-11-30T17:00:00+00:00"),
    ],
)
def test_csv_dates_that_read_one_way(cell: str, due: str) -> None:
    assert one(f'title,due\nX,"{cell}"\n', "csv")["due"] == due


@pytest.mark.parametrize(
    ("cell", "words"),
    [
        ("03/04/2026", "ambiguous"),
        ("01/02/03", "ambiguous"),
        ("Nov 30", "not a full date"),
        ("friday", "not a full date"),
        ("tomorrow", "not a date"),
        ("2026-02-30", "not a real date"),
        ("2026-11-30 17:00 EST", "not a date"),
        ("2026-02-30 17:00", "not a real date"),
    ],
)
def test_csv_dates_that_are_refused(cell: str, words: str) -> None:
    result = parse(f"title,due\nX,{cell}\n", "csv")
    assert result.items == []
    assert lines_of(result) == [2]
    assert words in result.errors[0].message


@pytest.mark.parametrize(
    ("cell", "tags"),
    [
        ("a;b c", ["a", "b-c"]),
        ("a, b", ["a", "b"]),
        ("a  b", ["a", "b"]),
        ("#a #b #a", ["a", "b"]),
        ("", []),
    ],
)
def test_csv_tag_separators(cell: str, tags: list[str]) -> None:
    assert one(f'title,tags\nX,"{cell}"\n', "csv")["tags"] == tags


def test_csv_recurrence_accepts_rrule_and_plain_words() -> None:
    assert one("title,recurrence\nX,weekly\n", "csv")["recurrence"] == "FREQ=WEEKLY"
    assert one("title,recurrence\nX,RRULE:freq=monthly\n", "csv")["recurrence"] == "FREQ=MONTHLY"
    result = parse("title,recurrence\nX,whenever\n", "csv")
    assert lines_of(result) == [2]


def test_csv_export_header_and_cells() -> None:
    item = Item(
        id="3f9a2c1b",
        title="Pay rent",
        lane="task",
        due="2026-12-01",
        estimate_minutes=5,
        tags=["home", "@phone"],
        notes="two\nlines",
        created_at="2026-11-01T09:00:00+01:00",
    ).to_dict()
    text = export_items([item], "csv")
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0] == list(EXPORT_COLUMNS)
    assert rows[0] == (
        "id,title,lane,status,due,estimate_minutes,recurrence,tags,assignee,claimed_by,notes,"
        "created_at,completed_at"
    ).split(",")
    assert rows[1] == [
        "3f9a2c1b", "Pay rent", "task", "open", "2026-12-01", "5", "", "home @phone", "", "",
        "two\nlines", "2026-11-01T09:00:00+01:00", "",
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("value", "cell"),
    [
        ("=1+1", "'=1+1"),
        ("+44 20 7946 0000", "'+44 20 7946 0000"),
        ("-2+3", "'-2+3"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("'=x", "''=x"),
        ("''", "'''"),
        ("'Tis the season", "'Tis the season"),
        ("'", "'"),
        ("a=b", "a=b"),
        ("", ""),
    ],
)
def test_csv_formula_cells_are_neutralised_and_read_back(value: str, cell: str) -> None:
    assert protect_cell(value) == cell
    assert unprotect_cell(cell) == value


def test_csv_export_neutralises_a_formula_title_and_round_trips_it() -> None:
    item = Item(id="1", title='=HYPERLINK("http://evil","x")', tags=["@phone"]).to_dict()
    text = export_items([item], "csv")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[1] == '\'=HYPERLINK("http://evil","x")'
    assert row[7] == "'@phone"
    back = one(text, "csv")
    assert (back["title"], back["tags"]) == (item["title"], ["@phone"])


@settings(max_examples=200, deadline=None)
@given(st.text(min_size=1, max_size=60))
def test_csv_any_title_round_trips_exactly(raw: str) -> None:
    title = clean_text(strip_escapes(raw))
    if not title:
        return
    back = parse(export_items([Item(id="1", title=title).to_dict()], "csv"), "csv")
    assert back.errors == []
    assert back.items[0]["title"] == title


# ---------------------------------------------------------------- JSON


def test_json_good_array_and_items_object() -> None:
    entry = {
        "id": "ignored",
        "title": "Choose a CRM",
        "notes": "compare three",
        "lane": "ops",
        "lane_source": "manual",
        "status": "open",
        "due": "2026-12-01T09:00:00+01:00",
        "estimate_minutes": 120,
        "recurrence": None,
        "tags": ["tools"],
        "assignee": "dana",
        "created_at": "2026-11-01T09:00:00+01:00",
        "version": 7,
    }
    expected = {
        "title": "Choose a CRM",
        "notes": "compare three",
        "lane": "ops",
        "lane_source": "import",
        "status": "open",
        "due": "2026-12-01T09:00:00+01:00",
        "estimate_minutes": 120,
        "recurrence": None,
        "tags": ["tools"],
        "assignee": "dana",
        "completed_at": None,
        "created_at": "2026-11-01T09:00:00+01:00",
    }
    assert one(json.dumps([entry]), "json") == expected
    assert one(json.dumps({"items": [entry]}), "json") == expected


def test_json_bad_entries_are_reported_by_position() -> None:
    entries = [
        {"title": "Fine"},
        "not an object",
        {"title": ""},
        {"title": "Bad lane", "lane": "sales"},
        {"title": "Bad status", "status": "finished"},
        {"title": "Bad due", "due": "2026-02-30"},
        {"title": "Negative", "estimate_minutes": -5},
        {"title": "Text estimate", "estimate_minutes": "30"},
        {"title": "Bool estimate", "estimate_minutes": True},
        {"title": "Tags", "tags": "a b"},
        {"title": 42},
        {"title": "Bad rule", "recurrence": "every day"},
        {"title": "Also fine", "due": "2026-12-01"},
    ]
    result = parse(json.dumps(entries), "json")
    assert [item["title"] for item in result.items] == ["Fine", "Also fine"]
    assert lines_of(result) == list(range(2, 13))
    assert {error.unit for error in result.errors} == {"item"}
    assert str(result.errors[0]) == "item 2: not an object"
    assert result.errors[1].message == "title must be a non-empty string"


def test_json_not_an_array_and_not_json() -> None:
    assert parse('{"title": "x"}', "json").errors[0].message.startswith("JSON must be an array")
    broken = parse('[\n  {"title": "x"},\n  oops\n]', "json")
    assert broken.items == []
    assert broken.errors == [ImportIssue(3, "not valid JSON: Expecting value")]


def test_json_export_has_every_contract_field_in_model_order() -> None:
    item = Item(id="3f9a2c1b", title="Pay rent", tags=["home"], lane="task").to_dict()
    shuffled = dict(reversed(list(item.items())))
    exported = json.loads(export_items([shuffled], "json"))
    assert list(exported[0]) == [field.name for field in fields(Item)]
    assert exported[0] == item
    assert export_items([shuffled], "json") == export_items([item], "json")


# ---------------------------------------------------------------- Taskwarrior


@pytest.fixture(scope="module")
def taskwarrior_raw() -> list[dict]:
    return json.loads((FIXTURES / "taskwarrior_export.json").read_text())


@pytest.fixture(scope="module")
def taskwarrior() -> dict[str, dict]:
    data = (FIXTURES / "taskwarrior_export.json").read_bytes()
    result = parse_import(data, None, "taskwarrior_export.json", NOW)
    assert result.format == "taskwarrior"
    assert result.errors == []
    titles = [item["title"] for item in result.items]
    assert len(titles) == len(set(titles))
    return {item["title"]: item for item in result.items}


def _uuid(raw: list[dict], description: str, status: str | None = None) -> str:
    return next(
        task["uuid"]
        for task in raw
        if task["description"] == description and status in (None, task["status"])
    )


def test_taskwarrior_fixture_gives_one_item_per_task_and_per_series(taskwarrior_raw, taskwarrior):
    # 6 plain tasks and 3 recurring parents, each with instances taskwarrior generated.
    statuses = [task["status"] for task in taskwarrior_raw if "parent" not in task]
    assert sorted(statuses).count("recurring") == 3 and len(statuses) == 9
    assert {task["parent"] for task in taskwarrior_raw if "parent" in task} == {
        task["uuid"] for task in taskwarrior_raw if task["status"] == "recurring"
    }
    assert len(taskwarrior) == 9
    assert list(taskwarrior)[:3] == [
        "Send invoice to ACME & Co",
        "Review [bold]quarterly[/bold] KPIs <draft>",
        "Renew domain example.com",
    ]
    assert {item["lane_source"] for item in taskwarrior.values()} == {"import"}
    assert {item["lane"] for item in taskwarrior.values()} == {"unsorted"}


def test_taskwarrior_pending_task_fields(taskwarrior_raw, taskwarrior) -> None:
    item = taskwarrior["Send invoice to ACME & Co"]
    assert item["status"] == "open"
    assert item["due"] == "2026-11-30T17:00:00+00:00"
    assert item["tags"] == ["Billing", "clients", "invoice", "pri:H"]
    lines = item["notes"].split("\n")
    assert len(lines) == 3
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}: Use the new template", lines[0])
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}: Ask Dana for the PO number", lines[1])
    assert lines[2] == "taskwarrior:" + _uuid(taskwarrior_raw, "Send invoice to ACME & Co")
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00", item["created_at"])


def test_taskwarrior_scheduled_wait_markup_and_unicode(taskwarrior) -> None:
    review = taskwarrior["Review [bold]quarterly[/bold] KPIs <draft>"]
    assert review["notes"].split("\n")[0] == "scheduled: 2026-12-01"
    assert review["tags"] == ["Ops.Reporting", "pri:L"]
    assert review["due"] is None
    waiting = taskwarrior["Renew domain example.com"]
    assert (waiting["status"], waiting["due"]) == ("open", "2026-12-20")
    assert waiting["notes"].split("\n")[0] == "waiting until: 2026-12-10"
    assert taskwarrior["Café façade — nettoyer 🧽"]["due"] == "2026-12-02"


def test_taskwarrior_completed_and_deleted(taskwarrior_raw, taskwarrior) -> None:
    done = taskwarrior["Book flights to Lisbon"]
    end = next(task["end"] for task in taskwarrior_raw if task["description"] == done["title"])
    assert done["status"] == "done"
    assert done["completed_at"] == datetime.strptime(end, "%Y%m%dT%H%M%S%z").isoformat()
    assert done["tags"] == ["Travel"]  # project Travel and tag travel are one tag
    dropped = taskwarrior["Old idea nobody wants"]
    assert (dropped["status"], dropped["completed_at"]) == ("dropped", None)


def test_taskwarrior_recurring_series_collapse(taskwarrior_raw, taskwarrior) -> None:
    payroll = taskwarrior["Weekly payroll check"]
    assert payroll["status"] == "open"
    assert payroll["recurrence"] == "FREQ=WEEKLY"
    # The 16 Nov instance was completed: the earliest still-pending instance is 23 Nov.
    assert payroll["due"] == "2026-11-23"
    assert payroll["tags"] == ["Billing", "payroll", "pri:M"]
    parent = _uuid(taskwarrior_raw, "Weekly payroll check", "recurring")
    assert payroll["notes"] == f"taskwarrior:{parent}"
    plants = taskwarrior["Water the office plants"]
    assert plants["recurrence"] == "FREQ=WEEKLY;INTERVAL=2;UNTIL=20270601T000000"
    assert plants["due"] == "2026-11-25T09:00:00+00:00"
    support = taskwarrior["Check the support inbox"]
    assert support["recurrence"] == "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"
    assert support["due"] == "2026-11-24"


def test_taskwarrior_times_follow_the_zone_of_now(taskwarrior_raw) -> None:
    kolkata = datetime(2026, 11, 23, 12, tzinfo=ZoneInfo("Asia/Kolkata"))
    data = json.dumps(taskwarrior_raw).encode()
    items = {i["title"]: i for i in parse_import(data, "taskwarrior", None, kolkata).items}
    assert items["Send invoice to ACME & Co"]["due"] == "2026-11-30T22:30:00+05:30"
    # UTC midnight is not local midnight there, so the instant is kept with its time.
    assert items["Renew domain example.com"]["due"] == "2026-12-20T05:30:00+05:30"
    fixed = datetime(2026, 11, 23, 12, tzinfo=timezone(timedelta(hours=-5)))
    items = {i["title"]: i for i in parse_import(data, "taskwarrior", None, fixed).items}
    assert items["Send invoice to ACME & Co"]["due"] == "2026-11-30T12:00:00-05:00"


def _tw(**fields) -> dict:
    return {"uuid": "u-1", "entry": "20261120T100000Z", "status": "pending", **fields}


def test_taskwarrior_bad_entries_are_reported_by_position() -> None:
    entries = [
        _tw(description="Fine"),
        "not an object",
        _tw(),
        _tw(description="Bad due", due="tomorrow"),
        _tw(description="Bad status", status="someday"),
        _tw(description="Bad tags", tags="a,b"),
        _tw(description="Bad annotation", annotations=[{"entry": "20261120T100000Z"}]),
        _tw(description="Bad entry", entry="2026-13-45"),
        _tw(description="Also fine", status="waiting", wait="20261201T000000Z"),
    ]
    result = parse(json.dumps(entries), "taskwarrior")
    assert [item["title"] for item in result.items] == ["Fine", "Also fine"]
    assert lines_of(result) == [2, 3, 4, 5, 6, 7, 8]
    assert [error.message for error in result.errors][:3] == [
        "not an object",
        "missing description",
        "due 'tomorrow' is not a Taskwarrior date",
    ]
    assert result.items[1]["notes"].split("\n")[0] == "waiting until: 2026-12-01"


def test_taskwarrior_instances_without_their_parent_still_collapse() -> None:
    entries = [
        _tw(uuid="i1", description="Standup", due="20261124T090000Z", recur="daily", parent="p"),
        _tw(uuid="i2", description="Standup", due="20261125T090000Z", recur="daily", parent="p"),
        _tw(uuid="t", description="Hourly ping", recur="hourly", due="20261124T090000Z"),
    ]
    result = parse(json.dumps(entries), "taskwarrior")
    assert result.errors == []
    standup, ping = result.items
    assert (standup["recurrence"], standup["due"]) == ("FREQ=DAILY", "2026-11-24T09:00:00+00:00")
    assert standup["notes"] == "taskwarrior:p"
    assert ping["recurrence"] is None
    assert ping["notes"] == "recur: hourly (no RRULE for it)\ntaskwarrior:t"


@pytest.mark.parametrize(
    ("recur", "rule"),
    [
        ("daily", "FREQ=DAILY"),
        ("weekdays", "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR"),
        ("weekly", "FREQ=WEEKLY"),
        ("biweekly", "FREQ=WEEKLY;INTERVAL=2"),
        ("fortnight", "FREQ=WEEKLY;INTERVAL=2"),
        ("monthly", "FREQ=MONTHLY"),
        ("bimonthly", "FREQ=MONTHLY;INTERVAL=2"),
        ("quarterly", "FREQ=MONTHLY;INTERVAL=3"),
        ("semiannual", "FREQ=MONTHLY;INTERVAL=6"),
        ("yearly", "FREQ=YEARLY"),
        ("annual", "FREQ=YEARLY"),
        ("biannual", "FREQ=YEARLY;INTERVAL=2"),
        ("3d", "FREQ=DAILY;INTERVAL=3"),
        ("2w", "FREQ=WEEKLY;INTERVAL=2"),
        ("2mo", "FREQ=MONTHLY;INTERVAL=2"),
        ("2q", "FREQ=MONTHLY;INTERVAL=6"),
        ("1y", "FREQ=YEARLY"),
        ("P2W", "FREQ=WEEKLY;INTERVAL=2"),
        ("hourly", None),
        ("0d", None),
        ("sometimes", None),
    ],
)
def test_taskwarrior_recur_values(recur: str, rule: str | None) -> None:
    assert taskwarrior_rrule(recur) == rule


# ---------------------------------------------------------------- shared rules


@pytest.mark.parametrize("fmt", ["csv", "json", "todotxt", "taskwarrior", None])
def test_non_utf8_is_one_error(fmt: str | None) -> None:
    result = parse(b"title\nfine\n\xff\xfe broken \x80\n", fmt, "x.csv")
    assert result.items == []
    assert result.errors == [ImportIssue(3, "not UTF-8 text")]


def test_a_bom_is_accepted_in_every_format() -> None:
    bom = b"\xef\xbb\xbf"
    assert parse(bom + b"title,due\nX,2026-11-30\n").items[0]["due"] == "2026-11-30"
    assert parse(bom + b'[{"title": "X"}]').format == "json"
    assert parse(bom + b"(A) X").items[0]["tags"] == ["pri:A"]


def test_inputs_over_50_mb_are_refused() -> None:
    result = parse(b" " * (MAX_IMPORT_BYTES + 1), "todotxt")
    assert result.items == []
    assert result.errors == [ImportIssue(0, "file is over 50 MB; not importing it")]
    assert str(result.errors[0]) == "file is over 50 MB; not importing it"


def test_unknown_formats() -> None:
    assert parse("x", "xml").errors[0].message.startswith("unknown format 'xml'")
    with pytest.raises(ValueError, match="unknown export format"):
        export_items([], "taskwarrior")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\x1b[31mred\x1b[0m", "red"),
        ("\x1b[1;38;5;196mbold\x1b[m", "bold"),
        ("\x1b]0;evil window title\x07Pay", "Pay"),
        ("\x1b]8;;http://evil\x1b\\link\x1b]8;;\x1b\\", "link"),
        ("\x9b2JClear", "Clear"),
        ("\x1bPq#0;2;0;0;0\x1b\\sixel", "sixel"),
        ("\x1b(Bcharset\x1b7\x1b8", "charset"),
        ("bell\x07 and \x00nul", "bell and nul"),
        ("[bold]x[/bold]", "[bold]x[/bold]"),
    ],
)
def test_escape_sequences_are_removed_whole(text: str, expected: str) -> None:
    assert clean_text(strip_escapes(text)) == expected


def test_escape_sequences_never_reach_an_item_in_any_format() -> None:
    evil = "\x1b[31mred\x1b[0m \x1b]0;owned window\x07title"
    csv_text = f'title,notes,tags\n"{evil}","{evil}\n{evil}","{evil}"\n'
    assert one(csv_text, "csv")["title"] == "red title"
    assert one(csv_text, "csv")["notes"] == "red title\nred title"
    assert one(f"{evil} +tag", "todotxt")["title"] == "red title"
    assert one(json.dumps([{"title": evil, "tags": [evil]}]), "json")["tags"] == ["red-title"]
    tw = one(json.dumps([_tw(description=evil)]), "taskwarrior")
    assert tw["title"] == "red title"
    for item in (one(csv_text, "csv"), tw):
        assert not any(char in json.dumps(item) for char in "\x1b\x07\x9b")


# ---------------------------------------------------------------- round trips


def _round_trip_items() -> list[dict]:
    t = TRICKY_TITLES
    items = [
        Item(
            id="a1",
            title=title,
            lane=lane,
            status=status,
            due=due,
            estimate_minutes=estimate,
            recurrence=recurrence,
            tags=tags,
            assignee=assignee,
            created_at="2026-11-01T09:00:00+01:00",
            completed_at="2026-11-20T10:00:00+01:00" if status != "open" else None,
        ).to_dict()
        for title, lane, status, due, estimate, recurrence, tags, assignee in [
            (t[0], "task", "open", "2026-11-30", 30, None, ["pri:A", "billing"], None),
            (t[1], "ops", "done", None, 0, "FREQ=WEEKLY;INTERVAL=2", ["@phone"], "ana"),
            (t[2], "keep", "dropped", "2026-12-01T17:00:00+01:00", None, None, [], None),
            (t[3], "unsorted", "open", None, 90, "FREQ=MONTHLY;BYMONTHDAY=-1", [], None),
            ("Check inbox", "task", "open", "2026-11-24", 10, "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR",
             ["support", "pri:B"], "bo"),
        ]
    ]  # fmt: skip
    items[0]["notes"] = 'first line\nsecond, with a comma and "quotes"'
    items[1]["claimed_by"] = "ana"
    return items


CARRIED = {
    "json": ("title", "notes", "lane", "status", "due", "estimate_minutes", "recurrence", "tags",
             "assignee", "created_at", "completed_at"),
    "csv": ("title", "notes", "lane", "status", "due", "estimate_minutes", "recurrence", "tags",
            "assignee", "claimed_by", "created_at", "completed_at"),
    "todotxt": ("title", "lane", "status", "due", "estimate_minutes", "recurrence", "tags",
                "assignee"),
}  # fmt: skip


@pytest.mark.parametrize("fmt", ["csv", "json", "todotxt"])
def test_export_then_import_keeps_every_field_the_format_carries(fmt: str) -> None:
    items = _round_trip_items()
    result = parse(export_items(items, fmt), None, f"export.{'txt' if fmt == 'todotxt' else fmt}")
    assert result.format == fmt
    assert result.errors == []
    assert len(result.items) == len(items)
    for before, after in zip(items, result.items, strict=True):
        assert {k: before[k] for k in CARRIED[fmt]} == {k: after.get(k) for k in CARRIED[fmt]}


def test_todotxt_export_line_shape_and_dates() -> None:
    items = _round_trip_items()
    lines = export_items(items, "todotxt").splitlines()
    assert lines[0] == (
        '(A) 2026-11-01 Say "hi" & <b>bye</b> +billing due:2026-11-30 est:30m lane:task'
    )
    assert lines[1] == (
        "x 2026-11-20 2026-11-01 [bold]not bold[/bold] [link=http://x]y[/link] @phone est:0m "
        "lane:ops rec:+2w assignee:ana"
    )
    assert lines[2].endswith("due:2026-12-01T17:00:00+01:00 lane:keep status:dropped")
    assert lines[4].endswith("+support pri:B due:2026-11-24 est:10m lane:task rec:+1b assignee:bo")
    back = parse("\n".join(lines), "todotxt").items
    assert [(item.get("created_at"), item["completed_at"]) for item in back][:2] == [
        ("2026-11-01", None),
        ("2026-11-01", "2026-11-20"),
    ]


@pytest.mark.parametrize(
    "rule",
    ["FREQ=DAILY", "FREQ=WEEKLY;INTERVAL=3", "FREQ=MONTHLY", "FREQ=YEARLY;INTERVAL=2",
     "FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR", "FREQ=MONTHLY;BYMONTHDAY=-1",
     "FREQ=WEEKLY;UNTIL=20270601T000000"],
)  # fmt: skip
def test_todotxt_rec_round_trip(rule: str) -> None:
    assert todotxt_rrule(rrule_to_todotxt(rule)) == rule


# ---------------------------------------------------------------- format guessing


@pytest.mark.parametrize(
    ("text", "filename", "expected"),
    [
        ("title,due\nX,\n", "tasks.csv", "csv"),
        ("Buy milk, eggs, bread\n", "tasks.csv", "csv"),
        ("(A) Call Mom\n", "todo.txt", "todotxt"),
        ("title,due\nX,\n", "todo.txt", "todotxt"),
        ('[{"title": "X"}]', "export.json", "json"),
        ('{"items": []}', None, "json"),
        ('[{"uuid": "u", "entry": "20261120T100000Z", "description": "X"}]', None, "taskwarrior"),
        ('[{"uuid": "u", "entry": "20261120T100000Z"}]', "export.json", "taskwarrior"),
        ("broken json", "export.json", "json"),
        ("Title , Due\nX,\n", None, "csv"),
        ("Task,Notes\nX,\n", "download", "csv"),
        ("Buy milk, eggs, bread\n", None, "todotxt"),
        ("[urgent] call the bank\n", None, "todotxt"),
        ("Call Mom @phone\n", None, "todotxt"),
        ("", None, "todotxt"),
    ],
)
def test_format_guessing(text: str, filename: str | None, expected: str) -> None:
    assert guess_format(text, filename) == expected
    assert parse(text, None, filename).format == expected


def test_guessed_taskwarrior_fixture_and_explicit_json_of_it() -> None:
    data = (FIXTURES / "taskwarrior_export.json").read_bytes()
    assert parse_import(data, None, None, NOW).format == "taskwarrior"
    # Read as triage JSON instead it is rejected entry by entry, never half-understood.
    as_json = parse_import(data, "json", None, NOW)
    assert as_json.items == []
    assert len(as_json.errors) == len(json.loads(data))


def test_taskwarrior_deleted_series_is_one_dropped_item() -> None:
    entries = [
        _tw(uuid="p", description="Old report", status="deleted", recur="monthly",
            due="20261101T000000Z", end="20261120T100000Z"),
        _tw(uuid="i1", description="Old report", status="deleted", recur="monthly", parent="p",
            due="20261101T000000Z", end="20261120T100000Z"),
        _tw(uuid="i2", description="Old report", status="completed", recur="monthly", parent="p",
            due="20261001T000000Z", end="20261002T100000Z"),
    ]  # fmt: skip
    result = parse(json.dumps(entries), "taskwarrior")
    assert result.errors == []
    assert len(result.items) == 1
    item = result.items[0]
    assert (item["status"], item["recurrence"], item["due"]) == (
        "dropped",
        "FREQ=MONTHLY",
        "2026-11-01",
    )
    assert item["notes"] == "taskwarrior:p"
