"""Benchmark the shared queue's running cost: idle CPU and live refresh (not a test).

    python bench/idle.py [--items 10000] [--settle 3] [--idle 10] [--changes 10]

Starts the real `triage` command in tmux (100×30) on a fresh database of `--items` items,
waits until the inbox shows them all, lets it settle, then reads the app's CPU time
(utime + stime of every thread, from /proc/PID/stat) over `--idle` seconds of idling and
prints it as a percentage of one core (the issue's floor: <= 1%).

Then another process (this one) changes the title of the item on the first row once a second,
`--changes` times; for each change it polls `tmux capture-pane` until the app's screen shows
the new title and reports the delay from the end of the write to the screen showing it
(the issue's budget: within 1 s), and the app's CPU over that busy stretch.
"""

from __future__ import annotations

import argparse
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from triage_tui.app.presenters import SORTS
from triage_tui.service import TriageService
from triage_tui.store.db import Store

sys.path.insert(0, str(Path(__file__).parent))
from benchdata import build_database  # noqa: E402

SIZE = (100, 30)
TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process (all its threads) so far."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICKS  # utime, stime: fields 14 and 15


class Terminal:
    """The app in a tmux session of its own (its own server socket)."""

    def __init__(self, folder: Path, db: Path) -> None:
        self.socket = folder / "tmux.sock"
        triage = Path(sys.executable).parent / "triage"
        command = [str(triage)] if triage.exists() else [sys.executable, "-m", "triage_tui"]
        line = (f"TRIAGE_USER=bench TRIAGE_CONFIG_DIR={shlex.quote(str(folder / 'config'))} "
                f"exec {shlex.join(command)} --db {shlex.quote(str(db))}")
        self.tmux("new-session", "-d", "-s", "idle", "-x", str(SIZE[0]), "-y", str(SIZE[1]),
                  line)
        self.pid = int(self.tmux("display-message", "-p", "-t", "idle", "#{pane_pid}"))

    def tmux(self, *args: str) -> str:
        done = subprocess.run(["tmux", "-S", str(self.socket), "-f", "/dev/null", *args],
                              capture_output=True, text=True, check=True)
        return done.stdout.strip()

    def screen(self) -> str:
        return self.tmux("capture-pane", "-p", "-t", "idle")

    def wait_for(self, text: str, timeout: float) -> float:
        """Poll the screen until it shows `text`; the seconds it took."""
        started = time.monotonic()
        while time.monotonic() - started < timeout:
            if text in self.screen():
                return time.monotonic() - started
            time.sleep(0.01)
        raise SystemExit(f"the screen never showed {text!r} within {timeout} s:\n{self.screen()}")

    def close(self) -> None:
        subprocess.run(["tmux", "-S", str(self.socket), "kill-server"], capture_output=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--settle", type=float, default=3.0)
    parser.add_argument("--idle", type=float, default=10.0)
    parser.add_argument("--changes", type=int, default=10)
    args = parser.parse_args()
    if shutil.which("tmux") is None:
        raise SystemExit("bench/idle.py needs tmux")

    folder = Path(tempfile.mkdtemp(prefix="triage-idle-"))
    db = folder / "queue.json"
    build_database(db, args.items, claimed_share=0.05)
    terminal = Terminal(folder, db)
    try:
        shown = terminal.wait_for(f"Inbox {args.items}", timeout=60)
        time.sleep(args.settle)

        before, started = cpu_seconds(terminal.pid), time.monotonic()
        time.sleep(args.idle)
        idle_cpu, idle_wall = cpu_seconds(terminal.pid) - before, time.monotonic() - started

        service = TriageService(Store(db).open(), "writer")
        key, _ = SORTS["unsorted first"]  # the app's first sort: its first row
        first = min((item for item in service.items() if item.status == "open"), key=key)
        delays = []
        before, started = cpu_seconds(terminal.pid), time.monotonic()
        for n in range(args.changes):
            tick = started + n + 1
            time.sleep(max(0.0, tick - time.monotonic()))
            title = f"ping {n:03d} {first.title}"
            result = service.edit(first.id, {"title": title})
            assert result.changed, result.summary
            written = time.monotonic()
            terminal.wait_for(f"ping {n:03d}", timeout=10)
            delays.append(time.monotonic() - written)
        time.sleep(max(0.0, started + args.changes + 1 - time.monotonic()))
        busy_cpu, busy_wall = cpu_seconds(terminal.pid) - before, time.monotonic() - started
    finally:
        terminal.close()
        shutil.rmtree(folder, ignore_errors=True)

    print(f"triage on {args.items:,} items in tmux {SIZE[0]}x{SIZE[1]} "
          f"(Python {sys.version.split()[0]}, {os.cpu_count()} CPUs); inbox shown after "
          f"{shown:.1f} s, settled {args.settle:.0f} s")
    print(f"idle:      {100 * idle_cpu / idle_wall:5.2f}% of one core "
          f"({idle_cpu * 1000:.0f} ms CPU in {idle_wall:.1f} s)   floor <= 1%")
    print(f"1 change/s: {100 * busy_cpu / busy_wall:5.2f}% of one core "
          f"({busy_cpu * 1000:.0f} ms CPU in {busy_wall:.1f} s)")
    print(f"refresh after another process's write: median {statistics.median(delays):.2f} s, "
          f"max {max(delays):.2f} s, min {min(delays):.2f} s over {len(delays)} changes "
          f"(budget: within 1 s)")


if __name__ == "__main__":
    main()
