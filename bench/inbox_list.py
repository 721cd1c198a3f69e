"""Benchmark the inbox list and the fuzzy filter against a stock DataTable (not a test).

    python bench/inbox_list.py [--rows 10000] [--runs 5] [--moves 40]

Everything runs headless (`App.run_test`) in one process, so the figures compare with each
other, not with a real terminal. A "repaint" is forced the way Pilot does it (the screen's
update), without Pilot's idle wait, which alone sleeps at least 20 ms per call.
"""

from __future__ import annotations

import argparse
import asyncio
import random
import statistics
import sys
import time
from collections.abc import Awaitable, Callable

from textual import events
from textual.app import App, ComposeResult
from textual.pilot import Pilot
from textual.widgets import DataTable, Footer, Header

from triage_tui.app.inbox_list import InboxList, InboxRow
from triage_tui.domain.fuzzy import fuzzy_filter

SIZE = (120, 40)
LANES = ("unsorted", "task", "ops", "keep")
VERBS = ["send", "renew", "call", "book", "update", "review", "pick", "draft", "file", "pay"]
THINGS = ["invoice", "domain", "CRM", "vendor contract", "SOP", "travel", "KPI report", "payroll"]
WHOM = ["Acme", "Bob", "the bank", "Globex", "Initech", "the landlord", "Umbrella", "Hooli"]
FILTER_QUERY = "inv acm"
TYPING = ["i", "in", "inv", "inv ", "inv a", "inv ac", "inv acm"]
QUERIES = ["renew", "pay bank", "kpi", "crm hoo", "x", "sop lan", "e"]


def make_rows(count: int) -> list[InboxRow]:
    """A reproducible inbox of `count` rows, every column filled."""
    rng = random.Random(4)
    rows = []
    for index in range(count):
        title = f"{rng.choice(VERBS)} {rng.choice(THINGS)} for {rng.choice(WHOM)} #{index}"
        rows.append(
            InboxRow(
                item_id=f"item-{index}",
                lane=LANES[index % 4],
                title=title.capitalize(),
                suggestion=f"{rng.choice(('task', 'ops'))} {rng.randint(40, 99)}%",
                needs_review=rng.random() < 0.2,
                due=rng.choice(["tue", "in 3d", "overdue 2d", "", "fri"]),
                overdue=rng.random() < 0.1,
                estimate=rng.choice(["15m", "1h30", "", "2h"]),
                who=rng.choice(["@bob", "⚑alice", ""]),
            )
        )
    return rows


def table_cells(row: InboxRow) -> tuple[str, ...]:
    """The same columns as plain DataTable cells."""
    return (row.lane, row.title, row.suggestion, row.due, row.estimate, row.who)


class BareApp(App[None]):
    """The issue's reference: Header, an empty DataTable, Footer."""

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable()
        yield Footer()


class InboxApp(App[None]):
    """Header, the inbox list with every row, Footer."""

    def __init__(self, rows: list[InboxRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield InboxList(self.rows)
        yield Footer()


class TableApp(App[None]):
    """Header, a stock DataTable filled with the same rows, Footer."""

    def __init__(self, rows: list[InboxRow]) -> None:
        super().__init__()
        self.rows = rows

    def compose(self) -> ComposeResult:
        yield Header()
        yield DataTable(cursor_type="row")
        yield Footer()

    def on_mount(self) -> None:
        table = self.query_one(DataTable)
        table.add_columns("lane", "title", "suggestion", "due", "estimate", "who")
        table.add_rows(table_cells(row) for row in self.rows)


async def repaint(pilot: Pilot[None]) -> None:
    """Let pending messages run, then paint the screen (Pilot's pause minus its idle sleep)."""
    await pilot.pause(0)


async def first_paint(make_app: Callable[[], App[None]]) -> float:
    """Seconds from starting the app to its first painted frame."""
    start = time.perf_counter()
    async with make_app().run_test(size=SIZE) as pilot:
        await repaint(pilot)
        return time.perf_counter() - start


async def timed(action: Callable[[], Awaitable[None] | None], pilot: Pilot[None]) -> float:
    """Seconds for `action` plus the repaint it causes."""
    start = time.perf_counter()
    result = action()
    if result is not None:
        await result
    await repaint(pilot)
    return time.perf_counter() - start


async def press(pilot: Pilot[None], key: str) -> None:
    """Deliver one key the way the driver does, without Pilot's two 20 ms idle waits."""
    pilot.app.post_message(events.Key(key, key if len(key) == 1 else None))
    await pilot.pause(0)  # the key and everything it caused run before the repaint


async def keystrokes(app: App[None], key: str, moves: int) -> tuple[list[float], int | None]:
    """Times for pressing `key` `moves` times, each followed by a repaint; and where the
    cursor ended (to check every key press did arrive)."""
    async with app.run_test(size=SIZE) as pilot:
        await repaint(pilot)
        samples = [await timed(lambda: press(pilot, key), pilot) for _ in range(moves)]
        await pilot.pause()
        if app.query(InboxList):
            return samples, app.query_one(InboxList).cursor_index
        if app.query(DataTable):
            return samples, app.query_one(DataTable).cursor_row
        return samples, None


async def inbox_refills(rows: list[InboxRow], runs: int) -> tuple[list[float], list[float]]:
    """Times for showing the filtered subset, then all rows again, with set_rows."""
    subset = [rows[i] for i in fuzzy_filter(FILTER_QUERY, [row.title for row in rows])]
    app = InboxApp(rows)
    narrow, widen = [], []
    async with app.run_test(size=SIZE) as pilot:
        inbox = app.query_one(InboxList)
        await repaint(pilot)
        for _ in range(runs):
            narrow.append(await timed(lambda: inbox.set_rows(subset), pilot))
            widen.append(await timed(lambda: inbox.set_rows(rows), pilot))
    return narrow, widen


async def table_refills(rows: list[InboxRow], runs: int) -> tuple[list[float], list[float]]:
    """The same refills on a DataTable: clear() then add_rows()."""
    subset = [rows[i] for i in fuzzy_filter(FILTER_QUERY, [row.title for row in rows])]
    app = TableApp(rows)
    narrow, widen = [], []

    def refill(table: DataTable[str], chosen: list[InboxRow]) -> None:
        table.clear()
        table.add_rows(table_cells(row) for row in chosen)

    async with app.run_test(size=SIZE) as pilot:
        table = app.query_one(DataTable)
        await repaint(pilot)
        for _ in range(runs):
            narrow.append(await timed(lambda: refill(table, subset), pilot))
            widen.append(await timed(lambda: refill(table, rows), pilot))
    return narrow, widen


async def filter_keystrokes(rows: list[InboxRow], runs: int) -> list[float]:
    """A whole filter keystroke in the inbox: fuzzy_filter, set_rows, highlight, repaint."""
    titles = [row.title for row in rows]
    app = InboxApp(rows)
    samples = []
    async with app.run_test(size=SIZE) as pilot:
        inbox = app.query_one(InboxList)
        await repaint(pilot)

        def keystroke(query: str) -> None:
            inbox.set_rows([rows[i] for i in fuzzy_filter(query, titles)])
            inbox.highlight_query = query

        for _ in range(runs):
            for query in [*TYPING, ""]:
                samples.append(await timed(lambda q=query: keystroke(q), pilot))
    return samples


def fuzzy_timings(rows: list[InboxRow], runs: int) -> tuple[float, list[float], list[float]]:
    """fuzzy_filter alone: the first call (folds the titles), typed prefixes, fresh queries."""
    titles = [row.title for row in rows]
    start = time.perf_counter()
    fuzzy_filter("warm up", titles)
    cold = time.perf_counter() - start
    typed, fresh = [], []
    for _ in range(runs):
        for query in TYPING:
            start = time.perf_counter()
            fuzzy_filter(query, titles)
            typed.append(time.perf_counter() - start)
        for query in QUERIES:
            fuzzy_filter("", titles)  # reset the incremental state: each query from scratch
            start = time.perf_counter()
            fuzzy_filter(query, titles)
            fresh.append(time.perf_counter() - start)
    return cold, typed, fresh


def ms(seconds: float) -> str:
    return f"{seconds * 1000:8.1f}"


def report(title: str, inbox: list[float] | None, table: list[float] | None) -> None:
    """One table line: medians (and the slowest) in milliseconds."""

    def cell(samples: list[float] | None) -> str:
        if not samples:
            return f"{'—':>8} {'':>8}"
        return f"{ms(statistics.median(samples))} {ms(max(samples))}"

    ratio = ""
    if inbox and table:
        ratio = f"{statistics.median(table) / statistics.median(inbox):7.0f}×"
    print(f"{title:<38} {cell(inbox)}   {cell(table)} {ratio}")


async def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--moves", type=int, default=40)
    args = parser.parse_args()
    rows = make_rows(args.rows)

    # One throw-away start of each app: imports and CSS parsing are not what we measure.
    for make_app in (BareApp, lambda: InboxApp(rows[:10]), lambda: TableApp(rows[:10])):
        await first_paint(make_app)

    bare, inbox_paint, table_paint = [], [], []
    for _ in range(args.runs):
        bare.append(await first_paint(BareApp))
        inbox_paint.append(await first_paint(lambda: InboxApp(rows)))
        table_paint.append(await first_paint(lambda: TableApp(rows)))

    inbox_moves, inbox_cursor = await keystrokes(InboxApp(rows), "j", args.moves)
    table_moves, table_cursor = await keystrokes(TableApp(rows), "down", args.moves)
    noop, _ = await keystrokes(InboxApp(rows), "f12", args.moves)
    if inbox_cursor != args.moves or table_cursor != args.moves:
        raise SystemExit(f"lost key presses: inbox at {inbox_cursor}, table at {table_cursor}")
    inbox_narrow, inbox_widen = await inbox_refills(rows, args.runs)
    table_narrow, table_widen = await table_refills(rows, args.runs)
    keystroke = await filter_keystrokes(rows, args.runs)
    cold, typed, fresh = fuzzy_timings(rows, args.runs)
    subset = len(fuzzy_filter(FILTER_QUERY, [row.title for row in rows]))

    print(f"rows={args.rows} runs={args.runs} moves={args.moves} size={SIZE[0]}x{SIZE[1]} ")
    print(f"python {sys.version.split()[0]}, headless; times in ms (median, slowest)\n")
    print(f"{'':<38} {'InboxList':>17}   {'DataTable':>17} {'ratio':>8}")
    report("first paint (bare app: Header+empty DT)", bare, None)
    report("first paint", inbox_paint, table_paint)
    report("cursor move + repaint (j / down)", inbox_moves, table_moves)
    report("unbound key + repaint (loop floor)", noop, None)
    report(f"refill with a filter ({subset} rows)", inbox_narrow, table_narrow)
    report(f"refill with all {args.rows} rows", inbox_widen, table_widen)
    report("filter keystroke (filter+rows+paint)", keystroke, None)
    report("fuzzy_filter, first call (folds)", [cold], None)
    report("fuzzy_filter, typed prefixes", typed, None)
    report("fuzzy_filter, fresh queries", fresh, None)


if __name__ == "__main__":
    asyncio.run(main())
