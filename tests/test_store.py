"""The store against real TinyDB files on disk: create, migrate, refuse, audit, fail safely."""

from __future__ import annotations

import dataclasses
import errno
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from datetime import datetime, timedelta, timezone
from pathlib import Path

import orjson
import pytest
from journal_support import (
    both_files,
    decode_line,
    encode_line,
    journal_of,
    ops_of,
    parse_database,
    stamp,
)

from triage_tui.domain.model import Item, Suggestion, now_iso
from triage_tui.store import db as db_module
from triage_tui.store import storage as storage_module
from triage_tui.store.db import SCHEMA_VERSION, ReadOnlyError, Store, StoreError

MOMENT = datetime(2025, 3, 12, 9, 30, 15, tzinfo=timezone(timedelta(hours=1)))
REPO = Path(__file__).resolve().parent.parent


def make_item(item_id: str, title: str = "Send the March invoices", **fields) -> Item:
    return Item(id=item_id, title=title, created_at=now_iso(MOMENT), updated_at=now_iso(MOMENT),
                created_by="alice", updated_by="alice", **fields)


def folder_snapshot(folder: Path) -> dict[str, bytes | None]:
    """Every entry of a folder with its bytes (None for folders), lock files left out."""
    return {
        entry.name: (entry.read_bytes() if entry.is_file() else None)
        for entry in folder.iterdir()
        if not entry.name.endswith(".lock")
    }


def one_line(error: BaseException) -> str:
    text = str(error)
    assert text and "\n" not in text, f"not one line: {text!r}"
    return text


@pytest.fixture
def store(tmp_db: Path) -> Iterator[Store]:
    opened = Store(tmp_db).open()
    yield opened
    opened.close()


# -- creating and reopening -----------------------------------------------------------------
def recording_writes(monkeypatch) -> list[str]:
    """The names of the files `write_atomically` writes from now on, in order."""
    writes: list[str] = []
    real = storage_module.write_atomically
    monkeypatch.setattr(storage_module, "write_atomically", lambda path, payload, **kw: (
        writes.append(Path(path).name), real(path, payload, **kw)))
    return writes


def test_create_writes_a_schema_3_snapshot_and_its_journal(tmp_db: Path, monkeypatch) -> None:
    writes = recording_writes(monkeypatch)
    Store(tmp_db).open()
    # The journal first: until the snapshot names it, nothing reads it.
    assert writes == ["queue.json.journal", "queue.json"]
    raw = tmp_db.read_bytes()
    data = json.loads(raw)
    assert data["_meta"]["schema"]["schema"] == SCHEMA_VERSION == 3
    assert data["items"] == {} and data["audit"] == {} and data["examples"] == {}
    # The journal is a header only, naming these exact snapshot bytes, with the id the
    # snapshot names; the snapshot folded no journal.
    lines = journal_of(tmp_db).read_bytes().splitlines(keepends=True)
    assert len(lines) == 1 and lines[0].endswith(b"\n")
    header = decode_line(lines[0])
    assert lines[0] == encode_line(header), "<crc32 of the JSON, 8 hex digits> <JSON>"
    journal_id = header.pop("id")
    assert isinstance(journal_id, str) and len(journal_id) >= 16
    int(journal_id, 16)
    assert header == {"journal": 1, "schema": 3, "snapshot": stamp(raw), "examples": {}}
    assert data["_meta"]["journal"] == {"id": journal_id, "folded": None}
    # Another database gets another id.
    other = tmp_db.parent.parent / "other" / "queue.json"
    Store(other).open()
    assert parse_database(other).header["id"] != journal_id
    assert sorted(p.name for p in tmp_db.parent.iterdir()) == [
        "queue.json", "queue.json.journal", "queue.json.lock"
    ]


def test_open_without_create_names_the_missing_file(tmp_db: Path) -> None:
    with pytest.raises(StoreError) as caught:
        Store(tmp_db).open(create=False)
    assert str(tmp_db) in one_line(caught.value)
    assert list(tmp_db.parent.iterdir()) == []


def test_create_makes_missing_parent_folders(tmp_path: Path) -> None:
    path = tmp_path / "a" / "b" / "queue.json"
    Store(path).open()
    assert path.is_file()


def test_reopen_sees_what_was_stored(store: Store, tmp_db: Path) -> None:
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("aaaa0001", tags=["billing"], estimate_minutes=20),
                   make_item("aaaa0002", title="Pick a CRM", lane="ops")])
    store.close()
    again = Store(tmp_db).open()
    by_id = {item.id: item for item in again.items()}
    assert set(by_id) == {"aaaa0001", "aaaa0002"}
    assert by_id["aaaa0001"].tags == ["billing"] and by_id["aaaa0001"].estimate_minutes == 20
    assert by_id["aaaa0002"].lane == "ops"
    assert again.get("aaaa0002") == by_id["aaaa0002"]
    assert again.get("nope") is None


def test_every_field_round_trips(store: Store, tmp_db: Path) -> None:
    item = make_item(
        "bbbb0001", title='Quote "A&B" <b>[bold]</b> café 日本 ✓', notes="line 1\nline 2",
        lane="task", lane_source="suggested", suggestion=Suggestion("task", 0.82, ["invoice"]),
        due="2025-03-14T15:00:00+01:00", estimate_minutes=90, recurrence="FREQ=WEEKLY;BYDAY=MO",
        tags=["billing", "q1"], assignee="bob", claimed_by="carol", claimed_at=now_iso(MOMENT),
        version=7,
    )
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([item])
    assert Store(tmp_db).open().get("bbbb0001") == item


# -- changes and the audit table ---------------------------------------------------------
def test_insert_replace_delete_round_trip_with_audit(store: Store) -> None:
    original = make_item("cccc0001", tags=["billing"])
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([original])
    later = MOMENT + timedelta(minutes=5)
    changed = dataclasses.replace(
        original, title="Send the April invoices", lane="task", tags=["billing", "monthly"],
        version=2, updated_at=now_iso(later), updated_by="bob",
    )
    with store.transaction("bob", later) as tx:
        assert tx.get("cccc0001") == original
        rows = tx.replace(original, changed, "edit")
    assert store.get("cccc0001") == changed

    # One row per changed field; bookkeeping fields (version, updated_*) are not audited.
    assert {row.field for row in rows} == {"title", "lane", "tags"}
    audit = store.audit()
    created = [row for row in audit if row.action == "create"]
    assert [(row.user, row.item_id, row.field, row.old, row.new, row.at) for row in created] == [
        ("alice", "cccc0001", "title", None, "Send the March invoices", now_iso(MOMENT))
    ]
    edits = {row.field: row for row in audit if row.action == "edit"}
    assert set(edits) == {"title", "lane", "tags"}
    assert (edits["title"].old, edits["title"].new) == ("Send the March invoices",
                                                        "Send the April invoices")
    assert (edits["lane"].old, edits["lane"].new) == ("unsorted", "task")
    assert (edits["tags"].old, edits["tags"].new) == (["billing"], ["billing", "monthly"])
    assert all(row.user == "bob" and row.at == now_iso(later) and row.item_id == "cccc0001"
               for row in edits.values())

    with store.transaction("carol", later) as tx:
        tx.delete(["cccc0001"])
    assert store.get("cccc0001") is None and store.items() == []
    deleted = [row for row in store.audit() if row.action == "delete"]
    assert [(row.user, row.item_id, row.field) for row in deleted] == [
        ("carol", "cccc0001", "deleted")
    ]
    # Audit rows are kept in the order they were written.
    assert [row.action for row in store.audit()] == ["create", *["edit"] * 3, "delete"]


def test_inserting_an_existing_id_changes_nothing(store: Store, tmp_db: Path) -> None:
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("dddd0001")])
    before = tmp_db.read_bytes()
    with pytest.raises(ValueError), store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("dddd0002"), make_item("dddd0001", title="duplicate")])
    assert tmp_db.read_bytes() == before
    assert [item.id for item in store.items()] == ["dddd0001"]


def test_an_error_inside_a_transaction_writes_nothing(store: Store, tmp_db: Path) -> None:
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("eeee0001")])
    before = tmp_db.read_bytes()
    with pytest.raises(RuntimeError), store.transaction("alice", MOMENT) as tx:
        current = tx.get("eeee0001")
        tx.replace(current, dataclasses.replace(current, title="half done"))
        tx.insert([make_item("eeee0002")])
        raise RuntimeError("the caller changed its mind")
    assert tmp_db.read_bytes() == before
    # The in-memory copy TinyDB mutated was dropped too: reads show the file.
    assert [item.title for item in store.items()] == ["Send the March invoices"]
    assert len(store.audit()) == 1


def _many_changes(store: Store, prefix: str) -> None:
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item(f"{prefix}{n:04}") for n in range(5)])
        for n in range(5):
            current = tx.get(f"{prefix}{n:04}")
            tx.replace(current, dataclasses.replace(current, lane="task"))
        tx.add_example("Send the March invoices", "task")


def test_one_transaction_is_one_journal_line(store: Store, tmp_db: Path, monkeypatch) -> None:
    writes = recording_writes(monkeypatch)
    snapshot, journal = both_files(tmp_db)
    _many_changes(store, "ffff")
    assert writes == [], "an ordinary change rewrites no file"
    assert tmp_db.read_bytes() == snapshot
    after = journal_of(tmp_db).read_bytes()
    assert after.startswith(journal) and after.endswith(b"\n")
    added = after[len(journal):].splitlines()
    assert len(added) == 1, "the whole transaction is one line"
    ops = ops_of(added[0])
    # Each changed document once, as it stands at the end of the transaction.
    assert sorted((table, document["lane"]) for table, _, document in ops
                  if table == "items") == [("items", "task")] * 5
    assert sorted(table for table, _, _ in ops) == ["audit"] * 10 + ["examples"] + ["items"] * 5
    assert len(store.items()) == 5 and len(store.audit()) == 10 and len(store.examples()) == 1

    # A change that compacts writes the snapshot, then the journal: one write of each. The
    # new snapshot names its new journal and the one it folded.
    folded = parse_database(tmp_db).header["id"]
    monkeypatch.setattr(storage_module, "JOURNAL_LIMIT", 0)
    _many_changes(store, "gggg")
    assert writes == ["queue.json", "queue.json.journal"]
    parsed = parse_database(tmp_db)
    assert not parsed.stale and parsed.changes == [] and parsed.data == parsed.snapshot
    assert parsed.journal == {"id": parsed.header["id"], "folded": folded}
    assert parsed.header["id"] != folded
    again = Store(tmp_db).open()
    assert len(again.items()) == 10 and len(again.audit()) == 20 and len(again.examples()) == 2


def test_examples_are_stored_with_who_and_when(store: Store) -> None:
    with store.transaction("alice", MOMENT) as tx:
        tx.add_example("Book flights to Lisbon", "task")
        tx.add_example("Choose a bookkeeping tool", "ops")
    with store.transaction("alice", MOMENT) as tx:
        tx.add_example("Book flights to Lisbon", "task")
    examples = store.examples()
    assert [(row["text"], row["lane"]) for row in examples] == [
        ("Book flights to Lisbon", "task"), ("Choose a bookkeeping tool", "ops"),
        ("Book flights to Lisbon", "task"),
    ]
    assert all(row["user"] == "alice" and row["at"] == now_iso(MOMENT) for row in examples)


# -- lock-free reads across processes -----------------------------------------------------
def test_items_cache_sees_another_store_s_write(tmp_db: Path) -> None:
    mine, theirs = Store(tmp_db).open(), Store(tmp_db).open()
    with mine.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("gggg0001")])
    first = mine.items()
    again = mine.items()
    assert first == again and first[0] is again[0], "unchanged file: served from the cache"
    signature = mine.signature()

    with theirs.transaction("bob", MOMENT) as tx:  # as another process would
        current = tx.get("gggg0001")
        tx.replace(current, dataclasses.replace(current, title="Changed by bob"))
        tx.insert([make_item("gggg0002")])
    assert mine.signature() != signature
    assert sorted(item.id for item in mine.items()) == ["gggg0001", "gggg0002"]
    assert mine.get("gggg0001").title == "Changed by bob"
    assert [row.user for row in mine.audit()][-2:] == ["bob", "bob"]

    # And a transaction of `mine` starts from bob's state, not from its cache.
    with mine.transaction("alice", MOMENT) as tx:
        assert tx.get("gggg0001").title == "Changed by bob"
        tx.delete(["gggg0002"])
    assert [item.id for item in theirs.items()] == ["gggg0001"]


def test_reads_see_a_change_made_by_a_separate_process(store: Store, tmp_db: Path) -> None:
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("hhhh0001")])
    assert len(store.items()) == 1
    code = (
        "import sys\nfrom triage_tui.store.db import Store\n"
        "from triage_tui.domain.model import Item\n"
        "s = Store(sys.argv[1]).open(create=False)\n"
        "with s.transaction('bob') as tx: tx.insert([Item(id='hhhh0002', title='from bob')])\n"
    )
    subprocess.run([sys.executable, "-c", code, str(tmp_db)], check=True, cwd=REPO, timeout=60)
    assert sorted(item.id for item in store.items()) == ["hhhh0001", "hhhh0002"]


# -- schema versions ----------------------------------------------------------------------
def write_json(path: Path, data: object) -> bytes:
    raw = json.dumps(data, indent=1).encode()
    path.write_bytes(raw)
    return raw


def test_newer_schema_is_refused_and_left_alone(tmp_db: Path) -> None:
    raw = write_json(tmp_db, {"_meta": {"schema": {"schema": 99}}, "items": {}, "audit": {},
                              "examples": {}, "future_table": {}})
    before = folder_snapshot(tmp_db.parent)
    with pytest.raises(StoreError) as caught:
        Store(tmp_db).open()
    message = one_line(caught.value)
    assert str(tmp_db) in message and "99" in message and "newer" in message
    assert tmp_db.read_bytes() == raw
    assert folder_snapshot(tmp_db.parent) == before


SCHEMA_1 = {
    "_meta": {"schema": {"schema": 1, "created_at": "2024-11-02T10:00:00+00:00"}},
    "items": {
        "a1b2c3d4": {"id": "a1b2c3d4", "title": "Reconcile the bank feed", "lane": "task",
                     "status": "open", "tags": ["books"], "created_at": "2024-11-02T10:00:00+00:00",
                     "updated_at": "2024-11-02T10:00:00+00:00", "version": 3},
        "e5f6a7b8": {"id": "e5f6a7b8", "title": "Write the onboarding SOP", "lane": "ops",
                     "claimed_by": "alice", "updated_at": "2024-11-03T08:00:00+00:00",
                     "version": 1},
    },
    "audit": {"1": {"at": "2024-11-02T10:00:00+00:00", "user": "alice", "item_id": "a1b2c3d4",
                    "field": "title", "old": None, "new": "Reconcile the bank feed",
                    "action": "create"}},
}


def test_schema_1_is_backed_up_then_migrated(tmp_db: Path, monkeypatch) -> None:
    raw = write_json(tmp_db, SCHEMA_1)
    writes = recording_writes(monkeypatch)
    store = Store(tmp_db).open()
    # The journal first: the schema 1 snapshot names none, so it ignores it until replaced.
    assert writes == ["queue.json.journal", "queue.json"]
    parsed = parse_database(tmp_db)
    assert not parsed.stale and parsed.journal == {"id": parsed.header["id"], "folded": None}
    backup = tmp_db.with_name("queue.json.schema1.bak")
    assert backup.read_bytes() == raw
    data = json.loads(tmp_db.read_text())
    assert data["_meta"]["schema"]["schema"] == SCHEMA_VERSION
    assert data["examples"] == {}
    assert all("claimed_at" in document for document in data["items"].values())
    assert data["items"]["a1b2c3d4"]["claimed_at"] is None
    # A claim from before claim times existed starts its clock at the item's last change, so
    # it expires like any other instead of locking the item forever.
    assert data["items"]["e5f6a7b8"]["claimed_at"] == "2024-11-03T08:00:00+00:00"
    by_id = {item.id: item for item in store.items()}
    assert by_id["a1b2c3d4"].tags == ["books"] and by_id["a1b2c3d4"].version == 3
    assert len(store.audit()) == 1
    # Opening again neither migrates nor backs up again.
    backup.unlink()
    Store(tmp_db).open()
    assert not backup.exists()
    with store.transaction("bob", MOMENT) as tx:
        tx.add_example("Reconcile the bank feed", "task")
    assert len(Store(tmp_db).open().examples()) == 1


@pytest.mark.parametrize("start", ["missing", "schema 1"])
def test_a_creation_or_migration_whose_snapshot_cannot_be_written_changes_nothing(
        tmp_db: Path, monkeypatch, start: str) -> None:
    """Creation and migration write the journal first: when the snapshot then cannot be
    written, the snapshot on disk (none, or the old schema) names no journal and ignores the
    new one. Nothing changed, and the next open creates or migrates as if it never ran."""
    raw = write_json(tmp_db, SCHEMA_1) if start == "schema 1" else None
    real_replace = os.replace

    def snapshot_fails(source, target, *args, **kwargs):
        if str(target) == str(tmp_db):
            _disk_full()
        return real_replace(source, target, *args, **kwargs)

    with monkeypatch.context() as patch:
        patch.setattr(storage_module.os, "replace", snapshot_fails)
        with pytest.raises(StoreError) as caught:
            Store(tmp_db).open()
    message = one_line(caught.value)
    assert str(tmp_db) in message and "nothing was changed" in message, message
    assert journal_of(tmp_db).exists(), "the journal was written first"
    if raw is None:
        assert not tmp_db.exists()
    else:
        assert tmp_db.read_bytes() == raw
        parsed = parse_database(tmp_db)
        assert parsed.stale and parsed.data == SCHEMA_1, "the new journal is ignored"
    assert [p.name for p in tmp_db.parent.iterdir() if p.name.endswith(".tmp")] == []

    store = Store(tmp_db).open()
    parsed = parse_database(tmp_db)
    assert not parsed.stale and parsed.data["_meta"]["schema"]["schema"] == SCHEMA_VERSION
    expected = [] if raw is None else sorted(SCHEMA_1["items"])
    assert sorted(item.id for item in store.items()) == expected
    with store.transaction("bob", MOMENT) as tx:
        tx.insert([make_item("rrrr0001")])
    assert sorted(item.id for item in Store(tmp_db).open().items()) == [*expected, "rrrr0001"]


def test_schema_1_that_this_user_cannot_write_is_refused(tmp_db: Path, monkeypatch) -> None:
    raw = write_json(tmp_db, SCHEMA_1)
    monkeypatch.setattr(db_module.os, "access", lambda path, mode: mode != os.W_OK)
    with pytest.raises(StoreError) as caught:
        Store(tmp_db).open()
    assert str(tmp_db) in one_line(caught.value) and "upgrade" in str(caught.value)
    assert tmp_db.read_bytes() == raw
    assert sorted(p.name for p in tmp_db.parent.iterdir()) == ["queue.json"]


# -- corrupt, truncated and foreign files --------------------------------------------------
def _valid_database_bytes(tmp_path: Path) -> bytes:
    path = tmp_path / "valid" / "db.json"
    store = Store(path).open()
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item(f"iiii{n:04}") for n in range(20)])
    return path.read_bytes()


CORRUPT = {
    "truncated": lambda valid: valid[: len(valid) // 2],
    "empty": lambda valid: b"",
    "whitespace": lambda valid: b"  \n\n ",
    "binary": lambda valid: bytes(range(256)) * 8,
    "nul bytes": lambda valid: b"\x00" * 4096,
    "list": lambda valid: b"[1, 2, 3]",
    "string": lambda valid: b'"hello"',
    "plain tinydb": lambda valid: b'{"_default": {"1": {"title": "Buy milk"}}}',
    "items not a table": lambda valid: b'{"_meta": {"schema": {"schema": 2}}, "items": []}',
    "schema not a number": lambda valid: b'{"_meta": {"schema": {"schema": "2"}}, "items": {}}',
    "schema zero": lambda valid: b'{"_meta": {"schema": {"schema": 0}}, "items": {}}',
    "todo.txt": lambda valid: b"(A) Call the accountant +books due:2025-03-14\n",
}


@pytest.mark.parametrize("kind", CORRUPT)
def test_corrupt_file_is_refused_and_never_written(kind: str, tmp_db: Path, tmp_path) -> None:
    raw = CORRUPT[kind](_valid_database_bytes(tmp_path))
    tmp_db.write_bytes(raw)
    before = folder_snapshot(tmp_db.parent)
    for attempt in (lambda: Store(tmp_db).open(), lambda: Store(tmp_db).open(create=False)):
        with pytest.raises(StoreError) as caught:
            attempt()
        assert str(tmp_db) in one_line(caught.value)
    assert tmp_db.read_bytes() == raw
    assert folder_snapshot(tmp_db.parent) == before, "nothing but a lock file may appear"


@pytest.mark.parametrize("kind", ["truncated", "binary", "plain tinydb"])
def test_file_corrupted_after_opening_is_not_overwritten(kind, tmp_db: Path, tmp_path) -> None:
    store = Store(tmp_db).open()
    store.items()
    raw = CORRUPT[kind](_valid_database_bytes(tmp_path))
    tmp_db.write_bytes(raw)  # something else broke it while we were running
    with pytest.raises(StoreError) as caught, store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("jjjj0001")])
    assert str(tmp_db) in one_line(caught.value)
    assert tmp_db.read_bytes() == raw
    if kind != "plain tinydb":
        with pytest.raises(StoreError):
            store.items()


@pytest.mark.parametrize("newer_writes", ["snapshot", "snapshot and journal"])
def test_file_upgraded_by_a_newer_triage_while_open_is_not_written(tmp_db: Path,
                                                                   newer_writes: str) -> None:
    store = Store(tmp_db).open()
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("jjjj0002")])
    peeked = Store(tmp_db).open()  # opened (schema checked) but nothing parsed yet
    # A newer triage compacts into a schema 4 snapshot (naming its new journal and the one it
    # folded): it may or may not get to its journal.
    parsed = parse_database(tmp_db)
    data = parsed.data
    data["_meta"]["schema"]["schema"] = 4
    data["_meta"]["journal"] = {"id": "4444444444444444", "folded": parsed.header["id"]}
    raw = write_json(tmp_db, data)
    if newer_writes == "snapshot and journal":
        header = {"journal": 1, "id": "4444444444444444", "schema": 4, "snapshot": stamp(raw),
                  "examples": {}}
        journal_of(tmp_db).write_bytes(encode_line(header))
    assert parse_database(tmp_db).stale == (newer_writes == "snapshot")
    before = folder_snapshot(tmp_db.parent)
    for who in (store, peeked):
        with pytest.raises(StoreError) as caught, who.transaction("alice", MOMENT) as tx:
            tx.insert([make_item("jjjj0003")])
        assert str(tmp_db) in one_line(caught.value) and "schema 4" in str(caught.value)
        with pytest.raises(StoreError) as caught:  # the quick path for new items too
            who.add_items([make_item("jjjj0004")], "alice", MOMENT)
        assert str(tmp_db) in one_line(caught.value) and "schema 4" in str(caught.value)
    assert folder_snapshot(tmp_db.parent) == before, "neither file was written"


def test_a_directory_at_the_path_is_refused(tmp_db: Path) -> None:
    tmp_db.mkdir()
    (tmp_db / "inside.txt").write_text("keep me")
    with pytest.raises(StoreError) as caught:
        Store(tmp_db).open()
    assert str(tmp_db) in one_line(caught.value)
    assert (tmp_db / "inside.txt").read_text() == "keep me"
    assert sorted(p.name for p in tmp_db.parent.iterdir()) == ["queue.json"]


def test_a_stale_temp_file_does_not_break_opening(store: Store, tmp_db: Path) -> None:
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("kkkk0001")])
    (tmp_db.parent / ".queue.json.abc123.tmp").write_bytes(b'{"_meta": {"sche')
    again = Store(tmp_db).open()
    with again.transaction("bob", MOMENT) as tx:
        tx.insert([make_item("kkkk0002")])
    assert len(Store(tmp_db).open().items()) == 2


# -- permissions ----------------------------------------------------------------------------
def test_read_only_by_access_check_reads_but_never_writes(tmp_db: Path, monkeypatch) -> None:
    store = Store(tmp_db).open()
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("llll0001")])
    before = folder_snapshot(tmp_db.parent)
    monkeypatch.setattr(db_module.os, "access", lambda path, mode: mode != os.W_OK)
    viewer = Store(tmp_db).open()
    assert viewer.read_only
    assert [item.id for item in viewer.items()] == ["llll0001"]
    with pytest.raises(ReadOnlyError) as caught, viewer.transaction("bob") as tx:
        tx.insert([make_item("llll0002")])
    assert str(tmp_db) in one_line(caught.value)
    assert folder_snapshot(tmp_db.parent) == before


def test_read_only_user_cannot_create_a_database(tmp_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(db_module.os, "access", lambda path, mode: mode != os.W_OK)
    with pytest.raises(StoreError) as caught:
        Store(tmp_db).open()
    assert str(tmp_db) in one_line(caught.value)
    assert list(tmp_db.parent.iterdir()) == []


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads every file; see the setpriv tests")
def test_unreadable_file_is_refused(tmp_db: Path) -> None:
    Store(tmp_db).open()
    raw = tmp_db.read_bytes()
    tmp_db.chmod(0)
    try:
        with pytest.raises(StoreError) as caught:
            Store(tmp_db).open()
        assert str(tmp_db) in one_line(caught.value)
    finally:
        tmp_db.chmod(0o600)
    assert tmp_db.read_bytes() == raw


SETPRIV = shutil.which("setpriv")
AS_NOBODY_SCRIPT = r"""
import json, sys
from triage_tui.store.db import ReadOnlyError, Store, StoreError
from triage_tui.domain.model import Item
out = {}
try:
    store = Store(sys.argv[1]).open()
except StoreError as error:
    out["open_error"] = str(error)
else:
    out["read_only"] = store.read_only
    out["ids"] = [item.id for item in store.items()]
    out["titles"] = [item.title for item in store.items()]
    try:
        with store.transaction("nobody") as tx:
            tx.insert([Item(id="zzzz9999", title="should not land")])
    except ReadOnlyError as error:
        out["write_error"] = str(error)
print(json.dumps(out))
"""


@pytest.fixture
def shared_folder() -> Iterator[Path]:
    """A world-readable folder outside pytest's private tmp folder, owned by root."""
    folder = Path(tempfile.mkdtemp(prefix="triage-perm-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def run_as_nobody(path: Path) -> dict:
    result = subprocess.run(
        [SETPRIV, "--reuid=nobody", "--regid=nogroup", "--clear-groups", sys.executable, "-c",
         AS_NOBODY_SCRIPT, str(path)],
        capture_output=True, text=True, cwd=REPO, timeout=60,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1", "PYTHONPATH": str(REPO)},
    )
    assert result.returncode == 0, result.stderr
    assert "Traceback" not in result.stderr
    return json.loads(result.stdout)


needs_root_and_setpriv = pytest.mark.skipif(
    os.geteuid() != 0 or SETPRIV is None, reason="needs root and setpriv to act as another user"
)


@needs_root_and_setpriv
@pytest.mark.parametrize("case", ["read-only file", "read-only folder", "unreadable file",
                                  "unreadable journal"])
def test_another_user_without_write_access(case: str, shared_folder: Path) -> None:
    path = shared_folder / "queue.json"
    store = Store(path).open()
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("mmmm0001")])
    with store.transaction("alice", MOMENT) as tx:  # a journaled change, not in the snapshot
        tx.replace(tx.get("mmmm0001"), make_item("mmmm0001", title="Edited after"))
    journal = journal_of(path)
    # The database is two files: permissions are given to both, as an admin sharing it would.
    if case == "read-only file":
        path.chmod(0o644)
        journal.chmod(0o644)
        shared_folder.chmod(0o777)
    elif case == "read-only folder":
        path.chmod(0o666)  # the files are writable, but no temp file can be made beside them
        journal.chmod(0o666)
    elif case == "unreadable journal":
        path.chmod(0o644)
        journal.chmod(0o600)
    else:
        path.chmod(0o000)
        journal.chmod(0o000)
    before = folder_snapshot(shared_folder)
    out = run_as_nobody(path)
    if case in ("unreadable file", "unreadable journal"):
        unreadable = journal if case == "unreadable journal" else path
        assert out["open_error"].startswith(f"{unreadable}: ") and "\n" not in out["open_error"]
    else:
        assert out["read_only"] is True
        assert out["ids"] == ["mmmm0001"] and out["titles"] == ["Edited after"]
        assert str(path) in out["write_error"] and "read-only" in out["write_error"]
    assert folder_snapshot(shared_folder) == before


# -- failed writes --------------------------------------------------------------------------
def _disk_full(*args, **kwargs):
    raise OSError(errno.ENOSPC, "No space left on device")


def _fail_on_the_journal(real):
    def replace(source, target, *args, **kwargs):
        if str(target).endswith(".journal"):
            _disk_full()
        return real(source, target, *args, **kwargs)

    return replace


# Where a change can fail: while appending its line, or while compacting (snapshot, then journal).
FAILURES = {
    "append: encode": ("append", "orjson.dumps"),
    "compact: snapshot fsync": ("compact", "os.fsync"),
    "compact: snapshot replace": ("compact", "os.replace"),
    "compact: encode": ("compact", "orjson.dumps"),
}


@pytest.mark.parametrize("failure", FAILURES)
def test_a_failed_write_leaves_both_files_as_they_were(failure, store, tmp_db, monkeypatch) -> None:
    way, target = FAILURES[failure]
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("nnnn0001")])
    before = folder_snapshot(tmp_db.parent)
    assert set(before) == {"queue.json", "queue.json.journal"}
    with monkeypatch.context() as patch:
        if way == "compact":
            patch.setattr(storage_module, "JOURNAL_LIMIT", 0)  # this change must compact
        if target == "os.fsync":
            patch.setattr(storage_module.os, "fsync", _disk_full)
        elif target == "os.replace":
            patch.setattr(storage_module.os, "replace", _disk_full)
        else:
            patch.setattr(orjson, "dumps", _disk_full)
        with pytest.raises(StoreError) as caught, store.transaction("bob", MOMENT) as tx:
            current = tx.get("nnnn0001")
            tx.replace(current, dataclasses.replace(current, title="never saved"))
            tx.insert([make_item("nnnn0002")])
        message = one_line(caught.value)
        assert str(tmp_db) in message and "nothing was changed" in message
    assert folder_snapshot(tmp_db.parent) == before, "no temp file left, no byte of either changed"
    # The next read shows the files, not the change that failed.
    assert [(item.id, item.title) for item in store.items()] == [
        ("nnnn0001", "Send the March invoices")
    ]
    assert len(store.audit()) == 1
    with store.transaction("bob", MOMENT) as tx:
        tx.insert([make_item("nnnn0003")])
    assert sorted(item.id for item in Store(tmp_db).open().items()) == ["nnnn0001", "nnnn0003"]


def test_a_compaction_whose_new_journal_cannot_be_written_still_commits(
    store: Store, tmp_db: Path, monkeypatch
) -> None:
    """Once the new snapshot is in place the change is made (it names the old journal as the
    one it folded, which is then ignored); failing to write the new journal must not report it
    lost."""
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("nnnn0001")])
    old_journal = (tmp_db.with_name("queue.json.journal")).read_bytes()
    old_id = parse_database(tmp_db).header["id"]
    with monkeypatch.context() as patch:
        patch.setattr(storage_module, "JOURNAL_LIMIT", 0)
        patch.setattr(storage_module.os, "replace", _fail_on_the_journal(os.replace))
        with store.transaction("bob", MOMENT) as tx:
            tx.insert([make_item("nnnn0002")])
    assert tmp_db.with_name("queue.json.journal").read_bytes() == old_journal
    parsed = parse_database(tmp_db)
    assert parsed.stale and parsed.journal["folded"] == old_id
    assert sorted(parsed.items()) == ["nnnn0001", "nnnn0002"]
    assert [p.name for p in tmp_db.parent.iterdir() if p.name.endswith(".tmp")] == []
    assert sorted(item.id for item in Store(tmp_db).open().items()) == ["nnnn0001", "nnnn0002"]
    assert sorted(item.id for item in store.items()) == ["nnnn0001", "nnnn0002"]
    with store.transaction("bob", MOMENT) as tx:  # compacts: the journal matches again
        tx.insert([make_item("nnnn0003")])
    assert tmp_db.with_name("queue.json.journal").read_bytes() != old_journal
    parsed = parse_database(tmp_db)
    assert not parsed.stale and parsed.journal["folded"] == old_id
    fresh = Store(tmp_db).open()
    assert sorted(item.id for item in fresh.items()) == ["nnnn0001", "nnnn0002", "nnnn0003"]
    assert [row.item_id for row in fresh.audit()] == ["nnnn0001", "nnnn0002", "nnnn0003"]


def test_lock_timeout_is_a_store_error(store: Store, tmp_db: Path, monkeypatch) -> None:
    monkeypatch.setattr(db_module, "LOCK_TIMEOUT_SECONDS", 0.2)
    code = (
        # Another process holding the lock file with plain flock (what filelock does too).
        "import fcntl, os, sys, time\n"
        "fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT)\n"
        "fcntl.flock(fd, fcntl.LOCK_EX)\nprint('held', flush=True)\ntime.sleep(30)\n"
    )
    holder = subprocess.Popen([sys.executable, "-c", code, str(tmp_db) + ".lock"],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout.readline().strip() == "held"
        before = tmp_db.read_bytes()
        blocked = Store(tmp_db).open()
        with pytest.raises(StoreError) as caught, blocked.transaction("alice") as tx:
            tx.insert([make_item("oooo0001")])
        assert "lock" in one_line(caught.value) and str(tmp_db) in str(caught.value)
        assert tmp_db.read_bytes() == before
    finally:
        holder.kill()
        holder.wait()
    with store.transaction("alice") as tx:  # the lock died with its holder
        tx.insert([make_item("oooo0002")])


# -- file modes -----------------------------------------------------------------------------
@pytest.fixture
def group_umask() -> Iterator[None]:
    previous = os.umask(0o002)
    yield
    os.umask(previous)


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_new_files_and_lock_are_group_writable(tmp_db: Path, group_umask) -> None:
    store = Store(tmp_db).open()
    lock = tmp_db.with_name("queue.json.lock")
    assert mode(tmp_db) & 0o060 == 0o060
    assert lock.exists() and mode(lock) & 0o060 == 0o060
    assert mode(tmp_db) & 0o007 == 0, "never world-writable"
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("pppp0001")])
    assert mode(tmp_db) & 0o060 == 0o060, "the replacing temp file keeps group access"


def test_a_write_keeps_the_file_s_mode(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    tmp_db.chmod(0o664)
    with store.transaction("alice", MOMENT) as tx:
        tx.insert([make_item("qqqq0001")])
    assert mode(tmp_db) == 0o664


def test_the_first_change_removes_temp_files_a_killed_writer_left(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    stale = tmp_db.parent / f".{tmp_db.name}.abc123de.tmp"  # mkstemp's 8 random characters
    stale_journal = tmp_db.parent / f".{tmp_db.name}.journal.x_9y8z7w.tmp"
    stale_journal.write_bytes(b"half a journal")
    stale.write_bytes(b"half a database")
    unrelated = tmp_db.parent / ".other.json.abc123.tmp"
    unrelated.write_bytes(b"not ours")
    with store.transaction("alice") as tx:
        tx.insert([Item(id="a1b2c3d4", title="water the plants")])
    assert not stale.exists() and not stale_journal.exists()
    assert unrelated.exists()
    assert Store(tmp_db).open().get("a1b2c3d4").title == "water the plants"
