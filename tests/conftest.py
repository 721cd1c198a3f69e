"""Shared fixtures: keep them small and generic."""

from __future__ import annotations

import os
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest

FIXED_NOW = datetime(2025, 3, 12, 9, 30, tzinfo=timezone(timedelta(hours=1)))
"""A Wednesday morning, with an offset, so date maths is reproducible."""


@pytest.fixture(scope="session", autouse=True)
def _classifier_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """The classifier's disk cache lives in the test session's folder, built once per run."""
    os.environ["TRIAGE_CACHE_DIR"] = str(tmp_path_factory.mktemp("classifier-cache"))


@pytest.fixture(autouse=True)
def _isolated_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """No test reads or writes the real user's database, identity or settings."""
    monkeypatch.setenv("TRIAGE_DB", str(tmp_path / "env-db" / "triage.json"))
    monkeypatch.setenv("TRIAGE_USER", "tester")
    monkeypatch.setenv("TRIAGE_CONFIG_DIR", str(tmp_path / "env-config"))


@pytest.fixture
def tmp_db(tmp_path: Path) -> Path:
    """A database path in its own empty folder (the file does not exist yet)."""
    folder = tmp_path / "db"
    folder.mkdir()
    return folder / "queue.json"


class Clock:
    """A settable clock: call it for the time, `advance()` to move it on."""

    def __init__(self, start: datetime = FIXED_NOW) -> None:
        self.now = start

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


@pytest.fixture
def clock() -> Clock:
    return Clock()


def _set_process_zone(name: str | None) -> None:
    if name is None:
        os.environ.pop("TZ", None)
    else:
        os.environ["TZ"] = name
    time.tzset()


@pytest.fixture
def utc_process_zone():
    """Pin the process zone (TZ) to UTC for a test, so a fixed offset in it is never the
    system's own; yields a setter for tests that need another zone; restored after."""
    saved = os.environ.get("TZ")
    _set_process_zone("UTC")
    yield _set_process_zone
    _set_process_zone(saved)
