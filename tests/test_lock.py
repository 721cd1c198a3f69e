"""The inter-process lock: exclusion between processes, threads and objects, and its errors."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from triage_tui.domain.model import Item
from triage_tui.store.db import Store, StoreError
from triage_tui.store.lock import InterProcessLock, LockedByThisThread, LockTimeout

HOLD = (
    "import sys, time\n"
    "from triage_tui.store.lock import InterProcessLock\n"
    "with InterProcessLock(sys.argv[1], timeout=10):\n"
    "    print('held', flush=True)\n"
    "    time.sleep(float(sys.argv[2]))\n"
)


def hold_in_process(path: Path, seconds: float) -> subprocess.Popen[str]:
    holder = subprocess.Popen([sys.executable, "-c", HOLD, str(path), str(seconds)],
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline().strip() == "held"
    return holder


def test_another_process_holding_the_lock_makes_us_wait_then_time_out(tmp_path: Path) -> None:
    path = tmp_path / "db.json.lock"
    holder = hold_in_process(path, 30)
    try:
        start = time.monotonic()
        with pytest.raises(LockTimeout), InterProcessLock(path, timeout=0.3):
            pass
        assert 0.3 <= time.monotonic() - start < 2
    finally:
        holder.kill()
        holder.wait()
    with InterProcessLock(path, timeout=0.3):  # the kernel dropped the dead holder's lock
        pass


def test_the_lock_is_taken_as_soon_as_its_holder_lets_go(tmp_path: Path) -> None:
    path = tmp_path / "db.json.lock"
    holder = hold_in_process(path, 0.4)
    try:
        start = time.monotonic()
        with InterProcessLock(path, timeout=5):
            waited = time.monotonic() - start
        assert 0.2 < waited < 1.5
    finally:
        holder.wait()


def test_re_entering_through_the_same_object_nests(tmp_path: Path) -> None:
    lock = InterProcessLock(tmp_path / "x.lock", timeout=0.2)
    with lock, lock:
        pass
    with lock:  # fully released after the outer block
        pass


def test_a_second_object_in_the_same_thread_fails_at_once(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    with InterProcessLock(path, timeout=5):
        start = time.monotonic()
        with pytest.raises(LockedByThisThread), InterProcessLock(path, timeout=5):
            pass
        assert time.monotonic() - start < 0.5, "no wait for a lock that can never come free"


def test_threads_sharing_one_object_take_turns(tmp_path: Path) -> None:
    lock = InterProcessLock(tmp_path / "x.lock", timeout=5)
    inside, overlaps = [], []

    def work() -> None:
        for _ in range(20):
            with lock:
                inside.append(1)
                if len(inside) > 1:
                    overlaps.append(len(inside))
                time.sleep(0.001)
                inside.pop()

    threads = [threading.Thread(target=work) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert overlaps == []


def test_the_lock_file_is_group_writable_whatever_the_umask(tmp_path: Path) -> None:
    path = tmp_path / "x.lock"
    previous = os.umask(0o077)
    try:
        with InterProcessLock(path, timeout=1, mode=0o660):
            pass
    finally:
        os.umask(previous)
    assert stat.S_IMODE(path.stat().st_mode) == 0o660


def test_nested_stores_on_one_file_say_what_happened(tmp_path: Path) -> None:
    db = tmp_path / "queue.json"
    outer, inner = Store(db).open(), Store(db).open()
    with outer.transaction("ines") as tx:
        tx.insert([Item(id="aaaa0001", title="Renew the shop domain")])
        with pytest.raises(StoreError) as caught, inner.transaction("ines"):
            pass
    message = str(caught.value)
    assert "already under way in this thread" in message and "another" not in message
    assert [item.id for item in Store(db).open().items()] == ["aaaa0001"], "the outer landed"
