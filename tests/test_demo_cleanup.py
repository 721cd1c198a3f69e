"""`triage --demo` removes its temporary database however the session ends."""

from __future__ import annotations

import os
import shlex
import shutil
import subprocess
import sys
import time
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent

pytestmark = pytest.mark.skipif(shutil.which("tmux") is None, reason="needs tmux")


def tmux(*args: str) -> str:
    return subprocess.run(["tmux", "-L", f"demo-{os.getpid()}", *args], capture_output=True,
                          text=True, check=False).stdout


def _demo_running(tmp_path: Path) -> bool:
    """Whether a `triage --demo` started by this test (its TMPDIR) still runs."""
    for proc in Path("/proc").iterdir():
        if not proc.name.isdigit():
            continue
        try:
            cmdline = (proc / "cmdline").read_bytes()
            environ = (proc / "environ").read_bytes()
        except OSError:
            continue
        if b"--demo" in cmdline and f"TMPDIR={tmp_path}".encode() in environ:
            return True
    return False


@pytest.mark.parametrize("ending", ["terminal closed", "q"])
def test_the_demo_folder_is_removed(tmp_path: Path, ending: str) -> None:
    env = (f"TMPDIR={shlex.quote(str(tmp_path))} TRIAGE_CONFIG_DIR={shlex.quote(str(tmp_path))} "
           f"PYTHONPATH={shlex.quote(str(REPO))}")
    command = f"{env} {shlex.quote(sys.executable)} -m triage_tui --demo"
    tmux("new-session", "-d", "-s", "demo", "-x", "100", "-y", "30", command)
    try:
        deadline = time.monotonic() + 30
        while "Inbox" not in tmux("capture-pane", "-p", "-t", "demo"):
            assert time.monotonic() < deadline, tmux("capture-pane", "-p", "-t", "demo")
            time.sleep(0.1)
        (folder,) = tmp_path.glob("triage-demo-*")
        assert (folder / "triage-demo.json").exists()
        if ending == "q":
            tmux("send-keys", "-t", "demo", "q")
        else:
            tmux("kill-session", "-t", "demo")  # the terminal goes: SIGHUP
        deadline = time.monotonic() + 15
        while folder.exists() and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not folder.exists()
        if ending == "terminal closed":  # and the app is gone, not left running without one
            deadline = time.monotonic() + 15
            while time.monotonic() < deadline and _demo_running(tmp_path):
                time.sleep(0.1)
            assert not _demo_running(tmp_path)
    finally:
        tmux("kill-server")
