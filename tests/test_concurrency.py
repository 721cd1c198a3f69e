"""Several real processes on one database (snapshot + journal): nothing lost, nothing torn,
kill -9 safe. Writers run with a small journal limit so their appends and compactions interleave."""

from __future__ import annotations

import dataclasses
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest
from journal_support import parse_database

from triage_tui.domain.model import Item
from triage_tui.store.db import SCHEMA_VERSION, Store

REPO = Path(__file__).resolve().parent.parent
WRITERS = 4
CHANGES = 100
INSERT_EVERY = 10
JOURNAL_LIMIT = 256 * 1024
"""The writers' journal limit: small enough that they compact every few dozen changes."""

# Each writer bumps its own item and the shared one in one service change, and every
# INSERT_EVERY changes adds a new item in a separate transaction.
WRITER = r"""
import dataclasses, os, sys, time
from triage_tui.service import TriageService
from triage_tui.store import storage
from triage_tui.store.db import Store
from triage_tui.domain.model import Item
path, name, go = sys.argv[1:4]
count, every = int(sys.argv[4]), int(sys.argv[5])
storage.JOURNAL_LIMIT = int(sys.argv[6])
service = TriageService(Store(path).open(create=False), name)
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
for i in range(count):
    def bump(item):
        tags = [*item.tags, f"{name}-{i}"] if item.id == "shared" else item.tags
        return dataclasses.replace(item, estimate_minutes=(item.estimate_minutes or 0) + 1,
                                   tags=tags)
    result = service.change([name, "shared"], bump, "bump")
    assert not result.refused and len(result.changed) == 2, result
    if (i + 1) % every == 0:
        with service.store.transaction(name) as tx:
            tx.insert([Item(id=f"{name}-new-{i}", title=f"added by {name}")])
print("done", flush=True)
"""

# Loops over lock-free reads for as long as the writers run: the raw bytes of both files must
# always parse (every whole journal line too, its CRC matching), and the shared counter must
# never go backwards. `raw_state` reads the two files itself: when the journal's header names
# other snapshot bytes or another journal id it raced a compaction (nobody is killed here), so
# it reads both again.
READER = r"""
import json, os, sys, time, zlib
from triage_tui.store.db import Store
path, go, stop = sys.argv[1], sys.argv[2], sys.argv[3]
store = Store(path).open(create=False)
raced = 0
snapshots = set()
def decode(line):
    crc, space, body = line[:8], line[8:9], line[9:]
    assert space == b" " and int(crc, 16) == zlib.crc32(body), line[:80]
    return json.loads(body)
def raw_state():
    global raced
    while True:
        with open(path, "rb") as handle:
            raw = handle.read()
        with open(path + ".journal", "rb") as handle:
            journal = handle.read()
        data = json.loads(raw)
        lines = journal[:journal.rfind(b"\n") + 1].splitlines()
        header = decode(lines[0])
        if (header["snapshot"] != {"size": len(raw), "crc32": zlib.crc32(raw)}
                or header["id"] != data["_meta"]["journal"]["id"]):
            raced += 1
            continue
        snapshots.add(header["snapshot"]["crc32"])
        for line in lines[1:]:
            for table, key, document in decode(line)["ops"]:
                if document is None:
                    data[table].pop(key, None)
                else:
                    data[table][key] = document
        return data
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.001)
reads = errors = backwards = 0
seen = set()
first_error = None
last = -1
while not os.path.exists(stop):
    try:
        raw = raw_state()["items"]["shared"]["estimate_minutes"]
        shared = store.get("shared").estimate_minutes
        listed = next(item for item in store.items() if item.id == "shared").estimate_minutes
        now = min(raw, shared, listed)
        backwards += now < last
        last = max(last, now)
        seen.add(now)
        reads += 1
    except Exception as error:  # counted, reported, asserted zero by the test
        errors += 1
        first_error = first_error or repr(error)
print(json.dumps({"reads": reads, "errors": errors, "backwards": backwards, "raced": raced,
                  "snapshots": len(snapshots),
                  "distinct": len(seen), "first_error": first_error}))
"""


def spawn(code: str, *args: object) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-c", code, *map(str, args)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=REPO,
    )


def wait_ready(process: subprocess.Popen[str]) -> None:
    line = process.stdout.readline().strip()
    if line != "ready":
        process.wait(10)
        raise AssertionError(f"worker did not start: {line!r} {process.stderr.read()}")


def test_four_writers_lose_nothing_while_a_reader_never_sees_a_torn_file(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    names = [f"w{n}" for n in range(WRITERS)]
    with store.transaction("setup") as tx:
        tx.insert([Item(id="shared", title="Shared counter", estimate_minutes=0)])
        tx.insert([Item(id=name, title=f"Counter of {name}", estimate_minutes=0)
                   for name in names])
    go, stop = tmp_db.with_name("go"), tmp_db.with_name("stop")

    reader = spawn(READER, tmp_db, go, stop)
    writers = [spawn(WRITER, tmp_db, name, go, CHANGES, INSERT_EVERY, JOURNAL_LIMIT)
               for name in names]
    try:
        for process in [reader, *writers]:
            wait_ready(process)
        started = time.perf_counter()
        go.touch()
        for process in writers:
            out, err = process.communicate(timeout=120)
            assert process.returncode == 0 and out.strip() == "done", err
        elapsed = time.perf_counter() - started
        stop.touch()
        out, err = reader.communicate(timeout=30)
        assert reader.returncode == 0, err
    finally:
        for process in [reader, *writers]:
            if process.poll() is None:
                process.kill()
                process.wait()

    report = json.loads(out)
    print(f"\n{WRITERS}x{CHANGES} changes in {elapsed:.2f} s; reader: {report}")
    assert report["errors"] == 0, report["first_error"]
    assert report["reads"] > 0 and report["backwards"] == 0
    assert report["distinct"] >= 2, "the reader should have seen the counter move"
    assert report["snapshots"] >= 2, "the reader should have read across a compaction"

    # The tests' own stdlib parser: both files are plain valid JSON, every journal line whole.
    parsed = parse_database(tmp_db)
    assert not parsed.stale and parsed.half == b""
    data = parsed.data
    items = data["items"]
    assert len(parsed.snapshot["items"]) > 1 + WRITERS, "the writers compacted along the way"
    assert {item.id: item.to_storage() for item in Store(tmp_db).open().items()} == items
    shared = items["shared"]
    assert shared["estimate_minutes"] == WRITERS * CHANGES
    assert shared["version"] == 1 + WRITERS * CHANGES
    assert sorted(shared["tags"]) == sorted(f"{n}-{i}" for n in names for i in range(CHANGES))
    for name in names:
        assert items[name]["estimate_minutes"] == CHANGES
        assert items[name]["version"] == 1 + CHANGES
        assert items[name]["updated_by"] == name
    added = WRITERS * (CHANGES // INSERT_EVERY)
    assert len(items) == 1 + WRITERS + added

    audit = list(data["audit"].values())
    creates = 1 + WRITERS + added
    # Per change: the writer's item (estimate) and the shared one (estimate, tags).
    assert len(audit) == creates + WRITERS * CHANGES * 3
    bumps = [row for row in audit if row["action"] == "bump"]
    assert sum(row["item_id"] == "shared" and row["field"] == "estimate_minutes"
               for row in bumps) == WRITERS * CHANGES
    for name in names:
        assert sum(row["user"] == name for row in bumps) == CHANGES * 3
    # Each bump of the shared counter moved it by exactly one: no change was based on a stale read.
    steps = sorted((row["old"], row["new"]) for row in bumps
                   if row["item_id"] == "shared" and row["field"] == "estimate_minutes")
    assert steps == [(n, n + 1) for n in range(WRITERS * CHANGES)]
    assert not list(tmp_db.parent.glob(".queue.json.*.tmp"))


# Changes a large database in a loop, appending and (every few dozen changes) compacting, that
# is rewriting the large snapshot; prints each generation after its change is on disk.
KILL_WRITER = r"""
import dataclasses, sys
from triage_tui.store import storage
from triage_tui.store.db import Store
storage.JOURNAL_LIMIT = int(sys.argv[3])
store = Store(sys.argv[1]).open(create=False)
generation = int(sys.argv[2])
print("ready", flush=True)
while True:
    generation += 1
    with store.transaction("writer") as tx:
        for item_id in ("marker-a", "marker-b"):
            item = tx.get(item_id)
            tx.replace(item, dataclasses.replace(item, notes=f"gen {generation}",
                                                 version=generation))
    print(generation, flush=True)
"""

FILLER = 3000
KILL_JOURNAL_LIMIT = 16 * 1024
"""About 15 changes a journal: the writer is often killed while it rewrites the snapshot."""


def read_generation(path: Path) -> int:
    """The generation both files hold, read by the tests' own parser and by a fresh Store."""
    # Raises if the snapshot or a whole journal line is torn, or the files do not belong
    # together; a journal the snapshot folded (a compaction killed half-way) is ignored.
    parsed = parse_database(path)
    items = parsed.items()
    assert len(items) == FILLER + 2
    a, b = items["marker-a"], items["marker-b"]
    assert a["notes"] == b["notes"] == f"gen {a['version']}", "one change is all or nothing"
    stored = Store(path).open(create=False)
    assert {item.id: item.to_storage() for item in stored.items()} == items
    return a["version"]


def test_sigkill_mid_write_leaves_the_old_or_the_new_file(tmp_db: Path) -> None:
    store = Store(tmp_db).open()
    note = "Call the venue about the deposit, then update the budget sheet. " * 5
    with store.transaction("setup") as tx:
        tx.insert([Item(id=f"filler-{n:05}", title=f"Filler {n}", notes=note, tags=["x", "y"])
                   for n in range(FILLER)])
        tx.insert([Item(id="marker-a", title="a", notes="gen 0", version=0),
                   Item(id="marker-b", title="b", notes="gen 0", version=0)])
    size = tmp_db.stat().st_size
    assert size > 1_000_000, "large enough that a write takes a while"
    rng = random.Random(20250312)
    leftovers = 0
    committed_total = 0
    seen = {"half line": 0, "stale journal": 0, "compacted": 0}
    for _ in range(6):
        start = read_generation(tmp_db)
        snapshot_before = tmp_db.read_bytes()
        writer = spawn(KILL_WRITER, tmp_db, start, KILL_JOURNAL_LIMIT)
        try:
            wait_ready(writer)
            time.sleep(rng.uniform(0.05, 0.4))
        finally:
            os.kill(writer.pid, signal.SIGKILL)
            out, _ = writer.communicate(timeout=30)
        assert writer.returncode == -signal.SIGKILL
        printed = [int(line) for line in out.split()[1:]]
        last_printed = printed[-1] if printed else start
        committed_total += last_printed - start
        # The kill can land after a write reached the disk but before it was printed.
        generation = read_generation(tmp_db)
        assert generation in (last_printed, last_printed + 1)
        leftovers = max(leftovers, len(list(tmp_db.parent.glob(".queue.json.*.tmp"))))
        parsed = parse_database(tmp_db)
        seen["half line"] += parsed.half != b""
        seen["stale journal"] += parsed.stale
        seen["compacted"] += tmp_db.read_bytes() != snapshot_before
        # The next process opens it, takes the dead writer's lock and changes it.
        again = Store(tmp_db).open(create=False)
        with again.transaction("after") as tx:
            item = tx.get("marker-a")
        assert item.notes == f"gen {generation}"
    assert committed_total > 0, "the writer should have committed some changes"
    assert seen["compacted"] > 0, "the writer should have compacted too"
    print(f"\n{committed_total} changes committed across kills, up to {leftovers} temp files "
          f"left; after the kills: {seen}")


# Opens (creating or migrating) the database at the same moment as the others, then adds one item.
OPENER = r"""
import os, sys, time
from triage_tui.store.db import Store
from triage_tui.domain.model import Item
path, go, name = sys.argv[1:4]
print("ready", flush=True)
while not os.path.exists(go):
    time.sleep(0.0005)
store = Store(path).open()
with store.transaction(name) as tx:
    tx.insert([Item(id=name, title=f"opened by {name}")])
print("done", flush=True)
"""


@pytest.mark.parametrize("start", ["missing", "schema 1"])
def test_processes_opening_at_once_create_or_migrate_once(tmp_db: Path, start: str) -> None:
    if start == "schema 1":
        tmp_db.write_text(json.dumps({
            "_meta": {"schema": {"schema": 1}},
            "items": {"old": {"id": "old", "title": "from schema 1", "claimed_by": "ines",
                              "updated_at": "2024-11-03T08:00:00+00:00"}},
            "audit": {},
        }))
    original = tmp_db.read_bytes() if tmp_db.exists() else None
    go = tmp_db.with_name("go")
    names = [f"p{n}" for n in range(WRITERS)]
    openers = [spawn(OPENER, tmp_db, go, name) for name in names]
    try:
        for process in openers:
            wait_ready(process)
        go.touch()
        for process in openers:
            out, err = process.communicate(timeout=60)
            assert process.returncode == 0 and out.strip() == "done", err
    finally:
        for process in openers:
            if process.poll() is None:
                process.kill()
                process.wait()
    parsed = parse_database(tmp_db)
    assert not parsed.stale, "the journal extends the snapshot"
    data = parsed.data
    assert data["_meta"]["schema"]["schema"] == SCHEMA_VERSION == 3
    assert parsed.header["schema"] == SCHEMA_VERSION
    # Created or migrated once: the first journal, which folded none.
    assert parsed.journal == {"id": parsed.header["id"], "folded": None}
    assert set(names) <= set(data["items"])
    stored = Store(tmp_db).open(create=False)
    assert {item.id: item.title for item in stored.items()} == {
        key: document["title"] for key, document in data["items"].items()
    }
    creates = [row.item_id for row in stored.audit() if row.action == "create"]
    assert sorted(creates) == sorted(names), "each opener's change landed once"
    backups = sorted(p.name for p in tmp_db.parent.glob("*.bak"))
    if start == "schema 1":
        # Migrated 1 -> 2 -> 3 once, by one process, with one backup of the schema 1 file.
        assert backups == ["queue.json.schema1.bak"]
        assert tmp_db.with_name(backups[0]).read_bytes() == original
        assert data["items"]["old"]["claimed_at"] == "2024-11-03T08:00:00+00:00"
        assert len(data["items"]) == WRITERS + 1
    else:
        assert backups == [] and len(data["items"]) == WRITERS


def test_two_stores_in_one_process_do_not_deadlock(tmp_db: Path) -> None:
    first, second = Store(tmp_db).open(), Store(tmp_db).open()
    with first.transaction("setup") as tx:
        tx.insert([Item(id="count", title="counter", estimate_minutes=0)])

    def bump(store: Store, user: str, times: int) -> None:
        for _ in range(times):
            with store.transaction(user) as tx:
                item = tx.get("count")
                tx.replace(item, dataclasses.replace(item, estimate_minutes=item.estimate_minutes
                                                     + 1))

    # Taking turns in one thread: each sees the other's change.
    for _ in range(10):
        bump(first, "one", 1)
        bump(second, "two", 1)
    assert second.get("count").estimate_minutes == 20
    # At the same time from two threads, each with its own Store (its own lock object).
    threads = [threading.Thread(target=bump, args=(store, user, 50))
               for store, user in ((first, "one"), (second, "two"))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert not any(thread.is_alive() for thread in threads), "deadlocked"
    assert first.get("count").estimate_minutes == 120
    assert Store(tmp_db).open().get("count").estimate_minutes == 120


def test_threads_sharing_one_store(tmp_db: Path) -> None:
    """The app saves from a worker thread while the UI thread reads: one Store, many threads."""
    threads = 4
    store = Store(tmp_db).open()
    with store.transaction("setup") as tx:
        tx.insert([Item(id="count", title="counter", estimate_minutes=0)])
    errors: list[BaseException] = []

    def work() -> None:
        try:
            for _ in range(25):
                with store.transaction("t") as tx:
                    item = tx.get("count")
                    tx.replace(item, dataclasses.replace(
                        item, estimate_minutes=item.estimate_minutes + 1))
                store.items()
                store.audit()
        except BaseException as error:  # reported below
            errors.append(error)

    workers = [threading.Thread(target=work) for _ in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(timeout=30)
    assert not errors and not any(worker.is_alive() for worker in workers)
    assert store.get("count").estimate_minutes == threads * 25
