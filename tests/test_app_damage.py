"""The database damaged under a running app: said once, nothing written, and recovered from."""

from __future__ import annotations

from pathlib import Path

import pytest
from app_support import build_app, make_deterministic, new_db_path, seed, settle, wait_until

NARROW = (100, 30)


@pytest.fixture(autouse=True)
def deterministic(monkeypatch) -> None:
    make_deterministic(monkeypatch)


@pytest.fixture
def db_path(tmp_path: Path) -> Path:
    path = new_db_path(tmp_path)
    seed(path)
    return path


def errors(app) -> list[str]:
    return [n.message for n in app._notifications if n.severity == "error"]


async def test_a_damaged_journal_is_reported_once_and_nothing_is_written(db_path) -> None:
    journal = db_path.with_name("queue.json.journal")
    app = build_app(db_path)
    async with app.run_test(size=NARROW) as pilot:
        await settle(pilot)
        good = journal.read_bytes()
        with journal.open("ab") as handle:
            handle.write(b"garbage line\n")
        damaged = {path.name: path.read_bytes() for path in db_path.parent.iterdir()}
        assert await wait_until(pilot, lambda: bool(errors(app)))
        await pilot.pause(1.6)  # three more polls
        assert len(errors(app)) == 1
        (message,) = errors(app)
        assert "queue.json.journal line" in message and "is damaged" in message
        assert str(app.screen.query_one("#inbox-pane").border_title) == "Inbox 12"
        await pilot.press("t")  # refused: the change needs a good read first
        await app.workers.wait_for_complete()
        assert {path.name: path.read_bytes() for path in db_path.parent.iterdir()} == damaged
        journal.write_bytes(good)  # repaired by hand
        assert await wait_until(
            pilot, lambda: "The database reads correctly again" in
            [n.message for n in app._notifications])
