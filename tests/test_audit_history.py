"""Old audit rows move to the history file when the journal is folded, and nothing is lost."""

from __future__ import annotations

import dataclasses
import subprocess
import sys
from pathlib import Path

import orjson
import pytest

from triage_tui.domain.model import Item
from triage_tui.store import db as db_module
from triage_tui.store import storage as storage_module
from triage_tui.store.db import Store, StoreError

REPO = Path(__file__).resolve().parent.parent


@pytest.fixture
def small(monkeypatch) -> None:
    """Keep 10 audit rows in the snapshot and fold the journal every couple of kilobytes."""
    monkeypatch.setattr(db_module, "AUDIT_KEEP", 10)
    monkeypatch.setattr(storage_module, "JOURNAL_LIMIT", 2_000)


def add(store: Store, count: int, start: int = 0) -> None:
    for n in range(start, start + count):
        with store.transaction("ines") as tx:
            tx.insert([Item(id=f"item{n:04}", title=f"Send invoice {n}")])


def snapshot_audit(path: Path) -> dict:
    return orjson.loads(path.read_bytes())["audit"]


def test_old_rows_move_to_the_history_file_and_audit_still_has_them_all(
    tmp_path: Path, small
) -> None:
    path = tmp_path / "queue.json"
    store = Store(path).open()
    add(store, 60)
    in_snapshot = snapshot_audit(path)
    assert len(in_snapshot) <= 12 + 10, "the snapshot keeps about AUDIT_KEEP rows"
    archived = [orjson.loads(line) for line in path.with_name("queue.json.history")
                .read_bytes().splitlines() if line]
    assert len(archived) >= 30
    rows = Store(path).open().audit()
    assert [row.item_id for row in rows] == [f"item{n:04}" for n in range(60)]
    assert all(row.action == "create" and row.user == "ines" for row in rows)


def test_a_failed_snapshot_write_after_archiving_leaves_no_duplicate(
    tmp_path: Path, small, monkeypatch
) -> None:
    path = tmp_path / "queue.json"
    store = Store(path).open()
    add(store, 9)
    history = path.with_name("queue.json.history")
    real = storage_module.write_atomically

    def fail_snapshot(target: Path, payload: bytes, like: Path | None = None) -> None:
        if target == path and history.exists():  # a compaction that archived rows
            raise OSError(28, "No space left on device")
        real(target, payload, like)

    monkeypatch.setattr(storage_module, "write_atomically", fail_snapshot)
    failed = False
    for n in range(9, 40):
        try:
            add(store, 1, n)
        except StoreError as error:
            assert "nothing was changed" in str(error)
            failed = True
            break
    assert failed, "a compaction that archived rows was attempted, and failed"
    snapshot = snapshot_audit(path)
    archived = [orjson.loads(line)["key"] for line in history.read_bytes().splitlines() if line]
    assert set(archived) <= set(snapshot), "the failed compaction's rows are still in the file"
    monkeypatch.setattr(storage_module, "write_atomically", real)
    add(store, 40, 100)  # later compactions archive the same rows again
    rows = Store(path).open().audit()
    keys = [(row.item_id, row.at) for row in rows]
    assert len(keys) == len(set(keys)), "no row twice"
    created = [row.item_id for row in rows]
    assert created == sorted(created), "oldest first"
    assert {row.item_id for row in rows} == {item.id for item in Store(path).open().items()}


def test_a_cut_short_history_line_loses_nothing(tmp_path: Path, small) -> None:
    path = tmp_path / "queue.json"
    store = Store(path).open()
    add(store, 30)
    history = path.with_name("queue.json.history")
    with history.open("ab") as handle:
        handle.write(b'{"key": "1.2.3", "at": "2026-')  # a writer killed mid-append
    add(store, 40, 30)
    rows = Store(path).open().audit()
    assert [row.item_id for row in rows] == [f"item{n:04}" for n in range(70)]


def test_audit_after_a_mark_gives_only_newer_rows_even_once_it_was_archived(
    tmp_path: Path, small
) -> None:
    path = tmp_path / "queue.json"
    store = Store(path).open()
    add(store, 3)
    mark = store.audit_mark()
    add(store, 2, 3)
    assert [row.item_id for row in store.audit_after(mark)] == ["item0003", "item0004"]
    assert store.audit_after(store.audit_mark()) == []
    add(store, 60, 5)  # the mark's row moves to the history file
    assert mark not in snapshot_audit(path)
    after = [row.item_id for row in Store(path).open().audit_after(mark)]
    assert after and after[-1] == "item0064" and "item0001" not in after


def test_history_survives_edits_and_triage_log_shows_archived_rows(
    tmp_path: Path, small
) -> None:
    path = tmp_path / "queue.json"
    store = Store(path).open()
    add(store, 1)
    for n in range(40):
        with store.transaction("maya") as tx:
            current = tx.get("item0000")
            tx.replace(current, dataclasses.replace(current, title=f"Title {n}",
                                                    version=current.version + 1))
    assert len(snapshot_audit(path)) < 40
    shown = subprocess.run(
        [sys.executable, "-m", "triage_tui", "--db", str(path), "log", "item0000", "--json"],
        capture_output=True, text=True, cwd=REPO, check=True,
    )
    rows = orjson.loads(shown.stdout)
    assert [row["new"] for row in rows] == ["Send invoice 0"] + [f"Title {n}" for n in range(40)]
