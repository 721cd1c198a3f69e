"""Benchmark the whole dashboard on a 10,000-item database (not a test).

    python bench/app.py [--items 10000] [--runs 5]

Headless (`App.run_test`) at 140×40, in one process: a cursor move; a triage key saved and
repainted; a filter keystroke; and, for reference, the first frame in-process
(`bench/startup.py` measures it, and memory, as a person sees them). Keys are delivered the
way the driver does, without Pilot's idle waits (each at least 20 ms), then a repaint.
"""

from __future__ import annotations

import argparse
import asyncio
import gc
import statistics
import sys
import tempfile
import time
from pathlib import Path

from textual import events
from textual.app import App, ComposeResult
from textual.widgets import DataTable, Footer, Header

from triage_tui.app.inbox_list import InboxList
from triage_tui.app.main import make_app
from triage_tui.config import Settings

sys.path.insert(0, str(Path(__file__).parent))
from benchdata import build_database  # noqa: E402

SIZE = (140, 40)


class BareApp(App[None]):
    """The issue's reference: Header, an empty DataTable, Footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()


async def bare_first_frame() -> float:
    start = time.perf_counter()
    async with BareApp().run_test(size=SIZE) as pilot:
        await pilot.pause(0)
        return time.perf_counter() - start


def _app(path: Path):
    return make_app(db=path, user="ines", settings=Settings(),
                    settings_file=path.with_suffix(".cfg"))


async def triage_first_frame(path: Path, count: int) -> float:
    """Seconds until the inbox shows its count and its rows."""
    start = time.perf_counter()
    app = _app(path)
    async with app.run_test(size=SIZE) as pilot:
        while True:
            await pilot.pause(0)
            pane = app.screen.query_one("#inbox-pane")
            if str(pane.border_title) == f"Inbox {count}":
                return time.perf_counter() - start
            await asyncio.sleep(0.001)


async def press(pilot, key: str, character: str | None = None) -> float:
    start = time.perf_counter()
    pilot.app.post_message(events.Key(key, character if character is not None else (
        key if len(key) == 1 else None)))
    await pilot.pause(0)
    return time.perf_counter() - start


async def interactions(path: Path, count: int, runs: int) -> dict[str, list[float]]:
    app = _app(path)
    samples: dict[str, list[float]] = {"cursor": [], "triage": [], "filter": []}
    async with app.run_test(size=SIZE) as pilot:
        pane = app.screen.query_one("#inbox-pane")
        while str(pane.border_title) != f"Inbox {count}":
            await pilot.pause(0.01)
        await pilot.pause()
        for _ in range(runs * 8):
            samples["cursor"].append(await press(pilot, "j"))
        for _ in range(runs * 4):
            samples["triage"].append(await press(pilot, "t"))
            await pilot.pause(0.05)  # let the workload worker finish between keys
        await press(pilot, "slash", "/")
        for _ in range(runs):
            for char in "inv acm":
                key = "space" if char == " " else char
                samples["filter"].append(await press(pilot, key, char))
            for _ in range(7):
                samples["filter"].append(await press(pilot, "backspace"))
        inbox = app.screen.query_one(InboxList)
        await pilot.pause(0.2)
        assert inbox.row_count == count, f"the filter did not clear: {pane.border_title}"
    return samples


def report(name: str, values: list[float], budget_ms: float | None = None) -> None:
    median = statistics.median(values) * 1000
    worst = max(values) * 1000
    budget = f"  (budget {budget_ms:g} ms)" if budget_ms else ""
    print(f"{name:<44} median {median:7.1f} ms   max {worst:7.1f} ms{budget}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    folder = Path(tempfile.mkdtemp(prefix="triage-bench-"))
    path = folder / "bench.json"
    build_database(path, args.items)
    print(f"{args.items} items, {path.stat().st_size / 1e6:.1f} MB, {SIZE[0]}×{SIZE[1]}, "
          f"Python {sys.version.split()[0]}")
    bare, full = [], []
    for _ in range(args.runs):
        gc.collect()
        bare.append(await bare_first_frame())
        gc.collect()
        full.append(await triage_first_frame(path, args.items))
    # In one process the bare app pays no imports: bench/startup.py has the whole-process ratio.
    report("bare app first frame (in-process)", bare)
    report(f"triage first frame, inbox {args.items} (in-process)", full)
    samples = await interactions(path, args.items, args.runs)
    report("cursor move + repaint", samples["cursor"], 16)
    report("triage key (t): saved + repainted", samples["triage"], 50)
    report("filter keystroke + repaint", samples["filter"], 50)


if __name__ == "__main__":
    asyncio.run(main())
