"""Whole-process start-up, as a person sees it: command typed → first frame (not a test).

    python bench/startup.py [--items 10000] [--runs 5]

Each command runs in a real terminal (tmux at 140×40); the clock stops when `capture-pane`
first shows the marker text. Measured the same way in the same run:

* a bare Textual app (Header, empty DataTable, Footer) — the baseline;
* `triage --db FILE` on a 10,000-item database, until the inbox title shows its count;
* the app's peak resident memory, 2 s after its first frame;
* `triage add` and `triage list --json` on the same database (plain processes, no terminal).

Needs tmux on PATH. The polling interval (5 ms) is included in every figure alike.
"""

from __future__ import annotations

import argparse
import os
import shlex
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))

from benchdata import build_database  # noqa: E402

SIZE = (140, 40)
BARE_APP = """
from textual.app import App
from textual.widgets import DataTable, Footer, Header
class Bare(App):
    TITLE = "bare-ready"
    def compose(self):
        yield Header()
        yield DataTable()
        yield Footer()
Bare().run()
"""


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", *args], capture_output=True, text=True, check=False).stdout


MEMORY: list[float] = []
"""Peak resident memory (MB) of each triage run, read 2 s after its first frame."""


def time_to_marker(command: str, marker: str, timeout: float = 30.0,
                   memory: bool = False) -> float:
    """Seconds from starting `command` in a new tmux window to `marker` on its screen."""
    session = f"triage-bench-{os.getpid()}"
    start = time.perf_counter()
    tmux("new-session", "-d", "-s", session, "-x", str(SIZE[0]), "-y", str(SIZE[1]), command)
    try:
        while time.perf_counter() - start < timeout:
            if marker in tmux("capture-pane", "-p", "-t", session):
                elapsed = time.perf_counter() - start
                if memory:
                    time.sleep(2.0)  # the workload pane and the first poll have run
                    MEMORY.append(peak_rss_mb(session))
                return elapsed
            time.sleep(0.005)
        raise TimeoutError(f"{marker!r} did not appear within {timeout} s: {command}")
    finally:
        tmux("kill-session", "-t", session)


def peak_rss_mb(session: str) -> float:
    """VmHWM of the process running in the session's pane (or of its only child)."""
    pid = tmux("display-message", "-p", "-t", session, "#{pane_pid}").strip()
    children = Path(f"/proc/{pid}/task/{pid}/children").read_text().split()
    for candidate in [pid, *children]:
        status = Path(f"/proc/{candidate}/status").read_text()
        if "python" in Path(f"/proc/{candidate}/cmdline").read_text():
            line = next(row for row in status.splitlines() if row.startswith("VmHWM:"))
            return int(line.split()[1]) / 1024
    return float("nan")


def time_process(argv: list[str]) -> float:
    start = time.perf_counter()
    subprocess.run(argv, check=True, capture_output=True)
    return time.perf_counter() - start


def median_ms(values: list[float]) -> str:
    return f"{statistics.median(values) * 1000:7.0f} ms (min {min(values) * 1000:.0f})"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="triage-startup-"))
    db = folder / "bench.json"
    build_database(db, args.items)
    bare_script = folder / "bare.py"
    bare_script.write_text(BARE_APP)
    python = shlex.quote(sys.executable)
    triage = [sys.executable, "-m", "triage_tui", "--db", str(db), "--user", "ines"]
    env = f"TRIAGE_CONFIG_DIR={shlex.quote(str(folder))}"
    tmux("new-session", "-d", "-s", "triage-bench-keepalive")  # server start is not measured
    bare, full = [], []
    try:
        for _ in range(args.runs):
            bare.append(time_to_marker(f"{python} {bare_script}", "bare-ready"))
            full.append(time_to_marker(f"{env} {shlex.join(triage)}", f"Inbox {args.items}",
                                       memory=True))
    finally:
        tmux("kill-session", "-t", "triage-bench-keepalive")
    adds = [time_process([*triage, "add", f"call the bank fri ~15m #admin {n}"])
            for n in range(args.runs)]
    lists = [time_process([*triage, "list", "--json"]) for _ in range(args.runs)]
    size_mb = db.stat().st_size / 1e6
    print(f"{args.items} items, {size_mb:.1f} MB database, tmux {SIZE[0]}×{SIZE[1]}")
    print(f"bare Textual app, first frame          {median_ms(bare)}")
    print(f"triage, first frame with 'Inbox {args.items}'  {median_ms(full)}")
    ratio = statistics.median(full) / statistics.median(bare)
    print(f"ratio                                  {ratio:.2f}× (budget 2×)")
    print(f"triage app peak resident memory        {statistics.median(MEMORY):7.0f} MB "
          "(budget 100 MB)")
    print(f"triage add (whole process)             {median_ms(adds)} (budget 150 ms)")
    print(f"triage list --json (whole process)     {median_ms(lists)}")


if __name__ == "__main__":
    main()
