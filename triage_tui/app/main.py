"""The one factory for the app, used by the `triage` command and by the tests alike."""

from __future__ import annotations

import atexit
import shutil
import tempfile
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from triage_tui.config import (
    Settings,
    SettingsError,
    config_dir,
    current_user,
    default_db_path,
    load_settings,
)
from triage_tui.service import TriageService
from triage_tui.store.db import Store


def make_demo_db(folder: Path, user: str, now: datetime | None = None) -> Path:
    """A fresh database in `folder` holding the bundled demo inbox, dated from `now`."""
    from triage_tui.domain.demo import load_demo_items

    now = now or datetime.now().astimezone()
    path = folder / "triage-demo.json"
    service = TriageService(Store(path).open(), user, clock=lambda: now)
    service.add_items(load_demo_items(now), action="import")
    return path


def make_app(
    db: str | Path | None = None,
    user: str | None = None,
    demo: bool = False,
    settings: Settings | None = None,
    settings_file: Path | None = None,
    clock: Callable[[], datetime] | None = None,
):
    """Build the TriageApp for a database (or a demo copy), a user and settings."""
    from triage_tui.app.app import TriageApp

    problems: list[str] = []
    if settings is None:
        try:
            settings = load_settings(settings_file)
        except SettingsError as error:
            problems.append(f"{error}; using defaults")
            settings = Settings()
    name = current_user(user)
    if demo:
        folder = Path(tempfile.mkdtemp(prefix="triage-demo-"))
        _DEMO_FOLDERS.append(folder)
        atexit.register(remove_demo_folders)
        db = make_demo_db(folder, name, clock() if clock else None)
    path = Path(db).expanduser() if db else default_db_path()
    store = Store(path).open(quick=False)  # the inbox reads every item at once anyway
    service = TriageService(store, name, settings, clock=clock)
    return TriageApp(service, settings_file=settings_file, themes_folder=config_dir() / "themes",
                     startup_problems=problems)


_DEMO_FOLDERS: list[Path] = []
"""Temporary folders of `--demo` databases made by this process."""


def remove_demo_folders() -> None:
    while _DEMO_FOLDERS:
        shutil.rmtree(_DEMO_FOLDERS.pop(), ignore_errors=True)


def run_app(db: str | None = None, user: str | None = None, demo: bool = False) -> int:
    """Open the dashboard; returns the exit code."""
    app = make_app(db=db, user=user, demo=demo)
    if demo:
        # The terminal closing (SIGHUP) or a kill (SIGTERM) ends the process without its exit
        # handlers: remove the demo's folder first, then end as the signal would have. (Asking
        # the app to quit is not enough: with its terminal gone it may never get there.)
        import os
        import signal

        def quit_now(signum: int, frame: object) -> None:
            remove_demo_folders()
            signal.signal(signum, signal.SIG_DFL)
            os.kill(os.getpid(), signum)

        for name in ("SIGHUP", "SIGTERM"):
            number = getattr(signal, name, None)
            if number is not None:
                signal.signal(number, quit_now)
    app.run()
    return app.return_code or 0
