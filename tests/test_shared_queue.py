"""The shared queue at app level: real apps and real writers in separate processes, one file.

The store and the service have their own tests (test_store, test_concurrency, test_service);
these drive the real app, headless, against other processes changing the same database: live
refresh, refused conflicts, claims, undo, read-only sessions, group set-up and the log.
"""

from __future__ import annotations

import contextlib
import grp
import json
import os
import pwd
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import AsyncIterator, Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from triage_tui.app import main_screen
from triage_tui.app.inbox_list import InboxList, InboxRow
from triage_tui.app.main import make_app
from triage_tui.cli import main as cli_main
from triage_tui.config import Settings
from triage_tui.domain.model import Item
from triage_tui.service import TriageService
from triage_tui.store.db import Store

REPO = Path(__file__).resolve().parent.parent
SUPPORT = Path(__file__).resolve().parent / "shared_support"
PYTHON = sys.executable

WRITERS = 4
CHANGES = 100
CLI_CHANGES = 12
SHARED_ITEMS = 8


# -- helpers ---------------------------------------------------------------------------------
def triage(db: Path, user: str, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    """Run the real `triage` command in its own process."""
    done = subprocess.run([PYTHON, "-m", "triage_tui", "--db", str(db), "--user", user, *args],
                          capture_output=True, text=True, timeout=60, cwd=REPO)
    assert "Traceback" not in done.stderr, done.stderr
    if check:
        assert done.returncode == 0, done.stderr
    return done


def wait_until(predicate: Callable[[], object], what: str, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        time.sleep(0.02)


async def until(pilot, predicate: Callable[[], object], what: str, timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout:.0f} s waiting for {what}")
        await pilot.pause(0.02)


def seed(db: Path, titles: list[str], user: str = "owner") -> list[str]:
    service = TriageService(Store(db).open(), user)
    return [item.id for item in service.add_items([{"title": title} for title in titles])]


def file_versions(db: Path) -> dict[str, int]:
    return {item.id: item.version for item in Store(db).items()}


class Processes:
    """Every child a test starts; killed at the end whatever happened."""

    def __init__(self) -> None:
        self.started: list[subprocess.Popen] = []

    def start(self, args: list[str], log: Path, **options) -> subprocess.Popen:
        process = subprocess.Popen(args, stdout=subprocess.PIPE, stderr=log.open("w"), text=True,
                                   cwd=REPO, **options)
        process.log = log  # type: ignore[attr-defined]
        self.started.append(process)
        return process

    def close(self) -> None:
        for process in self.started:
            if process.poll() is None:
                process.kill()
                process.wait(10)
            if process.stdout:
                process.stdout.close()


@pytest.fixture
def processes() -> Iterator[Processes]:
    tracker = Processes()
    yield tracker
    tracker.close()


def finish(process: subprocess.Popen, timeout: float = 60) -> str:
    """Wait for a child; it must exit 0 with no traceback. Returns its stdout."""
    out, _ = process.communicate(timeout=timeout)
    err = Path(process.log).read_text()
    assert process.returncode == 0, f"{process.args} exited {process.returncode}:\n{err}"
    assert "Traceback" not in err and "Error" not in err, err
    return out


def start_app(processes: Processes, db: Path, user: str, control: Path, *extra: str,
              as_user: list[str] | None = None, env: dict | None = None) -> subprocess.Popen:
    return processes.start(
        [*(as_user or []), PYTHON, str(SUPPORT / "run_app.py"), "--db", str(db), "--user", user,
         "--control", str(control), *extra],
        control / f"{user}.stderr", env=env,
    )


def read_state(control: Path, user: str) -> dict:
    return json.loads((control / f"{user}.state.json").read_text())


class Recorder:
    """Every notification an app shows, in order (a toast times out; this list does not)."""

    def __init__(self, app) -> None:
        self.seen: list[tuple[str, str]] = []
        original = app.notify

        def notify(message, *, title="", severity="information", timeout=None, markup=True):
            self.seen.append((str(message), severity))
            original(message, title=title, severity=severity, timeout=timeout, markup=markup)

        app.notify = notify

    def since(self, mark: int) -> list[str]:
        return [message for message, _ in self.seen[mark:]]


class ShiftedClock:
    """The real time plus a shift the test can move: claims made by other processes age."""

    def __init__(self) -> None:
        self.shift = timedelta()

    def __call__(self) -> datetime:
        return datetime.now().astimezone() + self.shift


@contextlib.asynccontextmanager
async def app_session(
    db: Path, user: str, tmp_path: Path, *, settings: Settings | None = None, clock=None,
) -> AsyncIterator[tuple]:
    """The real app for `user`, in this process, driven through Pilot."""
    app = make_app(db=db, user=user, settings=settings or Settings(),
                   settings_file=tmp_path / f"{user}-settings.json", clock=clock)
    recorder = Recorder(app)
    async with app.run_test(size=(100, 30)) as pilot:
        screen = app.screen
        await until(pilot, lambda: screen._loaded_once, "the first load")
        yield pilot, screen, recorder


def row_of(screen, item_id: str):
    return next(row for row in screen.query_one(InboxList).rows if row.item_id == item_id)


def no_poll(monkeypatch: pytest.MonkeyPatch) -> None:
    """The screen never polls by itself: a test calls `screen._poll()` when it wants a tick."""
    monkeypatch.setattr(main_screen, "POLL_SECONDS", 3600.0)


# -- 1. two apps, five writers ---------------------------------------------------------------
def test_two_apps_and_five_writers_lose_nothing_and_the_apps_end_equal_to_the_file(
    tmp_db: Path, tmp_path: Path, processes: Processes
) -> None:
    shared = seed(tmp_db, [f"shared {n}: book the venue" for n in range(SHARED_ITEMS)])
    audit_before = Store(tmp_db).audit_mark()
    control = tmp_path / "control"
    control.mkdir()
    # alice is mid-way through something: a filter typed, two rows selected, the cursor on a third.
    apps = {"alice": start_app(processes, tmp_db, "alice", control, "--filter", "shared",
                               "--select", "2"),
            "bob": start_app(processes, tmp_db, "bob", control)}
    wait_until(lambda: all((control / f"{u}.ready").exists() for u in apps), "both apps")

    go = control / "go"
    names = [f"w{n}" for n in range(WRITERS)] + ["cli"]
    writers = {
        name: processes.start(
            [PYTHON, str(SUPPORT / "writer.py"), str(tmp_db), name, str(go),
             str(CLI_CHANGES if name == "cli" else CHANGES), *(["--cli"] if name == "cli" else [])],
            control / f"{name}.stderr")
        for name in names
    }
    wait_until(lambda: all("ready" in (control / f"{n}.stderr").read_text() for n in names),
               "the writers to load")
    for name in names:  # "ready" was their only line on stderr so far
        (control / f"{name}.stderr").write_text("")
    started = time.monotonic()
    go.touch()
    logs = {name: json.loads(finish(process, timeout=120)) for name, process in writers.items()}
    elapsed = time.monotonic() - started
    (control / "stop").touch()
    for process in apps.values():
        finish(process, timeout=60)

    # Every change landed: each item's version is 1 + the changes made to it, and each change
    # has its audit row.
    stored = {item.id: item for item in Store(tmp_db).items()}
    made: Counter[str] = Counter()
    added: list[str] = []
    for log in logs.values():
        assert len(log) == (CLI_CHANGES if log is logs["cli"] else CHANGES)
        for change in log:
            if change["op"] == "add":
                added.append(change["item"])
            elif change["changed"]:
                made[change["item"]] += 1
    assert set(stored) == set(shared) | set(added)
    assert {item_id: item.version for item_id, item in stored.items()} == {
        item_id: 1 + made[item_id] for item_id in stored}
    rows = Store(tmp_db).audit_after(audit_before)
    key_field = {"add": ("create", "title"), "assign": ("assign", "assignee"),
                 "tag": ("tag", "lane"), "claim": ("claim", "claimed_by"),
                 "done": ("done", "status")}
    for name, log in logs.items():
        audited = Counter((row.action.split()[0], row.field, row.item_id) for row in rows
                          if row.user == name)
        expected = Counter((*key_field[c["op"]], c["item"]) for c in log if c["changed"])
        assert {key: audited[key] for key in expected} == expected, name
        assigned = {row.new for row in rows if row.user == name and row.field == "assignee"}
        assert assigned == {c["value"] for c in log if c["op"] == "assign"}

    # Both apps refreshed while the writers ran and end showing exactly the file.
    open_ids = {item_id for item_id, item in stored.items() if item.status == "open"}
    for user in apps:
        state = read_state(control, user)
        assert state["loads"] >= 3, f"{user}'s app did not refresh during the run"
        assert state["items"] == {item_id: stored[item_id].version for item_id in open_ids}
        if user == "alice":  # the filter, the selection and the cursor survived every reload
            assert state["filter"] == "shared"
            assert set(state["rows"]) == set(shared) and len(state["rows"]) == len(shared)
            assert state["title"] == f"Inbox {len(shared)} of {len(open_ids)}"
            assert len(state["before"]["selected"]) == 2 and state["before"]["cursor"]
            assert state["after"] == state["before"]
        else:
            assert set(state["rows"]) == open_ids and len(state["rows"]) == len(open_ids)
            assert state["title"] == f"Inbox {len(open_ids)}"
        assert state["stale_rows"] == {}, f"{user}'s rows differ from the file's items"
        errors = [n for n in state["notifications"] if n["severity"] == "error"]
        assert errors == []
        others = [n["message"] for n in state["notifications"] if n["title"] == "Others"]
        assert others, f"{user} was never told what the others did"
    print(f"\n{WRITERS}x{CHANGES} + {CLI_CHANGES} CLI changes in {elapsed:.1f} s while two apps "
          f"refreshed ({read_state(control, 'alice')['loads']} and "
          f"{read_state(control, 'bob')['loads']} loads)")


# -- 2. stale versions ----------------------------------------------------------------------
async def test_a_key_on_an_item_changed_elsewhere_is_refused_and_shows_the_fresh_state(
    tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    no_poll(monkeypatch)
    (target, other) = seed(tmp_db, ["send the invoices", "call the bank"])
    async with app_session(tmp_db, "alice", tmp_path) as (pilot, screen, notes):
        screen.query_one(InboxList).move_cursor_to(target)
        assert row_of(screen, target).who == ""
        triage(tmp_db, "bob", "assign", target, "carol")  # bob, in another process
        mark = len(notes.seen)
        await pilot.press("t")
        refusal = notes.since(mark)
        assert any("bob changed “send the invoices” since you loaded it" in message
                   for message in refusal), refusal
        # The fresh state is shown after the refusal, without waiting for a poll.
        await until(pilot, lambda: screen._items[target].version == 2, "the fresh state")
        assert row_of(screen, target).who == "@carol"
        assert row_of(screen, target).lane == "unsorted"
        # F forces claims, never a stale version: it must not be offered, and does nothing.
        assert not any("F forces" in message for message in refusal), refusal
        await pilot.press("F")
        stored = Store(tmp_db).get(target)
        assert (stored.lane, stored.assignee, stored.updated_by, stored.version) == (
            "unsorted", "carol", "bob", 2)
        # Pressed again, the key applies to the state now shown.
        await pilot.press("t")
        await until(pilot, lambda: Store(tmp_db).get(target).lane == "task", "the retry")
    stored = Store(tmp_db).get(target)
    assert (stored.lane, stored.assignee, stored.updated_by, stored.version) == (
        "task", "carol", "alice", 3)
    assert Store(tmp_db).get(other).version == 1


async def test_after_my_own_change_the_next_poll_still_shows_what_others_changed_before_it(
    tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """bob changes one item; before alice's screen polls, alice triages another one. Her
    save re-reads the file, so the next poll must not take bob's change as already shown."""
    no_poll(monkeypatch)
    mine, bobs = seed(tmp_db, ["send the invoices", "call the bank"])
    async with app_session(tmp_db, "alice", tmp_path) as (pilot, screen, notes):
        screen.query_one(InboxList).move_cursor_to(mine)
        triage(tmp_db, "bob", "assign", bobs, "carol")
        await pilot.press("t")
        await until(pilot, lambda: screen._items[mine].lane == "task", "alice's own change")
        screen._poll()  # the next tick of the poll
        await until(pilot, lambda: screen._items[bobs].version == 2, "bob's change on screen",
                    timeout=5)
        assert row_of(screen, bobs).who == "@carol"
        assert any("bob assigned 1 item" in message for message in notes.since(0))


async def test_a_reload_never_stringifies_the_inbox(
    tmp_db: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Textual names a `@work` worker by the repr() of its arguments unless it is given a
    description, and the reload passes every item and row: at 10,000 items each change made by
    someone else cost about 0.2 s of the UI thread, and the screen showed it 0.7-1.8 s after
    the write (bench/idle.py)."""
    ids = seed(tmp_db, [f"call the bank {n}" for n in range(20)])
    made: Counter[str] = Counter()
    for cls in (Item, InboxRow):
        original = cls.__repr__
        monkeypatch.setattr(cls, "__repr__", lambda self, original=original: (
            made.update([type(self).__name__]), original(self))[1])
    async with app_session(tmp_db, "alice", tmp_path) as (pilot, screen, notes):
        triage(tmp_db, "bob", "assign", ids[0], "carol")
        await until(pilot, lambda: screen._items[ids[0]].version == 2, "bob's change", timeout=5)
    assert made == {}


# -- 3. claims, force and expiry --------------------------------------------------------------
def audit_json(db: Path, *args: str) -> list[dict]:
    return json.loads(triage(db, "anyone", "log", "--json", *args).stdout)


async def test_a_claim_made_elsewhere_refuses_my_keys_naming_the_holder_until_forced(
    tmp_db: Path, tmp_path: Path
) -> None:
    (target,) = seed(tmp_db, ["book the venue"])
    async with app_session(tmp_db, "bob", tmp_path) as (pilot, screen, notes):
        triage(tmp_db, "alice", "claim", target)
        # bob's screen shows alice's claim by itself, within a second or so.
        await until(pilot, lambda: row_of(screen, target).who == "⚑alice", "alice's claim",
                    timeout=5)
        screen.query_one(InboxList).move_cursor_to(target)
        mark = len(notes.seen)
        for key in ("t", "d", "c"):
            await pilot.press(key)
        refusals = notes.since(mark)
        assert len(refusals) == 3, refusals
        assert all("“book the venue” is claimed by alice" in message for message in refusals)
        stored = Store(tmp_db).get(target)
        assert (stored.lane, stored.status, stored.claimed_by, stored.version) == (
            "unsorted", "open", "alice", 2)

        await pilot.press("F")  # force the last refused action: bob's claim
        await until(pilot, lambda: screen._items[target].claimed_by == "bob", "the forced claim")
        assert row_of(screen, target).who == "⚑bob"
    assert Store(tmp_db).get(target).claimed_by == "bob"
    rows = [row for row in audit_json(tmp_db, target) if row["field"] == "claimed_by"]
    assert [(row["user"], row["action"], row["old"], row["new"]) for row in rows] == [
        ("alice", "claim", None, "alice"), ("bob", "claim (forced)", "alice", "bob")]


async def test_an_expired_claim_no_longer_refuses(tmp_db: Path, tmp_path: Path) -> None:
    (target,) = seed(tmp_db, ["book the venue"])
    triage(tmp_db, "alice", "claim", target)
    clock = ShiftedClock()
    settings = Settings(claim_hours=2)
    async with app_session(tmp_db, "bob", tmp_path, settings=settings, clock=clock) as (
            pilot, screen, notes):
        screen.query_one(InboxList).move_cursor_to(target)
        assert row_of(screen, target).who == "⚑alice"
        mark = len(notes.seen)
        await pilot.press("t")
        assert any("claimed by alice" in message for message in notes.since(mark))
        assert Store(tmp_db).get(target).lane == "unsorted"

        clock.shift = timedelta(hours=2, minutes=1)  # alice went home without releasing it
        mark = len(notes.seen)
        await pilot.press("t")
        assert not any("claimed" in message for message in notes.since(mark)), notes.since(mark)
        await until(pilot, lambda: screen._items[target].lane == "task", "bob's triage")
    stored = Store(tmp_db).get(target)
    assert (stored.lane, stored.updated_by) == ("task", "bob")
    lanes = [row for row in audit_json(tmp_db, target) if row["field"] == "lane"]
    assert [(row["user"], row["action"]) for row in lanes] == [("bob", "tag task")]


# -- 4. undo ---------------------------------------------------------------------------------
async def test_undo_refuses_when_someone_else_changed_the_item_since(
    tmp_db: Path, tmp_path: Path
) -> None:
    (target,) = seed(tmp_db, ["send the invoices"])
    async with app_session(tmp_db, "alice", tmp_path) as (pilot, screen, notes):
        screen.query_one(InboxList).move_cursor_to(target)
        await pilot.press("t")
        await until(pilot, lambda: Store(tmp_db).get(target).lane == "task", "alice's tag")
        triage(tmp_db, "bob", "tag", target, "ops")
        mark = len(notes.seen)
        await pilot.press("u")
        refusal = notes.since(mark)
        assert any("cannot undo: bob changed “send the invoices” since" in message
                   for message in refusal), refusal
        await until(pilot, lambda: screen._items[target].lane == "ops", "bob's change shown")
    stored = Store(tmp_db).get(target)
    assert (stored.lane, stored.updated_by, stored.version) == ("ops", "bob", 3)
    assert [row["action"] for row in audit_json(tmp_db, target) if row["field"] == "lane"] == [
        "tag task", "tag ops"]


# -- 5. read-only sessions -------------------------------------------------------------------
SETPRIV = shutil.which("setpriv")
AS_NOBODY = [SETPRIV or "setpriv", "--reuid=nobody", "--regid=nogroup", "--clear-groups"]


@pytest.fixture
def world_folder() -> Iterator[Path]:
    """A folder other users can reach (pytest's own tmp folder is private to root)."""
    folder = Path(tempfile.mkdtemp(prefix="triage-shared-", dir="/tmp"))
    folder.chmod(0o755)
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


def needs_root(*tools: str):
    missing = [tool for tool in tools if shutil.which(tool) is None]
    reason = ("needs root to act as other users" if os.geteuid() != 0
              else f"needs {', '.join(missing)}" if missing else "")
    return pytest.mark.skipif(bool(reason), reason=reason or "n/a")


def runnable_as(as_user: list[str]) -> None:
    """Skip, saying why, when this Python cannot run as another user (say it lives in a home
    folder only its owner may enter)."""
    probe = subprocess.run([*as_user, PYTHON, "-c", "import triage_tui.app.main"],
                           capture_output=True, text=True, cwd=REPO, timeout=60,
                           env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"})
    if probe.returncode != 0:
        pytest.skip(f"{PYTHON} cannot run as {as_user[1]}: {probe.stderr.strip()[-200:]}")


@needs_root("setpriv")
def test_a_user_who_cannot_write_gets_a_read_only_app_and_changes_nothing(
    world_folder: Path, processes: Processes
) -> None:
    queue = world_folder / "queue"
    queue.mkdir(mode=0o755)
    db = queue / "queue.json"
    (target,) = seed(db, ["send the invoices"])
    for path in (db, Path(f"{db}.journal")):
        path.chmod(0o644)  # root's files in root's 0755 folder: readable, not writable
    control = world_folder / "control"
    control.mkdir()
    control.chmod(0o777)
    env = {**os.environ, "HOME": str(control), "TRIAGE_CONFIG_DIR": str(control),
           "PYTHONDONTWRITEBYTECODE": "1"}
    before = {path.name: path.read_bytes() for path in queue.iterdir()}
    runnable_as(AS_NOBODY)

    app = start_app(processes, db, "nobody", control, "--keys", "t", "d", "c", "n",
                    "--quiet", "0.5", as_user=AS_NOBODY, env=env)
    finish(app, timeout=60)
    state = read_state(control, "nobody")
    assert state["read_only"] is True
    assert state["banner"] == ("Read-only: you can read this queue but not change it "
                               f"({db})")
    assert state["rows"] == [target] and state["title"] == "Inbox 1"
    messages = [n["message"] for n in state["notifications"]]
    assert messages == ["Read-only session: this queue cannot be changed by you"] * 3 + [
        "Read-only session: you cannot add items here"]
    assert all(n["severity"] == "warning" for n in state["notifications"])
    assert {path.name: path.read_bytes() for path in queue.iterdir()} == before

    added = subprocess.run([*AS_NOBODY, PYTHON, "-m", "triage_tui", "--db", str(db), "add",
                            "renew the domain"], capture_output=True, text=True, env=env,
                           cwd=REPO, timeout=60)
    assert added.returncode == 2
    assert added.stdout == ""
    assert added.stderr == f"triage: {db}: read-only for this user; nothing was changed\n"
    assert {path.name: path.read_bytes() for path in queue.iterdir()} == before


# -- 6. init-shared --------------------------------------------------------------------------
@pytest.fixture
def unix_group() -> Iterator[tuple[str, list[str]]]:
    """A throwaway group with two members, removed afterwards whatever happens."""
    tag = f"{os.getpid() % 100000}"
    group, users = f"triage-test-{tag}", [f"tt{tag}a", f"tt{tag}b"]
    made: list[list[str]] = []
    try:
        subprocess.run(["groupadd", group], check=True, capture_output=True)
        made.append(["groupdel", group])
        for user in users:
            subprocess.run(["useradd", "-M", "-N", "-G", group, "-s", "/usr/sbin/nologin", user],
                           check=True, capture_output=True)
            made.insert(0, ["userdel", user])
        yield group, users
    finally:
        for command in made:
            subprocess.run(command, capture_output=True)


@needs_root("groupadd", "useradd", "userdel", "groupdel", "setpriv")
def test_init_shared_lets_every_member_of_the_group_write(
    world_folder: Path, unix_group: tuple[str, list[str]]
) -> None:
    group, users = unix_group
    gid = grp.getgrnam(group).gr_gid
    db = world_folder / "srv" / "queue.json"
    done = triage(db, "owner", "init-shared", str(db), "--group", group)
    folder = db.parent
    assert done.stdout.splitlines() == [
        f"created folder {folder} (group {group}, setgid, group read/write)",
        f"database {db} (mode 660, schema ready)",
        f"journal {db}.journal (mode 660)",
        f"lock {db}.lock (mode 660)",
        f"each person runs: triage --db {db}",
    ]
    for user in users:
        as_user = [SETPRIV, f"--reuid={user}", "--regid=users", "--init-groups"]
        runnable_as(as_user)
        result = subprocess.run(
            [*as_user, PYTHON, "-m", "triage_tui", "--db", str(db), "--user", user, "add",
             f"call the bank for {user}"],
            capture_output=True, text=True, cwd=REPO, timeout=60,
            env={**os.environ, "HOME": str(world_folder), "PYTHONDONTWRITEBYTECODE": "1",
                 "TRIAGE_CONFIG_DIR": f"{world_folder}/config-{user}"})
        assert result.returncode == 0, result.stderr
    items = Store(db).items()
    assert sorted((item.created_by, item.title) for item in items) == [
        (user, f"call the bank for {user}") for user in users]
    stat = folder.stat()
    assert stat.st_mode & 0o2000, "the folder is setgid"
    assert stat.st_gid == gid and stat.st_mode & 0o070 == 0o070
    for path in (db, Path(f"{db}.journal"), Path(f"{db}.lock")):
        info = path.stat()
        assert info.st_gid == gid, path
        assert info.st_mode & 0o777 == 0o660, f"{path}: {oct(info.st_mode)}"
    assert {pwd.getpwuid(path.stat().st_uid).pw_name for path in [db]} <= {users[-1], "root"}
    leftovers = [path.name for path in folder.iterdir() if path.name.endswith(".tmp")]
    assert leftovers == []


def test_init_shared_names_an_unknown_group_in_one_line(tmp_path: Path, capsys) -> None:
    assert cli_main(["init-shared", str(tmp_path / "q.json"), "--group", "no-such-group-x"]) == 2
    assert capsys.readouterr().err == "triage: no such group: no-such-group-x\n"
    assert not (tmp_path / "q.json").exists()


# -- 7. triage log ----------------------------------------------------------------------------
def test_log_prints_who_when_what_with_old_and_new_values(
    tmp_db: Path, clock, capsys: pytest.CaptureFixture[str]
) -> None:
    alice = TriageService(Store(tmp_db).open(), "alice", clock=clock)
    (item,) = alice.add_items([{"title": "renew the domain"}])
    clock.advance(days=1)
    bob = TriageService(Store(tmp_db).open(), "bob", clock=clock)
    bob.set_lane([item.id], "task")
    clock.advance(days=1)
    bob.assign([item.id], "carol")
    alice.claim([item.id], force=True)

    def log(*args: str) -> str:
        assert cli_main(["--db", str(tmp_db), "log", *args]) == 0
        captured = capsys.readouterr()
        assert captured.err == ""
        return captured.out

    lines = log().splitlines()
    assert lines[0].split() == ["2025-03-12T09:30:00+01:00", "alice", item.id, "create",
                                "title:", "∅", "→", "renew", "the", "domain"]
    assert lines[1].split() == ["2025-03-13T09:30:00+01:00", "bob", item.id, "tag", "task",
                                "lane:", "unsorted", "→", "task"]
    assert any(line.split()[1:] == ["bob", item.id, "assign", "assignee:", "∅", "→", "carol"]
               for line in lines)
    assert any(line.split()[1:] == ["alice", item.id, "claim", "claimed_by:", "∅", "→", "alice"]
               for line in lines)

    assert {line.split()[1] for line in log("--user", "bob").splitlines()} == {"bob"}
    day = "2025-03-14T00:00+01:00"
    since = log("--since", day).splitlines()
    assert since and all(line.startswith("2025-03-14") for line in since)
    assert log("--since", "2025-03-15") == ""  # a plain date: local midnight, in any zone
    assert log(item.id[:5], "--user", "alice", "--since", day).splitlines() == [
        line for line in since if line.split()[1] == "alice"]

    rows = json.loads(log("--json", "--user", "bob"))
    assert {tuple(row) for row in rows} == {
        ("at", "user", "item_id", "field", "old", "new", "action")}
    assert [(row["action"], row["field"], row["old"], row["new"], row["at"]) for row in rows
            if row["field"] in ("lane", "assignee")] == [
        ("tag task", "lane", "unsorted", "task", "2025-03-13T09:30:00+01:00"),
        ("assign", "assignee", None, "carol", "2025-03-14T09:30:00+01:00")]


def test_log_refuses_a_bad_date_in_one_line(tmp_db: Path, capsys) -> None:
    seed(tmp_db, ["x"])
    assert cli_main(["--db", str(tmp_db), "log", "--since", "friday-ish"]) == 2
    err = capsys.readouterr().err
    assert err == "triage: --since 'friday-ish': expected an ISO date such as 2026-11-01\n"


async def test_an_expired_claim_is_redrawn_without_any_change_to_the_file(
    tmp_path, monkeypatch
) -> None:
    from triage_tui.app import main_screen
    from triage_tui.app.inbox_list import InboxList
    from triage_tui.app.main import make_app
    from triage_tui.config import Settings
    from triage_tui.service import TriageService
    from triage_tui.store.db import Store

    monkeypatch.setattr(main_screen, "CLAIM_CHECK_SECONDS", 0.0)
    now = [datetime(2026, 11, 23, 10, 0, tzinfo=UTC)]
    path = tmp_path / "queue.json"
    alice = TriageService(Store(path).open(), "alice", clock=lambda: now[0])
    (item,) = alice.add_items([{"title": "call the printer"}])
    alice.claim([item.id])
    app = make_app(db=path, user="bob", settings=Settings(claim_hours=1.0),
                   settings_file=tmp_path / "c.json", clock=lambda: now[0])
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        row = next(r for r in app.screen.query_one(InboxList).rows if r.item_id == item.id)
        assert row.who == "⚑alice"
        now[0] += timedelta(hours=2)
        await pilot.pause(1.2)
        row = next(r for r in app.screen.query_one(InboxList).rows if r.item_id == item.id)
        assert row.who == ""
