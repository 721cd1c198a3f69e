"""Run the real triage app headless as one user, in its own process, and report what it shows.

    python run_app.py --db DB --user NAME --control DIR [--keys t d ...] [--claim-hours H]

Protocol, all through files in the control folder:

* with `--filter TEXT --select K`: types the filter, selects the first K rows it shows and
  puts the cursor on the next one (what a person is in the middle of while others write);
* writes `NAME.ready` once the first load is on screen;
* presses `--keys` (if any), one at a time, waiting for the screen to settle after each;
* waits for a `stop` file (or, with `--keys` and no `--wait-stop`, stops after the keys);
* then waits until the screen is quiet: no reload running and the file's signature equal to
  the one the screen last loaded, for `--quiet` seconds in a row;
* writes `NAME.state.json`: the screen's items (id -> version), the inbox row ids in order, the
  rows that differ from what the file's items make now, the inbox border title, the banner
  text, the filter, selection and cursor before and after, every notification and how many
  loads it saw, and exits 0.

Anything unexpected raises, so the process exits non-zero with a traceback on stderr.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
import time
from pathlib import Path

from triage_tui.app.inbox_list import InboxList
from triage_tui.app.main import make_app
from triage_tui.app.presenters import inbox_row
from triage_tui.config import Settings
from triage_tui.store.db import Store


def parse_args(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser()
    parser.add_argument("--db", required=True)
    parser.add_argument("--user", required=True)
    parser.add_argument("--control", required=True, type=Path)
    parser.add_argument("--keys", nargs="*", default=[])
    parser.add_argument("--wait-stop", action="store_true",
                        help="with --keys: still wait for the stop file afterwards")
    parser.add_argument("--claim-hours", type=float, default=8.0)
    parser.add_argument("--filter", default="")
    parser.add_argument("--select", type=int, default=0)
    parser.add_argument("--quiet", type=float, default=2.0)
    parser.add_argument("--timeout", type=float, default=120.0)
    return parser.parse_args(argv)


def is_quiet(screen) -> bool:
    """No reload running and nothing on disk the screen has not loaded."""
    return not screen._loading and screen.service.store.signature() == screen._seen_signature


async def main(args: argparse.Namespace) -> None:
    control: Path = args.control
    settings = Settings(claim_hours=args.claim_hours)
    app = make_app(db=args.db, user=args.user, settings=settings,
                   settings_file=control / f"{args.user}-settings.json")
    notifications: list[dict[str, str]] = []
    original_notify = app.notify

    def record(message, *, title="", severity="information", timeout=None, markup=True):
        notifications.append({"message": str(message), "title": title, "severity": severity})
        original_notify(message, title=title, severity=severity, timeout=timeout, markup=markup)

    app.notify = record
    deadline = time.monotonic() + args.timeout
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        while not screen._loaded_once:
            await asyncio.sleep(0.02)
            assert time.monotonic() < deadline, "the app never loaded"
        inbox = screen.query_one(InboxList)
        if args.filter:
            await pilot.press("slash", *args.filter, "enter")
            await pilot.pause()
        for row in inbox.rows[: args.select]:
            inbox.toggle_selected(row.item_id)
        if args.select:
            inbox.move_cursor_to(inbox.rows[args.select].item_id)
        await pilot.pause()
        before = {"selected": sorted(inbox.selected_ids), "cursor": inbox.cursor_item_id}
        signatures = {screen._seen_signature}
        (control / f"{args.user}.ready").write_text("ready")

        async def settle() -> None:
            quiet_since = None
            while True:
                signatures.add(screen._seen_signature)
                if is_quiet(screen):
                    quiet_since = quiet_since or time.monotonic()
                    if time.monotonic() - quiet_since >= args.quiet:
                        return
                else:
                    quiet_since = None
                assert time.monotonic() < deadline, "the screen never became quiet"
                await asyncio.sleep(0.05)

        for key in args.keys:
            await pilot.press(key)
            await pilot.pause()
            await settle()
        stop = control / "stop"
        if args.wait_stop or not args.keys:
            while not stop.exists():
                signatures.add(screen._seen_signature)
                assert time.monotonic() < deadline, "no stop file"
                await asyncio.sleep(0.05)
        await settle()
        # Every shown row against the row the file's item makes now: a cached row whose item
        # changed without the screen noticing shows here.
        stored = {item.id: item for item in Store(args.db).items()}
        today = screen.service.now().date()
        stale = {}
        for row in screen.query_one(InboxList).rows:
            fresh = inbox_row(stored[row.item_id], screen.service, today) if (
                row.item_id in stored) else None
            if row != fresh:
                stale[row.item_id] = {"shown": repr(row), "file": repr(fresh)}
        banner = screen.query("#banner")
        pane = screen.query_one("#inbox-pane")
        state = {
            "user": args.user,
            "items": {item_id: item.version for item_id, item in screen._items.items()},
            "rows": [row.item_id for row in screen.query_one(InboxList).rows],
            "title": str(pane.border_title),
            "banner": str(banner.first().content) if banner else None,
            "filter": screen.query_one("#filter").value,
            "before": before,
            "after": {"selected": sorted(inbox.selected_ids), "cursor": inbox.cursor_item_id},
            "notifications": notifications,
            "stale_rows": stale,
            "loads": len(signatures),
            "read_only": screen.service.read_only,
        }
    (control / f"{args.user}.state.json").write_text(json.dumps(state, indent=1))


if __name__ == "__main__":
    asyncio.run(main(parse_args(sys.argv[1:])))
