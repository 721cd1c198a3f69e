"""Benchmark the shared store on a 10,000-item database (a script, not a test).

    /tmp/venv/bin/python bench/store.py [--items 10000] [--runs 21]

Builds a realistic database in a temp folder (titles from the classifier corpus, tags,
estimates, due dates, suggestions, claims, and audit history), then prints medians of:

* one change: `Store.transaction()` (lock, catch up with the journal, one replace, one journal
  line appended with fsync, unlock), from a long-lived process, and again when another process
  changed the database just before (so the change reads that process's journal line first);
* a change that folds the journal into a new snapshot (what one change in ~1,500 does: parse
  nothing, dump and write the whole snapshot with fsync, then a new journal);
* the same through `TriageService.set_lane` (versions, claims, audit, a training example);
* bulk changes of 100 and 1,000 items in one transaction;
* opening: `Store(path).open()` + `items()` in a fresh Store object;
* a lock-free `items()` right after another process's change, and one with no change;
* the baseline: stock TinyDB `JSONStorage` doing the same single update on a copy of the same
  file in this process (no lock, no fsync, no audit row, written in place).

The floors from the foundation issue are checked at the end (exit code 1 when missed): one
change <= 30 ms median, opening <= 300 ms; the folding change is held to the same 30 ms.
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import random
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

from tinydb import TinyDB
from tinydb.storages import JSONStorage

from triage_tui.domain.model import Item, Suggestion, now_iso
from triage_tui.service import TriageService
from triage_tui.store import storage as storage_module
from triage_tui.store.db import Store, StrTable

REPO = Path(__file__).resolve().parent.parent
FLOOR_CHANGE_MS = 30.0
FLOOR_OPEN_MS = 300.0

FALLBACK_TITLES = [
    "send the March invoices to the wholesale accounts",
    "renew the shop domain before it lapses",
    "choose a new payroll provider and plan the switch",
    "update the CRM with the trade show leads",
    "write the SOP for handling returns",
    "book flights and hotel for the Lisbon market",
]
TAGS = ["billing", "crm", "email", "shopify", "social", "office", "hiring", "travel", "books",
        "vendors", "kpi", "support", "events", "website", "sop"]
PEOPLE = ["maya", "sam", "jordan", "ines"]


def corpus_titles() -> list[str]:
    path = REPO / "sample_data" / "corpus.jsonl"
    try:
        lines = path.read_text(encoding="utf-8").splitlines()
        titles = [json.loads(line)["text"] for line in lines if line.strip()]
    except (OSError, ValueError, KeyError):
        titles = []
    return titles or FALLBACK_TITLES


def make_items(count: int, now: datetime) -> list[Item]:
    rng = random.Random(20250312)
    titles = corpus_titles()
    items = []
    for index in range(count):
        created = now - timedelta(days=rng.randint(0, 120), minutes=rng.randint(0, 600))
        lane = rng.choices(["unsorted", "task", "ops", "keep"], [4, 3, 2, 1])[0]
        status = rng.choices(["open", "done", "dropped"], [6, 3, 1])[0]
        suggestion = None
        if rng.random() < 0.8:
            suggestion = Suggestion(rng.choice(["task", "ops"]), round(rng.uniform(0.4, 0.99), 3),
                                    [f"mentions {rng.choice(TAGS)}", "looks routine"])
        due = None
        if rng.random() < 0.6:
            day = (now + timedelta(days=rng.randint(-20, 40))).date()
            due = day.isoformat() if rng.random() < 0.7 else f"{day.isoformat()}T15:00:00+01:00"
        claimed = rng.random() < 0.05
        items.append(Item(
            id=f"{rng.getrandbits(32):08x}",
            title=f"{rng.choice(titles)} ({index})",
            notes="" if rng.random() < 0.7 else "Details in the shared drive; ask before paying.",
            lane=lane, lane_source=rng.choice(["manual", "suggested", "import"]),
            suggestion=suggestion, status=status, due=due,
            estimate_minutes=rng.choice([None, 10, 15, 30, 45, 60, 90, 120]),
            recurrence="FREQ=WEEKLY;BYDAY=MO" if rng.random() < 0.05 else None,
            tags=rng.sample(TAGS, rng.randint(0, 3)),
            assignee=rng.choice([None, None, *PEOPLE]),
            claimed_by=rng.choice(PEOPLE) if claimed else None,
            claimed_at=now_iso(now) if claimed else None,
            created_at=now_iso(created), updated_at=now_iso(created),
            completed_at=now_iso(now) if status == "done" else None,
            created_by=rng.choice(PEOPLE), updated_by=rng.choice(PEOPLE), version=1,
        ))
    return items


def build(path: Path, count: int) -> dict[str, float]:
    """The database, with one create row per item and edit history on a fifth of them."""
    now = datetime.now().astimezone()
    store = Store(path).open()
    started = time.perf_counter()
    items = make_items(count, now)
    with store.transaction("ines", now) as tx:
        tx.insert(items, "import")
    inserted = time.perf_counter() - started
    rng = random.Random(7)
    started = time.perf_counter()
    history = rng.sample(items, count // 5)
    for batch in range(0, len(history), 100):
        with store.transaction(rng.choice(PEOPLE), now) as tx:
            for item in history[batch: batch + 100]:
                tx.replace(item, dataclasses.replace(
                    item, lane=rng.choice(["task", "ops", "keep"]), lane_source="manual",
                    tags=[*item.tags, "reviewed"], version=2))
                tx.add_example(item.title, "task")
    return {"insert_s": inserted, "history_s": time.perf_counter() - started}


def median_ms(action: Callable[[], object], runs: int, before: Callable[[], object] | None = None
              ) -> float:
    samples = []
    for _ in range(runs):
        if before is not None:
            before()
        started = time.perf_counter()
        action()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


OTHER_PROCESS = r"""
import dataclasses, sys
from triage_tui.store.db import Store
store = Store(sys.argv[1]).open(create=False)
ids = [item.id for item in store.items()]
print("ready", flush=True)
for n, line in enumerate(sys.stdin):
    with store.transaction("other") as tx:
        item = tx.get(ids[n % len(ids)])
        tx.replace(item, dataclasses.replace(item, title=item.title + "!",
                                             version=item.version + 1))
    print("ok", flush=True)
"""


class OtherProcess:
    """A second triage process that makes one change each time it is asked."""

    def __init__(self, path: Path) -> None:
        self.process = subprocess.Popen(
            [sys.executable, "-c", OTHER_PROCESS, str(path)], cwd=REPO, text=True,
            stdin=subprocess.PIPE, stdout=subprocess.PIPE,
        )
        assert self.process.stdout.readline().strip() == "ready"

    def change(self) -> None:
        self.process.stdin.write("go\n")
        self.process.stdin.flush()
        assert self.process.stdout.readline().strip() == "ok"

    def close(self) -> None:
        self.process.stdin.close()
        self.process.wait(30)


class StubClassifier:
    def suggest(self, text: str) -> None:
        return None

    def suggest_many(self, texts: list[str]) -> list[None]:
        return [None] * len(texts)


class _StockStrTinyDB(TinyDB):
    """Stock TinyDB and JSONStorage; only the string ids (ours are hex, not ints)."""

    table_class = StrTable


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    runs = args.runs

    folder = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    try:
        path = folder / "queue.json"
        built = build(path, args.items)
        built_size = path.stat().st_size
        store = Store(path).open()
        built_rows = {"audit": len(store.audit()), "examples": len(store.examples())}
        items = store.items()
        rng = random.Random(1)
        ids = [item.id for item in items]
        results: dict[str, float] = {}

        def one_change() -> None:
            with store.transaction("bench") as tx:
                item = tx.get(rng.choice(ids))
                tx.replace(item, dataclasses.replace(item, estimate_minutes=rng.randint(5, 240),
                                                     version=item.version + 1))

        results["change"] = median_ms(one_change, runs)
        limit = storage_module.JOURNAL_LIMIT
        storage_module.JOURNAL_LIMIT = 0  # no line fits: every change folds the journal
        try:
            results["change_compacting"] = median_ms(one_change, runs)
        finally:
            storage_module.JOURNAL_LIMIT = limit

        service = TriageService(Store(path).open(), "bench")
        service.classifier = lambda: StubClassifier()  # set_lane does not classify

        def set_lane() -> None:
            lane = rng.choice(["task", "ops"])
            service.set_lane([rng.choice(ids)], lane, force=True)

        results["service_set_lane"] = median_ms(set_lane, runs)

        def bulk(size: int) -> Callable[[], None]:
            def action() -> None:
                lane = rng.choice(["task", "ops"])
                service.set_lane(rng.sample(ids, size), lane, force=True)
            return action

        results["bulk_100"] = median_ms(bulk(100), max(3, runs // 4))
        results["bulk_1000"] = median_ms(bulk(1000), 3)

        results["open"] = median_ms(lambda: Store(path).open().items(), runs)

        other = OtherProcess(path)
        try:
            results["change_after_other"] = median_ms(one_change, runs, before=other.change)
            reader = Store(path).open()
            reader.items()
            results["items_after_other"] = median_ms(reader.items, runs, before=other.change)
        finally:
            other.close()
        results["items_cached"] = median_ms(reader.items, runs)

        size = path.stat().st_size + store.journal_path.stat().st_size

        # Baseline: stock TinyDB JSONStorage, same data, same single update, same process.
        stock_path = folder / "stock.json"
        shutil.copyfile(path, stock_path)
        stock = _StockStrTinyDB(stock_path, storage=JSONStorage)
        table = stock.table("items", cache_size=0)

        def stock_update() -> None:
            table.update({"estimate_minutes": rng.randint(5, 240)}, doc_ids=[rng.choice(ids)])

        results["stock_update"] = median_ms(stock_update, runs)
        results["stock_open"] = median_ms(
            lambda: _StockStrTinyDB(stock_path, storage=JSONStorage).table(
                "items", cache_size=0).all(), runs)
        stock.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)

    print(f"triage store benchmark: {args.items:,} items, {built_rows['audit']:,} audit rows, "
          f"{built_rows['examples']:,} examples, snapshot {built_size / 1e6:.2f} MB "
          f"(with its journal {size / 1e6:.2f} MB after the runs); medians of {runs} runs")
    print(f"(built in {built['insert_s']:.2f} s + {built['history_s']:.2f} s of history)")
    rows = [
        ("one change: transaction, 1 item (lock, journal line+fsync, unlock)", "change"),
        ("one change right after another process's change", "change_after_other"),
        ("one change that folds the journal into a new snapshot", "change_compacting"),
        ("TriageService.set_lane on 1 item", "service_set_lane"),
        ("TriageService.set_lane on 100 items, one transaction", "bulk_100"),
        ("TriageService.set_lane on 1,000 items, one transaction", "bulk_1000"),
        ("open: Store(path).open() + items()", "open"),
        ("lock-free items() after another process's change", "items_after_other"),
        ("lock-free items(), file unchanged", "items_cached"),
        ("baseline: stock TinyDB JSONStorage, same single update", "stock_update"),
        ("baseline: stock TinyDB JSONStorage, open + all()", "stock_open"),
    ]
    for label, key in rows:
        print(f"  {label:<66} {results[key]:8.1f} ms")
    checks = [
        ("one change", results["change"], FLOOR_CHANGE_MS),
        ("one change folding the journal", results["change_compacting"], FLOOR_CHANGE_MS),
        ("opening", results["open"], FLOOR_OPEN_MS),
    ]
    failed = False
    for label, value, floor in checks:
        ok = value <= floor
        failed |= not ok
        print(f"  {'ok  ' if ok else 'FAIL'} {label}: {value:.1f} ms (floor {floor:.0f} ms)")
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
