"""The two entry points: `parse_import` (bytes in any format → item dicts) and `export_items`."""

from __future__ import annotations

import csv
import io
import json
from datetime import datetime
from pathlib import PurePath
from typing import Any

from .common import (
    EXPORT_FORMATS,
    FORMATS,
    MAX_IMPORT_BYTES,
    ImportIssue,
    ImportResult,
    strip_escapes,
)
from .csv_format import export_csv, parse_csv
from .json_format import export_json, parse_json_items
from .taskwarrior import looks_like_taskwarrior, parse_taskwarrior
from .todotxt import export_todotxt, parse_todotxt

_TITLE_COLUMNS = {"title", "task", "description"}
_NOT_DECODED = object()


def parse_import(data: bytes, fmt: str | None, filename: str | None, now: datetime) -> ImportResult:
    """Read an import file into item dicts ready for the store, plus the rows it refused.

    `fmt` is one of `FORMATS`, or None to guess from the file name and the content. Items have
    no `id`; `lane_source` is "import". `now` gives the local time zone for naive and UTC times.
    Never raises for bad input: every problem is an `ImportIssue` in `errors`.
    """
    if fmt is not None and fmt not in FORMATS:
        return _refused(f"unknown format {fmt!r} (use one of {', '.join(FORMATS)})", fmt)
    if len(data) > MAX_IMPORT_BYTES:
        limit = MAX_IMPORT_BYTES // (1024 * 1024)
        return _refused(f"file is over {limit} MB; not importing it", fmt or "")
    try:
        text = data.decode("utf-8-sig")  # a BOM is accepted and dropped
    except UnicodeDecodeError as error:
        line = data.count(b"\n", 0, error.start) + 1
        return ImportResult(errors=[ImportIssue(line, "not UTF-8 text")], format=fmt or "")
    decoded = _decode_json(text) if fmt in (None, "json", "taskwarrior") else None
    chosen = fmt or guess_format(text, filename, decoded)
    items, errors = _parse(chosen, text, decoded, now)
    return ImportResult(items=items, errors=errors, format=chosen)


def export_items(items: list[dict[str, Any]], fmt: str) -> str:
    """Item dicts (the contract form) as text in `fmt`, one of `EXPORT_FORMATS`."""
    if fmt == "csv":
        return export_csv(items)
    if fmt == "json":
        return export_json(items)
    if fmt == "todotxt":
        return export_todotxt(items)
    raise ValueError(f"unknown export format {fmt!r} (use one of {', '.join(EXPORT_FORMATS)})")


def guess_format(text: str, filename: str | None, decoded: Any = _NOT_DECODED) -> str:
    """The format of a file: by extension when it says, else by content.

    `.csv` is CSV, `.txt` todo.txt, `.json` our JSON or, when it is an array of objects with
    `uuid` and `entry`, Taskwarrior. Without a telling extension: JSON content as above; a first
    line with commas and a title column is CSV; anything else is todo.txt.
    """
    suffix = PurePath(filename).suffix.lower() if filename else ""
    if suffix == ".csv":
        return "csv"
    if suffix in (".txt", ".todo"):
        return "todotxt"
    if decoded is _NOT_DECODED:
        decoded = _decode_json(text)
    is_json = decoded is not None and not isinstance(decoded, _JsonProblem)
    if suffix == ".json" or is_json:
        return "taskwarrior" if looks_like_taskwarrior(decoded) else "json"
    return _guess_text(text)


def _guess_text(text: str) -> str:
    """CSV when the first line has commas and a title column, else todo.txt."""
    first = text.lstrip("\n").split("\n", 1)[0]
    if "," not in first:
        return "todotxt"
    header = next(csv.reader(io.StringIO(first)), [])
    names = {name.strip().lower() for name in header}
    return "csv" if names & _TITLE_COLUMNS else "todotxt"


class _JsonProblem:
    """Why text is not JSON, kept so the JSON importers can report it with its line."""

    def __init__(self, line: int, message: str) -> None:
        self.line = line
        self.message = message


def _decode_json(text: str) -> Any:
    """The decoded JSON; None when the text does not even start like JSON; else a problem."""
    if text.lstrip()[:1] not in ("[", "{"):
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        return _JsonProblem(error.lineno, f"not valid JSON: {error.msg}")
    except RecursionError:
        return _JsonProblem(0, "not valid JSON: nested too deeply")


def _parse(
    fmt: str, text: str, decoded: Any, now: datetime
) -> tuple[list[dict[str, Any]], list[ImportIssue]]:
    """Run the parser for `fmt`."""
    if fmt in ("json", "taskwarrior"):
        if decoded is None:
            return [], [ImportIssue(1, "not valid JSON: it does not start with [ or {")]
        if isinstance(decoded, _JsonProblem):
            return [], [ImportIssue(decoded.line, decoded.message)]
        parse = parse_taskwarrior if fmt == "taskwarrior" else parse_json_items
        return parse(decoded, now)
    # Whole escape sequences go before splitting into lines and words: an OSC title may hold
    # spaces, and cutting it into words first would leave pieces in the title.
    cleaned = strip_escapes(text)
    return parse_csv(cleaned, now) if fmt == "csv" else parse_todotxt(cleaned, now)


def _refused(message: str, fmt: str) -> ImportResult:
    """A result with one whole-file error and no items."""
    return ImportResult(errors=[ImportIssue(0, message)], format=fmt)
