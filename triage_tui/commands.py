"""What each `triage` subcommand does; `cli.py` parses, this module acts through the service.

No Textual import here: only `open_app` imports the app, and only when it runs.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from triage_tui.cli import (
    EXIT_BAD_INPUT,
    EXIT_OK,
    CliError,
    database_path,
    open_service,
    read_input,
    terminal_width,
)

if TYPE_CHECKING:
    from triage_tui.domain.model import Item
    from triage_tui.service import ChangeResult, TriageService

MAX_CLASSIFY_CHARS = 2000
"""Longer lines are cut before classification: a to-do's meaning is in its first words."""


def _print_json(data: object) -> None:
    import orjson

    sys.stdout.write(orjson.dumps(data, option=orjson.OPT_INDENT_2).decode() + "\n")


# -- the app ---------------------------------------------------------------------------------
def open_app(args: argparse.Namespace) -> int:
    from triage_tui.app.main import run_app

    return run_app(db=args.db, user=args.user, demo=args.demo)


# -- adding and listing ----------------------------------------------------------------------
def cmd_add(args: argparse.Namespace) -> int:
    service = open_service(args, quick=True)  # appends without parsing the snapshot
    item, parsed = service.add(" ".join(args.text))
    for problem in parsed.problems:
        print(f"triage: note: {problem}", file=sys.stderr)
    if args.json:
        _print_json(item.to_dict())
    else:
        print(item.id)
    return EXIT_OK


def cmd_list(args: argparse.Namespace) -> int:
    service = open_service(args)
    items = service.items(status=args.status, lane=args.lane)
    items.sort(key=_list_order)
    if args.json:
        _print_json([item.to_dict() for item in items])
        return EXIT_OK
    print(format_table(items, service), end="")
    return EXIT_OK


def _list_order(item: Item) -> tuple:
    lane_rank = {"unsorted": 0, "task": 1, "ops": 2, "keep": 3}.get(item.lane, 4)
    return (lane_rank, item.due or "9999", item.created_at)


def format_table(items: list[Item], service: TriageService) -> str:
    """A plain, aligned table for people (`--json` is for scripts)."""
    from triage_tui.domain.dates import due_in_words, format_minutes
    from triage_tui.domain.model import confidence_percent

    if not items:
        return "No items.\n"
    today = service.now().date()
    width = terminal_width(120)
    # A status column only when the list holds closed items (`--status all|done|dropped`).
    with_status = any(item.status != "open" for item in items)
    header = ("ID", "STATUS", "LANE", "SUGGESTED", "DUE", "EST", "WHO", "TITLE")
    rows = [header if with_status else header[:1] + header[2:]]
    for item in items:
        suggestion = ""
        if item.suggestion and item.lane == "unsorted" and item.status == "open":
            mark = "?" if service.needs_review(item) else ""
            shown = confidence_percent(item.suggestion.confidence)
            suggestion = f"{item.suggestion.lane} {shown}{mark}"
        who = f"⚑{item.claimed_by}" if service.claim_holder(item) else (
            f"@{item.assignee}" if item.assignee else "")
        row = (item.id, item.status, item.lane, suggestion, due_in_words(item.due, today),
               format_minutes(item.estimate_minutes), who, item.title)
        rows.append(row if with_status else row[:1] + row[2:])
    columns = len(rows[0]) - 1
    widths = [max(len(row[i]) for row in rows) for i in range(columns)]
    lines = []
    for row in rows:
        head = "  ".join(cell.ljust(widths[i]) for i, cell in enumerate(row[:columns]))
        room = max(width - len(head) - 2, 20)
        title = row[-1] if len(row[-1]) <= room else row[-1][: room - 1] + "…"
        lines.append(f"{head}  {title}".rstrip())
    return "\n".join(lines) + f"\n{len(items)} item{'s' if len(items) != 1 else ''}\n"


# -- changing --------------------------------------------------------------------------------
def _resolve(service: TriageService, refs: list[str]) -> list[str]:
    return [service.get(ref).id for ref in refs]


def _report_change(result: ChangeResult, verb: str) -> int:
    for item in result.changed:
        print(f"{item.id} {verb}: {item.title}")
    for item_id, reason in result.refused:
        print(f"triage: refused {item_id}: {reason}", file=sys.stderr)
    return EXIT_BAD_INPUT if result.refused else EXIT_OK


def _bulk(verb: str, method: str):
    def command(args: argparse.Namespace) -> int:
        service = open_service(args, create=False)
        ids = _resolve(service, args.ids)
        return _report_change(getattr(service, method)(ids, force=args.force), verb)

    command.__doc__ = f"`triage {method}`: {verb} items by id."
    return command


cmd_done = _bulk("done", "complete")
cmd_drop = _bulk("dropped", "drop")
cmd_reopen = _bulk("reopened", "reopen")
cmd_claim = _bulk("claimed", "claim")
cmd_release = _bulk("released", "release")


def cmd_tag(args: argparse.Namespace) -> int:
    service = open_service(args, create=False)
    ids = _resolve(service, [args.id])
    status = _report_change(service.set_lane(ids, args.lane, force=args.force),
                            f"tagged {args.lane}")
    if status == EXIT_OK and args.lane in ("task", "ops"):
        service.reclassify()
    return status


def cmd_assign(args: argparse.Namespace) -> int:
    service = open_service(args, create=False)
    ids = _resolve(service, [args.id])
    verb = f"assigned to {args.person}" if args.person else "unassigned"
    return _report_change(service.assign(ids, args.person, force=args.force), verb)


# -- classify --------------------------------------------------------------------------------
def cmd_classify(args: argparse.Namespace) -> int:
    data = read_input(args.file)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CliError(f"{args.file}: not UTF-8 text (byte {error.start})") from None
    # Only a newline ends a line: splitlines() would also split at \f, \x85 or U+2028 inside a
    # line, and the output would stop lining up with the input.
    lines = text.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    lines = [line.removesuffix("\r") for line in lines]
    classifier = _classifier_for(args)
    suggestions = classifier.suggest_many([line[:MAX_CLASSIFY_CHARS] for line in lines])
    out = []
    for line, suggestion in zip(lines, suggestions, strict=True):
        out.append(_classify_line(line, suggestion, args))
    sys.stdout.write("".join(out))
    return EXIT_OK


def _classifier_for(args: argparse.Namespace):
    """The database's classifier (with its corrections) when there is one, else the shipped."""
    if database_path(args).exists():
        return open_service(args, create=False, quick=True).classifier()
    from triage_tui.classify import Classifier

    return Classifier.default()


def _classify_line(line: str, suggestion, args: argparse.Namespace) -> str:
    if args.json:
        import orjson

        record = {"text": line, "lane": None, "confidence": None, "reasons": []}
        if suggestion is not None:
            record.update(lane=suggestion.lane, confidence=round(suggestion.confidence, 3),
                          reasons=suggestion.reasons)
        return orjson.dumps(record).decode() + "\n"
    if suggestion is None:
        return "-\n"
    head = f"{suggestion.lane}\t{suggestion.confidence:.2f}\t{line}"
    if args.explain:
        head += "".join(f"\n\t- {reason}" for reason in suggestion.reasons)
    return head + "\n"


# -- import and export -----------------------------------------------------------------------
def cmd_import(args: argparse.Namespace) -> int:
    from triage_tui.formats import parse_import

    data = read_input(args.file)
    # A missing database is created only when something is imported into it.
    service = open_service(args) if database_path(args).exists() else None
    now = service.now() if service is not None else datetime.now().astimezone()
    result = parse_import(data, args.format, args.file, now)
    for error in result.errors:
        print(f"triage: {args.file}: {error}", file=sys.stderr)
    if result.errors and not args.skip_bad:
        print(f"triage: nothing imported: {len(result.errors)} bad "
              f"row{'s' if len(result.errors) != 1 else ''} (use --skip-bad to import the rest)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    if args.dry_run:
        print(f"{len(result.items)} items would be imported ({result.format})")
        return EXIT_OK
    if service is None:
        service = open_service(args)
    items = service.add_items(result.items, action="import") if result.items else []
    print(f"imported {len(items)} items from {args.file} ({result.format})")
    return EXIT_OK


def cmd_export(args: argparse.Namespace) -> int:
    from triage_tui.formats import export_items

    service = open_service(args, create=False)
    items = service.items(status=args.status)
    text = export_items([item.to_dict() for item in items], args.format)
    if args.output:
        _write_output(Path(args.output), text)
        print(f"exported {len(items)} items to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _write_output(path: Path, text: str) -> None:
    try:
        temp = path.with_name(f".{path.name}.tmp")
        temp.write_text(text, encoding="utf-8")
        os.replace(temp, path)
    except OSError as error:
        raise CliError(f"{path}: cannot write ({error.strerror or error})") from None


# -- history ---------------------------------------------------------------------------------
def cmd_log(args: argparse.Namespace) -> int:
    service = open_service(args, create=False)
    since = _parse_since(args.since) if args.since else None
    item_id = service.get(args.id).id if args.id else None
    rows = service.history(item_id=item_id, user=args.log_user, since=since)
    if args.json:
        _print_json([row.to_dict() for row in rows])
        return EXIT_OK
    for row in rows:
        print(f"{row.at}  {row.user:<10} {row.item_id}  {row.action:<12} {row.field}: "
              f"{_short_value(row.old)} → {_short_value(row.new)}")
    return EXIT_OK


def _parse_since(text: str) -> datetime:
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise CliError(f"--since {text!r}: expected an ISO date such as 2026-11-01") from None
    return moment if moment.tzinfo else moment.astimezone()


def _short_value(value: object, limit: int = 40) -> str:
    text = "∅" if value is None else (value if isinstance(value, str) else json.dumps(value))
    return text if len(text) <= limit else text[: limit - 1] + "…"


# -- shared queue ----------------------------------------------------------------------------
def cmd_init_shared(args: argparse.Namespace) -> int:
    """Create a database (snapshot and journal), its folder and its lock so that a whole Unix
    group can share them."""
    import grp
    import stat

    from triage_tui.store.db import Store, is_database_file

    path = Path(args.path).expanduser().absolute()
    gid = -1
    if args.group:
        try:
            gid = grp.getgrnam(args.group).gr_gid
        except KeyError:
            raise CliError(f"no such group: {args.group}") from None
    elif os.geteuid() == 0:
        raise CliError("run as root, init-shared needs the group that shares the queue: "
                       "--group NAME")
    folder = path.parent
    created_folder = not folder.exists()
    if not created_folder:
        # The folder's group and mode change: only a folder that holds this database alone.
        others = sorted(entry.name for entry in folder.iterdir()
                        if not is_database_file(entry.name, path.name))
        if others:
            shown = ", ".join(others[:3]) + (", …" if len(others) > 3 else "")
            raise CliError(f"{folder} holds other files ({shown}); init-shared makes its folder "
                           "group-writable, so give the queue a folder of its own")
    try:
        folder.mkdir(parents=True, exist_ok=True)
        if gid != -1:
            os.chown(folder, -1, gid)
        # setgid: files created inside inherit the folder's group, whoever creates them.
        os.chmod(folder, (folder.stat().st_mode & 0o777) | 0o070 | stat.S_ISGID)
    except OSError as error:
        raise CliError(f"{folder}: cannot prepare the folder ({error.strerror})") from None
    old_mask = os.umask(0o007)
    try:
        store = Store(path).open(create=True)
        store.lock_path.touch(exist_ok=True)
        backups = sorted(path.parent.glob(f"{path.name}.schema*.bak"))
        beside = [file for file in (store.history_path, *backups) if file.exists()]
        for file in (path, store.journal_path, store.lock_path, *beside):
            if gid != -1:
                os.chown(file, -1, gid)
            os.chmod(file, 0o660)
    except OSError as error:
        raise CliError(f"{path}: cannot set up the database ({error.strerror})") from None
    finally:
        os.umask(old_mask)
    group_name = grp.getgrgid(folder.stat().st_gid).gr_name
    print(f"{'created' if created_folder else 'prepared'} folder {folder} "
          f"(group {group_name}, setgid, group read/write)")
    print(f"database {path} (mode 660, schema ready)")
    print(f"journal {store.journal_path} (mode 660)")
    print(f"lock {store.lock_path} (mode 660)")
    print(f"each person runs: triage --db {path}")
    return EXIT_OK


# -- settings --------------------------------------------------------------------------------
def cmd_config(args: argparse.Namespace) -> int:
    from dataclasses import asdict

    from triage_tui.config import load_settings, save_settings, settings_path

    settings = load_settings()
    if args.action == "show":
        print(f"# {settings_path()}")
        _print_json(asdict(settings))
        return EXIT_OK
    if not args.key or args.value is None:
        raise CliError("usage: triage config set KEY VALUE (e.g. capacity.va 25h)")
    apply_setting(settings, args.key, args.value)
    save_settings(settings)
    print(f"{args.key} = {args.value}")
    return EXIT_OK


def apply_setting(settings, key: str, value: str) -> None:
    """Set one dotted key from text; raise CliError for an unknown key or a bad value."""
    from triage_tui.domain.quickadd import parse_duration

    group, _, name = key.partition(".")
    tables = {"capacity": settings.capacity_minutes,
              "default_estimate": settings.default_estimate_minutes}
    if group in tables and name in tables[group]:
        minutes = parse_duration(value)
        if minutes is None or not 0 <= minutes <= 168 * 60:
            raise CliError(f"{key}: {value!r} is not a duration such as 25h, 90m or 1h30m")
        tables[group][name] = minutes
    elif key == "review_threshold":
        settings.review_threshold = _number(key, value, 0.0, 1.0)
    elif key == "claim_hours":
        settings.claim_hours = _number(key, value, 0.01, 720.0)
    elif key == "theme":
        settings.theme = value
    else:
        known = [f"capacity.{r}" for r in settings.capacity_minutes] + [
            f"default_estimate.{lane}" for lane in settings.default_estimate_minutes
        ] + ["review_threshold", "claim_hours", "theme"]
        raise CliError(f"unknown setting {key!r}; known: {', '.join(known)}")


def _number(key: str, value: str, low: float, high: float) -> float:
    try:
        number = float(value)
    except ValueError:
        raise CliError(f"{key}: {value!r} is not a number") from None
    if not low <= number <= high:
        raise CliError(f"{key}: {value} is outside {low:g}..{high:g}")
    return number


# -- weekly review ---------------------------------------------------------------------------
def cmd_review(args: argparse.Namespace) -> int:
    """`triage review`: one ISO week's review as Markdown (for a status email) or JSON."""
    from triage_tui.domain.review import parse_iso_week, render_markdown, review_to_json

    week = None
    if args.week:
        try:
            week = parse_iso_week(args.week)
        except ValueError as error:
            raise CliError(f"--week: {error}") from None
    service = open_service(args, create=False)
    review = _review_of(service, week or service.now().date())
    if args.format == "json":
        import orjson

        text = orjson.dumps(review_to_json(review), option=orjson.OPT_INDENT_2).decode() + "\n"
    else:
        text = render_markdown(review)
    if args.output:
        _write_output(Path(args.output), text)
        print(f"review of {review.label} written to {args.output}", file=sys.stderr)
    else:
        sys.stdout.write(text)
    return EXIT_OK


def _review_of(service: TriageService, week):
    from triage_tui.domain.review import AuditRow, build_review

    settings = service.settings
    return build_review(
        service.items("all"), [AuditRow.of(row) for row in service.history()], week,
        service.now().date(), capacity_minutes=settings.capacity_minutes,
        default_minutes=settings.default_estimate_minutes, suggest=_review_suggest(service),
    )


def _review_suggest(service: TriageService):
    """The database's classifier; without one the review still runs, minus that advice."""
    try:
        classifier = service.classifier()
    except Exception as error:  # noqa: BLE001 - a broken model must not block the review
        print(f"triage: note: no classifier ({type(error).__name__}: {error}); advice lists "
              "only untouched items", file=sys.stderr)
        return lambda text: None
    return classifier.suggest
