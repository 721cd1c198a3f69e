"""A journal line changed in place after a long-running process read it: its next change is
refused and writes nothing (a reader's incremental reads cannot see same-size edits)."""

from __future__ import annotations

from pathlib import Path

import pytest

from triage_tui.domain.model import Item
from triage_tui.store.db import Store, StoreError


def test_a_change_after_an_in_place_edit_of_a_read_line_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    store = Store(path).open(quick=False)
    for n in range(3):
        with store.transaction("ines") as tx:
            tx.insert([Item(id=f"item000{n}", title=f"Send invoice batch {n}")])
    assert [item.id for item in store.items()] == ["item0000", "item0001", "item0002"]
    journal = path.with_name("queue.json.journal")
    raw = journal.read_bytes()
    damaged = raw.replace(b"Send invoice batch 1", b"Send invoice batch 9")
    assert len(damaged) == len(raw) and damaged != raw
    journal.write_bytes(damaged)  # same size, same file: only the bytes differ
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(StoreError) as caught, store.transaction("ines") as tx:
        tx.insert([Item(id="item0003", title="never written")])
    assert "queue.json.journal line 3 (a change) is damaged" in str(caught.value)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before


def test_a_quick_add_reads_only_new_lines_and_still_names_a_damaged_one(tmp_path: Path) -> None:
    path = tmp_path / "queue.json"
    writer = Store(path).open(quick=False)
    for n in range(3):
        with writer.transaction("ines") as tx:
            tx.insert([Item(id=f"item000{n}", title=f"Send invoice batch {n}")])
    quick = Store(path).open()  # checked from the journal: lines 2-4 read
    assert [row["text"] for row in quick.examples()] == []
    with writer.transaction("ines") as tx:  # line 5, then a damaged line 6
        tx.add_example("Send invoice batch 9", "task")
    journal = path.with_name("queue.json.journal")
    with journal.open("ab") as handle:
        handle.write(b"0badc0de {\"ops\": []}\n")
    before = {p.name: p.read_bytes() for p in tmp_path.iterdir()}
    with pytest.raises(StoreError) as caught:
        quick.add_items([Item(id="item0009", title="never written")], "ines")
    assert "queue.json.journal line 6 (a change) is damaged" in str(caught.value)
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == before
    journal.write_bytes(before["queue.json.journal"][: -len(b"0badc0de {\"ops\": []}\n")])
    (added,) = quick.add_items([Item(id="item0009", title="written")], "ines")
    fresh = Store(path).open()
    assert [row["text"] for row in fresh.examples()] == ["Send invoice batch 9"]
    assert added.id in {item.id for item in fresh.items()}
