"""The snapshot + journal store on real files: appends, compaction, torn and damaged lines,
stopped compactions, copies, the `triage add` quick path, catching up, kill -9 and many writers.

Every check reads the files back, either through a fresh `Store` or with the tests' own parser
(`journal_support`), and compares contents: ids, titles, audit rows, exact bytes.
"""

from __future__ import annotations

import contextlib
import dataclasses
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
from journal_support import both_files, journal_lines, journal_of, parse_database

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
    ops = json.loads(line)["ops"]
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
    assert ["items", "aaaa0002", None] in json.loads(lines[-1])["ops"], "a delete is a null"

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
HALF_LINE = b'{"ops":[["items","dead0001",{"id":"dead0001","title":"never comm'


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


DAMAGE = {
    "zeros": lambda line: b"\x00" * (len(line) - 1) + b"\n",
    "cut short": lambda line: line[: len(line) // 2] + b"\n",
    "not a change": lambda line: b'{"journal": 1}\n',
    "empty": lambda line: b"\n",
}


def damage_line(path: Path, index: int, damage) -> None:
    journal = journal_of(path)
    lines = journal.read_bytes().splitlines(keepends=True)
    lines[index] = damage(lines[index])
    journal.write_bytes(b"".join(lines))


def assert_names_line(error: BaseException, path: Path, number: int) -> None:
    message = one_line(error)
    assert str(path) in message and f"{path.name}.journal line {number} " in message, message


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
        or f"{tmp_db}: queue.json.journal line 3 " not in str(error)
    }
    assert wrong == {}, "each must raise a one-line StoreError naming the file and line 3"


def run_cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "triage_tui", *args], capture_output=True,
                          text=True, cwd=REPO, timeout=60)


def test_a_damaged_line_is_one_line_on_stderr_and_exit_2(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    for n in range(3):
        insert(store, f"dddd000{n}")
    damage_line(tmp_db, 2, DAMAGE["cut short"])
    before = files_in(tmp_db.parent)
    for command in (["list"], ["--user", "u", "add", "Call the bank"]):
        result = run_cli("--db", str(tmp_db), *command)
        assert result.returncode == 2, result
        assert "Traceback" not in result.stderr and result.stdout == ""
        (line,) = result.stderr.splitlines()
        assert line.startswith("triage: ") and "queue.json.journal line 3 " in line, line
    assert files_in(tmp_db.parent) == before


def test_a_quick_add_opened_before_a_line_was_damaged_in_place_writes_nothing(
        tmp_db: Path) -> None:
    """`triage add` opens (reading the journal without the lock), then adds. Damage that keeps
    the journal's size (a zeroed block) in between must still be found before it appends."""
    store = Store(tmp_db).open()
    for n in range(3):
        insert(store, f"dddd000{n}")
    opened = Store(tmp_db).open()
    damage_line(tmp_db, 2, DAMAGE["zeros"])
    before = files_in(tmp_db.parent)
    with pytest.raises(StoreError) as caught:
        opened.add_items([make_item("dddd0009")], "bob", MOMENT)
    assert_names_line(caught.value, tmp_db, 3)
    assert files_in(tmp_db.parent) == before, "nothing appended after the damaged line"


def test_a_damaged_header_line_is_a_damaged_database_too(tmp_db: Path) -> None:
    """A header is written whole (temp file + rename), so an unreadable one is damage, not a
    compaction stopped half-way: treating it as stale would drop every journaled change."""
    store = Store(tmp_db).open()
    for n in range(3):
        insert(store, f"dddd000{n}")
    damage_line(tmp_db, 0, DAMAGE["zeros"])
    before = files_in(tmp_db.parent)
    with pytest.raises(StoreError) as caught:
        Store(tmp_db).open()
    assert_names_line(caught.value, tmp_db, 1)
    with pytest.raises(StoreError), Store(tmp_db).transaction("bob", MOMENT) as tx:
        tx.insert([make_item("dddd0009")])
    assert files_in(tmp_db.parent) == before, "the journaled changes were not compacted away"


def test_a_reader_that_already_read_lines_names_the_damaged_line(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    insert(store, "dddd0000")
    reader = Store(tmp_db).open()
    assert sorted(titles(reader)) == ["dddd0000"]  # it has applied line 2
    insert(store, "dddd0001")
    insert(store, "dddd0002")
    assert sorted(titles(reader)) == ["dddd0000", "dddd0001", "dddd0002"]  # and lines 3, 4
    with journal_of(tmp_db).open("ab") as journal:
        journal.write(b'{"ops": "not a list of changes"}\n')  # line 5
    for someone in (Store(tmp_db), reader):
        with pytest.raises(StoreError) as caught:
            someone.items()
        assert_names_line(caught.value, tmp_db, 5)


# -- a compaction stopped half-way -------------------------------------------------------------
@pytest.mark.parametrize("next_change", ["transaction", "quick add"])
def test_a_compaction_killed_between_its_replaces_loses_nothing(tmp_db: Path,
                                                                next_change: str) -> None:
    store = Store(tmp_db).open()
    insert(store, "eeee0001", "eeee0002")
    retitle(store, "eeee0001", "Edited in the journal")
    reader = Store(tmp_db).open()
    assert reader.get("eeee0001").title == "Edited in the journal"
    old_journal = journal_of(tmp_db).read_bytes()

    # The killed compaction had written its snapshot, holding the journal's changes and its
    # own (eeee0001 edited again, eeee0003 added), but not yet its new journal.
    data = parse_database(tmp_db).data
    data["items"]["eeee0001"]["title"] = "Edited by the compaction"
    data["items"]["eeee0003"] = make_item("eeee0003").to_storage()
    temp = tmp_db.with_name(".queue.json.killed.tmp")
    temp.write_bytes(orjson.dumps(data))
    os.replace(temp, tmp_db)
    new_snapshot = tmp_db.read_bytes()
    assert journal_of(tmp_db).read_bytes() == old_journal and parse_database(tmp_db).stale

    expected = {"eeee0001": "Edited by the compaction", "eeee0002": "Item eeee0002",
                "eeee0003": "Item eeee0003"}
    for someone in (Store(tmp_db).open(), reader, store):
        assert titles(someone) == expected, "the stale journal is not applied again"
    assert creates(Store(tmp_db).open()) == Counter(["eeee0001", "eeee0002"])

    if next_change == "transaction":
        insert(store, "eeee0004")
    else:
        Store(tmp_db).open().add_items([make_item("eeee0004")], "quick", MOMENT)
    parsed = parse_database(tmp_db)
    assert tmp_db.read_bytes() != new_snapshot, "the next change compacted"
    assert not parsed.stale and parsed.changes == [], "and left a header-only journal"
    expected["eeee0004"] = "Item eeee0004"
    assert {key: doc["title"] for key, doc in parsed.snapshot["items"].items()} == expected
    for someone in (Store(tmp_db).open(), reader):
        assert titles(someone) == expected


# -- copies ------------------------------------------------------------------------------------
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


def test_copying_only_the_snapshot_shows_only_the_snapshot(tmp_db: Path, tmp_path: Path,
                                                           monkeypatch) -> None:
    in_snapshot, _ = _snapshot_then_journal(tmp_db, monkeypatch)
    only = tmp_path / "only" / "queue.json"
    only.parent.mkdir()
    shutil.copy2(tmp_db, only)
    # Documented: the journal's changes live in the journal; without it, the snapshot's state.
    assert titles(only) == in_snapshot
    assert len(Store(only).open().audit()) == 2
    insert(Store(only).open(), "ffff0005")  # its first change makes it a journal
    parsed = parse_database(only)
    assert not parsed.stale
    assert titles(only) == {**in_snapshot, "ffff0005": "Item ffff0005"}


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
    ops = json.loads(line)["ops"]
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
