"""One writer process for the shared-queue tests: COUNT changes, interleaved with the others.

    python writer.py DB NAME GO_FILE COUNT [--cli]

Waits for GO_FILE, then for i in range(COUNT) does one change, cycling through eight steps:
add an item of its own, assign a shared item to a unique person, tag a shared item, complete
its own item; add another, assign a shared item, claim its own item, assign that one to a
unique person (so half of its items stay open, claimed). Shared items are the ones titled
"shared ...". Nothing it does can be refused (no claims on shared items, no expected
versions), so every change must land. With --cli each change is a `python -m triage_tui`
process instead of a service call.

Prints one JSON line: the changes it made, as {"op", "item", "changed", "value"}.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time

from triage_tui.service import TriageService
from triage_tui.store.db import Store

LANES = ("task", "ops", "keep")


def cli(db: str, name: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", "triage_tui", "--db", db, "--user", name, *args],
                          capture_output=True, text=True, timeout=60)
    if done.returncode != 0 or "Traceback" in done.stderr:
        raise SystemExit(f"triage {' '.join(args)} failed ({done.returncode}): {done.stderr}")
    return done.stdout


def main() -> None:
    db, name, go, count = sys.argv[1], sys.argv[2], sys.argv[3], int(sys.argv[4])
    use_cli = "--cli" in sys.argv[5:]
    service = TriageService(Store(db).open(create=False), name)
    shared = sorted(item.id for item in service.items() if item.title.startswith("shared"))
    service.classifier()  # load the model before the start line, not during the race
    print("ready", file=sys.stderr, flush=True)
    while not os.path.exists(go):
        time.sleep(0.005)
    seed = sum(map(ord, name))
    own: list[str] = []
    log: list[dict[str, object]] = []
    for i in range(count):
        target = shared[(i + seed) % len(shared)]
        step = i % 8
        if step in (0, 4):
            op, value = "add", f"{name} item {i}"
            if use_cli:
                item_id = cli(db, name, "add", value).strip()
            else:
                item_id = service.add(value)[0].id
            own.append(item_id)
            log.append({"op": op, "item": item_id, "changed": True, "value": value})
            continue
        if step in (1, 5):
            op, item_id, value = "assign", target, f"{name}-{i}"
        elif step == 2:
            op, item_id, value = "tag", target, LANES[(i // 8 + seed) % len(LANES)]
        elif step == 6:
            op, item_id, value = "claim", own[-1], name
        elif step == 7:
            op, item_id, value = "assign", own[-1], f"{name}-{i}"
        else:
            op, item_id, value = "done", own[-1], "done"
        if use_cli:
            args = {"assign": ["assign", item_id, value], "tag": ["tag", item_id, value],
                    "claim": ["claim", item_id], "done": ["done", item_id]}[op]
            changed = bool(cli(db, name, *args).strip())
        else:
            if op == "assign":
                result = service.assign([item_id], value)
            elif op == "tag":
                result = service.set_lane([item_id], value)
            elif op == "claim":
                result = service.claim([item_id])
            else:
                result = service.complete([item_id])
            if result.refused:
                raise SystemExit(f"{name}: {op} {item_id} refused: {result.summary}")
            changed = bool(result.changed)
        log.append({"op": op, "item": item_id, "changed": changed, "value": value})
    print(json.dumps(log))


if __name__ == "__main__":
    main()
