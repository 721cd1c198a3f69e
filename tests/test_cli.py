"""The `triage` command line as a contract: exit codes, exact output, what the database holds.

Most tests call `triage_tui.cli.main([...])` in-process with `capsys`; a few run the real
process to prove exit codes, no traceback for bad input and no Textual import on the CLI path.
"""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
from datetime import datetime, timedelta
from pathlib import Path

import pytest

from triage_tui.cli import main
from triage_tui.store.db import Store

FIXTURES = Path(__file__).parent / "fixtures"
ID_LINE = re.compile(r"^[0-9a-f]{8}\n$")
CONTRACT_FIELDS = [
    "id", "title", "notes", "lane", "lane_source", "suggestion", "status", "due",
    "estimate_minutes", "recurrence", "tags", "assignee", "claimed_by", "created_at",
    "updated_at", "completed_at", "created_by", "updated_by", "version",
]


# -- helpers ---------------------------------------------------------------------------------
def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """`triage ARGV` in-process: (exit code, stdout, stderr). argparse errors count too."""
    capsys.readouterr()
    try:
        code = main(list(argv))
    except SystemExit as exit_:
        code = exit_.code if isinstance(exit_.code, int) else 1
    out, err = capsys.readouterr()
    return code, out, err


def items_of(db: Path) -> dict[str, object]:
    return {item.id: item for item in Store(db).open(create=False).items()}


def add(capsys, db: Path, text: str) -> str:
    code, out, err = run(capsys, "--db", str(db), "add", text)
    assert code == 0, err
    assert ID_LINE.match(out)
    return out.strip()


class FakeStdin:
    def __init__(self, data: bytes) -> None:
        self.buffer = io.BytesIO(data)


def subprocess_triage(*argv: str, extra: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, *extra, "-m", "triage_tui", *argv],
                          capture_output=True, text=True, timeout=60, env=dict(os.environ))


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "cli" / "triage.json"


# -- add -------------------------------------------------------------------------------------
def test_add_prints_only_the_id_and_stores_the_parsed_item(capsys, db: Path) -> None:
    code, out, err = run(capsys, "--db", str(db), "add",
                         "Renew the shop domain in 3 days ~15m #admin @bob every month")
    assert (code, err) == (0, "")
    assert ID_LINE.match(out)
    item_id = out.strip()
    items = items_of(db)
    assert list(items) == [item_id]
    item = items[item_id]
    assert item.title == "Renew the shop domain"
    assert item.due == (datetime.now().astimezone().date() + timedelta(days=3)).isoformat()
    assert item.estimate_minutes == 15
    assert item.tags == ["admin"]
    assert item.assignee == "bob"
    assert item.recurrence == "FREQ=MONTHLY"
    assert item.status == "open" and item.lane == "unsorted"
    assert item.created_by == "tester" and item.version == 1
    assert item.suggestion is not None and item.suggestion.lane in ("task", "ops")
    assert 0.0 <= item.suggestion.confidence <= 1.0


def test_add_words_are_joined_and_json_prints_the_item(capsys, db: Path) -> None:
    code, out, err = run(capsys, "--db", str(db), "add", "--json", "email", "the", "client",
                         "#sales")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [key for key in data if key in CONTRACT_FIELDS] == CONTRACT_FIELDS
    assert data["title"] == "email the client"
    assert data["tags"] == ["sales"]
    assert data["suggestion"]["lane"] in ("task", "ops")
    stored = items_of(db)[data["id"]]
    assert stored.to_dict() == data


def test_add_with_an_impossible_date_notes_it_and_keeps_the_words(capsys, db: Path) -> None:
    code, out, err = run(capsys, "--db", str(db), "add", "pay rent feb 30")
    assert code == 0
    assert ID_LINE.match(out)
    assert err == 'triage: note: could not read the date "feb 30"\n'
    item = items_of(db)[out.strip()]
    assert item.title == "pay rent feb 30"
    assert item.due is None


def test_add_empty_text_is_bad_input(capsys, db: Path) -> None:
    add(capsys, db, "already here")
    before = db.read_bytes()
    code, out, err = run(capsys, "--db", str(db), "add", "  ")
    assert code == 2 and out == ""
    assert err.startswith("triage: ") and err.count("\n") == 1
    assert db.read_bytes() == before


# -- list ------------------------------------------------------------------------------------
def test_list_table_has_a_header_a_row_per_item_and_a_count(capsys, db: Path) -> None:
    first = add(capsys, db, "call the bank ~1h30m @maya")
    second = add(capsys, db, "order printer paper")
    code, out, err = run(capsys, "--db", str(db), "list")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 4
    assert lines[0].split() == ["ID", "LANE", "SUGGESTED", "DUE", "EST", "WHO", "TITLE"]
    title_at = lines[0].index("TITLE")
    rows = {line[:8]: line for line in lines[1:3]}
    assert set(rows) == {first, second}
    assert rows[first][title_at:] == "call the bank"
    assert rows[second][title_at:] == "order printer paper"
    assert re.match(rf"{first}  unsorted  (task|ops) \d+%\??\s+1h30  @maya  call the bank$",
                    rows[first])
    assert lines[3] == "2 items"


def test_list_empty_and_singular(capsys, db: Path) -> None:
    assert run(capsys, "--db", str(db), "list") == (0, "No items.\n", "")
    add(capsys, db, "one thing")
    code, out, _ = run(capsys, "--db", str(db), "list")
    assert out.endswith("\n1 item\n")


def test_list_json_uses_the_contract_field_names(capsys, db: Path) -> None:
    item_id = add(capsys, db, "renew domain ~15m #admin")
    code, out, err = run(capsys, "--db", str(db), "list", "--json")
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert [row["id"] for row in data] == [item_id]
    row = data[0]
    assert set(CONTRACT_FIELDS) <= set(row)
    assert [key for key in row if key in CONTRACT_FIELDS] == CONTRACT_FIELDS
    assert row["title"] == "renew domain" and row["estimate_minutes"] == 15
    assert row["tags"] == ["admin"] and row["status"] == "open" and row["version"] == 1
    assert set(row["suggestion"]) == {"lane", "confidence", "reasons"}


def test_list_filters_by_lane_and_status(capsys, db: Path) -> None:
    keep = add(capsys, db, "water the plants")
    gone = add(capsys, db, "file the receipts")
    other = add(capsys, db, "plan the offsite")
    assert run(capsys, "--db", str(db), "tag", keep, "ops")[0] == 0
    assert run(capsys, "--db", str(db), "done", gone)[0] == 0

    def ids(*extra: str) -> list[str]:
        code, out, err = run(capsys, "--db", str(db), "list", "--json", *extra)
        assert (code, err) == (0, "")
        return sorted(row["id"] for row in json.loads(out))

    assert ids() == sorted([keep, other])
    assert ids("--lane", "ops") == [keep]
    assert ids("--lane", "unsorted") == [other]
    assert ids("--lane", "keep") == []
    assert ids("--status", "done") == [gone]
    assert ids("--status", "all") == sorted([keep, gone, other])
    assert ids("--status", "dropped") == []


# -- changing items --------------------------------------------------------------------------
def test_done_by_prefix_drop_and_reopen(capsys, db: Path) -> None:
    item_id = add(capsys, db, "send the invoice")
    code, out, err = run(capsys, "--db", str(db), "done", item_id[:4])
    assert (code, out, err) == (0, f"{item_id} done: send the invoice\n", "")
    item = items_of(db)[item_id]
    assert item.status == "done" and item.completed_at and item.version == 2

    assert run(capsys, "--db", str(db), "reopen", item_id) == (
        0, f"{item_id} reopened: send the invoice\n", "")
    assert items_of(db)[item_id].status == "open"
    assert run(capsys, "--db", str(db), "drop", item_id[:6]) == (
        0, f"{item_id} dropped: send the invoice\n", "")
    assert items_of(db)[item_id].status == "dropped"


def test_done_unknown_id_is_one_line_and_exit_2(capsys, db: Path) -> None:
    add(capsys, db, "something")
    before = db.read_bytes()
    code, out, err = run(capsys, "--db", str(db), "done", "ffffffff")
    assert (code, out) == (2, "")
    assert err == "triage: no item with id 'ffffffff'\n"
    assert db.read_bytes() == before


def test_done_on_a_missing_database_is_bad_input(capsys, tmp_path: Path) -> None:
    db = tmp_path / "nowhere.json"
    code, out, err = run(capsys, "--db", str(db), "done", "abcd")
    assert code == 2 and out == "" and err.count("\n") == 1
    assert not db.exists()


def test_an_id_prefix_needs_four_characters(capsys, db: Path) -> None:
    item_id = add(capsys, db, "something")
    code, out, err = run(capsys, "--db", str(db), "done", item_id[:3])
    assert (code, out) == (2, "")
    assert err == f"triage: no item with id '{item_id[:3]}' (give at least 4 characters)\n"
    assert items_of(db)[item_id].status == "open"


@pytest.mark.parametrize(("content", "problem"), [
    (b"", "the file is empty"),
    (b"[]", "not a triage database"),
])
def test_an_empty_or_foreign_database_is_refused(capsys, tmp_path: Path, content: bytes,
                                                 problem: str) -> None:
    db = tmp_path / "odd.json"
    db.write_bytes(content)
    for argv in (["list"], ["add", "x"]):
        code, out, err = run(capsys, "--db", str(db), *argv)
        assert (code, out) == (2, "")
        assert err.startswith(f"triage: {db}: {problem}") and err.count("\n") == 1
        assert db.read_bytes() == content


def test_tag_sets_a_manual_lane_and_records_an_example(capsys, db: Path) -> None:
    item_id = add(capsys, db, "research which CRM to use")
    code, out, err = run(capsys, "--db", str(db), "tag", item_id, "ops")
    assert (code, out, err) == (0, f"{item_id} tagged ops: research which CRM to use\n", "")
    item = items_of(db)[item_id]
    assert (item.lane, item.lane_source) == ("ops", "manual")
    examples = Store(db).open(create=False).examples()
    assert any(ex.get("text") == "research which CRM to use" and ex.get("lane") == "ops"
               for ex in examples), examples


def test_tag_with_a_bad_lane_is_a_usage_error(capsys, db: Path) -> None:
    item_id = add(capsys, db, "something")
    before = db.read_bytes()
    code, out, err = run(capsys, "--db", str(db), "tag", item_id, "urgent")
    assert (code, out) == (2, "")
    assert "invalid choice: 'urgent'" in err
    assert db.read_bytes() == before


def test_assign_claim_and_release(capsys, db: Path) -> None:
    item_id = add(capsys, db, "book the venue")
    assert run(capsys, "--db", str(db), "assign", item_id, "maya") == (
        0, f"{item_id} assigned to maya: book the venue\n", "")
    assert items_of(db)[item_id].assignee == "maya"
    assert run(capsys, "--db", str(db), "claim", item_id) == (
        0, f"{item_id} claimed: book the venue\n", "")
    assert items_of(db)[item_id].claimed_by == "tester"
    assert run(capsys, "--db", str(db), "release", item_id) == (
        0, f"{item_id} released: book the venue\n", "")
    assert items_of(db)[item_id].claimed_by is None
    assert run(capsys, "--db", str(db), "assign", item_id) == (
        0, f"{item_id} unassigned: book the venue\n", "")
    assert items_of(db)[item_id].assignee is None


def test_a_claim_held_by_someone_else_is_refused(capsys, db: Path) -> None:
    item_id = add(capsys, db, "book the venue")
    assert run(capsys, "--db", str(db), "--user", "maya", "claim", item_id)[0] == 0
    code, out, err = run(capsys, "--db", str(db), "done", item_id)
    assert code == 2 and out == ""
    assert err.startswith(f"triage: refused {item_id}: ")
    assert items_of(db)[item_id].status == "open"


# -- import ----------------------------------------------------------------------------------
@pytest.mark.parametrize(("name", "fmt", "count", "skip_bad"), [
    ("spreadsheet.csv", "csv", 3, True),
    ("todo.txt", "todotxt", 8, True),
    ("taskwarrior_export.json", "taskwarrior", 9, False),
])
@pytest.mark.parametrize("explicit", [False, True])
def test_import_each_fixture_format(capsys, db: Path, name: str, fmt: str, count: int,
                                   skip_bad: bool, explicit: bool) -> None:
    source = FIXTURES / name
    argv = ["--db", str(db), "import", str(source)]
    argv += ["--format", fmt] if explicit else []
    argv += ["--skip-bad"] if skip_bad else []
    code, out, err = run(capsys, *argv)
    assert code == 0, err
    assert out == f"imported {count} items from {source} ({fmt})\n"
    assert (err != "") == skip_bad  # the fixtures' bad rows are still named
    items = list(items_of(db).values())
    assert len(items) == count
    assert all(item.created_by == "tester" for item in items)


def test_import_keeps_csv_titles_exactly(capsys, db: Path) -> None:
    assert run(capsys, "--db", str(db), "import", "--skip-bad",
               str(FIXTURES / "spreadsheet.csv"))[0] == 0
    by_title = {item.title: item for item in items_of(db).values()}
    assert set(by_title) == {"Send invoice to ACME & Co", 'Choose a CRM "properly"',
                             '=HYPERLINK("http://evil")'}
    invoice = by_title["Send invoice to ACME & Co"]
    assert invoice.due == "2026-11-30" and invoice.estimate_minutes == 90
    assert invoice.notes == "First line\nsecond line, with a comma"
    assert invoice.lane_source == "import"


def test_import_a_malformed_csv_row_imports_nothing(capsys, db: Path, tmp_path: Path) -> None:
    add(capsys, db, "already here")
    before = db.read_bytes()
    bad = tmp_path / "bad.csv"
    bad.write_text("title,due\nok one,2026-01-01\nbroken,not a date\nok two,\n", "utf-8")
    code, out, err = run(capsys, "--db", str(db), "import", str(bad))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        f"triage: {bad}: line 3: due 'not a date' is not a date",
        "triage: nothing imported: 1 bad row (use --skip-bad to import the rest)",
    ]
    assert db.read_bytes() == before

    code, out, err = run(capsys, "--db", str(db), "import", "--skip-bad", str(bad))
    assert code == 0
    assert out == f"imported 2 items from {bad} (csv)\n"
    assert "line 3" in err
    titles = sorted(item.title for item in items_of(db).values())
    assert titles == ["already here", "ok one", "ok two"]


def test_import_dry_run_imports_nothing(capsys, db: Path) -> None:
    add(capsys, db, "already here")
    before = db.read_bytes()
    code, out, err = run(capsys, "--db", str(db), "import", "--dry-run",
                         str(FIXTURES / "taskwarrior_export.json"))
    assert (code, out, err) == (0, "9 items would be imported (taskwarrior)\n", "")
    assert db.read_bytes() == before


def test_import_a_missing_file(capsys, db: Path, tmp_path: Path) -> None:
    missing = tmp_path / "nope.csv"
    code, out, err = run(capsys, "--db", str(db), "import", str(missing))
    assert (code, out) == (2, "")
    assert err == f"triage: {missing}: cannot read (No such file or directory)\n"
    assert not db.exists()


def test_import_a_non_utf8_file(capsys, db: Path, tmp_path: Path) -> None:
    add(capsys, db, "already here")
    before = db.read_bytes()
    latin = tmp_path / "latin.csv"
    latin.write_bytes("title\ncaf\u00e9 order\n".encode("latin-1"))
    code, out, err = run(capsys, "--db", str(db), "import", str(latin))
    assert (code, out) == (2, "")
    assert "UTF-8" in err and str(latin) in err
    assert "Traceback" not in err
    assert db.read_bytes() == before


# -- export ----------------------------------------------------------------------------------
@pytest.fixture
def filled(capsys, db: Path) -> Path:
    assert run(capsys, "--db", str(db), "import", "--skip-bad",
               str(FIXTURES / "spreadsheet.csv"))[0] == 0
    return db


def test_export_json_to_stdout_round_trips_through_import(capsys, filled: Path,
                                                           tmp_path: Path) -> None:
    code, out, err = run(capsys, "--db", str(filled), "export")
    assert (code, err) == (0, "")
    exported = json.loads(out)
    assert len(exported) == 3
    assert all(set(CONTRACT_FIELDS) <= set(row) for row in exported)
    dump = tmp_path / "dump.json"
    dump.write_text(out, "utf-8")
    other = tmp_path / "other.json"
    code, out, err = run(capsys, "--db", str(other), "import", str(dump))
    assert (code, out, err) == (0, f"imported 3 items from {dump} (json)\n", "")

    def essence(items) -> list[tuple]:
        return sorted((i.title, i.notes, i.lane, i.status, i.due, i.estimate_minutes,
                       i.recurrence, tuple(i.tags), i.assignee) for i in items)

    assert essence(items_of(other).values()) == essence(items_of(filled).values())


def test_export_csv_and_todotxt(capsys, filled: Path) -> None:
    code, out, err = run(capsys, "--db", str(filled), "export", "--format", "csv")
    assert (code, err) == (0, "")
    import csv

    rows = list(csv.DictReader(io.StringIO(out)))
    assert {row["title"] for row in rows} >= {"Send invoice to ACME & Co",
                                              'Choose a CRM "properly"'}
    assert {row["id"] for row in rows} == set(items_of(filled))
    code, out, err = run(capsys, "--db", str(filled), "export", "--format", "todotxt")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3
    assert any("Send invoice to ACME & Co" in line and "due:2026-11-30" in line
               and "+billing" in line for line in lines)


def test_export_to_a_file(capsys, filled: Path, tmp_path: Path) -> None:
    target = tmp_path / "out.json"
    code, out, err = run(capsys, "--db", str(filled), "export", "-o", str(target))
    assert (code, out, err) == (0, "", f"exported 3 items to {target}\n")
    assert len(json.loads(target.read_text("utf-8"))) == 3
    target_csv = tmp_path / "out.csv"
    assert run(capsys, "--db", str(filled), "export", "--format", "csv", "--output",
               str(target_csv))[0] == 0
    assert target_csv.read_text("utf-8").startswith("id,title,")


def test_export_to_a_missing_folder_and_import_a_folder(capsys, filled: Path,
                                                       tmp_path: Path) -> None:
    target = tmp_path / "no" / "such" / "out.json"
    code, out, err = run(capsys, "--db", str(filled), "export", "-o", str(target))
    assert (code, out) == (2, "")
    assert err == f"triage: {target}: cannot write (No such file or directory)\n"
    before = filled.read_bytes()
    code, out, err = run(capsys, "--db", str(filled), "import", str(tmp_path))
    assert (code, out, err) == (2, "", f"triage: {tmp_path}: is a folder, not a file\n")
    assert filled.read_bytes() == before


# -- classify --------------------------------------------------------------------------------
LINES = ["send the invoice to acme", "", "research which CRM to use and set the strategy"]


def test_classify_a_file_one_line_per_input_line(capsys, tmp_path: Path) -> None:
    source = tmp_path / "lines.txt"
    source.write_text("\n".join(LINES) + "\n", "utf-8")
    code, out, err = run(capsys, "classify", str(source))
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 3
    assert re.fullmatch(r"task\t\d\.\d\d\tsend the invoice to acme", lines[0])
    assert lines[1] == "-"
    assert re.fullmatch(r"ops\t\d\.\d\d\tresearch which CRM to use and set the strategy",
                        lines[2])


def test_classify_stdin_json(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(("\n".join(LINES) + "\n").encode()))
    code, out, err = run(capsys, "classify", "--json")
    assert (code, err) == (0, "")
    records = [json.loads(line) for line in out.splitlines()]
    assert [r["text"] for r in records] == LINES
    assert all(list(r) == ["text", "lane", "confidence", "reasons"] for r in records)
    assert [r["lane"] for r in records] == ["task", None, "ops"]
    assert records[1] == {"text": "", "lane": None, "confidence": None, "reasons": []}
    assert all(0 <= r["confidence"] <= 1 and r["reasons"] for r in (records[0], records[2]))


def test_classify_explain_prints_the_reasons(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"send the invoice to acme\n"))
    code, out, err = run(capsys, "classify", "-", "--explain")
    assert (code, err) == (0, "")
    head, *reasons = out.splitlines()
    assert head.startswith("task\t")
    assert reasons and all(line.startswith("\t- ") for line in reasons)


def test_classify_does_not_create_a_database(capsys, monkeypatch, db: Path) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"order toner\n"))
    assert run(capsys, "--db", str(db), "classify")[0] == 0
    assert not db.exists()


def test_classify_non_utf8_is_bad_input(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"ok line\n\xff\xfe broken\n"))
    assert run(capsys, "classify") == (2, "", "triage: -: not UTF-8 text (byte 8)\n")


def test_classify_a_3mb_line(capsys, monkeypatch) -> None:
    line = "send the invoice " + "x" * (3 * 1024 * 1024)
    monkeypatch.setattr(sys, "stdin", FakeStdin(line.encode() + b"\n"))
    code, out, err = run(capsys, "classify", "--json")
    assert (code, err) == (0, "")
    lines = out.splitlines()
    assert len(lines) == 1
    assert json.loads(lines[0])["text"] == line


def test_classify_crlf_input_is_one_line_each(capsys, monkeypatch) -> None:
    monkeypatch.setattr(sys, "stdin", FakeStdin(b"\xef\xbb\xbfpay rent\r\norder toner\r\n"))
    code, out, err = run(capsys, "classify", "--json")
    assert (code, err) == (0, "")
    assert [json.loads(line)["text"] for line in out.splitlines()] == ["pay rent", "order toner"]


@pytest.mark.parametrize("separator", ["\u2028", "\x0c", "\x85"])
def test_classify_only_newlines_end_a_line(capsys, monkeypatch, separator: str) -> None:
    text = f"pay the invoice{separator}today\norder toner\n"
    monkeypatch.setattr(sys, "stdin", FakeStdin(text.encode()))
    code, out, err = run(capsys, "classify", "--json")
    assert (code, err) == (0, "")
    # JSON Lines end at "\n" only; the separator stays inside its record.
    records = [json.loads(line) for line in out.split("\n") if line]
    assert [r["text"] for r in records] == [f"pay the invoice{separator}today", "order toner"]


def test_classify_a_missing_file(capsys, tmp_path: Path) -> None:
    code, out, err = run(capsys, "classify", str(tmp_path / "gone.txt"))
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and "gone.txt" in err


# -- config ----------------------------------------------------------------------------------
def test_config_show_and_set(capsys) -> None:
    code, out, err = run(capsys, "config", "show")
    assert (code, err) == (0, "")
    head, _, body = out.partition("\n")
    assert head == f"# {Path(os.environ['TRIAGE_CONFIG_DIR']) / 'config.json'}"
    shown = json.loads(body)
    assert {"capacity_minutes", "default_estimate_minutes", "review_threshold",
            "claim_hours", "theme"} <= set(shown)

    assert run(capsys, "config", "set", "capacity.va", "25h") == (0, "capacity.va = 25h\n", "")
    code, out, _ = run(capsys, "config", "show")
    assert json.loads(out.partition("\n")[2])["capacity_minutes"]["va"] == 1500


def test_config_set_bad_value_and_unknown_key(capsys) -> None:
    code, out, err = run(capsys, "config", "set", "capacity.va", "lots")
    assert (code, out) == (2, "")
    assert err == ("triage: capacity.va: 'lots' is not a duration such as 25h, 90m or "
                   "1h30m\n")
    code, out, err = run(capsys, "config", "set", "colour", "blue")
    assert (code, out) == (2, "")
    assert err.startswith("triage: unknown setting 'colour'; known: ")
    assert err.count("\n") == 1
    assert run(capsys, "config", "set", "capacity.va")[0] == 2
    code, out, _ = run(capsys, "config", "show")
    assert json.loads(out.partition("\n")[2])["capacity_minutes"]["va"] != 0


# -- a corrupt database ----------------------------------------------------------------------
@pytest.mark.parametrize("command", [["list"], ["add", "x"], ["done", "abcd"], ["export"],
                                     ["import", "FILE"]])
def test_a_corrupt_database_is_refused_and_never_written(capsys, db: Path, tmp_path: Path,
                                                          command: list[str]) -> None:
    add(capsys, db, "a real item")
    add(capsys, db, "another real item")
    whole = db.read_bytes()
    db.write_bytes(whole[: len(whole) // 2])
    broken = db.read_bytes()
    source = tmp_path / "in.csv"
    source.write_text("title\nnew thing\n", "utf-8")
    argv = [str(source) if arg == "FILE" else arg for arg in command]
    code, out, err = run(capsys, "--db", str(db), *argv)
    assert (code, out) == (2, "")
    assert err.count("\n") == 1 and err.startswith("triage: ")
    assert str(db) in err
    assert db.read_bytes() == broken


# -- usage errors ----------------------------------------------------------------------------
@pytest.mark.parametrize("argv", [["frobnicate"], ["list", "--lane", "nope"],
                                  ["list", "--status", "later"], ["done"],
                                  ["export", "--format", "xml"]])
def test_usage_errors_exit_2(capsys, db: Path, argv: list[str]) -> None:
    code, out, err = run(capsys, "--db", str(db), *argv)
    assert (code, out) == (2, "")
    assert err.startswith("usage: triage")
    assert "Traceback" not in err


# -- whole processes -------------------------------------------------------------------------
def test_process_add_never_imports_textual(db: Path) -> None:
    result = subprocess_triage("--db", str(db), "add", "y", extra=("-X", "importtime"))
    assert result.returncode == 0, result.stderr
    assert ID_LINE.match(result.stdout)
    assert "import time:" in result.stderr  # importtime really ran
    assert "textual" not in result.stderr
    assert len(items_of(db)) == 1


def test_process_bad_input_exits_2_without_a_traceback(db: Path) -> None:
    result = subprocess_triage("--db", str(db), "list", "--lane", "nope")
    assert (result.returncode, result.stdout) == (2, "")
    assert "Traceback" not in result.stderr
    assert result.stderr.splitlines()[-1].startswith("triage: argument --lane: invalid choice")

    db.parent.mkdir(parents=True, exist_ok=True)
    db.write_bytes(b'{"_meta": {"1": {"schema": 2}}, "items": {"ab')
    result = subprocess_triage("--db", str(db), "add", "x")
    assert (result.returncode, result.stdout) == (2, "")
    assert "Traceback" not in result.stderr
    assert result.stderr.count("\n") == 1 and str(db) in result.stderr
    assert db.read_bytes() == b'{"_meta": {"1": {"schema": 2}}, "items": {"ab'


def test_process_import_then_list_json(db: Path) -> None:
    result = subprocess_triage("--db", str(db), "import",
                               str(FIXTURES / "taskwarrior_export.json"))
    assert result.returncode == 0, result.stderr
    result = subprocess_triage("--db", str(db), "list", "--status", "all", "--json")
    assert result.returncode == 0 and result.stderr == ""
    assert len(json.loads(result.stdout)) == 9


def test_list_shows_a_status_column_when_it_holds_closed_items(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "100")
    db = tmp_path / "q.json"
    kept = add(capsys, db, "renew the domain")
    closed = add(capsys, db, "send the december newsletter")
    assert run(capsys, "--db", str(db), "done", closed)[0] == 0
    code, out, _ = run(capsys, "--db", str(db), "list", "--status", "all")
    lines = out.splitlines()
    assert code == 0 and lines[0].split()[:3] == ["ID", "STATUS", "LANE"]
    rows = {line.split()[0]: line.split()[1] for line in lines[1:-1]}
    assert rows == {kept: "open", closed: "done"}
    code, out, _ = run(capsys, "--db", str(db), "list")
    assert out.splitlines()[0].split()[:2] == ["ID", "LANE"], "open items only: no column"
