"""End to end over SSH: Debian's sshd on loopback, two people in tmux, one database.

The test starts its own `sshd` on a free port of 127.0.0.1 with a throwaway host key and a
throwaway client key, then opens two `ssh -tt` sessions, each running tmux with the real
`triage` command in it (alice and bob). Alice's keys travel through her SSH session into her
tmux client and the app; bob's screen is read with `tmux capture-pane` over SSH until it shows
her change. The file is checked after. Skipped, with the reason printed, only where sshd,
ssh, ssh-keygen or tmux cannot be found or sshd cannot start.
"""

from __future__ import annotations

import getpass
import os
import shlex
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from triage_tui.service import TriageService
from triage_tui.store.db import Store

REPO = Path(__file__).resolve().parent.parent
SSHD = "/usr/sbin/sshd"
TOOLS = ("ssh", "ssh-keygen", "tmux")
SIZE = (100, 30)


def skip(reason: str) -> None:
    print(f"\nSKIPPED test_ssh: {reason}", file=sys.stderr)
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def triage_command() -> list[str]:
    """The installed `triage` script beside this Python, else `python -m triage_tui`."""
    script = Path(sys.executable).parent / "triage"
    return [str(script)] if script.exists() else [sys.executable, "-m", "triage_tui"]


@dataclass
class Server:
    """A running throwaway sshd, and everything the test started against it."""

    port: int
    key: Path
    user: str
    folder: Path
    tmux_socket: Path
    clients: list[subprocess.Popen] = field(default_factory=list)

    def ssh_args(self, command: str, tty: bool = False) -> list[str]:
        """`ssh` running `command` (a shell line) on the server."""
        return ["ssh", *(["-tt"] if tty else ["-T"]), "-F", "/dev/null", "-i", str(self.key),
                "-p", str(self.port), "-o", "StrictHostKeyChecking=no",
                "-o", "UserKnownHostsFile=/dev/null", "-o", "BatchMode=yes",
                "-o", "IdentitiesOnly=yes", "-o", "LogLevel=ERROR",
                f"{self.user}@127.0.0.1", command]

    def run(self, *remote: str, timeout: float = 30) -> subprocess.CompletedProcess:
        """One command over SSH; its output."""
        return subprocess.run(self.ssh_args(shlex.join(remote)), capture_output=True, text=True,
                              timeout=timeout, stdin=subprocess.DEVNULL)

    def tmux(self, *args: str) -> list[str]:
        return ["tmux", "-S", str(self.tmux_socket), "-f", "/dev/null", *args]


@pytest.fixture
def sshd(tmp_path: Path) -> Iterator[Server]:
    missing = [tool for tool in TOOLS if shutil.which(tool) is None]
    if not os.path.exists(SSHD):
        skip(f"sshd not installed: no {SSHD} (apt-get install openssh-server)")
    if missing:
        skip(f"not installed: {', '.join(missing)}")
    folder = tmp_path / "ssh"
    folder.mkdir()
    folder.chmod(0o700)
    user = "root" if os.geteuid() == 0 else getpass.getuser()
    for name in ("host_key", "client_key"):
        subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                        "-f", str(folder / name)], check=True, capture_output=True)
    (folder / "authorized_keys").write_bytes((folder / "client_key.pub").read_bytes())
    (folder / "authorized_keys").chmod(0o600)
    port = free_port()
    config = folder / "sshd_config"
    config.write_text(
        f"Port {port}\nListenAddress 127.0.0.1\nHostKey {folder / 'host_key'}\n"
        f"PidFile {folder / 'sshd.pid'}\nAuthorizedKeysFile {folder / 'authorized_keys'}\n"
        "StrictModes no\nUsePAM no\nPermitRootLogin yes\nPasswordAuthentication no\n"
        "KbdInteractiveAuthentication no\nPubkeyAuthentication yes\n"
        f"AllowUsers {user}\nPrintMotd no\nPrintLastLog no\nAcceptEnv TERM\n"
    )
    if os.geteuid() == 0:
        os.makedirs("/run/sshd", mode=0o755, exist_ok=True)  # sshd's privilege separation
    log = folder / "sshd.log"
    daemon = subprocess.Popen([SSHD, "-D", "-e", "-f", str(config)], stdout=log.open("w"),
                              stderr=subprocess.STDOUT)
    server = Server(port, folder / "client_key", user, folder, folder / "tmux.sock")
    try:
        deadline = time.monotonic() + 20
        while True:
            if daemon.poll() is not None:
                skip(f"sshd could not start: {log.read_text().strip()[-300:]}")
            probe = server.run("true", timeout=10) if _listening(port) else None
            if probe is not None and probe.returncode == 0:
                break
            if time.monotonic() > deadline:
                detail = probe.stderr.strip() if probe else "not listening"
                skip(f"sshd did not accept our key within 20 s: {detail}; "
                     f"log: {log.read_text().strip()[-300:]}")
            time.sleep(0.1)
        yield server
    finally:
        subprocess.run(server.tmux("kill-server"), capture_output=True)
        for client in server.clients:
            if client.poll() is None:
                client.kill()
            client.wait(10)
            if client.stdin:
                client.stdin.close()
        daemon.terminate()
        try:
            daemon.wait(10)
        except subprocess.TimeoutExpired:
            daemon.kill()
            daemon.wait(10)


def _listening(port: int) -> bool:
    with socket.socket() as probe:
        probe.settimeout(0.5)
        return probe.connect_ex(("127.0.0.1", port)) == 0


def open_session(server: Server, user: str, db: Path, config_dir: Path) -> subprocess.Popen:
    """`ssh -tt` into tmux running the app as `user`; keys go in through the ssh client."""
    status = server.folder / f"{user}.status"
    # Textual draws on stderr: leave it on the terminal. The exit status goes to a file; after
    # a failure the pane stays a while, so the test can show what the app printed.
    app = (f"TRIAGE_USER={user} TRIAGE_CONFIG_DIR={shlex.quote(str(config_dir))} "
           f"{shlex.join(triage_command())} --db {shlex.quote(str(db))}; "
           f"code=$?; echo $code >{shlex.quote(str(status))}; [ $code = 0 ] || sleep 60")
    width, height = SIZE
    # The pty sshd makes for a client without a terminal has no size: give it the size a
    # person's terminal would have, so tmux and the app get it too.
    remote = (f"stty cols {width} rows {height}; exec " + shlex.join(
        server.tmux("new-session", "-s", user, "-x", str(width), "-y", str(height), app)))
    client = subprocess.Popen(server.ssh_args(remote, tty=True), stdin=subprocess.PIPE,
                              stdout=(server.folder / f"{user}.out").open("wb"),
                              stderr=subprocess.STDOUT, env={**os.environ, "TERM": "xterm"})
    server.clients.append(client)
    return client


def screen(server: Server, user: str) -> str:
    """What `user`'s terminal shows now, read over SSH."""
    done = server.run(*server.tmux("capture-pane", "-p", "-t", user))
    return done.stdout if done.returncode == 0 else ""


def wait_for_screen(server: Server, user: str, check, what: str, timeout: float = 20) -> float:
    """Poll `user`'s screen until `check(text)`; returns the seconds it took."""
    started = time.monotonic()
    text = ""
    while time.monotonic() - started < timeout:
        text = screen(server, user)
        if check(text):
            return time.monotonic() - started
        time.sleep(0.05)
    raise AssertionError(f"{user}'s screen never showed {what} in {timeout:.0f} s:\n{text}")


def press(client: subprocess.Popen, key: str) -> None:
    client.stdin.write(key.encode())
    client.stdin.flush()


def line_with(text: str, title: str) -> str:
    return next((line for line in text.splitlines() if title in line), "")


def test_two_people_over_ssh_see_each_others_changes(sshd: Server, tmp_path: Path) -> None:
    db = tmp_path / "queue.json"
    titles = ["call the bank about fees", "book flights to Lisbon", "send the March invoices"]
    service = TriageService(Store(db).open(), "owner")
    service.add_items([{"title": title} for title in titles])
    config_dir = tmp_path / "config"

    alice = open_session(sshd, "alice", db, config_dir)
    bob = open_session(sshd, "bob", db, config_dir)
    for user in ("alice", "bob"):
        wait_for_screen(sshd, user, lambda text: "Inbox 3" in text and titles[0] in text,
                        "the inbox")
    wait_for_screen(sshd, "alice", lambda text: "▸" in text, "the cursor")
    cursor_title = next(title for title in titles
                        if "▸" in line_with(screen(sshd, "alice"), title))

    # alice sends the item under her cursor to the VA; bob's screen shows it by itself.
    press(alice, "t")
    seen_after = wait_for_screen(
        sshd, "bob", lambda text: "TASK" in line_with(text, cursor_title), "alice's triage")
    tagged = next(item for item in Store(db).items() if item.title == cursor_title)
    assert (tagged.lane, tagged.updated_by, tagged.version) == ("task", "alice", 2)

    # alice claims the item her cursor moved on to; bob sees who holds it.
    wait_for_screen(sshd, "alice", lambda text: "▸" in text
                    and cursor_title not in next(line for line in text.splitlines() if "▸" in line),
                    "alice's cursor moving on")
    claimed_title = next(title for title in titles
                         if "▸" in line_with(screen(sshd, "alice"), title))
    press(alice, "c")
    claim_seen = wait_for_screen(
        sshd, "bob", lambda text: "⚑alice" in line_with(text, claimed_title), "alice's claim")
    claimed = next(item for item in Store(db).items() if item.title == claimed_title)
    assert (claimed.claimed_by, claimed.updated_by) == ("alice", "alice")

    # bob, on the claimed item, is refused with alice's name on his screen.
    bob_screen = screen(sshd, "bob")
    order = _rows(bob_screen, titles)
    at = next(title for title in titles if "▸" in line_with(bob_screen, title))
    moves = order.index(claimed_title) - order.index(at)
    press(bob, ("j" if moves > 0 else "k") * abs(moves))
    wait_for_screen(sshd, "bob", lambda text: "▸" in line_with(text, claimed_title),
                    "bob's cursor on the claimed item")
    press(bob, "d")
    wait_for_screen(sshd, "bob", lambda text: "claimed by alice" in text, "the refusal")
    assert next(item for item in Store(db).items() if item.title == claimed_title).status == "open"

    for user, client in (("alice", alice), ("bob", bob)):
        status = sshd.folder / f"{user}.status"
        assert not status.exists(), f"{user}'s app ended early:\n{screen(sshd, user)}"
        press(client, "q")
        try:
            client.wait(30)
        except subprocess.TimeoutExpired:
            raise AssertionError(f"{user}'s session did not end:\n{screen(sshd, user)}") from None
        assert status.read_text().strip() == "0", screen(sshd, user)
        assert client.returncode == 0
    print(f"\nover ssh: bob saw alice's triage {seen_after:.2f} s and her claim "
          f"{claim_seen:.2f} s after the key (capture over ssh included)")


def _rows(text: str, titles: list[str]) -> list[str]:
    """The titles in the order the inbox shows them."""
    order = []
    for line in text.splitlines():
        order.extend(title for title in titles if title in line and title not in order)
    return order
