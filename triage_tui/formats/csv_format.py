"""CSV with a header row, read and written.

Reading: header names are case-insensitive and trimmed (`Due Date` reads as `due_date`); a
title column is required (`title`, else `task`, else `description`). Errors carry the line the
record starts on, counted with the csv module's `line_num`, so quoted multi-line notes count.
Tags in a cell may be separated by `;`, `,` or spaces. `id` is ignored: the store assigns ids.

Writing: the header is `EXPORT_COLUMNS`; tags are space-separated (a tag is one word everywhere
in triage, todo.txt and Taskwarrior), estimates are whole minutes, dates are written as stored.

Formula injection: a spreadsheet evaluates a cell that starts with `=`, `+`, `-` or `@` (and, in
Excel, tab or carriage return), so a title like `=HYPERLINK(...)` could run when the export is
opened. Export therefore prefixes such cells with `'`, which spreadsheets treat as "text". It
does so for every such cell, not only the ones that look like formulas: `-2+3` is a formula
too, and guessing what a spreadsheet evaluates is how injections get through. The importer
removes exactly one leading `'` when it is followed by one of those characters or by another
`'`; export also prefixes cells that start with `'` followed by one of them, so a title that
really begins `'=` survives. Export → import is therefore exact for every title.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from typing import Any

from triage_tui.domain.model import now_iso

from .common import (
    ImportIssue,
    RowError,
    new_item,
    notes_text,
    parse_estimate,
    parse_lane,
    parse_status,
    short_text,
    split_tags,
    title_text,
)
from .dates import loose_date
from .recur import check_rrule, taskwarrior_rrule

EXPORT_COLUMNS = (
    "id",
    "title",
    "lane",
    "status",
    "due",
    "estimate_minutes",
    "recurrence",
    "tags",
    "assignee",
    "claimed_by",
    "notes",
    "created_at",
    "completed_at",
)

_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")

# Header names each field is read from, best first.
_COLUMN_NAMES = {
    "title": ("title", "task", "description"),
    "due": ("due", "due_date", "deadline"),
    "estimate": ("estimate_minutes", "estimate", "est"),
    "tags": ("tags", "tag"),
    "lane": ("lane",),
    "assignee": ("assignee", "assigned_to"),
    "claimed_by": ("claimed_by",),
    "notes": ("notes", "note"),
    "status": ("status",),
    "recurrence": ("recurrence", "rrule"),
    "created_at": ("created_at", "created"),
    "completed_at": ("completed_at", "completed"),
}


def _quoted(value: str) -> bool:
    """Whether a cell starts with the `'` that `protect_cell` adds."""
    return value[:1] == "'" and value[1:2] != "" and value[1:2] in ("'", *_FORMULA_START)


def protect_cell(value: str) -> str:
    """A cell a spreadsheet will show as text, never evaluate (see the module docstring)."""
    if value.startswith(_FORMULA_START) or _quoted(value):
        return "'" + value
    return value


def unprotect_cell(value: str) -> str:
    """Undo `protect_cell`: drop one `'` that stands before `=`, `+`, `-`, `@` or `'`."""
    return value[1:] if _quoted(value) else value


def export_csv(items: list[dict[str, Any]]) -> str:
    """CSV text with the `EXPORT_COLUMNS` header and one row per item dict."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(EXPORT_COLUMNS)
    for item in items:
        writer.writerow([protect_cell(cell) for cell in _row(item)])
    return buffer.getvalue()


def _row(item: dict[str, Any]) -> list[str]:
    """The cells of one item, in `EXPORT_COLUMNS` order."""
    estimate = item.get("estimate_minutes")
    cells = {
        **{name: item.get(name) for name in EXPORT_COLUMNS},
        "estimate_minutes": "" if estimate is None else str(int(estimate)),
        "tags": " ".join(str(tag) for tag in item.get("tags") or []),
    }
    return ["" if cells[name] is None else str(cells[name]) for name in EXPORT_COLUMNS]


def parse_csv(text: str, now: datetime) -> tuple[list[dict[str, Any]], list[ImportIssue]]:
    """Items and per-line errors from CSV text with a header row."""
    reader = csv.reader(io.StringIO(text, newline=""))
    header = next(reader, None)
    if not header:
        return [], [ImportIssue(1, "no header row")]
    columns = _columns(header)
    if "title" not in columns:
        return [], [ImportIssue(1, "no title column (title, task or description)")]
    items: list[dict[str, Any]] = []
    errors: list[ImportIssue] = []
    start = reader.line_num + 1
    while True:
        try:
            row = next(reader)
        except StopIteration:
            break
        except csv.Error as error:  # the reader cannot resync after this: stop here
            errors.append(ImportIssue(start, f"unreadable CSV: {error}"))
            break
        _read_row(row, start, len(header), columns, now, items, errors)
        start = reader.line_num + 1
    return items, errors


def _read_row(
    row: list[str],
    line: int,
    width: int,
    columns: dict[str, int],
    now: datetime,
    items: list[dict[str, Any]],
    errors: list[ImportIssue],
) -> None:
    """Append the row's item, or its error; rows of empty cells are skipped."""
    if not any(cell.strip() for cell in row):
        return
    if len(row) != width:
        errors.append(ImportIssue(line, f"{len(row)} cells where the header has {width}"))
        return
    try:
        items.append(_item(row, columns, now))
    except RowError as error:
        errors.append(ImportIssue(line, str(error)))


def _columns(header: list[str]) -> dict[str, int]:
    """Field name → column index, from header names matched case-insensitively."""
    positions: dict[str, int] = {}
    for index, name in enumerate(header):
        key = re.sub(r"[\s-]+", "_", name.strip().lower())
        positions.setdefault(key, index)
    columns = {}
    for field_name, names in _COLUMN_NAMES.items():
        found = [positions[name] for name in names if name in positions]
        if found:
            columns[field_name] = found[0]
    return columns


def _item(row: list[str], columns: dict[str, int], now: datetime) -> dict[str, Any]:
    """One data row as an item dict; RowError names the first bad cell."""
    cells = {name: unprotect_cell(row[index]) for name, index in columns.items()}
    item = new_item(title_text(cells["title"]))
    if not item["title"]:
        raise RowError("empty title")
    get = cells.get
    item["notes"] = notes_text(get("notes", ""))
    item["lane"] = parse_lane(get("lane"))
    item["status"] = parse_status(get("status"))
    item["tags"] = split_tags(get("tags", ""))
    item["assignee"] = short_text(get("assignee", "").strip().lstrip("@"))
    if get("due", "").strip():
        item["due"] = loose_date(cells["due"], now, "due")
    if get("estimate", "").strip():
        item["estimate_minutes"] = parse_estimate(cells["estimate"])
    if get("recurrence", "").strip():
        item["recurrence"] = _recurrence(cells["recurrence"])
    for name in ("created_at", "completed_at"):
        if get(name, "").strip():
            item[name] = loose_date(cells[name], now, name.replace("_", " "))
    claimed_by = short_text(get("claimed_by"))
    if claimed_by:
        # A claim needs a time; the file has none, so the claim counts from the import.
        item["claimed_by"], item["claimed_at"] = claimed_by, now_iso(now)
    return item


def _recurrence(value: str) -> str:
    """An RRULE, or a Taskwarrior-style word (`weekly`, `2w`) turned into one."""
    simple = taskwarrior_rrule(value)
    return simple if simple else check_rrule(value)
