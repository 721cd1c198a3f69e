"""The `triage` command: opens the app, or runs one scripted action through the service layer.

This module must not import Textual: `triage add` on a 10,000-item database has a 150 ms
budget for the whole process. The app is imported only when it is opened.

Exit codes: 0 ok, 2 bad input (usage, unreadable file, malformed rows, refused change),
1 unexpected error.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

from triage_tui import __version__

if TYPE_CHECKING:
    from triage_tui.service import TriageService

EXIT_OK, EXIT_UNEXPECTED, EXIT_BAD_INPUT = 0, 1, 2


class CliError(Exception):
    """Bad input: printed as one line, exit code 2."""


class _Formatter(argparse.HelpFormatter):
    """argparse's formatter, told the terminal width so it need not import shutil for it."""

    def __init__(self, prog: str, **options: Any) -> None:
        options.setdefault("width", terminal_width(80) - 2)
        super().__init__(prog, **options)


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args: Any, **options: Any) -> None:
        options.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **options)

    def error(self, message: str) -> NoReturn:
        self.print_usage(sys.stderr)
        self.exit(EXIT_BAD_INPUT, f"triage: {message}\n")


def terminal_width(default: int) -> int:
    """Columns of the terminal on stdout (`$COLUMNS` first), else `default`."""
    columns = os.environ.get("COLUMNS", "")
    if columns.isdigit():
        return int(columns)
    try:
        return os.get_terminal_size(sys.stdout.fileno()).columns
    except (OSError, ValueError, AttributeError):
        return default


COMMANDS = ("add", "list", "done", "drop", "reopen", "claim", "release", "tag", "assign",
            "classify", "import", "export", "log", "init-shared", "config", "review")


def build_parser(only: str | None = None) -> argparse.ArgumentParser:
    """The whole parser, or (`only`) the top level with just that command: argparse looks up
    translations for every help text, which costs `triage add` several milliseconds."""
    parser = _Parser(
        prog="triage",
        description="Sort a small business inbox into task management (VA), operations "
        "management (OM) and keep. With no command, opens the dashboard.",
    )
    parser.add_argument("--db", metavar="PATH", help="database file (default: $TRIAGE_DB or "
                        "triage.json in your data folder)")
    parser.add_argument("--user", metavar="NAME", help="who you are (default: $TRIAGE_USER or "
                        "your login name)")
    parser.add_argument("--demo", action="store_true",
                        help="open the app on a fresh temporary copy of the sample data")
    parser.add_argument("--version", action="version", version=f"triage {__version__}")
    commands = _Commands(
        parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser), only
    )

    add = commands.add_parser("add", help="quick-add one item: triage add \"renew domain fri "
                              "~15m #admin\"")
    add.add_argument("text", nargs="+", help="the quick-add line")
    add.add_argument("--json", action="store_true", help="print the new item as JSON")

    show_list = commands.add_parser("list", help="list items")
    show_list.add_argument("--lane", choices=["unsorted", "task", "ops", "keep"])
    show_list.add_argument("--status", choices=["open", "done", "dropped", "all"],
                           default="open")
    show_list.add_argument("--json", action="store_true", help="JSON array of items")

    for name, helptext in (("done", "mark items done (recurring ones move to the next "
                                    "occurrence)"),
                           ("drop", "drop items"), ("reopen", "reopen done or dropped items"),
                           ("claim", "claim items so nobody else works on them"),
                           ("release", "release your claim on items")):
        command = commands.add_parser(name, help=helptext)
        command.add_argument("ids", nargs="+", metavar="ID")
        command.add_argument("--force", action="store_true",
                             help="override another person's claim (recorded in the history)")

    tag = commands.add_parser("tag", help="put an item in a lane by hand (teaches the "
                              "classifier)")
    tag.add_argument("id", metavar="ID")
    tag.add_argument("lane", choices=["task", "ops", "keep", "unsorted"])
    tag.add_argument("--force", action="store_true")

    assign = commands.add_parser("assign", help="assign an item to a person")
    assign.add_argument("id", metavar="ID")
    assign.add_argument("person", nargs="?", help="name (omit to unassign)")
    assign.add_argument("--force", action="store_true")

    classify = commands.add_parser("classify", help="suggest lanes for lines of text")
    classify.add_argument("file", nargs="?", default="-", help="a file, or - for stdin")
    classify.add_argument("--json", action="store_true", help="one JSON object per line")
    classify.add_argument("--explain", action="store_true", help="print the reasons")

    imp = commands.add_parser("import", help="import items from a file")
    imp.add_argument("file")
    imp.add_argument("--format", choices=["csv", "json", "todotxt", "taskwarrior"])
    imp.add_argument("--skip-bad", action="store_true",
                     help="import the good rows even when some are malformed")
    imp.add_argument("--dry-run", action="store_true", help="check the file, import nothing")

    exp = commands.add_parser("export", help="export items")
    exp.add_argument("--format", choices=["csv", "json", "todotxt"], default="json")
    exp.add_argument("--status", choices=["open", "done", "dropped", "all"], default="all")
    exp.add_argument("-o", "--output", metavar="FILE", help="write here instead of stdout")

    log = commands.add_parser("log", help="the history of changes")
    log.add_argument("id", nargs="?", metavar="ID", help="only this item")
    log.add_argument("--user", dest="log_user", metavar="U")
    log.add_argument("--since", metavar="DATE", help="ISO date or datetime")
    log.add_argument("--json", action="store_true")

    init = commands.add_parser("init-shared", help="create a database a group can share")
    init.add_argument("path")
    init.add_argument("--group", metavar="G", help="the Unix group that shares it")

    config = commands.add_parser("config", help="show or change settings")
    config.add_argument("action", choices=["show", "set"])
    config.add_argument("key", nargs="?", help="e.g. capacity.va, default_estimate.task, "
                        "review_threshold, claim_hours, theme")
    config.add_argument("value", nargs="?", help="e.g. 25h, 90m, 0.75")

    review = commands.add_parser("review", help="the weekly review (Markdown or JSON)")
    review.add_argument("--week", metavar="YYYY-Www", help="ISO week (default: this week)")
    review.add_argument("--format", choices=["md", "json"], default="md")
    review.add_argument("-o", "--output", metavar="FILE")
    return parser


class _Commands:
    """Sub-commands as `build_parser` declares them, keeping only the one asked for."""

    def __init__(self, subparsers: Any, only: str | None) -> None:
        self._subparsers, self._only = subparsers, only

    def add_parser(self, name: str, **options: Any) -> Any:
        if self._only is None or name == self._only:
            return self._subparsers.add_parser(name, **options)
        return _Skipped()


class _Skipped:
    """A sub-command left out of this parse: its arguments go nowhere."""

    def add_argument(self, *names: str, **options: Any) -> None:
        return None


def command_named(argv: Sequence[str]) -> str | None:
    """The sub-command `argv` names, when it names a known one before any help option."""
    takes_value = {"--db", "--user"}
    words = iter(argv)
    for word in words:
        if word in takes_value:
            next(words, None)
        elif word.startswith("-"):
            if word in ("-h", "--help", "--version"):
                return None
        else:
            return word if word in COMMANDS else None
    return None


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `triage` command; returns the exit code."""
    argv = sys.argv[1:] if argv is None else list(argv)
    args = build_parser(command_named(argv)).parse_args(argv)
    try:
        from triage_tui import commands

        if args.command is None:
            return commands.open_app(args)
        return getattr(commands, "cmd_" + args.command.replace("-", "_"))(args)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        # Output piped into `head`: not an error worth a message.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
    except Exception as error:  # noqa: BLE001 - the one place that turns errors into exit codes
        return report(error)


def report(error: Exception) -> int:
    """Print one line for an error and return its exit code."""
    from triage_tui.config import SettingsError
    from triage_tui.service import ServiceError
    from triage_tui.store.db import StoreError

    if isinstance(error, (CliError, ServiceError, StoreError, SettingsError)):
        print(f"triage: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    if os.environ.get("TRIAGE_DEBUG"):
        raise error
    print(f"triage: unexpected error: {type(error).__name__}: {error}", file=sys.stderr)
    return EXIT_UNEXPECTED


def read_input(name: str) -> bytes:
    """Bytes of a file or of stdin (`-`); a missing or unreadable file is bad input."""
    if name == "-":
        return sys.stdin.buffer.read()
    path = Path(name)
    try:
        if path.is_dir():
            raise CliError(f"{name}: is a folder, not a file")
        return path.read_bytes()
    except OSError as error:
        raise CliError(f"{name}: cannot read ({error.strerror or error})") from None


def database_path(args: argparse.Namespace) -> Path:
    """`--db`, else `$TRIAGE_DB`, else the default in the user's data folder."""
    from triage_tui.config import default_db_path

    return Path(args.db).expanduser() if args.db else default_db_path()


def open_service(args: argparse.Namespace, create: bool = True,
                 quick: bool = False) -> TriageService:
    """The service for `--db`/`--user`, with the database checked before anything runs."""
    from triage_tui.config import current_user, load_settings
    from triage_tui.service import TriageService
    from triage_tui.store.db import Store

    store = Store(database_path(args)).open(create=create, quick=quick)
    return TriageService(store, current_user(args.user), load_settings())
