"""`triage add` and `triage list --json` as whole processes on a 10,000-item database (not a test).

    python -m compileall -q triage_tui    # when PYTHONDONTWRITEBYTECODE is set
    python bench/cli.py [--items 10000] [--examples 1000] [--runs 21]

Each run is a fresh `python -m triage_tui` process, timed from spawn to exit, interleaved with
two baselines measured the same way in the same run, so a busy machine slows all three alike:

* `python -c pass`: the interpreter alone;
* the whole-file floor: import orjson, parse the same database file, dump it, write a temp file,
  fsync and rename it. Every change to a one-file JSON database does at least this much.

The database also holds `--examples` hand-made lane choices (the classifier's corrections), as
one used for months would. `triage add` runs against it and grows it by one item per run.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from benchdata import build_database  # noqa: E402

FLOOR = """
import os, sys, orjson
path = sys.argv[1]
data = orjson.loads(open(path, "rb").read())
temp = path + ".floor.tmp"
with open(temp, "wb") as handle:
    handle.write(orjson.dumps(data))
    handle.flush()
    os.fsync(handle.fileno())
os.replace(temp, path + ".floor")
"""


def add_examples(db: Path, count: int) -> None:
    """`count` lanes chosen by hand, on lines like the classifier's corpus."""
    import json
    import random

    from triage_tui.store.db import Store

    corpus = Path(__file__).resolve().parent.parent / "sample_data" / "corpus.jsonl"
    rows = [json.loads(line) for line in corpus.read_text(encoding="utf-8").splitlines()]
    rng = random.Random(11)
    with Store(db).open().transaction("ines") as tx:
        for n in range(count):
            row = rng.choice(rows)
            tx.add_example(f"{row['text']} ({n})", row["lane"])


def timed(argv: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True, env=env)
    return time.perf_counter() - start


def report(name: str, values: list[float], floor: float | None = None) -> str:
    median = statistics.median(values)
    text = (f"{name:34s} median {median * 1000:6.1f} ms   min {min(values) * 1000:6.1f}   "
            f"max {max(values) * 1000:6.1f}")
    if floor:
        text += f"   {median / floor:4.2f}× the floor"
    return text


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--examples", type=int, default=1_000)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="triage-cli-bench-"))
    try:
        db = folder / "bench.json"
        build_database(db, args.items)
        add_examples(db, args.examples)
        env = {**os.environ, "TRIAGE_CONFIG_DIR": str(folder / "config")}
        # The `triage` script pip installed beside this Python, as a user types it (no runpy).
        script = Path(sys.executable).with_name("triage")
        command = [str(script)] if script.exists() else [sys.executable, "-m", "triage_tui"]
        triage = [*command, "--db", str(db), "--user", "ines"]
        timed([*triage, "add", "warm the classifier cache"], env)
        bare, floor, adds, lists = [], [], [], []
        for n in range(args.runs):
            bare.append(timed([sys.executable, "-c", "pass"], env))
            floor.append(timed([sys.executable, "-c", FLOOR, str(db)], env))
            adds.append(timed([*triage, "add", f"call the bank fri ~15m #admin {n}"], env))
            lists.append(timed([*triage, "list", "--json"], env))
        size = db.stat().st_size / 1e6
        base = statistics.median(floor)
        print(f"{args.items} items and {args.examples} corrections, {size:.1f} MB database, "
              f"{args.runs} runs each, interleaved")
        print(report("python -c pass", bare))
        print(report("whole-file floor (parse+write)", floor))
        print(report("triage add (budget 150 ms)", adds, base))
        print(report("triage list --json", lists, base))
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
