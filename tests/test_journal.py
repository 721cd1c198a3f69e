"""The snapshot + journal store on real files: appends, compaction, torn and damaged lines
(every line carries the CRC-32 of its JSON), stopped compactions, copies, restores and hand
edits (files that do not belong together are refused), the `triage add` quick path, catching
up, kill -9 (while appending, compacting, creating and migrating) and many writers.

Every check reads the files back, either through a fresh `Store` or with the tests' own parser
(`journal_support`), and compares contents: ids, titles, audit rows, exact bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
import itertools
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from journal_support import (
    Refused,
    both_files,
    encode_line,
    journal_lines,
    journal_of,
    ops_of,
    parse_database,
)

from triage_tui.domain.model import Item, now_iso
from triage_tui.store import db as db_module
from triage_tui.store import storage as storage_module
from triage_tui.store.db import Store, StoreError

MOMENT = datetime(2025, 3, 12, 9, 30, 15, tzinfo=timezone(timedelta(hours=1)))
REPO = Path(__file__).resolve().parent.parent


def make_item(item_id: str, title: str | None = None) -> Item:
    return Item(id=item_id, title=title or f"Item {item_id}", created_at=now_iso(MOMENT),
                updated_at=now_iso(MOMENT), created_by="alice", updated_by="alice")


def insert(store: Store, *item_ids: str, user: str = "alice") -> None:
    with store.transaction(user, MOMENT) as tx:
        tx.insert([make_item(item_id) for item_id in item_ids])


def retitle(store: Store, item_id: str, title: str, user: str = "bob") -> None:
    with store.transaction(user, MOMENT) as tx:
        current = tx.get(item_id)
        tx.replace(current, dataclasses.replace(current, title=title))


@contextlib.contextmanager
def compacting() -> Iterator[None]:
    """A block in which every change compacts (the journal has no room at all)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(storage_module, "JOURNAL_LIMIT", 0)
        yield


def titles(store_or_path: Store | Path) -> dict[str, str]:
    store = store_or_path if isinstance(store_or_path, Store) else Store(store_or_path).open()
    return {item.id: item.title for item in store.items()}


def creates(store: Store) -> Counter[str]:
    return Counter(row.item_id for row in store.audit() if row.action == "create")


def files_in(folder: Path) -> dict[str, bytes]:
    """Every file of the folder with its bytes, the lock file left out."""
    return {p.name: p.read_bytes() for p in folder.iterdir() if not p.name.endswith(".lock")}


def one_line(error: BaseException) -> str:
    text = str(error)
    assert text and "\n" not in text, f"not one line: {text!r}"
    return text


# -- appending -------------------------------------------------------------------------------
def test_a_change_appends_exactly_one_line_and_leaves_the_snapshot_alone(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    snapshot, journal = both_files(tmp_db)
    insert(store, "aaaa0001")
    assert tmp_db.read_bytes() == snapshot
    after = journal_of(tmp_db).read_bytes()
    assert after.startswith(journal)
    (line,) = after[len(journal):].splitlines(keepends=True)
    assert line.endswith(b"\n")
    ops = ops_of(line)  # its CRC matches its JSON
    assert [(table, key, document["title"]) for table, key, document in ops
            if table == "items"] == [("items", "aaaa0001", "Item aaaa0001")]
    assert [document["item_id"] for table, _, document in ops if table == "audit"] == ["aaaa0001"]

    retitle(store, "aaaa0001", "Edited")
    insert(store, "aaaa0002")
    with store.transaction("carol", MOMENT) as tx:
        tx.delete(["aaaa0002"])
    assert tmp_db.read_bytes() == snapshot, "no change rewrote the snapshot"
    lines = journal_lines(tmp_db)
    assert len(lines) == 1 + 4, "one line per change"
    assert b"".join(lines).startswith(after), "lines are only ever appended"
    assert ["items", "aaaa0002", None] in ops_of(lines[-1]), "a delete is a null"

    fresh = Store(tmp_db).open()
    assert titles(fresh) == {"aaaa0001": "Edited"}
    assert [row.action for row in fresh.audit()] == ["create", "edit", "create", "delete"]
    assert {key: doc["title"] for key, doc in parse_database(tmp_db).items().items()} == {
        "aaaa0001": "Edited"
    }


LIMIT = 4000


def test_passing_the_journal_limit_compacts_and_loses_nothing(tmp_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(storage_module, "JOURNAL_LIMIT", LIMIT)
    store = Store(tmp_db).open()
    added: list[str] = []
    compactions, longest = 0, 0
    for n in range(40):
        snapshot, journal = both_files(tmp_db)
        new = make_item(f"bbbb{n:04}")
        if n % 2:  # `triage add`: the quick path, or a compacting transaction when it is full
            Store(tmp_db).open().add_items([new], "quick", MOMENT)
        else:
            with store.transaction("alice", MOMENT) as tx:
                tx.insert([new])
        added.append(new.id)
        after_snapshot, after_journal = both_files(tmp_db)
        header = after_journal[: after_journal.index(b"\n") + 1]
        assert len(after_journal) - len(header) <= LIMIT, "the limit counts the changes"
        if after_snapshot == snapshot:
            line = after_journal[len(journal):]
            assert after_journal.startswith(journal)
            assert line.endswith(b"\n") and line.count(b"\n") == 1
            longest = max(longest, len(line))
        else:
            compactions += 1
            assert len(journal) + longest + 16 > LIMIT, "compacted before the journal was full"
            parsed = parse_database(tmp_db)
            assert not parsed.stale and parsed.changes == [], "the journal is a header only"
            assert len(journal_lines(tmp_db)) == 1
            assert sorted(parsed.snapshot["items"]) == added, "the snapshot holds everything"
    assert compactions >= 3
    fresh = Store(tmp_db).open()
    assert sorted(titles(fresh)) == added
    assert creates(fresh) == Counter(added)


# -- torn and damaged lines --------------------------------------------------------------------
HALF_LINE = encode_line(
    {"ops": [["items", "dead0001", {"id": "dead0001", "title": "never committed"}]]})[:-12]


@pytest.mark.parametrize("next_change", ["transaction", "quick add"])
def test_a_half_written_last_line_is_ignored_then_cut_off(tmp_db: Path, next_change: str) -> None:
    store = Store(tmp_db).open()
    insert(store, "cccc0001")
    insert(store, "cccc0002")
    reader = Store(tmp_db).open()
    reader.items()  # a reader holding parsed state
    whole = journal_of(tmp_db).read_bytes()
    with journal_of(tmp_db).open("ab") as journal:  # what a writer killed mid-append leaves
        journal.write(HALF_LINE)

    fresh = Store(tmp_db).open()
    for someone in (fresh, reader, store):
        assert titles(someone) == {"cccc0001": "Item cccc0001", "cccc0002": "Item cccc0002"}
        assert someone.get("dead0001") is None
    assert len(fresh.audit()) == 2 and fresh.examples() == []

    if next_change == "transaction":
        insert(store, "cccc0003")
    else:
        Store(tmp_db).open().add_items([make_item("cccc0003")], "quick", MOMENT)
    after = journal_of(tmp_db).read_bytes()
    assert after.startswith(whole) and b"dead0001" not in after, "the half line was cut off"
    lines = journal_lines(tmp_db)  # every line whole and valid JSON
    assert len(lines) == len(whole.splitlines()) + 1
    assert b'"cccc0003"' in lines[-1]
    for someone in (Store(tmp_db).open(), reader):
        assert sorted(titles(someone)) == ["cccc0001", "cccc0002", "cccc0003"]


def _change_a_byte_of_the_json(line: bytes) -> bytes:
    """One letter of a title changed: still valid JSON, still a well-formed change (or header);
    only the line's CRC tells."""
    marker = next(marker for marker in (b'"title":"', b'"id":"') if marker in line)
    position = line.index(marker) + len(marker)  # a title's first letter, a header's id
    byte = line[position:position + 1]
    other = b"x" if byte != b"x" else b"y"
    changed = line[:position] + other + line[position + 1:]
    json.loads(changed[9:])  # still valid JSON, of the same shape
    return changed


def _change_a_digit_of_the_crc(line: bytes) -> bytes:
    digit = b"0" if line[3:4] != b"0" else b"1"
    return line[:3] + digit + line[4:]


DAMAGE = {
    "zeros": lambda line: b"\x00" * (len(line) - 1) + b"\n",
    "cut short": lambda line: line[: len(line) // 2] + b"\n",
    "empty": lambda line: b"\n",
    "a byte of the JSON changed": _change_a_byte_of_the_json,
    "a digit of the CRC changed": _change_a_digit_of_the_crc,
    "no CRC (valid JSON)": lambda line: line[9:],
    # Lines whose CRC matches but which are not a change.
    "not a change": lambda line: encode_line({"journal": 1}),
    "ops not a list": lambda line: encode_line({"ops": {"items": "dddd0001"}}),
    "an op's id not a string": lambda line: encode_line({"ops": [["items", 1, None]]}),
    "an op's document a list": lambda line: encode_line({"ops": [["items", "dddd0001", []]]}),
}
HEADER_DAMAGE = [name for name in DAMAGE if name not in (
    "not a change", "ops not a list", "an op's id not a string", "an op's document a list")]


def damage_line(path: Path, index: int, damage) -> None:
    journal = journal_of(path)
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[index] = damage(lines[index])
    journal.write_bytes(b"".join(lines))


def assert_names_line(error: BaseException, path: Path, number: int) -> None:
    message = one_line(error)
    what = "its header" if number == 1 else "a change"
    assert str(path) in message and (
        f"{path.name}.journal line {number} ({what}) is damaged" in message), message


def _transaction(store: Store) -> None:
    with store.transaction("bob", MOMENT) as tx:
        tx.insert([make_item("dddd0009")])


# Everything a caller may do first with a Store. The last is an import: too many new items for
# the quick path, so a transaction.
FIRST_CALLS = {
    "items": lambda store: store.items(),
    "get": lambda store: store.get("dddd0000"),
    "audit": lambda store: store.audit(),
    "audit_mark": lambda store: store.audit_mark(),
    "examples": lambda store: store.examples(),
    "transaction": _transaction,
    "add_items": lambda store: store.add_items([make_item("dddd0009")], "bob", MOMENT),
    "add_items (import)": lambda store: store.add_items(
        [make_item(f"dddd1{n:03}") for n in range(20)], "bob", MOMENT),
}


def damaged_database(tmp_db: Path, damage: str) -> dict[str, Store]:
    """Items dddd0000-2 on journal lines 2-4, then line 3 damaged; returns a Store for each
    of FIRST_CALLS, opened before the damage (nothing parsed yet)."""
    store = Store(tmp_db).open()
    for n in range(3):
        insert(store, f"dddd000{n}")
    opened = {name: Store(tmp_db).open() for name in FIRST_CALLS}
    damage_line(tmp_db, 2, DAMAGE[damage])  # line 3 of 4: in the middle
    return opened


@pytest.mark.parametrize("damage", DAMAGE)
def test_opening_a_database_with_a_damaged_line_is_refused(tmp_db: Path, damage: str) -> None:
    damaged_database(tmp_db, damage)
    before = files_in(tmp_db.parent)
    for attempt in (lambda: Store(tmp_db).open(), lambda: Store(tmp_db).open(create=False)):
        with pytest.raises(StoreError) as caught:
            attempt()
        assert_names_line(caught.value, tmp_db, 3)
    assert files_in(tmp_db.parent) == before
    with pytest.raises(Refused, match="line 3"):  # the tests' own parser agrees
        parse_database(tmp_db)


@pytest.mark.parametrize("damage", DAMAGE)
def test_a_damaged_line_refuses_every_read_and_every_change(tmp_db: Path, damage: str) -> None:
    opened = damaged_database(tmp_db, damage)
    before = files_in(tmp_db.parent)
    outcomes: dict[str, BaseException | None] = {}
    for name, call in FIRST_CALLS.items():
        # By a Store opened before the damage, and by one never opened (each its first call).
        for who, store in (("opened before", opened[name]), ("never opened", Store(tmp_db))):
            try:
                call(store)
            except Exception as error:  # every outcome is checked below
                outcomes[f"{who}: {name}"] = error
            else:
                outcomes[f"{who}: {name}"] = None
    assert files_in(tmp_db.parent) == before, "no byte of either file changed"
    wrong = {
        name: repr(error) for name, error in outcomes.items()
        if not isinstance(error, StoreError) or "\n" in str(error)
        or f"{tmp_db}: queue.json.journal line 3 (a change) is damaged" not in str(error)
    }
    assert wrong == {}, "each must raise a one-line StoreError naming the file and line 3"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage_tui", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=60)


def assert_cli_refuses(path: Path, expected: str) -> None:
    """`triage list` and `triage add` on the database: exit 2, one line naming the file and
    `expected`, nothing on stdout, no byte of any file changed."""
    before = files_in(path.parent)
    for command in (["list"], ["--user", "u", "add", "Call the bank"]):
        result = run_cli("--db", str(path), *command)
        assert result.returncode == 2, result
        assert "Traceback" not in result.stderr and result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith("triage: ") and str(path) in line and expected in line, line
    assert files_in(path.parent) == before


@pytest.mark.parametrize("damage", ["cut short", "a byte of the JSON changed",
                                    "a digit of the CRC changed", "an op's id not a string"])
def test_a_damaged_line_is_one_line_on_stderr_and_exit_2(tmp_db: Path, damage: str) -> None:
    store = Store(tmp_db).open()
    for n in range(3):
        insert(store, f"dddd000{n}")
    damage_line(tmp_db, 2, DAMAGE[damage])
    assert_cli_refuses(tmp_db, "queue.json.journal line 3 (a change) is damaged")


@pytest.mark.parametrize("damage", ["zeros", "a byte of the JSON changed"])
def test_a_quick_add_opened_before_a_line_was_damaged_in_place_writes_nothing(
        tmp_db: Path, damage: str) -> None:
    """`triage add` opens (reading the journal without the lock), then adds. Damage that keeps
    the journal's size (a zeroed block, one changed letter) in between must still be found
    before it appends."""
    store = Store(tmp_db).open()
    for n in range(3):
        insert(store, f"dddd000{n}")
    opened = Store(tmp_db).open()
    size = journal_of(tmp_db).stat().st_size
    damage_line(tmp_db, 2, DAMAGE[damage])
    assert journal_of(tmp_db).stat().st_size == size
    before = files_in(tmp_db.parent)
    with pytest.raises(StoreError) as caught:
        opened.add_items([make_item("dddd0009")], "bob", MOMENT)
    assert_names_line(caught.value, tmp_db, 3)
    assert files_in(tmp_db.parent) == before, "nothing appended after the damaged line"


@pytest.mark.parametrize("damage", HEADER_DAMAGE)
def test_a_damaged_header_line_is_a_damaged_database_too(tmp_db: Path, damage: str) -> None:
    """A header is written whole (temp file + rename), so an unreadable one is damage, not a
    compaction stopped half-way: treating it as stale would drop every journaled change."""
    store = Store(tmp_db).open()
    for n in range(3):
        insert(store, f"dddd000{n}")
    damage_line(tmp_db, 0, DAMAGE[damage])
    with pytest.raises(Refused, match="line 1"):
        parse_database(tmp_db)
    before = files_in(tmp_db.parent)
    with pytest.raises(StoreError) as caught:
        Store(tmp_db).open()
    assert_names_line(caught.value, tmp_db, 1)
    with pytest.raises(StoreError), Store(tmp_db).transaction("bob", MOMENT) as tx:
        tx.insert([make_item("dddd0009")])
    assert files_in(tmp_db.parent) == before, "the journaled changes were not compacted away"
    if damage == "a byte of the JSON changed":
        assert_cli_refuses(tmp_db, "queue.json.journal line 1 (its header) is damaged")


APPENDED = {
    "not a change": encode_line({"ops": "not a list of changes"}),
    "a byte of the JSON changed": _change_a_byte_of_the_json(encode_line(
        {"ops": [["items", "dddd0003", make_item("dddd0003").to_storage()]]})),
}


@pytest.mark.parametrize("appended", APPENDED)
def test_a_reader_that_already_read_lines_names_the_damaged_line(tmp_db: Path,
                                                                 appended: str) -> None:
    store = Store(tmp_db).open()
    insert(store, "dddd0000")
    reader = Store(tmp_db).open()
    assert sorted(titles(reader)) == ["dddd0000"]  # it has applied line 2
    insert(store, "dddd0001")
    insert(store, "dddd0002")
    assert sorted(titles(reader)) == ["dddd0000", "dddd0001", "dddd0002"]  # and lines 3, 4
    with journal_of(tmp_db).open("ab") as journal:
        journal.write(APPENDED[appended])  # line 5
    for someone in (Store(tmp_db), reader):
        with pytest.raises(StoreError) as caught:
            someone.items()
        assert_names_line(caught.value, tmp_db, 5)


# -- a compaction stopped half-way -------------------------------------------------------------
def put_back(path: Path, raw: bytes) -> None:
    """Replace the file with `raw` the way a compaction does (a new inode, renamed in)."""
    temp = path.with_name(f".{path.name}.killed.tmp")
    temp.write_bytes(raw)
    os.replace(temp, path)


@pytest.mark.parametrize("next_change", ["transaction", "quick add"])
def test_a_compaction_killed_between_its_replaces_loses_nothing(tmp_db: Path,
                                                                next_change: str) -> None:
    store = Store(tmp_db).open()
    insert(store, "eeee0001", "eeee0002")
    retitle(store, "eeee0001", "Edited in the journal")
    reader = Store(tmp_db).open()
    assert reader.get("eeee0001").title == "Edited in the journal"
    old_journal = journal_of(tmp_db).read_bytes()
    old_id = parse_database(tmp_db).header["id"]

    # The killed compaction had written its snapshot, holding the journal's changes and its
    # own (eeee0001 edited again, eeee0003 added) and naming the journal it folded, but not
    # yet its new journal.
    data = parse_database(tmp_db).data
    data["items"]["eeee0001"]["title"] = "Edited by the compaction"
    data["items"]["eeee0003"] = make_item("eeee0003").to_storage()
    data["_meta"]["journal"] = {"id": "0123456789abcdef", "folded": old_id}
    put_back(tmp_db, orjson.dumps(data))
    new_snapshot = tmp_db.read_bytes()
    parsed = parse_database(tmp_db)
    assert journal_of(tmp_db).read_bytes() == old_journal and parsed.stale

    expected = {"eeee0001": "Edited by the compaction", "eeee0002": "Item eeee0002",
                "eeee0003": "Item eeee0003"}
    for someone in (Store(tmp_db).open(), reader, store):
        assert titles(someone) == expected, "the folded journal is not applied again"
    assert creates(Store(tmp_db).open()) == Counter(["eeee0001", "eeee0002"])

    if next_change == "transaction":
        insert(store, "eeee0004")
    else:
        Store(tmp_db).open().add_items([make_item("eeee0004")], "quick", MOMENT)
    parsed = parse_database(tmp_db)
    assert tmp_db.read_bytes() != new_snapshot, "the next change compacted"
    assert not parsed.stale and parsed.changes == [], "and left a header-only journal"
    assert parsed.journal == {"id": parsed.header["id"], "folded": old_id}
    assert parsed.header["id"] not in (old_id, "0123456789abcdef"), "a new journal id"
    expected["eeee0004"] = "Item eeee0004"
    assert {key: doc["title"] for key, doc in parsed.snapshot["items"].items()} == expected
    for someone in (Store(tmp_db).open(), reader):
        assert titles(someone) == expected


def _snapshot_then_journal(tmp_db: Path, monkeypatch) -> tuple[dict[str, str], dict[str, str]]:
    """ffff0001-2 compacted into the snapshot; then journaled: an add, an edit, a delete."""
    store = Store(tmp_db).open()
    insert(store, "ffff0001")
    with compacting():
        insert(store, "ffff0002")
    in_snapshot = titles(tmp_db)
    insert(store, "ffff0003")
    retitle(store, "ffff0001", "Edited in the journal")
    with store.transaction("carol", MOMENT) as tx:
        tx.delete(["ffff0002"])
    return in_snapshot, titles(tmp_db)


@pytest.mark.parametrize("next_change", ["transaction", "quick add"])
def test_an_older_journal_the_snapshot_folded_is_ignored_and_the_next_change_compacts(
        tmp_db: Path, monkeypatch, next_change: str) -> None:
    """Real files: the journal a fold replaced, put back beside the snapshot that folded it
    (what a compaction stopped before replacing its journal leaves). Its changes are in the
    snapshot: ignored, not applied twice; the next change compacts; nothing is lost."""
    _, everything = _snapshot_then_journal(tmp_db, monkeypatch)
    store = Store(tmp_db).open()
    reader = Store(tmp_db).open()
    assert titles(reader) == everything
    folded = journal_of(tmp_db).read_bytes()
    folded_id = parse_database(tmp_db).header["id"]
    with compacting():
        insert(store, "ffff0006")  # folds that journal into a new snapshot
    parsed = parse_database(tmp_db)
    assert parsed.journal == {"id": parsed.header["id"], "folded": folded_id}
    expected = {**everything, "ffff0006": "Item ffff0006"}
    audit = [(row.item_id, row.action) for row in Store(tmp_db).open().audit()]

    put_back(journal_of(tmp_db), folded)
    snapshot = tmp_db.read_bytes()
    parsed = parse_database(tmp_db)
    assert parsed.stale and parsed.changes == [] and parsed.data == parsed.snapshot
    assert {key: doc["title"] for key, doc in parsed.items().items()} == expected
    for someone in (Store(tmp_db).open(), reader, store):
        assert titles(someone) == expected, "the folded journal's changes are not applied twice"
        assert [(row.item_id, row.action) for row in someone.audit()] == audit
    assert tmp_db.read_bytes() == snapshot and journal_of(tmp_db).read_bytes() == folded, (
        "reads write nothing")

    if next_change == "transaction":
        insert(store, "ffff0007")
    else:
        result = run_cli("--db", str(tmp_db), "--user", "u", "add", "Item ffff0007")
        assert result.returncode == 0, result.stderr
    parsed = parse_database(tmp_db)
    assert tmp_db.read_bytes() != snapshot, "the next change compacted"
    assert not parsed.stale and parsed.changes == [], "and left a header-only journal"
    assert parsed.journal == {"id": parsed.header["id"], "folded": folded_id}
    titles_now = {key: doc["title"] for key, doc in parsed.items().items()}
    assert sorted(titles_now.values()) == sorted([*expected.values(), "Item ffff0007"])
    for someone in (Store(tmp_db).open(), reader, store):
        assert titles(someone) == titles_now
        rows = [(row.item_id, row.action) for row in someone.audit()]
        assert rows[:-1] == audit and rows[-1][1] == "create", "every audit row, once"


# -- copies, restores and hand edits -----------------------------------------------------------
def test_copying_both_files_keeps_every_change(tmp_db: Path, tmp_path: Path, monkeypatch) -> None:
    in_snapshot, everything = _snapshot_then_journal(tmp_db, monkeypatch)
    assert in_snapshot == {"ffff0001": "Item ffff0001", "ffff0002": "Item ffff0002"}
    assert everything == {"ffff0001": "Edited in the journal", "ffff0003": "Item ffff0003"}
    copy = tmp_path / "copy" / "queue.json"
    copy.parent.mkdir()
    shutil.copy2(tmp_db, copy)
    shutil.copy2(journal_of(tmp_db), journal_of(copy))
    original, copied = Store(tmp_db).signature(), Store(copy).signature()
    assert original[0][0] != copied[0][0] and original[1][0] != copied[1][0], "new inodes"
    assert titles(copy) == everything
    # The header still binds the copied journal to the copied snapshot: changes append.
    copied_snapshot = copy.read_bytes()
    insert(Store(copy).open(), "ffff0004")
    assert copy.read_bytes() == copied_snapshot
    assert titles(copy) == {**everything, "ffff0004": "Item ffff0004"}
    assert titles(tmp_db) == everything, "the original is not the copy"


MISSING = "queue.json.journal is missing"
NOT_ITS_OWN = "queue.json.journal does not belong to queue.json"


_FOLDS = itertools.count(1)


def _fold(tmp_db: Path) -> None:
    """One change that compacts: a new snapshot, and a new journal, with a new id."""
    with compacting():
        insert(Store(tmp_db).open(), f"fold{next(_FOLDS):04}")


def _journal_deleted_by_hand(tmp_db: Path, tmp_path: Path) -> Path:
    journal_of(tmp_db).unlink()
    return tmp_db


def _only_the_snapshot_copied(tmp_db: Path, tmp_path: Path) -> Path:
    only = tmp_path / "only" / "queue.json"
    only.parent.mkdir()
    shutil.copy2(tmp_db, only)
    return only


def _snapshot_edited_in_place(tmp_db: Path, tmp_path: Path) -> Path:
    raw = tmp_db.read_bytes()
    assert raw.count(b'"title":"Item ffff0001"') == 1
    with tmp_db.open("r+b") as snapshot:  # an editor saving over the file
        snapshot.write(raw.replace(b'"title":"Item ffff0001"', b'"title":"Item ffff0009"'))
    json.loads(tmp_db.read_bytes())
    return tmp_db


def _snapshot_restored_from_a_backup(tmp_db: Path, tmp_path: Path) -> Path:
    backup = tmp_db.read_bytes()
    _fold(tmp_db)
    insert(Store(tmp_db).open(), "ffff0010")
    put_back(tmp_db, backup)  # the journal beside it is the newer one
    return tmp_db


def _journal_of_an_older_generation(tmp_db: Path, tmp_path: Path) -> Path:
    older = journal_of(tmp_db).read_bytes()
    _fold(tmp_db)  # the snapshot after this one folded `older`...
    _fold(tmp_db)  # ...but this one folded the journal in between
    put_back(journal_of(tmp_db), older)
    return tmp_db


def _backup_taken_during_a_fold(tmp_db: Path, tmp_path: Path) -> Path:
    """`cp queue.json queue.json.journal backup/` while a fold runs: the snapshot is copied
    before the fold, the journal after it (old snapshot, new journal)."""
    backup = tmp_path / "backup" / "queue.json"
    backup.parent.mkdir()
    shutil.copy2(tmp_db, backup)
    _fold(tmp_db)
    shutil.copy2(journal_of(tmp_db), journal_of(backup))
    return backup


def _journal_of_another_database(tmp_db: Path, tmp_path: Path) -> Path:
    other = tmp_path / "other" / "queue.json"
    insert(Store(other).open(), "ffff0011")
    put_back(journal_of(tmp_db), journal_of(other).read_bytes())
    return tmp_db


REFUSED = {
    "journal deleted by hand": (_journal_deleted_by_hand, MISSING),
    "only the snapshot copied": (_only_the_snapshot_copied, MISSING),
    "snapshot edited in place": (_snapshot_edited_in_place, NOT_ITS_OWN),
    "snapshot restored from a backup": (_snapshot_restored_from_a_backup, NOT_ITS_OWN),
    "journal of an older generation": (_journal_of_an_older_generation, NOT_ITS_OWN),
    "backup taken during a fold": (_backup_taken_during_a_fold, NOT_ITS_OWN),
    "journal of another database": (_journal_of_another_database, NOT_ITS_OWN),
}


@pytest.mark.parametrize("case", REFUSED)
def test_files_that_do_not_belong_together_are_refused(tmp_db: Path, tmp_path: Path,
                                                       monkeypatch, case: str) -> None:
    """The journal holds changes the snapshot does not: a snapshot without it, or beside a
    journal written for other snapshot bytes (and not the one it folded), would silently show
    and then keep a state nobody saved. Every way in is refused: one line naming the file, no
    byte of any file changed, a change writes nothing, the tests' own parser refuses too."""
    _snapshot_then_journal(tmp_db, monkeypatch)
    setup, expected = REFUSED[case]
    running = Store(tmp_db).open()
    running.items()  # a process that had parsed both files
    opened = Store(tmp_db).open()  # one that had opened but parsed nothing (`triage add`)
    path = setup(tmp_db, tmp_path)
    assert (path == tmp_db) == (case not in ("only the snapshot copied",
                                             "backup taken during a fold"))
    with pytest.raises(Refused):
        parse_database(path)
    before = files_in(path.parent)
    attempts = {
        "open": lambda: Store(path).open(),
        "open(create=False)": lambda: Store(path).open(create=False),
        "items": lambda: Store(path).items(),
        "transaction": lambda: insert(Store(path), "ffff0099"),
        "add_items": lambda: Store(path).add_items([make_item("ffff0099")], "bob", MOMENT),
    }
    if path == tmp_db:
        attempts.update({
            "running: items": running.items,
            "running: audit": running.audit,
            "running: transaction": lambda: insert(running, "ffff0099"),
            "running: add_items": lambda: running.add_items([make_item("ffff0099")], "bob",
                                                            MOMENT),
            "opened: add_items": lambda: opened.add_items([make_item("ffff0099")], "bob",
                                                          MOMENT),
            "opened: examples": opened.examples,
        })
    wrong = {}
    for name, attempt in attempts.items():
        try:
            attempt()
        except StoreError as error:
            message = str(error)
            if "\n" in message or not message.startswith(f"{path}: {expected}"):
                wrong[name] = message
        else:
            wrong[name] = "not refused"
    assert wrong == {}, f"each must be a one-line StoreError: '{path}: {expected} ...'"
    assert files_in(path.parent) == before, "no byte of any file changed"
    assert_cli_refuses(path, expected)


# -- the quick path of `triage add` ------------------------------------------------------------
def test_triage_add_appends_one_line_without_touching_the_snapshot(tmp_db: Path,
                                                                  monkeypatch) -> None:
    store = Store(tmp_db).open()
    with compacting():
        insert(store, "gggg0001")
    insert(store, "gggg0002")
    snapshot, journal = both_files(tmp_db)
    result = run_cli("--db", str(tmp_db), "--user", "u", "add", "Call the accountant back")
    assert result.returncode == 0, result.stderr
    new_id = result.stdout.strip()
    assert tmp_db.read_bytes() == snapshot, "the snapshot's bytes are unchanged"
    after = journal_of(tmp_db).read_bytes()
    assert after.startswith(journal)
    (line,) = after[len(journal):].splitlines()
    ops = ops_of(line)
    assert [(key, doc["title"]) for table, key, doc in ops if table == "items"] == [
        (new_id, "Call the accountant back")
    ]
    assert [(doc["item_id"], doc["user"], doc["action"]) for table, _, doc in ops
            if table == "audit"] == [(new_id, "u", "create")]
    assert titles(tmp_db) == {"gggg0001": "Item gggg0001", "gggg0002": "Item gggg0002",
                              new_id: "Call the accountant back"}


def test_a_quick_add_draws_another_id_when_the_first_is_taken(tmp_db: Path, monkeypatch) -> None:
    store = Store(tmp_db).open()
    with compacting():
        insert(store, "hhhh0001")  # in the snapshot
    insert(store, "hhhh0002")  # in the journal
    existing = Store(tmp_db).open().get("hhhh0001")
    snapshot, journal = both_files(tmp_db)
    drawn = iter(["hhhh0002", "hhhh0003", "hhhh0004"])
    monkeypatch.setattr(db_module, "new_item_id", lambda: next(drawn))
    loads = []
    real_load = storage_module.AtomicJSONStorage._load
    monkeypatch.setattr(storage_module.AtomicJSONStorage, "_load",
                        lambda self: (loads.append(self.path), real_load(self))[1])

    quick = Store(tmp_db).open()  # a fresh Store that has read nothing
    stored = quick.add_items(
        [make_item("hhhh0001", "Taken id"), make_item("hhhh0003", "Its own id, then taken")],
        "quick", MOMENT,
    )
    assert loads == [], "the snapshot was never parsed: the quick path"
    # hhhh0001 (snapshot) and the redraw hhhh0002 (journal) are taken; hhhh0003 is free for
    # the first, which then takes it from the second: that one gets hhhh0004.
    assert [(item.id, item.title) for item in stored] == [
        ("hhhh0003", "Taken id"), ("hhhh0004", "Its own id, then taken")
    ]
    assert tmp_db.read_bytes() == snapshot
    assert journal_of(tmp_db).read_bytes()[len(journal):].count(b"\n") == 1
    fresh = Store(tmp_db).open()
    assert fresh.get("hhhh0001") == existing, "the existing item is intact"
    assert titles(fresh) == {"hhhh0001": "Item hhhh0001", "hhhh0002": "Item hhhh0002",
                             "hhhh0003": "Taken id", "hhhh0004": "Its own id, then taken"}
    assert creates(fresh) == Counter(["hhhh0001", "hhhh0002", "hhhh0003", "hhhh0004"])


def test_a_quick_add_never_cuts_off_a_line_written_after_it_looked(tmp_db: Path,
                                                                  tmp_path: Path) -> None:
    """`triage add` opens (reading the journal without the lock), then appends under the lock
    at the end of what it read. If meanwhile another writer cut off a half line a killed writer
    left and appended a line of the very same length, the journal's inode and size are as they
    were: the quick add must still not write over that line."""
    store = Store(tmp_db).open()
    insert(store, "iiii0001")
    # How long bob's change will be, measured on a copy (examples have no random keys).
    scratch = tmp_path / "scratch" / "queue.json"
    scratch.parent.mkdir()
    shutil.copy2(tmp_db, scratch)
    shutil.copy2(journal_of(tmp_db), journal_of(scratch))
    size = journal_of(scratch).stat().st_size
    with Store(scratch).open().transaction("bob", MOMENT) as tx:
        tx.add_example("Book flights to Lisbon", "task")
    length = journal_of(scratch).stat().st_size - size

    with journal_of(tmp_db).open("ab") as journal:
        journal.write(b"x" * length)  # a killed writer's half line, as long as bob's line
    cli = Store(tmp_db).open()  # `triage add` has opened: it has read the journal
    bob = Store(tmp_db).open()
    with bob.transaction("bob", MOMENT) as tx:  # cuts the half line, appends his
        tx.add_example("Book flights to Lisbon", "task")
    cli.add_items([make_item("iiii0002")], "cli", MOMENT)
    fresh = Store(tmp_db).open()
    assert sorted(titles(fresh)) == ["iiii0001", "iiii0002"]
    assert [row["text"] for row in fresh.examples()] == ["Book flights to Lisbon"], (
        "bob's committed change was overwritten"
    )


# -- readers catching up -----------------------------------------------------------------------
def test_a_reader_holding_parsed_state_catches_up_line_by_line(tmp_db: Path, monkeypatch) -> None:
    writer = Store(tmp_db).open()
    insert(writer, "jjjj0001")
    reader = Store(tmp_db).open()
    assert titles(reader) == {"jjjj0001": "Item jjjj0001"}
    loads = []
    real_load = reader._storage._load
    monkeypatch.setattr(reader._storage, "_load", lambda: (loads.append(1), real_load())[1])

    insert(writer, "jjjj0002")
    assert sorted(titles(reader)) == ["jjjj0001", "jjjj0002"]
    retitle(writer, "jjjj0001", "Edited by the writer")
    assert reader.get("jjjj0001").title == "Edited by the writer"
    Store(tmp_db).open().add_items([make_item("jjjj0003")], "quick", MOMENT)
    assert sorted(titles(reader)) == ["jjjj0001", "jjjj0002", "jjjj0003"]
    assert len(reader.audit()) == 4
    assert loads == [], "only the new lines were read, never the snapshot again"

    with compacting():
        insert(writer, "jjjj0004")
    assert parse_database(tmp_db).changes == [], "the writer compacted"
    expected = {"jjjj0001": "Edited by the writer", "jjjj0002": "Item jjjj0002",
                "jjjj0003": "Item jjjj0003", "jjjj0004": "Item jjjj0004"}
    assert titles(reader) == expected
    assert loads == [1], "the new snapshot was read once"
    insert(writer, "jjjj0005")
    assert titles(reader) == {**expected, "jjjj0005": "Item jjjj0005"}
    assert len(reader.audit()) == 6 and loads == [1]


# -- real processes ----------------------------------------------------------------------------
def spawn(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", code, *map(str, args)], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, cwd=REPO)


def wait_ready(process: subprocess.Popen[str]) -> None:
    line = process.stdout.readline().strip()
    if line != "ready":
        process.wait(10)
        raise AssertionError(f"worker did not start: {line!r} {process.stderr.read()}")


# Adds k000000, k000001, ... one change each, by transaction and by the quick path in turn;
# prints each number once its change is on disk.
KILLED_WRITER = r"""
import sys
from triage_tui.domain.model import Item
from triage_tui.store import storage
from triage_tui.store.db import Store
path, n, storage.JOURNAL_LIMIT = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
store = Store(path).open(create=False)
print("ready", flush=True)
while True:
    new = Item(id=f"k{n:06}", title=f"committed {n}")
    if n % 3:
        with store.transaction("killed") as tx:
            tx.insert([new])
    else:
        Store(path).open(create=False).add_items([new], "killed")
    print(n, flush=True)
    n += 1
"""

FILLER = 2000
KILL_LIMIT = 8 * 1024
ROUNDS = 10


def test_kill_9_while_appending_and_compacting_keeps_a_prefix(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    note = "Ask the landlord about the meter reading before the end of the month. " * 2
    with store.transaction("setup") as tx:  # so that a compaction takes a while
        tx.insert([Item(id=f"filler-{n:05}", title=f"Filler {n}", notes=note)
                   for n in range(FILLER)])
    rng = random.Random(20250312)
    committed, seen = 0, Counter()
    for round_ in range(ROUNDS):
        snapshot = tmp_db.read_bytes()
        writer = spawn(KILLED_WRITER, tmp_db, committed, KILL_LIMIT)
        try:
            wait_ready(writer)
            if round_ % 2:
                time.sleep(rng.uniform(0.02, 0.25))
            else:  # aim near a compaction: once the journal is nearly full, a few ms more
                deadline = time.monotonic() + 2
                while (journal_of(tmp_db).stat().st_size < KILL_LIMIT - 700
                       and time.monotonic() < deadline):
                    time.sleep(0.0002)
                time.sleep(rng.uniform(0, 0.008))
        finally:
            os.kill(writer.pid, signal.SIGKILL)
            out, err = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL, err
        printed = [int(line) for line in out.split()[1:]]
        last = printed[-1] if printed else committed - 1

        fresh = Store(tmp_db).open(create=False)  # opens without error
        ids = sorted(item.id for item in fresh.items() if item.id.startswith("k"))
        assert ids == [f"k{n:06}" for n in range(len(ids))], "a prefix: no gap, no stranger"
        # Everything printed is there; at most the one change in flight beyond it.
        assert len(ids) in (last + 1, last + 2), (len(ids), last)
        counts = creates(fresh)
        assert all(counts[item_id] == 1 for item_id in ids)
        assert sum(counts.values()) == FILLER + len(ids), "one audit row per item, no more"
        parsed = parse_database(tmp_db)  # both files parse; the state agrees
        assert sorted(key for key in parsed.items() if key.startswith("k")) == ids
        seen["half line"] += parsed.half != b""
        seen["stale journal"] += parsed.stale
        seen["compacted"] += tmp_db.read_bytes() != snapshot
        seen["temp files"] += bool(list(tmp_db.parent.glob(".queue.json*.tmp")))
        committed = len(ids)
    assert committed > 20 and seen["compacted"] > 0, (committed, seen)
    print(f"\n{committed} items committed across {ROUNDS} kills; after them: {dict(seen)}")


# Adds COUNT items: odd ones through `add_items` on a fresh Store (the quick path), the others
# through the long-lived Store that has parsed everything (transactions). Prints how many
# quick adds appended without parsing the snapshot.
MIXED_WRITER = r"""
import json, os, sys, time
from triage_tui.domain.model import Item
from triage_tui.store import storage
from triage_tui.store.db import Store
path, name, go, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
storage.JOURNAL_LIMIT = int(sys.argv[5])
store = Store(path).open(create=False)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
quick = 0
for n in range(count):
    new = Item(id=f"{name}-{n:04}", title=f"{name} item {n}")
    if n % 2:
        fresh = Store(path).open(create=False)
        fresh.add_items([new], name)
        quick += not fresh._storage.loaded
    elif n % 4:
        store.add_items([new], name)
    else:
        with store.transaction(name) as tx:
            tx.insert([new])
print(json.dumps({"quick": quick}), flush=True)
"""

PROCESSES = 4
EACH = 40
MIXED_LIMIT = 4096


def test_processes_adding_through_both_paths_lose_nothing(tmp_db: Path) -> None:
    Store(tmp_db).open()
    go = tmp_db.with_name("go")
    names = [f"p{n}" for n in range(PROCESSES)]
    writers = [spawn(MIXED_WRITER, tmp_db, name, go, EACH, MIXED_LIMIT) for name in names]
    quick = 0
    try:
        for process in writers:
            wait_ready(process)
        go.touch()
        for process in writers:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0, err
            quick += json.loads(out)["quick"]
    finally:
        for process in writers:
            if process.poll() is None:
                process.kill()
                process.wait()
    expected = {f"{name}-{n:04}": f"{name} item {n}" for name in names for n in range(EACH)}
    fresh = Store(tmp_db).open()
    assert titles(fresh) == expected
    assert creates(fresh) == Counter(expected.keys()), "one create row per item"
    assert len(fresh.audit()) == len(expected)
    assert {row.user for row in fresh.audit() if row.item_id.startswith("p1-")} == {"p1"}
    parsed = parse_database(tmp_db)
    assert not parsed.stale and parsed.half == b""
    assert {key: doc["title"] for key, doc in parsed.items().items()} == expected
    assert len(journal_of(tmp_db).read_bytes()) <= MIXED_LIMIT
    assert len(parsed.snapshot["items"]) > len(expected) - 20, "compactions interleaved"
    assert quick > 0, "some adds took the quick path"
    print(f"\n{len(expected)} items, {quick} by the quick path")


# Creates or migrates the database at argv[1], killing itself (SIGKILL) at argv[2] in the
# compaction that writes its first journal and snapshot: journal first, then snapshot.
KILLED_OPENER = r"""
import os, signal, sys
from triage_tui.store import storage
from triage_tui.store.db import Store
path, where = sys.argv[1], sys.argv[2]
journal = path + ".journal"
real_write, real_replace = storage.write_atomically, os.replace

def die():
    os.kill(os.getpid(), signal.SIGKILL)

def replace(source, target, *args, **kwargs):  # the temp file is written and fsynced
    if where == f"before renaming the {'journal' if str(target) == journal else 'snapshot'}":
        die()
    return real_replace(source, target, *args, **kwargs)

def write(target, payload, like=None):
    real_write(target, payload, like)
    if where == f"after renaming the {'journal' if str(target) == journal else 'snapshot'}":
        die()

storage.os.replace = replace
storage.write_atomically = write
Store(path).open()
print("survived", flush=True)
"""

KILL_POINTS = ["before renaming the journal", "after renaming the journal",
               "before renaming the snapshot", "after renaming the snapshot"]


@pytest.mark.parametrize("where", KILL_POINTS)
@pytest.mark.parametrize("start", ["missing", "schema 1", "schema 2"])
def test_kill_9_while_creating_or_migrating_leaves_a_database_that_opens(
        tmp_db: Path, start: str, where: str) -> None:
    """Creation and migration write the journal first (the snapshot on disk names no journal,
    so it ignores any journal beside it), then the snapshot: a kill -9 anywhere between leaves
    files that open without error, re-creating or re-migrating, losing nothing."""
    items = {"old1": {"id": "old1", "title": "Reconcile the bank feed", "claimed_by": "ines",
                      "updated_at": "2024-11-03T08:00:00+00:00"},
             "old2": {"id": "old2", "title": "Write the onboarding SOP"}}
    if start != "missing":
        version = int(start.split()[1])
        data = {"_meta": {"schema": {"schema": version}}, "items": items, "audit": {}}
        if version == 2:
            data["examples"] = {}
            for document in items.values():
                document["claimed_at"] = None
        tmp_db.write_text(json.dumps(data, indent=1))
    original = tmp_db.read_bytes() if tmp_db.exists() else None
    killed = subprocess.run([sys.executable, "-c", KILLED_OPENER, str(tmp_db), where],
                            capture_output=True, text=True, cwd=REPO, timeout=60)
    assert killed.returncode == -signal.SIGKILL, (killed.stdout, killed.stderr)

    finished = where == "after renaming the snapshot"
    if not finished:
        # The snapshot is as it was (or still missing); a journal, if renamed in, is ignored.
        assert (tmp_db.read_bytes() if tmp_db.exists() else None) == original
        assert journal_of(tmp_db).exists() == (where != "before renaming the journal")
        if original is not None:
            parsed = parse_database(tmp_db)
            assert parsed.data == json.loads(original)
            assert parsed.stale == journal_of(tmp_db).exists()
    if original is not None:
        backup = tmp_db.with_name(f"queue.json.schema{start.split()[1]}.bak")
        assert backup.read_bytes() == original, "the backup is taken before any write"

    store = Store(tmp_db).open()  # no error: re-creates or re-migrates
    parsed = parse_database(tmp_db)
    assert not parsed.stale and parsed.changes == []
    assert parsed.header["id"] == parsed.journal["id"]
    assert parsed.data["_meta"]["schema"]["schema"] == 3 == parsed.header["schema"]
    expected = {} if start == "missing" else {key: doc["title"] for key, doc in items.items()}
    assert titles(store) == expected
    if start == "schema 1":
        assert store.get("old1").claimed_at == "2024-11-03T08:00:00+00:00"
    insert(store, "kkkk0001")  # and takes changes (sweeping the killed writer's temp files)
    assert list(tmp_db.parent.glob(".queue.json*.tmp")) == []
    assert titles(Store(tmp_db).open()) == {**expected, "kkkk0001": "Item kkkk0001"}
    assert not parse_database(tmp_db).stale
